//! The builtin generator's [`Params`] from the project's constitution and `aigen.toml`.
//!
//! The constitution holds the numbers (replicas, rollout, resources per class, probe and
//! HEALTHCHECK timing, uid, base images, nodePorts, the namespace) and what it says of each
//! service (role, port, probe paths, images); `aigen.toml` holds the names and paths. A number
//! the constitution leaves out keeps the generator's default (the baseline preset's), so what
//! the generator writes and what the linter demands come from the same file.

use crate::config::Paths;
use crate::detect::ServiceKind;
use crate::policy::Constitution;
use crate::policy::constitution::{self, Amounts, IntOrString, Probe, ServiceRole};
use crate::provider::builtin::Params;
use crate::provider::builtin::images::StageImages;
use crate::provider::builtin::params::{ProbeParams, Resources, ServiceParams};
use crate::settings::Settings;

/// Parameters for `settings.app_name`, with the constitution's numbers and the config's paths.
pub fn builtin_params(settings: &Settings, constitution: &Constitution) -> Params {
    params_for(&settings.app_name, &settings.config.paths, constitution)
}

/// Parameters for the application `app` whose files go to `paths`, with the constitution's
/// numbers.
pub fn params_for(app: &str, paths: &Paths, constitution: &Constitution) -> Params {
    let mut params = Params::for_app(app);
    params.paths = paths.clone();
    params.namespace = None;

    if let Some(deployment) = &constitution.deployment {
        if let Some(replicas) = deployment.replicas {
            params.replicas = replicas;
        }
        if let Some(n) = deployment.max_unavailable.as_ref().and_then(count) {
            params.max_unavailable = n;
        }
        if let Some(n) = deployment.max_surge.as_ref().and_then(count) {
            params.max_surge = n;
        }
        if let Some(n) = deployment
            .pod_disruption_budget
            .as_ref()
            .and_then(|pdb| pdb.min_available.as_ref())
            .and_then(count)
        {
            params.pdb_min_available = n;
        }
        if let Some(uid) = deployment.run_as_user.and_then(|u| u32::try_from(u).ok()) {
            params.user.uid = uid;
            params.user.gid = uid;
        }
        params.namespace.clone_from(&deployment.namespace);
    }
    if let Some(class) = constitution.classes.get("backend")
        && let Some(resources) = &class.resources
    {
        apply_resources(&mut params.backend_resources, resources);
    }
    if let Some(class) = constitution.classes.get("frontend")
        && let Some(resources) = &class.resources
    {
        apply_resources(&mut params.frontend_resources, resources);
    }
    let listed: Vec<&String> = constitution
        .classes
        .values()
        .flat_map(|class| &class.base_images)
        .collect();
    params.base_images.python = pinned_image(&listed, "python");
    params.base_images.node = pinned_image(&listed, "node");
    if let Some(probes) = &constitution.probes {
        if let Some(probe) = &probes.liveness {
            apply_probe(&mut params.liveness, probe);
        }
        if let Some(probe) = &probes.readiness {
            apply_probe(&mut params.readiness, probe);
        }
    }
    if let Some(healthcheck) = &constitution.healthcheck {
        let seconds = |d: std::time::Duration| u32::try_from(d.as_secs()).ok().filter(|s| *s > 0);
        if let Some(s) = healthcheck.interval.and_then(seconds) {
            params.healthcheck.interval_seconds = s;
        }
        if let Some(s) = healthcheck.timeout.and_then(seconds) {
            params.healthcheck.timeout_seconds = s;
        }
        if let Some(retries) = healthcheck.retries {
            params.healthcheck.retries = retries;
        }
    }
    for (name, service) in &constitution.services {
        if let Some(node_port) = service.node_port {
            params.node_ports.insert(name.clone(), node_port);
        }
        params.services.insert(
            name.clone(),
            ServiceParams {
                role: service.role.map(|role| match role {
                    ServiceRole::Http => ServiceKind::Http,
                    ServiceRole::Grpc => ServiceKind::Grpc,
                    ServiceRole::Worker => ServiceKind::Worker,
                }),
                port: service.port,
                health_path: service.health_path.clone(),
                readiness_path: service.readiness_path.clone(),
                images: service.images.as_ref().map(|images| StageImages {
                    build: images.build.clone(),
                    runtime: images.runtime.clone(),
                }),
            },
        );
    }
    params
}

/// A whole number of pods; percentages keep the preset's value.
fn count(value: &IntOrString) -> Option<u32> {
    match value {
        IntOrString::Int(n) => u32::try_from(*n).ok(),
        IntOrString::String(_) => None,
    }
}

