//! Writing approved artifacts to their targets, keeping what they replace so an apply can be
//! undone.
//!
//! Every write is atomic ([`fsutil::write_atomic`]): a crash leaves the old file whole. Before a
//! target is replaced its previous content is kept, addressed by its hash, under
//! `<staging>/backups/`; [`FileApplier::undo`] puts it back, but only when the target still holds exactly what
//! the apply wrote, so a later hand edit is never lost.

use std::fs;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::fsutil::{self, check_target};
use crate::hash::sha256_hex;

/// One file an apply wrote: enough to undo it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Written {
    /// Target path, relative to the project root.
    pub target: String,
    /// sha256 of what was there before, or `None` when the file was new.
    pub previous: Option<String>,
    /// sha256 of what was written.
    pub sha256: String,
}

/// Writes files under a project root, keeping backups in `backups`.
#[derive(Debug, Clone)]
pub(crate) struct FileApplier {
    root: PathBuf,
    backups: PathBuf,
}

impl FileApplier {
    pub(crate) fn new(root: impl Into<PathBuf>, backups: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            backups: backups.into(),
        }
    }

    /// Writes `content` to `target` (relative to the root) atomically, keeping the old content.
    /// A target that would lead outside the root is refused.
    pub(crate) fn write(&self, target: &str, content: &[u8]) -> Result<Written> {
        self.check(target)?;
        let path = self.root.join(target);
        let previous = match fs::read(&path) {
            Ok(old) => {
                let hash = sha256_hex(&old);
                let backup = self.backups.join(&hash);
                if !backup.exists() {
                    fsutil::write_atomic(&backup, &old)?;
                }
                Some(hash)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("read", &path, e)),
        };
        fsutil::write_atomic(&path, content)?;
        Ok(Written {
            target: target.to_string(),
            previous,
            sha256: sha256_hex(content),
        })
    }

    /// Restores what an apply replaced. Every file is checked before any is touched: a target
    /// that no longer holds what the apply wrote stops the undo, naming the file.
    pub(crate) fn undo(&self, written: &[Written]) -> Result<Vec<String>> {
        for file in written {
            self.check(&file.target)?;
            let path = self.root.join(&file.target);
            let current = match fs::read(&path) {
                Ok(bytes) => Some(sha256_hex(&bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(Error::io("read", &path, e)),
            };
            if current.as_deref() != Some(file.sha256.as_str()) {
                return Err(Error::input(
                    Location::file(&path),
                    "the file changed after it was applied; undo would lose those changes, so nothing was restored",
                ));
            }
            if let Some(previous) = &file.previous {
                let backup = self.backups.join(previous);
                if !backup.is_file() {
                    return Err(Error::input(
                        Location::file(&backup),
                        format!(
                            "the backup of `{}` is missing, so nothing was restored",
                            file.target
                        ),
                    ));
                }
            }
        }
        let mut restored = Vec::with_capacity(written.len());
        for file in written {
            let path = self.root.join(&file.target);
            match &file.previous {
                Some(previous) => {
                    let backup = self.backups.join(previous);
                    let bytes = fs::read(&backup).map_err(|e| Error::io("read", &backup, e))?;
                    fsutil::write_atomic(&path, &bytes)?;
                }
                None => {
                    fs::remove_file(&path).map_err(|e| Error::io("remove", &path, e))?;
                    fsutil::sync_dir(fsutil::parent_dir(&path))?;
                }
            }
            restored.push(file.target.clone());
        }
        Ok(restored)
    }

    /// Refuses a target that is absolute, climbs out with `..` or goes through a symlink that
    /// leads outside the root.
    fn check(&self, target: &str) -> Result<()> {
        check_target(target, &self.root).map_err(|why| {
            Error::input(
                Location::file(self.root.join(target)),
                format!("refusing `{target}`: {}", why.reason()),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_then_undo_restores_old_and_removes_new() {
        let dir = tempfile::tempdir().unwrap();
        let applier = FileApplier::new(dir.path(), dir.path().join("generated/backups"));
        fs::write(dir.path().join("old.txt"), "before\n").unwrap();
        let written = vec![
            applier.write("old.txt", b"after\n").unwrap(),
            applier.write("k8s/new.yaml", b"a: 1\n").unwrap(),
        ];
        assert_eq!(
            fs::read_to_string(dir.path().join("old.txt")).unwrap(),
            "after\n"
        );
        assert!(written[1].previous.is_none());
        applier.undo(&written).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("old.txt")).unwrap(),
            "before\n"
        );
        assert!(!dir.path().join("k8s/new.yaml").exists());
    }

    #[test]
    fn targets_outside_the_root_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        let outside = dir.path().join("outside");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("docker")).unwrap();
        let applier = FileApplier::new(&root, root.join("backups"));
        let absolute = outside.join("a.txt").display().to_string();
        for target in ["../a.txt", absolute.as_str(), "docker/a.txt"] {
            let error = applier.write(target, b"x\n").unwrap_err();
            assert!(error.to_string().contains("refusing"), "{target}: {error}");
        }
        let undo = vec![Written {
            target: "../a.txt".into(),
            previous: None,
            sha256: sha256_hex(b"x\n"),
        }];
        assert!(applier.undo(&undo).is_err());
        assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
        assert!(!dir.path().join("a.txt").exists());
    }

    #[test]
    fn undo_refuses_to_lose_a_later_edit() {
        let dir = tempfile::tempdir().unwrap();
        let applier = FileApplier::new(dir.path(), dir.path().join("backups"));
        let written = vec![applier.write("a.txt", b"generated\n").unwrap()];
        fs::write(dir.path().join("a.txt"), "edited by hand\n").unwrap();
        let error = applier.undo(&written).unwrap_err();
        assert!(error.to_string().contains("changed after it was applied"));
        assert_eq!(
            fs::read_to_string(dir.path().join("a.txt")).unwrap(),
            "edited by hand\n"
        );
    }
}
