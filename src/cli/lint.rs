//! `aigen lint`: Dockerfiles, manifests and charts against the constitution.
//!
//! The command loads the constitution the settings name (`--policy`, `AIGEN_POLICY`, the
//! configured path, else the embedded preset; see [`Constitution::load_configured`]), lints the
//! files and Helm charts under the paths with [`crate::policy::lint_paths`] (the manifests of a
//! run together, each chart rendered with `helm template` and the `--values` file) or stdin, and
//! prints one report in the chosen format. The exit code is 2 when an input could not be read, 1
//! when a finding is at or above `--severity-threshold`, 0 otherwise. `--explain` and
//! `--list-rules` print rule documentation instead.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::policy::constitution::Constitution;
use crate::policy::registry::{self, Rule};
use crate::policy::report::{self, Summary};
use crate::policy::severity::Severity;
use crate::policy::source::Excerpts;
use crate::policy::walk::{self, Input, Outcome};
use crate::settings::Flags;

/// Output formats of `aigen lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum LintFormat {
    /// rustc-style diagnostics with the source line and a caret.
    #[default]
    Text,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, as GitHub code scanning accepts it.
    Sarif,
}

/// Severity levels, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, ValueEnum)]
pub(crate) enum ThresholdArg {
    Info,
    Warning,
    #[default]
    Error,
}

