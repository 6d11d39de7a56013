//! What the liveness and readiness rules share: the check that a container has the probe and
//! that it is an HTTP GET on the configured path.

use serde::Deserialize;

use crate::policy::constitution::{Probe, Probes};
use crate::policy::k8s::check::Checker;
use crate::policy::k8s::object::Container;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::Rule;

/// Parameters of the probe rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProbeParams {
    /// The HTTP path the probe must check, over the constitution's `probes` section (set it per
    /// service under `services.<name>.rules`).
    pub path: Option<String>,
}

/// The probe handlers Kubernetes knows.
const HANDLERS: [&str; 4] = ["httpGet", "tcpSocket", "exec", "grpc"];

/// The containers a probe rule looks at: the regular containers of long-running workloads
/// (Jobs and CronJobs run to completion and are not probed).
pub(crate) fn probed_containers<'a>(item: &Item<'a>) -> Vec<Container<'a>> {
    if matches!(item.object.kind, "Job" | "CronJob") {
        return Vec::new();
    }
    item.object
        .pod_spec()
        .map(|spec| spec.containers().filter(|c| !c.init).collect())
        .unwrap_or_default()
}

/// Checks one probe (`livenessProbe`, `readinessProbe`) of every probed container; `configured`
/// picks that probe's entry of the constitution's `probes` section.
pub(crate) fn check_probe(
    cx: &mut Checker<'_, '_>,
    item: &Item<'_>,
    rule: &Rule,
    key: &str,
    configured: fn(&Probes) -> Option<&Probe>,
) {
    let params: ProbeParams = cx.params(rule, item);
    let path = params.path.or_else(|| {
        let probes = cx.set.constitution.probes.as_ref()?;
        Some(configured(probes)?.path.clone())
    });
    for container in probed_containers(item) {
        let Some(entry) = container.node.entry(key).filter(|e| e.value.is_map()) else {
            let example = path.as_deref().unwrap_or("/health");
            cx.report(
                rule,
                item,
                container.anchor(),
                format!("container `{}` has no `{key}`", container.name),
            )
            .help(format!(
                "add `{key}: {{ httpGet: {{ path: {example}, port: <port> }} }}`"
            ));
            continue;
        };
        let Some(expected) = path.as_deref() else {
            continue;
        };
        match entry.value.get("httpGet") {
            Some(http) => {
                let actual = http.get("path");
                match actual.and_then(Node::as_str) {
                    Some(actual_path) if actual_path == expected => {}
                    Some(actual_path) => cx
                        .report(
                            rule,
                            item,
                            actual.unwrap_or(&entry.key),
                            format!(
                                "`{key}` of container `{}` checks `{actual_path}`; the \
                                 constitution says `{expected}`",
                                container.name
                            ),
                        )
                        .help(format!("set `httpGet.path: {expected}`")),
                    None => cx
                        .report(
                            rule,
                            item,
                            &entry.key,
                            format!(
                                "`{key}` of container `{}` checks `/` (no `httpGet.path`); the \
                                 constitution says `{expected}`",
                                container.name
                            ),
                        )
                        .help(format!("set `httpGet.path: {expected}`")),
                }
            }
            None => {
                let handler = HANDLERS
                    .iter()
                    .find(|h| entry.value.get(h).is_some())
                    .map_or("no handler".to_string(), |h| format!("`{h}`"));
                cx.report(
                    rule,
                    item,
                    &entry.key,
                    format!(
                        "`{key}` of container `{}` uses {handler}; the constitution asks for an \
                         HTTP GET on `{expected}`",
                        container.name
                    ),
                )
                .help(format!(
                    "use `httpGet: {{ path: {expected}, port: <port> }}`"
                ));
            }
        }
    }
}
