//! What the generator derives from one [`Service`] and the [`Params`], shared by the Dockerfile,
//! the manifests and the chart so that they agree: the object name, the port, the probe paths,
//! the directories the app writes to, the image reference and the nodePorts.

use std::collections::{BTreeMap, BTreeSet};

use super::Params;
use crate::detect::{FrameworkKind, Service, ServiceClass};

/// The port written for a service whose port detection could not find.
const PORT_WHEN_UNKNOWN: u16 = 8080;

/// The derived facts of one service.
#[derive(Debug, Clone)]
pub(crate) struct Facts<'a> {
    pub service: &'a Service,
    /// The Kubernetes object and container name: a DNS-1123 label.
    pub name: String,
    pub class: ServiceClass,
    pub port: u16,
    /// Liveness path: the detected health path, else the constitution's.
    pub liveness_path: String,
    /// Readiness path: the detected readiness path, else the detected health path, else the
    /// constitution's.
    pub readiness_path: String,
    /// Directories the process writes to; each gets an `emptyDir` under a read-only root.
    pub writable_dirs: Vec<&'static str>,
    /// `<prefix>/<name>:<tag>`.
    pub image: String,
}

impl<'a> Facts<'a> {
    /// The facts of `service` under `params`.
    pub fn of(service: &'a Service, params: &Params) -> Self {
        let name = dns_label(&service.name);
        let health = service.health_path.as_ref().map(|p| url_path(&p.value));
        let ready = service.readiness_path.as_ref().map(|p| url_path(&p.value));
        let mut writable_dirs = vec!["/tmp"];
        if framework(service) == Some(FrameworkKind::NextJs) {
            writable_dirs.push("/app/.next/cache");
        }
        Self {
            service,
            image: format!("{}/{}:{}", params.image.prefix, name, params.image.tag),
            name,
            class: service.class.value,
            port: service
                .port
                .as_ref()
                .map_or(PORT_WHEN_UNKNOWN, |port| port.value),
            liveness_path: health
                .clone()
                .unwrap_or_else(|| params.liveness.path.clone()),
            readiness_path: ready
                .or(health)
                .unwrap_or_else(|| params.readiness.path.clone()),
            writable_dirs,
        }
    }

    /// Whether the service is a front end (NodePort, front-end resources).
    pub fn is_frontend(&self) -> bool {
        self.class == ServiceClass::Frontend
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
    for fact in facts.iter().filter(|f| f.is_frontend()) {
        if let Some(&port) = params.node_ports.get(&fact.name) {
            ports.insert(fact.name.clone(), port);
            used.insert(port);
        }
    }
    let mut next = params.node_port_base;
    for fact in facts.iter().filter(|f| f.is_frontend()) {
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

/// `text` as a DNS-1123 label: lower case, runs of other characters turned into one `-`, no
/// leading or trailing `-`, at most 63 characters; `app` when nothing is left.
pub(crate) fn dns_label(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed: String = out.trim_matches('-').chars().take(63).collect();
    let trimmed = trimmed.trim_end_matches('-').to_string();
    if trimmed.is_empty() {
        "app".into()
    } else {
        trimmed
    }
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
    fn dns_labels() {
        assert_eq!(dns_label("frontend-web"), "frontend-web");
        assert_eq!(dns_label("My_Service.v2"), "my-service-v2");
        assert_eq!(dns_label("--"), "app");
        assert_eq!(dns_label(&"a".repeat(80)).len(), 63);
    }
}
