//! `AG-K018`: every object carries the recommended `app.kubernetes.io` labels.

use serde::Deserialize;

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that the objects an application is made of have the recommended labels in
    /// `metadata.labels`: `app.kubernetes.io/name`, `app.kubernetes.io/instance` and
    /// `app.kubernetes.io/part-of` by default. The kinds checked are the built-in ones aigen
    /// has rules for: the workloads (`Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet`,
    /// `Job`, `CronJob`, `Pod`), `Service`, `Ingress`, `ConfigMap`, `Secret`,
    /// `PersistentVolumeClaim`, `ServiceAccount`, `HorizontalPodAutoscaler`,
    /// `PodDisruptionBudget` and `NetworkPolicy`, of their Kubernetes API group. Other kinds
    /// pass untouched, as every kind aigen has no rule for: RBAC objects (`ClusterRoleBinding`,
    /// ...), custom resources (Istio's `VirtualService`, a Knative `Service`), and the files of
    /// tools that share the manifest format (a skaffold or kubeconfig `Config`, a Kustomize
    /// `Kustomization`).
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

/// The API group and kind of each object checked (`""` is the core group).
const CHECKED: [(&str, &str); 17] = [
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("apps", "ReplicaSet"),
    ("batch", "Job"),
    ("batch", "CronJob"),
    ("", "Pod"),
    ("", "Service"),
    ("", "ConfigMap"),
    ("", "Secret"),
    ("", "PersistentVolumeClaim"),
    ("", "ServiceAccount"),
    ("networking.k8s.io", "Ingress"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("autoscaling", "HorizontalPodAutoscaler"),
    ("policy", "PodDisruptionBudget"),
    ("extensions", "Ingress"),
];

/// True for the objects of [`CHECKED`].
fn is_checked(item: &Item<'_>) -> bool {
    let version = item.object.api_version;
    let group = version.rsplit_once('/').map_or("", |(group, _)| group);
    CHECKED.contains(&(group, item.object.kind))
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    if !is_checked(item) {
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
