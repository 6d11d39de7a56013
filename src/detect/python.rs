//! Python services: `pyproject.toml`, `requirements.txt` or `Pipfile`.
//!
//! [`detect`] reads the manifests for dependencies (FastAPI, Flask, Django), the Python version
//! (`.python-version`, `requires-python`, Pipfile's `python_version`) and the package manager (uv,
//! Poetry, Pipenv, pip, told by lockfile or tool table), then the code for the application object
//! (`app = FastAPI()` in `src/api/main.py` gives `src.api.main:app`), the port, the routes and the
//! variables it reads.

use std::sync::LazyLock;

use regex::Regex;

use super::env;
use super::manifest::{TomlDoc, dependency_spec, version_in};
use super::model::{
    FileProblem, Framework, FrameworkKind, Language, Origin, PackageManager, Service, ServiceKind,
    Sourced,
};
use super::routes::{self, Probes};
use super::source::{ServiceDir, ServiceFile, find_port, is_env_example};
use super::{argv, backend, regex};

/// The default port of a Python web service.
const DEFAULT_PORT: u16 = 8000;

/// A declared dependency: its normalised name, the version requirement as written, and where.
struct Dependency {
    name: String,
    spec: String,
    origin: Origin,
}

/// Detects the Python service in `dir`, whose main manifest is `manifest`.
pub fn detect(
    dir: &ServiceDir,
    manifest: &str,
    problems: &mut Vec<FileProblem>,
) -> Result<Service, FileProblem> {
    let pyproject = dir.read_optional("pyproject.toml")?;
    let pipfile = dir.read_optional("Pipfile")?;
    let requirements = dir.read_optional("requirements.txt")?;
    let pyproject = pyproject.as_ref().map(TomlDoc::parse).transpose()?;
    let pipfile = pipfile.as_ref().map(TomlDoc::parse).transpose()?;

    let mut dependencies = Vec::new();
    if let Some(doc) = &pyproject {
        dependencies.extend(pyproject_dependencies(doc));
    }
    if let Some(doc) = &pipfile {
        dependencies.extend(table_dependencies(doc, &["packages"]));
    }
    if let Some(file) = &requirements {
        dependencies.extend(requirements_dependencies(file));
    }

    let sources = dir.sources(|rel| rel.ends_with(".py") || is_env_example(rel), problems);
    let python_version = dir
        .read_if_present(".python-version", problems)
        .and_then(|file| version_in(file.first_line()?.map(str::to_string)))
        .or_else(|| {
            let doc = pyproject.as_ref()?;
            let spec = doc
                .string(&["project", "requires-python"])
                .or_else(|| doc.string(&["tool", "poetry", "dependencies", "python"]))?;
            version_in(spec)
        })
        .or_else(|| version_in(pipfile.as_ref()?.string(&["requires", "python_version"])?));

    let framework = framework(&dependencies, &sources);
    let (package_manager, lockfile) = package_manager(
        dir,
        pyproject.as_ref(),
        pipfile.is_some(),
        requirements.as_ref(),
    );
    let port = find_port(&sources, &PORT).unwrap_or(Sourced::default_value(DEFAULT_PORT));
    let kind = framework.as_ref().map(|f| f.value.kind);
    let entrypoint = kind.and_then(|kind| entrypoint(kind, &sources));
    let start_command = start_command(kind, entrypoint.as_ref(), port.value, &sources);
    let probes = Probes::pick(&routes::declared(&sources));

    Ok(Service {
        kind: Sourced::default_value(ServiceKind::Http),
        name: String::new(),
        path: dir.path.clone(),
        manifest: manifest.to_string(),
        class: backend(framework.as_ref()),
        language: Sourced::new(Language::Python, dir.file_origin(manifest)),
        language_version: python_version,
        framework,
        package_manager,
        lockfile,
        start_command,
        build_command: None,
        entrypoint,
        port: Some(port),
        health_path: probes.health,
        readiness_path: probes.readiness,
        env: env::collect(&sources),
    })
}

static REQUIREMENT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;#]*)"));

/// A PEP 508 requirement's name (normalised) and version requirement.
fn parse_requirement(text: &str) -> Option<(String, String)> {
    let caps = REQUIREMENT.captures(text)?;
    let name = caps.get(1)?.as_str().to_ascii_lowercase().replace('_', "-");
    let spec = caps.get(2).map_or("", |m| m.as_str()).trim().to_string();
    Some((name, spec))
}

/// `[project] dependencies` (PEP 621) and `[tool.poetry.dependencies]`.
fn pyproject_dependencies(doc: &TomlDoc<'_>) -> Vec<Dependency> {
    let mut found = Vec::new();
    if let Some(array) = doc
        .get(&["project", "dependencies"])
        .and_then(|v| v.get_ref().as_array())
    {
        for item in array {
            if let Some((name, spec)) = item.get_ref().as_str().and_then(parse_requirement) {
                let origin = doc.sourced((), item).origin;
                found.push(Dependency { name, spec, origin });
            }
        }
    }
    found.extend(table_dependencies(doc, &["tool", "poetry", "dependencies"]));
    found
}

