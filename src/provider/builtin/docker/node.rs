//! Node services (Next.js with and without standalone output, Express, NestJS; npm, pnpm or
//! Yarn).
//!
//! Three shapes:
//! - Next.js with `output: 'standalone'`: the runtime gets only `.next/standalone`,
//!   `.next/static` and `public`, and runs `node server.js`;
//! - anything else with a build step (Next.js without standalone, NestJS, Express with a build
//!   script): the builder installs every dependency, builds, then prunes the dev dependencies;
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
use super::{Context, assemble, is_alpine, runtime_stage};
use crate::detect::{FrameworkKind, PackageManager};
use crate::provider::builtin::facts::framework;
use crate::provider::builtin::quote;

/// The Node Dockerfile.
pub(super) fn build(cx: &Context<'_>) -> super::file::Dockerfile {
    let service = cx.facts.service;
    let kind = framework(service);
    let next = kind == Some(FrameworkKind::NextJs);
    let standalone = next
        && service
            .framework
            .as_ref()
            .and_then(|f| f.value.standalone)
            .unwrap_or(false);
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
            builder = builder.step(Step::Copy(Copy::context(&[&cx.src_dir()], "./")));
            let mut commands = vec![build];
            if standalone {
                builder = builder.step(Step::comment(
                    "public/ is created when the app has none: the runtime stage copies it.",
                ));
                commands.push("mkdir -p public".into());
            } else {
                builder = builder.step(Step::comment(
                    "After the build only the production dependencies stay (and no build cache).",
                ));
                commands.extend(pm.prune());
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
                runtime.step(Step::Copy(
                    Copy::stage("builder", "/app", "./").owned_by(&owner),
                ))
            }
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
            runtime_stage(
                runtime_image,
                &format!("Runtime: the dependencies and the source, owned by the non-root runtime user.{user_note}"),
                user,
            )
            .step(Step::Env(owned(&env)))
            .steps([
                Step::Copy(Copy::stage("deps", "/app/node_modules", "./node_modules").owned_by(&owner)),
                Step::Copy(Copy::context(&[&cx.src_dir()], "./").owned_by(&owner)),
            ])
        }
    };
    // busybox `wget` checks a path on Alpine, as it always has; `node` checks everything else.
    let tool = if is_alpine(runtime_image) && cx.facts.liveness_path.is_some() {
        Tool::Busybox
    } else {
        Tool::Node
    };
    stages.push(cx.finish(runtime, tool, command(cx, kind, standalone)));
    assemble(cx, stages)
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
}

impl PackageTool {
    fn of(cx: &Context<'_>) -> Self {
        let service = cx.facts.service;
        let name = match service.package_manager.value {
            pm @ (PackageManager::Pnpm | PackageManager::Yarn) => pm,
            _ => PackageManager::Npm,
        };
        Self {
            name,
            lockfile: service.lockfile.as_ref().map(|l| l.value.clone()),
        }
    }

    /// COPY of the manifest and lockfile, then the install: every dependency, or with `prod`
    /// only the production ones.
    fn install_steps(&self, cx: &Context<'_>, prod: bool) -> Vec<Step> {
        let mut files = vec![cx.src("package.json")];
        if let Some(lock) = &self.lockfile {
            files.push(cx.src(lock));
        }
        let sources: Vec<&str> = files.iter().map(String::as_str).collect();
        let locked = self.lockfile.is_some();
        let commands: Vec<String> = match self.name {
            PackageManager::Pnpm => {
                let mut install = String::from("pnpm install");
                if locked {
                    install.push_str(" --frozen-lockfile");
                }
                if prod {
                    install.push_str(" --prod");
                }
                vec!["corepack enable pnpm".into(), install]
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
        };
        vec![
            Step::Copy(Copy::context(&sources, "./")),
            Step::Run(commands),
        ]
    }

    /// Environment the install needs: corepack fetches pnpm without asking.
    fn env(&self) -> Vec<(&'static str, &'static str)> {
        match self.name {
            PackageManager::Pnpm => vec![("COREPACK_ENABLE_DOWNLOAD_PROMPT", "0")],
            _ => Vec::new(),
        }
    }

    /// The package manager's `run build`.
    fn run_build(&self) -> String {
        match self.name {
            PackageManager::Pnpm => "pnpm run build".into(),
            PackageManager::Yarn => "yarn run build".into(),
            _ => "npm run build".into(),
        }
    }

    /// Commands that drop the dev dependencies after the build.
    fn prune(&self) -> Vec<String> {
        match self.name {
            PackageManager::Pnpm => vec!["pnpm prune --prod".into()],
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

/// The build command: the detected one, else the package manager's `run build` for the
/// frameworks that always build (Next.js, NestJS); `None` when there is nothing to build.
fn build_command(
    cx: &Context<'_>,
    pm: &PackageTool,
    kind: Option<FrameworkKind>,
) -> Option<String> {
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
