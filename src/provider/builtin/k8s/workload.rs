//! The Deployment of one service: the constitution's replicas and rollout, probes on the named
//! port, resources of the service class, a locked-down pod (non-root, read-only root file system
//! with `emptyDir`s where the stack writes, no capabilities, RuntimeDefault seccomp, no service
//! account token), and the detected environment variables from the ConfigMap and the Secret.

use super::{Ctx, render};
use crate::provider::builtin::facts::Facts;
use crate::provider::builtin::params::{Params, ProbeParams, Resources};
use crate::provider::builtin::yaml::{Map, Yaml};

/// The Deployment manifest of a service.
pub(crate) fn deployment(cx: &Ctx<'_>, facts: &Facts<'_>) -> String {
    let params = cx.params;
    let name = &facts.name;
    let component = facts.class.to_string();
    let strategy = Map::new().with("type", "RollingUpdate").with(
        "rollingUpdate",
        Map::new()
            .with(
                "maxUnavailable",
                cx.pick(
                    params.max_unavailable,
                    ".Values.rollingUpdate.maxUnavailable",
                ),
            )
            .with(
                "maxSurge",
                cx.pick(params.max_surge, ".Values.rollingUpdate.maxSurge"),
            ),
    );
    let pod = Map::new()
        .with("serviceAccountName", name.as_str())
        .with("automountServiceAccountToken", false)
        .with(
            "securityContext",
            cx.block(pod_security_context(params), ".Values.podSecurityContext"),
        )
        .with("affinity", anti_affinity(cx, name))
        .with("containers", vec![Yaml::Map(container(cx, facts))])
        .with("volumes", volumes(params, facts));
    let spec = Map::new()
        .with("replicas", cx.pick(params.replicas, "$svc.replicas"))
        .with("revisionHistoryLimit", 5u32)
        .with(
            "selector",
            Map::new().with("matchLabels", cx.selector(name)),
        )
        .with_comment(
            "strategy",
            "Zero-downtime rollout: a new pod must be ready before an old one goes.",
            strategy,
        )
        .with(
            "template",
            Map::new()
                .with(
                    "metadata",
                    Map::new().with("labels", cx.labels(name, &component, true)),
                )
                .with("spec", pod),
        );
    let body = cx
        .service_object("apps/v1", "Deployment", facts)
        .with("spec", spec);
    render(
        &format!(
            "Deployment of `{}` ({} replicas, RollingUpdate with maxUnavailable {} and maxSurge {}).",
            facts.service.name, params.replicas, params.max_unavailable, params.max_surge
        ),
        body,
    )
}

fn container(cx: &Ctx<'_>, facts: &Facts<'_>) -> Map {
    let params = cx.params;
    let image = match cx.mode {
        super::Mode::Plain => Yaml::from(&facts.image),
        super::Mode::Chart { .. } => {
            Yaml::Raw("\"{{ $svc.image.repository }}:{{ $svc.image.tag }}\"".into())
        }
    };
    let port = Map::new()
        .with("name", "http")
        .with("containerPort", cx.pick(facts.port, "$svc.port"))
        .with("protocol", "TCP");
    let mounts: Vec<Yaml> = facts
        .writable_dirs
        .iter()
        .map(|dir| {
            Yaml::Map(
                Map::new()
                    .with("name", volume_name(dir))
                    .with("mountPath", *dir),
            )
        })
        .collect();
    let mut container = Map::new()
        .with("name", facts.name.as_str())
        .with("image", image)
        .with(
            "imagePullPolicy",
            cx.pick(params.image.pull_policy.as_str(), "$svc.image.pullPolicy"),
        )
        .with("ports", vec![Yaml::Map(port)]);
    let env = env(cx, facts);
    if !env.is_empty() {
        container.push("env", env);
    }
    container
        .with(
            "livenessProbe",
            cx.block(
                probe(&params.liveness, &facts.liveness_path),
                "$svc.livenessProbe",
            ),
        )
        .with(
            "readinessProbe",
            cx.block(
                probe(&params.readiness, &facts.readiness_path),
                "$svc.readinessProbe",
            ),
        )
        .with(
            "resources",
            cx.block(resources(params.resources(facts.class)), "$svc.resources"),
        )
        .with(
            "securityContext",
            cx.block(
                container_security_context(params),
                ".Values.securityContext",
            ),
        )
        .with("volumeMounts", mounts)
}

