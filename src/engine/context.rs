//! The build context aigen plans and sends: the project root, filtered by the Dockerfile's own
//! ignore file (`X.Dockerfile.dockerignore`, else the root's `.dockerignore`), with the Dockerfile
//! to build (staged or on disk) at its path.
//!
//! The Docker CLI filters a context by the root's `.dockerignore` only, unless BuildKit is used,
//! which reads `X.Dockerfile.dockerignore` first. Filtering here, with the file BuildKit would
//! pick, gives both builders the same files. The applied rules also travel as the context's
//! `.dockerignore`, as the CLI sends it: the engine then drops the Dockerfile and the ignore file
//! from what `COPY` sees when the rules exclude them.

use std::path::{Path, PathBuf};

use super::ignore::IgnoreRules;
use crate::error::{Error, Result};

/// What to build: a Dockerfile (its text, which may be staged rather than on disk) and the ignore
/// file that goes with it.
#[derive(Debug, Clone)]
pub(crate) struct ContextPlan {
    /// The context directory (the project root).
    pub root: PathBuf,
    /// The Dockerfile's path relative to the root, `/`-separated.
    pub dockerfile: String,
    /// The Dockerfile's text.
    pub dockerfile_text: String,
    /// The ignore file applied, relative to the root, and its text; `None` when there is none.
    pub ignore: Option<(String, String)>,
}

impl ContextPlan {
    /// The plan for a Dockerfile whose text and own ignore file are given (staged), else read
    /// from disk: `<dockerfile>.dockerignore` beside it, then `.dockerignore` at the root.
    pub(crate) fn new(
        root: &Path,
        dockerfile: &str,
        dockerfile_text: String,
        own_ignore: Option<String>,
    ) -> Self {
        let own_path = format!("{dockerfile}.dockerignore");
        let ignore = match own_ignore {
            Some(text) => Some((own_path, text)),
            None => [own_path, ".dockerignore".to_string()]
                .into_iter()
                .find_map(|path| {
                    std::fs::read_to_string(root.join(&path))
                        .ok()
                        .map(|text| (path, text))
                }),
        };
        Self {
            root: root.to_path_buf(),
            dockerfile: dockerfile.to_string(),
            dockerfile_text,
            ignore,
        }
    }
}

/// A build context, packed.
#[derive(Debug)]
pub(crate) struct BuildContext {
    /// The tar archive sent to the engine.
    pub tar: Vec<u8>,
    /// Files (and links) from the project in it.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
}

/// Packs the context of a plan.
pub(crate) fn pack(plan: &ContextPlan) -> Result<BuildContext> {
    let rules = plan
        .ignore
        .as_ref()
        .map(|(_, text)| IgnoreRules::parse(text))
        .unwrap_or_default();
    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(false);
    let mut packed = Packed {
        files: 0,
        bytes: 0,
        skip: [plan.dockerfile.as_str(), ".dockerignore"],
    };
    walk(&plan.root, "", &rules, &mut builder, &mut packed)?;
    append_text(&mut builder, &plan.dockerfile, &plan.dockerfile_text)?;
    if let Some((_, text)) = &plan.ignore {
        append_text(&mut builder, ".dockerignore", text)?;
    }
    let tar = builder
        .into_inner()
        .map_err(|e| Error::io("pack the build context of", &plan.root, e))?;
    Ok(BuildContext {
        tar,
        files: packed.files,
        bytes: packed.bytes,
    })
}

struct Packed<'a> {
    files: usize,
    bytes: u64,
    /// Entries the context gets from the plan rather than from disk.
    skip: [&'a str; 2],
}

