//! Node services (Next.js with and without standalone output, Express, NestJS; npm, pnpm or
//! Yarn).
//!
//! Three shapes:
//! - Next.js with `output: 'standalone'`: the runtime gets only `.next/standalone`,
//!   `.next/static` and `public`, and runs `node server.js`;
//! - anything else with a build step (Next.js without standalone, NestJS, Express with a build
//!   script): the builder installs every dependency, builds, then prunes the dev dependencies
//!   (kept for a Next.js app whose `next.config.ts` `next start` compiles with `typescript`);
//!   the runtime copies the result;
//! - no build step (plain Express): a `deps` stage installs the production dependencies and the
//!   runtime copies them next to the source.
//!
//! The `node` user of the official images has uid and gid 1000; when the parameters ask for that
//! identity it is used as is, otherwise a user is created. The HEALTHCHECK runs `node` itself
//! (`fetch`, `net.connect`), which every Node image has; on Alpine an HTTP check uses busybox
//! `wget`.

use super::file::{Copy, Stage, Step};
use super::health::Tool;
use super::system::{self, Phase};
use super::ui_build::UiBuilds;
use super::{Context, assemble, is_alpine, runtime_stage};
use crate::detect::{Framework, FrameworkKind, PackageManager, Sourced, download_skip_settings};
use crate::provider::builtin::facts::framework;
use crate::provider::builtin::quote;

