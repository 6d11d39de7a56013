//! Python services: `pyproject.toml`, `requirements.txt` or `Pipfile`.
//!
//! [`detect`] reads the manifests for dependencies ([`dependencies`]: groups, `-r` includes,
//! local paths), the framework (FastAPI, Flask, Django), the Python version and the package
//! manager (uv, Poetry, Pipenv, pip, told by lockfile or tool table). The start is what the
//! project declares when it can run as written; else the framework's app object served by the
//! server the project installs ([`start`]); else the script that runs a server by itself. The
//! code gives the port, the routes, the variables, whether it serves gRPC or pages, and what it
//! reads at run time.

mod dependencies;
mod start;
mod wheels;

use std::sync::LazyLock;

use regex::Regex;

use super::data_dirs;
use super::declared::{Declared, command};
use super::manifest::{TomlDoc, version_in};
use super::model::{
    FileProblem, Framework, FrameworkKind, Language, NativeDependency, Origin, PackageManager,
    Service, ServiceClass, ServiceKind, SkipReason, Sourced,
};
use super::routes::{self, Probes};
use super::service_set::{Described, Verdict};
use super::source::{ServiceDir, ServiceFile, is_env_example};
use super::{backend, env, frontend, inputs, ports, regex, workspace};
use dependencies::{Dependencies, Dependency};

/// Dependencies that make a Python app a user interface.
const UI_DEPENDENCIES: &[&str] = &["gradio", "streamlit", "dash", "panel", "nicegui"];

