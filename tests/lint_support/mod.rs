//! Helpers shared by the `lint` integration tests: temporary projects and running the binary.

#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

/// Copies a directory tree (fixtures) into `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A temporary project holding a copy of a fixture directory.
pub fn project_from(fixture: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(Path::new(fixture), dir.path());
    dir
}

/// A temporary project with the given files (path, content).
pub fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// `aigen` in a directory, with the environment cleared of aigen's variables.
pub fn aigen(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("aigen").unwrap();
    command
        .current_dir(dir)
        .env_remove("AIGEN_POLICY")
        .env_remove("AIGEN_CONFIG")
        .env("NO_COLOR", "1");
    command
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
