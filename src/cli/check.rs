//! `aigen check`: the constitution gate over a whole repository ([`crate::project::check`]), as
//! text or JSON; exit 1 when it fails.

use clap::Args;

use super::Context;
use super::args::FormatArgs;
use crate::error::{ExitStatus, Result};
use crate::printer::Tone;
use crate::project::check::{ImageLine, Problem, Report, check};
use crate::settings::Flags;

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Also build, run and judge each service's applied Dockerfile through the Docker Engine
    /// (as `aigen verify` does); an image that fails is a problem of the gate.
    #[arg(long)]
    pub images: bool,

    #[command(flatten)]
    pub engine: super::build::EngineArgs,

    #[command(flatten)]
    pub output: FormatArgs,
}

pub(crate) fn run(args: CheckArgs, context: &Context) -> Result<ExitStatus> {
    let project = context.open_project(&Flags::default())?;
    let mut report = check(&project)?;
    if args.images {
        let root = &project.settings.root;
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
                report.problems.push(Problem {
                    kind: "image",
                    path: checked.verdict.build.dockerfile.clone(),
                    message: format!("{}; recorded as {record}", checked.summary()),
                });
            }
            report.images.push(ImageLine {
                service: checked.service.clone(),
                passed: checked.passed(),
                summary: checked.summary(),
                record,
            });
        }
        report.passed = report.problems.is_empty();
    }
    print(&report, args.output.is_json(), context)?;
    Ok(if report.passed {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
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
