//! `aigen dockerfile --review` and `aigen manifest --review`: existing files are linted, sent with
//! their findings to the provider for a review and a corrected version, and the correction is
//! staged for `aigen apply`, with the exchange recorded like any other.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::Context;
use super::args::GenerateArgs;
use super::job_runner::{describe, run_jobs};
use crate::error::{Error, ExitStatus, Result};
use crate::generate::constitution_text::{self, Audience};
use crate::generate::extract::Expected;
use crate::generate::jobs::Job;
use crate::generate::prompt::{fence_files, finding_values};
use crate::policy::dockerfile::Dockerignore;
use crate::policy::dockerfile::rules::dockerignore;
use crate::policy::walk;
use crate::policy::{FileKind, Finding};
use crate::project::Project;
use crate::provider::Task;

/// Which files a review is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dockerfile,
    Manifest,
}

impl Kind {
    fn file_kind(self) -> FileKind {
        match self {
            Self::Dockerfile => FileKind::Dockerfile,
            Self::Manifest => FileKind::Kubernetes,
        }
    }
}

/// Reviews `paths` (default: the project's Dockerfiles, or its manifests directory).
pub fn run(
    project: &Project,
    paths: &[PathBuf],
    kind: Kind,
    args: &GenerateArgs,
    context: &Context,
) -> Result<ExitStatus> {
    let settings = &project.settings;
    let paths: Vec<PathBuf> = if paths.is_empty() {
        match kind {
            Kind::Dockerfile => vec![settings.root.clone()],
            Kind::Manifest => vec![settings.in_root(project.params.manifest_dir())],
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
                Kind::Dockerfile => "Dockerfiles",
                Kind::Manifest => "Kubernetes manifests",
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
    let job = review_job(project, kind, files, &findings);
    run_jobs(project, &provider, vec![job], args, context)
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

fn review_job(
    project: &Project,
    kind: Kind,
    files: Vec<(String, String)>,
    findings: &[Finding],
) -> Job {
    let audience = match kind {
        Kind::Dockerfile => Audience::Dockerfile,
        Kind::Manifest => Audience::Kubernetes,
    };
    let fenced = fence_files(
        files
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str())),
    );
    let reviewed: Vec<String> = files.iter().map(|(path, _)| path.clone()).collect();
    let added = match kind {
        Kind::Dockerfile => missing_dockerignores(&reviewed, &project.settings.root),
        Kind::Manifest => Vec::new(),
    };
    let mut optional: Vec<String> = added
        .iter()
        .flat_map(|m| [m.beside.clone(), m.in_directory.clone()])
        .collect();
    optional.sort();
    optional.dedup();
    // The builtin generator answers from the task: it writes the `.dockerignore` beside the
    // Dockerfile, as it does when it generates one.
    let mut task_files = files;
    task_files.extend(added.iter().map(|m| (m.beside.clone(), String::new())));
    let label = match kind {
        Kind::Dockerfile => "dockerfile",
        Kind::Manifest => "manifest",
    };
    Job {
        title: format!("Review of {}", reviewed.join(", ")),
        template: "review.md",
        context: json!({
            "rules": constitution_text::in_words(&project.constitution, audience),
            "findings": finding_values(findings),
            "files": fenced,
        }),
        task: Task::Review {
            files: task_files,
            findings: findings.iter().map(Finding::short).collect(),
        },
        expected: Expected {
            optional,
            ..Expected::files(reviewed)
        },
        labels: vec!["review".into(), label.into()],
    }
}

/// Where a reviewed Dockerfile that has no `.dockerignore` may get one.
struct MissingDockerignore {
    /// `<Dockerfile>.dockerignore`, which BuildKit reads first.
    beside: String,
    /// `.dockerignore` in the Dockerfile's directory, where the finding says one is looked for.
    in_directory: String,
}

/// The reviewed Dockerfiles with no `.dockerignore` on disk: a review may add one, since the
/// finding about it can be fixed no other way.
fn missing_dockerignores(dockerfiles: &[String], root: &Path) -> Vec<MissingDockerignore> {
    dockerfiles
        .iter()
        .filter(|path| {
            let found = dockerignore::find(
                &root.join(path),
                root,
                &dockerignore::read_file,
                &|p: &Path| p.to_path_buf(),
            );
            matches!(found, Dockerignore::Missing { .. })
        })
        .map(|path| {
            let directory = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            MissingDockerignore {
                beside: format!("{path}.dockerignore"),
                in_directory: if directory.is_empty() {
                    ".dockerignore".to_string()
                } else {
                    format!("{directory}/.dockerignore")
                },
            }
        })
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
