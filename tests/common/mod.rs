//! Pieces every group of integration tests needs, included by each support module
//! (`tests/*_support/mod.rs`) with `#[path = "../common/mod.rs"] mod common;` and re-exported
//! from there, so a test file keeps importing from its own support module; a test file without
//! one declares `mod common;` itself.
//!
//! Start with [`aigen_command`] (the binary with a clean environment) and [`Run`] (what a run
//! did), then [`copy_tree`] and [`copy_project`] (fixture directories into temporary projects)
//! and [`write_file`].

#![allow(dead_code)]

use std::path::Path;
use std::process::Output;

/// The `aigen` binary with none of the caller's settings that would change what it does or
/// what it redacts: aigen's own variables, OpenAI's, the kubeconfig, the editor, Spec-Kit's
/// feature, and any variable whose name says it holds a secret; and without colour.
pub fn aigen_command() -> std::process::Command {
    use assert_cmd::cargo::CommandCargoExt;
    let mut command = std::process::Command::cargo_bin("aigen").unwrap();
    for name in aigen::env_vars::ALL_AIGEN.iter().chain(&[
        aigen::env_vars::OPENAI_API_KEY,
        aigen::env_vars::OPENAI_BASE_URL,
        aigen::env_vars::KUBECONFIG,
        aigen::env_vars::SPECIFY_FEATURE,
        aigen::env_vars::EDITOR,
        "VISUAL",
    ]) {
        command.env_remove(name);
    }
    for (name, _) in std::env::vars() {
        if aigen::phr::redact::rules::name_says_secret(&name) || name.starts_with("SPECIFY") {
            command.env_remove(name);
        }
    }
    command.env("NO_COLOR", "1");
    command
}

/// `aigen -C <dir>` with `args`, from [`aigen_command`], run to the end.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let mut command = aigen_command();
    command.arg("-C").arg(dir).args(args);
    Run::of(&mut command)
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code; -1 when a signal ended the process.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Runs `command` to the end.
    pub fn of(command: &mut std::process::Command) -> Self {
        Self::from(command.output().expect("run aigen"))
    }

    /// Panics, showing the output, unless the run exited with `code`.
    #[track_caller]
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit {} instead of {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// Stdout as one JSON document.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Stdout and stderr together.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Copies the directory tree `from` into `to`, hidden files included, creating `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    copy_tree_except(from, to, &[]);
}

/// What a developer's working copy of a project may hold that is not the project: installed
/// dependencies and build output.
const NOT_THE_PROJECT: &[&str] = &["node_modules", ".next", ".venv", "__pycache__"];

/// Copies the project at `from` into `to` like [`copy_tree`], leaving out installed
/// dependencies and build output ([`NOT_THE_PROJECT`]) a working copy of an example may have.
pub fn copy_project(from: &Path, to: &Path) {
    copy_tree_except(from, to, NOT_THE_PROJECT);
}

fn copy_tree_except(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_tree_except(&entry.path(), &target, skip);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Writes `content` to `path`, creating its parent directories.
pub fn write_file(path: &Path, content: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}