/// The Node Dockerfile.
pub(super) fn build(cx: &Context<'_>) -> super::file::Dockerfile {
    let service = cx.facts.service;
    let kind = framework(service);
    let next = kind == Some(FrameworkKind::NextJs);
    // What detection says of a Next.js app's config (false for any other app).
    let next_config = |pick: fn(&Framework) -> Option<bool>| {
        next && service
            .framework
            .as_ref()
            .and_then(|f| pick(&f.value))
            .unwrap_or(false)
    };
    let standalone = next_config(|f| f.standalone);
    let typescript_config = next_config(|f| f.typescript_config);
    let pm = PackageTool::of(cx);
    let build_command = build_command(cx, &pm, kind);
    let owner = cx.owner();
    let (image, runtime_image) = (&cx.facts.base.build, &cx.facts.base.runtime);

    let mut env = vec![("NODE_ENV", "production")];
    if next {
        env.push(("NEXT_TELEMETRY_DISABLED", "1"));
    }
    let port = cx.facts.port.map(|p| p.to_string());
    if let Some(port) = &port {
        env.push(("PORT", port));
    }
    if standalone {
        // server.js binds to HOSTNAME; the container must listen on every interface.
        env.push(("HOSTNAME", "0.0.0.0"));
    }
    let user = if cx.params.user.uid != 1000 || cx.params.user.gid != 1000 {
        cx.create_user(runtime_image)
    } else {
        None
    };
    let user_note = if user.is_none() {
        "\nIt runs as the image's `node` user (uid and gid 1000)."
    } else {
        ""
    };

    let mut stages = Vec::new();
    let runtime = match build_command {
        Some(build) => {
            let mut builder = Stage::new(
                "builder",
                image,
                "Build: every dependency from the lockfile (in a layer rebuilt only when it changes), then\nthe source and the build.",
            )
            .step(Step::workdir("/app"));
            let mut build_env = pm.env();
            if next {
                build_env.insert(0, ("NEXT_TELEMETRY_DISABLED", "1"));
            }
            if !build_env.is_empty() {
                builder = builder.step(Step::env(&build_env));
            }
            builder = builder.steps(pm.install_steps(cx, false));
            builder = builder.step(Step::Copy(Copy::context(&[&cx.src_dir()], &pm.dest())));
            let mut commands = vec![build];
            if standalone {
                builder = builder.step(Step::comment(
                    "public/ is created when the app has none: the runtime stage copies it.",
                ));
                commands.push("mkdir -p public".into());
            } else if typescript_config {
                builder = builder.step(Step::comment(
                    "Every dependency stays: `next start` compiles next.config.ts with the\n`typescript` package at each start. Only the build cache goes.",
                ));
                commands.push("rm -rf .next/cache".into());
            } else {
                builder = builder.step(Step::comment(
                    "After the build only the production dependencies stay (and no build cache).",
                ));
                commands.extend(pm.prune(cx));
                if next {
                    commands.push("rm -rf .next/cache".into());
                }
            }
            stages.push(builder.step(Step::Run(commands)));
            let runtime = runtime_stage(
                runtime_image,
                &format!(
                    "Runtime: the build output, owned by the non-root runtime user.{user_note}"
                ),
                user,
            )
            .step(Step::Env(owned(&env)));
            if standalone {
                runtime.steps([
                    Step::Copy(Copy::stage("builder", "/app/public", "./public").owned_by(&owner)),
                    Step::Copy(
                        Copy::stage("builder", "/app/.next/standalone", "./").owned_by(&owner),
                    ),
                    Step::Copy(
                        Copy::stage("builder", "/app/.next/static", "./.next/static")
                            .owned_by(&owner),
                    ),
                ])
            } else {
                pm.member_workdir(runtime.step(Step::Copy(
                    Copy::stage("builder", "/app", "./").owned_by(&owner),
                )))
            }
        }
        None if service.inputs.no_runtime_dependencies => {
            stages.push(
                Stage::new(
                    "source",
                    image,
                    "The source alone: package.json declares no dependency, so nothing is installed.",
                )
                .step(Step::workdir("/app"))
                .step(Step::Copy(Copy::context(&[&cx.src_dir()], "./"))),
            );
            runtime_stage(
                runtime_image,
                &format!("Runtime: the source, owned by the non-root runtime user.{user_note}"),
                user,
            )
            .step(Step::Env(owned(&env)))
            .step(Step::Copy(
                Copy::stage("source", "/app", "./").owned_by(&owner),
            ))
        }
        None => {
            let deps = Stage::new(
                "deps",
                image,
                "Production dependencies from the lockfile, in a layer rebuilt only when it changes.",
            )
            .step(Step::workdir("/app"));
            let deps_env = pm.env();
            let deps = if deps_env.is_empty() {
                deps
            } else {
                deps.step(Step::env(&deps_env))
            };
            stages.push(deps.steps(pm.install_steps(cx, true)));
            let runtime = runtime_stage(
                runtime_image,
                &format!("Runtime: the dependencies and the source, owned by the non-root runtime user.{user_note}"),
                user,
            )
            .step(Step::Env(owned(&env)));
            let installed = match &pm.member {
                // The workspace's root with its node_modules, and the member's own.
                Some(_) => Copy::stage("deps", "/app", "./"),
                None => Copy::stage("deps", "/app/node_modules", "./node_modules"),
            };
            pm.member_workdir(runtime.steps([
                Step::Copy(installed.owned_by(&owner)),
                Step::Copy(Copy::context(&[&cx.src_dir()], &pm.dest()).owned_by(&owner)),
            ]))
        }
    };
    // A user interface another package's build writes into the service, over its files.
    let mut ui = UiBuilds::of(cx);
    let runtime = runtime
        .steps(ui.checks())
        .steps(ui.copies(cx, Some(&owner)));
    // busybox `wget` checks a path on Alpine, as it always has; `node` checks everything else.
    let tool = if is_alpine(runtime_image) && cx.facts.liveness_path.is_some() {
        Tool::Busybox
    } else {
        Tool::Node
    };
    stages.push(cx.finish(runtime, tool, command(cx, kind, standalone)));
    ui.stages.extend(stages);
    assemble(cx, ui.stages)
}

