//! Shared by the end-to-end tests: a temporary copy of the example project, the `aigen` binary
//! run in it with a clean environment, and readers for what a run leaves behind (records, the
//! staging index, every file of the temporary directory).
//!
//! Start with [`Project::todo_app`], then [`Project::run`]. The copy lives at
//! `<tmp>/work/todo-app`: the directory name is the application's (and the Helm chart's) name,
//! and the extra level keeps `../..` of the project inside the temporary directory, so a test
//! can check that nothing was written outside the project without touching the real system.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aigen::phr::{Entry as RecordEntry, Reference, Store};
use aigen::provider::builtin::GeneratedFile;
use aigen::staging::{Entry as Staged, Staging};

use super::command::{Run, aigen_command};
use super::files::{copy_committed, list_dir, repo_path, write_file};

/// An API key that must never show up anywhere a run leaves text.
pub const KEY: &str = "sk-e2e-NEVERSHOWN-4f1d9c2b7a";

/// Where the records of a run without a feature go, relative to the project root.
pub const GENERAL: &str = "history/prompts/general";

/// A temporary copy of an example project.
pub struct Project {
    dir: tempfile::TempDir,
    root: PathBuf,
}

impl Project {
    /// A fresh copy of `examples/todo-app` as committed ([`copy_committed`]).
    pub fn todo_app() -> Self {
        Self::copy_of(&repo_path("examples/todo-app"), "todo-app")
    }

    /// A fresh copy of the repository's directory `source` as committed ([`copy_committed`]),
    /// named `name`.
    pub fn copy_of(source: &Path, name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("work").join(name);
        copy_committed(source, &root);
        Self { dir, root }
    }

    /// The project root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The temporary directory the project lives in (files outside the project go here).
    pub fn scratch(&self) -> &Path {
        self.dir.path()
    }

    /// A path under the project root.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The `aigen` binary, started in the project root with none of the caller's aigen, OpenAI,
    /// kubeconfig or editor settings, and without colour.
    pub fn aigen(&self) -> std::process::Command {
        let mut command = aigen_command();
        command.current_dir(&self.root);
        command
    }

    /// `aigen dockerfile backend` with the openai provider at `base_url` (an OpenAI-compatible
    /// server on loopback) and the test API key set; callers add flags.
    pub fn openai_backend_dockerfile(&self, base_url: &str) -> std::process::Command {
        let mut command = self.aigen();
        command
            .args([
                "dockerfile",
                "backend",
                "--provider",
                "openai",
                "--base-url",
            ])
            .arg(base_url)
            .env("OPENAI_API_KEY", KEY);
        command
    }

