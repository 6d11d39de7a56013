//! The builtin generator's [`Params`] from the project's constitution and `aigen.toml`.
//!
//! The constitution holds the numbers (replicas, rollout, resources per class, probes,
//! HEALTHCHECK timing, uid, base images, nodePorts); `aigen.toml` holds the names and paths. A
//! number the constitution leaves out keeps the Phase IV preset's value, so what the generator
//! writes and what the linter demands come from the same file.

use crate::policy::Constitution;
use crate::policy::constitution::{self, Amounts, IntOrString, Probe};
use crate::provider::builtin::Params;
use crate::provider::builtin::params::{ProbeParams, Resources};
use crate::settings::Settings;

/// Parameters for `settings.app_name`, with the constitution's numbers and the config's paths.
pub fn builtin_params(settings: &Settings, constitution: &Constitution) -> Params {
    let mut params = Params::for_app(&settings.app_name);
    params.paths = settings.config.paths.clone();

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
    }
    if let Some(class) = constitution.classes.get("backend") {
        if let Some(resources) = &class.resources {
            apply_resources(&mut params.backend_resources, resources);
        }
        if let Some(image) = pinned_image(&class.base_images) {
            params.base_images.python = image;
        }
    }
    if let Some(class) = constitution.classes.get("frontend") {
        if let Some(resources) = &class.resources {
            apply_resources(&mut params.frontend_resources, resources);
        }
        if let Some(image) = pinned_image(&class.base_images) {
            params.base_images.node = image;
        }
    }
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

/// The first allowed base image that is a plain pinned reference (no pattern), to build on.
fn pinned_image(patterns: &[String]) -> Option<String> {
    patterns
        .iter()
        .find(|p| !p.contains('*') && p.contains(':') && !p.ends_with(":latest"))
        .cloned()
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
    fn the_preset_gives_the_builtin_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("aigen.toml"), "name = \"todo-app\"\n").unwrap();
        let params = builtin_params(&settings_in(dir.path()), &Constitution::preset().unwrap());
        assert_eq!(params, Params::for_app("todo-app"));
    }

    #[test]
    fn the_constitution_numbers_win() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("aigen.toml"),
            "name = \"shop\"\n[paths]\nmanifests = \"deploy/k8s\"\n",
        )
        .unwrap();
        let text = crate::assets::CONSTITUTION
            .replace("replicas: 2", "replicas: 3")
            .replace("cpu: 250m, memory: 256Mi", "cpu: 300m, memory: 384Mi")
            .replace("interval: 30s", "interval: 1m");
        let constitution = Constitution::parse(&text, Path::new("c.yaml")).unwrap();
        let params = builtin_params(&settings_in(dir.path()), &constitution);
        assert_eq!(params.app, "shop");
        assert_eq!(params.replicas, 3);
        assert_eq!(params.backend_resources.request_cpu, "300m");
        assert_eq!(params.backend_resources.request_memory, "384Mi");
        assert_eq!(params.healthcheck.interval_seconds, 60);
        assert_eq!(params.manifest_dir(), "deploy/k8s");
    }
}
