//! Stack detection: finds the services of a repository and builds the [`Service`] model that every
//! generator works from.
//!
//! A service is a directory with a manifest (`pyproject.toml`, `requirements.txt`, `Pipfile`,
//! `package.json`, `go.mod`, `Cargo.toml`, `pom.xml`, `build.gradle`). Start reading at [`detect`]:
//! [`walk`] finds the service directories, one module per ecosystem (`python`, `node`, `go`,
//! `rust`, `java`) describes each, and the shared pieces find what every stack has: variables
//! ([`env`]), probe paths ([`routes`]) and the `file:line` of each fact ([`source`]). Each fact
//! carries its [`Origin`]. A manifest that cannot be read or parsed becomes a [`FileProblem`]
//! and the other services are still detected.

use std::path::{Component, Path};

use rayon::prelude::*;
use regex::Regex;

use crate::config::{self, Config, ServiceConfig};
use crate::fsutil;
use crate::settings::directory_name;

mod comments;
mod env;
mod go;
mod java;
mod manifest;
mod model;
mod nextjs;
mod node;
mod python;
mod routes;
mod rust;
mod source;
mod walk;
mod xml;

pub use model::{
    Detection, EnvVar, FileProblem, Framework, FrameworkKind, Language, Origin, PackageManager,
    Service, ServiceClass, ServiceKind, Sourced,
};
pub use walk::MANIFESTS;

use source::ServiceDir;

/// Detects the services under `root`, with the services declared in `config` taking precedence.
///
/// When `config` declares services, exactly those are described (each from the manifest in its
/// directory, with the declared values winning); otherwise every service directory found is.
/// Services come sorted by name.
pub fn detect(root: &Path, config: &Config) -> Detection {
    let (files, mut problems) = walk::list_files(root);
    let candidates: Vec<(ServiceDir, Option<&ServiceConfig>)> = if config.services.is_empty() {
        walk::service_dirs(root, &files)
            .into_iter()
            .map(|dir| (dir, None))
            .collect()
    } else {
        config
            .services
            .iter()
            .filter_map(|declared| match declared_dir(root, &files, declared) {
                Ok(dir) => Some((dir, Some(declared))),
                Err(problem) => {
                    problems.push(problem);
                    None
                }
            })
            .collect()
    };

    let results: Vec<(Result<Service, FileProblem>, Vec<FileProblem>)> = candidates
        .par_iter()
        .map(|(dir, declared)| {
            let mut found = Vec::new();
            let service = describe(dir, &mut found).map(|mut service| {
                if let Some(declared) = declared {
                    apply_config(&mut service, declared, &mut found);
                }
                service
            });
            (service, found)
        })
        .collect();

    let mut services = Vec::new();
    for (service, found) in results {
        problems.extend(found);
        match service {
            Ok(service) => services.push(service),
            Err(problem) => problems.push(problem),
        }
    }
    if config.services.is_empty() {
        name_services(root, &mut services);
    }
    services.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.path.cmp(&b.path)));
    problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    Detection { services, problems }
}

/// Describes the service in `dir` with the ecosystem its first manifest belongs to.
fn describe(dir: &ServiceDir, problems: &mut Vec<FileProblem>) -> Result<Service, FileProblem> {
    let Some(manifest) = dir.first_of(MANIFESTS) else {
        return Err(FileProblem::new(
            &dir.path,
            "no manifest in the service directory",
        ));
    };
    match manifest {
        "pyproject.toml" | "requirements.txt" | "Pipfile" => {
            python::detect(dir, manifest, problems)
        }
        "package.json" => node::detect(dir, problems),
        "go.mod" => go::detect(dir, problems),
        "Cargo.toml" => rust::detect(dir, problems),
        _ => java::detect(dir, manifest, problems),
    }
}

/// The directory of a service declared in `aigen.toml`, which must lie inside the project and
/// hold a manifest.
fn declared_dir(
    root: &Path,
    files: &[String],
    declared: &ServiceConfig,
) -> Result<ServiceDir, FileProblem> {
    let escapes = declared
        .path
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    let path = fsutil::slash_path(&declared.path);
    let problem = |message: String| {
        FileProblem::new(
            config::FILE_NAME,
            format!("service `{}`: {message}", declared.name),
        )
    };
    if escapes {
        return Err(problem(format!(
            "path `{path}` must be a directory inside the project"
        )));
    }
    if !root.join(&declared.path).is_dir() {
        return Err(problem(format!("path `{path}` is not a directory")));
    }
    let dir = walk::service_dir(root, files, &path);
    if dir.first_of(MANIFESTS).is_none() {
        return Err(problem(format!(
            "no manifest in `{path}` (looked for {})",
            MANIFESTS.join(", ")
        )));
    }
    Ok(dir)
}

/// Lets the values declared in `aigen.toml` win over the detected ones.
fn apply_config(service: &mut Service, declared: &ServiceConfig, problems: &mut Vec<FileProblem>) {
    service.name = declared.name.clone();
    if let Some(kind) = &declared.kind {
        match ServiceClass::parse(kind) {
            Some(class) => service.class = from_config(class),
            None => problems.push(FileProblem::new(
                config::FILE_NAME,
                format!(
                    "service `{}`: kind `{kind}` is neither `backend` nor `frontend`",
                    declared.name
                ),
            )),
        }
    }
    if let Some(role) = &declared.role {
        match ServiceKind::parse(role) {
            Some(kind) => {
                service.kind = from_config(kind);
                if kind == ServiceKind::Worker {
                    service.port = None;
                }
            }
            None => problems.push(FileProblem::new(
                config::FILE_NAME,
                format!(
                    "service `{}`: role `{role}` is none of `http`, `grpc`, `worker`",
                    declared.name
                ),
            )),
        }
    }
    if let Some(port) = declared.port {
        service.port = Some(from_config(port));
    }
    if let Some(path) = &declared.health_path {
        service.health_path = Some(from_config(path.clone()));
    }
    if let Some(path) = &declared.readiness_path {
        service.readiness_path = Some(from_config(path.clone()));
    }
}

/// A value declared in `aigen.toml`.
fn from_config<T>(value: T) -> Sourced<T> {
    Sourced::new(
        value,
        Origin::Config {
            path: config::FILE_NAME.to_string(),
        },
    )
}

/// Names detected services after their directories; when two directories share a name, both
/// are named after their whole path (`apps/web` becomes `apps-web`).
fn name_services(root: &Path, services: &mut [Service]) {
    let base = |service: &Service| {
        if service.path == "." {
            directory_name(root)
        } else {
            directory_name(Path::new(&service.path))
        }
    };
    let names: Vec<String> = services.iter().map(base).collect();
    for (index, service) in services.iter_mut().enumerate() {
        let shared = names.iter().filter(|n| **n == names[index]).count() > 1;
        service.name = if shared {
            directory_name(Path::new(&service.path.replace('/', "-")))
        } else {
            names[index].clone()
        };
    }
}

/// A back end, known as such from its framework when one was found (detectors for server-side
/// languages have no other way to tell).
fn backend(framework: Option<&Sourced<Framework>>) -> Sourced<ServiceClass> {
    let origin = framework.map_or(Origin::Default, |f| f.origin.clone());
    Sourced::new(ServiceClass::Backend, origin)
}

/// A command line as argv.
fn argv(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|part| part.to_string()).collect()
}

/// Compiles one of detection's patterns, which are literals known to be valid.
fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("detection patterns are valid regexes")
}
