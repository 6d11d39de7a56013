//! Listing a repository's files.
//!
//! One walk ([`list_files`]) lists every file under the root, honouring `.gitignore` and
//! skipping hidden, dependency and build directories and virtual environments;
//! [`super::service_set`] then picks the directories that are services, and [`service_dir`]
//! hands each its files.

use std::path::Path;

use ignore::WalkBuilder;

use super::model::FileProblem;
use super::source::ServiceDir;
use crate::fsutil;

/// The files that make a directory a service, in the order that decides its ecosystem when a
/// directory has several.
pub(crate) const MANIFESTS: &[&str] = &[
    "pyproject.toml",
    "requirements.txt",
    "Pipfile",
    "package.json",
    "go.mod",
    "Cargo.toml",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
];

/// Directories that hold dependencies, build output or test data, never a service's own code.
/// Python virtual environments are told by their `pyvenv.cfg`, whatever their name.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "target",
    "dist",
    "build",
    "out",
    "vendor",
    "__pycache__",
    "site-packages",
    "fixtures",
    "testdata",
    "coverage",
];

/// The service directory at `path` (relative to the root, `.` for the root) with its files.
pub(super) fn service_dir(root: &Path, files: &[String], path: &str) -> ServiceDir {
    ServiceDir {
        root: root.to_path_buf(),
        path: path.to_string(),
        files: files_under(files, path),
    }
}

/// Every file under `root` the walk keeps, relative to it with `/` separators, sorted, and the
/// directories that could not be listed.
pub(super) fn list_files(root: &Path) -> (Vec<String>, Vec<FileProblem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if !is_dir || entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            !(name.starts_with('.')
                || SKIPPED_DIRS.contains(&name.as_ref())
                || entry.path().join("pyvenv.cfg").is_file())
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_some_and(|t| t.is_dir()) {
                    continue;
                }
                let relative = fsutil::relative_to(entry.path(), root);
                files.push(fsutil::slash_path(&relative));
            }
            Err(error) => problems.push(FileProblem::new(
                walk_error_path(&error, root),
                format!("cannot list the directory: {error}"),
            )),
        }
    }
    files.sort();
    (files, problems)
}

/// The path a walk error is about, relative to the root when it can be told.
fn walk_error_path(error: &ignore::Error, root: &Path) -> String {
    match error {
        ignore::Error::WithPath { path, .. } => {
            fsutil::slash_path(&fsutil::relative_to(path, root))
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err, root)
        }
        _ => ".".to_string(),
    }
}

/// The files under `dir` (all of them for `.`), relative to it.
fn files_under(files: &[String], dir: &str) -> Vec<String> {
    if dir == "." {
        return files.to_vec();
    }
    let prefix = format!("{dir}/");
    let start = files.partition_point(|f| f.as_str() < prefix.as_str());
    files[start..]
        .iter()
        .take_while(|f| f.starts_with(&prefix))
        .map(|f| f[prefix.len()..].to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_under_a_directory_are_relative_to_it() {
        let mut files: Vec<String> = ["a/x.py", "ab/y.py", "b/a/z.py", "a/sub/w.py"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        files.sort();
        assert_eq!(files_under(&files, "a"), vec!["sub/w.py", "x.py"]);
        assert_eq!(files_under(&files, "b/a"), vec!["z.py"]);
        assert_eq!(files_under(&files, ".").len(), 4);
    }
}
