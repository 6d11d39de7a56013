//! Rust services: a `Cargo.toml`.
//!
//! [`detect`] reads `Cargo.toml` for the package and binary names, `rust-version` and the web
//! framework (axum, actix-web), `rust-toolchain(.toml)` for a pinned toolchain, then the code for
//! `fn main`, the bind address, the routes and the variables.

use std::sync::LazyLock;

use regex::Regex;
use toml::Spanned;
use toml::de::DeValue;

use super::data_dirs;
use super::declared::Declared;
use super::manifest::{TomlDoc, dependency_spec, version_in};
use super::model::{
    FileProblem, Framework, FrameworkKind, Language, NativeDependency, PackageManager, QueryChecks,
    Service, ServiceClass, ServiceKind, Sourced, SystemNeed,
};
use super::routes::{self, Probes};
use super::service_set::Described;
use super::source::{ServiceDir, ServiceFile, is_env_example};
use super::{argv, backend, env, frontend, inputs, ports, regex};

/// Detects the Rust service in `dir`.
pub(super) fn detect(
    dir: &ServiceDir,
    declared: &Declared,
    problems: &mut Vec<FileProblem>,
) -> Result<Described, FileProblem> {
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
    let entry = main_fn(&sources);
    let port = declared.port().or_else(|| {
        ports::find(
            &sources,
            Language::Rust,
            &super::directory_label(dir),
            entry.as_ref().map(|e| e.value.as_str()),
        )
    });
    let mut start = Sourced::new(
        vec![format!("./target/release/{}", binary.value)],
        binary.origin.clone(),
    );
    if let Some(args) = declared.binary_arguments(Language::Rust) {
        start.value.extend(args.value);
        start.origin = args.origin;
    }
    let grpc = sources
        .iter()
        .find_map(|f| Some(f.origin(TONIC_SERVER.find(&f.text)?.start())));
    let kind = match (&grpc, &framework) {
        (Some(origin), None) => Sourced::new(ServiceKind::Grpc, origin.clone()),
        _ => Sourced::default_value(ServiceKind::Http),
    };
    let class = match frontend::serves_pages(&sources) {
        Some(origin) => Sourced::new(ServiceClass::Frontend, origin),
        None => backend(framework.as_ref()),
    };
    let runs = entry
        .as_ref()
        .map(|e| e.origin.clone())
        .ok_or_else(|| "no binary (no `fn main`): a library crate".to_string());
    let is_workspace = doc.get(&["workspace"]).is_some();

    let mut service = Service {
        kind,
        name: String::new(),
        path: dir.path.clone(),
        manifest: "Cargo.toml".to_string(),
        class,
        language: Sourced::new(Language::Rust, dir.file_origin("Cargo.toml")),
        language_version: toolchain(dir, problems)
            .or_else(|| version_in(doc.string(&["package", "rust-version"])?)),
        framework,
        package_manager: Sourced::new(PackageManager::Cargo, dir.file_origin("Cargo.toml")),
        lockfile: dir.present("Cargo.lock"),
        start_command: start,
        prestart: Vec::new(),
        build_command: Some(Sourced::new(argv(&build), dir.file_origin("Cargo.toml"))),
        entrypoint: entry,
        port,
        health_path: probes.health,
        readiness_path: probes.readiness,
        env: env::collect(&sources),
        data_dirs: Vec::new(),
        depends_on: Vec::new(),
        inputs: Default::default(),
        undetermined: Vec::new(),
    };
    service.inputs.native = native(dir, &doc, problems);
    service.inputs.query_checks = query_checks(dir, &doc, &sources);
    if let Some(checks) = &service.inputs.query_checks {
        service.inputs.native.push(NativeDependency {
            name: "sqlx-macros".to_string(),
            needs: vec![SystemNeed::PostgresServer],
            origin: checks.origin.clone(),
        });
    }
    service.inputs.local_paths = local_paths(dir, &doc);
    service.inputs.cargo_targets = targets(&doc);
    service.inputs.runtime_assets = inputs::runtime_assets(dir, &sources, Language::Rust, &[]);
    service.data_dirs = data_dirs::flag_defaults(&sources);
    Ok(Described {
        workspace_root: is_workspace,
        ..Described::program(service, runs)
    })
}

