//! `AG-K010`: containers run on a read-only root filesystem.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::security_flag::{WhenUnset, check_flag};
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that every container and init container sets
    /// `securityContext.readOnlyRootFilesystem: true`.
    ///
    /// ## Why is this bad?
    /// A writable root filesystem lets an intruder drop tools and change the application's
    /// code in place, and lets the application itself write state that vanishes with the pod.
    /// Directories that must be writable (`/tmp`, a Next.js cache) are mounted as `emptyDir`
    /// volumes instead. The constitution asks for it "where possible", hence the warning.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   allowPrivilegeEscalation: false
    ///   readOnlyRootFilesystem: true
    /// volumeMounts:
    ///   - { name: tmp, mountPath: /tmp }
    /// ```
    ///
    /// ## Options
    /// None. Suppress it on an object that must write to its root filesystem, with the reason:
    /// `aigen.dev/ignore: "AG-K010 -- writes its upload cache to /app/data"`.
    ///
    /// ## References
    /// kube-linter `no-read-only-root-fs`, checkov `CKV_K8S_22`, Polaris
    /// `notReadOnlyRootFilesystem`, kube-score `container-security-context-readonlyrootfilesystem`.
    pub(crate) const RULE = {
        code: "AG-K010",
        name: "read-only-root-filesystem",
        target: Kubernetes,
        severity: Warning,
        summary: "containers set `readOnlyRootFilesystem: true`",
        aliases: [
            KubeLinter("no-read-only-root-fs"),
            Checkov("CKV_K8S_22"),
            Polaris("notReadOnlyRootFilesystem"),
            KubeScore("container-security-context-readonlyrootfilesystem"),
        ],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    check_flag(
        cx,
        item,
        &RULE,
        "readOnlyRootFilesystem",
        true,
        WhenUnset::Report,
    );
}
