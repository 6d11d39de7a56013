//! Finishing a described service from what its project declares, the same for every ecosystem:
//! a gRPC health check makes it a gRPC server, a Procfile with only workers makes it a worker,
//! the project's own health check gives the health path, compose and Dockerfile values fill the
//! variables, compose's `depends_on` names its peers, the directories it writes are gathered
//! ([`super::data_dirs`]); then what could not be determined is
//! listed. [`workers`] makes the services for the queue workers run from the same code.

use super::data_dirs;
use super::declared::compose::MountSource;
use super::declared::{Declared, Worker};
use super::env;
use super::listen;
use super::local_peers;
use super::model::{
    EnvVar, ImportedFile, Language, Origin, Service, ServiceKind, Sourced, Undetermined,
    secret_shape,
};
use super::node_steps;
use super::ports;
use super::service_set::Described;
use super::source::ServiceDir;
use crate::fsutil::normalize_relative;
use crate::secrets::is_secret_name;

/// Variables an image's `ENV` sets for its own tools (the interpreter, the package manager, the
/// shell), not for the application.
const PLUMBING: &[&str] = &[
    "PATH",
    "LANG",
    "LC_",
    "PYTHON",
    "PIP_",
    "UV_",
    "POETRY_",
    "PIPENV_",
    "VIRTUAL_ENV",
    "NPM_",
    "NODE_ENV",
    "NODE_OPTIONS",
    "YARN_",
    "PNPM_",
    "COREPACK_",
    "GO",
    "CGO_",
    "JAVA_",
    "JDK_",
    "MAVEN_",
    "GRADLE_",
    "DEBIAN_",
    "DEBCONF_",
    "HOME",
    "USER",
    "SHELL",
    "TERM",
    "RUST",
    "CARGO_",
    "TZ",
];

/// Finishes `described` (in `dir`) from what the project declares; `label` is its directory's
/// name as variables name it ([`super::directory_label`]).
pub(super) fn finish(
    described: &mut Described,
    declared: &Declared,
    dir: &ServiceDir,
    label: &str,
) {
    if described.runs.is_err()
        && let Some(origin) = declared.runs()
    {
        described.runs = Ok(origin);
    }
    let service = &mut described.service;
    // Node's release follows the project's own Dockerfile when nothing of the package pins it
    // (`.nvmrc`, `.node-version`, `engines.node`): a native addon may build only against it.
    if service.language.value == Language::Node
        && service.language_version.is_none()
        && let Some(release) = declared.dockerfile_release(Language::Node)
    {
        service.language_version = Some(release);
    }
    if service.kind.is_guess()
        && let Some(framework) = &service.framework
    {
        // A web framework serves HTTP.
        service.kind.origin = framework.origin.clone();
    }
    if let Some(origin) = declared.grpc_check()
        && service.kind.value == ServiceKind::Http
    {
        service.kind = Sourced::new(ServiceKind::Grpc, origin);
    }
    if declared.only_workers()
        && let Some(worker) = declared.workers().into_iter().next()
    {
        service.kind = Sourced::new(ServiceKind::Worker, worker.command.origin.clone());
        service.start_command = worker.command;
    }
    if service.kind.value == ServiceKind::Http {
        if let Some(health) = declared.health() {
            service.health_path = Some(health);
        }
    } else {
        service.health_path = None;
        service.readiness_path = None;
    }
    if service.kind.value == ServiceKind::Worker {
        service.port = None;
    }
    merge_env(&mut service.env, declared);
    if service.kind.value != ServiceKind::Worker {
        listen::open_loopback_addresses(&mut service.env);
    }
    if service.kind.value != ServiceKind::Worker
        && let Some(port) = port_from_env(service, label)
    {
        service.port = Some(port);
    }
    service.depends_on = declared.depends_on.clone();
    if service.depends_on.is_empty() {
        service.depends_on = local_peers::from_defaults(&service.env);
    }
    let mut left_out = Vec::new();
    if service.kind.value != ServiceKind::Worker {
        service.prestart = declared.prestart();
        if service.language.value == Language::Node {
            left_out = node_steps::leave_out_development_steps(dir, &mut service.prestart);
        }
    }
    service.data_dirs = data_dirs::find(service, declared, dir);
    service.inputs.imported_files = declared.imported_files();
    for file in mounted_files(declared, dir) {
        if !service
            .inputs
            .imported_files
            .iter()
            .any(|f| f.value.dest == file.value.dest)
        {
            service.inputs.imported_files.push(file);
        }
    }
    service.undetermined = undetermined(service);
    service.undetermined.extend(left_out);
}

