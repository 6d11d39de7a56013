//! `aigen check`: the constitution gate over a whole repository.
//!
//! It passes when every detected service has a Dockerfile, a Deployment among the manifests and
//! templates in the chart; when everything lints clean (no error findings), the Helm charts
//! rendered and linted as `aigen lint` does ([`crate::policy::lint_paths`]); and when every
//! infrastructure file traces to the trail: a record of an exchange or an approved apply whose
//! artifact hash is the file's current hash (principle I of the constitution, made checkable).
//! Files changed by hand since their record, and files no record knows, are listed by name.

use std::path::{Path, PathBuf};

use clap::Args;
use ignore::WalkBuilder;
use serde::Serialize;

use super::Context;
use super::args::FormatArgs;
use crate::apply::cluster::Manifests;
use crate::apply::trace::{Trace, TraceIndex};
use crate::error::{Error, ExitStatus, Result};
use crate::finding_counts::FindingCounts;
use crate::fsutil;
use crate::hash::sha256_hex;
use crate::policy::helm::ChartOptions;
use crate::policy::{Finding, Severity, lint_paths};
use crate::printer::Tone;
use crate::project::Project;
use crate::settings::Flags;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Also build, run and judge each service's applied Dockerfile through the Docker Engine
    /// (as `aigen verify` does); an image that fails is a problem of the gate.
    #[arg(long)]
    pub images: bool,

    #[command(flatten)]
    pub engine: super::build::EngineArgs,

    #[command(flatten)]
    pub output: FormatArgs,
}

/// One failed or passed part of the gate.
#[derive(Debug, Clone, Serialize)]
struct Problem {
    /// `missing`, `lint`, `changed`, `untraced` or `image`.
    kind: &'static str,
    path: String,
    message: String,
}

#[derive(Debug, Serialize)]
struct Report {
    passed: bool,
    services: Vec<String>,
    files_checked: usize,
    #[serde(serialize_with = "lint_summary")]
    lint: FindingCounts,
    problems: Vec<Problem>,
    /// The image verdicts, with `--images`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    images: Vec<ImageLine>,
}

/// One image's verdict in the gate.
#[derive(Debug, Serialize)]
struct ImageLine {
    service: String,
    passed: bool,
    summary: String,
    record: String,
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

pub fn run(args: CheckArgs, context: &Context) -> Result<ExitStatus> {
    let project = context.open_project(&Flags::default())?;
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

    let findings = lint_project(&project)?;
    for finding in findings.iter().filter(|f| f.severity == Severity::Error) {
        problems.push(Problem {
            kind: "lint",
            path: fsutil::slash_path(&finding.path),
            message: finding.short(),
        });
    }

    let trail = project.store.records()?;
    let index = TraceIndex::from_trail(&trail);
    let files = infrastructure_files(root, &project);
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

    let mut images = Vec::new();
    if args.images {
        let engine = crate::engine::Engine::connect()?;
        let built: Vec<_> = project
            .detection
            .services
            .iter()
            .filter(|s| root.join(project.params.dockerfile_path(&s.name)).is_file())
            .cloned()
            .collect();
        let outcome = super::build::check_images(
            &project,
            &engine,
            &built,
            &args.engine.options(true),
            false,
            context,
        )?;
        for (checked, record) in outcome.checked {
            if !checked.passed() {
                problems.push(Problem {
                    kind: "image",
                    path: checked.verdict.build.dockerfile.clone(),
                    message: format!("{}; recorded as {record}", checked.summary()),
                });
            }
            images.push(ImageLine {
                service: checked.service.clone(),
                passed: checked.passed(),
                summary: checked.summary(),
                record,
            });
        }
    }

    let report = Report {
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
        images,
    };
    print(&report, args.output.is_json(), context)?;
    Ok(if report.passed {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
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

fn print(report: &Report, json: bool, context: &Context) -> Result<()> {
    let printer = &context.printer;
    if json {
        return printer.out_json(report);
    }
    for problem in &report.problems {
        printer.out(format!(
            "{} {}: {}",
            printer.paint(Tone::Error, format!("{:<9}", problem.kind)),
            problem.path,
            problem.message
        ))?;
    }
    for image in &report.images {
        printer.out(format!(
            "{} {}: {}",
            printer.paint(
                if image.passed {
                    Tone::Success
                } else {
                    Tone::Error
                },
                format!("{:<9}", "image")
            ),
            image.service,
            image.summary
        ))?;
    }
    let verdict = if report.passed {
        printer.paint(Tone::Success, "passed")
    } else {
        printer.paint(Tone::Error, "failed")
    };
    printer.out(format!(
        "check {verdict}: {} services, {} infrastructure files, lint {} errors / {} warnings, {} problems",
        report.services.len(),
        report.files_checked,
        report.lint.errors,
        report.lint.warnings,
        report.problems.len()
    ))
}
