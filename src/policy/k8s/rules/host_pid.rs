//! `AG-K020`: pods do not share the node's process namespace.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::host_namespace::check_host_flag;
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that no workload's pod spec sets `hostPID: true`.
    ///
    /// ## Why is this bad?
    /// Containers in the node's process namespace see every process of the node, read their
    /// environment (secrets included) through `/proc`, and can signal them. An application service
    /// never needs it.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostPID: true
    /// ```
    ///
    /// ## Use instead
    /// Remove `hostPID`; it defaults to `false`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// kube-linter `host-pid`, checkov `CKV_K8S_17`, Polaris `hostPIDSet`.
    pub(crate) const RULE = {
        code: "AG-K020",
        name: "no-host-pid",
        target: Kubernetes,
        severity: Error,
        summary: "pods do not set `hostPID`",
        aliases: [KubeLinter("host-pid"), Checkov("CKV_K8S_17"), Polaris("hostPIDSet")],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    check_host_flag(cx, item, &RULE, "hostPID", "process namespace");
}