/// A sqlx macro that checks its query against the database when the code compiles.
static CHECKED_QUERY: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\bquery(?:_as|_scalar|_file|_file_as|_file_scalar)?!\s*\("));

/// sqlx's compile-time checked queries against PostgreSQL, when the project keeps no offline
/// data for them (`.sqlx/` of sqlx 0.7 on, `sqlx-data.json` before): `cargo build` then needs
/// `DATABASE_URL` and a database with the schema. `None` for another database, for offline data,
/// and for code without such a macro. Sourced at the first macro.
fn query_checks(
    dir: &ServiceDir,
    doc: &TomlDoc<'_>,
    sources: &[ServiceFile],
) -> Option<Sourced<QueryChecks>> {
    let sqlx = doc.table(&["dependencies"])?.get("sqlx")?.get_ref();
    let postgres = sqlx
        .get("features")
        .and_then(|features| features.get_ref().as_array())
        .is_some_and(|features| {
            features
                .iter()
                .any(|f| f.get_ref().as_str() == Some("postgres"))
        });
    // The walk leaves hidden directories out: `.sqlx/` is looked for on disk, in the service
    // and at the repository root (`cargo sqlx prepare --workspace` writes it there); so is
    // `SQLX_OFFLINE=true`, which makes the macros read it.
    let offline = dir.has("sqlx-data.json")
        || dir.absolute(".sqlx").is_dir()
        || dir.root.join(".sqlx").is_dir()
        || dir.root.join("sqlx-data.json").is_file()
        || [dir.absolute(".env"), dir.root.join(".env")]
            .iter()
            .filter_map(|env| std::fs::read_to_string(env).ok())
            .any(|text| {
                text.lines()
                    .any(|line| line.trim().eq_ignore_ascii_case("SQLX_OFFLINE=true"))
            });
    if !postgres || offline {
        return None;
    }
    // What `cargo build` compiles: not the tests, benches or examples.
    let first = sources
        .iter()
        .filter(|f| {
            f.rel.ends_with(".rs")
                && !["tests/", "benches/", "examples/"]
                    .iter()
                    .any(|d| f.rel.starts_with(d))
        })
        .find_map(|f| Some(f.origin(CHECKED_QUERY.find(&f.text)?.start())))?;
    let mut migrations: Vec<(i64, &String)> = dir
        .files_in("migrations")
        .filter(|f| f.ends_with(".sql") && !f.ends_with(".down.sql"))
        .filter_map(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            let version = name.split_once('_')?.0.parse().ok()?;
            Some((version, f))
        })
        .collect();
    migrations.sort();
    let migrations = migrations.into_iter().map(|(_, f)| f.clone()).collect();
    Some(Sourced::new(QueryChecks { migrations }, first))
}

