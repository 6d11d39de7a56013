//! What the generator derives from one [`Service`] and the [`Params`], shared by the Dockerfile,
//! the manifests and the chart so that they agree: the object name, the role and port, the probe
//! paths, the base images, the directories the app writes to and the image reference.
//!
//! Each value comes from the constitution when it names the service ([`Params::service`]),
//! else from detection, else (probe paths only) from the constitution's `probes` section; what
//! none of them knows stays unknown: a service with no known port is run as a worker, and one
//! with no known health path is probed on its port.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::Params;
use super::images::{self, StageImages};
use crate::detect::{FrameworkKind, Language, Service, ServiceClass, ServiceKind, Sourced};
use crate::settings::dns_label;

/// The derived facts of one service.
#[derive(Debug, Clone)]
pub(crate) struct Facts<'a> {
    pub service: &'a Service,
    /// The Kubernetes object and container name: a DNS-1123 label.
    pub name: String,
    pub class: ServiceClass,
    /// HTTP server, gRPC server or worker; a service with no known port is a worker.
    pub role: ServiceKind,
    /// The port it listens on; `None` for a worker.
    pub port: Option<u16>,
    /// Liveness path of an HTTP service, when one is known.
    pub liveness_path: Option<String>,
    /// Readiness path of an HTTP service, when one is known.
    pub readiness_path: Option<String>,
    /// The images its Dockerfile builds on.
    pub base: StageImages,
    /// Directories the process writes to; each gets an `emptyDir` under a read-only root.
    pub writable_dirs: Vec<WritableDir>,
    /// `<prefix>/<name>:<tag>`.
    pub image: String,
}

impl<'a> Facts<'a> {
    /// The facts of `service` under `params`.
    pub(super) fn of(service: &'a Service, params: &Params) -> Self {
        let name = dns_label(&service.name);
        let own = params.service(&service.name);
        let port = match own.role.unwrap_or(service.kind.value) {
            ServiceKind::Worker => None,
            _ => own.port.or(service.port.as_ref().map(|p| p.value)),
        };
        let role = match port {
            None => ServiceKind::Worker,
            Some(_) => own.role.unwrap_or(service.kind.value),
        };
        let detected =
            |path: &Option<crate::detect::Sourced<String>>| path.as_ref().map(|p| p.value.clone());
        let (liveness, readiness) = if role == ServiceKind::Http {
            let health = own
                .health_path
                .clone()
                .or_else(|| detected(&service.health_path));
            let readiness = own
                .readiness_path
                .clone()
                .or_else(|| own.health_path.clone())
                .or_else(|| detected(&service.readiness_path))
                .or_else(|| health.clone())
                .or_else(|| params.readiness.path.clone());
            (health.or_else(|| params.liveness.path.clone()), readiness)
        } else {
            (None, None)
        };
        let mut scratch = vec!["/tmp"];
        if framework(service) == Some(FrameworkKind::NextJs) {
            scratch.push("/app/.next/cache");
        }
        let writable_dirs = writable_dirs(&scratch, &service.data_dirs);
        Self {
            service,
            image: format!("{}/{}:{}", params.image.prefix, name, params.image.tag),
            name,
            class: service.class.value,
            role,
            port,
            liveness_path: liveness.map(|p| url_path(&p)),
            readiness_path: readiness.map(|p| url_path(&p)),
            base: own.images.unwrap_or_else(|| base_images(service, params)),
            writable_dirs,
        }
    }

    /// Whether the service is a front end (NodePort, front-end resources).
    pub(super) fn is_frontend(&self) -> bool {
        self.class == ServiceClass::Frontend
    }

    /// Whether the service takes traffic (an HTTP or gRPC server), so it gets a Service.
    pub(super) fn serves(&self) -> bool {
        self.port.is_some()
    }
}

/// The working directory of every runtime image the generator writes
/// ([`super::docker::runtime_stage`]), where the app's relative paths resolve.
pub(crate) const WORKDIR: &str = "/app";

/// A directory the process writes, mounted from an `emptyDir` under the read-only root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WritableDir {
    /// The path in the container.
    pub path: String,
    /// The volume's name in the pod (`tmp`, `next-cache`, `microbin-data`), unique.
    pub volume: String,
    /// True for the app's own data (a detected data directory), which the image creates owned
    /// by the runtime user; false for scratch space (`/tmp`, a cache).
    pub data: bool,
}

/// The scratch directories and then the data directories of a service (relative ones under
/// [`WORKDIR`]), each once: a data directory inside another writable one, or at or above the
/// working directory (a mount there would hide the app), is left out.
fn writable_dirs(scratch: &[&str], data_dirs: &[Sourced<String>]) -> Vec<WritableDir> {
    let mut dirs: Vec<WritableDir> = Vec::new();
    let data = data_dirs
        .iter()
        .map(|d| crate::fsutil::container_path(&d.value, WORKDIR));
    let candidates = scratch
        .iter()
        .map(|s| (s.to_string(), false))
        .chain(data.map(|p| (p, true)));
    for (path, data) in candidates {
        let within = |outer: &str, inner: &str| Path::new(inner).starts_with(outer);
        if within(&path, WORKDIR) || dirs.iter().any(|d| within(&d.path, &path)) {
            continue;
        }
        let base = volume_name(&path);
        let mut volume = base.clone();
        let mut n = 2;
        while dirs.iter().any(|d| d.volume == volume) {
            volume = crate::settings::dns_label(&format!("{base}-{n}"));
            n += 1;
        }
        dirs.push(WritableDir { path, volume, data });
    }
    dirs
}

