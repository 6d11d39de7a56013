//! Running the jobs of a generating command (`aigen generate`, `dockerfile`, `manifest`, `helm`
//! and the `--review` of existing files) in the opened [`Project`]: the prompts with `--dry-run`,
//! else generation and staging, a report in text or `--format json`, and with `--yes` the same
//! review `aigen apply --yes` runs.

use std::io::IsTerminal;

use serde_json::json;

use super::args::GenerateArgs;
use super::build::{EngineArgs, EngineVerifier};
use super::{Context, command_line};
use crate::apply::approve::ApproveAll;
use crate::apply::review::{ReviewReport, Reviewer};
use crate::error::{ExitStatus, Result};
use crate::generate::jobs::Job;
use crate::generate::pipeline::{Generator, JobReport, JobStatus, RunOptions, SYSTEM, Verify};
use crate::printer::{Tone, Verbosity};
use crate::project::Project;
use crate::project::generation::{Planned, Request};
use crate::provider::Provider;

/// Plans the request in the project and runs its jobs: prints the prompts with `--dry-run`,
/// else generates, stages and (with `--yes`) applies. The findings of the existing files of a
/// review are warned about first. With `verify` (`--verify`), each Dockerfile's image is built
/// and run on the engine before it is recorded. Exit 0 when everything is clean, 1 when
/// findings are left.
pub(crate) fn plan_and_run(
    mut project: Project,
    request: Request<'_>,
    args: &GenerateArgs,
    verify: Option<&EngineArgs>,
    context: &Context,
) -> Result<ExitStatus> {
    let Planned {
        provider,
        jobs,
        findings,
    } = project.plan(request)?;
    for finding in &findings {
        context.printer.warn(finding.one_line());
    }
    let verifier = match verify {
        Some(engine) => EngineVerifier::when_asked(true, args.dry_run, &project, engine, context)?,
        None => None,
    };
    run_jobs(
        &project,
        &provider,
        jobs,
        args,
        EngineVerifier::as_verify(&verifier),
        context,
    )
}

/// Runs jobs: prints the prompts with `--dry-run`, else generates, stages and (with `--yes`)
/// applies. Exit 0 when everything is clean, 1 when findings are left.
fn run_jobs(
    project: &Project,
    provider: &Provider,
    jobs: Vec<Job>,
    args: &GenerateArgs,
    verifier: Option<&dyn Verify>,
    context: &Context,
) -> Result<ExitStatus> {
    let printer = &context.printer;
    let json = args.output.is_json();
    let settings = &project.settings;
    let generator = project.generator(
        provider,
        printer,
        RunOptions {
            model: settings.model.clone(),
            feature: settings.feature.clone(),
            max_rounds: settings.max_rounds,
            command_line: command_line(),
            stream: !json && std::io::stderr().is_terminal(),
            json,
            cancel: None,
        },
        verifier,
    );

    if args.dry_run {
        return dry_run(&generator, provider, &jobs, json, project, context);
    }

    let mut reports: Vec<JobReport> = Vec::new();
    for job in &jobs {
        printer.status(format!(
            "{} {} with {}",
            printer.paint_err(Tone::Info, "generating"),
            job.title,
            provider.kind()
        ));
        let report = generator.run(job)?;
        print_job(&report, context)?;
        reports.push(report);
    }

    let review = if args.yes {
        let targets: Vec<String> = reports
            .iter()
            .flat_map(|r| r.staged.iter().map(|e| e.target.clone()))
            .collect();
        Some(apply_now(project, &targets, &generator.options, context)?)
    } else {
        None
    };

    let clean = reports.iter().all(|r| r.status == JobStatus::Clean);
    if json {
        let mut value =
            json!({ "provider": provider.kind().name(), "jobs": reports, "applied": review });
        project.redactor.redact_json(&mut value);
        printer.out_json(&value)?;
    } else if review.is_none() {
        printer.status(format!(
            "staged in {}/; review and write with `aigen apply`",
            settings.config.paths.staging
        ));
    }
    Ok(match review {
        Some(review) if !review.refused.is_empty() => ExitStatus::Failure,
        _ if clean => ExitStatus::Success,
        _ => ExitStatus::Failure,
    })
}

/// One job's outcome in text mode: a status line and the findings left, if any.
fn print_job(report: &JobReport, context: &Context) -> Result<()> {
    let printer = &context.printer;
    let status = if report.status == JobStatus::Clean {
        printer.paint(Tone::Success, "clean")
    } else {
        printer.paint(Tone::Warning, "findings left")
    };
    printer.status(format!(
        "{} {}: {status} after {} round{}; recorded as {}",
        printer.paint_err(Tone::Success, "generated"),
        report.title,
        report.rounds,
        if report.rounds == 1 { "" } else { "s" },
        report.records.join(", ")
    ));
    for entry in report.staged.iter().filter(|e| e.verified.is_some()) {
        printer.status(format!(
            "  {}: {}",
            entry.target,
            entry.verified.as_deref().unwrap_or_default()
        ));
    }
    for entry in &report.staged {
        printer.verbose(format!(
            "  staged {} ({}, sha256 {})",
            entry.target,
            entry.lint,
            &entry.sha256[..12]
        ));
    }
    for finding in &report.findings {
        printer.warn(finding.one_line());
    }
    Ok(())
}

/// `--dry-run`: the prompt and where it would go; nothing is sent or written.
fn dry_run(
    generator: &Generator<'_>,
    provider: &Provider,
    jobs: &[Job],
    json: bool,
    project: &Project,
    context: &Context,
) -> Result<ExitStatus> {
    let printer = &context.printer;
    let mut items = Vec::new();
    for job in jobs {
        let (template, prompt) = generator.first_prompt(job)?;
        let prompt = project.redactor.redact_string(&prompt);
        if json {
            items.push(json!({
                "title": job.title,
                "provider": provider.kind().name(),
                "model": generator.options.model,
                "template": template.id(),
                "targets": job.expected.targets,
                "system": SYSTEM,
                "prompt": prompt,
            }));
        } else {
            printer.out(format!(
                "{} {} (provider {}, template {}; nothing is sent)\n\n{}",
                printer.paint(Tone::Emphasis, "dry run:"),
                job.title,
                provider.kind(),
                template.id(),
                prompt
            ))?;
        }
    }
    if json {
        printer.out_json(&json!({ "dry_run": true, "jobs": items }))?;
    }
    Ok(ExitStatus::Success)
}

/// `--yes`: applies the staged targets through the same review as `aigen apply --yes`.
fn apply_now(
    project: &Project,
    targets: &[String],
    options: &RunOptions,
    context: &Context,
) -> Result<ReviewReport> {
    let entries = project
        .staging
        .entries()?
        .into_iter()
        .filter(|e| targets.contains(&e.target))
        .collect();
    let reviewer = Reviewer {
        show_diffs: !options.json && context.printer.verbosity() >= Verbosity::Verbose,
        ..project.reviewer(&context.printer, options.command_line.clone())
    };
    reviewer.review(entries, &mut ApproveAll)
}