/// The files of the repository outside the service directory that its compose file mounts into
/// its container (`./otel-config.yml:/otel-config.yml`): configuration the app reads at the
/// mount's target, which the image must then hold. A file named like a secret
/// (`db_password.txt`), a directory and a path outside the repository are left out. The target
/// is made relative to the project's Dockerfile `WORKDIR` when under it.
fn mounted_files(declared: &Declared, dir: &ServiceDir) -> Vec<Sourced<ImportedFile>> {
    declared
        .mounts()
        .iter()
        .filter_map(|mount| {
            let MountSource::Bind(host) = &mount.source else {
                return None;
            };
            let path = normalize_relative(host);
            let name = path.rsplit('/').next().unwrap_or(&path);
            let stem = name.split('.').next().unwrap_or(name);
            let outside = dir.relative(&path).is_none();
            let usable = outside
                && !host.starts_with(['/', '~'])
                && !is_secret_name(stem)
                && dir.root_has_file(&path);
            let dest = match &declared.dockerfile {
                Some(dockerfile) => dockerfile.in_workdir(&mount.target.value),
                None => mount.target.value.clone(),
            };
            (usable && dest != ".")
                .then(|| Sourced::new(ImportedFile { path, dest }, mount.target.origin.clone()))
        })
        .collect()
}

/// The services of the queue workers run from `service`'s code: the same build, the worker's
/// command, no port and no probes. Each is named after the service and the process
/// (`microblog-worker`).
pub(super) fn workers(service: &Service, workers: &[Worker]) -> Vec<Service> {
    workers
        .iter()
        .filter(|w| w.command.value != service.start_command.value)
        .map(|worker| {
            let mut copy = service.clone();
            copy.name = if worker.name.starts_with(&service.name) {
                worker.name.clone()
            } else {
                format!("{}-{}", service.name, worker.name)
            };
            become_worker(&mut copy, worker.command.clone());
            copy.undetermined = undetermined(&copy);
            copy
        })
        .collect()
}

/// Makes `service` the worker the project declares with `command` (a Procfile's `worker:` line),
/// when there is one: `aigen.toml` names a worker of a directory by its command, and the line
/// that declares it is the source.
pub(super) fn adopt_worker(
    service: &mut Service,
    declared: &Declared,
    command: Option<&Vec<String>>,
) {
    let Some(command) = command else {
        return;
    };
    if let Some(worker) = declared
        .workers()
        .into_iter()
        .find(|w| w.command.value == *command)
    {
        become_worker(service, worker.command);
    }
}

/// Makes `service` the worker that runs `command`: no port, no probes, and no steps before it
/// (the server's service runs the migrations; its workers start after them).
fn become_worker(service: &mut Service, command: Sourced<Vec<String>>) {
    service.kind = Sourced::new(ServiceKind::Worker, command.origin.clone());
    service.start_command = command;
    service.prestart = Vec::new();
    service.port = None;
    service.health_path = None;
    service.readiness_path = None;
}