/// The variables that turn off what `packages` (puppeteer, cypress, playwright) download at
/// install: a browser or a binary from outside the registry that the image never runs and a
/// closed build cannot fetch. Set in the install's stage only, never in the runtime's.
pub(super) fn download_skips(packages: &[Sourced<String>]) -> Vec<(&'static str, &'static str)> {
    let mut env: Vec<(&'static str, &'static str)> = Vec::new();
    for package in packages {
        for setting in download_skip_settings(&package.value) {
            if !env.contains(setting) {
                env.push(*setting);
            }
        }
    }
    env
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The package manager and how it installs, builds and prunes.
struct PackageTool {
    name: PackageManager,
    lockfile: Option<String>,
    /// `packageManager` of package.json (`yarn@3.6.1`): corepack provides that release.
    declared: Option<String>,
    /// The release the lockfile's format calls for, when none is declared (`pnpm@10`).
    lockfile_release: Option<String>,
    /// True when a dependency compiles native code (node-gyp) at install.
    native: bool,
    /// The variables that turn off the browser and binary downloads of the install.
    download_skips: Vec<(&'static str, &'static str)>,
    /// The npm workspace the service is a member of, when its lockfile is at the workspace's
    /// root: the install runs there, for this member.
    member: Option<Member>,
}

/// A member of an npm workspace: `/app` is the workspace's root, the member a directory in it.
struct Member {
    /// The workspace's root, from the repository root (`.`).
    root: String,
    /// The lockfile, from the repository root.
    lockfile: String,
    /// The member's directory, from the workspace's root (`web`).
    dir: String,
}

impl PackageTool {
    fn of(cx: &Context<'_>) -> Self {
        let service = cx.facts.service;
        let name = match service.package_manager.value {
            pm @ (PackageManager::Pnpm | PackageManager::Yarn) => pm,
            _ => PackageManager::Npm,
        };
        let declared = service
            .inputs
            .package_manager_version
            .as_ref()
            .map(|v| v.value.clone())
            .filter(|v| v.starts_with("yarn@") || v.starts_with("pnpm@"));
        let member = service.inputs.workspace.as_ref().and_then(|ws| {
            let lockfile = ws.lockfile.as_ref()?.value.clone();
            let dir = cx.service_dir()?;
            let dir = if ws.root == "." {
                dir.to_string()
            } else {
                dir.strip_prefix(&format!("{}/", ws.root))?.to_string()
            };
            (ws.manager.value == PackageManager::Npm && service.lockfile.is_none()).then(|| {
                Member {
                    root: ws.root.clone(),
                    lockfile,
                    dir,
                }
            })
        });
        Self {
            name,
            lockfile: service.lockfile.as_ref().map(|l| l.value.clone()),
            declared,
            lockfile_release: service
                .inputs
                .lockfile_release
                .as_ref()
                .map(|r| r.value.clone()),
            native: !service.inputs.native.is_empty(),
            download_skips: download_skips(&service.inputs.install_downloads),
            member,
        }
    }

    /// Where the service's files go under `/app`: `./`, or the member's directory.
    fn dest(&self) -> String {
        match &self.member {
            Some(member) => format!("./{}/", member.dir),
            None => "./".into(),
        }
    }

    /// The runtime stage's working directory is the member's, where its start command runs.
    fn member_workdir(&self, stage: Stage) -> Stage {
        match &self.member {
            Some(member) => stage.step(Step::workdir(&format!("/app/{}", member.dir))),
            None => stage,
        }
    }

    /// Yarn 2 and later (Berry): `packageManager` says `yarn@2` or later, or the project
    /// configures Yarn with `.yarnrc.yml`.
    fn berry(&self, cx: &Context<'_>) -> bool {
        if self.name != PackageManager::Yarn {
            return false;
        }
        let major = self
            .declared
            .as_deref()
            .and_then(|v| v.strip_prefix("yarn@"))
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok());
        match major {
            Some(major) => major >= 2,
            None => cx
                .facts
                .service
                .inputs
                .config_files
                .iter()
                .any(|f| f.value.ends_with(".yarnrc.yml")),
        }
    }

    /// The command that makes corepack provide the declared release (`corepack enable`), the
    /// release the lockfile's format calls for, or pnpm's newest when only pnpm is known.
    fn corepack(&self) -> Vec<String> {
        match (&self.declared, self.name, &self.lockfile_release) {
            (Some(_), _, _) => vec!["corepack enable".into()],
            (None, PackageManager::Pnpm, Some(release)) => vec![
                "corepack enable pnpm".into(),
                format!("corepack prepare {release} --activate"),
            ],
            (None, PackageManager::Pnpm, None) => vec!["corepack enable pnpm".into()],
            _ => Vec::new(),
        }
    }

    /// COPY of the manifest and lockfile, then the install: every dependency, or with `prod`
    /// only the production ones.
    fn install_steps(&self, cx: &Context<'_>, prod: bool) -> Vec<Step> {
        let native = &cx.facts.service.inputs.native;
        let mut steps = system::install(
            &system::needs(native, &[]),
            native,
            Phase::Build,
            &cx.facts.base.build,
            &[],
        );
        if let Some(member) = &self.member {
            let at_root = |file: &str| match member.root.as_str() {
                "." => file.to_string(),
                root => format!("{root}/{file}"),
            };
            let mut install = format!("npm ci --workspace {}", quote::shell_word(&member.dir));
            if prod {
                install.push_str(" --omit=dev");
            }
            steps.extend([
                Step::comment(
                    "A member of the workspace whose lockfile is at its root: the install runs there, for this\nmember only.",
                ),
                Step::Copy(Copy::context(
                    &[&at_root("package.json"), &member.lockfile],
                    "./",
                )),
                Step::Copy(Copy::context(&[&cx.src("package.json")], &self.dest())),
            ]);
            steps.extend(config_copies(cx, Some(&member.root)));
            steps.push(Step::Run(vec![install]));
            return steps;
        }
        let mut files = vec![cx.src("package.json")];
        if let Some(lock) = &self.lockfile {
            files.push(cx.src(lock));
        }
        let sources: Vec<&str> = files.iter().map(String::as_str).collect();
        let locked = self.lockfile.is_some();
        let mut commands: Vec<String> = self.corepack();
        commands.extend(match self.name {
            PackageManager::Pnpm => {
                let mut install = String::from("pnpm install");
                if locked {
                    install.push_str(" --frozen-lockfile");
                }
                if prod {
                    install.push_str(" --prod");
                }
                vec![install]
            }
            PackageManager::Yarn if self.berry(cx) => {
                // Yarn Berry has no production-only install without a plugin: everything is
                // installed, from the lockfile as it is.
                let install = if locked {
                    "yarn install --immutable"
                } else {
                    "yarn install"
                };
                vec![install.into()]
            }
            PackageManager::Yarn => {
                let mut install = String::from("yarn install");
                if locked {
                    install.push_str(" --frozen-lockfile");
                }
                if prod {
                    install.push_str(" --production");
                }
                vec![install, "yarn cache clean".into()]
            }
            _ => {
                let mut install = String::from(if locked { "npm ci" } else { "npm install" });
                if prod {
                    install.push_str(" --omit=dev");
                }
                vec![install]
            }
        });
        steps.push(Step::Copy(Copy::context(&sources, "./")));
        steps.extend(config_copies(cx, cx.service_dir()));
        steps.push(Step::Run(commands));
        steps
    }

    /// Environment the install needs: corepack fetches pnpm without asking; node-gyp finds the
    /// image's own headers.
    fn env(&self) -> Vec<(&'static str, &'static str)> {
        let mut env = Vec::new();
        if !self.corepack().is_empty() {
            env.push(("COREPACK_ENABLE_DOWNLOAD_PROMPT", "0"));
        }
        if self.native {
            // node-gyp builds against the headers the Node image ships in /usr/local/include
            // instead of downloading them from nodejs.org at every build.
            env.push(("npm_config_nodedir", "/usr/local"));
        }
        env.extend(&self.download_skips);
        env
    }

    /// The package manager's `run build`.
    fn run_build(&self) -> String {
        if let Some(member) = &self.member {
            return format!(
                "npm run build --workspace {}",
                quote::shell_word(&member.dir)
            );
        }
        match self.name {
            PackageManager::Pnpm => "pnpm run build".into(),
            PackageManager::Yarn => "yarn run build".into(),
            _ => "npm run build".into(),
        }
    }

    /// Commands that drop the dev dependencies after the build.
    fn prune(&self, cx: &Context<'_>) -> Vec<String> {
        match self.name {
            PackageManager::Pnpm => vec!["pnpm prune --prod".into()],
            PackageManager::Yarn if self.berry(cx) => Vec::new(),
            PackageManager::Yarn => {
                let mut install =
                    String::from("yarn install --production --ignore-scripts --prefer-offline");
                if self.lockfile.is_some() {
                    install.push_str(" --frozen-lockfile");
                }
                vec![install, "yarn cache clean".into()]
            }
            _ => vec!["npm prune --omit=dev".into()],
        }
    }
}

