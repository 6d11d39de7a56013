//! `AG-K015`: secrets reach containers through Secrets, never as literal values.

use serde::Deserialize;

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::declare_rule;
use crate::secrets::{is_secret_setting, shape_of};

declare_rule! {
    /// ## What it does
    /// Checks that no secret is written into a manifest in the clear:
    ///
    /// - an `env` entry whose name is a secret's (the constitution's `secrets` list, such as
    ///   `DATABASE_URL` and `OPENAI_API_KEY`, or a name whose last word names a credential:
    ///   `DB_PASSWORD`, `BETTER_AUTH_SECRET`, `GITHUB_TOKEN`, a store's connection URL such as
    ///   `REDIS_URL`; not `ACCESS_TOKEN_EXPIRE_MINUTES`) must take its value from a Secret
    ///   (`valueFrom.secretKeyRef`),
    ///   not from a literal `value` nor from a ConfigMap;
    /// - no literal `env` value may look like a secret, whatever its name (API keys, tokens,
    ///   JWTs, private keys, URLs with a password);
    /// - no ConfigMap may hold a secret by name or by shape.
    ///
    /// Values are never repeated in messages, and are masked in the source line shown.
    ///
    /// ## Why is this bad?
    /// A literal secret lives in Git history for ever, is printed by `kubectl get -o yaml`,
    /// and is readable by anyone allowed to read Deployments or ConfigMaps, a much wider
    /// group than those allowed to read Secrets.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: DATABASE_URL
    ///     value: postgresql://todo:s3cret@db.example.com/todo
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// env:
    ///   - name: DATABASE_URL
    ///     valueFrom:
    ///       secretKeyRef: { name: todo-secrets, key: DATABASE_URL }
    /// ```
    ///
    /// ## Options
    /// - `names`: more setting names to treat as secrets, over the constitution's `secrets`.
    ///
    /// ## References
    /// kube-linter `env-var-secret`, Polaris `sensitiveContainerEnvVar` and
    /// `sensitiveConfigmapContent`, checkov `CKV_SECRET_*`.
    pub(crate) const RULE = {
        code: "AG-K015",
        name: "no-literal-secrets",
        target: Kubernetes,
        severity: Error,
        summary: "secrets come from Secrets via `secretKeyRef`, never literal values",
        aliases: [
            KubeLinter("env-var-secret"),
            Polaris("sensitiveContainerEnvVar"),
            Polaris("sensitiveConfigmapContent"),
        ],
        params: Params,
    };
}

/// Parameters of `AG-K015`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Params {
    #[serde(default)]
    names: Vec<String>,
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let params: Params = cx.params(&RULE, item);
    let mut listed = cx.set.constitution.secrets.clone();
    listed.extend(params.names);
    if item.object.kind == "ConfigMap" {
        check_config_map(cx, item, &listed);
    }
    let Some(spec) = item.object.pod_spec() else {
        return;
    };
    for container in spec.containers() {
        for env in container.env() {
            let name = env.get("name").and_then(Node::as_str).unwrap_or_default();
            let secret_name = is_secret_setting(name, &listed);
            if let Some(value) = env.get("value").filter(|v| !v.is_null()) {
                let shape = shape_of(value.as_str().unwrap_or_default());
                if secret_name {
                    cx.report(
                        &RULE,
                        item,
                        value,
                        format!(
                            "env `{name}` of container `{}` is a secret written as a literal value",
                            container.name
                        ),
                    )
                    .help("take it from a Secret: `valueFrom: { secretKeyRef: { name: <secret>, key: <key> } }`");
                } else if let Some(shape) = shape {
                    cx.report(
                        &RULE,
                        item,
                        value,
                        format!(
                            "env `{name}` of container `{}` holds what looks like {}",
                            container.name,
                            shape.description()
                        ),
                    )
                    .help("move the value into a Secret and reference it with `secretKeyRef`");
                }
            }
            if secret_name && let Some(reference) = env.path(&["valueFrom", "configMapKeyRef"]) {
                let config_map = reference.get("name").and_then(Node::as_str).unwrap_or("?");
                cx.report(
                    &RULE,
                    item,
                    reference,
                    format!(
                        "env `{name}` of container `{}` is a secret read from ConfigMap `{config_map}`",
                        container.name
                    ),
                )
                .help("keep it in a Secret and use `secretKeyRef`");
            }
        }
    }
}

fn check_config_map(cx: &mut Checker<'_, '_>, item: &Item<'_>, listed: &[String]) {
    let Some(data) = item.object.node.get("data") else {
        return;
    };
    for entry in data.entries() {
        let key = entry.key.as_str().unwrap_or_default();
        let value = entry.value.as_str().unwrap_or_default();
        let problem = if is_secret_setting(key, listed) {
            Some(format!(
                "ConfigMap `{}` holds `{key}`, which is a secret",
                item.object.name
            ))
        } else {
            shape_of(value).map(|shape| {
                format!(
                    "ConfigMap `{}` holds what looks like {} under `{key}`",
                    item.object.name,
                    shape.description()
                )
            })
        };
        if let Some(message) = problem {
            cx.report(&RULE, item, &entry.key, message)
                .help("move it into a Secret (commit only `secret.yaml.example`)");
        }
    }
}
