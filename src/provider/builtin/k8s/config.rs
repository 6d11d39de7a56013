//! The shared configuration objects: the ConfigMap with the non-secret settings whose values
//! aigen knows, and `secret.yaml.example`, the template of the Secret with the secret ones.
//!
//! Nothing is invented. A setting gets a ConfigMap key only when its value is known: the
//! project gives it (the fallback in the code, `.env.example`, a compose file: detection's
//! [`EnvVar::value`]), or aigen knows it from the services themselves (`PORT` is the port the
//! Service targets; a `*_API_URL` or `*BACKEND*_URL` of a front end is the address of the only
//! backend). A setting without a known value gets no key, so the app keeps its own default:
//! the ConfigMap's header lists it, and the Deployment refers to its key with `optional: true`,
//! so adding the key later sets it. When services read the same name with different values,
//! each gets a key of its own (`<service>.<NAME>`).
//!
//! A variable is secret when any service reads it as secret. The Secret template holds the
//! placeholder `REPLACE_ME` for each secret a service needs; secrets every service reads with a
//! fallback are optional (`optional: true` references) and only named in its header.

use std::collections::BTreeMap;

use super::{Ctx, render};
use crate::detect::EnvVar;
use crate::provider::builtin::facts::Facts;
use crate::provider::builtin::yaml_writer::{Map, Yaml};

/// The placeholder of every secret value.
pub(crate) const PLACEHOLDER: &str = "REPLACE_ME";

/// How one service reads one variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    /// The variable's name in the container.
    pub name: String,
    /// The key in the ConfigMap or the Secret.
    pub key: String,
    pub secret: bool,
    /// `optional: true`: the key may be absent (the app reads the variable with a fallback, or
    /// its value is not known).
    pub optional: bool,
}

/// A ConfigMap key with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigEntry {
    pub key: String,
    pub value: String,
    pub comment: String,
}

/// A secret of the Secret template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecretEntry {
    pub key: String,
    pub comment: String,
    /// Every service reads it with a fallback.
    pub optional: bool,
}

/// The settings of every service, computed once.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    /// ConfigMap keys, by key.
    pub config: Vec<ConfigEntry>,
    /// Settings read without a known value: `NAME (where)`, listed in comments.
    pub unset: Vec<String>,
    pub secrets: Vec<SecretEntry>,
    /// What each service's container reads, by object name.
    pub references: BTreeMap<String, Vec<Reference>>,
}

