//! Python services (FastAPI with uvicorn, Flask and Django with gunicorn; pip, uv, Poetry or
//! Pipenv).
//!
//! The builder stage installs the dependencies from the lockfile into a virtual environment at
//! `/opt/venv`, in a layer of its own; the runtime stage, on the same base image so the venv's
//! interpreter path holds, copies the venv and the source owned by the runtime user. A user
//! interface the app serves from its own directory but that another package's build writes
//! (`outDir: "../backend/app/frontend"`) is built in a stage of its own and copied over the
//! source (see [`super::ui_build`]).

use std::collections::BTreeMap;

use super::file::{Copy, Stage, Step};
use super::health::Tool;
use super::inputs::{from_service, in_image, member_path, service_dir, workspace_manifests};
use super::system_packages::{Release, SystemPackages, apt_step};
use super::ui_build::UiBuilds;
use super::{Context, assemble, runtime_stage};
use crate::detect::{FrameworkKind, PackageManager};
use crate::provider::builtin::facts::framework;

const VENV_PATH: &str = "/opt/venv/bin:$PATH";

/// The command that installs the packages the project's own Dockerfile installs with pip besides
/// its requirement files (the server among them: `uwsgi`), into the same environment: with uv's
/// pip where uv made it (it has no pip of its own), else with the environment's pip.
fn extra_packages(cx: &Context<'_>) -> Option<String> {
    let extras = &cx.facts.service.inputs.extra_packages;
    if extras.is_empty() {
        return None;
    }
    let words: Vec<String> = extras
        .iter()
        .map(|e| crate::provider::builtin::quote::shell_word(&e.value))
        .collect();
    let install = match cx.facts.service.package_manager.value {
        PackageManager::Uv => "uv pip install --python /opt/venv --no-cache",
        _ => "pip install --no-cache-dir",
    };
    Some(format!("{install} {}", words.join(" ")))
}

