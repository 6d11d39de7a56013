//! Every number and name the builtin generator's output depends on.
//!
//! [`Params::default`] is the Phase IV constitution preset (`policies/constitution.yaml`): two
//! replicas, RollingUpdate with maxUnavailable 0 and maxSurge 1, the resources per service class,
//! the probe paths and timings, the HEALTHCHECK timing, uid 1000, the base images and the
//! nodePorts. Nothing else in the generator holds a number of its own: change a field here and
//! every Dockerfile, manifest and chart follows.

use std::collections::BTreeMap;

use crate::config::Paths;
use crate::detect::ServiceClass;

/// What the builtin generator needs to know besides the services themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// Application name: the chart's name, the `app.kubernetes.io/part-of` and `instance`
    /// labels, and the prefix of the ConfigMap and Secret names.
    pub app: String,
    /// Namespace every object goes into; `None` leaves it to `kubectl -n`. When set,
    /// `namespace.yaml` is generated too.
    pub namespace: Option<String>,
    /// How images are named and pulled.
    pub image: ImageParams,
    /// Pods per Deployment.
    pub replicas: u32,
    /// RollingUpdate `maxUnavailable`: pods that may be missing during a rollout.
    pub max_unavailable: u32,
    /// RollingUpdate `maxSurge`: extra pods a rollout may start.
    pub max_surge: u32,
    /// PodDisruptionBudget `minAvailable`.
    pub pdb_min_available: u32,
    /// Requests and limits of a backend container.
    pub backend_resources: Resources,
    /// Requests and limits of a front-end container.
    pub frontend_resources: Resources,
    /// Liveness probe; its path is used when detection found none.
    pub liveness: ProbeParams,
    /// Readiness probe; its path is used when detection found neither a readiness nor a health
    /// path.
    pub readiness: ProbeParams,
    /// The Dockerfile `HEALTHCHECK` timing.
    pub healthcheck: HealthcheckParams,
    /// The numeric user and group the containers run as.
    pub user: UserParams,
    /// Base images, pinned, per language and stage.
    pub base_images: BaseImages,
    /// Versions of the build tools installed in builder stages.
    pub tools: ToolVersions,
    /// nodePort per front-end service name; front ends not listed get the lowest free port from
    /// `node_port_base` up, in service order.
    pub node_ports: BTreeMap<String, u16>,
    /// First nodePort handed out to front ends not listed in `node_ports`.
    pub node_port_base: u16,
    /// Size limit of each writable `emptyDir` (`/tmp`, caches).
    pub scratch_size_limit: String,
    /// Address ranges the pods may not reach in the outside world (the cluster's own private
    /// ranges); everything else is open for egress, since the database is external.
    pub egress_blocked_cidrs: Vec<String>,
    /// Where the files go: `aigen.toml`'s `[paths]`.
    pub paths: Paths,
    /// The Helm chart's metadata and options.
    pub chart: ChartParams,
}

/// Image naming: `<prefix>/<service>:<tag>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageParams {
    /// Repository prefix (`todo-app`, or a registry path such as `ghcr.io/acme`).
    pub prefix: String,
    /// Tag of every image; also the `app.kubernetes.io/version` label.
    pub tag: String,
    /// `imagePullPolicy`: `IfNotPresent` for images built into Minikube.
    pub pull_policy: String,
}

/// CPU and memory requests and limits of one container, as Kubernetes quantities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    pub request_cpu: String,
    pub request_memory: String,
    pub limit_cpu: String,
    pub limit_memory: String,
}

/// One HTTP probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeParams {
    pub path: String,
    pub initial_delay_seconds: u32,
    pub period_seconds: u32,
    pub timeout_seconds: u32,
    pub failure_threshold: u32,
}

/// The Dockerfile `HEALTHCHECK` options, in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthcheckParams {
    pub interval_seconds: u32,
    pub timeout_seconds: u32,
    pub retries: u32,
}

/// The numeric identity containers run as: `USER uid:gid`, `runAsUser`, `runAsGroup`, `fsGroup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserParams {
    pub uid: u32,
    pub gid: u32,
}

/// Pinned base images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseImages {
    /// Python services, every stage (the constitution's backend image).
    pub python: String,
    /// Node services, every stage (the constitution's front-end image).
    pub node: String,
    /// Go builder stage. A `go` directive in `go.mod` picks `golang:<version>-alpine` instead.
    pub go_builder: String,
    /// Go runtime stage: Alpine, for busybox `wget` in the HEALTHCHECK.
    pub go_runtime: String,
    /// Rust builder stage; must be the same Debian release as `rust_runtime` (glibc).
    pub rust_builder: String,
    /// Rust runtime stage.
    pub rust_runtime: String,
}

/// Versions of the tools builder stages install with pip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolVersions {
    pub uv: String,
    pub poetry: String,
    pub pipenv: String,
}

