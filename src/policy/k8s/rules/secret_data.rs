//! `AG-K016`: no Secret with real values is committed; only `*.example` templates are.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::secrets::secret_value;
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};
use crate::secrets::{is_placeholder, shape_of};

declare_rule! {
    /// ## What it does
    /// Checks every Secret's `data` (base64-decoded) and `stringData` values. In a file whose
    /// name ends in `.example` (`secret.yaml.example`) values must be placeholders, and a value
    /// that looks like a real credential (an API key, a token, a private key, a URL with a
    /// password) is reported. In any other file, every value that is not a placeholder is
    /// reported: real Secrets are created in the cluster, not committed.
    ///
    /// Placeholders are empty values, `<...>` holes, `${VAR}` references, runs of one
    /// character (`xxxx`), stand-in words (`changeme`, `example`, `none`) and values containing
    /// `replace_me`, `your-`, `fixme`, ..., as redaction judges them.
    /// Values are never repeated in messages, and are masked in the source line shown.
    ///
    /// ## Why is this bad?
    /// Base64 is an encoding, not encryption: a committed Secret is a published password, for
    /// as long as the repository's history exists. The constitution commits
    /// `secret.yaml.example` only, and keeps `secret.yaml` out of Git.
    ///
    /// ## Example
    /// ```yaml
    /// # k8s/secret.yaml
    /// kind: Secret
    /// stringData:
    ///   OPENAI_API_KEY: sk-proj-8Fh2...
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # k8s/secret.yaml.example
    /// kind: Secret
    /// stringData:
    ///   OPENAI_API_KEY: <your-openai-api-key>
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// checkov `CKV_SECRET_*`; kube-linter and Polaris have no equivalent.
    pub(crate) const RULE = {
        code: "AG-K016",
        name: "no-committed-secret-data",
        target: Kubernetes,
        severity: Error,
        summary: "Secrets with real values are not committed; only `*.example` templates",
        aliases: [],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    if item.object.kind != "Secret" {
        return;
    }
    let example = cx.set.manifest(item).example;
    let name = item.object.name;
    for (key, base64) in [("data", true), ("stringData", false)] {
        let Some(map) = item.object.node.get(key) else {
            continue;
        };
        for entry in map.entries() {
            let entry_key = entry.key.as_str().unwrap_or("?");
            let value = secret_value(&entry.value, base64);
            let message = match value.as_deref() {
                _ if entry.value.is_null() => None,
                None if example => None,
                None => Some(format!("Secret `{name}` holds binary data under `{entry_key}`")),
                Some(text) if example => shape_of(text).map(|shape| {
                    format!(
                        "Secret template `{name}` holds what looks like a real {} under `{entry_key}`",
                        shape.description().trim_start_matches("an ").trim_start_matches("a ")
                    )
                }),
                Some(text) if is_placeholder(text) => None,
                Some(_) => Some(format!("Secret `{name}` holds a real value under `{entry_key}`")),
            };
            if let Some(message) = message {
                cx.report(&RULE, item, &entry.value, message).help(if example {
                    "replace it with a placeholder such as `<your-value>`, and rotate the credential"
                } else {
                    "commit a `*.example` template with placeholders and create the real Secret in the cluster"
                });
            }
        }
    }
}
