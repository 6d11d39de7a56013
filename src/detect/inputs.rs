//! What building and running a service needs beyond its manifest and its source, the parts
//! every ecosystem shares: which dependencies need system packages ([`needs`]), which
//! directories the app reads from its working directory at run time ([`runtime_assets`]), and
//! what Go compiles in with `//go:embed` ([`go_embeds`]).

use std::sync::LazyLock;

use regex::Regex;

use serde_json::Value;

use crate::version::Version;

use super::model::{
    BuiltUi, FileProblem, Language, Origin, PackageManager, Sourced, SystemNeed, UiProducer,
};
use super::regex;
use super::service_set::ASIDE;
use super::source::{ServiceDir, ServiceFile};

use SystemNeed::{CCompiler, Cgo, Git, Libpq, Mysqlclient, Openssl, Pcre, Perl, Protoc, Python};

/// Dependencies known to need more than the language's toolchain: `(name, needs)`.
const GO: &[(&str, &[SystemNeed])] = &[
    ("github.com/mattn/go-sqlite3", &[Cgo]),
    ("gorm.io/driver/sqlite", &[Cgo]),
    ("github.com/confluentinc/confluent-kafka-go", &[Cgo]),
    ("github.com/confluentinc/confluent-kafka-go/v2", &[Cgo]),
];
const PYTHON: &[(&str, &[SystemNeed])] = &[
    ("psycopg2", &[CCompiler, Libpq]),
    ("mysqlclient", &[CCompiler, Mysqlclient]),
    ("uwsgi", &[CCompiler, Pcre]),
    ("python-ldap", &[CCompiler]),
];
const NODE: &[(&str, &[SystemNeed])] = &[
    ("better-sqlite3", &[CCompiler, Python]),
    ("sqlite3", &[CCompiler, Python]),
    ("@louislam/sqlite3", &[CCompiler, Python]),
    ("bcrypt", &[CCompiler, Python]),
    ("argon2", &[CCompiler, Python]),
    ("canvas", &[CCompiler, Python]),
    ("node-sass", &[CCompiler, Python]),
    ("re2", &[CCompiler, Python]),
    ("@google-cloud/profiler", &[CCompiler, Python]),
    ("pprof", &[CCompiler, Python]),
    ("@datadog/pprof", &[CCompiler, Python]),
];
const RUST: &[(&str, &[SystemNeed])] = &[
    ("openssl-sys", &[Openssl]),
    ("openssl-src", &[CCompiler, Perl]),
    ("pq-sys", &[Libpq]),
    ("mysqlclient-sys", &[Mysqlclient]),
    ("libsqlite3-sys", &[CCompiler]),
    ("onig_sys", &[CCompiler]),
    ("rdkafka-sys", &[CCompiler]),
    ("libgit2-sys", &[CCompiler]),
    ("zstd-sys", &[CCompiler]),
    // Build scripts that run `protoc` (found on PATH or through PROTOC).
    ("prost-build", &[Protoc]),
    ("tonic-build", &[Protoc]),
    ("tonic-prost-build", &[Protoc]),
    ("protobuf-codegen", &[Protoc]),
    ("protoc-rust", &[Protoc]),
];

/// What a dependency needs from the system, when it is known to. `spec` is the requirement as
/// written (extras and VCS sources count: `psycopg[c]`, `git+https://...`).
pub(super) fn needs(language: Language, name: &str, spec: &str) -> Option<Vec<SystemNeed>> {
    let table: &[(&str, &[SystemNeed])] = match language {
        Language::Go => GO,
        Language::Python => PYTHON,
        Language::Node => NODE,
        Language::Rust => RUST,
        Language::Java => &[],
    };
    let mut found: Vec<SystemNeed> = table
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, needs)| needs.to_vec())
        .unwrap_or_default();
    if language == Language::Python && name == "psycopg" && spec.contains("[c]") {
        found.extend([CCompiler, Libpq]);
    } else if language == Language::Python && name == "psycopg" && !spec.contains("binary") {
        // The pure-Python implementation loads the system's libpq at run time.
        found.push(Libpq);
    }
    if language == Language::Python && name == "psycopg2-binary" && pinned_before_wheels(spec) {
        found.extend([CCompiler, Libpq]);
    }
    if spec.contains("git+") || spec.starts_with("github:") || spec.starts_with("git:") {
        found.push(Git);
    }
    found.sort();
    found.dedup();
    (!found.is_empty()).then_some(found)
}

/// True when `psycopg2-binary` is pinned to a release older than 2.9.11, the first with wheels
/// for every Python the builtin images use (3.13 came with 2.9.10, 3.14 with 2.9.11): pip then
/// builds it from source, which needs a C compiler and libpq's headers (`pg_config`).
fn pinned_before_wheels(spec: &str) -> bool {
    let first_with_all = Version::parse("2.9.11");
    spec.split_once("==")
        .and_then(|(_, version)| Version::parse(version))
        .zip(first_with_all)
        .is_some_and(|(pinned, first)| !pinned.at_least(&first))
}

