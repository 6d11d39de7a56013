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
    /// `runAsUser` that is not root and not below the configured minimum (`min_uid`, 10000 in
    /// the baseline preset, 1000 in the Phase IV preset), and, when the constitution names the
    /// UID the images run as (`deployment.run_as_user`), that the container sets one.
    /// Settings are resolved as Kubernetes does: the container's `securityContext` first, then
    /// the pod's.
    ///
    /// ## Why is this bad?
    /// A process running as root in a container is root on the host as soon as any isolation
    /// layer fails, and can rewrite its own image's files. `runAsNonRoot` makes the kubelet
    /// refuse to start an image whose user is root. A low UID is shared with the node's own
    /// users and system accounts (a container escaping as UID 1000 is the node's first user);
    /// a UID above 10000 belongs to nobody there.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsUser: 0
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
    ///     runAsUser: 10001
    ///   containers:
    ///     - name: backend
    ///       image: todo/backend:1.0.0
    /// ```
    ///
    /// ## Options
    /// - `min_uid` (default 10000): the lowest UID a container may run as.
    ///
    /// ## References
    /// kube-linter `run-as-non-root`, checkov `CKV_K8S_23` and `CKV_K8S_40` (UID of 10000 or
    /// more), Polaris `runAsRootAllowed`, kube-score `container-security-context-user-group-id`.
    pub(crate) const RULE = {
        code: "AG-K008",
        name: "run-as-non-root",
        target: Kubernetes,
        severity: Error,
        summary: "containers run as non-root with a UID of at least the configured minimum",
        aliases: [
            KubeLinter("run-as-non-root"),
            Checkov("CKV_K8S_23"),
            Checkov("CKV_K8S_40"),
            Polaris("runAsRootAllowed"),
            KubeScore("container-security-context-user-group-id"),
        ],
        params: Params,
    };
}

/// The lowest UID allowed when the constitution does not say.
const MIN_UID: i64 = 10000;

/// Parameters of `AG-K008`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Params {
    min_uid: Option<i64>,
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let Some(spec) = item.object.pod_spec() else {
        return;
    };
    let params: Params = cx.params(&RULE, item);
    let minimum = params.min_uid.unwrap_or(MIN_UID).max(1);
    let configured = cx
        .set
        .constitution
        .deployment
        .as_ref()
        .and_then(|d| d.run_as_user);
    let suggested = configured
        .filter(|uid| *uid >= minimum)
        .unwrap_or(minimum.max(10001));
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
                    "set `securityContext: {{ runAsNonRoot: true, runAsUser: {suggested} }}` on the pod"
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
                let wrong = match set.node.as_int() {
                    Some(0) => Some(format!("container `{name}` runs as root (`runAsUser: 0`)")),
                    Some(uid) if uid < minimum => Some(format!(
                        "container `{name}` runs as UID {uid}, below the constitution's minimum \
                         of {minimum}"
                    )),
                    Some(_) => None,
                    None => Some(format!("`runAsUser` of container `{name}` is not a number")),
                };
                if let Some(message) = wrong
                    && reported.insert(set.node.mark)
                {
                    cx.report(&RULE, item, set.node, message).help(format!(
                        "set `runAsUser: {suggested}` (and the image's `USER`)"
                    ));
                }
            }
            None => {
                if let Some(uid) = configured {
                    cx.report(
                        &RULE,
                        item,
                        at_container,
                        format!(
                            "container `{name}` sets no `runAsUser` (nor does its pod); the \
                             constitution's images run as {uid}"
                        ),
                    )
                    .help(format!("set `securityContext.runAsUser: {uid}` on the pod"));
                }
            }
        }
    }
}
