//! The constitution in words, for prompts: the numbers a generated file must meet and the rules
//! it will be linted against, so a model is told up front what the linter will demand.

use std::fmt::Write as _;

use crate::policy::Constitution;
use crate::policy::registry::{self, Target};

/// What kind of files a prompt asks for, to pick the rules worth stating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    Dockerfile,
    Kubernetes,
}

/// The constitution as a bulleted list: its numbers first, then every enabled rule of the
/// audience's kind with its code and summary.
pub(crate) fn in_words(constitution: &Constitution, audience: Audience) -> String {
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str("- ");
        out.push_str(&text);
        out.push('\n');
    };
    for (name, class) in &constitution.classes {
        let mut text = format!("{name} services");
        if !class.base_images.is_empty() {
            let _ = write!(text, ": base images {}", class.base_images.join(", "));
        }
        if let Some(size) = &class.image_size_max {
            let _ = write!(text, "; image smaller than {size}");
        }
        if audience == Audience::Kubernetes {
            if let Some(kind) = &class.service_type {
                let _ = write!(text, "; Service type {kind}");
            }
            if let Some(resources) = &class.resources {
                let amount = |a: &crate::policy::constitution::Amounts| {
                    format!(
                        "cpu {}, memory {}",
                        a.cpu.as_deref().unwrap_or("-"),
                        a.memory.as_deref().unwrap_or("-")
                    )
                };
                let _ = write!(
                    text,
                    "; requests {}; limits {}",
                    amount(&resources.requests),
                    amount(&resources.limits)
                );
            }
        }
        line(text);
    }
    for (name, service) in &constitution.services {
        let mut text = format!("service {name}");
        if let Some(class) = &service.class {
            let _ = write!(text, " ({class})");
        }
        if let Some(port) = service.port {
            let _ = write!(text, ": port {port}");
        }
        if let Some(node_port) = service.node_port {
            let _ = write!(text, ", nodePort {node_port}");
        }
        if let Some(role) = service.role {
            let _ = write!(text, "; a {role} service");
        }
        let paths = constitution.probe_paths(Some(name));
        if let Some(path) = &paths.liveness {
            let _ = write!(text, "; health path {path}");
        }
        if let Some(path) = paths
            .readiness
            .as_ref()
            .filter(|p| paths.liveness.as_ref() != Some(*p))
        {
            let _ = write!(text, "; readiness path {path}");
        }
        if let Some(images) = &service.images {
            let _ = write!(
                text,
                "; images {} (build), {} (runtime)",
                images.build, images.runtime
            );
        }
        line(text);
    }
    if audience == Audience::Dockerfile {
        if let Some(healthcheck) = &constitution.healthcheck {
            let seconds = |d: Option<std::time::Duration>| {
                d.map_or("-".to_string(), |d| format!("{}s", d.as_secs()))
            };
            line(format!(
                "HEALTHCHECK --interval={} --timeout={} --retries={} against the health path",
                seconds(healthcheck.interval),
                seconds(healthcheck.timeout),
                healthcheck
                    .retries
                    .map_or("-".to_string(), |r| r.to_string())
            ));
        }
    } else {
        if let Some(deployment) = &constitution.deployment {
            if let Some(replicas) = deployment.replicas {
                line(format!("{replicas} replicas per Deployment"));
            }
            if let (Some(unavailable), Some(surge)) =
                (&deployment.max_unavailable, &deployment.max_surge)
            {
                line(format!(
                    "RollingUpdate with maxUnavailable {} and maxSurge {}",
                    int_or_string(unavailable),
                    int_or_string(surge)
                ));
            }
            if let Some(uid) = deployment.run_as_user {
                line(format!("runAsNonRoot: true, runAsUser: {uid}"));
            }
        }
        if let Some(probes) = &constitution.probes {
            for (kind, probe) in [
                ("liveness", &probes.liveness),
                ("readiness", &probes.readiness),
            ] {
                if let Some(probe) = probe {
                    let on = probe.path.as_deref().map_or_else(
                        || {
                            "on each service's health path, else a TCP check of its port"
                                .to_string()
                        },
                        |path| format!("on {path}"),
                    );
                    line(format!(
                        "{kind} probe {on} (initialDelaySeconds {}, periodSeconds {})",
                        probe.initial_delay_seconds.unwrap_or(0),
                        probe.period_seconds.unwrap_or(10)
                    ));
                }
            }
        }
        if let Some(cluster) = &constitution.cluster {
            line(format!(
                "the requests of all replicas stay under {:.0}% of the cluster ({} CPU, {})",
                cluster.max_request_share * 100.0,
                cluster.cpu,
                cluster.memory
            ));
        }
    }
    if !constitution.secrets.is_empty() {
        line(format!(
            "{} are secrets and never appear in ARG/ENV or as literal values; in Kubernetes they come only through secretKeyRef",
            constitution.secrets.join(", ")
        ));
    }
    let target = match audience {
        Audience::Dockerfile => Target::Dockerfile,
        Audience::Kubernetes => Target::Kubernetes,
    };
    for rule in registry::rules().filter(|r| r.target == target) {
        let enabled = constitution
            .setting(rule.code, None)
            .is_none_or(|setting| setting.enabled);
        if enabled {
            line(format!("{} ({}): {}", rule.code, rule.name, rule.summary));
        }
    }
    out
}

fn int_or_string(value: &crate::policy::constitution::IntOrString) -> String {
    match value {
        crate::policy::constitution::IntOrString::Int(n) => n.to_string(),
        crate::policy::constitution::IntOrString::String(s) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preset_in_words_has_its_numbers_and_rules() {
        let constitution = Constitution::preset().unwrap();
        let docker = in_words(&constitution, Audience::Dockerfile);
        assert!(docker.contains("python:3.13-slim"), "{docker}");
        assert!(docker.contains("--interval=30s --timeout=3s --retries=3"));
        assert!(docker.contains("AG-D"), "{docker}");
        let k8s = in_words(&constitution, Audience::Kubernetes);
        assert!(k8s.contains("2 replicas per Deployment"), "{k8s}");
        assert!(k8s.contains("maxUnavailable 0 and maxSurge 1"));
        assert!(k8s.contains("nodePort 30000"));
    }
}
