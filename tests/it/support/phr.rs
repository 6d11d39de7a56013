//! Shared by the trail's tests: running the real binary in a temporary project, adding records
//! through it, and reading what it wrote.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

use super::command::aigen_command;
use super::files::repo_path;

/// A temporary project directory with its own trail.
pub struct Project {
    pub dir: TempDir,
}

impl Project {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The history root, `history/prompts`.
    pub fn trail(&self) -> PathBuf {
        self.path().join("history/prompts")
    }

    /// `aigen` run in the project, with a clean environment ([`aigen_command`]).
    pub fn aigen(&self) -> Command {
        Command::from_std(self.command())
    }

    /// [`Project::aigen`] as a standard command, for a test that starts it and waits (or
    /// kills it) itself.
    pub fn command(&self) -> std::process::Command {
        let mut command = aigen_command();
        command.current_dir(self.path());
        command
    }

    /// `aigen history <args>`, run to completion.
    pub fn history(&self, args: &[&str]) -> Output {
        self.aigen().arg("history").args(args).output().unwrap()
    }

    /// Adds a record through the binary and returns the path it printed.
    pub fn add(&self, title: &str, stage: &str, feature: Option<&str>, prompt: &str) -> PathBuf {
        let mut args = vec![
            "add",
            "--title",
            title,
            "--stage",
            stage,
            "--prompt",
            prompt,
            "--response",
            "done",
        ];
        if let Some(feature) = feature {
            args.extend(["--feature", feature]);
        }
        let output = self.history(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        self.path().join(stdout(&output).trim())
    }

    /// `verify --format json`, parsed, with the exit code.
    pub fn verify_json(&self) -> (i32, serde_json::Value) {
        let output = self.history(&["verify", "--format", "json"]);
        let value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&output), stderr(&output)));
        (output.status.code().unwrap(), value)
    }

    /// The (kind, path) pairs of verify's findings of severity error.
    pub fn errors(&self) -> Vec<(String, String)> {
        let (_, value) = self.verify_json();
        value["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| {
                (
                    f["kind"].as_str().unwrap().to_string(),
                    f["path"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    /// Every record file of the trail (relative to the history root), sorted.
    pub fn record_files(&self) -> Vec<String> {
        let mut files = Vec::new();
        let Ok(dirs) = std::fs::read_dir(self.trail()) else {
            return files;
        };
        for dir in dirs.filter_map(|d| d.ok()) {
            let name = dir.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !dir.path().is_dir() {
                continue;
            }
            for file in std::fs::read_dir(dir.path())
                .unwrap()
                .filter_map(|f| f.ok())
            {
                let file_name = file.file_name().to_string_lossy().into_owned();
                if file_name.ends_with(".prompt.md") && !file_name.starts_with('.') {
                    files.push(format!("{name}/{file_name}"));
                }
            }
        }
        files.sort();
        files
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The fixtures of this suite.
pub fn fixtures() -> PathBuf {
    repo_path("tests/fixtures/phr")
}
