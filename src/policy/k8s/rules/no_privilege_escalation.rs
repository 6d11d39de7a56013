//! `AG-K009`: containers cannot gain privileges.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::security_flag::{WhenUnset, check_flag};
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that every container and init container sets
    /// `securityContext.allowPrivilegeEscalation: false`.
    ///
    /// ## Why is this bad?
    /// Unless it is set to `false`, a process in the container may gain more privileges than its
    /// parent through setuid binaries or file capabilities: a non-root user becomes root again
    /// in one `exec`. Kubernetes defaults it to `true`, so it must be written.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: backend
    ///     securityContext:
    ///       runAsNonRoot: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: backend
    ///     securityContext:
    ///       runAsNonRoot: true
    ///       allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// kube-linter `privilege-escalation-container`, checkov `CKV_K8S_20`, Polaris
    /// `privilegeEscalationAllowed`.
    pub(crate) const RULE = {
        code: "AG-K009",
        name: "no-privilege-escalation",
        target: Kubernetes,
        severity: Error,
        summary: "containers set `allowPrivilegeEscalation: false`",
        aliases: [
            KubeLinter("privilege-escalation-container"),
            Checkov("CKV_K8S_20"),
            Polaris("privilegeEscalationAllowed"),
        ],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    check_flag(
        cx,
        item,
        &RULE,
        "allowPrivilegeEscalation",
        false,
        WhenUnset::Report,
    );
}
