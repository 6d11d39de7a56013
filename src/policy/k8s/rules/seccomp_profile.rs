//! `AG-K013`: containers run under the runtime's default seccomp profile.

use std::collections::HashSet;

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::{Mark, Node};
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that every container and init container runs under a seccomp profile of type
    /// `RuntimeDefault` (or a `Localhost` profile), set on the container or inherited from the
    /// pod's `securityContext.seccompProfile`.
    ///
    /// ## Why is this bad?
    /// Without a profile, containers run `Unconfined`: every system call of the kernel is
    /// open to them, including the ones most container escapes go through. The runtime's
    /// default profile blocks those and nothing an application needs.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     seccompProfile:
    ///       type: RuntimeDefault
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// checkov `CKV_K8S_31`, kube-score `container-seccomp-profile`, Polaris `linuxHardening`.
    pub(crate) const RULE = {
        code: "AG-K013",
        name: "seccomp-profile",
        target: Kubernetes,
        severity: Error,
        summary: "containers use the RuntimeDefault seccomp profile",
        aliases: [
            Checkov("CKV_K8S_31"),
            KubeScore("container-seccomp-profile"),
            Polaris("linuxHardening"),
        ],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let Some(spec) = item.object.pod_spec() else {
        return;
    };
    let mut reported: HashSet<Mark> = HashSet::new();
    for container in spec.containers() {
        match container.resolved("seccompProfile") {
            None => cx
                .report(
                    &RULE,
                    item,
                    container.anchor(),
                    format!(
                        "container `{}` runs without a seccomp profile (neither it nor its pod \
                         sets one)",
                        container.name
                    ),
                )
                .help("set `securityContext.seccompProfile.type: RuntimeDefault` on the pod"),
            Some(set) => {
                let kind = set.node.get("type");
                match kind.and_then(Node::as_str) {
                    Some("RuntimeDefault" | "Localhost") => {}
                    other => {
                        let at = kind.unwrap_or(set.node);
                        if reported.insert(at.mark) {
                            let what = other.map_or("no type".to_string(), |t| format!("`{t}`"));
                            cx.report(
                                &RULE,
                                item,
                                at,
                                format!(
                                    "container `{}` runs under seccomp profile {what}",
                                    container.name
                                ),
                            )
                            .help("set `seccompProfile.type: RuntimeDefault`");
                        }
                    }
                }
            }
        }
    }
}
