//! `AG-K021`: pods do not share the node's IPC namespace.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::host_namespace::check_host_flag;
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that no workload's pod spec sets `hostIPC: true`.
    ///
    /// ## Why is this bad?
    /// Containers in the node's IPC namespace can read and write the shared memory of every process
    /// on the node. An application service never needs it.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostIPC: true
    /// ```
    ///
    /// ## Use instead
    /// Remove `hostIPC`; it defaults to `false`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// kube-linter `host-ipc`, checkov `CKV_K8S_18`, Polaris `hostIPCSet`.
    pub(crate) const RULE = {
        code: "AG-K021",
        name: "no-host-ipc",
        target: Kubernetes,
        severity: Error,
        summary: "pods do not set `hostIPC`",
        aliases: [KubeLinter("host-ipc"), Checkov("CKV_K8S_18"), Polaris("hostIPCSet")],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    check_host_flag(cx, item, &RULE, "hostIPC", "IPC namespace");
}
