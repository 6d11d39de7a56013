//! Python services (FastAPI with uvicorn, Flask and Django with gunicorn; pip, uv, Poetry or
//! Pipenv).
//!
//! The builder stage installs the dependencies from the lockfile into a virtual environment at
//! `/opt/venv`, in a layer of its own; the runtime stage, on the same base image so the venv's
//! interpreter path holds, copies the venv and the source owned by the runtime user.

use super::file::{Copy, Stage, Step};
use super::health::Tool;
use super::{Context, assemble, runtime_stage};
use crate::detect::{FrameworkKind, Origin, PackageManager};
use crate::provider::builtin::facts::framework;

const VENV_PATH: &str = "/opt/venv/bin:$PATH";

/// The Python Dockerfile.
pub(super) fn build(cx: &Context<'_>) -> super::file::Dockerfile {
    let params = cx.params;
    let (image, runtime_image) = (&cx.facts.base.build, &cx.facts.base.runtime);
    let service = cx.facts.service;
    let lockfile = service.lockfile.as_ref().map(|l| l.value.as_str());

    let mut builder = Stage::new(
        "builder",
        image,
        "Dependencies, installed from the lockfile into /opt/venv in a layer that is rebuilt only\nwhen the dependency files change.",
    )
    .step(Step::env(&[
        ("PYTHONDONTWRITEBYTECODE", "1"),
        ("PYTHONUNBUFFERED", "1"),
        ("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
    ]))
    .step(Step::workdir("/app"));

    // Whether the builder needs the whole source (pip installing the project itself).
    let mut source_in_builder = false;
    match service.package_manager.value {
        PackageManager::Uv => {
            let lock = lockfile.unwrap_or("uv.lock");
            builder = builder.steps([
                Step::Run(vec![format!(
                    "pip install --no-cache-dir uv=={}",
                    params.tools.uv
                )]),
                Step::env(&[
                    ("UV_PROJECT_ENVIRONMENT", "/opt/venv"),
                    ("UV_COMPILE_BYTECODE", "1"),
                    ("UV_LINK_MODE", "copy"),
                    ("UV_PYTHON_DOWNLOADS", "never"),
                ]),
                Step::Copy(Copy::context(
                    &[&cx.src("pyproject.toml"), &cx.src(lock)],
                    "./",
                )),
                Step::run(&["uv sync --frozen --no-dev --no-install-project --no-cache"]),
            ]);
        }
        PackageManager::Poetry => {
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
                Step::run(&["poetry install --only main --no-root --no-ansi"]),
            ]);
        }
        PackageManager::Pipenv => {
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
                    builder = builder.steps([
                        Step::Copy(Copy::context(&[&cx.src(&requirements)], "./")),
                        Step::Run(vec![format!(
                            "pip install --no-cache-dir -r {}",
                            crate::provider::builtin::quote::shell_word(&requirements)
                        )]),
                    ]);
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

    let owner = cx.owner();
    let mut runtime = runtime_stage(
        runtime_image,
        "Runtime: the venv and the source, owned by the non-root runtime user.",
        cx.create_user(runtime_image),
    )
    .step(Step::env(&[
        ("PYTHONDONTWRITEBYTECODE", "1"),
        ("PYTHONUNBUFFERED", "1"),
        ("PATH", VENV_PATH),
    ]))
    .step(Step::Copy(
        Copy::stage("builder", "/opt/venv", "/opt/venv").owned_by(&owner),
    ));
    runtime = if source_in_builder {
        runtime.step(Step::Copy(
            Copy::stage("builder", "/app", "./").owned_by(&owner),
        ))
    } else {
        runtime.step(Step::Copy(
            Copy::context(&[&cx.src_dir()], "./").owned_by(&owner),
        ))
    };
    let runtime = cx.finish(runtime, Tool::Python, command(cx));
    assemble(cx, vec![builder, runtime])
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
    let declared =
        service.start_command.origin != Origin::Default && !service.start_command.value.is_empty();
    let entry = service.entrypoint.as_ref().map(|e| e.value.as_str());
    let kind = framework(service);
    if entry.is_none() && declared || kind.is_none() {
        return service.start_command.value.clone();
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
