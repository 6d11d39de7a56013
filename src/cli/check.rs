//! `aigen check`: the constitution gate over a whole repository ([`crate::project::check`]), as
//! text or JSON; exit 1 when it fails.

use clap::Args;

use super::Context;
use super::args::FormatArgs;
use crate::error::{ExitStatus, Result};
use crate::printer::Tone;
use crate::project::check::{Report, check};
use crate::settings::Flags;

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub output: FormatArgs,
}

pub fn run(args: CheckArgs, context: &Context) -> Result<ExitStatus> {
    let project = context.open_project(&Flags::default())?;
    let report = check(&project)?;
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