/// The Helm chart's metadata and options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartParams {
    /// `version` in Chart.yaml.
    pub version: String,
    /// `appVersion` in Chart.yaml: the `app.kubernetes.io/version` of the objects the services
    /// share (ConfigMap, Secret), which the plain manifests give the image tag; the two agree.
    pub app_version: String,
    /// Whether to add `templates/ingress.yaml` (enabled in values-prod.yaml).
    pub ingress: bool,
    /// Ingress host domain: front end `web` is served at `web.<domain>`.
    pub ingress_domain: String,
    /// `ingressClassName` of the Ingress.
    pub ingress_class: String,
}

impl Default for Params {
    fn default() -> Self {
        Self::for_app("todo-app")
    }
}

impl Params {
    /// The Phase IV preset for an application called `app`: the namespace and the image prefix
    /// take its name.
    pub fn for_app(app: &str) -> Self {
        let tag = "1.0.0";
        Self {
            app: app.to_string(),
            namespace: Some(app.to_string()),
            image: ImageParams {
                prefix: app.to_string(),
                tag: tag.into(),
                pull_policy: "IfNotPresent".into(),
            },
            replicas: 2,
            max_unavailable: 0,
            max_surge: 1,
            pdb_min_available: 1,
            backend_resources: Resources::new("250m", "256Mi", "500m", "512Mi"),
            frontend_resources: Resources::new("100m", "128Mi", "200m", "256Mi"),
            liveness: ProbeParams {
                path: "/health".into(),
                initial_delay_seconds: 10,
                period_seconds: 30,
                timeout_seconds: 3,
                failure_threshold: 3,
            },
            readiness: ProbeParams {
                path: "/ready".into(),
                initial_delay_seconds: 5,
                period_seconds: 10,
                timeout_seconds: 3,
                failure_threshold: 3,
            },
            healthcheck: HealthcheckParams {
                interval_seconds: 30,
                timeout_seconds: 3,
                retries: 3,
            },
            user: UserParams {
                uid: 1000,
                gid: 1000,
            },
            base_images: BaseImages {
                python: "python:3.13-slim".into(),
                node: "node:20-alpine".into(),
                go_builder: "golang:1.23-alpine".into(),
                go_runtime: "alpine:3.20".into(),
                rust_builder: "rust:1.88-slim-bookworm".into(),
                rust_runtime: "debian:bookworm-slim".into(),
            },
            tools: ToolVersions {
                uv: "0.8.22".into(),
                poetry: "2.1.4".into(),
                pipenv: "2025.0.4".into(),
            },
            node_ports: BTreeMap::from([
                ("frontend-web".to_string(), 30000),
                ("frontend-chatbot".to_string(), 30001),
            ]),
            node_port_base: 30000,
            scratch_size_limit: "128Mi".into(),
            egress_blocked_cidrs: vec![
                "10.0.0.0/8".into(),
                "172.16.0.0/12".into(),
                "192.168.0.0/16".into(),
            ],
            paths: Paths::default(),
            chart: ChartParams {
                version: "1.0.0".into(),
                app_version: tag.into(),
                ingress: false,
                ingress_domain: format!("{app}.local"),
                ingress_class: "nginx".into(),
            },
        }
    }

    /// The resources of a service class.
    pub fn resources(&self, class: ServiceClass) -> &Resources {
        match class {
            ServiceClass::Backend => &self.backend_resources,
            ServiceClass::Frontend => &self.frontend_resources,
        }
    }

    /// The ConfigMap holding every service's non-secret settings.
    pub fn config_map_name(&self) -> String {
        format!("{}-config", self.app)
    }

    /// The Secret holding every service's secret settings.
    pub fn secret_name(&self) -> String {
        format!("{}-secrets", self.app)
    }

    /// A service's Dockerfile path; its `.dockerignore` is the same path plus `.dockerignore`.
    pub fn dockerfile_path(&self, service: &str) -> String {
        self.paths.dockerfile_for(service)
    }

    /// The Kubernetes manifest directory.
    pub fn manifest_dir(&self) -> String {
        self.paths.manifests.replace("{app}", &self.app)
    }

    /// The Helm chart directory.
    pub fn chart_dir(&self) -> String {
        self.paths.chart_for(&self.app)
    }
}

impl Resources {
    /// Requests then limits, CPU before memory.
    pub fn new(
        request_cpu: &str,
        request_memory: &str,
        limit_cpu: &str,
        limit_memory: &str,
    ) -> Self {
        Self {
            request_cpu: request_cpu.into(),
            request_memory: request_memory.into(),
            limit_cpu: limit_cpu.into(),
            limit_memory: limit_memory.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_phase_iv_preset() {
        let params = Params::default();
        assert_eq!(params.app, "todo-app");
        assert_eq!(
            (params.replicas, params.max_unavailable, params.max_surge),
            (2, 0, 1)
        );
        assert_eq!(params.backend_resources.limit_memory, "512Mi");
        assert_eq!(params.frontend_resources.request_cpu, "100m");
        assert_eq!(params.node_ports["frontend-chatbot"], 30001);
        assert_eq!(
            params.dockerfile_path("backend"),
            "docker/backend.Dockerfile"
        );
        assert_eq!(params.chart_dir(), "helm-charts/todo-app");
    }
}
