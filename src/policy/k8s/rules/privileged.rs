//! `AG-K012`: no privileged containers.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::security_flag::{WhenUnset, check_flag};
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that no container or init container sets `securityContext.privileged: true`.
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability and every device of the node: it is root
    /// on the host in all but name, and escaping it is a matter of mounting the host's disk.
    /// An application service never needs it.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   privileged: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   privileged: false
    ///   capabilities: { drop: [ALL] }
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// kube-linter `privileged-container`, checkov `CKV_K8S_16`, Polaris `runAsPrivileged`,
    /// kube-score `container-security-context-privileged`.
    pub(crate) const RULE = {
        code: "AG-K012",
        name: "no-privileged",
        target: Kubernetes,
        severity: Error,
        summary: "containers are not privileged",
        aliases: [
            KubeLinter("privileged-container"),
            Checkov("CKV_K8S_16"),
            Polaris("runAsPrivileged"),
            KubeScore("container-security-context-privileged"),
        ],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    check_flag(cx, item, &RULE, "privileged", false, WhenUnset::Accept);
}
