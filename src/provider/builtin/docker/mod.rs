//! Dockerfiles: one multi-stage Dockerfile per service, and the `.dockerignore` next to it.
//!
//! [`dockerfile`] picks the stack module ([`python`], [`node`], [`go`], [`rust`], [`java`]) that
//! describes the build and runtime stages as a [`file::Dockerfile`]; the final stage of every
//! stack ends the same way ([`Context::finish`]): the app's data directories created and owned
//! by the runtime user (the cluster mounts an `emptyDir` on each), a numeric non-root `USER`,
//! `EXPOSE` of the
//! port, a `HEALTHCHECK` with the constitution's timing ([`health`]: an HTTP request to the
//! health path, or a connection to the port when no path is known, with a program the image
//! has; `HEALTHCHECK NONE` for a worker) and an exec-form `CMD`.
//!
//! The build context is the repository root (`docker build -f docker/backend.Dockerfile .`), so
//! every `COPY` names the service directory. The context filter is
//! `docker/<service>.Dockerfile.dockerignore` ([`dockerignore`]): BuildKit reads
//! `<Dockerfile>.dockerignore` before `<context>/.dockerignore`, which lets each service send
//! only its own directory.

mod dockerignore;
pub(crate) mod file;
mod go;
mod health;
mod inputs;
mod java;
mod node;
mod python;
mod rust;
mod system;
mod system_packages;
mod ui_build;

use file::{Copy, Dockerfile, Stage, Step};

use super::facts::Facts;
use super::quote;
use super::{GeneratedFile, Params};
use crate::detect::{Language, Service, Sourced};

/// The Dockerfile and `.dockerignore` of one service; empty for a language the builtin generator
/// does not build (see [`supports`]).
pub fn dockerfile(service: &Service, params: &Params) -> Vec<GeneratedFile> {
    let facts = Facts::of(service, params);
    let cx = Context {
        facts: &facts,
        params,
    };
    let file = match service.language.value {
        Language::Python => python::build(&cx),
        Language::Node => node::build(&cx),
        Language::Go => go::build(&cx),
        Language::Rust => rust::build(&cx),
        Language::Java => java::build(&cx),
    };
    let path = params.dockerfile_path(&facts.name);
    let ignore = dockerignore::render(&facts, &path);
    vec![
        GeneratedFile::new(format!("{path}.dockerignore"), ignore),
        GeneratedFile::new(path, file.render()),
    ]
}

/// Whether the builtin generator writes a Dockerfile for this service's language: Python, Node,
/// Go, Rust and Java (Maven and Gradle) all have one.
pub fn supports(service: &Service) -> bool {
    matches!(
        service.language.value,
        Language::Python | Language::Node | Language::Go | Language::Rust | Language::Java
    )
}

/// What a stack module needs: the service's facts and the parameters.
pub(crate) struct Context<'a> {
    pub facts: &'a Facts<'a>,
    pub params: &'a Params,
}

