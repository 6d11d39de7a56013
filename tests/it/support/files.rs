//! Files for the tests: paths in this repository, copies of its examples and fixtures as
//! committed ([`copy_committed`]), copies between temporary directories ([`copy_tree`]), and
//! small readers and writers.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A path in this repository.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Copies the files of `from`, a directory of this repository, into `to` as the repository has
/// them, and nothing a run or a build left beside them.
///
/// The list comes from git: the files it tracks under `from` (`git ls-files`), each copied from
/// the working copy, so an edit in progress to a tracked file is tested, while whatever a run of
/// aigen left there is not (the README's `generate` on `examples/todo-app` leaves its staging
/// area and trail; `apply` leaves Dockerfiles, manifests and a chart; a build leaves
/// `node_modules`). A tracked file deleted from the working copy is left out. A file git does
/// not track yet is not copied until it is `git add`ed; the copy says so on stderr, which the
/// test harness shows when the test fails.
///
/// Without git, or outside a git checkout (a source tarball), or when git tracks nothing under
/// `from` (a fixture being written), the copy takes every file the `.gitignore` files of the
/// repository leave in: the trail and staging area of the example and installed dependencies
/// are ignored there, but files an `apply` wrote into a tarball's example would be copied.
pub fn copy_committed(from: &Path, to: &Path) {
    let files = tracked_files(from).unwrap_or_else(|| not_ignored_files(from));
    for relative in files {
        let target = to.join(&relative);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&relative), &target)
            .unwrap_or_else(|e| panic!("copy {}: {e}", from.join(&relative).display()));
    }
}

/// The files git tracks under `dir` that exist in the working copy, relative to `dir`; `None`
/// when git cannot say or tracks none of them. Untracked files that are not ignored are named
/// on stderr.
fn tracked_files(dir: &Path) -> Option<Vec<PathBuf>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "ls-files",
            "-z",
            "-t",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let listing = String::from_utf8(output.stdout).expect("git lists UTF-8 paths here");
    let mut tracked = Vec::new();
    let mut untracked = Vec::new();
    for entry in listing.split('\0').filter(|e| !e.is_empty()) {
        let (tag, path) = entry
            .split_once(' ')
            .expect("`git ls-files -t` tags every path");
        if tag == "?" {
            untracked.push(path);
        } else if dir.join(path).is_file() {
            tracked.push(PathBuf::from(path));
        }
    }
    if tracked.is_empty() {
        return None;
    }
    if !untracked.is_empty() {
        eprintln!(
            "not copied from {}, because git does not track them: {}",
            dir.display(),
            untracked.join(", ")
        );
    }
    Some(tracked)
}

/// The files under `dir` that no `.gitignore` of the repository ignores, relative to `dir`.
fn not_ignored_files(dir: &Path) -> Vec<PathBuf> {
    let walk = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .git_global(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build();
    let mut files = Vec::new();
    for entry in walk {
        let entry = entry.unwrap();
        if entry.file_type().is_some_and(|t| t.is_file()) {
            files.push(entry.path().strip_prefix(dir).unwrap().to_path_buf());
        }
    }
    files
}

/// Copies the directory tree `from` into `to`, hidden files included, creating `to`: for what a
/// test made itself (another project's trail); a directory of the repository is copied with
/// [`copy_committed`].
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
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

/// The names in a directory, sorted (empty when it does not exist).
pub fn list_dir(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