/// The Python Dockerfile.
pub(super) fn build(cx: &Context<'_>) -> super::file::Dockerfile {
    let params = cx.params;
    let (image, runtime_image) = (&cx.facts.base.build, &cx.facts.base.runtime);
    let service = cx.facts.service;
    let lockfile = service.lockfile.as_ref().map(|l| l.value.as_str());
    let system = system_packages(cx, image);

    let mut builder = Stage::new(
        "builder",
        image,
        "Dependencies, installed from the lockfile into /opt/venv in a layer that is rebuilt only\nwhen the dependency files change.",
    );
    if let Some(step) = apt_step(&system.build) {
        builder = builder.steps([
            Step::comment("What the native dependencies need to compile."),
            step,
        ]);
    }
    let mut builder = builder
        .step(Step::env(&[
            ("PYTHONDONTWRITEBYTECODE", "1"),
            ("PYTHONUNBUFFERED", "1"),
            ("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
        ]))
        .step(Step::workdir("/app"));

    // Whether the builder needs the whole source (pip installing the project itself).
    let mut source_in_builder = false;
    match (service.package_manager.value, uv_workspace(cx)) {
        (PackageManager::Uv, Some(member)) => {
            builder = builder.steps(member);
        }
        (PackageManager::Uv, None) => {
            let lock = lockfile.unwrap_or("uv.lock");
            builder = builder.steps(uv_setup(cx)).steps([
                Step::Copy(Copy::context(
                    &[&cx.src("pyproject.toml"), &cx.src(lock)],
                    "./",
                )),
                Step::Run(vec![format!(
                    "uv sync --frozen --no-dev --no-install-project --no-cache{}",
                    group_flags(cx, "--group")
                )]),
            ]);
        }
        (PackageManager::Poetry, _) => {
            let lock = lockfile.unwrap_or("poetry.lock");
            builder = builder.steps([
                Step::Run(vec![
                    format!("pip install --no-cache-dir poetry=={}", params.tools.poetry),
                    "python -m venv /opt/venv".into(),
                ]),
                Step::env(&[
                    ("VIRTUAL_ENV", "/opt/venv"),
                    ("PATH", VENV_PATH),
                    ("POETRY_VIRTUALENVS_CREATE", "false"),
                    ("POETRY_NO_INTERACTION", "1"),
                ]),
                Step::Copy(Copy::context(
                    &[&cx.src("pyproject.toml"), &cx.src(lock)],
                    "./",
                )),
                Step::Run(vec![format!(
                    "poetry install --only main{} --no-root --no-ansi",
                    group_flags(cx, "--with")
                )]),
            ]);
        }
        (PackageManager::Pipenv, _) => {
            let lock = lockfile.unwrap_or("Pipfile.lock");
            builder = builder.steps([
                Step::Run(vec![
                    format!("pip install --no-cache-dir pipenv=={}", params.tools.pipenv),
                    "python -m venv /opt/venv".into(),
                ]),
                Step::env(&[("VIRTUAL_ENV", "/opt/venv"), ("PATH", VENV_PATH)]),
                Step::Copy(Copy::context(&[&cx.src("Pipfile"), &cx.src(lock)], "./")),
                Step::run(&["pipenv sync"]),
            ]);
        }
        _ => {
            builder = builder.steps([
                Step::run(&["python -m venv /opt/venv"]),
                Step::env(&[("PATH", VENV_PATH)]),
            ]);
            match requirements_file(cx) {
                Some(requirements) => {
                    builder = builder
                        .step(Step::Copy(Copy::context(&[&cx.src(&requirements)], "./")))
                        .steps(included_requirements(cx))
                        .steps(local_paths(cx, None));
                    builder = builder.steps([Step::Run(vec![format!(
                        "pip install --no-cache-dir -r {}",
                        crate::provider::builtin::quote::shell_word(&requirements)
                    )])]);
                }
                None => {
                    source_in_builder = true;
                    builder = builder.steps([
                        Step::comment(
                            "No lockfile: pip installs the project, whose metadata lists the dependencies.",
                        ),
                        Step::Copy(Copy::context(&[&cx.src_dir()], "./")),
                        Step::run(&["pip install --no-cache-dir ."]),
                    ]);
                }
            }
        }
    }

    if let Some(install) = extra_packages(cx) {
        // In the same layer as the dependency install it follows.
        match builder.steps.last_mut() {
            Some(Step::Run(commands)) => commands.push(install),
            _ => builder = builder.step(Step::Run(vec![install])),
        }
    }

    let owner = cx.owner();
    let mut runtime = runtime_stage(
        runtime_image,
        "Runtime: the venv and the source, owned by the non-root runtime user.",
        with_runtime_packages(&system, cx.create_user(runtime_image)),
    )
    .step(Step::env(&[
        ("PYTHONDONTWRITEBYTECODE", "1"),
        ("PYTHONUNBUFFERED", "1"),
        // As `activate` sets it: servers that find their environment by it (uWSGI's
        // `virtualenv = $(VIRTUAL_ENV)`) see the image's.
        ("VIRTUAL_ENV", "/opt/venv"),
        ("PATH", VENV_PATH),
    ]))
    .step(Step::Copy(
        Copy::stage("builder", "/opt/venv", "/opt/venv").owned_by(&owner),
    ));
    runtime = runtime.steps(local_paths(cx, Some(&owner)));
    runtime = if source_in_builder {
        runtime.step(Step::Copy(
            Copy::stage("builder", "/app", "./").owned_by(&owner),
        ))
    } else {
        runtime.step(Step::Copy(
            Copy::context(&[&cx.src_dir()], "./").owned_by(&owner),
        ))
    };
    let mut ui = UiBuilds::of(cx);
    let runtime = runtime
        .steps(ui.checks())
        .steps(ui.copies(cx, Some(&owner)));
    let runtime = cx.finish(runtime, Tool::Python, command(cx));
    ui.stages.extend([builder, runtime]);
    assemble(cx, ui.stages)
}

/// The requirements file pip installs from: the detected lockfile, else `requirements.txt` when
/// the service's manifest is one.
fn requirements_file(cx: &Context<'_>) -> Option<String> {
    let service = cx.facts.service;
    if let Some(lock) = &service.lockfile {
        return Some(lock.value.clone());
    }
    let manifest = service.manifest.rsplit('/').next().unwrap_or_default();
    (manifest.starts_with("requirements") && manifest.ends_with(".txt"))
        .then(|| manifest.to_string())
}

/// The production server command: uvicorn for FastAPI, gunicorn for Flask and Django, bound to
/// all interfaces on the service's port. Without a detected entry point, a start command read
/// from the project wins over the framework's default module.
fn command(cx: &Context<'_>) -> Vec<String> {
    let service = cx.facts.service;
    let Some(port) = cx.facts.port.map(|p| p.to_string()) else {
        // A worker: the start command the project gives.
        return service.start_command.value.clone();
    };
    let start = &service.start_command;
    let entry = service.entrypoint.as_ref().map(|e| e.value.as_str());
    let kind = framework(service);
    // What the project says, or the server it installs, wins; the framework's usual server is
    // only the fallback when detection had to guess.
    if (!start.is_guess() && !start.value.is_empty()) || kind.is_none() {
        return start.value.clone();
    }
    let to_vec = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match kind {
        Some(FrameworkKind::FastApi) => {
            let app = app_reference(entry.unwrap_or("main:app"), "app");
            to_vec(&["uvicorn", &app, "--host", "0.0.0.0", "--port", &port])
        }
        Some(FrameworkKind::Django) => {
            let app = app_reference(entry.unwrap_or("config.wsgi"), "application");
            gunicorn(&app, &port)
        }
        Some(FrameworkKind::Flask) => {
            gunicorn(&app_reference(entry.unwrap_or("app:app"), "app"), &port)
        }
        _ => service.start_command.value.clone(),
    }
}

fn gunicorn(app: &str, port: &str) -> Vec<String> {
    [
        "gunicorn",
        "--bind",
        &format!("0.0.0.0:{port}"),
        "--workers",
        "2",
        "--access-logfile",
        "-",
        app,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// uv installed with pip, and told to install into `/opt/venv` with the interpreter of the image.
fn uv_setup(cx: &Context<'_>) -> [Step; 2] {
    [
        Step::Run(vec![format!(
            "pip install --no-cache-dir uv=={}",
            cx.params.tools.uv
        )]),
        Step::env(&[
            ("UV_PROJECT_ENVIRONMENT", "/opt/venv"),
            ("UV_COMPILE_BYTECODE", "1"),
            ("UV_LINK_MODE", "copy"),
            ("UV_PYTHON_DOWNLOADS", "never"),
        ]),
    ]
}

/// The steps that install a uv workspace member's dependencies from the lockfile at the
/// workspace's root: the root's `pyproject.toml` and `uv.lock` at `/app`, the member's
/// `pyproject.toml` where the workspace lists it, then `uv sync` of every member's dependencies
/// (the member's own code is copied by the runtime stage, not installed). `None` when the service
/// is not a member of a uv workspace with a lockfile.
fn uv_workspace(cx: &Context<'_>) -> Option<Vec<Step>> {
    let service = cx.facts.service;
    let workspace = service.inputs.workspace.as_ref()?;
    let lock = workspace.lockfile.as_ref()?;
    if workspace.manager.value != PackageManager::Uv {
        return None;
    }
    let mut root_files = workspace_manifests(workspace);
    root_files.push(lock.value.clone());
    let root_files: Vec<&str> = root_files.iter().map(String::as_str).collect();
    let member = member_path(service, workspace);
    let [install, env] = uv_setup(cx);
    Some(vec![
        install,
        env,
        Step::comment(&format!(
            "A member of the uv workspace at `{}`: its lockfile is there.",
            workspace.root
        )),
        Step::Copy(Copy::context(&root_files, "./")),
        Step::Copy(Copy::context(
            &[&cx.src("pyproject.toml")],
            &format!("./{member}/"),
        )),
        Step::Run(vec![format!(
            "uv sync --frozen --no-dev --all-packages --no-install-workspace --no-cache{}",
            group_flags(cx, "--group")
        )]),
    ])
}

/// The system packages the service's native dependencies need on `image`'s Debian release.
fn system_packages(cx: &Context<'_>, image: &str) -> SystemPackages {
    let needs = cx
        .facts
        .service
        .inputs
        .native
        .iter()
        .flat_map(|dependency| dependency.needs.iter().copied());
    match Release::of_image(image) {
        Some(release) => SystemPackages::for_needs(needs, release),
        None => SystemPackages::default(),
    }
}

/// The runtime user's `RUN`, preceded by the install of the runtime libraries in the same layer.
fn with_runtime_packages(system: &SystemPackages, user: Option<Step>) -> Option<Step> {
    let Some(Step::Run(install)) = apt_step(&system.runtime) else {
        return user;
    };
    match user {
        Some(Step::Run(commands)) => Some(Step::Run(install.into_iter().chain(commands).collect())),
        _ => Some(Step::Run(install)),
    }
}

/// ` --group prod` (uv) or ` --with prod` (Poetry) for each dependency group the production
/// install needs.
fn group_flags(cx: &Context<'_>, flag: &str) -> String {
    cx.facts
        .service
        .inputs
        .groups
        .iter()
        .map(|group| {
            format!(
                " {flag} {}",
                crate::provider::builtin::quote::shell_word(&group.value)
            )
        })
        .collect()
}

/// `COPY`s of the files the requirements file includes (`-r`, `-c`), each to where pip looks for
/// it from `/app`, one `COPY` per destination folder.
fn included_requirements(cx: &Context<'_>) -> Vec<Step> {
    let service = cx.facts.service;
    let dir = service_dir(service);
    let mut by_folder: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &service.inputs.requirement_files {
        let root_rel = from_service(&dir, &file.value);
        let target = in_image(&dir, &root_rel);
        let folder = target.rsplit_once('/').map_or("/", |(folder, _)| folder);
        by_folder
            .entry(image_folder(folder))
            .or_default()
            .push(root_rel);
    }
    by_folder
        .into_iter()
        .map(|(folder, sources)| {
            let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
            Step::Copy(Copy::context(&sources, &folder))
        })
        .collect()
}

/// `COPY`s of the local path dependencies (`-e ../lib`) to where the installer finds them from
/// `/app`; owned by `owner` in the runtime stage, which needs them for editable installs.
fn local_paths(cx: &Context<'_>, owner: Option<&str>) -> Vec<Step> {
    let service = cx.facts.service;
    let dir = service_dir(service);
    service
        .inputs
        .local_paths
        .iter()
        .map(|path| {
            let source = format!("{}/", path.value.trim_end_matches('/'));
            let copy = Copy::context(&[&source], &format!("{}/", in_image(&dir, &path.value)));
            Step::Copy(match owner {
                Some(owner) => copy.owned_by(owner),
                None => copy,
            })
        })
        .collect()
}

/// A folder of the image as a `COPY` destination: relative to `/app` when inside it.
fn image_folder(folder: &str) -> String {
    match folder.strip_prefix("/app") {
        Some("") => "./".to_string(),
        Some(rest) if rest.starts_with('/') => format!(".{rest}/"),
        _ => format!("{}/", folder.trim_end_matches('/')),
    }
}

/// `module:attribute` from an entry point written as a module, a file path or a reference.
fn app_reference(entry: &str, attribute: &str) -> String {
    if entry.contains(':') {
        return entry.to_string();
    }
    let module = entry
        .trim_start_matches("./")
        .trim_end_matches(".py")
        .replace('/', ".");
    format!("{module}:{attribute}")
}

#[cfg(test)]
mod tests {
    use super::app_reference;

    #[test]
    fn app_references() {
        assert_eq!(app_reference("src.api.main:app", "app"), "src.api.main:app");
        assert_eq!(app_reference("src/api/main.py", "app"), "src.api.main:app");
        assert_eq!(
            app_reference("mysite.wsgi", "application"),
            "mysite.wsgi:application"
        );
    }
}
