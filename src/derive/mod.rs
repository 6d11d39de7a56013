//! The constitution derived from a detected project: what `aigen init` writes by default, and
//! `aigen init --dry-run` prints.
//!
//! Each detected service gets its class, role, port, health and readiness paths as detection
//! found them (a path only when the code serves one), and the base images of its language,
//! version and family ([`crate::provider::builtin::images`], the table the builtin generator
//! reads too); the secrets detection found are listed; the numbers every project shares
//! (replicas, rollout, resources per class, probe and HEALTHCHECK timing, UID 10001) are the
//! baseline preset's. No cluster budget is written: how big the cluster is cannot be detected,
//! so the file says what the services request in total and how to set one.
//!
//! Every value carries a comment saying where it came from (`# from backend/go.mod:3`), so a
//! team reviews the file before it rules their builds. Because the builtin generator reads the
//! same file, its output for the project has no error finding under it.

mod yaml;

use std::collections::BTreeMap;

use crate::detect::{Detection, Origin, PackageManager, Service, ServiceClass, ServiceKind};
use crate::policy::k8s::quantity::Quantity;
use crate::provider::builtin::images::{self, Family};
use crate::provider::builtin::params::Params;
use yaml::Doc;

/// What the derivation needs besides the detected services.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// The application's name: the namespace of the plain manifests.
    pub app: String,
    /// The family every service's images come from (`init --family`); `None` lets each
    /// service's own hint decide, else Debian slim.
    pub family: Option<Family>,
    /// Per service name, a family the project asks for and why (its own Dockerfile builds on
    /// Alpine).
    pub hints: BTreeMap<String, (Family, String)>,
}

/// The derived constitution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Derived {
    /// The file's text.
    pub text: String,
    /// What a person should know about it (a service without a port, say).
    pub notes: Vec<String>,
}

/// The first nodePort handed to front ends.
const NODE_PORT_BASE: u16 = 30000;

/// Derives the constitution of the project `detection` describes.
pub(crate) fn derive(detection: &Detection, options: &Options) -> Derived {
    let defaults = Params::for_app(&options.app);
    let mut notes = Vec::new();
    let mut doc = Doc::new();
    doc.comment(&format!(
        "aigen constitution of `{}`, derived by `aigen init` from the services it detected.\n\
         \n\
         Every value says where it came from: a file and line of the project, or aigen's default\n\
         (the baseline preset's). Review it, then edit freely: the generators read this file and\n\
         `aigen lint` holds every Dockerfile, manifest and chart to it. `aigen init --dry-run`\n\
         shows what would be derived today; `aigen lint --explain <code>` tells what a rule checks.",
        options.app
    ));
    doc.number(0, "version", 1u32, None);
    doc.entry(0, "name", &options.app, None);

    doc.blank();
    doc.comment(&budget_comment(detection, &defaults));

    doc.blank();
    doc.comment(
        "What each class of service gets: a backend (internal) or a front end (user-facing).",
    );
    doc.key(0, "classes", Some("aigen's default"));
    for (class, resources) in [
        ("backend", &defaults.backend_resources),
        ("frontend", &defaults.frontend_resources),
    ] {
        doc.key(2, class, None);
        let kind = if class == "frontend" {
            "NodePort"
        } else {
            "ClusterIP"
        };
        doc.entry(4, "service_type", kind, None);
        doc.key(4, "resources", None);
        doc.raw(
            6,
            &format!(
                "requests: {{ cpu: {}, memory: {} }}",
                resources.request_cpu, resources.request_memory
            ),
        );
        doc.raw(
            6,
            &format!(
                "limits: {{ cpu: {}, memory: {} }}",
                resources.limit_cpu, resources.limit_memory
            ),
        );
    }

    if !detection.services.is_empty() {
        doc.blank();
        doc.comment("The services aigen detected, with what it found in their code.");
        doc.key(0, "services", None);
    }
    let mut next_node_port = NODE_PORT_BASE;
    for service in &detection.services {
        service_entry(&mut doc, service, options, &mut next_node_port, &mut notes);
    }

    doc.blank();
    doc.key(0, "deployment", Some("aigen's default"));
    doc.number(2, "replicas", defaults.replicas, None);
    doc.number(2, "max_unavailable", defaults.max_unavailable, None);
    doc.number(2, "max_surge", defaults.max_surge, None);
    doc.raw(
        2,
        &format!(
            "pod_disruption_budget: {{ min_available: {} }}",
            defaults.pdb_min_available
        ),
    );
    doc.number(
        2,
        "run_as_user",
        defaults.user.uid,
        Some("above 10000: no UID of the node's own users"),
    );
    doc.entry(
        2,
        "namespace",
        &options.app,
        Some("the application's name; the chart uses its release's"),
    );

    doc.blank();
    doc.comment(
        "Probe timing. The paths are each service's own (above); a service without one is probed on its port.",
    );
    doc.key(0, "probes", Some("aigen's default"));
    for (kind, probe) in [
        ("liveness", &defaults.liveness),
        ("readiness", &defaults.readiness),
    ] {
        doc.raw(
            2,
            &format!(
                "{kind}: {{ initial_delay_seconds: {}, period_seconds: {} }}",
                probe.initial_delay_seconds, probe.period_seconds
            ),
        );
    }
    let check = &defaults.healthcheck;
    doc.blank();
    doc.raw_commented(
        0,
        &format!(
            "healthcheck: {{ interval: {}s, timeout: {}s, retries: {} }}",
            check.interval_seconds, check.timeout_seconds, check.retries
        ),
        "aigen's default",
    );

    let secrets = secrets(detection);
    doc.blank();
    if secrets.is_empty() {
        doc.comment("Names of settings that are secrets: detection found none.");
        doc.raw(0, "secrets: []");
    } else {
        doc.comment("Names of settings that are secrets: they come only from a Secret.");
        doc.key(0, "secrets", None);
        for (name, origin) in &secrets {
            doc.item(2, name, Some(&format!("from {origin}")));
        }
    }

    doc.blank();
    doc.comment(
        "Per-rule settings, by code or name: `severity` (error, warning, info, off), `enabled`, and the\n\
         rule's parameters (`aigen lint --explain <code>` lists them).",
    );
    doc.key(0, "rules", Some("aigen's default"));
    doc.raw_commented(
        2,
        "AG-K008: { min_uid: 10000 }",
        "the lowest UID a container may run as",
    );
    doc.raw_commented(
        2,
        "AG-K011: { allowed_add: [NET_BIND_SERVICE] }",
        "capabilities added back after drop ALL",
    );
    doc.raw_commented(
        2,
        "AG-K014: { require_digest: false }",
        "true: images pinned by @sha256 digest",
    );
    doc.key(2, "AG-K018", Some("labels every object carries"));
    doc.key(4, "labels", None);
    for label in [
        "app.kubernetes.io/name",
        "app.kubernetes.io/instance",
        "app.kubernetes.io/part-of",
    ] {
        doc.item(6, label, None);
    }
    doc.blank();
    doc.comment("Paths never linted: gitignore patterns, relative to the project root.");
    doc.raw(0, "ignore: []");
    Derived {
        text: doc.finish(),
        notes,
    }
}

