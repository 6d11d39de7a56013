//! `AG-K008`: containers run as the configured non-root user.

use std::collections::HashSet;

use serde::Deserialize;

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::Mark;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that every container and init container runs with `runAsNonRoot: true` and a
    /// non-zero `runAsUser`, and, when the constitution names a UID (`deployment.run_as_user`,
    /// 1000 in the Phase IV preset), with that UID. Settings are resolved as Kubernetes does:
    /// the container's `securityContext` first, then the pod's.
    ///
    /// ## Why is this bad?
    /// A process running as root in a container is root on the host as soon as any isolation
    /// layer fails, and can rewrite its own image's files. `runAsNonRoot` makes the kubelet
    /// refuse to start an image whose user is root; a fixed UID keeps file ownership on volumes
    /// predictable and matches the `USER` the Dockerfiles create.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: backend
    ///       image: todo/backend:1.0.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     runAsUser: 1000
    ///   containers:
    ///     - name: backend
    ///       image: todo/backend:1.0.0
    /// ```
    ///
    /// ## Options
    /// - `run_as_user`: the UID required, over `deployment.run_as_user`.
    ///
    /// ## References
    /// kube-linter `run-as-non-root`, checkov `CKV_K8S_23`, Polaris `runAsRootAllowed`,
    /// kube-score `container-security-context-user-group-id`. Unlike checkov's `CKV_K8S_40`,
    /// no UID above 10000 is required: the constitution's UID matches the Dockerfiles' `USER`.
    pub(crate) const RULE = {
        code: "AG-K008",
        name: "run-as-non-root",
        target: Kubernetes,
        severity: Error,
        summary: "containers run as non-root with the configured UID",
        aliases: [
            KubeLinter("run-as-non-root"),
            Checkov("CKV_K8S_23"),
            Polaris("runAsRootAllowed"),
            KubeScore("container-security-context-user-group-id"),
        ],
        params: Params,
    };
}

/// Parameters of `AG-K008`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Params {
    run_as_user: Option<i64>,
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let Some(spec) = item.object.pod_spec() else {
        return;
    };
    let params: Params = cx.params(&RULE, item);
    let required = params
        .run_as_user
        .or_else(|| cx.set.constitution.deployment.as_ref()?.run_as_user);
    // A pod-level setting shared by several containers is reported once.
    let mut reported: HashSet<Mark> = HashSet::new();
    for container in spec.containers() {
        let name = container.name;
        let at_container = container.anchor();
        let user = container.resolved("runAsUser");
        match container.resolved("runAsNonRoot") {
            Some(set) if set.node.as_bool() == Some(true) => {}
            Some(set) => {
                if reported.insert(set.node.mark) {
                    cx.report(
                        &RULE,
                        item,
                        set.node,
                        format!(
                            "container `{name}` may run as root (`runAsNonRoot` is not `true`)"
                        ),
                    )
                    .help("set `runAsNonRoot: true`");
                }
            }
            None if user.is_none() => {
                let uid = required.unwrap_or(1000);
                cx.report(
                    &RULE,
                    item,
                    at_container,
                    format!(
                        "container `{name}` may run as root: neither it nor its pod sets \
                         `runAsNonRoot` or `runAsUser`"
                    ),
                )
                .help(format!(
                    "set `securityContext: {{ runAsNonRoot: true, runAsUser: {uid} }}` on the pod"
                ));
                continue;
            }
            None => cx
                .report(
                    &RULE,
                    item,
                    at_container,
                    format!(
                        "container `{name}` may run as root: neither it nor its pod sets \
                         `runAsNonRoot: true`"
                    ),
                )
                .help("set `securityContext.runAsNonRoot: true` on the pod"),
        }
        match user {
            Some(set) => {
                let uid = set.node.as_int();
                let wrong = match (uid, required) {
                    (Some(0), _) => {
                        Some(format!("container `{name}` runs as root (`runAsUser: 0`)"))
                    }
                    (Some(uid), Some(required)) if uid != required => Some(format!(
                        "container `{name}` runs as UID {uid}; the constitution says {required}"
                    )),
                    (Some(_), _) => None,
                    (None, _) => Some(format!("`runAsUser` of container `{name}` is not a number")),
                };
                if let Some(message) = wrong
                    && reported.insert(set.node.mark)
                {
                    cx.report(&RULE, item, set.node, message)
                        .help(format!("set `runAsUser: {}`", required.unwrap_or(1000)));
                }
            }
            None => {
                if let Some(required) = required {
                    cx.report(
                        &RULE,
                        item,
                        at_container,
                        format!(
                            "container `{name}` sets no `runAsUser` (nor does its pod); the \
                             constitution says {required}"
                        ),
                    )
                    .help(format!(
                        "set `securityContext.runAsUser: {required}` on the pod"
                    ));
                }
            }
        }
    }
}