/// Values the project gives variables: the Dockerfile's `ENV` (its tools' variables left out),
/// the compose file's `environment` and its Kubernetes manifests' `env`, for the variables the
/// code reads and for those the project sets for it; and the variables the manifests take from
/// a Secret. A secret never gets a value here: it belongs in a Secret the user fills.
fn merge_env(env: &mut Vec<EnvVar>, declared: &Declared) {
    for (name, value) in declared.env() {
        let from_dockerfile = declared.dockerfile.as_ref().is_some_and(|d| {
            d.env
                .iter()
                .any(|(n, v)| *n == name && v.origin == value.origin)
        });
        if from_dockerfile && PLUMBING.iter().any(|p| name.starts_with(p)) {
            continue;
        }
        let secret = is_secret_name(&name);
        let at = value.origin.clone();
        let shape = value
            .value
            .as_ref()
            .filter(|_| secret)
            .and_then(|v| secret_shape(&Sourced::new(v.clone(), at.clone())));
        // A secret's literal in the project's manifests is never taken, nor made required.
        let from_manifests = declared.container.as_ref().is_some_and(|c| {
            c.env
                .iter()
                .any(|(n, v)| *n == name && v.origin == value.origin)
        });
        let given = !from_manifests && value.value.as_deref().is_some_and(|v| !v.is_empty());
        let shown = value
            .value
            .filter(|v| env::publishable_setting(&name, secret, v));
        let value = shown.map(|v| Sourced::new(v, value.origin.clone()));
        match env.iter_mut().find(|var| var.name == name) {
            Some(var) => {
                if value.is_some() {
                    var.value = value;
                }
                if shape.is_some() {
                    var.shape = shape;
                }
            }
            None => {
                // Where the project sets it, even when its value is withheld (a secret).
                let origin = if at == Origin::Default {
                    declared
                        .compose
                        .first()
                        .map_or(Origin::Default, |s| s.origin.clone())
                } else {
                    at
                };
                // A secret the project's Dockerfile or compose file gives a value is one the app
                // expects: required, so that a run gives it one of its own. Other variables only
                // the project sets are optional (the code may never read them).
                env.push(EnvVar {
                    required: secret && given,
                    secret,
                    value,
                    shape,
                    name,
                    origin,
                });
            }
        }
    }
    // What the project's default configuration leaves empty, the app runs without.
    for name in declared.unset_by_default() {
        if let Some(var) = env
            .iter_mut()
            .find(|var| var.name == name && var.value.is_none())
        {
            var.required = false;
        }
    }
    // What the project's manifests take from a Secret is a secret whatever its name: its value
    // belongs in the Secret the user fills.
    for reference in declared.secret_refs() {
        match env.iter_mut().find(|var| var.name == reference.name) {
            Some(var) => {
                var.secret = true;
                var.withhold_value();
            }
            None => env.push(EnvVar {
                name: reference.name.clone(),
                secret: true,
                required: !reference.optional,
                value: None,
                shape: None,
                origin: reference.origin.clone(),
            }),
        }
    }
    env.sort_by(|a, b| a.name.cmp(&b.name));
    env.dedup_by(|a, b| a.name == b.name);
}

/// The port the project sets through the service's own port variable (compose's
/// `environment: PORT: "5050"`, a Dockerfile's `ENV PORT=5050`): the code's default only applies
/// when the variable is unset, so the value the project gives wins over it.
fn port_from_env(service: &Service, label: &str) -> Option<Sourced<u16>> {
    service
        .env
        .iter()
        .filter(|var| ports::is_own_variable(&var.name, label))
        .find_map(|var| {
            let value = var.value.as_ref()?;
            let port: u16 = value.value.trim().parse().ok().filter(|p| *p > 0)?;
            Some(Sourced::new(port, value.origin.clone()))
        })
}

/// What the service's description lacks, and why.
fn undetermined(service: &Service) -> Vec<Undetermined> {
    let mut list = Vec::new();
    if service.start_command.is_guess() {
        list.push(Undetermined {
            fact: "start",
            reason: "nothing in the project says how it starts: the command shown is a guess"
                .to_string(),
        });
    }
    match service.kind.value {
        ServiceKind::Worker => {}
        _ if service.port.is_none() => list.push(Undetermined {
            fact: "port",
            reason: "nothing in the project says which port it listens on".to_string(),
        }),
        _ if service.port.as_ref().is_some_and(Sourced::is_guess) => list.push(Undetermined {
            fact: "port",
            reason: "the port shown is a guess: nothing in the project says which".to_string(),
        }),
        _ => {}
    }
    if service.kind.value == ServiceKind::Http && service.health_path.is_none() {
        list.push(Undetermined {
            fact: "health",
            reason:
                "no health route in the code and no health check in its Dockerfile or compose file"
                    .to_string(),
        });
    }
    list
}
