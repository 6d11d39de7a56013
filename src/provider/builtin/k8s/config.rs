//! The shared configuration objects: the ConfigMap with every service's non-secret environment
//! variables, and `secret.yaml.example`, the template of the Secret with the secret ones.
//!
//! A variable is secret when any service reads it as secret. The ConfigMap gets a value where the
//! generator can know one (`LOG_LEVEL`, a backend's URL), an empty string otherwise; the Secret
//! template only ever holds the placeholder `REPLACE_ME`.

use std::collections::BTreeMap;

use super::{Ctx, render};
use crate::detect::EnvVar;
use crate::provider::builtin::facts::Facts;
use crate::provider::builtin::yaml::{Map, Yaml};

/// The placeholder of every secret value.
pub(crate) const PLACEHOLDER: &str = "REPLACE_ME";

/// Whether any service reads `name` as a secret.
pub(crate) fn is_secret(all: &[Facts<'_>], name: &str) -> bool {
    all.iter()
        .flat_map(|f| &f.service.env)
        .any(|var| var.name == name && var.secret)
}

/// Every variable, by name, with the services that read it and where.
fn variables<'a>(all: &'a [Facts<'a>]) -> BTreeMap<&'a str, Vec<(&'a Facts<'a>, &'a EnvVar)>> {
    let mut vars: BTreeMap<&str, Vec<(&Facts<'_>, &EnvVar)>> = BTreeMap::new();
    for facts in all {
        for var in &facts.service.env {
            vars.entry(var.name.as_str())
                .or_default()
                .push((facts, var));
        }
    }
    vars
}

/// Where a variable is read: "read by backend (backend/src/config.py:12)".
fn readers(uses: &[(&Facts<'_>, &EnvVar)]) -> String {
    let mut parts: Vec<String> = uses
        .iter()
        .map(|(facts, var)| format!("{} ({})", facts.service.name, var.origin))
        .collect();
    parts.sort();
    parts.dedup();
    format!("Read by {}.", parts.join(", "))
}

/// The non-secret variables with their values and comments.
pub(crate) fn config_entries(cx: &Ctx<'_>) -> Vec<(String, String, String)> {
    variables(cx.all)
        .into_iter()
        .filter(|(name, _)| !is_secret(cx.all, name))
        .map(|(name, uses)| {
            let mut comment = readers(&uses);
            if name.starts_with("NEXT_PUBLIC_") {
                comment.push_str(
                    "\nNext.js inlines NEXT_PUBLIC_* into the browser bundle at build time; this value\nreaches server-side code only.",
                );
            }
            (name.to_string(), default_value(cx, name), comment)
        })
        .collect()
}

/// The secret variables with their comments.
pub(crate) fn secret_entries(cx: &Ctx<'_>) -> Vec<(String, String)> {
    variables(cx.all)
        .into_iter()
        .filter(|(name, _)| is_secret(cx.all, name))
        .map(|(name, uses)| (name.to_string(), readers(&uses)))
        .collect()
}

/// A value the generator can know for a non-secret variable, else the empty string.
fn default_value(cx: &Ctx<'_>, name: &str) -> String {
    match name {
        "LOG_LEVEL" => return "info".into(),
        "NODE_ENV" | "ENVIRONMENT" | "APP_ENV" | "ENV" => return "production".into(),
        _ => {}
    }
    let upper = name.to_ascii_uppercase();
    let backends: Vec<&Facts<'_>> = cx.all.iter().filter(|f| !f.is_frontend()).collect();
    let wants_backend = upper.ends_with("_URL")
        && (upper.contains("API") || upper.contains("BACKEND"))
        && !upper.starts_with("NEXT_PUBLIC_");
    match backends.as_slice() {
        [backend] if wants_backend => format!("http://{}:{}", backend.name, backend.port),
        _ => String::new(),
    }
}

/// `configmap.yaml`.
pub(crate) fn config_map(cx: &Ctx<'_>) -> String {
    let mut data = Map::new();
    for (name, value, comment) in config_entries(cx) {
        data = data.with_comment(&name, &comment, value);
    }
    let name = cx.params.config_map_name();
    let body = cx
        .object("v1", "ConfigMap", &name, "config", false)
        .with("data", cx.block(data, ".Values.config"));
    render(
        "ConfigMap: the services' non-secret settings. Secrets live in the Secret, never here.",
        body,
    )
}

/// `secret.yaml.example`: the Secret's shape with placeholders, never real values.
pub(crate) fn secret_example(cx: &Ctx<'_>) -> String {
    let mut data = Map::new();
    for (name, comment) in secret_entries(cx) {
        data = data.with_comment(&name, &comment, PLACEHOLDER);
    }
    let name = cx.params.secret_name();
    let namespace = cx
        .params
        .namespace
        .as_ref()
        .map(|ns| format!(" -n {ns}"))
        .unwrap_or_default();
    let dir = cx.params.manifest_dir();
    let what = format!(
        "Template of the Secret `{name}`. Never commit real values.\n\
         Copy it to {dir}/secret.yaml (keep that file out of git), replace every {PLACEHOLDER}, then\n\
         kubectl apply -f {dir}/secret.yaml\n\
         or create the Secret directly:\n\
         kubectl create secret generic {name}{namespace} --from-literal=NAME=value ..."
    );
    let body = cx
        .object("v1", "Secret", &name, "secrets", false)
        .with("type", "Opaque")
        .with("stringData", data);
    render(&what, body)
}

/// The chart's `templates/secret.yaml` body: stringData from the values.
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
