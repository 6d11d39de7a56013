//! Stack detection: finds the services of a repository and builds the [`Service`] model that every
//! generator works from.
//!
//! Start reading at [`detect`]. [`walk`] lists the files; [`service_set`] picks the candidate
//! directories (every directory with a manifest, the root included) and sets aside tests,
//! examples, stacks aigen cannot generate for and directories with only a Dockerfile, each with
//! its reason. [`declared`] reads what the project already says about running each candidate
//! (its Dockerfile, compose file and Procfile), and one module per ecosystem (`python`, `node`,
//! `go`, `rust`, `java`) describes it, believing what is declared before what the code suggests.
//! [`assemble`] finishes each service from what was declared (kind, health path, values of
//! variables, workers run from the same code) and lists what could not be determined. Shared
//! pieces find what every stack has: variables ([`env`]), probe paths ([`routes`]), the
//! directories it writes at run time ([`data_dirs`]), build
//! inputs ([`inputs`]), whether it serves pages ([`frontend`]) and the `file:line` of each fact
//! ([`source`]). A manifest that cannot be read or parsed becomes a [`FileProblem`] and the
//! other services are still detected.

use std::path::{Component, Path};

use rayon::prelude::*;
use regex::Regex;

use crate::config::{self, Config, ServiceConfig};
use crate::fsutil;
use crate::settings::directory_name;

mod assemble;
mod built_ui;
mod comments;
mod data_dirs;
mod declared;
mod dotenv;
mod downloads;
mod env;
mod frontend;
mod go;
mod inputs;
mod java;
mod listen;
mod local_peers;
mod manifest;
mod model;
mod nextjs;
mod node;
mod node_steps;
mod ports;
mod python;
mod routes;
mod rust;
mod service_set;
mod source;
mod walk;
mod workspace;
mod xml;

pub(crate) use downloads::skip_settings as download_skip_settings;
pub(crate) use inputs::embed_dir;
pub use model::{
    BuildInputs, BuiltUi, Detection, EnvVar, FileProblem, Framework, FrameworkKind, ImportedFile,
    Language, NativeDependency, Origin, PackageManager, Peer, QueryChecks, Service, ServiceClass,
    ServiceKind, SkipReason, Skipped, Sourced, SystemNeed, UiProducer, Undetermined, WheelLimit,
    Workspace,
};
pub(crate) use walk::MANIFESTS;

use declared::Declared;
use declared::compose::{self, Compose};
use declared::kubernetes;
use service_set::Described;
use source::ServiceDir;

