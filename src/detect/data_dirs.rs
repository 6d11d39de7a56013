//! The directories a service writes at run time (its SQLite file, uploads, keys), which a
//! read-only root file system must leave writable. Each comes from what the project says, with
//! its `file:line`, in this order:
//!
//! - the value of a data directory's variable (`DATA_DIR`, `*_DATA_DIR`, `DATADIR`,
//!   `*_DATA_DIRECTORY`): the one the project's Dockerfile, compose file or manifests give it,
//!   else the code's own default (`os.getenv("DATA_DIR", "data")`, clap's
//!   `default_value = "microbin_data"`, the string that ends `process.env.DATA_DIR || … ||
//!   "./data/"`);
//! - the `VOLUME`s of the project's Dockerfile;
//! - what its compose file mounts into the service's container, writable: named and anonymous
//!   volumes, `tmpfs`, and bind mounts of a host directory the repository does not hold
//!   (`./data:/app/data`). A bind mount of code or configuration the repository holds is a
//!   development setup, not data; a read-only mount is not written.
//!
//! Paths are as the app sees them: relative to its working directory (a container path under
//! the project's Dockerfile `WORKDIR` is made relative to it), else absolute. Never a data
//! directory: the working directory itself or anything above it, a system directory (`/etc`,
//! `/usr`, `/tmp`, which is writable anyway), dependency and build output directories
//! (`node_modules`, `target`), or a directory whose files the source holds (a mount would hide
//! them; a `.gitkeep` alone does not count). A directory inside another one found is covered by
//! it.

use super::declared::Declared;
use super::declared::compose::MountSource;
use super::model::{Service, Sourced};
use super::source::ServiceDir;
use crate::fsutil::normalize_relative;

/// The last words of a variable that names a data directory.
const DATA_DIR_NAMES: &[&str] = &["DATA_DIR", "DATADIR", "DATA_DIRECTORY"];

/// Top-level directories of the file system that are the system's, not an app's data.
const SYSTEM_DIRS: &[&str] = &[
    "bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "proc", "root", "run", "sbin", "sys",
    "tmp", "usr",
];

/// Directories that hold dependencies, build output or tools' state, never an app's data.
const NOT_DATA: &[&str] = &[
    "node_modules",
    ".venv",
    "venv",
    "vendor",
    "dist",
    "build",
    "target",
    ".next",
    "__pycache__",
    ".git",
];

/// Files that keep an otherwise empty directory in a repository.
const KEEP_FILES: &[&str] = &[".gitkeep", ".keep", ".gitignore"];

/// True when a variable's name says it holds a data directory (`DATA_DIR`, `MICROBIN_DATA_DIR`).
pub(super) fn is_data_dir_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    DATA_DIR_NAMES
        .iter()
        .any(|word| upper == *word || upper.ends_with(&format!("_{word}")))
}

/// The directories `service` (in `dir`, with what its project declares) writes at run time.
pub(super) fn find(
    service: &Service,
    declared: &Declared,
    dir: &ServiceDir,
) -> Vec<Sourced<String>> {
    let mut candidates: Vec<Sourced<String>> = service
        .env
        .iter()
        .filter(|var| is_data_dir_name(&var.name))
        .filter_map(|var| var.value.clone())
        .collect();
    if let Some(dockerfile) = &declared.dockerfile {
        candidates.extend(dockerfile.volumes.iter().cloned());
    }
    for mount in declared.mounts() {
        let holds_nothing = match &mount.source {
            MountSource::Volume => true,
            MountSource::Bind(host) => empty_on_host(dir, host),
        };
        if mount.read_only || !holds_nothing {
            continue;
        }
        let target = match &declared.dockerfile {
            Some(dockerfile) => dockerfile.in_workdir(&mount.target.value),
            None => mount.target.value.clone(),
        };
        candidates.push(Sourced::new(target, mount.target.origin.clone()));
    }
    let mut found: Vec<Sourced<String>> = Vec::new();
    for candidate in candidates {
        let Some(path) = normalize(&candidate.value).filter(|p| may_hold_data(p, dir)) else {
            continue;
        };
        if !found.iter().any(|f| f.value == path) {
            found.push(Sourced::new(path, candidate.origin));
        }
    }
    let paths: Vec<String> = found.iter().map(|f| f.value.clone()).collect();
    found.retain(|f| {
        !paths.iter().any(|outer| {
            f.value
                .starts_with(&format!("{}/", outer.trim_end_matches('/')))
        })
    });
    found
}