/// Directory names whose files an app reads from its working directory at run time.
const ASSET_DIRS: &[&str] = &[
    "templates",
    "static",
    "public",
    "views",
    "migrations",
    "alembic",
    "locale",
    "locales",
    "translations",
    "i18n",
];

/// Directories a build writes or tools keep, never the app's assets.
const NOT_ASSETS: &[&str] = &[
    "node_modules",
    "dist",
    "build",
    "target",
    "out",
    ".next",
    // Charts, manifests and records (aigen's own among them): their `templates/` are Helm's.
    "helm-charts",
    "charts",
    "k8s",
    "history",
    "prompts",
    "policies",
];

static READ_CALL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"\b(?:ReadFile|ReadDir|Open|OpenFile|Dir|ParseGlob|ParseFiles|LoadHTMLGlob|LoadHTMLFiles|Static|StaticFile|ServeFile|ServeDir::new|Files::new|Tera::new)\(\s*(?:"[^"]*"\s*,\s*)?"(?:\./)?([\w.\-]+)[^"]*""#,
    )
});
static LITERAL: LazyLock<Regex> = LazyLock::new(|| regex(r#""(?:\./)?([\w.\-]+)/?""#));

/// What the app reads from its working directory at run time, relative to the service: the
/// asset directories it has (`templates/`, `static/`, `migrations/`; for Go and Rust also any
/// top-level directory or file the code names in a read, or as a constant) that are not
/// compiled in (`embedded`).
pub(super) fn runtime_assets(
    dir: &ServiceDir,
    sources: &[ServiceFile],
    language: Language,
    embedded: &[Sourced<String>],
) -> Vec<Sourced<String>> {
    let compiled = matches!(language, Language::Go | Language::Rust);
    let is_embedded = |path: &str| {
        embedded.iter().any(|e| {
            let pattern = e.value.trim_end_matches(['*', '/']);
            pattern == path.trim_end_matches('/')
                || pattern.starts_with(&format!("{}/", path.trim_end_matches('/')))
        })
    };
    let mut found: Vec<Sourced<String>> = Vec::new();
    let mut push = |path: String, origin: Origin| {
        if !is_embedded(&path) && !found.iter().any(|f| f.value == path) {
            found.push(Sourced::new(path, origin));
        }
    };
    // Directories the code names: the shallowest asset directories of the service.
    let mut dirs: Vec<String> = dir
        .files
        .iter()
        .filter_map(|file| {
            let parts: Vec<&str> = file.split('/').collect();
            let last_dir = parts.len().checked_sub(1)?;
            (0..last_dir).find_map(|i| {
                let part = parts[i];
                if ASIDE.contains(&part) || NOT_ASSETS.contains(&part) || part.starts_with('.') {
                    return Some(None);
                }
                ASSET_DIRS
                    .contains(&part)
                    .then(|| Some(format!("{}/", parts[..=i].join("/"))))
            })?
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    let all = dirs.clone();
    dirs.retain(|d| {
        !all.iter()
            .any(|other| other != d && d.starts_with(other.as_str()))
    });
    for asset in dirs {
        if !compiled || asset.matches('/').count() == 1 {
            let first = dir.files_in(&asset).next().cloned().unwrap_or_default();
            push(asset, dir.file_origin(&first));
        }
    }
    if compiled {
        let top_level = |name: &str| -> Option<String> {
            if dir.has(name) {
                return Some(name.to_string());
            }
            (dir.has_dir(name)
                && !dir
                    .files_in(name)
                    .any(|f| f.ends_with(".go") || f.ends_with(".rs")))
            .then(|| format!("{name}/"))
        };
        for file in sources {
            for re in [&*READ_CALL, &*LITERAL] {
                for caps in re.captures_iter(&file.text) {
                    let Some(name) = caps.get(1) else { continue };
                    let literal_only = std::ptr::eq(re, &*LITERAL);
                    let name = name.as_str();
                    if NOT_ASSETS.contains(&name)
                        || (literal_only && !(ASSET_DIRS.contains(&name) || name == "pages"))
                    {
                        continue;
                    }
                    if let Some(path) = top_level(name) {
                        push(path, file.origin(caps.get(0).map_or(0, |m| m.start())));
                    }
                }
            }
        }
    }
    found.sort_by(|a, b| a.value.cmp(&b.value));
    found
}

static GO_EMBED: LazyLock<Regex> = LazyLock::new(|| regex(r"(?m)^\s*//go:embed\s+(.+)$"));

/// The `//go:embed` patterns of a Go service, each relative to the service directory (the
/// pattern joined to its file's directory).
pub(super) fn go_embeds(dir: &ServiceDir, problems: &mut Vec<FileProblem>) -> Vec<Sourced<String>> {
    let mut found = Vec::new();
    for rel in dir
        .files
        .iter()
        .filter(|f| f.ends_with(".go") && !f.ends_with("_test.go"))
    {
        let Some(file) = dir.read_if_present(rel, problems) else {
            continue;
        };
        if !file.text.contains("go:embed") {
            continue;
        }
        let base = rel.rsplit_once('/').map_or("", |(d, _)| d);
        for caps in GO_EMBED.captures_iter(&file.text) {
            let Some(patterns) = caps.get(1) else {
                continue;
            };
            for pattern in patterns.as_str().split_whitespace() {
                let pattern = pattern.trim_matches('"').trim_start_matches("all:");
                let path = if base.is_empty() {
                    pattern.to_string()
                } else {
                    format!("{base}/{pattern}")
                };
                found.push(file.sourced(path, patterns.start()));
            }
        }
    }
    found
}

/// The embedded directories the source does not hold, each with the Node package whose `build`
/// script produces it: the first `package.json` with one, from the directory itself up to the
/// service's own directory.
pub(super) fn built_ui(
    dir: &ServiceDir,
    embedded: &[Sourced<String>],
    problems: &mut Vec<FileProblem>,
) -> Vec<BuiltUi> {
    let mut found: Vec<BuiltUi> = Vec::new();
    for embed in embedded {
        let path = embed_dir(&embed.value);
        if path.is_empty()
            || dir.absolute(&path).exists()
            || found.iter().any(|f| f.path.value == path)
        {
            continue;
        }
        found.push(BuiltUi {
            producer: producer(dir, &path, problems),
            path: Sourced::new(path, embed.origin.clone()),
        });
    }
    found
}

/// The directory part of an embed pattern: `ui/build/*` is `ui/build`, `static` is `static`.
pub(crate) fn embed_dir(pattern: &str) -> String {
    let literal: Vec<&str> = pattern
        .split('/')
        .take_while(|part| !part.contains(['*', '?', '[']))
        .collect();
    literal.join("/")
}

/// The Node package that builds `path`: the nearest `package.json` with a `build` script at or
/// above it, inside the service.
fn producer(dir: &ServiceDir, path: &str, problems: &mut Vec<FileProblem>) -> Option<UiProducer> {
    let mut candidate = Some(path.to_string());
    while let Some(at) = candidate {
        let manifest = if at.is_empty() {
            "package.json".to_string()
        } else {
            format!("{at}/package.json")
        };
        if let Some(file) = dir.read_if_present(&manifest, problems)
            && let Ok(json) = super::manifest::parse_json(&file)
            && json.pointer("/scripts/build").is_some_and(Value::is_string)
        {
            let line = super::manifest::json_line(&file.text, &["scripts", "build"]).unwrap_or(1);
            let package_dir = if at.is_empty() {
                dir.path.clone()
            } else {
                super::workspace::join(&dir.path, &at)
            };
            let (lockfile, manager) = super::workspace::node_lock_in(dir, &at)
                .map_or((None, PackageManager::Npm), |(lock, manager)| {
                    (Some(super::workspace::join(&package_dir, lock)), manager)
                });
            let downloads = super::downloads::find(dir, &at, &file, &json, problems);
            return Some(UiProducer {
                dir: package_dir,
                manager,
                lockfile,
                workspace_root: None,
                downloads,
                origin: Origin::file(dir.display(&manifest), line),
            });
        }
        candidate = match at.rsplit_once('/') {
            Some((parent, _)) => Some(parent.to_string()),
            None if at.is_empty() => None,
            None => Some(String::new()),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_native_dependencies() {
        assert_eq!(
            needs(Language::Go, "github.com/mattn/go-sqlite3", "v1.14.22"),
            Some(vec![Cgo])
        );
        assert_eq!(
            needs(Language::Go, "github.com/glebarez/sqlite", "v1"),
            None
        );
        assert_eq!(
            needs(Language::Python, "psycopg", "psycopg[c]>=3"),
            Some(vec![CCompiler, Libpq])
        );
        assert_eq!(needs(Language::Python, "psycopg", "psycopg[binary]"), None);
        // No wheel of 2.9.9 for Python 3.13: pip builds it, with pg_config.
        assert_eq!(
            needs(
                Language::Python,
                "psycopg2-binary",
                "psycopg2-binary==2.9.9"
            ),
            Some(vec![CCompiler, Libpq])
        );
        assert_eq!(
            needs(
                Language::Python,
                "psycopg2-binary",
                "psycopg2-binary==2.9.11"
            ),
            None
        );
        assert_eq!(
            needs(Language::Python, "psycopg2-binary", "psycopg2-binary>=2.9"),
            None
        );
        assert_eq!(
            needs(
                Language::Python,
                "django-push",
                "django-push @ git+https://x"
            ),
            Some(vec![Git])
        );
        assert_eq!(
            needs(Language::Rust, "openssl-sys", "0.9"),
            Some(vec![Openssl])
        );
    }

    #[test]
    fn embed_patterns_name_their_directory() {
        assert_eq!(embed_dir("ui/build/*"), "ui/build");
        assert_eq!(embed_dir("static"), "static");
        assert_eq!(embed_dir("*.html"), "");
    }
}
