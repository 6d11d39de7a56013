//! `aigen lint`: Dockerfiles, manifests and charts against the constitution.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::Context;
use crate::error::{ExitStatus, Result};

/// Output formats of `aigen lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum LintFormat {
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
pub enum ThresholdArg {
    Info,
    Warning,
    #[default]
    Error,
}

#[derive(Debug, Args)]
pub struct LintArgs {
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

    /// Print the documentation of a rule and exit.
    #[arg(long, value_name = "CODE", exclusive = true)]
    pub explain: Option<String>,

    /// List every rule with its code, default severity and summary.
    #[arg(long, exclusive = true)]
    pub list_rules: bool,

    /// Values file used when rendering Helm charts.
    #[arg(long, value_name = "FILE")]
    pub values: Option<PathBuf>,

    /// Treat stdin (`-`) as a file of this name, to pick its kind and for messages.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
}

pub fn run(_args: LintArgs, _context: &Context) -> Result<ExitStatus> {
    super::not_built("lint")
}
