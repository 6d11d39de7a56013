//! Rust services (axum, actix-web): `cargo build --release --locked` on `rust:*-slim-bookworm`,
//! run on `debian:bookworm-slim` (the same Debian release, so the glibc matches).
//!
//! Dependencies build first against a placeholder `main.rs` (one at every target file
//! `Cargo.toml` declares, `[[bin]] path = "src/healthcheck.rs"`), in a layer rebuilt only when
//! `Cargo.toml` or `Cargo.lock` change. The runtime image has no HTTP client, so the HEALTHCHECK
//! speaks HTTP/1.0 through bash's `/dev/tcp` and accepts any 2xx status line (see
//! [`super::health`]). The CA bundle comes from the builder for outbound TLS (rustls with
//! native roots, or OpenSSL).
//!
//! Native crates found in `Cargo.lock` add system packages ([`super::system`]): `openssl-sys`
//! gets `pkg-config libssl-dev` to build and `libssl3` to run, unless OpenSSL is vendored
//! (`openssl-src`, which needs `perl` and `make` instead); `pq-sys` gets libpq. Runtime assets
//! (`templates/`, `static/`, `migrations/`) are copied next to the binary in `/app`, the working
//! directory the code's relative paths resolve from. Path dependencies outside the service
//! (`path = "../lib"`) are copied at their place, the builder keeping the repository's layout.
//!
//! sqlx's `query!` macros without offline query data (detection's `query_checks`) need a
//! database while the code compiles: the builder installs Debian's PostgreSQL server, and the
//! build of the service runs between the start and the stop of a throwaway one, trusted on the
//! loopback, with the service's migrations applied in sqlx's order and `DATABASE_URL` naming it.
//! Nothing of it reaches the runtime image.

use super::file::{Copy, Stage, Step};
use super::system::{self, Phase};
use super::ui_build::UiBuilds;
use super::{Context, assemble, health, runtime_stage};
use crate::detect::QueryChecks;
use crate::detect::{NativeDependency, Origin, SystemNeed};
use crate::provider::builtin::quote::shell_word;

/// The Rust Dockerfile.
pub(super) fn build(cx: &Context<'_>) -> super::file::Dockerfile {
    let service = cx.facts.service;
    let binary = binary_name(cx);
    let lock = service
        .lockfile
        .as_ref()
        .map_or("Cargo.lock", |l| l.value.as_str());
    let locked = if service.lockfile.is_some() {
        " --locked"
    } else {
        ""
    };
    let (build_image, runtime_image) = (&cx.facts.base.build, &cx.facts.base.runtime);
    let needs = native_needs(&service.inputs.native);
    let local = cx.outside_paths(&service.inputs.local_paths);
    let workdir = cx.builder_workdir(&local);
    let builder = Stage::new(
        "builder",
        build_image,
        "Build: dependencies first against a placeholder main.rs (a layer rebuilt only when\nCargo.toml or Cargo.lock change), then the service itself.",
    )
    .step(Step::workdir(&workdir))
    .steps(system::install(
        &needs,
        &service.inputs.native,
        Phase::Build,
        build_image,
        &[],
    ));
    let mut manifests = vec![cx.src("Cargo.toml")];
    if service.lockfile.is_some() {
        manifests.push(cx.src(lock));
    }
    let manifests: Vec<&str> = manifests.iter().map(String::as_str).collect();
    let builder = builder
        .step(Step::Copy(Copy::context(&manifests, "./")))
        .steps(cx.local_copies(&local))
        .step(Step::comment(
            "The dependencies alone, against a placeholder main.rs: reused until the manifests change.",
        ));
    let targets = Targets::of(cx);
    let mut placeholder = vec![targets.mkdir()];
    placeholder.extend(targets.placeholders());
    placeholder.push(format!("cargo build --release{locked}"));
    placeholder.push(targets.remove());
    let mut ui = UiBuilds::of(cx);
    let builder = builder
        .step(Step::Run(placeholder))
        .step(Step::Copy(Copy::context(&[&cx.src_dir()], "./")))
        .steps(ui.copies(cx, None))
        .steps(ui.checks());
    let build = format!(
        "cargo build --release{locked} --bin {}",
        shell_word(&binary)
    );
    let mut commands = vec![targets.touch()];
    let builder = match &service.inputs.query_checks {
        Some(checks) => {
            commands.extend(with_query_database(&checks.value, build));
            builder.step(Step::comment(QUERY_DATABASE_WHY))
        }
        None => {
            commands.push(build);
            builder
        }
    };
    commands.push(format!(
        "cp {} /server",
        shell_word(&format!("target/release/{binary}"))
    ));
    let builder = builder.step(Step::Run(commands));
    let owner = cx.owner();
    let runtime = runtime_stage(
        runtime_image,
        "Runtime: the binary and the CA bundle, the binary owned by the non-root runtime user.",
        cx.create_user(runtime_image),
    )
    .steps(system::install(
        &needs,
        &service.inputs.native,
        Phase::Runtime,
        runtime_image,
        &[],
    ))
    .step(Step::Copy(Copy::stage(
        "builder",
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/ssl/certs/ca-certificates.crt",
    )))
    .step(Step::Copy(
        Copy::stage("builder", "/server", "/app/server").owned_by(&owner),
    ));
    let runtime = runtime.steps(cx.asset_copies(&workdir));
    let runtime = cx.finish(
        runtime,
        health::shell_tool(runtime_image),
        cx.binary_command(),
    );
    ui.stages.extend([builder, runtime]);
    assemble(cx, ui.stages)
}