/// Detects the Python service in `dir`, whose main manifest is `manifest`.
pub(super) fn detect(
    dir: &ServiceDir,
    manifest: &str,
    declared: &Declared,
    problems: &mut Vec<FileProblem>,
) -> Result<Described, FileProblem> {
    let pyproject = dir.read_optional("pyproject.toml")?;
    let pipfile = dir.read_optional("Pipfile")?;
    let requirements = dir.read_optional("requirements.txt")?;
    let pyproject = pyproject.as_ref().map(TomlDoc::parse).transpose()?;
    let pipfile = pipfile.as_ref().map(TomlDoc::parse).transpose()?;
    let mut dependencies = dependencies::read(
        dir,
        pyproject.as_ref(),
        pipfile.as_ref(),
        requirements.as_ref(),
        problems,
    );
    let extra_packages = dependencies.add_pip_installs(declared.pip_installs());

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

    let framework = framework(&dependencies.list, &sources);
    let (package_manager, lockfile) = package_manager(
        dir,
        pyproject.as_ref(),
        pipfile.is_some(),
        requirements.as_ref(),
    );
    let kind = framework.as_ref().map(|f| f.value.kind);
    let entrypoint = kind.and_then(|kind| start::entrypoint(kind, &sources, pyproject.as_ref()));
    let grpc = GRPC_SERVER.is_match_in(&sources);
    let celery = find(&sources, &CELERY_APP);

    // The start: what the project declares, else the framework's app on an installed server,
    // else a script that runs itself.
    let script = start::main_script(&sources);
    let entry_file = script
        .as_ref()
        .and_then(|s| s.value.get(1).cloned())
        .or_else(|| entrypoint.as_ref().map(|e| module_file(&e.value)));
    let code_port = ports::find(
        &sources,
        Language::Python,
        &service_name(dir),
        entry_file.as_deref(),
    );
    let declared_port = declared.port();
    let mut group = None;
    let mut convention_port = None;
    let start_command = match (declared.start(dir), kind) {
        (Some(command), _) => command.map(|argv| start::uwsgi_in_place(dir, argv)),
        (None, Some(kind)) if grpc.is_none() || kind != FrameworkKind::Flask => {
            let wanted = declared_port
                .as_ref()
                .or(code_port.as_ref())
                .map(|p| p.value);
            let conventional =
                start::conventional(kind, entrypoint.as_ref(), wanted, &dependencies, dir);
            group = conventional.group;
            convention_port = conventional.port;
            match (&script, conventional.command.is_guess()) {
                // No server installed, but a script that serves the app itself.
                (Some(script), true) => script.clone(),
                _ => conventional.command,
            }
        }
        _ => match (&script, &celery) {
            (Some(script), _) => script.clone(),
            (None, Some(app)) => Sourced::new(
                super::argv(&[
                    "celery",
                    "-A",
                    &start::module_path(&app.value),
                    "worker",
                    "--loglevel=info",
                ]),
                app.origin.clone(),
            ),
            (None, None) => Sourced::default_value(super::argv(&["python", "main.py"])),
        },
    };
    let port = declared_port.or(code_port).or(convention_port).or_else(|| {
        let (port, why) = command::default_port(&start_command.value)?;
        Some(Sourced::convention(port, why))
    });

    let service_kind = match (&grpc, &framework, &celery) {
        (Some(origin), None, _) => Sourced::new(ServiceKind::Grpc, origin.clone()),
        (None, None, Some(app)) if script.is_none() => {
            Sourced::new(ServiceKind::Worker, app.origin.clone())
        }
        // No web framework, no gRPC server and no port anywhere: a script that runs itself and
        // serves nothing (a queue consumer, a poller).
        (None, None, None) if script.is_some() && port.is_none() => {
            Sourced::new(ServiceKind::Worker, start_command.origin.clone())
        }
        _ => Sourced::default_value(ServiceKind::Http),
    };
    let probes = Probes::pick(&routes::declared(&sources));
    let ui = UI_DEPENDENCIES
        .iter()
        .find_map(|d| dependencies.installed(d));
    let class = match (frontend::serves_pages(&sources), ui) {
        (Some(origin), _) => Sourced::new(ServiceClass::Frontend, origin),
        (None, Some(dependency)) => Sourced::new(ServiceClass::Frontend, dependency.origin.clone()),
        (None, None) => backend(framework.as_ref()),
    };
    let runs = framework
        .as_ref()
        .map(|f| f.origin.clone())
        .or_else(|| grpc.clone())
        .or_else(|| script.as_ref().map(|s| s.origin.clone()))
        .or_else(|| celery.as_ref().map(|c| c.origin.clone()))
        .ok_or_else(|| {
            "no web framework, no server and no script with a `__main__` guard".to_string()
        });

    let workspace = workspace::python(dir, problems);
    let (package_manager, lockfile) = match &workspace {
        Some(ws) if lockfile.is_none() => (ws.manager.clone(), None),
        _ => (package_manager, lockfile),
    };
    let mut service = Service {
        kind: service_kind,
        name: String::new(),
        path: dir.path.clone(),
        manifest: manifest.to_string(),
        class,
        language: Sourced::new(Language::Python, dir.file_origin(manifest)),
        language_version: python_version,
        framework,
        package_manager,
        lockfile,
        start_command,
        prestart: Vec::new(),
        build_command: None,
        entrypoint,
        port,
        health_path: probes.health,
        readiness_path: probes.readiness,
        env: env::collect(&sources),
        data_dirs: Vec::new(),
        depends_on: Vec::new(),
        inputs: Default::default(),
        undetermined: Vec::new(),
    };
    service.inputs.requirement_files = dependencies.requirement_files.clone();
    service.inputs.local_paths = dependencies.local_paths.clone();
    service.inputs.workspace = workspace;
    service.inputs.groups = group.into_iter().collect();
    service.inputs.extra_packages = extra_packages;
    service.inputs.native = native(&dependencies);
    service.inputs.wheels_up_to = wheels::limit(&dependencies);
    // A pin older than the Python the generator would choose gets that Python lowered to one it
    // has a wheel for (or the project names its Python): nothing to compile when it has one.
    let python = service
        .language_version
        .as_ref()
        .map(|v| v.value.clone())
        .or_else(|| {
            service
                .inputs
                .wheels_up_to
                .as_ref()
                .map(|l| l.release.clone())
        });
    if let Some(python) = python {
        service.inputs.native.retain(|native| {
            let spec = dependencies
                .any(&native.name)
                .map_or("", |d| d.spec.as_str());
            wheels::has_wheel(&native.name, spec, &python) != Some(true)
        });
    }
    service.inputs.runtime_assets = inputs::runtime_assets(dir, &sources, Language::Python, &[]);
    service.data_dirs = data_dirs::flag_defaults(&sources);
    data_dirs::move_sqlite_defaults(&mut service, &sources);
    if let Some(conf) = dir.present("pip.conf") {
        service
            .inputs
            .config_files
            .push(conf.map(|rel| dir.display(&rel)));
    }

    Ok(Described {
        verdict: verdict(dir, &dependencies, service.framework.is_some()),
        workspace_root: pyproject
            .as_ref()
            .is_some_and(|doc| doc.get(&["tool", "uv", "workspace"]).is_some()),
        ui_bundle: false,
        runs,
        service,
        builds_into: None,
    })
}

