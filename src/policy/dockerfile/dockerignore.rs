//! The `.dockerignore` that goes with a Dockerfile: found where Docker looks for it
//! (`<name>.dockerignore` next to the Dockerfile, then `.dockerignore` in its directory and each
//! parent up to the project root), read once, and asked which paths it keeps out of the build
//! context. `AG-D022` ([`super::rules::dockerignore`]) checks what is found here.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// The `.dockerignore` of a Dockerfile's build context, as far as it was looked for.
#[derive(Debug, Clone)]
pub(crate) enum Dockerignore {
    /// Not looked for (text linted from memory without one).
    NotChecked,
    /// Looked for and not found; `expected` is where it should be.
    Missing { expected: PathBuf },
    /// Found: its display path and its patterns, read once however many Dockerfiles share it.
    Found {
        path: PathBuf,
        file: Arc<DockerignoreFile>,
    },
}

impl Dockerignore {
    #[cfg(test)]
    /// A `.dockerignore` given as text (generated, not yet on disk), shown as `path`.
    pub(crate) fn from_text(path: &Path, text: &str) -> Self {
        Self::Found {
            path: path.to_path_buf(),
            file: Arc::new(DockerignoreFile::parse(text)),
        }
    }
}

/// A `.dockerignore` file, its patterns compiled once.
#[derive(Debug)]
pub(crate) struct DockerignoreFile {
    matcher: Option<Gitignore>,
}

impl DockerignoreFile {
    /// Reads the patterns of a `.dockerignore` text. Docker ignores a pattern it cannot use, and
    /// so does this.
    pub(crate) fn parse(text: &str) -> Self {
        let mut builder = GitignoreBuilder::new("");
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let pattern = line.strip_prefix("./").unwrap_or(line);
            let pattern = pattern.strip_prefix('/').unwrap_or(pattern);
            let _ = builder.add_line(None, pattern);
        }
        Self {
            matcher: builder.build().ok(),
        }
    }

    /// True when the file keeps `entry` (a path relative to the build context) out.
    pub(crate) fn excludes(&self, entry: &str) -> bool {
        let path = Path::new(entry);
        self.matcher.as_ref().is_some_and(|m| {
            m.matched_path_or_any_parents(path, true).is_ignore()
                || m.matched_path_or_any_parents(path, false).is_ignore()
        })
    }

    /// The required entries it does not exclude.
    pub(crate) fn missing<'r>(&self, required: &'r [String]) -> Vec<&'r String> {
        required
            .iter()
            .filter(|entry| !self.excludes(entry))
            .collect()
    }
}

/// Reads `.dockerignore` files for [`find`].
pub(crate) type Reader<'r> = &'r dyn Fn(&Path) -> Option<Arc<DockerignoreFile>>;

/// Finds the `.dockerignore` of a Dockerfile on disk: `<dockerfile>.dockerignore`, then
/// `.dockerignore` in its directory and each parent up to `root`. `read` reads and parses a
/// candidate (the walker caches them, since many Dockerfiles share one file); `display` turns a
/// path into the path shown in findings.
pub(crate) fn find(
    dockerfile: &Path,
    root: &Path,
    read: Reader<'_>,
    display: &dyn Fn(&Path) -> PathBuf,
) -> Dockerignore {
    if let Some(own) = own_file(dockerfile)
        && let Some(file) = read(&own)
    {
        return Dockerignore::Found {
            path: display(&own),
            file,
        };
    }
    find_in_directories(crate::fsutil::parent_dir(dockerfile), root, read, display)
}

/// `<dockerfile>.dockerignore`, the file Docker prefers for one Dockerfile.
pub(crate) fn own_file(dockerfile: &Path) -> Option<PathBuf> {
    let mut own = dockerfile.file_name()?.to_os_string();
    own.push(".dockerignore");
    Some(dockerfile.with_file_name(own))
}

/// `.dockerignore` in `dir` or the nearest parent up to `root`; every Dockerfile of `dir` gets
/// the same answer, so the walker caches it per directory.
pub(crate) fn find_in_directories(
    dir: &Path,
    root: &Path,
    read: Reader<'_>,
    display: &dyn Fn(&Path) -> PathBuf,
) -> Dockerignore {
    for ancestor in dir.ancestors() {
        let candidate = ancestor.join(".dockerignore");
        if let Some(file) = read(&candidate) {
            return Dockerignore::Found {
                path: display(&candidate),
                file,
            };
        }
        if ancestor == root || ancestor.as_os_str().is_empty() || !ancestor.starts_with(root) {
            break;
        }
    }
    Dockerignore::Missing {
        expected: display(&dir.join(".dockerignore")),
    }
}

/// Reads and parses a `.dockerignore` when it exists and is text.
pub(crate) fn read_file(path: &Path) -> Option<Arc<DockerignoreFile>> {
    std::fs::read_to_string(path)
        .ok()
        .map(|text| Arc::new(DockerignoreFile::parse(&text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_found_where_docker_looks() {
        let dir = tempfile::tempdir().unwrap();
        let docker = dir.path().join("docker");
        std::fs::create_dir_all(&docker).unwrap();
        let dockerfile = docker.join("backend.Dockerfile");
        let shown = |p: &Path| p.strip_prefix(dir.path()).unwrap().to_path_buf();
        let find = |d: &Path, r: &Path, s: &dyn Fn(&Path) -> PathBuf| find(d, r, &read_file, s);
        assert!(matches!(
            find(&dockerfile, dir.path(), &shown),
            Dockerignore::Missing { expected } if expected == Path::new("docker/.dockerignore")
        ));
        std::fs::write(dir.path().join(".dockerignore"), "root\n").unwrap();
        assert!(
            matches!(find(&dockerfile, dir.path(), &shown), Dockerignore::Found { path, .. } if path == Path::new(".dockerignore"))
        );
        std::fs::write(docker.join("backend.Dockerfile.dockerignore"), "own\n").unwrap();
        assert!(
            matches!(find(&dockerfile, dir.path(), &shown), Dockerignore::Found { file, .. } if file.excludes("own"))
        );
    }
}