const QUERY_DATABASE_WHY: &str = "sqlx checks every query! against a live database as the code compiles, and the project keeps\nno offline query data (.sqlx/, sqlx-data.json): a throwaway PostgreSQL with the migrations\napplied answers for this build only (on its own port: builds may share the host's network).";

/// Where the throwaway database of a build that checks queries lives, and its port.
const QUERY_DATABASE: &str = "/tmp/query-check-db";
const QUERY_DATABASE_PORT: u16 = 55432;

/// `build` between the start and the stop of a throwaway PostgreSQL (the release's server,
/// trusted on the loopback only), with the migrations applied in order, and `DATABASE_URL` naming it.
fn with_query_database(checks: &QueryChecks, build: String) -> Vec<String> {
    // Debian keeps the server's programs in a versioned directory, Alpine on PATH.
    let bin = "PATH=$(echo /usr/lib/postgresql/*/bin):$PATH";
    let port = QUERY_DATABASE_PORT;
    let mut commands = vec![
        format!(
            "su postgres -c \"{bin} initdb --auth=trust --username=postgres --encoding=UTF8 --locale=C.UTF-8 -D {QUERY_DATABASE} >/dev/null\""
        ),
        format!(
            "su postgres -c \"{bin} pg_ctl -D {QUERY_DATABASE} -o '-c listen_addresses=127.0.0.1 -p {port} -k /tmp' -w start >/dev/null\""
        ),
    ];
    if !checks.migrations.is_empty() {
        let files: Vec<String> = checks
            .migrations
            .iter()
            .map(|m| format!("-f {}", shell_word(m)))
            .collect();
        commands.push(format!(
            "psql -h 127.0.0.1 -p {port} -U postgres -d postgres -v ON_ERROR_STOP=1 -q {}",
            files.join(" ")
        ));
    }
    commands.push(format!(
        "DATABASE_URL=postgres://postgres@127.0.0.1:{port}/postgres {build}"
    ));
    commands.push(format!(
        "su postgres -c \"{bin} pg_ctl -D {QUERY_DATABASE} -m fast -w stop >/dev/null\""
    ));
    commands.push(format!("rm -rf {QUERY_DATABASE}"));
    commands
}

/// The source files of the crate's targets, relative to the service: `src/main.rs` unless
/// `Cargo.toml` names others (detection's `cargo_targets`). The dependency build puts a
/// placeholder at each, since cargo stops when a declared target's file is missing, and the real
/// build touches each, so that cargo sees them newer than the placeholders' output.
struct Targets(Vec<String>);

impl Targets {
    fn of(cx: &Context<'_>) -> Self {
        let declared = &cx.facts.service.inputs.cargo_targets;
        let mut files: Vec<String> = declared.iter().map(|t| t.value.clone()).collect();
        if files.is_empty() {
            files.push("src/main.rs".into());
        }
        Self(files)
    }

    fn quoted(&self) -> Vec<String> {
        self.0.iter().map(|f| shell_word(f)).collect()
    }

    /// The directories the placeholders go in.
    fn dirs(&self) -> Vec<String> {
        let mut dirs: Vec<String> = self
            .0
            .iter()
            .map(|f| f.rsplit_once('/').map_or(".", |(dir, _)| dir).to_string())
            .filter(|d| d != ".")
            .collect();
        dirs.sort();
        dirs.dedup();
        dirs
    }

    fn mkdir(&self) -> String {
        match self.dirs().as_slice() {
            [only] if only == "src" => "mkdir src".into(),
            dirs => {
                let quoted: Vec<String> = dirs.iter().map(|d| shell_word(d)).collect();
                format!("mkdir -p {}", quoted.join(" "))
            }
        }
    }

    fn placeholders(&self) -> Vec<String> {
        self.quoted()
            .into_iter()
            .map(|f| format!("echo 'fn main() {{}}' > {f}"))
            .collect()
    }

    /// Removes the placeholders' top-level directories (and files at the top level).
    fn remove(&self) -> String {
        let mut tops: Vec<String> = self
            .0
            .iter()
            .map(|f| f.split('/').next().unwrap_or(f).to_string())
            .collect();
        tops.sort();
        tops.dedup();
        let quoted: Vec<String> = tops.iter().map(|t| shell_word(t)).collect();
        format!("rm -rf {}", quoted.join(" "))
    }

    fn touch(&self) -> String {
        format!("touch {}", self.quoted().join(" "))
    }
}

/// What the native crates need from the system. The builder's `gcc` compiles the C code of the
/// crates that bundle it (`libsqlite3-sys`, `zstd-sys`), so a C compiler asks for nothing more;
/// a vendored OpenSSL (`openssl-src`) is linked statically, so the system's is not needed.
fn native_needs(deps: &[NativeDependency]) -> Vec<SystemNeed> {
    let vendored = deps.iter().any(|d| d.name == "openssl-src");
    let mut skip = vec![SystemNeed::CCompiler];
    if vendored {
        skip.push(SystemNeed::Openssl);
    }
    system::needs(deps, &skip)
}

/// The binary to build: the entry point when it names one, else the program of a start command
/// read from the project, else the service's name.
fn binary_name(cx: &Context<'_>) -> String {
    let service = cx.facts.service;
    if let Some(entry) = &service.entrypoint
        && !entry.value.contains(['/', '.'])
        && !entry.value.is_empty()
    {
        return entry.value.clone();
    }
    if service.start_command.origin != Origin::Default
        && let Some(program) = service.start_command.value.first()
    {
        let base = program.rsplit('/').next().unwrap_or(program);
        if !base.is_empty() && base != "cargo" {
            return base.to_string();
        }
    }
    service.name.clone()
}
