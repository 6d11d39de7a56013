//! Go services (net/http, gin): a static binary (`CGO_ENABLED=0`) built on `golang:*-alpine`,
//! run on Alpine, whose busybox `wget` serves the HEALTHCHECK.
//!
//! `go.mod` and `go.sum` are copied and downloaded before the source, so the module download is a
//! layer of its own. A `go` directive in `go.mod` picks the builder's Go version.

use super::file::{Copy, Stage, Step};
use super::{Context, alpine_user, assemble, runtime_stage};

/// The Go Dockerfile.
pub(super) fn build(cx: &Context<'_>) -> super::file::Dockerfile {
    let service = cx.facts.service;
    let mut modules = vec![cx.src("go.mod")];
    if let Some(lock) = &service.lockfile {
        modules.push(cx.src(&lock.value));
    }
    let modules: Vec<&str> = modules.iter().map(String::as_str).collect();
    let builder = Stage::new(
        "builder",
        &builder_image(cx),
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
        &cx.params.base_images.go_runtime,
        "Runtime: the binary alone, owned by the non-root runtime user.",
        Some(alpine_user(cx.params)),
    )
    .step(Step::Copy(
        Copy::stage("builder", "/out/server", "/app/server").owned_by(&cx.owner()),
    ));
    let runtime = cx.finish(
        runtime,
        cx.wget_health_command(),
        vec!["/app/server".into()],
    );
    assemble(cx, vec![builder, runtime])
}

/// `golang:<major.minor>-alpine` when go.mod declares a version, else the configured builder.
fn builder_image(cx: &Context<'_>) -> String {
    let declared = cx.facts.service.language_version.as_ref().and_then(|v| {
        let mut parts = v.value.split('.');
        let major = parts.next()?;
        let minor = parts.next()?;
        let numeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        (numeric(major) && numeric(minor)).then(|| format!("{major}.{minor}"))
    });
    match declared {
        Some(version) => format!("golang:{version}-alpine"),
        None => cx.params.base_images.go_builder.clone(),
    }
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
