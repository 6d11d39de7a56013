//! `AG-K001`: enough replicas to survive the loss of a pod.

use serde::Deserialize;

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that every Deployment, StatefulSet, ReplicaSet and ReplicationController asks for
    /// at least the constitution's number of replicas (`deployment.replicas`, 2 in the Phase IV
    /// preset). A missing `replicas` counts as 1, as Kubernetes reads it. A workload whose
    /// replica count a HorizontalPodAutoscaler of the same set manages, with `minReplicas` at or
    /// above the minimum, passes.
    ///
    /// ## Why is this bad?
    /// With one replica, every node drain, rollout or crash is an outage, and a
    /// PodDisruptionBudget cannot protect anything.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 2
    /// ```
    ///
    /// ## Options
    /// - `minimum`: the lowest replica count allowed (default: `deployment.replicas`, else 2).
    ///
    /// ## References
    /// kube-score `deployment-replicas`, Polaris `deploymentMissingReplicas`, kube-linter
    /// `minimum-three-replicas`.
    pub(crate) const RULE = {
        code: "AG-K001",
        name: "minimum-replicas",
        target: Kubernetes,
        severity: Error,
        summary: "workloads run at least the minimum number of replicas",
        aliases: [
            KubeScore("deployment-replicas"),
            Polaris("deploymentMissingReplicas"),
            KubeLinter("minimum-three-replicas"),
        ],
        params: Params,
    };
}

/// Parameters of `AG-K001`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Params {
    minimum: Option<u32>,
}

/// Runs over every object of the set: an autoscaler of another file may raise the minimum.
pub(crate) fn check(cx: &mut Checker<'_, '_>) {
    let set = cx.set;
    for item in &set.items {
        if cx.enabled(&RULE, item) && !item.object.has_malformed_spec() {
            check_object(cx, item);
        }
    }
}

fn check_object(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let object = item.object;
    if object.replicas().is_none() {
        return;
    }
    let params: Params = cx.params(&RULE, item);
    let minimum = params
        .minimum
        .or_else(|| cx.set.constitution.deployment.as_ref()?.replicas)
        .unwrap_or(2);
    if cx
        .set
        .autoscaler_minimum(item)
        .is_some_and(|m| m >= i64::from(minimum))
    {
        return;
    }
    let Some(spec) = object.node.get("spec") else {
        return;
    };
    match spec.entry("replicas") {
        None => cx
            .report(
                &RULE,
                item,
                item.anchor(),
                format!(
                    "`{}` sets no `replicas`, so it runs 1 pod; the minimum is {minimum}",
                    object.display()
                ),
            )
            .help(format!("set `spec.replicas: {minimum}`")),
        Some(entry) => match entry.value.as_int() {
            Some(n) if n >= i64::from(minimum) => {}
            Some(n) => cx
                .report_entry(
                    &RULE,
                    item,
                    &entry.key,
                    &entry.value,
                    format!("`replicas: {n}` is below the minimum of {minimum}"),
                )
                .help(format!("set `replicas: {minimum}` or more")),
            None => cx
                .report(
                    &RULE,
                    item,
                    &entry.value,
                    format!("`replicas` is {}, not a number", describe(&entry.value)),
                )
                .help(format!("set `replicas: {minimum}`")),
        },
    }
}

fn describe(node: &Node) -> String {
    match node.as_str() {
        Some(text) => format!("`{text}`"),
        None => "not a scalar".to_string(),
    }
}
