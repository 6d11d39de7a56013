//! `aigen dockerfile --review` and `aigen manifest --review`: existing files are linted, sent with
//! their findings to the provider for a review and a corrected version, and the correction is
//! staged for `aigen apply`, with the exchange recorded like any other.

use std::path::{Path, PathBuf};

use super::Context;
use super::args::GenerateArgs;
use super::job_runner::{describe, run_jobs};
use crate::error::{Error, ExitStatus, Result};
use crate::generate::jobs::{self, ReviewKind};
use crate::policy::walk;
use crate::policy::{FileKind, Finding};
use crate::project::Project;

/// Reviews `paths` (default: the project's Dockerfiles, or its manifests directory).
pub fn run(
    project: &Project,
    paths: &[PathBuf],
    kind: ReviewKind,
    args: &GenerateArgs,
    context: &Context,
) -> Result<ExitStatus> {
    let settings = &project.settings;
    let paths: Vec<PathBuf> = if paths.is_empty() {
        match kind {
            ReviewKind::Dockerfile => vec![settings.root.clone()],
            ReviewKind::Manifest => vec![settings.in_root(project.params.manifest_dir())],
        }
    } else {
        paths.to_vec()
    };
    let discovery = walk::discover(&paths, &settings.cwd, &settings.root, &project.constitution);
    if let Some(error) = discovery.errors.into_iter().next() {
        return Err(error);
    }
    let root = settings
        .root
        .canonicalize()
        .map_err(|e| Error::io("read", &settings.root, e))?;
    let mut files: Vec<(String, String)> = Vec::new();
    for target in discovery.targets {
        let Ok(text) = std::fs::read_to_string(&target.path) else {
            continue;
        };
        let file_kind = target
            .kind
            .unwrap_or_else(|| FileKind::detect(&target.path, &text));
        if file_kind != kind.file_kind() {
            continue;
        }
        let relative = relative_to_root(&target.path, &root)?;
        files.push((relative, text));
    }
    if files.is_empty() {
        return Err(Error::usage(format!(
            "no {} to review under {}",
            match kind {
                ReviewKind::Dockerfile => "Dockerfiles",
                ReviewKind::Manifest => "Kubernetes manifests",
            },
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let findings = lint_existing(project, &files);
    for finding in &findings {
        context.printer.warn(describe(finding));
    }
    let services = project.select(&[], true).unwrap_or_default();
    let provider = project.provider(&services)?;
    let job = jobs::review(
        kind,
        files,
        &findings,
        &project.constitution,
        &project.settings.root,
    );
    run_jobs(project, &provider, vec![job], args, None, context)
}

/// The findings of the policy engine on the files, as they are on disk.
fn lint_existing(project: &Project, files: &[(String, String)]) -> Vec<Finding> {
    let artifacts = files
        .iter()
        .map(|(path, content)| crate::staging::Artifact {
            path: path.clone(),
            content: content.clone(),
        })
        .collect();
    crate::staging::lint_artifacts(artifacts, &project.settings.root, &project.constitution)
        .into_iter()
        .flat_map(|l| l.findings)
        .collect()
}

/// A path relative to the project root (`root`, canonical), refusing files outside it.
fn relative_to_root(path: &Path, root: &Path) -> Result<String> {
    let absolute = path
        .canonicalize()
        .map_err(|e| Error::io("read", path, e))?;
    absolute
        .strip_prefix(root)
        .map(crate::fsutil::slash_path)
        .map_err(|_| {
            Error::usage(format!(
                "`{}` is outside the project; only files of the project are reviewed",
                path.display()
            ))
        })
}