/// Whether any service reads `name` as a secret.
pub(crate) fn is_secret(all: &[Facts<'_>], name: &str) -> bool {
    all.iter()
        .flat_map(|f| &f.service.env)
        .any(|var| var.name == name && var.secret)
}

/// Every variable, by name, with the services that read it and how.
fn variables<'a>(all: &'a [Facts<'a>]) -> BTreeMap<&'a str, Vec<(&'a Facts<'a>, &'a EnvVar)>> {
    let mut vars: BTreeMap<&str, Vec<(&Facts<'_>, &EnvVar)>> = BTreeMap::new();
    for facts in all {
        let mut seen = Vec::new();
        for var in &facts.service.env {
            if !seen.contains(&var.name.as_str()) {
                seen.push(var.name.as_str());
                vars.entry(var.name.as_str())
                    .or_default()
                    .push((facts, var));
            }
        }
    }
    vars
}

/// Where a variable is read: "Read by backend (backend/src/config.py:12)."
fn readers(uses: &[(&Facts<'_>, &EnvVar)]) -> String {
    let mut parts: Vec<String> = uses
        .iter()
        .map(|(facts, var)| format!("{} ({})", facts.service.name, var.origin))
        .collect();
    parts.sort();
    parts.dedup();
    format!("Read by {}.", parts.join(", "))
}

/// The value aigen knows for a service's non-secret variable, and where it comes from.
fn known_value(cx: &Ctx<'_>, facts: &Facts<'_>, var: &EnvVar) -> Option<(String, String)> {
    if var.name == "PORT"
        && let Some(port) = facts.port
    {
        return Some((port.to_string(), "the port the Service targets".into()));
    }
    if let Some(value) = &var.value {
        return Some((value.value.clone(), format!("from {}", value.origin)));
    }
    let upper = var.name.to_ascii_uppercase();
    let wants_backend = upper.ends_with("_URL")
        && (upper.contains("API") || upper.contains("BACKEND"))
        && !upper.starts_with("NEXT_PUBLIC_")
        && facts.is_frontend();
    let backends: Vec<&Facts<'_>> = cx
        .all
        .iter()
        .filter(|f| !f.is_frontend() && f.serves())
        .collect();
    match backends.as_slice() {
        [backend] if wants_backend => backend.port.map(|port| {
            (
                format!("http://{}:{port}", backend.name),
                format!("the Service of `{}`", backend.service.name),
            )
        }),
        _ => None,
    }
}

/// The settings of all services.
pub(crate) fn settings(cx: &Ctx<'_>) -> Settings {
    let mut out = Settings::default();
    for (name, uses) in variables(cx.all) {
        if is_secret(cx.all, name) {
            let optional = uses.iter().all(|(_, var)| !var.required);
            let mut comment = readers(&uses);
            if optional {
                comment.push_str(" Optional: every service reads it with a fallback.");
            }
            out.secrets.push(SecretEntry {
                key: name.to_string(),
                comment,
                optional,
            });
            for (facts, var) in &uses {
                out.reference(facts, name, name, true, !var.required);
            }
            continue;
        }
        let values: Vec<Option<(String, String)>> = uses
            .iter()
            .map(|(facts, var)| known_value(cx, facts, var))
            .collect();
        let shared = uses.len() == 1
            || values
                .iter()
                .all(|v| v.as_ref().map(|(value, _)| value) == values[0].as_ref().map(|(v, _)| v));
        for ((facts, var), value) in uses.iter().zip(&values) {
            let key = if shared {
                name.to_string()
            } else {
                format!("{}.{name}", facts.name)
            };
            let fresh = !out.config.iter().any(|e| e.key == key);
            match value {
                Some((value, from)) if fresh => {
                    let mut comment = if shared {
                        readers(&uses)
                    } else {
                        readers(&[(facts, var)])
                    };
                    comment.push_str(&format!(" Value {from}."));
                    if name.starts_with("NEXT_PUBLIC_") {
                        comment.push_str(
                            "\nNext.js inlines NEXT_PUBLIC_* into the browser bundle at build time; this value\nreaches server-side code only.",
                        );
                    }
                    out.config.push(ConfigEntry {
                        key: key.clone(),
                        value: value.clone(),
                        comment,
                    });
                }
                Some(_) => {}
                None => out
                    .unset
                    .push(format!("{key} ({}: {})", facts.service.name, var.origin)),
            }
            out.reference(facts, name, &key, false, value.is_none());
        }
    }
    out.config.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

impl Settings {
    fn reference(
        &mut self,
        facts: &Facts<'_>,
        name: &str,
        key: &str,
        secret: bool,
        optional: bool,
    ) {
        self.references
            .entry(facts.name.clone())
            .or_default()
            .push(Reference {
                name: name.to_string(),
                key: key.to_string(),
                secret,
                optional,
            });
    }

    /// The comment listing the settings without a known value.
    pub(crate) fn unset_comment(&self) -> Option<String> {
        if self.unset.is_empty() {
            return None;
        }
        let mut text = String::from(
            "Read by the services, but with no value aigen knows, so not set: each app keeps its\nown default. The Deployments refer to these keys as optional; add one to set it:",
        );
        for entry in &self.unset {
            text.push_str(&format!("\n  {entry}"));
        }
        Some(text)
    }
}

/// `configmap.yaml`.
pub(crate) fn config_map(cx: &Ctx<'_>) -> String {
    let settings = settings(cx);
    let mut data = Map::new();
    for entry in &settings.config {
        data = data.with_comment(&entry.key, &entry.comment, entry.value.as_str());
    }
    let name = cx.params.config_map_name();
    let body = cx
        .object("v1", "ConfigMap", &name, "config", false)
        .with("data", cx.block(data, ".Values.config"));
    let mut what = String::from(
        "ConfigMap: the services' non-secret settings whose values are known. Secrets live in the\nSecret, never here.",
    );
    if let Some(unset) = settings.unset_comment() {
        what.push('\n');
        what.push_str(&unset);
    }
    render(&what, body)
}

/// `secret.yaml.example`: the Secret's shape with placeholders, never real values.
pub(crate) fn secret_example(cx: &Ctx<'_>) -> String {
    let settings = settings(cx);
    let mut data = Map::new();
    let mut optional = Vec::new();
    for entry in &settings.secrets {
        if entry.optional {
            optional.push(format!("{} ({})", entry.key, entry.comment));
        } else {
            data = data.with_comment(&entry.key, &entry.comment, PLACEHOLDER);
        }
    }
    let name = cx.params.secret_name();
    let namespace = cx
        .params
        .namespace
        .as_ref()
        .map(|ns| format!(" -n {ns}"))
        .unwrap_or_default();
    let dir = cx.params.manifest_dir();
    let mut what = format!(
        "Template of the Secret `{name}`. Never commit real values.\n\
         Copy it to {dir}/secret.yaml (keep that file out of git), replace every {PLACEHOLDER}, then\n\
         kubectl apply -f {dir}/secret.yaml\n\
         or create the Secret directly:\n\
         kubectl create secret generic {name}{namespace} --from-literal=NAME=value ..."
    );
    if !optional.is_empty() {
        what.push_str("\nOptional secrets, read with a fallback; add a key only to set one:");
        for entry in optional {
            what.push_str(&format!("\n  {entry}"));
        }
    }
    let body = cx
        .object("v1", "Secret", &name, "secrets", false)
        .with("type", "Opaque")
        .with("stringData", data);
    render(&what, body)
}

/// The chart's `templates/secret.yaml` body: stringData from the values, every secret the
/// services read (an empty value until one is passed at install time, so that the Deployments'
/// references resolve and the chart lints as its manifests do; NOTES.txt warns about each
/// empty one).
pub(crate) fn secret_template(cx: &Ctx<'_>) -> String {
    let name = cx.params.secret_name();
    let body = cx
        .object("v1", "Secret", &name, "secrets", false)
        .with("type", "Opaque")
        .with(
            "stringData",
            Yaml::Block("toYaml .Values.secrets.values".into()),
        );
    render(
        "Secret from the values: pass real values at install time, never in a values file in git.",
        body,
    )
}
