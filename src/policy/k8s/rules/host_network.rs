//! `AG-K019`: pods do not share the node's network namespace.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::host_namespace::check_host_flag;
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that no workload's pod spec sets `hostNetwork: true`.
    ///
    /// ## Why is this bad?
    /// Containers with the node's network namespace see and can bind every interface of the node,
    /// bypass NetworkPolicies, and reach services listening on localhost of the node (the
    /// kubelet's, among others). An application service never needs it.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    /// ```
    ///
    /// ## Use instead
    /// Remove `hostNetwork`; it defaults to `false`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// kube-linter `host-network`, checkov `CKV_K8S_19`, Polaris `hostNetworkSet`.
    pub(crate) const RULE = {
        code: "AG-K019",
        name: "no-host-network",
        target: Kubernetes,
        severity: Error,
        summary: "pods do not set `hostNetwork`",
        aliases: [KubeLinter("host-network"), Checkov("CKV_K8S_19"), Polaris("hostNetworkSet")],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    check_host_flag(cx, item, &RULE, "hostNetwork", "network namespace");
}