static TONIC_SERVER: LazyLock<Regex> = LazyLock::new(|| regex(r"\bServer::builder\(\)"));
static LOCK_PACKAGE: LazyLock<Regex> = LazyLock::new(|| regex(r#"(?m)^name\s*=\s*"([\w-]+)""#));

/// The crates of the lockfile (or, without one, the manifest's dependencies) that need system
/// packages: OpenSSL's headers, or what building a vendored OpenSSL takes.
fn native(
    dir: &ServiceDir,
    doc: &TomlDoc<'_>,
    problems: &mut Vec<FileProblem>,
) -> Vec<NativeDependency> {
    let mut found: Vec<NativeDependency> = Vec::new();
    if let Some(lock) = dir.read_if_present("Cargo.lock", problems) {
        let names: Vec<(String, usize)> = LOCK_PACKAGE
            .captures_iter(&lock.text)
            .filter_map(|c| {
                let m = c.get(1)?;
                Some((m.as_str().to_string(), m.start()))
            })
            .collect();
        let vendored = names.iter().any(|(n, _)| n == "openssl-src");
        for (name, at) in &names {
            if name == "openssl-sys" && vendored {
                continue;
            }
            if let Some(needs) = inputs::needs(Language::Rust, name, "") {
                found.push(NativeDependency {
                    name: name.clone(),
                    needs,
                    origin: lock.origin(*at),
                });
            }
        }
    } else if let Some(deps) = doc.table(&["dependencies"]) {
        for (key, value) in deps.iter() {
            let name = key.get_ref().to_string();
            let sys = if name == "openssl" {
                "openssl-sys".to_string()
            } else {
                name.clone()
            };
            if let Some(needs) =
                inputs::needs(Language::Rust, &sys, dependency_spec(value).unwrap_or(""))
            {
                found.push(NativeDependency {
                    name: sys,
                    needs,
                    origin: doc.file.origin(key.span().start),
                });
            }
        }
    }
    found
}

/// Path dependencies (`lib = { path = "../lib" }`), from the project root.
fn local_paths(dir: &ServiceDir, doc: &TomlDoc<'_>) -> Vec<Sourced<String>> {
    let Some(deps) = doc.table(&["dependencies"]) else {
        return Vec::new();
    };
    deps.iter()
        .filter_map(|(_, value)| {
            let path = value.get_ref().get("path")?.get_ref().as_str()?;
            Some(doc.sourced(dir.rooted(path), value))
        })
        .collect()
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

/// The source file of every target `Cargo.toml` declares, each once: the `path` given, else
/// where cargo looks for it (`src/main.rs` for a binary named after the package,
/// `src/bin/<name>.rs` for another, `src/lib.rs` for the library), or nothing when no target is
/// declared (cargo finds `src/main.rs` itself).
fn targets(doc: &TomlDoc<'_>) -> Vec<Sourced<String>> {
    let package = doc.string(&["package", "name"]).map(|n| n.value);
    let mut found: Vec<Sourced<String>> = Vec::new();
    let mut add = |target: &Spanned<DeValue<'_>>, default: Option<String>| {
        let table = target.get_ref();
        let path = table
            .get("path")
            .and_then(|p| p.get_ref().as_str())
            .map(str::to_string)
            .or(default);
        if let Some(path) = path.map(|p| p.trim_start_matches("./").to_string())
            && !found.iter().any(|f| f.value == path)
        {
            found.push(doc.sourced(path, target));
        }
    };
    if let Some(lib) = doc.get(&["lib"]) {
        add(lib, Some("src/lib.rs".to_string()));
    }
    for kind in ["bin", "example", "test", "bench"] {
        let Some(list) = doc.get(&[kind]).and_then(|l| l.get_ref().as_array()) else {
            continue;
        };
        for target in list {
            let name = target
                .get_ref()
                .get("name")
                .and_then(|n| n.get_ref().as_str());
            let default = match (kind, name) {
                ("bin", Some(name)) if Some(name) == package.as_deref() => {
                    Some("src/main.rs".to_string())
                }
                ("bin", Some(name)) => Some(format!("src/bin/{name}.rs")),
                _ => None,
            };
            add(target, default);
        }
    }
    found
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::in_memory;

    fn targets_of(manifest: &str) -> Vec<String> {
        let file = in_memory("Cargo.toml", manifest);
        let doc = TomlDoc::parse(&file).unwrap();
        targets(&doc)
            .into_iter()
            .map(|t| format!("{} @ {}", t.value, t.origin))
            .collect()
    }

    #[test]
    fn every_declared_target_has_its_file_given_or_where_cargo_looks() {
        let manifest = "[package]\nname = \"shipping\"\n\n[lib]\npath = \"lib/core.rs\"\n\n\
                        [[bin]]\nname = \"shipping\"\n\n[[bin]]\nname = \"healthcheck\"\n\
                        path = \"./src/healthcheck.rs\"\n\n[[bin]]\nname = \"admin\"\n\n\
                        [[bench]]\nname = \"speed\"\n";
        assert_eq!(
            targets_of(manifest),
            [
                "lib/core.rs @ Cargo.toml:4",
                "src/main.rs @ Cargo.toml:7",
                "src/healthcheck.rs @ Cargo.toml:10",
                "src/bin/admin.rs @ Cargo.toml:14",
            ]
        );
        // Nothing declared: cargo finds src/main.rs by itself.
        assert!(targets_of("[package]\nname = \"x\"\n").is_empty());
    }
}
