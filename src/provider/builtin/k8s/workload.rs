//! The Deployment of one service: the constitution's replicas and rollout, probes on the named
//! port, resources of the service class, a locked-down pod (non-root, read-only root file system
//! with `emptyDir`s where the stack writes, no capabilities, RuntimeDefault seccomp, no service
//! account token), and the detected environment variables from the ConfigMap and the Secret.
//!
//! Probes check what is known ([`probes`]): an HTTP GET of the health path the code serves (or
//! the constitution names), else a TCP connection to the port; a gRPC server gets gRPC health
//! probes; a worker, which serves no port, gets none.

use super::{Ctx, render};
use crate::detect::ServiceKind;
use crate::provider::builtin::facts::Facts;
use crate::provider::builtin::params::{Params, ProbeParams, Resources};
use crate::provider::builtin::yaml_writer::{Map, Yaml};

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
        .with("affinity", anti_affinity(cx, name));
    let pod = match init_containers(cx, facts) {
        Some((note, list)) => pod.with_comment("initContainers", &note, list),
        None => pod,
    }
    .with("containers", vec![Yaml::Map(container(cx, facts))])
    .with_comment_opt("volumes", data_note(facts), volumes(params, facts));
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
    let mut body = cx.service_object("apps/v1", "Deployment", facts);
    if !facts.serves() {
        // checkov's probe checks have no notion of a process without a port; say why they do
        // not apply, in the annotations checkov reads.
        let metadata = cx
            .metadata(&facts.name, &component, true)
            .with("annotations", worker_annotations());
        body = Map::new()
            .with("apiVersion", "apps/v1")
            .with("kind", "Deployment")
            .with("metadata", metadata);
    }
    let body = body.with("spec", spec);
    render(
        &format!(
            "Deployment of `{}` ({} replicas, RollingUpdate with maxUnavailable {} and maxSurge {}).",
            facts.service.name, params.replicas, params.max_unavailable, params.max_surge
        ),
        body,
    )
}

fn container(cx: &Ctx<'_>, facts: &Facts<'_>) -> Map {
    let mut container = container_head(cx, facts, facts.name.as_str());
    if let Some(port) = facts.port {
        let port = Map::new()
            .with("name", port_name(facts))
            .with("containerPort", cx.pick(port, "$svc.port"))
            .with("protocol", "TCP");
        container.push("ports", vec![Yaml::Map(port)]);
    }
    let env = env(cx, facts);
    if !env.is_empty() {
        container.push("env", env);
    }
    if let Some((liveness, readiness)) = probes(cx, facts) {
        container.push("livenessProbe", liveness);
        container.push("readinessProbe", readiness);
    }
    container_tail(cx, facts, container)
}

/// The init containers of the steps the project runs before its server (migrations, schema
/// set-up), one per step in order: the server's image, environment, resources, security
/// context and writable mounts (the `emptyDir`s the server then finds filled), with the step's
/// command in place of the image's; with the comment that says where the project runs them.
fn init_containers(cx: &Ctx<'_>, facts: &Facts<'_>) -> Option<(String, Vec<Yaml>)> {
    let steps = &facts.service.prestart;
    if steps.is_empty() {
        return None;
    }
    let shown: Vec<String> = steps
        .iter()
        .map(|s| format!("`{}` ({})", s.value.join(" "), s.origin))
        .collect();
    let note = format!(
        "Run to completion before the server starts, as the project does: {}.",
        shown.join(", ")
    );
    let list = steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let name = format!("prestart-{}", i + 1);
            let command: Vec<Yaml> = step.value.iter().map(|w| Yaml::from(w.as_str())).collect();
            let mut container = container_head(cx, facts, &name).with("command", command);
            let env = env(cx, facts);
            if !env.is_empty() {
                container.push("env", env);
            }
            Yaml::Map(container_tail(cx, facts, container))
        })
        .collect();
    Some((note, list))
}

/// The first keys of a container of the service's image: its name, the image, the pull policy.
fn container_head(cx: &Ctx<'_>, facts: &Facts<'_>, name: &str) -> Map {
    let image = match cx.mode {
        super::Mode::Plain => Yaml::from(&facts.image),
        super::Mode::Chart { .. } => {
            Yaml::Raw("\"{{ $svc.image.repository }}:{{ $svc.image.tag }}\"".into())
        }
    };
    Map::new().with("name", name).with("image", image).with(
        "imagePullPolicy",
        cx.pick(
            cx.params.image.pull_policy.as_str(),
            "$svc.image.pullPolicy",
        ),
    )
}

