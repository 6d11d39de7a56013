//! `AG-K023`: probes wait and repeat as the constitution says.

use crate::policy::constitution::Probe;
use crate::policy::k8s::check::Checker;
use crate::policy::k8s::probe::probed_containers;
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks the `initialDelaySeconds` and `periodSeconds` of every liveness and readiness
    /// probe against the constitution's `probes` section (liveness 10 s / 30 s and readiness
    /// 5 s / 10 s in the Phase IV preset). Unset values count as Kubernetes' defaults (0 and
    /// 10 seconds).
    ///
    /// ## Why is this bad?
    /// A liveness probe that starts before the application is up restarts it in a loop; one
    /// that checks too often adds load and restarts on a single slow answer. The timings in
    /// the constitution were chosen with the application's start-up time in mind.
    ///
    /// ## Example
    /// ```yaml
    /// livenessProbe:
    ///   httpGet: { path: /health, port: http }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// livenessProbe:
    ///   httpGet: { path: /health, port: http }
    ///   initialDelaySeconds: 10
    ///   periodSeconds: 30
    /// ```
    ///
    /// ## Options
    /// None; the numbers are `probes.liveness` and `probes.readiness` of the constitution.
    pub(crate) const RULE = {
        code: "AG-K023",
        name: "probe-timing",
        target: Kubernetes,
        severity: Warning,
        summary: "probe delays and periods follow the constitution",
        aliases: [],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let Some(probes) = cx.set.constitution.probes.clone() else {
        return;
    };
    let configured = [
        ("livenessProbe", probes.liveness.as_ref()),
        ("readinessProbe", probes.readiness.as_ref()),
    ];
    for container in probed_containers(item) {
        for (key, policy) in configured {
            let (Some(policy), Some(entry)) = (policy, container.node.entry(key)) else {
                continue;
            };
            if !entry.value.is_map() {
                continue;
            }
            for (field, wanted, default) in timings(policy) {
                let Some(wanted) = wanted else {
                    continue;
                };
                let node = entry.value.get(field);
                let actual = node.and_then(|n| n.as_int()).unwrap_or(default);
                if actual == i64::from(wanted) {
                    continue;
                }
                let message = match node {
                    Some(_) => format!(
                        "`{key}.{field}: {actual}` of container `{}`; the constitution says {wanted}",
                        container.name
                    ),
                    None => format!(
                        "`{key}` of container `{}` leaves `{field}` at its default of {default}; \
                         the constitution says {wanted}",
                        container.name
                    ),
                };
                cx.report(&RULE, item, node.unwrap_or(&entry.key), message)
                    .help(format!("set `{field}: {wanted}`"));
            }
        }
    }
}

/// The timing fields of a probe: the constitution's value and Kubernetes' default.
fn timings(policy: &Probe) -> [(&'static str, Option<u32>, i64); 2] {
    [
        ("initialDelaySeconds", policy.initial_delay_seconds, 0),
        ("periodSeconds", policy.period_seconds, 10),
    ]
}
