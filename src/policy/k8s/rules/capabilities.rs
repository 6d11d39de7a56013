//! `AG-K011`: containers drop every Linux capability.

use serde::Deserialize;

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that every container and init container drops all Linux capabilities
    /// (`securityContext.capabilities.drop: [ALL]`) and adds back none but the allowed ones
    /// (`NET_BIND_SERVICE` by default, as the Pod Security Standards' "restricted" profile
    /// allows).
    ///
    /// ## Why is this bad?
    /// Containers start with a default set of capabilities (`NET_RAW`, `CHOWN`, `SETUID`, ...)
    /// that an application never uses and an attacker gladly does: `NET_RAW` alone allows
    /// spoofing traffic inside the cluster network.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: [NET_ADMIN]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: [ALL]
    /// ```
    ///
    /// ## Options
    /// - `allowed_add`: capabilities that may be added back (default `[NET_BIND_SERVICE]`).
    ///
    /// ## References
    /// kube-linter `drop-net-raw-capability`, checkov `CKV_K8S_28`, `CKV_K8S_37`, `CKV_K8S_39`,
    /// Polaris `dangerousCapabilities`, `insecureCapabilities`.
    pub(crate) const RULE = {
        code: "AG-K011",
        name: "drop-all-capabilities",
        target: Kubernetes,
        severity: Error,
        summary: "containers drop ALL capabilities and add none back",
        aliases: [
            KubeLinter("drop-net-raw-capability"),
            Checkov("CKV_K8S_28"),
            Checkov("CKV_K8S_37"),
            Checkov("CKV_K8S_39"),
            Polaris("dangerousCapabilities"),
            Polaris("insecureCapabilities"),
        ],
        params: Params,
    };
}

/// Parameters of `AG-K011`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Params {
    allowed_add: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            allowed_add: vec!["NET_BIND_SERVICE".to_string()],
        }
    }
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let Some(spec) = item.object.pod_spec() else {
        return;
    };
    let params: Params = cx.params(&RULE, item);
    for container in spec.containers() {
        let capabilities = container.security("capabilities");
        let drops_all = capabilities
            .and_then(|c| c.get("drop"))
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .any(|cap| cap.as_str().is_some_and(|c| c.eq_ignore_ascii_case("ALL")));
        if !drops_all {
            let at = capabilities
                .and_then(|c| c.get("drop"))
                .unwrap_or_else(|| container.anchor());
            cx.report(
                &RULE,
                item,
                at,
                format!(
                    "container `{}` does not drop `ALL` capabilities",
                    container.name
                ),
            )
            .help("set `securityContext.capabilities.drop: [ALL]`");
        }
        let added = capabilities
            .and_then(|c| c.get("add"))
            .map(Node::items)
            .unwrap_or_default();
        for cap in added {
            let Some(name) = cap.as_str() else {
                continue;
            };
            let bare = name.strip_prefix("CAP_").unwrap_or(name);
            if !params
                .allowed_add
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(bare))
            {
                cx.report(
                    &RULE,
                    item,
                    cap,
                    format!("container `{}` adds capability `{name}`", container.name),
                )
                .help("remove it from `capabilities.add`");
            }
        }
    }
}
