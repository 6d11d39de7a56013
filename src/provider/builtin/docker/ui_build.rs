//! The stages that build a user interface a service holds only once it is built (see
//! [`crate::detect::BuiltUi`]): a `//go:embed` directory, or the directory a sibling package's
//! Vite build writes (`outDir: "../backend/app/frontend"`), whatever the service's language.
//!
//! Each stage lays the repository out as the build context does, under `/src`, installs the
//! producing package's dependencies with the package manager its lockfile belongs to (Bun on
//! `oven/bun`, npm, pnpm and Yarn on Node.js), then runs its `build` script, so the output lands
//! where its configuration writes it: `/src/<service>/<path>`. The service's own stage copies it
//! from there ([`UiBuilds::copies`]). A directory no package here builds gets a check that stops
//! the build with a message naming the line that needs it ([`UiBuilds::checks`]).

use super::Context;
use super::file::{Copy, Stage, Step};
use super::inputs::from_service;
use crate::detect::{BuiltUi, PackageManager, UiProducer};
use crate::provider::builtin::images;
use crate::provider::builtin::quote::shell_word;

/// The user interface stages of a service and what its own stage does with their output.
pub(super) struct UiBuilds {
    /// One stage per directory a package here builds, named `ui-1`, `ui-2`, ….
    pub stages: Vec<Stage>,
    built: Vec<(String, String)>,
    missing: Vec<BuiltUi>,
}

impl UiBuilds {
    /// The stages for the service's [`BuiltUi`] directories.
    pub(super) fn of(cx: &Context<'_>) -> Self {
        let mut builds = Self {
            stages: Vec::new(),
            built: Vec::new(),
            missing: Vec::new(),
        };
        for ui in &cx.facts.service.inputs.built_ui {
            match &ui.producer {
                Some(producer) => {
                    let name = format!("ui-{}", builds.stages.len() + 1);
                    builds.stages.push(stage(cx, &name, ui, producer));
                    builds.built.push((name, ui.path.value.clone()));
                }
                None => builds.missing.push(ui.clone()),
            }
        }
        builds
    }

    /// `COPY --from` of each built directory into the stage whose working directory holds the
    /// service's files, owned by `owner` when given.
    pub(super) fn copies(&self, cx: &Context<'_>, owner: Option<&str>) -> Vec<Step> {
        self.built
            .iter()
            .map(|(name, path)| {
                let copy = Copy::stage(name, &output(cx, path), &format!("./{path}"));
                Step::Copy(match owner {
                    Some(owner) => copy.owned_by(owner),
                    None => copy,
                })
            })
            .collect()
    }

    /// For each directory no package here builds, a comment and a check that stops the build
    /// when the context does not hold it.
    pub(super) fn checks(&self) -> Vec<Step> {
        self.missing
            .iter()
            .flat_map(|ui| {
                let path = &ui.path.value;
                let origin = &ui.path.origin;
                [
                    Step::comment(&format!(
                        "{origin} needs {path}, which the source does not hold and no package here builds:\nit must exist before `docker build` (build it first)."
                    )),
                    Step::Run(vec![format!(
                        "test -e {word} || {{ echo {message} >&2; exit 1; }}",
                        word = shell_word(path),
                        message = shell_word(&format!(
                            "{path} is missing: {origin} needs it; build it before the image"
                        )),
                    )]),
                ]
            })
            .collect()
    }
}

/// Where a UI stage leaves the directory `path` of the service.
fn output(cx: &Context<'_>, path: &str) -> String {
    format!("/src/{}", cx.src(path))
}

/// A repository path under `/src`.
fn under_src(path: &str) -> String {
    if path == "." || path.is_empty() {
        "/src".to_string()
    } else {
        format!("/src/{path}")
    }
}

/// The stage that installs the producing package's dependencies and runs its `build` script.
fn stage(cx: &Context<'_>, name: &str, ui: &BuiltUi, producer: &UiProducer) -> Stage {
    let dir = producer.dir.as_str();
    let locked = producer.lockfile.is_some();
    let mut copies = Vec::new();
    // A workspace member installs from the workspace's root, whose other members this build
    // does not copy: the lockfile lists them, so it is read but not enforced.
    let frozen = match &producer.workspace_root {
        Some(root) => {
            let mut files = vec![from_service(root, "package.json")];
            if producer.manager == PackageManager::Pnpm {
                files.push(from_service(root, "pnpm-workspace.yaml"));
            }
            files.extend(producer.lockfile.iter().cloned());
            let files: Vec<&str> = files.iter().map(String::as_str).collect();
            copies.push(Step::Copy(Copy::context(
                &files,
                &format!("{}/", under_src(root)),
            )));
            copies.push(Step::Copy(Copy::context(
                &[&from_service(dir, "package.json")],
                "./",
            )));
            false
        }
        None => {
            let mut files = vec![from_service(dir, "package.json")];
            files.extend(producer.lockfile.iter().cloned());
            let files: Vec<&str> = files.iter().map(String::as_str).collect();
            copies.push(Step::Copy(Copy::context(&files, "./")));
            locked
        }
    };
    let frozen_flag = if frozen { " --frozen-lockfile" } else { "" };
    let (install, run) = match producer.manager {
        PackageManager::Bun => (vec![format!("bun install{frozen_flag}")], "bun run build"),
        PackageManager::Pnpm => (
            vec![
                "corepack enable pnpm".to_string(),
                format!("pnpm install{frozen_flag}"),
            ],
            "pnpm run build",
        ),
        PackageManager::Yarn => (vec![format!("yarn install{frozen_flag}")], "yarn run build"),
        _ => (
            vec![if frozen { "npm ci" } else { "npm install" }.to_string()],
            "npm run build",
        ),
    };
    let mut env = Vec::new();
    if producer.manager != PackageManager::Bun {
        env.push(("COREPACK_ENABLE_DOWNLOAD_PROMPT", "0"));
    }
    env.extend(super::node::download_skips(&producer.downloads));
    let source = if dir == "." {
        ".".to_string()
    } else {
        format!("{dir}/")
    };
    let mut stage = Stage::new(
        name,
        &images::ui_build_image(producer.manager, cx.params.base_images.family),
        &format!(
            "{path} ({origin}) comes from the `build` script of {manifest}\n({source_line}): its dependencies first, then the build.",
            path = ui.path.value,
            origin = ui.path.origin,
            manifest = from_service(dir, "package.json"),
            source_line = producer.origin,
        ),
    )
    .step(Step::workdir(&under_src(dir)));
    if !env.is_empty() {
        stage = stage.step(Step::env(&env));
    }
    stage
        .steps(copies)
        .step(Step::Run(install))
        .step(Step::Copy(Copy::context(&[&source], "./")))
        .step(Step::run(&[run]))
}