/// Why a Python directory is not a service whatever it runs: a load generator, a static site.
fn verdict(dir: &ServiceDir, dependencies: &Dependencies, has_framework: bool) -> Option<Verdict> {
    if let Some(locust) = dependencies.any("locust") {
        return Some(Verdict::new(
            SkipReason::LoadGenerator,
            "locust, a load generator: it sends traffic to the other services",
            locust.origin.clone(),
        ));
    }
    if dir.has("locustfile.py") && !has_framework {
        return Some(Verdict::new(
            SkipReason::LoadGenerator,
            "a locustfile: a load generator that sends traffic to the other services",
            dir.file_origin("locustfile.py"),
        ));
    }
    if let Some(mkdocs) = dependencies.any("mkdocs").filter(|_| !has_framework) {
        return Some(Verdict::new(
            SkipReason::Unsupported,
            "a static site built with mkdocs: aigen generates for application servers",
            mkdocs.origin.clone(),
        ));
    }
    None
}

/// The dependencies that need system packages to build or run.
fn native(dependencies: &Dependencies) -> Vec<NativeDependency> {
    dependencies
        .list
        .iter()
        .filter(|d| d.installed())
        .filter_map(|d| {
            Some(NativeDependency {
                needs: inputs::needs(Language::Python, &d.name, &d.raw)?,
                name: d.name.clone(),
                origin: d.origin.clone(),
            })
        })
        .collect()
}

/// The directory's name, as a port variable's prefix would spell it.
fn service_name(dir: &ServiceDir) -> String {
    super::directory_label(dir)
}

/// The file of a `module:object` entry point (`src.api.main:app` is `src/api/main.py`).
fn module_file(entry: &str) -> String {
    let module = entry.split(':').next().unwrap_or(entry);
    format!("{}.py", module.replace('.', "/"))
}

static GRPC_SERVER: LazyLock<Regex> = LazyLock::new(|| regex(r"\bgrpc(?:\.aio)?\.server\("));
static CELERY_APP: LazyLock<Regex> = LazyLock::new(|| regex(r"(?m)^(\w+)\s*=\s*Celery\("));

/// Where the first match of `re` in the files is, with the file's module.
fn find(files: &[ServiceFile], re: &Regex) -> Option<Sourced<String>> {
    files.iter().find_map(|file| {
        let found = re.find(&file.text)?;
        Some(file.sourced(file.rel.clone(), found.start()))
    })
}

/// Finding a pattern in any file, as an origin.
trait MatchIn {
    fn is_match_in(&self, files: &[ServiceFile]) -> Option<Origin>;
}

impl MatchIn for Regex {
    fn is_match_in(&self, files: &[ServiceFile]) -> Option<Origin> {
        files
            .iter()
            .find_map(|file| Some(file.origin(self.find(&file.text)?.start())))
    }
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
}
