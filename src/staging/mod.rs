//! The staging area: generated artifacts wait in `generated/` until a person approves them.
//!
//! Staging sits between generation, which fills it, and review, which empties it; both lint
//! artifacts the same way through [`lint`] before they touch disk.
//!
//! Each staged file is kept under `generated/files/<target path>` and listed in
//! `generated/index.json` with its target, its sha256, the record that produced it and its lint
//! status. The hash binds approval to content: [`Staging::read`] refuses a staged file whose bytes
//! no longer match the hash recorded when it was staged. The index is rewritten atomically under
//! an exclusive lock, so concurrent runs never lose an entry.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::finding_counts::FindingCounts;
use crate::fsutil;
use crate::hash::sha256_hex;

pub(crate) mod lint;

pub(crate) use lint::{Artifact, Linted, lint_artifacts};

const INDEX: &str = "index.json";
const FILES: &str = "files";
const LOCK: &str = ".lock";

/// One artifact waiting for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Where it goes, relative to the project root.
    pub target: String,
    /// sha256 of the staged bytes.
    pub sha256: String,
    /// The record that produced it (`<feature>/<id>`), if any.
    pub record: Option<String>,
    /// Provider that produced it.
    pub provider: String,
    pub lint: FindingCounts,
    /// What building and running its image gave (`builds: yes, 212 MB; healthy after 4 s`),
    /// when it was verified (`--verify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    version: u32,
    entries: Vec<Entry>,
}

/// An artifact to stage.
#[derive(Debug, Clone)]
pub(crate) struct NewArtifact {
    pub target: String,
    pub content: String,
    pub record: Option<String>,
    pub provider: String,
    pub lint: FindingCounts,
    /// The verdict on its image, when it was verified.
    pub verified: Option<String>,
}

/// The staging directory of a project.
#[derive(Debug, Clone)]
pub struct Staging {
    dir: PathBuf,
}

impl Staging {
    /// The staging area at `dir` (created on first use).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The staging directory.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the staged copy of `target` lives.
    pub fn staged_path(&self, target: &str) -> PathBuf {
        self.dir.join(FILES).join(target)
    }

    /// Stages artifacts; an artifact for a target already staged replaces it.
    pub(crate) fn stage(&self, artifacts: &[NewArtifact]) -> Result<Vec<Entry>> {
        let _lock = self.lock()?;
        let mut index = self.load()?;
        let mut staged = Vec::with_capacity(artifacts.len());
        for artifact in artifacts {
            fsutil::write_atomic(
                &self.staged_path(&artifact.target),
                artifact.content.as_bytes(),
            )?;
            let entry = Entry {
                target: artifact.target.clone(),
                sha256: sha256_hex(artifact.content.as_bytes()),
                record: artifact.record.clone(),
                provider: artifact.provider.clone(),
                lint: artifact.lint,
                verified: artifact.verified.clone(),
            };
            index.entries.retain(|e| e.target != entry.target);
            index.entries.push(entry.clone());
            staged.push(entry);
        }
        index.entries.sort_by(|a, b| a.target.cmp(&b.target));
        self.save(&index)?;
        Ok(staged)
    }

    /// Everything staged, sorted by target.
    pub fn entries(&self) -> Result<Vec<Entry>> {
        Ok(self.load()?.entries)
    }

    /// The entries of `targets` (paths relative to the project root), or every entry when none
    /// is named; a target that is not staged is an error.
    pub(crate) fn select(&self, targets: &[String]) -> Result<Vec<Entry>> {
        let entries: Vec<Entry> = self
            .entries()?
            .into_iter()
            .filter(|e| targets.is_empty() || targets.contains(&e.target))
            .collect();
        if let Some(missing) = targets
            .iter()
            .find(|t| !entries.iter().any(|e| &e.target == *t))
        {
            return Err(Error::usage_with_hint(
                format!("`{missing}` is not staged"),
                "generate it first (`aigen dockerfile`, `aigen manifest`, `aigen helm`)",
            ));
        }
        Ok(entries)
    }

    /// The staged bytes of an entry, refused when they changed since staging.
    pub(crate) fn read(&self, entry: &Entry) -> Result<Vec<u8>> {
        let path = self.staged_path(&entry.target);
        let bytes = fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
        let actual = sha256_hex(&bytes);
        if actual != entry.sha256 {
            return Err(Error::input(
                Location::file(&path),
                format!(
                    "the staged file changed after it was staged (sha256 {actual}, staged as {}); regenerate it",
                    entry.sha256
                ),
            ));
        }
        Ok(bytes)
    }

    /// Removes entries (after they were applied or rejected).
    pub(crate) fn remove(&self, targets: &[String]) -> Result<()> {
        let _lock = self.lock()?;
        let mut index = self.load()?;
        index.entries.retain(|e| !targets.contains(&e.target));
        for target in targets {
            let path = self.staged_path(target);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io("remove", &path, e)),
            }
        }
        self.save(&index)
    }

    fn lock(&self) -> Result<File> {
        fs::create_dir_all(&self.dir).map_err(|e| Error::io("create directory", &self.dir, e))?;
        let path = self.dir.join(LOCK);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("open", &path, e))?;
        file.lock().map_err(|e| Error::io("lock", &path, e))?;
        Ok(file)
    }

    fn load(&self) -> Result<Index> {
        let path = self.dir.join(INDEX);
        match fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                Error::input(
                    Location::at(&path, e.line(), e.column()),
                    format!("the staging index is not valid: {e}"),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Index {
                version: 1,
                entries: Vec::new(),
            }),
            Err(e) => Err(Error::io("read", &path, e)),
        }
    }

    fn save(&self, index: &Index) -> Result<()> {
        let path = self.dir.join(INDEX);
        let mut text = serde_json::to_string_pretty(index)
            .map_err(|e| Error::usage(format!("cannot encode the staging index: {e}")))?;
        text.push('\n');
        fsutil::write_atomic(&path, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(target: &str, content: &str) -> NewArtifact {
        NewArtifact {
            target: target.into(),
            content: content.into(),
            record: Some("general/0001".into()),
            provider: "builtin".into(),
            verified: None,
            lint: FindingCounts::default(),
        }
    }

    #[test]
    fn staging_replaces_by_target_and_binds_content_to_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let staging = Staging::new(dir.path().join("generated"));
        staging
            .stage(&[
                artifact("k8s/a.yaml", "a: 1\n"),
                artifact("Dockerfile", "FROM x\n"),
            ])
            .unwrap();
        staging.stage(&[artifact("k8s/a.yaml", "a: 2\n")]).unwrap();
        let entries = staging.entries().unwrap();
        assert_eq!(
            entries
                .iter()
                .map(|e| e.target.as_str())
                .collect::<Vec<_>>(),
            ["Dockerfile", "k8s/a.yaml"]
        );
        assert_eq!(staging.read(&entries[1]).unwrap(), b"a: 2\n");

        fs::write(staging.staged_path("k8s/a.yaml"), "a: 3\n").unwrap();
        let error = staging.read(&entries[1]).unwrap_err();
        assert!(error.to_string().contains("changed after it was staged"));

        staging.remove(&["k8s/a.yaml".to_string()]).unwrap();
        assert_eq!(staging.entries().unwrap().len(), 1);
        assert!(!staging.staged_path("k8s/a.yaml").exists());
    }
}