/// The last keys of a container of the service's image: resources, the hardened security
/// context, and a mount for each writable directory.
fn container_tail(cx: &Ctx<'_>, facts: &Facts<'_>, container: Map) -> Map {
    let params = cx.params;
    let mounts: Vec<Yaml> = facts
        .writable_dirs
        .iter()
        .map(|dir| {
            Yaml::Map(
                Map::new()
                    .with("name", dir.volume.as_str())
                    .with("mountPath", dir.path.as_str()),
            )
        })
        .collect();
    container
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

/// The name of a service's port: `grpc` for a gRPC server, else `http`.
pub(crate) fn port_name(facts: &Facts<'_>) -> &'static str {
    if facts.role == ServiceKind::Grpc {
        "grpc"
    } else {
        "http"
    }
}

/// The liveness and readiness probes of a service that serves a port; `None` for a worker.
fn probes(cx: &Ctx<'_>, facts: &Facts<'_>) -> Option<(Yaml, Yaml)> {
    let (liveness, readiness) = probe_blocks(cx.params, facts)?;
    Some((
        cx.block(liveness, "$svc.livenessProbe"),
        cx.block(readiness, "$svc.readinessProbe"),
    ))
}

/// The literal liveness and readiness probes of a service that serves a port.
pub(crate) fn probe_blocks(params: &Params, facts: &Facts<'_>) -> Option<(Map, Map)> {
    let port = facts.port?;
    let handler = |path: &Option<String>| match (facts.role, path) {
        (ServiceKind::Grpc, _) => ("grpc", Map::new().with("port", port)),
        (_, Some(path)) => (
            "httpGet",
            Map::new().with("path", path.as_str()).with("port", "http"),
        ),
        (_, None) => ("tcpSocket", Map::new().with("port", "http")),
    };
    Some((
        probe(&params.liveness, handler(&facts.liveness_path)),
        probe(&params.readiness, handler(&facts.readiness_path)),
    ))
}

/// Annotations of a worker's Deployment: why checkov's probe checks do not apply.
fn worker_annotations() -> Map {
    let reason = "a worker serves no port to probe; the kubelet restarts it when its process exits";
    Map::new()
        .with("checkov.io/skip1", format!("CKV_K8S_8={reason}"))
        .with("checkov.io/skip2", format!("CKV_K8S_9={reason}"))
}

/// The service's environment variables, by name: secret ones from the Secret, the others from
/// the ConfigMap; a reference is optional when the app reads the variable with a fallback or
/// its value is not known (see [`super::config`]).
fn env(cx: &Ctx<'_>, facts: &Facts<'_>) -> Vec<Yaml> {
    let config = cx.params.config_map_name();
    let settings = super::config::settings(cx);
    let mut references = settings
        .references
        .get(&facts.name)
        .cloned()
        .unwrap_or_default();
    references.sort_by(|a, b| a.name.cmp(&b.name));
    references
        .iter()
        .map(|reference| {
            let (kind, name) = if reference.secret {
                ("secretKeyRef", cx.secret_name())
            } else {
                ("configMapKeyRef", Yaml::from(config.as_str()))
            };
            let mut key = Map::new()
                .with("name", name)
                .with("key", reference.key.as_str());
            if reference.optional {
                key.push("optional", true);
            }
            Yaml::Map(
                Map::new()
                    .with("name", reference.name.as_str())
                    .with("valueFrom", Map::new().with(kind, key)),
            )
        })
        .collect()
}

/// A probe with the given handler (`httpGet`, `tcpSocket`, `grpc`) and the constitution's timing.
pub(crate) fn probe(probe: &ProbeParams, (kind, handler): (&str, Map)) -> Map {
    Map::new()
        .with(kind, handler)
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

/// What the volumes of the app's data directories are, when it has any: an `emptyDir` keeps
/// the read-only root and starts empty with each pod; a PersistentVolumeClaim is the user's
/// choice when the data must outlive it.
fn data_note(facts: &Facts<'_>) -> Option<String> {
    let data: Vec<String> = facts
        .writable_dirs
        .iter()
        .filter(|d| d.data)
        .map(|d| format!("{} (volume `{}`)", d.path, d.volume))
        .collect();
    (!data.is_empty()).then(|| {
        format!(
            "Data the app writes: {}.\nEach is an emptyDir, emptied when the pod goes; for data that must outlive the pod,\nreplace it with a persistentVolumeClaim.",
            data.join(", ")
        )
    })
}

fn volumes(params: &Params, facts: &Facts<'_>) -> Vec<Yaml> {
    facts
        .writable_dirs
        .iter()
        .map(|dir| {
            Yaml::Map(Map::new().with("name", dir.volume.as_str()).with(
                "emptyDir",
                Map::new().with("sizeLimit", params.scratch_size_limit.as_str()),
            ))
        })
        .collect()
}