impl Context<'_> {
    /// A path inside the service directory, as the build context (the repository root) sees it.
    pub(super) fn src(&self, file: &str) -> String {
        match self.service_dir() {
            Some(dir) => format!("{dir}/{file}"),
            None => file.to_string(),
        }
    }

    /// The whole service directory, as a `COPY` source.
    pub(super) fn src_dir(&self) -> String {
        match self.service_dir() {
            Some(dir) => format!("{dir}/"),
            None => ".".to_string(),
        }
    }

    /// The service directory relative to the repository root; `None` for the root itself.
    pub(super) fn service_dir(&self) -> Option<&str> {
        service_dir(self.facts)
    }

    /// Of `paths` (relative to the repository root), those outside the service directory that
    /// the build context holds: what a `COPY` of the service directory alone would miss.
    pub(super) fn outside_paths(&self, paths: &[Sourced<String>]) -> Vec<String> {
        outside_paths(self.facts, paths.iter().map(|p| p.value.as_str()))
    }

    /// The builder's working directory for a compiled service: `/src`, or with local path
    /// dependencies outside the service (`local`), `/src/<service dir>`, so that the repository's
    /// layout holds and their relative paths resolve.
    pub(super) fn builder_workdir(&self, local: &[String]) -> String {
        match (local.is_empty(), self.service_dir()) {
            (false, Some(dir)) => format!("/src/{dir}"),
            _ => "/src".to_string(),
        }
    }

    /// `COPY` of each local path dependency outside the service to its place under `/src`.
    pub(super) fn local_copies(&self, local: &[String]) -> Vec<Step> {
        local
            .iter()
            .map(|path| {
                Step::Copy(Copy::context(
                    &[&format!("{path}/")],
                    &format!("/src/{path}/"),
                ))
            })
            .collect()
    }

    /// `COPY` of each runtime asset (`templates/`, `migrations/`) from the builder's `from` to
    /// `/app`, the runtime's working directory where the code's relative paths resolve.
    pub(super) fn asset_copies(&self, from: &str) -> Vec<Step> {
        self.facts
            .service
            .inputs
            .runtime_assets
            .iter()
            .map(|asset| {
                let asset = asset.value.trim_end_matches('/');
                Step::Copy(
                    Copy::stage(
                        "builder",
                        &format!("{from}/{asset}"),
                        &format!("/app/{asset}"),
                    )
                    .owned_by(&self.owner()),
                )
            })
            .collect()
    }

    /// `uid:gid` of the runtime user.
    pub(super) fn owner(&self) -> String {
        format!("{}:{}", self.params.user.uid, self.params.user.gid)
    }

    /// The header: what the file builds, and the command that builds it.
    pub(super) fn header(&self) -> String {
        let service = self.facts.service;
        let stack = match &service.framework {
            Some(framework) => framework.value.kind.to_string(),
            None => service.language.value.to_string(),
        };
        format!(
            "Image of service `{name}` ({stack}, {pm}), generated by aigen's builtin provider.\n\
             Build from the repository root: docker build -f {path} -t {image} .",
            name = service.name,
            pm = service.package_manager.value,
            path = self.params.dockerfile_path(&self.facts.name),
            image = self.facts.image,
        )
    }

    /// Ends the runtime stage: copy the files taken from elsewhere in the repository, create the
    /// data directories, switch to the non-root user, expose the port, check health with `tool`
    /// (what the runtime image has to check with), start the service.
    /// The command of a compiled service's image: its binary at `/app/server`, with the
    /// arguments the detected start passes it (`serve` of `./server serve`).
    pub(super) fn binary_command(&self) -> Vec<String> {
        let mut command = vec!["/app/server".to_string()];
        command.extend(
            self.facts
                .service
                .start_command
                .value
                .iter()
                .skip(1)
                .cloned(),
        );
        command
    }

    pub(super) fn finish(&self, stage: Stage, tool: health::Tool, command: Vec<String>) -> Stage {
        let check = &self.params.healthcheck;
        let stage = stage
            .steps(self.imported_copies())
            .steps(self.data_dirs(tool));
        let mut stage = stage.step(Step::User(self.owner()));
        if let Some(port) = self.facts.port {
            stage = stage.step(Step::Expose(port));
        }
        let probe = health::Probe::of(self.facts);
        let stage = match health::command(&probe, tool, &self.request_timeout()) {
            Some(command) => stage.steps([
                Step::comment(&probe.describe()),
                Step::Healthcheck {
                    interval_seconds: check.interval_seconds,
                    timeout_seconds: check.timeout_seconds,
                    retries: check.retries,
                    command,
                },
            ]),
            None if probe == health::Probe::None => {
                stage.steps([Step::comment(&probe.describe()), Step::NoHealthcheck])
            }
            None => stage.steps([
                Step::comment(
                    "Health: the runtime image has no program to check with; the cluster's probes check it.",
                ),
                Step::NoHealthcheck,
            ]),
        };
        stage.step(Step::Cmd(command))
    }

    /// The data directories the app writes, created and owned by the runtime user so that the
    /// image runs as it is too; in the cluster an `emptyDir` is mounted on each, so the root
    /// file system stays read-only. An image without a shell (distroless) cannot create them:
    /// the mounts alone provide them.
    fn data_dirs(&self, tool: health::Tool) -> Vec<Step> {
        let dirs: Vec<String> = self
            .facts
            .writable_dirs
            .iter()
            .filter(|d| d.data)
            .map(|d| quote::shell_word(&d.path))
            .collect();
        if dirs.is_empty() {
            return Vec::new();
        }
        let list = dirs.join(" ");
        if tool == health::Tool::Nothing {
            return vec![Step::comment(&format!(
                "Data written at run time to {list}: the image has no shell to create it; the emptyDir the manifests mount there provides it."
            ))];
        }
        vec![
            Step::comment(&format!(
                "Data written at run time to {list}: owned by the runtime user; the manifests mount an emptyDir there."
            )),
            Step::Run(vec![
                format!("mkdir -p {list}"),
                format!("chown {} {list}", self.owner()),
            ]),
        ]
    }

    /// The files the project's own Dockerfile copies into its image (or its compose file mounts
    /// into its container) from elsewhere in the repository, each `COPY`d to the same place under the working directory (which holds the
    /// service directory's files, as the project's does), after a comment naming where that is
    /// said.
    fn imported_copies(&self) -> Vec<Step> {
        let imported = &self.facts.service.inputs.imported_files;
        let Some(first) = imported.first() else {
            return Vec::new();
        };
        let owner = self.owner();
        let mut steps = vec![Step::comment(&format!(
            "From elsewhere in the repository, where the project's container has it ({}).",
            first.origin
        ))];
        steps.extend(imported.iter().map(|file| {
            Step::Copy(Copy::context(&[&file.value.path], &file.value.dest).owned_by(&owner))
        }));
        steps
    }

    /// Seconds one health request may take: a second less than the HEALTHCHECK timeout, so the
    /// command fails on its own before Docker kills it.
    pub(super) fn request_timeout(&self) -> String {
        self.params
            .healthcheck
            .timeout_seconds
            .saturating_sub(1)
            .max(1)
            .to_string()
    }

    /// `RUN` that creates the runtime user on `image`, with the tools of its family; `None` for
    /// an image without a shell (distroless), whose numeric `USER` needs no entry.
    pub(super) fn create_user(&self, image: &str) -> Option<Step> {
        if image.contains("distroless") {
            None
        } else if is_alpine(image) {
            Some(alpine_user(self.params))
        } else {
            Some(debian_user(self.params))
        }
    }
}

