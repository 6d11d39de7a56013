//! `AG-K018`: every object carries the recommended `app.kubernetes.io` labels.

use serde::Deserialize;

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that every object has the recommended labels in `metadata.labels`:
    /// `app.kubernetes.io/name`, `app.kubernetes.io/instance` and `app.kubernetes.io/part-of`
    /// by default. Files that are not cluster objects (a Kustomize `kustomization.yaml`, a
    /// kubeconfig) are not checked.
    ///
    /// ## Why is this bad?
    /// The constitution asks for labels on every object. Without them `kubectl get -l`,
    /// dashboards, cost reports and NetworkPolicies cannot tell which application, release and
    /// system an object belongs to, and cleaning up one release means guessing names.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   name: backend
    ///   labels: { app: backend }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// metadata:
    ///   name: backend
    ///   labels:
    ///     app.kubernetes.io/name: backend
    ///     app.kubernetes.io/instance: todo
    ///     app.kubernetes.io/part-of: todo-app
    /// ```
    ///
    /// ## Options
    /// - `labels`: the label keys every object must have.
    ///
    /// ## References
    /// Kubernetes "Recommended Labels"; kube-linter `required-label-owner` (template
    /// `required-label`); Polaris `metadataAndInstanceMismatched`.
    pub(crate) const RULE = {
        code: "AG-K018",
        name: "recommended-labels",
        target: Kubernetes,
        severity: Warning,
        summary: "objects carry the recommended `app.kubernetes.io` labels",
        aliases: [KubeLinter("required-label-owner")],
        params: Params,
    };
}

/// Parameters of `AG-K018`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Params {
    labels: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            labels: ["name", "instance", "part-of"]
                .iter()
                .map(|l| format!("app.kubernetes.io/{l}"))
                .collect(),
        }
    }
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    if item.object.kind.is_empty() || !item.object.is_cluster_object() {
        return;
    }
    let params: Params = cx.params(&RULE, item);
    let labels = item.object.labels();
    let missing: Vec<String> = params
        .labels
        .iter()
        .filter(|key| labels.get(key).is_none_or(str::is_empty))
        .map(|key| format!("`{key}`"))
        .collect();
    if missing.is_empty() {
        return;
    }
    let at = item
        .object
        .metadata()
        .and_then(|m| m.entry("labels"))
        .map_or_else(|| item.anchor(), |e| &e.key);
    let noun = if missing.len() == 1 {
        "label"
    } else {
        "labels"
    };
    cx.report(
        &RULE,
        item,
        at,
        format!(
            "`{}` lacks the {noun} {}",
            item.object.display(),
            missing.join(", ")
        ),
    )
    .help("add them under `metadata.labels`");
}
