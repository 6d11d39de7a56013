//! `aigen ask`: a free-form prompt to an AI DevOps tool, recorded as a PHR.

use clap::Args;

use super::Context;
use super::args::FormatArgs;
use crate::error::{ExitStatus, Result};

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The tool to ask: kubectl-ai, kagent, gordon, openai, builtin or command.
    #[arg(long, value_name = "TOOL")]
    pub tool: String,

    /// The prompt.
    #[arg(value_name = "PROMPT")]
    pub prompt: String,

    /// Model name passed to the tool [env: AIGEN_MODEL].
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,

    /// Spec-Kit feature the record is filed under [env: AIGEN_FEATURE].
    #[arg(long, value_name = "FEATURE")]
    pub feature: Option<String>,

    /// kagent agent to invoke.
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,

    /// Show what would be run; run nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Seconds before the tool is stopped.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,

    #[command(flatten)]
    pub output: FormatArgs,
}

pub fn run(_args: AskArgs, _context: &Context) -> Result<ExitStatus> {
    super::not_built("ask")
}
