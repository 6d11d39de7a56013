//! File-system helpers that keep aigen's promise of never leaving a partial file behind.
//!
//! [`write_atomic`] writes to a temporary file in the target's directory, flushes it to disk,
//! renames it over the target and then flushes the directory, so a crash at any point leaves
//! either the old content or the new, whole. [`check_target`] refuses a target path that would
//! write outside the project: absolute, with `..`, or through a symlink that leads out;
//! [`check_read`] does the same for a path someone else asks aigen to read.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// How aigen's temporary files are named; nothing takes a file named so for a real one.
pub(crate) const TEMP_PREFIX: &str = ".aigen-tmp-";

/// A relative path with `.` and `..` resolved (`./src/../lib` gives `lib`); nothing left is `.`.
pub(crate) fn normalize_relative(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// A path in a container as a process there sees it: an absolute path as it is, a relative one
/// under `workdir` (`data` with `/app` gives `/app/data`), without a trailing `/`.
pub(crate) fn container_path(path: &str, workdir: &str) -> String {
    let path = path.trim_end_matches('/');
    if path.starts_with('/') {
        path.to_string()
    } else if path.is_empty() {
        "/".to_string()
    } else {
        format!("{}/{path}", workdir.trim_end_matches('/'))
    }
}

/// Writes `contents` to `path` atomically, creating parent directories as needed.
pub(crate) fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = parent_dir(path);
    fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    let temp = temp_file(dir, contents, true)?;
    if let Ok(meta) = fs::metadata(path) {
        // Keep the permissions of the file being replaced (an executable script stays one).
        let _ = fs::set_permissions(temp.path(), meta.permissions());
    }
    temp.persist(path)
        .map_err(|e| Error::io("replace", path, e.error))?;
    sync_dir(dir)
}

/// A temporary file in `dir` holding `contents`, readable by everyone (like files other tools
/// write) and flushed to disk when `sync`; renaming it over the target is the caller's step.
pub(crate) fn temp_file(
    dir: &Path,
    contents: &[u8],
    sync: bool,
) -> Result<tempfile::NamedTempFile> {
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file in", dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = temp
            .as_file()
            .set_permissions(fs::Permissions::from_mode(0o644));
    }
    temp.write_all(contents)
        .and_then(|()| {
            if sync {
                temp.as_file().sync_all()
            } else {
                Ok(())
            }
        })
        .map_err(|e| Error::io("write", temp.path(), e))?;
    Ok(temp)
}

/// Flushes a directory's entries to disk, so a rename in it survives a crash.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io("sync directory", dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Reads a file to a string, with the path in the error.
pub(crate) fn read_to_string(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| Error::io("read", path, e))
}

/// The directory a file lives in (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `path` relative to `base` when it lies under it, else `path` as given. Used for display and
/// for the `file:line` sources aigen reports, which read best relative to the project root.
pub(crate) fn relative_to(path: &Path, base: &Path) -> PathBuf {
    path.strip_prefix(base)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// A path with `/` separators, for output that must look the same on every platform.
pub(crate) fn slash_path(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/").replace("//", "/")
    }
}

/// Why a target path may not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnsafeTarget {
    /// An absolute path (or one starting with `~`).
    Absolute,
    /// A path with a `..` component.
    Parent,
    /// A path through a symlink that leads outside the project, or a symlink itself.
    Symlink,
}

impl UnsafeTarget {
    /// Why, in words.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::Absolute => "absolute paths are never written",
            Self::Parent => "paths with `..` are never written",
            Self::Symlink => "it goes through a symlink that leads outside the project",
        }
    }
}

/// Checks a target path (relative to the project root `root`) right before it is written. The
/// tree may have changed since the answer was checked, and a staging index or a record may come
/// from somewhere else, so whoever writes checks again.
pub(crate) fn check_target(relative: &str, root: &Path) -> Result<(), UnsafeTarget> {
    check_lexically(relative)?;
    if escapes_through_symlink(root, relative) {
        return Err(UnsafeTarget::Symlink);
    }
    Ok(())
}

/// Checks a path someone else named for reading (an MCP client's `paths`), relative to the
/// project root `root`: not absolute, no `..`, and where it exists, inside the root once every
/// symlink on the way is followed. A path that does not exist passes; reading it fails later
/// with the error that says so.
pub(crate) fn check_read(relative: &str, root: &Path) -> Result<(), UnsafeTarget> {
    check_lexically(relative)?;
    let Ok(root) = root.canonicalize() else {
        return Ok(());
    };
    match root.join(relative).canonicalize() {
        Ok(real) if !real.starts_with(&root) => Err(UnsafeTarget::Symlink),
        _ => Ok(()),
    }
}

/// Refuses absolute paths and paths with `..`, before looking at the file system.
pub(crate) fn check_lexically(raw: &str) -> Result<(), UnsafeTarget> {
    let path = Path::new(raw);
    if path.is_absolute() || raw.starts_with('~') {
        return Err(UnsafeTarget::Absolute);
    }
    if path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(UnsafeTarget::Parent);
    }
    Ok(())
}

/// True when the target, or a directory on its way, is a symlink that leads outside `root`, or
/// the target itself is a symlink (a write would go wherever it points).
pub(crate) fn escapes_through_symlink(root: &Path, relative: &str) -> bool {
    let Ok(root) = root.canonicalize() else {
        return false;
    };
    let target = root.join(relative);
    if target
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return true;
    }
    let existing = target.ancestors().find(|p| p.exists());
    match existing.map(Path::canonicalize) {
        Some(Ok(real)) => !real.starts_with(&root),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_paths_put_relative_ones_under_the_working_directory() {
        assert_eq!(container_path("data/", "/app"), "/app/data");
        assert_eq!(container_path("var/db", "/srv/app/"), "/srv/app/var/db");
        assert_eq!(container_path("/var/lib/kutt/", "/app"), "/var/lib/kutt");
        assert_eq!(container_path("/", "/app"), "/");
    }

    #[test]
    fn atomic_write_replaces_and_creates_parents() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a/b/c.txt");
        write_atomic(&target, b"one").unwrap();
        write_atomic(&target, b"two").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "two");
        let leftovers: Vec<_> = fs::read_dir(target.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(TEMP_PREFIX))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn reads_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "FROM x\n").unwrap();
        assert_eq!(check_read("Dockerfile", dir.path()), Ok(()));
        assert_eq!(check_read("missing/file", dir.path()), Ok(()));
        assert_eq!(check_read("../x", dir.path()), Err(UnsafeTarget::Parent));
        assert_eq!(
            check_read("/etc/passwd", dir.path()),
            Err(UnsafeTarget::Absolute)
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path(), dir.path().join("out")).unwrap();
            std::os::unix::fs::symlink("Dockerfile", dir.path().join("inside")).unwrap();
            assert_eq!(check_read("out", dir.path()), Err(UnsafeTarget::Symlink));
            assert_eq!(check_read("inside", dir.path()), Ok(()));
        }
    }

    #[test]
    fn slash_paths_drop_dots() {
        assert_eq!(slash_path(Path::new("./a/b")), "a/b");
        assert_eq!(slash_path(Path::new(".")), ".");
    }
}