/// `COPY` of the package manager's configuration (`.npmrc`, `.yarnrc.yml`, Yarn's release),
/// each to its place under `base` (the directory `/app` holds: the service's, or its
/// workspace's root; `None` or `.` for the repository root), before the install reads it.
fn config_copies(cx: &Context<'_>, base: Option<&str>) -> Vec<Step> {
    let prefix = base.filter(|b| *b != ".").map(|dir| format!("{dir}/"));
    let inputs = &cx.facts.service.inputs;
    let mut steps: Vec<Step> = inputs
        .config_files
        .iter()
        .filter_map(|file| {
            let path = file.value.as_str();
            let inside = match &prefix {
                Some(prefix) => path.strip_prefix(prefix.as_str())?,
                None => path,
            };
            Some(Step::Copy(Copy::context(&[path], &format!("./{inside}"))))
        })
        .collect();
    if !inputs.npm_settings.is_empty() {
        let variables: Vec<(String, String)> = inputs
            .npm_settings
            .iter()
            .map(|setting| {
                let (key, value) = &setting.value;
                (
                    format!("npm_config_{}", key.replace('-', "_")),
                    value.clone(),
                )
            })
            .collect();
        let pairs: Vec<(&str, &str)> = variables
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        steps.push(Step::comment(
            "The project's .npmrc settings, as npm reads them from the environment: the file itself\nstays out of the image.",
        ));
        steps.push(Step::env(&pairs));
    }
    steps
}