/// One service under `services:`.
fn service_entry(
    doc: &mut Doc,
    service: &Service,
    options: &Options,
    next_node_port: &mut u16,
    notes: &mut Vec<String>,
) {
    let place = if service.path == "." {
        "at the repository root".to_string()
    } else {
        format!("in {}/", service.path)
    };
    doc.key(2, &service.name, Some(&place));
    doc.entry(
        4,
        "class",
        &service.class.value.to_string(),
        Some(&source(&service.class.origin)),
    );
    let kind = service.kind.value;
    let port = service
        .port
        .as_ref()
        .filter(|_| kind != ServiceKind::Worker);
    match (kind, port) {
        (ServiceKind::Worker, _) => {
            doc.entry(4, "role", "worker", Some(&source(&service.kind.origin)));
        }
        (_, None) => {
            doc.entry(
                4,
                "role",
                "worker",
                Some("no port found: run as a worker until aigen.toml declares its `port`"),
            );
            notes.push(format!(
                "service `{}`: no port found, so it is run as a worker (no Service, no probes); declare its `port` in aigen.toml if it serves one",
                service.name
            ));
        }
        (ServiceKind::Grpc, Some(_)) => {
            doc.entry(4, "role", "grpc", Some(&source(&service.kind.origin)));
        }
        (ServiceKind::Http, Some(_)) => {}
    }
    if let Some(port) = port {
        doc.number(4, "port", port.value, Some(&source(&port.origin)));
        if service.class.value == ServiceClass::Frontend {
            doc.number(
                4,
                "node_port",
                *next_node_port,
                Some("the next free nodePort from 30000"),
            );
            *next_node_port = next_node_port.saturating_add(1);
        }
        if kind == ServiceKind::Http {
            probe_paths(doc, service, notes);
        }
    }
    let (family, why) = match (options.family, options.hints.get(&service.name)) {
        (Some(family), _) => (family, "as `init --family` asked".to_string()),
        (None, Some((family, why))) => (*family, why.clone()),
        (None, None) => (Family::Debian, "Debian slim, aigen's default".to_string()),
    };
    let choice = images::choose(service, family);
    let version = match (&service.language_version, choice.pinned) {
        (_, _) if let Some(why) = &choice.wheels => {
            format!("{} {} ({why})", service.language.value, choice.release)
        }
        (Some(version), true) => format!(
            "{} {} (`{}` in {})",
            service.language.value, choice.release, version.value, version.origin
        ),
        _ => format!(
            "{} {}, aigen's default (the project pins no version)",
            service.language.value, choice.release
        ),
    };
    let tool = match service.package_manager.value {
        PackageManager::Maven => ", built with Maven",
        PackageManager::Gradle => ", built with Gradle",
        _ => "",
    };
    doc.key(4, "images", Some(&format!("{version}{tool}; {why}")));
    doc.entry(6, "build", &choice.images.build, None);
    doc.entry(6, "runtime", &choice.images.runtime, None);
    let helpers = images::helper_images(service, family);
    if !helpers.is_empty() {
        doc.key(
            4,
            "base_images",
            Some("besides its own images: the stage that builds what its binary embeds"),
        );
        for image in &helpers {
            doc.item(6, image, None);
        }
    }
}