    /// Runs `aigen` with `args` and collects what it did.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = self.aigen();
        command.args(args);
        Run::of(&mut command)
    }

    /// Reads a file of the project as text.
    pub fn read(&self, relative: &str) -> String {
        let path = self.path(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Writes a file of the project, creating directories.
    pub fn write(&self, relative: &str, text: &str) {
        write_file(&self.path(relative), text);
    }

    /// Every record of the trail, in chain order.
    pub fn records(&self) -> Vec<RecordEntry> {
        let store = Store::open(&self.path("history/prompts")).unwrap();
        let trail = store.records().unwrap();
        assert!(
            trail.problems.is_empty(),
            "unreadable records: {:?}",
            trail.problems
        );
        let mut entries = trail.entries;
        entries.sort_by_key(|e| {
            e.record
                .aigen
                .as_ref()
                .and_then(|m| m.chain.as_ref())
                .map(|c| c.sequence)
        });
        entries
    }

    /// One record by reference (`general/0003`).
    pub fn record(&self, reference: &str) -> RecordEntry {
        self.records()
            .into_iter()
            .find(|e| e.reference() == reference)
            .unwrap_or_else(|| panic!("no record {reference}"))
    }

    /// The file names in `history/prompts/general/`, sorted.
    pub fn general_records(&self) -> Vec<String> {
        list_dir(&self.path(GENERAL))
    }

    /// What the staging index lists.
    pub fn staged(&self) -> Vec<Staged> {
        Staging::new(self.path("generated")).entries().unwrap()
    }

    /// The staged bytes of `target`, as a string.
    pub fn staged_text(&self, target: &str) -> String {
        let staging = Staging::new(self.path("generated"));
        std::fs::read_to_string(staging.staged_path(target)).unwrap()
    }

    /// Every file under the temporary directory (the project and what lies around it), by path
    /// relative to it, with its bytes.
    pub fn tree(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        collect_files(self.dir.path(), self.dir.path(), &mut files);
        files
    }

    /// Makes the `command` provider answer with `answer`: the text goes to a file outside the
    /// project, and aigen.toml names `cat <file>` as the program.
    pub fn answer_with(&self, answer: &str) {
        let file = self.dir.path().join("answer.md");
        std::fs::write(&file, answer).unwrap();
        self.write(
            "aigen.toml",
            &format!(
                "[generate]\ncommand = [\"cat\", {}]\n",
                serde_json::to_string(&file.display().to_string()).unwrap()
            ),
        );
    }

    /// The files the builtin generator writes for this project, as it detects it, with the
    /// options the commands use by default (no Namespace object: `aigen manifest` without
    /// `--namespace`).
    pub fn builtin_files(&self) -> Vec<GeneratedFile> {
        let options = aigen::settings::GlobalOptions {
            directory: Some(self.root.clone()),
            ..Default::default()
        };
        let flags = aigen::settings::Flags::default();
        let settings = aigen::settings::Settings::resolve(&options, &flags, |_| None).unwrap();
        let constitution = aigen::policy::Constitution::load_configured(&settings.policy).unwrap();
        let detection = aigen::detect::detect(&settings.root, &settings.config);
        let mut params = aigen::generate::builtin_params::builtin_params(&settings, &constitution);
        params.namespace = None;
        aigen::provider::builtin::generate_all(&detection.services, &params)
    }

    /// One file the builtin generator writes for this project.
    pub fn builtin_file(&self, path: &str) -> String {
        self.builtin_files()
            .into_iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("the builtin generator writes no {path}"))
            .content
    }
}

/// The record `entry` links to and how (approves, forces, undoes, rejects, fixes); a panic
/// when it links to none.
#[track_caller]
pub fn link_of(entry: &RecordEntry) -> Reference {
    let meta = entry.record.aigen.as_ref().expect("an aigen record");
    meta.reference.clone().expect("a link to another record")
}

fn collect_files(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            collect_files(base, &path, out);
        } else {
            let relative = path.strip_prefix(base).unwrap().display().to_string();
            out.insert(relative, std::fs::read(&path).unwrap_or_default());
        }
    }
}

/// Asserts that no text in `texts` (named by the first element) contains `secret`.
#[track_caller]
pub fn assert_absent(secret: &str, texts: &[(&str, &str)]) {
    for (name, text) in texts {
        assert!(!text.contains(secret), "the secret shows up in {name}");
    }
}

/// Asserts that no file of the project's temporary directory contains `secret`.
#[track_caller]
pub fn assert_absent_from_files(project: &Project, secret: &str) {
    assert_only_in_project_file(project, secret, None);
}

/// Asserts that no file of the project's temporary directory but the one of the project's own
/// whose path ends with `kept_in` (where the project wrote it) contains `secret`.
#[track_caller]
pub fn assert_only_in_project_file(project: &Project, secret: &str, kept_in: Option<&str>) {
    for (path, bytes) in project.tree() {
        let text = String::from_utf8_lossy(&bytes);
        let own = kept_in.is_some_and(|kept| path.ends_with(kept));
        assert!(
            !text.contains(secret) || own,
            "the secret shows up in {path}"
        );
    }
}
