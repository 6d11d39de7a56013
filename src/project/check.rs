//! The constitution gate over a whole repository, as `aigen check` and the MCP tool `check`
//! run it.
//!
//! It passes when every detected service has a Dockerfile, a Deployment among the manifests and
//! templates in the chart; when everything lints clean (no error findings), the Helm charts
//! rendered and linted as `aigen lint` does ([`crate::policy::lint_paths`]); and when every
//! infrastructure file traces to the trail: a record of an exchange or an approved apply whose
//! artifact hash is the file's current hash (principle I of the constitution, made checkable).
//! Files changed by hand since their record, and files no record knows, are listed by name.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use serde::Serialize;

use super::Project;
use crate::apply::cluster::Manifests;
use crate::apply::trace::{Trace, TraceIndex};
use crate::error::{Error, Result};
use crate::finding_counts::FindingCounts;
use crate::fsutil;
use crate::hash::sha256_hex;
use crate::policy::helm::ChartOptions;
use crate::policy::{Excerpts, Finding, Severity, lint_paths};

/// One failed or passed part of the gate.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Problem {
    /// `missing`, `lint`, `changed`, `untraced` or `image`.
    pub kind: &'static str,
    pub path: String,
    pub message: String,
}

/// The verdict of the gate and why.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    pub passed: bool,
    /// The detected services.
    pub services: Vec<String>,
    /// Infrastructure files traced to the trail.
    pub files_checked: usize,
    #[serde(serialize_with = "lint_summary")]
    pub lint: FindingCounts,
    pub problems: Vec<Problem>,
    /// The image verdicts, with `aigen check --images` (the command line adds them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageLine>,
}

/// One image's verdict in the gate.
#[derive(Debug, Serialize)]
pub(crate) struct ImageLine {
    pub service: String,
    pub passed: bool,
    pub summary: String,
    pub record: String,
}

/// The lint counts in the shape of `aigen lint --format json`'s summary:
/// `{"error": N, "warning": N, "info": N}`.
fn lint_summary<S: serde::Serializer>(
    counts: &FindingCounts,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serde_json::json!({
        "error": counts.errors,
        "warning": counts.warnings,
        "info": counts.infos,
    })
    .serialize(serializer)
}

/// Runs the gate over the project.
pub(crate) fn check(project: &Project) -> Result<Report> {
    let settings = &project.settings;
    let root = &settings.root;
    let mut problems = Vec::new();

    let manifest_dir = project.params.manifest_dir();
    let chart_dir = project.params.chart_dir();
    let deployments = deployments_in(&root.join(&manifest_dir));
    for service in &project.detection.services {
        let dockerfile = project.params.dockerfile_path(&service.name);
        if !root.join(&dockerfile).is_file() {
            problems.push(missing(&dockerfile, &service.name, "Dockerfile"));
        }
        if !deployments.contains(&service.name) {
            problems.push(missing(
                &manifest_dir,
                &service.name,
                "Deployment among the manifests",
            ));
        }
        let template = format!("{chart_dir}/templates/{}-deployment.yaml", service.name);
        if !root.join(&template).is_file() {
            problems.push(missing(&template, &service.name, "chart template"));
        }
    }

    let findings = lint_project(project)?;
    for finding in findings.iter().filter(|f| f.severity == Severity::Error) {
        problems.push(Problem {
            kind: "lint",
            path: fsutil::slash_path(&finding.path),
            message: finding.short(),
        });
    }

    let trail = project.store.records()?;
    let index = TraceIndex::from_trail(&trail);
    let files = infrastructure_files(root, project);
    for relative in &files {
        let path = root.join(relative);
        let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
        match index.trace(relative, &sha256_hex(&bytes)) {
            Trace::Recorded { .. } => {}
            Trace::Changed { record } => problems.push(Problem {
                kind: "changed",
                path: relative.clone(),
                message: format!("changed by hand since {record}; regenerate it or record the change with `aigen manifest --review` / `aigen dockerfile --review`"),
            }),
            Trace::Untraced => problems.push(Problem {
                kind: "untraced",
                path: relative.clone(),
                message: "no record produced or approved it; generate it with aigen or record the exchange with `aigen history add`".into(),
            }),
        }
    }

    Ok(Report {
        passed: problems.is_empty(),
        services: project
            .detection
            .services
            .iter()
            .map(|s| s.name.clone())
            .collect(),
        files_checked: files.len(),
        lint: FindingCounts::of(&findings),
        problems,
        images: Vec::new(),
    })
}

fn missing(path: &str, service: &str, what: &str) -> Problem {
    Problem {
        kind: "missing",
        path: path.to_string(),
        message: format!("service `{service}` has no {what}"),
    }
}

/// Names of the Deployments in the manifests directory (empty when there is none).
fn deployments_in(dir: &Path) -> Vec<String> {
    if !dir.is_dir() {
        return Vec::new();
    }
    Manifests::load(&[dir.to_path_buf()])
        .map(|manifests| {
            manifests
                .objects
                .iter()
                .filter(|m| m.key().kind == "Deployment")
                .map(|m| m.key().name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Every finding of `aigen lint` over the project, its Helm charts included.
fn lint_project(project: &Project) -> Result<Vec<Finding>> {
    let root = &project.settings.root;
    let outcome = lint_paths(
        std::slice::from_ref(root),
        root,
        root,
        &ChartOptions::default(),
        Excerpts::Shown,
        &project.constitution,
    );
    match outcome.errors.into_iter().next() {
        Some(error) => Err(error),
        None => Ok(outcome.findings),
    }
}

/// The infrastructure files: each service's Dockerfile and `.dockerignore`, and every file under
/// the manifests and chart directories; relative to the root, sorted.
fn infrastructure_files(root: &Path, project: &Project) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    for service in &project.detection.services {
        let dockerfile = project.params.dockerfile_path(&service.name);
        for candidate in [dockerfile.clone(), format!("{dockerfile}.dockerignore")] {
            if root.join(&candidate).is_file() {
                files.push(candidate);
            }
        }
    }
    for dir in [project.params.manifest_dir(), project.params.chart_dir()] {
        let dir: PathBuf = root.join(dir);
        if !dir.is_dir() {
            continue;
        }
        for entry in WalkBuilder::new(&dir)
            .hidden(false)
            .require_git(false)
            .build()
            .flatten()
        {
            if entry.file_type().is_some_and(|t| t.is_file()) {
                files.push(fsutil::slash_path(&fsutil::relative_to(entry.path(), root)));
            }
        }
    }
    files.sort();
    files.dedup();
    files
}