/// Detects the services under `root`, with the services declared in `config` taking precedence.
///
/// When `config` declares services, exactly those are described (each from the manifest in its
/// directory, with the declared values winning); otherwise every candidate directory is, and
/// `[detect]`'s `include` and `exclude` correct the set. Services come sorted by name.
pub fn detect(root: &Path, config: &Config) -> Detection {
    let (files, mut problems) = walk::list_files(root);
    let compose = match compose::read(root, &files) {
        Ok(compose) => compose,
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let manifests = kubernetes::read(root, &files, &config.paths.staging);
    let declared_services = !config.services.is_empty();
    let mut under_root = Vec::new();
    let mut paired = Vec::new();
    // With declared services, the other packages whose build may write into one of them.
    let mut ui_packages = Vec::new();
    let (candidates, mut skipped): (Vec<(ServiceDir, Option<&ServiceConfig>)>, _) =
        if declared_services {
            let dirs = config
                .services
                .iter()
                .filter_map(|declared| match declared_dir(root, &files, declared) {
                    Ok(dir) => Some((dir, Some(declared))),
                    Err(problem) => {
                        problems.push(problem);
                        None
                    }
                })
                .collect::<Vec<(ServiceDir, Option<&ServiceConfig>)>>();
            // The folders detection would set aside are still shown, with their reasons, unless
            // the config declares them as services.
            let plan = service_set::plan(root, &files);
            let mut set_aside = plan.skipped;
            set_aside.retain(|s| !dirs.iter().any(|(dir, _)| dir.path == s.path));
            ui_packages = plan
                .candidates
                .into_iter()
                .filter(|c| !dirs.iter().any(|(dir, _)| dir.path == c.path))
                .filter(|c| service_set::manifest_of(c) == Some("package.json"))
                .collect();
            (dirs, set_aside)
        } else {
            let plan = service_set::plan(root, &files);
            under_root = plan.under_root;
            paired = plan.paired;
            let dirs = plan.candidates.into_iter().map(|d| (d, None)).collect();
            (dirs, plan.skipped)
        };
    let paths: Vec<String> = candidates.iter().map(|(d, _)| d.path.clone()).collect();

    let results: Vec<(Outcome, Vec<FileProblem>)> = candidates
        .par_iter()
        .map(|(dir, declared)| {
            let mut found = Vec::new();
            let building = compose
                .as_ref()
                .map(|c| builds(c, &dir.path, &paths))
                .unwrap_or_default();
            let said = Declared::gather(
                dir,
                &directory_base(dir),
                building,
                (compose.as_ref(), &manifests),
                &mut found,
            );
            let described = describe(dir, &said, &mut found).map(|mut described| {
                assemble::finish(&mut described, &said, dir, &directory_label(dir));
                if let Some(declared) = declared {
                    assemble::adopt_worker(
                        &mut described.service,
                        &said,
                        declared.command.as_ref(),
                    );
                    apply_config(&mut described.service, declared, &mut found);
                }
                (described, said)
            });
            (described, found)
        })
        .collect();

    let mut described = Vec::new();
    for (result, found) in results {
        problems.extend(found);
        match result {
            Ok(pair) => described.push(pair),
            Err(problem) => problems.push(problem),
        }
    }
    let mut outputs: Vec<built_ui::Output> = described
        .iter()
        .filter_map(|(d, _)| d.builds_into.clone())
        .collect();
    outputs.extend(
        ui_packages
            .par_iter()
            .filter_map(|dir| {
                // Not a service: what its description finds wrong is not reported.
                node::detect(dir, &Declared::default(), &mut Vec::new())
                    .ok()?
                    .builds_into
            })
            .collect::<Vec<_>>(),
    );
    let mut services = if declared_services {
        let mut services: Vec<Service> = described.into_iter().map(|(d, _)| d.service).collect();
        built_ui::attach(root, &outputs, &mut services);
        services
    } else {
        let workers: Vec<(String, Vec<declared::Worker>)> = described
            .iter()
            .map(|(d, said)| (d.service.path.clone(), said.workers()))
            .collect();
        let (mut kept, set_aside) =
            service_set::resolve(described.into_iter().map(|(d, _)| d).collect(), &paired);
        skipped.extend(set_aside);
        if !kept.iter().any(|s| s.path == ".") {
            skipped.extend(under_root);
        }
        correct(
            root,
            &files,
            &config.detect,
            &mut kept,
            &mut skipped,
            &mut problems,
        );
        name_services(root, &mut kept);
        built_ui::attach(root, &outputs, &mut kept);
        let mut extra = Vec::new();
        for service in &kept {
            if let Some((_, list)) = workers.iter().find(|(path, _)| *path == service.path) {
                extra.extend(assemble::workers(service, list));
            }
        }
        kept.extend(extra);
        kept
    };
    services.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.path.cmp(&b.path)));
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    Detection {
        services,
        skipped,
        problems,
    }
}

/// A candidate described with what its project declares about it, or why it could not be.
type Outcome = Result<(Described, Declared), FileProblem>;

/// The compose services that build `dir`: those whose Dockerfile lies in it rather than in a
/// candidate nested deeper.
fn builds(compose: &Compose, dir: &str, candidates: &[String]) -> Vec<compose::ComposeService> {
    compose
        .services
        .iter()
        .filter(|service| {
            let Some(dockerfile) = &service.dockerfile else {
                return false;
            };
            let owner = candidates
                .iter()
                .filter(|c| *c == "." || service_set::inside(dockerfile, c))
                .max_by_key(|c| c.len());
            owner.is_some_and(|owner| owner == dir)
        })
        .cloned()
        .collect()
}

/// Describes the service in `dir` with the ecosystem of its manifest. A `package.json` that
/// only holds tools gives way to another ecosystem's manifest in the same directory.
fn describe(
    dir: &ServiceDir,
    declared: &Declared,
    problems: &mut Vec<FileProblem>,
) -> Result<Described, FileProblem> {
    let Some(manifest) = service_set::manifest_of(dir) else {
        return Err(FileProblem::new(
            &dir.path,
            "no manifest in the service directory",
        ));
    };
    match manifest {
        "pyproject.toml" | "requirements.txt" | "Pipfile" => {
            python::detect(dir, manifest, declared, problems)
        }
        "package.json" => node::detect(dir, declared, problems),
        "go.mod" => go::detect(dir, declared, problems),
        "Cargo.toml" => rust::detect(dir, declared, problems),
        _ => java::detect(dir, manifest, declared, problems),
    }
}