/// A path as written, made plain (`./data/` is `data`, `/var/lib//app/` is `/var/lib/app`);
/// `None` for the working directory itself, a path above it, or text that is not a plain path
/// (a variable, `~`, a glob, a Windows path).
fn normalize(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty()
        || text.starts_with('~')
        || text.contains(['$', '{', '}', '*', '?', '"', '\'', '\\', ':'])
        || text.contains(char::is_whitespace)
    {
        return None;
    }
    let absolute = text.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        return None;
    }
    let joined = parts.join("/");
    Some(if absolute {
        format!("/{joined}")
    } else {
        joined
    })
}

/// Whether a plain path may be a data directory of the service in `dir`.
fn may_hold_data(path: &str, dir: &ServiceDir) -> bool {
    if path.split('/').any(|part| NOT_DATA.contains(&part)) {
        return false;
    }
    match path.strip_prefix('/') {
        Some(absolute) => {
            let first = absolute.split('/').next().unwrap_or_default();
            let system = SYSTEM_DIRS.contains(&first)
                || absolute == "var"
                || absolute.starts_with("var/run")
                || absolute.starts_with("var/tmp");
            !system
        }
        None => !dir.has(path) && !holds_files(dir, path),
    }
}

/// Whether the source holds files under `path` (of the service) besides keep files.
fn holds_files(dir: &ServiceDir, path: &str) -> bool {
    dir.files_in(path).any(|file| {
        let name = file.rsplit('/').next().unwrap_or(file);
        !KEEP_FILES.contains(&name)
    })
}

/// Whether a bind mount's host path (relative to the project root, where the compose file is)
/// is a directory of the service the repository holds nothing in: one the app fills at run
/// time. A host path outside the service, or an absolute one, cannot be told: not counted.
fn empty_on_host(dir: &ServiceDir, host: &str) -> bool {
    if host.starts_with(['/', '~']) || host.split('/').any(|part| part == "..") {
        return false;
    }
    let from_root = normalize_relative(host);
    match dir.relative(&from_root) {
        Some(rel) if rel != "." && !rel.is_empty() && !rel.starts_with("..") => {
            !dir.has(&rel) && !holds_files(dir, &rel)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(files: &[&str]) -> ServiceDir {
        ServiceDir {
            root: std::path::PathBuf::from("/nonexistent"),
            path: ".".into(),
            files: files.iter().map(|f| f.to_string()).collect(),
        }
    }

    #[test]
    fn data_directory_variables() {
        assert!(is_data_dir_name("DATA_DIR"));
        assert!(is_data_dir_name("MICROBIN_DATA_DIR"));
        assert!(is_data_dir_name("APP_DATADIR"));
        assert!(!is_data_dir_name("METADATA_DIRTY"));
        assert!(!is_data_dir_name("DATA_DIRS_ALLOWED"));
        assert!(!is_data_dir_name("DATABASE_URL"));
    }

    #[test]
    fn paths_are_made_plain() {
        assert_eq!(normalize("./data/").as_deref(), Some("data"));
        assert_eq!(normalize("microbin_data").as_deref(), Some("microbin_data"));
        assert_eq!(normalize("/var/lib//app/").as_deref(), Some("/var/lib/app"));
        assert_eq!(normalize("."), None);
        assert_eq!(normalize("/"), None);
        assert_eq!(normalize("../shared"), None);
        assert_eq!(normalize("${HOME}/data"), None);
        assert_eq!(normalize("~/data"), None);
        assert_eq!(normalize("C:\\data"), None);
    }

    #[test]
    fn what_the_source_holds_or_the_system_owns_is_no_data() {
        let service = dir(&[
            "data/.gitkeep",
            "templates/index.html",
            "main.go",
            "db.sqlite",
        ]);
        assert!(may_hold_data("data", &service));
        assert!(may_hold_data("uploads", &service));
        assert!(may_hold_data("/var/lib/app", &service));
        assert!(!may_hold_data("templates", &service));
        assert!(!may_hold_data("db.sqlite", &service));
        assert!(!may_hold_data("node_modules", &service));
        assert!(!may_hold_data("/app/node_modules", &service));
        assert!(!may_hold_data("/etc/app", &service));
        assert!(!may_hold_data("/tmp/cache", &service));
        assert!(!may_hold_data("/var/run/app", &service));
    }

    #[test]
    fn bind_mounts_of_what_the_repository_holds_are_not_data() {
        let service = dir(&["src/app.js", "config/app.yml", "data/.gitkeep"]);
        assert!(empty_on_host(&service, "./data"));
        assert!(empty_on_host(&service, "./uploads"));
        assert!(!empty_on_host(&service, "."));
        assert!(!empty_on_host(&service, "./src"));
        assert!(!empty_on_host(&service, "./config/app.yml"));
        assert!(!empty_on_host(&service, "/srv/data"));
        assert!(!empty_on_host(&service, "../data"));
    }
}
