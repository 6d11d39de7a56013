//! `AG-D022`: a `.dockerignore` keeps `.git`, `node_modules` and `.env` out of the build context.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Deserialize;

use crate::policy::dockerfile::checker::{Checker, Dockerignore};
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that a `.dockerignore` goes with the Dockerfile and that it excludes `.git`,
    /// `node_modules` and `.env`. The file is looked for where Docker looks: next to the
    /// Dockerfile as `<name>.dockerignore`, then `.dockerignore` in the Dockerfile's directory
    /// and its parents up to the project root.
    ///
    /// Text linted from memory (generated artifacts before they are written) is checked only
    /// when the generator passes the `.dockerignore` it generated with it.
    ///
    /// ## Why is this bad?
    /// Without it, `COPY . .` sends the whole directory to the builder and into the image: the
    /// Git history, local `node_modules` built for another platform, and `.env` files with real
    /// secrets. The constitution requires a `.dockerignore` that excludes them.
    ///
    /// ## Example
    /// A `docker/` directory with `backend.Dockerfile` and no `.dockerignore`, or one that only
    /// lists `__pycache__`.
    ///
    /// ## Use instead
    /// ```text
    /// # .dockerignore
    /// .git
    /// node_modules
    /// .env
    /// .env.*
    /// !.env.example
    /// ```
    ///
    /// ## Options
    /// - `required` (list, default `.git`, `node_modules`, `.env`): paths the file must exclude.
    ///
    /// ## References
    /// The constitution's `.dockerignore` clause; BuildKit `CopyIgnoredFile` is the opposite
    /// check.
    pub(crate) const RULE = {
        code: "AG-D022",
        name: "dockerignore",
        target: Dockerfile,
        severity: Error,
        summary: "a `.dockerignore` excludes `.git`, `node_modules` and `.env`",
        aliases: [],
        params: Params,
    };
}

/// Parameters of `AG-D022`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    pub required: Vec<String>,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            required: [".git", "node_modules", ".env"].map(String::from).to_vec(),
        }
    }
}

/// A `.dockerignore` file, its patterns compiled once.
#[derive(Debug)]
pub struct DockerignoreFile {
    matcher: Option<Gitignore>,
}

impl DockerignoreFile {
    /// Reads the patterns of a `.dockerignore` text. Docker ignores a pattern it cannot use, and
    /// so does this.
    pub fn parse(text: &str) -> Self {
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
    pub fn excludes(&self, entry: &str) -> bool {
        let path = Path::new(entry);
        self.matcher.as_ref().is_some_and(|m| {
            m.matched_path_or_any_parents(path, true).is_ignore()
                || m.matched_path_or_any_parents(path, false).is_ignore()
        })
    }

    /// The required entries it does not exclude.
    pub fn missing<'r>(&self, required: &'r [String]) -> Vec<&'r String> {
        required
            .iter()
            .filter(|entry| !self.excludes(entry))
            .collect()
    }
}

/// Reads `.dockerignore` files for [`find`].
pub type Reader<'r> = &'r dyn Fn(&Path) -> Option<Arc<DockerignoreFile>>;

/// Finds the `.dockerignore` of a Dockerfile on disk: `<dockerfile>.dockerignore`, then
/// `.dockerignore` in its directory and each parent up to `root`. `read` reads and parses a
/// candidate (the walker caches them, since many Dockerfiles share one file); `display` turns a
/// path into the path shown in findings.
pub fn find(
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
pub fn own_file(dockerfile: &Path) -> Option<PathBuf> {
    let mut own = dockerfile.file_name()?.to_os_string();
    own.push(".dockerignore");
    Some(dockerfile.with_file_name(own))
}

/// `.dockerignore` in `dir` or the nearest parent up to `root`; every Dockerfile of `dir` gets
/// the same answer, so the walker caches it per directory.
pub fn find_in_directories(
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
pub fn read_file(path: &Path) -> Option<Arc<DockerignoreFile>> {
    std::fs::read_to_string(path)
        .ok()
        .map(|text| Arc::new(DockerignoreFile::parse(&text)))
}

/// Checks the `.dockerignore` found with the Dockerfile.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let required = &checker.params::<Params>().required;
    let listed = |entries: &[String]| {
        entries
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match checker.dockerignore {
        Dockerignore::NotChecked => {}
        Dockerignore::Missing { expected } => {
            let expected = crate::fsutil::slash_path(expected);
            checker
                .report_file("no `.dockerignore` goes with this Dockerfile")
                .help(format!(
                    "create `{expected}` excluding {}",
                    listed(required)
                ));
        }
        Dockerignore::Found { path, file } => {
            let missing: Vec<String> = file.missing(required).into_iter().cloned().collect();
            if !missing.is_empty() {
                let shown = crate::fsutil::slash_path(path);
                checker
                    .report_file(format!("`{shown}` does not exclude {}", listed(&missing)))
                    .help(format!(
                        "add {} to `{shown}`, one per line",
                        listed(&missing)
                    ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn required() -> Vec<String> {
        Params::default().required
    }

    fn missing_entries(text: &str, required: &[String]) -> Vec<String> {
        DockerignoreFile::parse(text)
            .missing(required)
            .into_iter()
            .cloned()
            .collect()
    }

    #[test]
    fn entries_are_matched_like_docker() {
        assert!(
            missing_entries(".git\nnode_modules/\n.env*\n!.env.example\n", &required()).is_empty()
        );
        assert!(missing_entries("**/node_modules\n/.git\n./.env\n", &required()).is_empty());
        assert!(missing_entries("*\n!src\n", &required()).is_empty());
        assert_eq!(
            missing_entries("# nothing\n__pycache__\n", &required()),
            required()
        );
        assert_eq!(
            missing_entries(".git\n.env\n", &required()),
            vec!["node_modules".to_string()]
        );
    }

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
