//! Go services (net/http, gin): a binary built on `golang:<version>` (the `toolchain` or `go`
//! line of `go.mod`), run on `debian:bookworm-slim`, whose bash checks health; or on Alpine,
//! whose busybox does (see [`crate::provider::builtin::images`]).
//!
//! What detection found shapes the build:
//! - a dependency that needs cgo (`go-sqlite3`) turns `CGO_ENABLED=1` on, with the C compiler of
//!   the Debian builder and a runtime of the same Debian release (its glibc); otherwise the binary
//!   is static (`CGO_ENABLED=0`);
//! - `replace` directives to local directories: those directories are copied beside the service
//!   at the same relative place before `go mod download`;
//! - `//go:embed` directories the source does not hold: a stage runs the `build` script of the
//!   package that produces them and the builder copies the result in; when no package produces
//!   them, the builder stops with a message naming the `//go:embed` line (see [`super::ui_build`]);
//! - runtime assets (`templates/`, `static/`, `migrations/`): copied next to the binary, in the
//!   working directory `/app`, where the code's relative paths resolve.
//!
//! `go.mod` and `go.sum` are copied and downloaded before the source, so the module download is a
//! layer of its own.

use super::file::{Copy, Stage, Step};
use super::ui_build::UiBuilds;
use super::{Context, assemble, health, runtime_stage};
use crate::provider::builtin::images::needs_cgo;
use crate::provider::builtin::quote::shell_word;

/// The Go Dockerfile.
pub(super) fn build(cx: &Context<'_>) -> super::file::Dockerfile {
    let service = cx.facts.service;
    let inputs = &service.inputs;
    let cgo = needs_cgo(service);
    let local = cx.outside_paths(&inputs.local_paths);
    let workdir = cx.builder_workdir(&local);
    let mut modules = vec![cx.src("go.mod")];
    if let Some(lock) = &service.lockfile {
        modules.push(cx.src(&lock.value));
    }
    let modules: Vec<&str> = modules.iter().map(String::as_str).collect();
    let (build_image, runtime_image) = (&cx.facts.base.build, &cx.facts.base.runtime);
    let mut stages = Vec::new();
    let (intro, env) = if cgo {
        let names: Vec<&str> = inputs.native.iter().map(|n| n.name.as_str()).collect();
        (
            format!(
                "Build: modules first (a layer rebuilt only when go.mod or go.sum change), then the\nbinary, with cgo: {} links C code.",
                names.join(", ")
            ),
            "1",
        )
    } else {
        (
            "Build: modules first (a layer rebuilt only when go.mod or go.sum change), then a static binary."
                .to_string(),
            "0",
        )
    };
    let mut builder = Stage::new("builder", build_image, &intro)
        .step(Step::workdir(&workdir))
        .step(Step::env(&[("CGO_ENABLED", env)]))
        .step(Step::Copy(Copy::context(&modules, "./")));
    builder = builder
        .steps(cx.local_copies(&local))
        .step(Step::run(&["go mod download"]))
        .step(Step::Copy(Copy::context(&[&cx.src_dir()], "./")));
    let mut ui = UiBuilds::of(cx);
    stages.append(&mut ui.stages);
    builder = builder.steps(ui.copies(cx, None)).steps(ui.checks());
    builder = builder.step(Step::Run(vec![format!(
        "go build -trimpath -ldflags=\"-s -w\" -o /out/server {}",
        package(cx)
    )]));
    stages.push(builder);
    let owner = cx.owner();
    let comment = if inputs.runtime_assets.is_empty() {
        "Runtime: the binary alone, owned by the non-root runtime user."
    } else {
        "Runtime: the binary and the files it reads from its working directory (/app), owned by\nthe non-root runtime user."
    };
    let runtime = runtime_stage(runtime_image, comment, cx.create_user(runtime_image)).step(
        Step::Copy(Copy::stage("builder", "/out/server", "/app/server").owned_by(&owner)),
    );
    let runtime = runtime.steps(cx.asset_copies(&workdir));
    let runtime = cx.finish(
        runtime,
        health::shell_tool(runtime_image),
        cx.binary_command(),
    );
    stages.push(runtime);
    assemble(cx, stages)
}

/// The package to build: the detected entry point's directory (`./cmd/server`), else the module
/// root.
fn package(cx: &Context<'_>) -> String {
    let Some(entry) = &cx.facts.service.entrypoint else {
        return ".".into();
    };
    let entry = entry.value.trim_start_matches("./");
    let dir = if entry.ends_with(".go") {
        entry.rsplit_once('/').map_or("", |(dir, _)| dir)
    } else {
        entry.trim_end_matches('/')
    };
    if dir.is_empty() || dir == "." {
        ".".into()
    } else {
        shell_word(&format!("./{dir}"))
    }
}
