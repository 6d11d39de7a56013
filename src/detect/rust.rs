//! Rust services: a `Cargo.toml`.
//!
//! [`detect`] reads `Cargo.toml` for the package and binary names, `rust-version` and the web
//! framework (axum, actix-web), `rust-toolchain(.toml)` for a pinned toolchain, then the code for
//! `fn main`, the bind address, the routes and the variables.

use std::sync::LazyLock;

use regex::Regex;

use super::env;
use super::manifest::{TomlDoc, dependency_spec, version_in};
use super::model::{
    FileProblem, Framework, FrameworkKind, Language, PackageManager, Service, ServiceKind, Sourced,
};
use super::routes::{self, Probes};
use super::source::{ServiceDir, ServiceFile, find_port, is_env_example};
use super::{argv, backend, regex};

/// The default port of a Rust web service.
const DEFAULT_PORT: u16 = 8080;

/// Detects the Rust service in `dir`.
pub fn detect(dir: &ServiceDir, problems: &mut Vec<FileProblem>) -> Result<Service, FileProblem> {
    let file = dir.read("Cargo.toml")?;
    let doc = TomlDoc::parse(&file)?;
    let sources = dir.sources(|rel| rel.ends_with(".rs") || is_env_example(rel), problems);
    let framework = framework(&doc);
    let binary = binary_name(&doc, dir);
    let locked = dir.has("Cargo.lock");
    let mut build = vec!["cargo", "build", "--release"];
    if locked {
        build.push("--locked");
    }
    let probes = Probes::pick(&routes::declared(&sources));

    Ok(Service {
        kind: Sourced::default_value(ServiceKind::Http),
        name: String::new(),
        path: dir.path.clone(),
        manifest: "Cargo.toml".to_string(),
        class: backend(framework.as_ref()),
        language: Sourced::new(Language::Rust, dir.file_origin("Cargo.toml")),
        language_version: toolchain(dir, problems)
            .or_else(|| version_in(doc.string(&["package", "rust-version"])?)),
        framework,
        package_manager: Sourced::new(PackageManager::Cargo, dir.file_origin("Cargo.toml")),
        lockfile: dir.present("Cargo.lock"),
        start_command: Sourced::new(
            vec![format!("./target/release/{}", binary.value)],
            binary.origin.clone(),
        ),
        build_command: Some(Sourced::new(argv(&build), dir.file_origin("Cargo.toml"))),
        entrypoint: main_fn(&sources),
        port: Some(find_port(&sources, &PORT).unwrap_or(Sourced::default_value(DEFAULT_PORT))),
        health_path: probes.health,
        readiness_path: probes.readiness,
        env: env::collect(&sources),
    })
}

/// axum or actix-web, from `[dependencies]`.
fn framework(doc: &TomlDoc<'_>) -> Option<Sourced<Framework>> {
    const KNOWN: &[(&str, FrameworkKind)] = &[
        ("axum", FrameworkKind::Axum),
        ("actix-web", FrameworkKind::Actix),
    ];
    let dependencies = doc.table(&["dependencies"])?;
    KNOWN.iter().find_map(|(name, kind)| {
        let (key, value) = dependencies.get_key_value(*name)?;
        let version = dependency_spec(value).map(str::to_string);
        Some(Sourced::new(
            Framework::declared(*kind, version),
            doc.file.origin(key.span().start),
        ))
    })
}

/// The binary to run: the first `[[bin]]`, else the package's name, else the directory's.
fn binary_name(doc: &TomlDoc<'_>, dir: &ServiceDir) -> Sourced<String> {
    let first_bin = doc
        .get(&["bin"])
        .and_then(|bins| bins.get_ref().as_array())
        .and_then(|bins| bins.first())
        .and_then(|bin| bin.get_ref().get("name"))
        .and_then(|name| Some(doc.sourced(name.get_ref().as_str()?.to_string(), name)));
    first_bin
        .or_else(|| doc.string(&["package", "name"]))
        .unwrap_or_else(|| {
            let name = dir.path.rsplit('/').next().unwrap_or("app").to_string();
            Sourced::default_value(name)
        })
}

/// A toolchain pinned by `rust-toolchain.toml` or `rust-toolchain`, when it names a version.
fn toolchain(dir: &ServiceDir, problems: &mut Vec<FileProblem>) -> Option<Sourced<String>> {
    if let Some(file) = dir.read_if_present("rust-toolchain.toml", problems) {
        let channel = match TomlDoc::parse(&file) {
            Ok(doc) => doc.string(&["toolchain", "channel"]),
            Err(problem) => {
                problems.push(problem);
                None
            }
        }?;
        return channel
            .value
            .starts_with(|c: char| c.is_ascii_digit())
            .then_some(channel);
    }
    let file = dir.read_if_present("rust-toolchain", problems)?;
    let line = file.first_line()?;
    line.value
        .starts_with(|c: char| c.is_ascii_digit())
        .then(|| line.map(str::to_string))
}

static MAIN_FN: LazyLock<Regex> = LazyLock::new(|| regex(r"(?m)^(?:async\s+)?fn\s+main\s*\("));

/// The file with `fn main`, `src/main.rs` first.
fn main_fn(sources: &[ServiceFile]) -> Option<Sourced<String>> {
    let mut files: Vec<&ServiceFile> = sources.iter().collect();
    files.sort_by_key(|f| f.rel != "src/main.rs");
    files.into_iter().find_map(|file| {
        let found = file.find(&MAIN_FN)?.get(0)?;
        Some(file.sourced(file.rel.clone(), found.start()))
    })
}

static PORT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?:"(?:0\.0\.0\.0|127\.0\.0\.1|localhost|\[::\])?:(\d{2,5})"|\(\s*"(?:0\.0\.0\.0|127\.0\.0\.1|localhost|::)"\s*,\s*(\d{2,5})\s*\)|\(\s*\[\s*\d+\s*,\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\]\s*,\s*(\d{2,5})\s*\))"#,
    )
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::port_in;

    #[test]
    fn bind_addresses() {
        let port = |text: &str| port_in(text, &PORT);
        assert_eq!(port("TcpListener::bind(\"0.0.0.0:3000\")"), Some(3000));
        assert_eq!(port(".bind((\"0.0.0.0\", 8081))?"), Some(8081));
        assert_eq!(port("SocketAddr::from(([0, 0, 0, 0], 4000))"), Some(4000));
        assert_eq!(port("let url = \"redis://localhost:6379\";"), None);
    }
}
