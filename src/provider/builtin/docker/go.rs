//! Go services (net/http, gin): a static binary (`CGO_ENABLED=0`) built on `golang:<version>`
//! (the `toolchain` or `go` line of `go.mod`), run on `debian:bookworm-slim`, whose bash checks
//! health; or on Alpine, whose busybox does (see [`crate::provider::builtin::images`]).
//!
//! `go.mod` and `go.sum` are copied and downloaded before the source, so the module download is a
//! layer of its own.

use super::file::{Copy, Stage, Step};
use super::{Context, assemble, health, runtime_stage};

/// The Go Dockerfile.
pub(super) fn build(cx: &Context<'_>) -> super::file::Dockerfile {
    let service = cx.facts.service;
    let mut modules = vec![cx.src("go.mod")];
    if let Some(lock) = &service.lockfile {
        modules.push(cx.src(&lock.value));
    }
    let modules: Vec<&str> = modules.iter().map(String::as_str).collect();
    let (build_image, runtime_image) = (&cx.facts.base.build, &cx.facts.base.runtime);
    let builder = Stage::new(
        "builder",
        build_image,
        "Build: modules first (a layer rebuilt only when go.mod or go.sum change), then a static binary.",
    )
    .step(Step::workdir("/src"))
    .step(Step::env(&[("CGO_ENABLED", "0")]))
    .step(Step::Copy(Copy::context(&modules, "./")))
    .step(Step::run(&["go mod download"]))
    .step(Step::Copy(Copy::context(&[&cx.src_dir()], "./")))
    .step(Step::Run(vec![format!(
        "go build -trimpath -ldflags=\"-s -w\" -o /out/server {}",
        package(cx)
    )]));
    let runtime = runtime_stage(
        runtime_image,
        "Runtime: the binary alone, owned by the non-root runtime user.",
        cx.create_user(runtime_image),
    )
    .step(Step::Copy(
        Copy::stage("builder", "/out/server", "/app/server").owned_by(&cx.owner()),
    ));
    let runtime = cx.finish(
        runtime,
        health::shell_tool(runtime_image),
        vec!["/app/server".into()],
    );
    assemble(cx, vec![builder, runtime])
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
        crate::provider::builtin::quote::shell_word(&format!("./{dir}"))
    }
}