/// A table of `name = "spec"` or `name = { version = "spec" }` (Poetry, Pipfile).
fn table_dependencies(doc: &TomlDoc<'_>, path: &[&str]) -> Vec<Dependency> {
    let Some(table) = doc.table(path) else {
        return Vec::new();
    };
    table
        .iter()
        .map(|(key, value)| {
            let spec = match dependency_spec(value) {
                None | Some("*") => String::new(),
                Some(spec) => spec.to_string(),
            };
            Dependency {
                name: key.get_ref().to_ascii_lowercase().replace('_', "-"),
                spec,
                origin: doc.file.origin(key.span().start),
            }
        })
        .collect()
}

/// The lines of `requirements.txt` that name a package.
fn requirements_dependencies(file: &ServiceFile) -> Vec<Dependency> {
    let mut offset = 0;
    let mut found = Vec::new();
    for line in file.text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('-') {
            continue;
        }
        if let Some((name, spec)) = parse_requirement(trimmed) {
            found.push(Dependency {
                name,
                spec,
                origin: file.origin(at),
            });
        }
    }
    found
}

static IMPORT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?m)^\s*(?:from|import)\s+(fastapi|flask|django)\b"));

/// The web framework: from the dependencies, else from the imports in the code.
fn framework(dependencies: &[Dependency], sources: &[ServiceFile]) -> Option<Sourced<Framework>> {
    const KNOWN: &[(&str, FrameworkKind)] = &[
        ("fastapi", FrameworkKind::FastApi),
        ("django", FrameworkKind::Django),
        ("flask", FrameworkKind::Flask),
    ];
    let declared = KNOWN.iter().find_map(|(name, kind)| {
        let dependency = dependencies.iter().find(|d| d.name == *name)?;
        let version = (!dependency.spec.is_empty()).then(|| dependency.spec.clone());
        Some(Sourced::new(
            Framework::declared(*kind, version),
            dependency.origin.clone(),
        ))
    });
    declared.or_else(|| {
        let found = sources.iter().find_map(|file| {
            let caps = file.find(&IMPORT)?;
            let module = caps.get(1)?;
            Some(file.sourced(module.as_str().to_string(), module.start()))
        })?;
        let kind = KNOWN.iter().find(|(name, _)| *name == found.value)?.1;
        Some(Sourced::new(Framework::declared(kind, None), found.origin))
    })
}

/// The installer, told by the lockfile, else by the tool table in `pyproject.toml`.
fn package_manager(
    dir: &ServiceDir,
    pyproject: Option<&TomlDoc<'_>>,
    has_pipfile: bool,
    requirements: Option<&ServiceFile>,
) -> (Sourced<PackageManager>, Option<Sourced<String>>) {
    const LOCKS: &[(&str, PackageManager)] = &[
        ("uv.lock", PackageManager::Uv),
        ("poetry.lock", PackageManager::Poetry),
        ("Pipfile.lock", PackageManager::Pipenv),
    ];
    if let Some((lockfile, manager)) = LOCKS
        .iter()
        .find_map(|(lock, manager)| Some((dir.present(lock)?, *manager)))
    {
        return (
            Sourced::new(manager, lockfile.origin.clone()),
            Some(lockfile),
        );
    }
    let tool = |name: &str| {
        let doc = pyproject?;
        let table = doc.get(&["tool", name])?;
        Some(doc.sourced((), table).origin)
    };
    let manager = if let Some(origin) = tool("poetry") {
        Sourced::new(PackageManager::Poetry, origin)
    } else if let Some(origin) = tool("uv") {
        Sourced::new(PackageManager::Uv, origin)
    } else if has_pipfile {
        Sourced::new(PackageManager::Pipenv, dir.file_origin("Pipfile"))
    } else if let Some(file) = requirements {
        let origin = dir.file_origin(&file.rel);
        // A requirements file that pins every package exactly is pip's lockfile.
        let lock =
            pins_everything(&file.text).then(|| Sourced::new(file.rel.clone(), origin.clone()));
        return (Sourced::new(PackageManager::Pip, origin), lock);
    } else {
        Sourced::default_value(PackageManager::Pip)
    };
    (manager, None)
}

/// True when every requirement line pins an exact version (`name==1.2.3`), so installing from
/// the file gives the same packages every time.
fn pins_everything(text: &str) -> bool {
    let mut requirements = text
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty() && !line.starts_with('-'))
        .peekable();
    requirements.peek().is_some() && requirements.all(|line| line.contains("=="))
}

