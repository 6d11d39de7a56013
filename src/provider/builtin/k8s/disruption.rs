//! The PodDisruptionBudget of one service: voluntary evictions (node drains, upgrades) keep at
//! least `minAvailable` pods running; pods that are not ready may always be evicted, so a broken
//! rollout never blocks a drain.

use super::{Ctx, render};
use crate::provider::builtin::facts::Facts;
use crate::provider::builtin::yaml::Map;

/// The PodDisruptionBudget manifest.
pub(crate) fn pod_disruption_budget(cx: &Ctx<'_>, facts: &Facts<'_>) -> String {
    let name = &facts.name;
    let spec = Map::new()
        .with(
            "minAvailable",
            cx.pick(
                cx.params.pdb_min_available,
                ".Values.podDisruptionBudget.minAvailable",
            ),
        )
        .with("unhealthyPodEvictionPolicy", "AlwaysAllow")
        .with(
            "selector",
            Map::new().with("matchLabels", cx.selector(name)),
        );
    let body = cx
        .service_object("policy/v1", "PodDisruptionBudget", facts)
        .with("spec", spec);
    render(
        &format!(
            "PodDisruptionBudget of `{}`: at least {} pod(s) stay up during voluntary disruptions.",
            facts.service.name, cx.params.pdb_min_available
        ),
        body,
    )
}