fn apply_resources(target: &mut Resources, resources: &constitution::Resources) {
    let set = |slot: &mut String, value: &Option<String>| {
        if let Some(value) = value {
            slot.clone_from(value);
        }
    };
    let Amounts { cpu, memory } = &resources.requests;
    set(&mut target.request_cpu, cpu);
    set(&mut target.request_memory, memory);
    let Amounts { cpu, memory } = &resources.limits;
    set(&mut target.limit_cpu, cpu);
    set(&mut target.limit_memory, memory);
}

fn apply_probe(target: &mut ProbeParams, probe: &Probe) {
    target.path.clone_from(&probe.path);
    if let Some(delay) = probe.initial_delay_seconds {
        target.initial_delay_seconds = delay;
    }
    if let Some(period) = probe.period_seconds {
        target.period_seconds = period;
    }
}

/// The first allowed base image of `repository` that is a plain pinned reference (no pattern),
/// to build on.
fn pinned_image(patterns: &[&String], repository: &str) -> Option<String> {
    patterns
        .iter()
        .find(|p| {
            !p.contains('*')
                && !p.ends_with(":latest")
                && p.split_once(':')
                    .is_some_and(|(name, _)| name.rsplit('/').next() == Some(repository))
        })
        .map(|p| p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{Flags, GlobalOptions};
    use std::path::Path;

    fn settings_in(dir: &Path) -> Settings {
        let options = GlobalOptions {
            directory: Some(dir.to_path_buf()),
            ..GlobalOptions::default()
        };
        Settings::resolve(&options, &Flags::default(), |_| None).unwrap()
    }

    #[test]
    fn the_baseline_gives_the_builtin_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("aigen.toml"), "name = \"todo-app\"\n").unwrap();
        let params = builtin_params(&settings_in(dir.path()), &Constitution::baseline().unwrap());
        let mut expected = Params::for_app("todo-app");
        expected.namespace = None;
        assert_eq!(params, expected);
    }

    #[test]
    fn the_phase_iv_preset_gives_its_numbers() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("aigen.toml"), "name = \"todo-app\"\n").unwrap();
        let params = builtin_params(&settings_in(dir.path()), &Constitution::preset().unwrap());
        assert_eq!((params.user.uid, params.user.gid), (1000, 1000));
        assert_eq!(
            params.base_images.python.as_deref(),
            Some("python:3.13-slim")
        );
        assert_eq!(params.base_images.node.as_deref(), Some("node:20-alpine"));
        assert_eq!(params.liveness.path.as_deref(), Some("/health"));
        assert_eq!(params.readiness.path.as_deref(), Some("/ready"));
        assert_eq!(params.node_ports["frontend-chatbot"], 30001);
        assert_eq!(params.services["backend"].port, Some(8000));
        assert_eq!(params.namespace, None);
    }

    #[test]
    fn the_constitution_numbers_win() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("aigen.toml"),
            "name = \"shop\"\n[paths]\nmanifests = \"deploy/k8s\"\n",
        )
        .unwrap();
        let text = crate::assets::PHASE_IV
            .replace("replicas: 2", "replicas: 3")
            .replace("cpu: 250m, memory: 256Mi", "cpu: 300m, memory: 384Mi")
            .replace("interval: 30s", "interval: 1m")
            .replace("run_as_user: 1000", "run_as_user: 10001\n  namespace: shop")
            .replace(
                "backend: { class: backend, port: 8000 }",
                "backend:\n    class: backend\n    role: grpc\n    port: 50051\n    health_path: /livez\n    images: { build: \"golang:1.24\", runtime: \"debian:bookworm-slim\" }",
            );
        let constitution = Constitution::parse(&text, Path::new("c.yaml")).unwrap();
        let params = builtin_params(&settings_in(dir.path()), &constitution);
        assert_eq!(params.app, "shop");
        assert_eq!(params.replicas, 3);
        assert_eq!(params.backend_resources.request_cpu, "300m");
        assert_eq!(params.backend_resources.request_memory, "384Mi");
        assert_eq!(params.healthcheck.interval_seconds, 60);
        assert_eq!(params.manifest_dir(), "deploy/k8s");
        assert_eq!(params.user.uid, 10001);
        assert_eq!(params.namespace.as_deref(), Some("shop"));
        let backend = &params.services["backend"];
        assert_eq!(backend.role, Some(ServiceKind::Grpc));
        assert_eq!(backend.port, Some(50051));
        assert_eq!(backend.health_path.as_deref(), Some("/livez"));
        assert_eq!(backend.images.as_ref().unwrap().build, "golang:1.24");
    }
}