/// Applies `[detect]`: `include` brings a set-aside directory back as a service, `exclude` sets
/// a detected one aside.
fn correct(
    root: &Path,
    files: &[String],
    settings: &config::DetectConfig,
    services: &mut Vec<Service>,
    skipped: &mut Vec<Skipped>,
    problems: &mut Vec<FileProblem>,
) {
    for path in &settings.include {
        let path = fsutil::slash_path(path);
        let Some(index) = skipped.iter().position(|s| s.path == path) else {
            if !services.iter().any(|s| s.path == path) {
                problems.push(FileProblem::new(
                    config::FILE_NAME,
                    format!("[detect] include: `{path}` is neither a service nor set aside"),
                ));
            }
            continue;
        };
        if !skipped[index].reason.can_include() {
            problems.push(FileProblem::new(
                config::FILE_NAME,
                format!(
                    "[detect] include: `{path}` cannot be described: {}",
                    skipped[index].detail
                ),
            ));
            continue;
        }
        let dir = walk::service_dir(root, files, &path);
        let mut found = Vec::new();
        let none = kubernetes::Manifests::default();
        let said = Declared::gather(
            &dir,
            &directory_base(&dir),
            Vec::new(),
            (None, &none),
            &mut found,
        );
        match describe(&dir, &said, &mut found) {
            Ok(mut described) => {
                assemble::finish(&mut described, &said, &dir, &directory_label(&dir));
                skipped.remove(index);
                services.push(described.service);
            }
            Err(problem) => problems.push(problem),
        }
        problems.extend(found);
    }
    for path in &settings.exclude {
        let path = fsutil::slash_path(path);
        let before = services.len();
        services.retain(|s| s.path != path);
        if services.len() < before {
            skipped.push(Skipped {
                path: path.clone(),
                reason: SkipReason::Excluded,
                detail: "listed in `exclude` under `[detect]`".to_string(),
                origin: Origin::Config {
                    path: config::FILE_NAME.to_string(),
                },
            });
        } else {
            problems.push(FileProblem::new(
                config::FILE_NAME,
                format!("[detect] exclude: no service in `{path}`"),
            ));
        }
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
            Some(class) => service.class = repeated(Some(service.class.clone()), class),
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
                service.kind = repeated(Some(service.kind.clone()), kind);
                if kind != ServiceKind::Http {
                    service.health_path = None;
                    service.readiness_path = None;
                }
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
        service.port = Some(repeated(service.port.take(), port));
    }
    if let Some(path) = &declared.health_path {
        service.health_path = Some(repeated(service.health_path.take(), path.clone()));
    }
    if let Some(path) = &declared.readiness_path {
        service.readiness_path = Some(repeated(service.readiness_path.take(), path.clone()));
    }
    if let Some(command) = &declared.command {
        service.start_command = repeated(Some(service.start_command.clone()), command.clone());
    }
    service
        .undetermined
        .retain(|u| !(u.fact == "port" && service.port.is_some()));
}

/// A value `aigen.toml` declares: where detection found the same value in the project, its
/// `file:line` stays the source (`aigen init` writes what it detected, and the file it was read
/// from is the better evidence); a value that differs, or that was only guessed, is the config's.
fn repeated<T: PartialEq>(detected: Option<Sourced<T>>, declared: T) -> Sourced<T> {
    match detected {
        Some(found) if found.value == declared && !found.is_guess() => found,
        _ => from_config(declared),
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

/// A service directory's name as variables name it (`shipping-service` gives `shipping_service`;
/// the root is named after the project's directory).
fn directory_label(dir: &ServiceDir) -> String {
    directory_base(dir).replace(['-', '.'], "_")
}

/// The name of a service's directory (of the repository for the root).
fn directory_base(dir: &ServiceDir) -> String {
    if dir.path == "." {
        directory_name(&dir.root)
    } else {
        directory_name(Path::new(&dir.path))
    }
}

/// A command line as argv.
fn argv(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|part| part.to_string()).collect()
}

/// Compiles one of detection's patterns, which are literals known to be valid.
fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("detection patterns are valid regexes")
}
