//! `AG-K103`: every Deployment and StatefulSet is covered by a PodDisruptionBudget.

use crate::policy::constitution::IntOrString;
use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// When the constitution asks for PodDisruptionBudgets (`deployment.pod_disruption_budget`),
    /// checks across all files linted together that every Deployment and StatefulSet has one
    /// in its namespace whose selector matches its pod labels, that the budget uses the
    /// configured `minAvailable` (or `maxUnavailable`), and that it still lets at least one pod
    /// be evicted.
    ///
    /// ## Why is this bad?
    /// Without a budget a node drain (an upgrade, Minikube's own restarts) may evict every
    /// replica at once, and the two replicas the constitution asks for buy nothing. A budget
    /// that allows no eviction at all (`minAvailable` equal to the replica count,
    /// `maxUnavailable: 0`) blocks drains for ever and is overridden by hand in the end.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// metadata: { name: backend }
    /// spec:
    ///   replicas: 2
    /// # and no PodDisruptionBudget
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata: { name: backend }
    /// spec:
    ///   minAvailable: 1
    ///   selector:
    ///     matchLabels: { app.kubernetes.io/name: backend }
    /// ```
    ///
    /// ## Options
    /// None; the budget is `deployment.pod_disruption_budget` of the constitution.
    ///
    /// ## References
    /// kube-score `deployment-has-poddisruptionbudget`, `statefulset-has-poddisruptionbudget`;
    /// Polaris `missingPodDisruptionBudget`, `pdbDisruptionsIsZero`; kube-linter
    /// `pdb-min-available`, `pdb-max-unavailable`.
    pub(crate) const RULE = {
        code: "AG-K103",
        name: "pod-disruption-budget",
        target: Kubernetes,
        severity: Error,
        summary: "Deployments and StatefulSets have a PodDisruptionBudget as configured",
        aliases: [
            KubeScore("deployment-has-poddisruptionbudget"),
            KubeScore("statefulset-has-poddisruptionbudget"),
            Polaris("missingPodDisruptionBudget"),
            Polaris("pdbDisruptionsIsZero"),
            KubeLinter("pdb-min-available"),
            KubeLinter("pdb-max-unavailable"),
        ],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>) {
    let set = cx.set;
    let Some(policy) = set
        .constitution
        .deployment
        .as_ref()
        .and_then(|d| d.pod_disruption_budget.clone())
    else {
        return;
    };
    let workloads = set.of_kind("Deployment").chain(set.of_kind("StatefulSet"));
    for workload in workloads {
        if workload.object.pod_template().is_none() {
            continue;
        }
        let budgets = set.budgets_for(workload);
        let Some(budget) = budgets.first().map(|&index| &set.items[index]) else {
            let wanted = describe_policy(&policy);
            cx.report(
                &RULE,
                workload,
                workload.anchor(),
                format!("`{}` has no PodDisruptionBudget", workload.object.display()),
            )
            .help(format!(
                "add a PodDisruptionBudget with `{wanted}` whose selector matches its pod labels"
            ));
            continue;
        };
        let replicas = workload.object.replicas().unwrap_or(1);
        check_budget(cx, budget, workload, &policy, replicas);
    }
}

fn check_budget(
    cx: &mut Checker<'_, '_>,
    budget: &Item<'_>,
    workload: &Item<'_>,
    policy: &crate::policy::constitution::PodDisruptionBudgetPolicy,
    replicas: i64,
) {
    let spec = budget.object.node.get("spec");
    let min_available = spec.and_then(|s| s.entry("minAvailable"));
    let max_unavailable = spec.and_then(|s| s.entry("maxUnavailable"));
    let wanted = describe_policy(policy);
    let configured = [
        ("minAvailable", &policy.min_available, min_available),
        ("maxUnavailable", &policy.max_unavailable, max_unavailable),
    ];
    for (key, wanted_value, actual) in configured {
        let Some(wanted_value) = wanted_value else {
            continue;
        };
        let matches = actual.is_some_and(|e| same_value(&e.value, wanted_value));
        if !matches {
            let at = actual.map_or_else(|| budget.anchor(), |e| &e.key);
            cx.report(
                &RULE,
                budget,
                at,
                format!(
                    "PodDisruptionBudget `{}` does not set `{key}: {}` as the constitution says",
                    budget.object.name,
                    text_of(wanted_value)
                ),
            )
            .help(format!("set `spec.{wanted}`"));
        }
    }
    let allows_none = match (min_available, max_unavailable) {
        (Some(min), _) => match min.value.as_int() {
            Some(n) => n >= replicas,
            None => min.value.as_str() == Some("100%"),
        },
        (None, Some(max)) => max.value.as_int() == Some(0) || max.value.as_str() == Some("0%"),
        (None, None) => false,
    };
    if allows_none {
        let at = min_available
            .or(max_unavailable)
            .map_or_else(|| budget.anchor(), |e| &e.key);
        cx.report(
            &RULE,
            budget,
            at,
            format!(
                "PodDisruptionBudget `{}` allows no eviction of the {replicas} pod(s) of `{}`, \
                 which blocks node drains",
                budget.object.name,
                workload.object.display()
            ),
        )
        .help("keep `minAvailable` below the replica count");
    }
}

fn same_value(node: &Node, wanted: &IntOrString) -> bool {
    match wanted {
        IntOrString::Int(n) => node.as_int() == Some(*n),
        IntOrString::String(text) => node.as_str() == Some(text.as_str()),
    }
}

fn text_of(value: &IntOrString) -> String {
    match value {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(text) => text.clone(),
    }
}

fn describe_policy(policy: &crate::policy::constitution::PodDisruptionBudgetPolicy) -> String {
    match (&policy.min_available, &policy.max_unavailable) {
        (Some(min), _) => format!("minAvailable: {}", text_of(min)),
        (None, Some(max)) => format!("maxUnavailable: {}", text_of(max)),
        (None, None) => "minAvailable: 1".to_string(),
    }
}
