//! `AG-K004`: container requests and limits stay within the service's class.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::quantity::Quantity;
use crate::policy::k8s::resources::{RESOURCES, amount};
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks the containers of a workload that belongs to a service of the constitution
    /// against the resources of the service's class: no request above the class's request and
    /// no limit above the class's limit (in the Phase IV preset: a backend requests at most
    /// 250m CPU / 256Mi and is limited to at most 500m / 512Mi; a front end 100m / 128Mi and
    /// 200m / 256Mi). Quantities are compared exactly, so `0.5` equals `500m` and `1G` is less
    /// than `1Gi`.
    ///
    /// A workload belongs to a service when its `app.kubernetes.io/name` (or `app`) label or its
    /// name matches the service; others are not checked.
    ///
    /// ## Why is this bad?
    /// The class numbers are what the cluster was sized for: one service asking for more
    /// breaks the capacity plan of all of them (see `AG-K105`), and a limit above the class lets
    /// a single pod take what its neighbours were promised.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   labels: { app.kubernetes.io/name: backend }
    /// # ...
    ///     resources:
    ///       requests: { cpu: "1", memory: 1Gi }
    ///       limits: { cpu: "2", memory: 2Gi }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///     resources:
    ///       requests: { cpu: 250m, memory: 256Mi }
    ///       limits: { cpu: 500m, memory: 512Mi }
    /// ```
    ///
    /// ## Options
    /// None; the bounds are the `classes.<class>.resources` of the constitution.
    ///
    /// ## References
    /// Polaris custom checks with `resourceMinimum`/`resourceMaximum`; kube-linter
    /// `cpu-requirements` and `memory-requirements` templates (`upperBoundMillis`,
    /// `upperBoundMB`).
    pub(crate) const RULE = {
        code: "AG-K004",
        name: "resources-within-class",
        target: Kubernetes,
        severity: Error,
        summary: "requests and limits stay within the service class's bounds",
        aliases: [],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let (Some(spec), Some(service)) = (item.object.pod_spec(), item.service) else {
        return;
    };
    let constitution = cx.set.constitution;
    let Some(class) = constitution.class_of(service) else {
        return;
    };
    let Some(bounds) = class.resources.as_ref() else {
        return;
    };
    let class_name = constitution
        .service(service)
        .and_then(|s| s.class.as_deref())
        .unwrap_or(service);
    for container in spec.containers().filter(|c| !c.init) {
        for (section, amounts) in [("requests", &bounds.requests), ("limits", &bounds.limits)] {
            for resource in RESOURCES {
                let bound = match resource {
                    "cpu" => amounts.cpu.as_deref(),
                    _ => amounts.memory.as_deref(),
                };
                let Some(bound_value) = bound.and_then(|b| Quantity::parse(b).ok()) else {
                    continue;
                };
                let Some(amount) = amount(&container, section, resource) else {
                    continue;
                };
                let Ok(value) = amount.value else {
                    continue;
                };
                if value > bound_value {
                    cx.report_entry(
                        &RULE,
                        item,
                        amount.key,
                        amount.node,
                        format!(
                            "`{section}.{resource}: {}` of container `{}` is above the {} the \
                             `{class_name}` class allows",
                            amount.text(),
                            container.name,
                            bound.unwrap_or_default()
                        ),
                    )
                    .help(format!(
                        "set `{section}.{resource}` to {} or less",
                        bound.unwrap_or_default()
                    ));
                }
            }
        }
    }
}