/// Adds the entries of `dir` (`relative` to the root) that the rules keep, depth first, sorted by
/// name so the same tree packs the same way.
fn walk(
    root: &Path,
    relative: &str,
    rules: &IgnoreRules,
    builder: &mut tar::Builder<Vec<u8>>,
    packed: &mut Packed<'_>,
) -> Result<()> {
    let dir = if relative.is_empty() {
        root.to_path_buf()
    } else {
        root.join(relative)
    };
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| Error::io("read", &dir, e))?
        .filter_map(std::result::Result::ok)
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let path = if relative.is_empty() {
            name
        } else {
            format!("{relative}/{name}")
        };
        if packed.skip.contains(&path.as_str()) {
            continue;
        }
        let file_type = entry
            .file_type()
            .map_err(|e| Error::io("read", entry.path(), e))?;
        let excluded = rules.excludes(&path);
        if file_type.is_dir() {
            if excluded && !rules.may_include_below(&path) {
                continue;
            }
            if !excluded {
                builder
                    .append_dir(&path, entry.path())
                    .map_err(|e| Error::io("pack", entry.path(), e))?;
            }
            walk(root, &path, rules, builder, packed)?;
        } else if !excluded {
            let mut header = tar::Header::new_gnu();
            let metadata = std::fs::symlink_metadata(entry.path())
                .map_err(|e| Error::io("read", entry.path(), e))?;
            header.set_metadata(&metadata);
            // As the Docker CLI sends them: owned by root, whoever owns them here.
            header.set_uid(0);
            header.set_gid(0);
            if file_type.is_symlink() {
                let target = std::fs::read_link(entry.path())
                    .map_err(|e| Error::io("read", entry.path(), e))?;
                builder
                    .append_link(&mut header, &path, target)
                    .map_err(|e| Error::io("pack", entry.path(), e))?;
            } else if file_type.is_file() {
                let file = std::fs::File::open(entry.path())
                    .map_err(|e| Error::io("read", entry.path(), e))?;
                builder
                    .append_data(&mut header, &path, file)
                    .map_err(|e| Error::io("pack", entry.path(), e))?;
                packed.bytes += metadata.len();
            } else {
                continue;
            }
            packed.files += 1;
        }
    }
    Ok(())
}

/// Adds a text file the plan gives.
fn append_text(builder: &mut tar::Builder<Vec<u8>>, path: &str, text: &str) -> Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    builder
        .append_data(&mut header, path, text.as_bytes())
        .map_err(|e| Error::io("pack", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(context: &BuildContext) -> Vec<String> {
        let mut archive = tar::Archive::new(context.tar.as_slice());
        let mut names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_dockerfiles_own_ignore_file_decides() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (path, text) in [
            ("backend/app.py", "print()"),
            ("backend/.env", "SECRET=1"),
            ("web/package.json", "{}"),
            ("docker/backend.Dockerfile", "FROM old"),
            (".dockerignore", "web/package.json.nothing"),
        ] {
            std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            std::fs::write(root.join(path), text).unwrap();
        }
        let plan = ContextPlan::new(
            root,
            "docker/backend.Dockerfile",
            "FROM new".into(),
            Some("*\n!backend\n**/.env\n".into()),
        );
        assert_eq!(
            plan.ignore.as_ref().unwrap().0,
            "docker/backend.Dockerfile.dockerignore"
        );
        let context = pack(&plan).unwrap();
        assert_eq!(
            names(&context),
            [
                ".dockerignore",
                "backend",
                "backend/app.py",
                "docker/backend.Dockerfile"
            ]
        );
        assert_eq!(context.files, 1);
        let mut archive = tar::Archive::new(context.tar.as_slice());
        let mut dockerfile = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .find(|e| e.path().unwrap().ends_with("backend.Dockerfile"))
            .unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut dockerfile, &mut text).unwrap();
        assert_eq!(text, "FROM new");
    }

    #[test]
    fn without_an_own_file_the_roots_is_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".dockerignore"), "*.log\n").unwrap();
        std::fs::write(dir.path().join("a.log"), "x").unwrap();
        std::fs::write(dir.path().join("main.go"), "package main").unwrap();
        let plan = ContextPlan::new(dir.path(), "Dockerfile", "FROM x".into(), None);
        assert_eq!(plan.ignore.as_ref().unwrap().0, ".dockerignore");
        assert_eq!(
            names(&pack(&plan).unwrap()),
            [".dockerignore", "Dockerfile", "main.go"]
        );
    }
}
