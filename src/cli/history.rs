//! `aigen history`: list, show, search, verify, export and add Prompt History Records.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::Context;
use super::args::FormatArgs;
use crate::error::{ExitStatus, Result};

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub command: HistoryCommand,
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// List records, newest last.
    List(ListArgs),
    /// Show one record by id or path.
    Show(ShowArgs),
    /// Find records whose prompt, response or metadata contain a text.
    Search(SearchArgs),
    /// Check the hash chain: edited, deleted, inserted, reordered or truncated records.
    Verify(VerifyArgs),
    /// Counts per feature, stage, provider and model; tokens; failure rate; latency.
    Stats(StatsArgs),
    /// Export the trail as JSON, JSON Lines, CSV or Markdown.
    Export(ExportArgs),
    /// Record an exchange that happened outside aigen (a chat, the Gordon window).
    Add(AddArgs),
    /// Draw the trail as one self-contained HTML page.
    Report(ReportArgs),
}

/// Filters shared by `list`, `search`, `stats` and `export`.
#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// Only records of this feature.
    #[arg(long, value_name = "FEATURE")]
    pub feature: Option<String>,
    /// Only records of this stage.
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
    /// Only records of this provider or tool.
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// Only records of this model.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Only records on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only records on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only records with this outcome (ok, failed, interrupted).
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: Option<String>,
    /// Only records with this label.
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub output: FormatArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A record id (`0003`, `003-k8s-deployment/0003`) or a path.
    pub record: String,
    #[command(flatten)]
    pub output: FormatArgs,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The text to find (case-insensitive).
    pub text: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub output: FormatArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Re-link the chain after merging two branches' trails (recorded, see the README).
    #[arg(long)]
    pub relink: bool,
    #[command(flatten)]
    pub output: FormatArgs,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub output: FormatArgs,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Jsonl,
    Csv,
    Md,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Export format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The record's title.
    #[arg(long)]
    pub title: String,
    /// Stage: constitution, spec, plan, tasks, red, green, refactor, explainer, misc or general.
    #[arg(long)]
    pub stage: String,
    /// Feature (default: from aigen.toml or the environment).
    #[arg(long)]
    pub feature: Option<String>,
    /// Model that answered.
    #[arg(long)]
    pub model: Option<String>,
    /// Tool that was used (gordon, kubectl-ai, kagent, chat, ...).
    #[arg(long)]
    pub tool: Option<String>,
    /// Labels (repeatable).
    #[arg(long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,
    /// The prompt text.
    #[arg(
        long,
        required_unless_present = "prompt_file",
        conflicts_with = "prompt_file"
    )]
    pub prompt: Option<String>,
    /// File holding the prompt, `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub prompt_file: Option<PathBuf>,
    /// The response text.
    #[arg(
        long,
        required_unless_present = "response_file",
        conflicts_with = "response_file"
    )]
    pub response: Option<String>,
    /// File holding the response, `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub response_file: Option<PathBuf>,
    /// Files the exchange produced (repeatable).
    #[arg(long = "file", value_name = "PATH")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub output: FormatArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The HTML file to write.
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,
}

pub fn run(_args: HistoryArgs, _context: &Context) -> Result<ExitStatus> {
    super::not_built("history")
}