impl From<ThresholdArg> for Severity {
    fn from(value: ThresholdArg) -> Self {
        match value {
            ThresholdArg::Info => Severity::Info,
            ThresholdArg::Warning => Severity::Warning,
            ThresholdArg::Error => Severity::Error,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Files or directories to lint; `-` reads one file from stdin (default: the project).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: LintFormat,

    /// Constitution file to lint against [env: AIGEN_POLICY].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t, value_name = "LEVEL")]
    pub severity_threshold: ThresholdArg,

    /// Print the documentation of a rule (by code or name) and exit.
    #[arg(long, value_name = "CODE", conflicts_with_all = ["paths", "list_rules"])]
    pub explain: Option<String>,

    /// List every rule with its code, default severity and summary (`--format json` for data).
    #[arg(long, conflicts_with = "paths")]
    pub list_rules: bool,

    /// List every file found under the paths with what it will be linted as, or why it is
    /// skipped, and exit without linting (`--format json` for data).
    #[arg(long, conflicts_with_all = ["explain", "list_rules", "stdin_filename"])]
    pub list_files: bool,

    /// Values file used when rendering Helm charts.
    #[arg(long, value_name = "FILE")]
    pub values: Option<PathBuf>,

    /// Treat stdin (`-`) as a file of this name, to pick its kind and for messages.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
}

pub(crate) fn run(args: LintArgs, context: &Context) -> Result<ExitStatus> {
    if let Some(code) = &args.explain {
        return explain(code, context);
    }
    if args.list_rules {
        return list_rules(args.format, context);
    }
    let settings = context.settings(&Flags {
        policy: args.policy.clone(),
        ..Flags::default()
    })?;
    let constitution = Constitution::load_configured(&settings.policy)?;
    context
        .printer
        .verbose(format!("constitution: {}", constitution.source.display()));
    if let Some(warning) = constitution.kubernetes_version_warning() {
        context.printer.warn(warning);
    }

    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && args.paths.len() > 1 {
        return Err(Error::usage_with_hint(
            "`-` (stdin) cannot be combined with other paths",
            "lint stdin and files in separate runs",
        ));
    }
    if args.stdin_filename.is_some() && !stdin {
        return Err(Error::usage("`--stdin-filename` needs `-` as the path"));
    }

    if args.list_files {
        if stdin {
            return Err(Error::usage("`--list-files` lists files, not stdin (`-`)"));
        }
        return list_files(&args, &settings, &constitution, context);
    }

    let input = if stdin {
        Input::Text {
            bytes: walk::read_stdin()?,
            name: args.stdin_filename.as_deref(),
        }
    } else {
        Input::Paths(&args.paths)
    };
    // Only the text report shows the lines findings are about.
    let excerpts = match args.format {
        LintFormat::Text => Excerpts::Shown,
        LintFormat::Json | LintFormat::Sarif => Excerpts::Omitted,
    };
    let outcome = walk::lint_input(
        input,
        &settings.cwd,
        &settings.root,
        args.values.as_deref(),
        excerpts,
        &constitution,
    )?;
    context.printer.verbose(format!(
        "linted {} files and {} Helm charts",
        outcome.files - outcome.charts.len(),
        outcome.charts.len()
    ));
    let status = report_outcome(&outcome, &args, context);
    // The process ends with this command: the findings of a large tree (tens of thousands of
    // small allocations) go back to the system at exit instead of being freed one by one.
    std::mem::forget(outcome);
    status
}

fn report_outcome(outcome: &Outcome, args: &LintArgs, context: &Context) -> Result<ExitStatus> {
    let printer = &context.printer;
    for error in &outcome.errors {
        printer.error(error);
    }
    for (skipped, reason) in &outcome.skipped {
        printer.verbose(format!(
            "skipped `{}`: {reason}",
            crate::fsutil::slash_path(skipped)
        ));
    }
    let summary = Summary::of_run(&outcome.findings, outcome.files, &outcome.charts)
        .with_skipped(outcome.skipped.len());
    match args.format {
        LintFormat::Text => {
            printer.out_raw(&report::text(&outcome.findings, printer.stdout_color()))?;
            printer.status(summary);
        }
        LintFormat::Json => {
            printer.out_json(&report::json::document(&outcome.findings, &summary))?
        }
        LintFormat::Sarif => printer.out(report::sarif(&outcome.findings))?,
    }
    if !outcome.errors.is_empty() {
        return Ok(ExitStatus::Error);
    }
    let threshold = Severity::from(args.severity_threshold);
    if summary.counts.at_or_above(threshold) > 0 {
        Ok(ExitStatus::Failure)
    } else {
        Ok(ExitStatus::Success)
    }
}

/// `--list-files`: what discovery saw under the paths, each with what it is linted as or why
/// not. Exit 2 when a path could not be read or a file named on the command line cannot be
/// linted (as linting would), 0 otherwise.
fn list_files(
    args: &LintArgs,
    settings: &crate::settings::Settings,
    constitution: &Constitution,
    context: &Context,
) -> Result<ExitStatus> {
    let root_only = [settings.root.clone()];
    let paths = if args.paths.is_empty() {
        &root_only[..]
    } else {
        &args.paths[..]
    };
    let discovery = walk::discover(paths, &settings.cwd, &settings.root, constitution);
    for error in &discovery.errors {
        context.printer.error(error);
    }
    let listed = walk::list_files(&discovery);
    match args.format {
        LintFormat::Json | LintFormat::Sarif => context.printer.out_json(&listed)?,
        LintFormat::Text => {
            let text: String = listed.iter().map(|l| format!("{l}\n")).collect();
            context.printer.out_raw(&text)?;
        }
    }
    let count = |kind: &str| listed.iter().filter(|l| l.kind == kind).count();
    context.printer.status(format!(
        "{} entries: {} Dockerfiles, {} manifests, {} Helm charts ({} files in them), {} skipped, {} not lintable",
        listed.len(),
        count("dockerfile"),
        count("manifest"),
        count("chart"),
        count("chart-file"),
        count("skipped"),
        count("error"),
    ));
    if discovery.errors.is_empty() && count("error") == 0 {
        Ok(ExitStatus::Success)
    } else {
        Ok(ExitStatus::Error)
    }
}

fn explain(code: &str, context: &Context) -> Result<ExitStatus> {
    let Some(rule) = registry::find(code) else {
        return Err(Error::usage_with_hint(
            format!("`{code}` is not a rule"),
            "`aigen lint --list-rules` lists the codes",
        ));
    };
    context.printer.out(rule.explanation())?;
    Ok(ExitStatus::Success)
}

fn list_rules(format: LintFormat, context: &Context) -> Result<ExitStatus> {
    let rules: Vec<&Rule> = registry::rules().collect();
    match format {
        LintFormat::Json | LintFormat::Sarif => {
            let listed: Vec<_> = rules.iter().map(|rule| rule.listing()).collect();
            context.printer.out_json(&listed)?;
        }
        LintFormat::Text => {
            let name_width = rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
            let mut text = String::new();
            for rule in rules {
                text.push_str(&format!(
                    "{}  {:<7}  {:<10}  {:<name_width$}  {}\n",
                    rule.code,
                    rule.severity.as_str(),
                    rule.target.as_str(),
                    rule.name,
                    rule.summary,
                ));
            }
            context.printer.out_raw(&text)?;
        }
    }
    Ok(ExitStatus::Success)
}