/// `health_path` and `readiness_path` as found, or a comment that none was.
fn probe_paths(doc: &mut Doc, service: &Service, notes: &mut Vec<String>) {
    match &service.health_path {
        Some(path) => doc.entry(4, "health_path", &path.value, Some(&source(&path.origin))),
        None => {
            doc.comment_at(
                4,
                "No health route found in the code: its probes check that the port accepts\nconnections, and so does its HEALTHCHECK. Set `health_path` when it has one.",
            );
            notes.push(format!(
                "service `{}`: no health route found; it is probed on its port",
                service.name
            ));
        }
    }
    if let Some(path) = service
        .readiness_path
        .as_ref()
        .filter(|r| service.health_path.as_ref().map(|h| &h.value) != Some(&r.value))
    {
        doc.entry(
            4,
            "readiness_path",
            &path.value,
            Some(&source(&path.origin)),
        );
    }
}

/// "from <file:line>", or what a default is.
fn source(origin: &Origin) -> String {
    match origin {
        Origin::Default => "aigen's default for the stack".to_string(),
        other => format!("from {other}"),
    }
}

/// The secret names detection found, each with its first origin.
fn secrets(detection: &Detection) -> Vec<(String, String)> {
    let mut found: BTreeMap<&str, &Origin> = BTreeMap::new();
    for var in detection.services.iter().flat_map(|s| &s.env) {
        if var.secret {
            found.entry(&var.name).or_insert(&var.origin);
        }
    }
    found
        .into_iter()
        .map(|(name, origin)| (name.to_string(), origin.to_string()))
        .collect()
}

/// The comment in place of a cluster budget: what the services request in total.
fn budget_comment(detection: &Detection, defaults: &Params) -> String {
    let replicas = defaults.replicas;
    let (mut cpu, mut memory) = (Quantity::ZERO, Quantity::ZERO);
    for service in &detection.services {
        let resources = defaults.resources(service.class.value);
        let each = |text: &str| {
            Quantity::parse(text).map_or(Quantity::ZERO, |q| q.times(i64::from(replicas)))
        };
        cpu = cpu.saturating_add(each(&resources.request_cpu));
        memory = memory.saturating_add(each(&resources.request_memory));
    }
    let pods = detection.services.len() as u64 * u64::from(replicas);
    format!(
        "No cluster budget: the cluster's size cannot be detected. The services request {} CPU and\n\
         {} over {pods} pods ({replicas} replicas each). To have AG-K105 keep them within a share of\n\
         the cluster, give its allocatable CPU and memory:\n\
         cluster: {{ cpu: \"4\", memory: 8Gi, max_request_share: 0.70 }}",
        cpu.cpu_display(),
        memory.memory_display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Constitution;

    #[test]
    fn a_project_without_services_gets_a_loadable_constitution_with_nothing_of_its_own() {
        let derived = derive(
            &Detection::default(),
            &Options {
                app: "empty".into(),
                ..Options::default()
            },
        );
        let constitution =
            Constitution::parse(&derived.text, std::path::Path::new("c.yaml")).unwrap();
        assert!(constitution.services.is_empty());
        assert!(derived.text.contains("\nsecrets: []\n"), "{}", derived.text);
        assert!(
            derived.text.contains("The services request 0 CPU and\n# 0"),
            "{}",
            derived.text
        );
        assert!(derived.notes.is_empty());
    }
}
