//! Every number and name the builtin generator's output depends on.
//!
//! [`Params::for_app`] holds the generator's defaults, which are the baseline constitution's
//! (`policies/presets/baseline.yaml`): two replicas, RollingUpdate with maxUnavailable 0 and
//! maxSurge 1, the resources per service class, the probe and HEALTHCHECK timing, UID and GID
//! 10001, Debian slim base images. `generate::builtin_params` replaces them with the project's
//! constitution: its numbers, and per service ([`ServiceParams`]) the role, port, probe paths
//! and images it sets. Nothing else in the generator holds a number of its own: change a field
//! here and every Dockerfile, manifest and chart follows.

use std::collections::BTreeMap;

use super::images::{Family, StageImages};
use crate::config::Paths;
use crate::detect::{ServiceClass, ServiceKind};

/// What the builtin generator needs to know besides the services themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// Application name: the chart's name, the `app.kubernetes.io/part-of` and `instance`
    /// labels, and the prefix of the ConfigMap and Secret names.
    pub app: String,
    /// Namespace every plain manifest goes into; `None` leaves it to `kubectl -n`. When set,
    /// `namespace.yaml` is generated too. A chart always uses its release's namespace.
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
    /// Liveness probe timing, and the path of every service whose own path is not known.
    pub liveness: ProbeParams,
    /// Readiness probe timing, and the path of every service whose own paths are not known.
    pub readiness: ProbeParams,
    /// The Dockerfile `HEALTHCHECK` timing.
    pub healthcheck: HealthcheckParams,
    /// The numeric user and group the containers run as.
    pub user: UserParams,
    /// Base images: the family, and the images the constitution gives whole languages.
    pub base_images: BaseImages,
    /// What the constitution says of each service, by service name.
    pub services: BTreeMap<String, ServiceParams>,
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

/// One probe: its timing, and the HTTP path of services with no path of their own (`None`: a
/// service without one is probed on its port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeParams {
    pub path: Option<String>,
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

/// Base images beyond the per-service choice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BaseImages {
    /// Debian slim (the default) or Alpine, for services the constitution gives no images.
    pub family: Family,
    /// The image of every Python service without images of its own (a constitution's class
    /// lists a pinned `python:*` image).
    pub python: Option<String>,
    /// The same for Node services and `node:*`.
    pub node: Option<String>,
}

/// What the constitution says of one service; each value wins over detection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceParams {
    pub role: Option<ServiceKind>,
    pub port: Option<u16>,
    pub health_path: Option<String>,
    pub readiness_path: Option<String>,
    pub images: Option<StageImages>,
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
    /// The generator's defaults for an application called `app`: the image prefix and the
    /// namespace take its name.
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
                path: None,
                initial_delay_seconds: 10,
                period_seconds: 30,
                timeout_seconds: 3,
                failure_threshold: 3,
            },
            readiness: ProbeParams {
                path: None,
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
                uid: 10001,
                gid: 10001,
            },
            base_images: BaseImages::default(),
            services: BTreeMap::new(),
            tools: ToolVersions {
                uv: "0.8.22".into(),
                poetry: "2.1.4".into(),
                pipenv: "2025.0.4".into(),
            },
            node_ports: BTreeMap::new(),
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

    /// What the constitution says of a service (nothing when it does not name it).
    pub(crate) fn service(&self, name: &str) -> ServiceParams {
        self.services.get(name).cloned().unwrap_or_default()
    }

    /// The resources of a service class.
    pub(crate) fn resources(&self, class: ServiceClass) -> &Resources {
        match class {
            ServiceClass::Backend => &self.backend_resources,
            ServiceClass::Frontend => &self.frontend_resources,
        }
    }

    /// The ConfigMap holding every service's non-secret settings.
    pub(crate) fn config_map_name(&self) -> String {
        format!("{}-config", self.app)
    }

    /// The Secret holding every service's secret settings.
    pub(crate) fn secret_name(&self) -> String {
        format!("{}-secrets", self.app)
    }

    /// A service's Dockerfile path; its `.dockerignore` is the same path plus `.dockerignore`.
    pub(crate) fn dockerfile_path(&self, service: &str) -> String {
        self.paths.dockerfile_for(service)
    }

    /// The Kubernetes manifest directory.
    pub(crate) fn manifest_dir(&self) -> String {
        self.paths.manifests.replace("{app}", &self.app)
    }

    /// The Helm chart directory.
    pub(crate) fn chart_dir(&self) -> String {
        self.paths.chart_for(&self.app)
    }
}

impl Resources {
    /// Requests then limits, CPU before memory.
    pub(crate) fn new(
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
    fn defaults_are_the_baseline() {
        let params = Params::default();
        assert_eq!(params.app, "todo-app");
        assert_eq!(
            (params.replicas, params.max_unavailable, params.max_surge),
            (2, 0, 1)
        );
        assert_eq!(
            params.user,
            UserParams {
                uid: 10001,
                gid: 10001
            }
        );
        assert_eq!(params.backend_resources.limit_memory, "512Mi");
        assert_eq!(params.frontend_resources.request_cpu, "100m");
        assert_eq!(params.liveness.path, None);
        assert_eq!(
            params.dockerfile_path("backend"),
            "docker/backend.Dockerfile"
        );
        assert_eq!(params.chart_dir(), "helm-charts/todo-app");
    }
}