/// The service directory of `facts` relative to the repository root; `None` for the root.
pub(crate) fn service_dir<'a>(facts: &'a Facts<'_>) -> Option<&'a str> {
    let dir = facts.service.path.trim_matches('/');
    let dir = dir.strip_prefix("./").unwrap_or(dir);
    (!dir.is_empty() && dir != ".").then_some(dir)
}

/// Of `paths` (relative to the repository root), those outside the service directory and
/// inside the repository, with no trailing `/`, each once.
pub(crate) fn outside_paths<'p>(
    facts: &Facts<'_>,
    paths: impl IntoIterator<Item = &'p str>,
) -> Vec<String> {
    let dir = service_dir(facts);
    let mut found: Vec<String> = Vec::new();
    for path in paths {
        let path = path.trim_start_matches("./").trim_end_matches('/');
        let inside = match dir {
            None => true,
            Some(dir) => path == dir || path.starts_with(&format!("{dir}/")),
        };
        let outside_repository = path.is_empty() || path == ".." || path.starts_with("../");
        if !inside && !outside_repository && !found.iter().any(|f| f == path) {
            found.push(path.to_string());
        }
    }
    found
}

/// Whether an image is Alpine-based (busybox tools: `adduser`, `wget`, `nc`).
pub(crate) fn is_alpine(image: &str) -> bool {
    image.contains("alpine")
}

/// `RUN` that creates the runtime group and user on a Debian-based image, with no home, no
/// login shell and no lastlog entry.
pub(crate) fn debian_user(params: &Params) -> Step {
    let (uid, gid) = (params.user.uid, params.user.gid);
    Step::Run(vec![
        format!("groupadd --system --gid {gid} app"),
        format!(
            "useradd --system --no-log-init --uid {uid} --gid {gid} --home-dir /app --no-create-home --shell /usr/sbin/nologin app"
        ),
    ])
}

/// `RUN` that creates the runtime group and user on an Alpine image (busybox tools).
pub(crate) fn alpine_user(params: &Params) -> Step {
    let (uid, gid) = (params.user.uid, params.user.gid);
    Step::Run(vec![
        format!("addgroup -S -g {gid} app"),
        format!("adduser -S -D -H -h /app -s /sbin/nologin -u {uid} -G app app"),
    ])
}

/// The stage every runtime starts with: `WORKDIR /app` after the user is created.
pub(crate) fn runtime_stage(image: &str, comment: &str, user: Option<Step>) -> Stage {
    let stage = Stage::new("runtime", image, comment);
    let stage = match user {
        Some(step) => stage.step(step),
        None => stage,
    };
    stage.step(Step::workdir("/app"))
}

/// Wraps the stages into a Dockerfile with the context's header. Every stage before the last
/// is a build stage that never runs as a container: it opens with `HEALTHCHECK NONE`, which says
/// so (and satisfies hadolint's DL3057, which asks every stage for a HEALTHCHECK).
pub(crate) fn assemble(cx: &Context<'_>, mut stages: Vec<Stage>) -> Dockerfile {
    let last = stages.len().saturating_sub(1);
    for stage in &mut stages[..last] {
        stage.steps.insert(0, Step::NoHealthcheck);
    }
    Dockerfile {
        header: cx.header(),
        stages,
    }
}