/// The volume name of a writable directory: `/tmp` is `tmp`, `/app/.next/cache` is
/// `next-cache`, `/var/lib/app` is `var-lib-app`.
fn volume_name(dir: &str) -> String {
    let in_workdir = dir
        .strip_prefix(WORKDIR)
        .filter(|rest| rest.starts_with('/'));
    let parts: Vec<&str> = in_workdir
        .unwrap_or(dir)
        .split('/')
        .filter(|p| !p.is_empty())
        .map(|p| p.trim_start_matches('.'))
        .collect();
    crate::settings::dns_label(&parts.join("-"))
}

/// The base images of a service the constitution gives none: a Python or Node image the
/// constitution's classes list, else the table's choice for its language, version and family.
fn base_images(service: &Service, params: &Params) -> StageImages {
    let listed = match service.language.value {
        Language::Python => params.base_images.python.clone(),
        Language::Node => params.base_images.node.clone(),
        _ => None,
    };
    match listed {
        Some(image) => StageImages {
            build: image.clone(),
            runtime: image,
        },
        None => images::choose(service, params.base_images.family).images,
    }
}

/// The framework of a service, when detected.
pub(crate) fn framework(service: &Service) -> Option<FrameworkKind> {
    service.framework.as_ref().map(|f| f.value.kind)
}

/// nodePorts of the front ends: the configured ones, then the lowest free ports from
/// `node_port_base` for the others, in service order.
pub(crate) fn node_ports(facts: &[Facts<'_>], params: &Params) -> BTreeMap<String, u16> {
    let mut ports = BTreeMap::new();
    let mut used: BTreeSet<u16> = BTreeSet::new();
    for fact in facts.iter().filter(|f| f.is_frontend() && f.serves()) {
        if let Some(&port) = params.node_ports.get(&fact.name) {
            ports.insert(fact.name.clone(), port);
            used.insert(port);
        }
    }
    let mut next = params.node_port_base;
    for fact in facts.iter().filter(|f| f.is_frontend() && f.serves()) {
        if ports.contains_key(&fact.name) {
            continue;
        }
        while used.contains(&next) {
            next = next.saturating_add(1);
        }
        ports.insert(fact.name.clone(), next);
        used.insert(next);
    }
    ports
}

/// A detected HTTP path made safe to embed anywhere the generator writes it (a probe, a Python
/// string, a shell word): a leading `/`, and every character outside the URL-safe set
/// percent-encoded, so no quote, space, backslash or `$` survives.
pub(crate) fn url_path(text: &str) -> String {
    let mut out = String::new();
    if !text.starts_with('/') {
        out.push('/');
    }
    for byte in text.bytes() {
        let c = byte as char;
        if c.is_ascii_alphanumeric() || "-._~/%?=&:@+,;".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_are_safe_to_quote() {
        assert_eq!(url_path("/health"), "/health");
        assert_eq!(url_path("api/ready?full=1"), "/api/ready?full=1");
        assert_eq!(url_path("/it's here"), "/it%27s%20here");
        assert_eq!(url_path("/$x\\"), "/%24x%5C");
    }

    #[test]
    fn volume_names() {
        assert_eq!(volume_name("/tmp"), "tmp");
        assert_eq!(volume_name("/app/.next/cache"), "next-cache");
        assert_eq!(volume_name("/app/microbin_data"), "microbin-data");
        assert_eq!(volume_name("/var/lib/app"), "var-lib-app");
    }

    #[test]
    fn data_directories_join_the_scratch_ones_once() {
        let data: Vec<Sourced<String>> = [
            "data",
            "/app/data",
            "/tmp/x",
            "/app",
            "/var/lib/app",
            "/data",
            "/",
        ]
        .iter()
        .map(|p| Sourced::default_value(p.to_string()))
        .collect();
        let dirs = writable_dirs(&["/tmp"], &data);
        let seen: Vec<(&str, &str, bool)> = dirs
            .iter()
            .map(|d| (d.path.as_str(), d.volume.as_str(), d.data))
            .collect();
        assert_eq!(
            seen,
            [
                ("/tmp", "tmp", false),
                ("/app/data", "data", true),
                ("/var/lib/app", "var-lib-app", true),
                ("/data", "data-2", true),
            ]
        );
    }

    #[test]
    fn dns_labels() {
        assert_eq!(dns_label("frontend-web"), "frontend-web");
        assert_eq!(dns_label("My_Service.v2"), "my-service-v2");
        assert_eq!(dns_label("--"), "app");
        assert_eq!(dns_label(&"a".repeat(80)).len(), 63);
    }
}
