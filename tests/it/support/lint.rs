//! Helpers shared by the `lint` integration tests: temporary projects and running the binary.

use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

use super::command::aigen_command;
use super::files::{copy_committed, repo_path, write_file};

/// A temporary project holding a copy of a fixture directory as committed
/// ([`copy_committed`]).
pub fn project_from(fixture: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_committed(Path::new(fixture), dir.path());
    dir
}

/// A temporary project with the given files (path, content).
pub fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        write_file(&dir.path().join(path), content);
    }
    dir
}

/// `aigen` in a directory, with a clean environment ([`aigen_command`]). The lint fixtures are
/// the Todo example's files, written for its constitution: a project without a constitution of
/// its own is held to the Phase IV preset (`AIGEN_POLICY`), not the baseline `aigen lint` would
/// use there.
pub fn aigen(dir: &Path) -> Command {
    let mut command = Command::from_std(aigen_command());
    command.current_dir(dir);
    if !dir.join("policies/constitution.yaml").exists() {
        command.env("AIGEN_POLICY", repo_path("policies/presets/phase-iv.yaml"));
    }
    command
}

/// `path:line:column code` of each finding of `aigen lint --format json` output.
pub fn json_codes(output: &[u8]) -> Vec<String> {
    let document: serde_json::Value = serde_json::from_slice(output).unwrap();
    document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{} {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["column"],
                f["code"].as_str().unwrap()
            )
        })
        .collect()
}

/// A `.dockerignore` that passes `AG-D022`.
pub const DOCKERIGNORE: &str = ".git\nnode_modules\n.env\n";

/// A Dockerfile for the backend that passes every rule.
pub const COMPLIANT_BACKEND: &str = "\
FROM python:3.13-slim AS build
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir --target /app/deps -r requirements.txt

FROM python:3.13-slim
RUN useradd --uid 1000 appuser
WORKDIR /app
COPY --from=build --chown=appuser:appuser /app/deps /app/deps
COPY --chown=appuser:appuser . .
USER appuser
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://localhost:8000/health')\"]
CMD [\"python\", \"-m\", \"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\"]
";
