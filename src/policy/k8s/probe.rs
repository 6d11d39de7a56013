//! What the liveness and readiness rules share: the check that a container has the probe and
//! that it is an HTTP GET on the configured path.

use serde::Deserialize;

use crate::policy::constitution::{ProbePaths, ServiceRole};
use crate::policy::k8s::check::Checker;
use crate::policy::k8s::object::Container;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::Rule;

/// Parameters of the probe rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProbeParams {
    /// The HTTP path the probe must check, over the service's `health_path` or
    /// `readiness_path` and the constitution's `probes` section.
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
/// picks that probe's path among the service's (see
/// [`crate::policy::constitution::Constitution::probe_paths`]). A worker (`role: worker`)
/// serves no port and is not probed; without a path any handler will do.
pub(crate) fn check_probe(
    cx: &mut Checker<'_, '_>,
    item: &Item<'_>,
    rule: &Rule,
    key: &str,
    configured: fn(ProbePaths) -> Option<String>,
) {
    let constitution = cx.set.constitution;
    if item.service.and_then(|service| constitution.role(service)) == Some(ServiceRole::Worker) {
        return;
    }
    let params: ProbeParams = cx.params(rule, item);
    let path = params
        .path
        .or_else(|| configured(constitution.probe_paths(item.service)));
    for container in probed_containers(item) {
        let Some(entry) = container.node.entry(key).filter(|e| e.value.is_map()) else {
            let help = match path.as_deref() {
                Some(path) => {
                    format!("add `{key}: {{ httpGet: {{ path: {path}, port: <port> }} }}`")
                }
                None => format!(
                    "add `{key}: {{ httpGet: {{ path: <health path>, port: <port> }} }}`, or \
                     `tcpSocket: {{ port: <port> }}` when the app serves no health route"
                ),
            };
            cx.report(
                rule,
                item,
                container.anchor(),
                format!("container `{}` has no `{key}`", container.name),
            )
            .help(help);
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
