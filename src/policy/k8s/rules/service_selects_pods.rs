//! `AG-K101`: every Service selects the pods of some workload.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::object::Labels;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks, across all files linted together, that the `spec.selector` of every Service
    /// matches the pod template labels of at least one workload (Deployment, StatefulSet,
    /// DaemonSet, ReplicaSet, Job, CronJob or Pod) in the same namespace. Services without a
    /// selector (their endpoints are managed by hand) and `ExternalName` Services are skipped.
    ///
    /// ## Why is this bad?
    /// A Service whose selector matches no pod has no endpoints: every request to it fails,
    /// yet `kubectl apply` succeeds and nothing warns. It happens when a label is renamed on
    /// one side only, or when the Service and the Deployment were generated separately.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: { app: todo-backend }
    /// ---
    /// kind: Deployment
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: { app.kubernetes.io/name: backend }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: { app.kubernetes.io/name: backend }
    /// ```
    ///
    /// ## Options
    /// None. Lint the Services together with their workloads (a directory, or several files).
    ///
    /// ## References
    /// kube-linter `dangling-service`, kube-score `service-targets-pod`.
    pub(crate) const RULE = {
        code: "AG-K101",
        name: "service-selects-pods",
        target: Kubernetes,
        severity: Error,
        summary: "every Service selects the pods of a workload linted with it",
        aliases: [KubeLinter("dangling-service"), KubeScore("service-targets-pod")],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>) {
    let set = cx.set;
    for service in set.of_kind("Service") {
        let spec = service.object.node.get("spec");
        if spec.and_then(|s| s.get("type")).and_then(Node::as_str) == Some("ExternalName") {
            continue;
        }
        let Some(selector) = spec.and_then(|s| s.entry("selector")) else {
            continue;
        };
        let labels = Labels(Some(&selector.value));
        if labels.is_empty() || !set.selected_by_service(service).is_empty() {
            continue;
        }
        let wanted: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        cx.report(
            &RULE,
            service,
            &selector.key,
            format!(
                "Service `{}` selects `{}`, which no workload's pods carry",
                service.object.name,
                wanted.join(",")
            ),
        )
        .help("make `spec.selector` match the pod template labels of the workload it fronts");
    }
}