/// The service's environment variables, by name: secret ones from the Secret, the others from
/// the ConfigMap.
fn env(cx: &Ctx<'_>, facts: &Facts<'_>) -> Vec<Yaml> {
    let config = cx.params.config_map_name();
    let mut vars: Vec<_> = facts.service.env.iter().collect();
    vars.sort_by(|a, b| a.name.cmp(&b.name));
    vars.dedup_by(|a, b| a.name == b.name);
    vars.iter()
        .map(|var| {
            let secret = super::config::is_secret(cx.all, &var.name);
            let source = if secret {
                Map::new().with(
                    "secretKeyRef",
                    Map::new()
                        .with("name", cx.secret_name())
                        .with("key", var.name.as_str()),
                )
            } else {
                Map::new().with(
                    "configMapKeyRef",
                    Map::new()
                        .with("name", config.as_str())
                        .with("key", var.name.as_str()),
                )
            };
            Yaml::Map(
                Map::new()
                    .with("name", var.name.as_str())
                    .with("valueFrom", source),
            )
        })
        .collect()
}

/// An HTTP probe on the named port `http`.
pub(crate) fn probe(probe: &ProbeParams, path: &str) -> Map {
    Map::new()
        .with(
            "httpGet",
            Map::new().with("path", path).with("port", "http"),
        )
        .with("initialDelaySeconds", probe.initial_delay_seconds)
        .with("periodSeconds", probe.period_seconds)
        .with("timeoutSeconds", probe.timeout_seconds)
        .with("failureThreshold", probe.failure_threshold)
}

/// Requests and limits.
pub(crate) fn resources(resources: &Resources) -> Map {
    Map::new()
        .with(
            "requests",
            Map::new()
                .with("cpu", resources.request_cpu.as_str())
                .with("memory", resources.request_memory.as_str()),
        )
        .with(
            "limits",
            Map::new()
                .with("cpu", resources.limit_cpu.as_str())
                .with("memory", resources.limit_memory.as_str()),
        )
}

/// The pod's security context: the numeric user, group and file-system group; RuntimeDefault
/// seccomp.
pub(crate) fn pod_security_context(params: &Params) -> Map {
    Map::new()
        .with("runAsNonRoot", true)
        .with("runAsUser", params.user.uid)
        .with("runAsGroup", params.user.gid)
        .with("fsGroup", params.user.gid)
        .with("seccompProfile", Map::new().with("type", "RuntimeDefault"))
}

/// The container's security context: nothing beyond what a web server needs.
pub(crate) fn container_security_context(params: &Params) -> Map {
    Map::new()
        .with("runAsNonRoot", true)
        .with("runAsUser", params.user.uid)
        .with("runAsGroup", params.user.gid)
        .with("allowPrivilegeEscalation", false)
        .with("privileged", false)
        .with("readOnlyRootFilesystem", true)
        .with(
            "capabilities",
            Map::new().with("drop", vec![Yaml::from("ALL")]),
        )
        .with("seccompProfile", Map::new().with("type", "RuntimeDefault"))
}

/// Prefer spreading the replicas over nodes, without blocking scheduling on a one-node cluster.
fn anti_affinity(cx: &Ctx<'_>, name: &str) -> Map {
    let term = Map::new()
        .with("topologyKey", "kubernetes.io/hostname")
        .with(
            "labelSelector",
            Map::new().with("matchLabels", cx.selector(name)),
        );
    Map::new().with(
        "podAntiAffinity",
        Map::new().with(
            "preferredDuringSchedulingIgnoredDuringExecution",
            vec![Yaml::Map(
                Map::new()
                    .with("weight", 100u32)
                    .with("podAffinityTerm", term),
            )],
        ),
    )
}

fn volumes(params: &Params, facts: &Facts<'_>) -> Vec<Yaml> {
    facts
        .writable_dirs
        .iter()
        .map(|dir| {
            Yaml::Map(Map::new().with("name", volume_name(dir)).with(
                "emptyDir",
                Map::new().with("sizeLimit", params.scratch_size_limit.as_str()),
            ))
        })
        .collect()
}

/// The volume name of a writable directory: `/tmp` is `tmp`, `/app/.next/cache` is
/// `next-cache`.
fn volume_name(dir: &str) -> String {
    let parts: Vec<&str> = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != "app")
        .map(|p| p.trim_start_matches('.'))
        .collect();
    crate::provider::builtin::facts::dns_label(&parts.join("-"))
}

#[cfg(test)]
mod tests {
    use super::volume_name;

    #[test]
    fn volume_names() {
        assert_eq!(volume_name("/tmp"), "tmp");
        assert_eq!(volume_name("/app/.next/cache"), "next-cache");
    }
}