/// The build command: the detected one, else the package manager's `run build` for the
/// frameworks that always build (Next.js, NestJS); `None` when there is nothing to build.
fn build_command(
    cx: &Context<'_>,
    pm: &PackageTool,
    kind: Option<FrameworkKind>,
) -> Option<String> {
    if pm.member.is_some() && cx.facts.service.build_command.is_some() {
        return Some(pm.run_build());
    }
    if let Some(build) = &cx.facts.service.build_command
        && !build.value.is_empty()
    {
        return Some(quote::shell_line(&build.value));
    }
    matches!(kind, Some(FrameworkKind::NextJs | FrameworkKind::NestJs)).then(|| pm.run_build())
}

/// The start command, with `node` as PID 1 wherever the entry point is known, so signals reach
/// the server directly.
fn command(cx: &Context<'_>, kind: Option<FrameworkKind>, standalone: bool) -> Vec<String> {
    let service = cx.facts.service;
    let to_vec = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    if standalone {
        return to_vec(&["node", "server.js"]);
    }
    if kind == Some(FrameworkKind::NextJs)
        && let Some(port) = cx.facts.port.map(|p| p.to_string())
    {
        return to_vec(&[
            "node",
            "node_modules/next/dist/bin/next",
            "start",
            "--hostname",
            "0.0.0.0",
            "--port",
            &port,
        ]);
    }
    let start = &service.start_command.value;
    if start.first().map(String::as_str) == Some("node") {
        return start.clone();
    }
    if let Some(entry) = &service.entrypoint {
        return to_vec(&["node", &runnable_entry(&entry.value, kind)]);
    }
    if kind == Some(FrameworkKind::NestJs) {
        return to_vec(&["node", "dist/main.js"]);
    }
    start.clone()
}

/// The file `node` runs for an entry point: TypeScript sources map to their build output.
fn runnable_entry(entry: &str, kind: Option<FrameworkKind>) -> String {
    let entry = entry.trim_start_matches("./");
    match entry.strip_suffix(".ts") {
        Some(stem) => {
            let stem = stem.strip_prefix("src/").unwrap_or(stem);
            format!("dist/{stem}.js")
        }
        None if kind == Some(FrameworkKind::NestJs) && !entry.contains('.') => {
            format!("{entry}.js")
        }
        None => entry.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::runnable_entry;
    use crate::detect::FrameworkKind;

    #[test]
    fn typescript_entries_run_from_dist() {
        assert_eq!(
            runnable_entry("src/main.ts", Some(FrameworkKind::NestJs)),
            "dist/main.js"
        );
        assert_eq!(
            runnable_entry("dist/main", Some(FrameworkKind::NestJs)),
            "dist/main.js"
        );
        assert_eq!(runnable_entry("./server.js", None), "server.js");
    }
}