static FASTAPI_APP: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?m)^(\w+)\s*(?::\s*[\w.\[\]]+\s*)?=\s*(?:fastapi\.)?FastAPI\("));
static FLASK_APP: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?m)^(\w+)\s*(?::\s*[\w.\[\]]+\s*)?=\s*(?:flask\.)?Flask\("));
static APP_FACTORY: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?m)^def\s+(create_app|make_app)\s*\("));
static DJANGO_WSGI: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?m)^(application)\s*=\s*get_wsgi_application\("));

/// The application object the server loads: `module:variable`, found where it is created.
fn entrypoint(kind: FrameworkKind, sources: &[ServiceFile]) -> Option<Sourced<String>> {
    let mut candidates: Vec<&ServiceFile> = sources.iter().collect();
    // Conventional entry files first, then shallow before deep.
    candidates.sort_by_key(|file| {
        let conventional = matches!(
            file.name(),
            "main.py" | "app.py" | "server.py" | "asgi.py" | "wsgi.py" | "__init__.py"
        );
        (!conventional, file.rel.matches('/').count())
    });
    let object = |re: &Regex, call: bool| {
        candidates.iter().find_map(|file| {
            let name = file.find(re)?.get(1)?;
            let suffix = if call { "()" } else { "" };
            let value = format!("{}:{}{suffix}", module_path(&file.rel), name.as_str());
            Some(file.sourced(value, name.start()))
        })
    };
    match kind {
        FrameworkKind::FastApi => object(&FASTAPI_APP, false),
        FrameworkKind::Flask => object(&FLASK_APP, false).or_else(|| {
            let factories: Vec<&ServiceFile> = candidates
                .iter()
                .copied()
                .filter(|f| f.text.contains("Flask("))
                .collect();
            factories.iter().find_map(|file| {
                let name = file.find(&APP_FACTORY)?.get(1)?;
                let value = format!("{}:{}()", module_path(&file.rel), name.as_str());
                Some(file.sourced(value, name.start()))
            })
        }),
        FrameworkKind::Django => object(&DJANGO_WSGI, false),
        _ => None,
    }
}

/// `src/api/main.py` as a module path: `src.api.main` (a package's `__init__.py` is the package).
fn module_path(rel: &str) -> String {
    let without = rel.trim_end_matches(".py");
    let without = without.strip_suffix("/__init__").unwrap_or(without);
    without.replace('/', ".")
}

static MAIN_GUARD: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"(?m)^if\s+__name__\s*==\s*["']__main__["']"#));

/// The production command: uvicorn for FastAPI, gunicorn for Flask and Django, else the script
/// with a `__main__` guard.
fn start_command(
    kind: Option<FrameworkKind>,
    entrypoint: Option<&Sourced<String>>,
    port: u16,
    sources: &[ServiceFile],
) -> Sourced<Vec<String>> {
    let port_text = port.to_string();
    let bind = format!("0.0.0.0:{port}");
    let with_entry = |default: &str, build: &dyn Fn(&str) -> Vec<String>| match entrypoint {
        Some(entry) => Sourced::new(build(&entry.value), entry.origin.clone()),
        None => Sourced::default_value(build(default)),
    };
    match kind {
        Some(FrameworkKind::FastApi) => with_entry("main:app", &|entry| {
            argv(&["uvicorn", entry, "--host", "0.0.0.0", "--port", &port_text])
        }),
        Some(FrameworkKind::Flask) => with_entry("app:app", &|entry| {
            argv(&["gunicorn", "--bind", &bind, entry])
        }),
        Some(FrameworkKind::Django) => with_entry("config.wsgi:application", &|entry| {
            argv(&["gunicorn", "--bind", &bind, entry])
        }),
        _ => sources
            .iter()
            .find_map(|file| {
                let guard = file.find(&MAIN_GUARD)?.get(0)?;
                Some(file.sourced(argv(&["python", &file.rel]), guard.start()))
            })
            .unwrap_or_else(|| Sourced::default_value(argv(&["python", "main.py"]))),
    }
}

static PORT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?:\.run\([^)]*?\bport\s*=\s*["']?(\d{2,5})|["']PORT["']\s*,\s*["']?(\d{2,5})|\bbind\s*=\s*["'][\w.]*:(\d{2,5}))"#,
    )
});

#[cfg(test)]
mod tests {

    #[test]
    fn only_fully_pinned_requirements_are_a_lockfile() {
        assert!(super::pins_everything(
            "# deps\nfastapi==0.115.0\nuvicorn[standard]==0.30.1  # server\n"
        ));
        assert!(super::pins_everything("-r base.txt\nflask==3.0.3\n"));
        assert!(!super::pins_everything("fastapi>=0.115\nuvicorn==0.30.1\n"));
        assert!(!super::pins_everything("# nothing\n"));
    }

    use super::*;

    #[test]
    fn requirements_are_parsed() {
        assert_eq!(
            parse_requirement("FastAPI[standard]>=0.115 ; python_version>'3'"),
            Some(("fastapi".into(), ">=0.115".into()))
        );
        assert_eq!(
            parse_requirement("python_dotenv"),
            Some(("python-dotenv".into(), String::new()))
        );
    }

    #[test]
    fn module_paths() {
        assert_eq!(module_path("src/api/main.py"), "src.api.main");
        assert_eq!(module_path("app/__init__.py"), "app");
        assert_eq!(module_path("main.py"), "main");
    }
}
