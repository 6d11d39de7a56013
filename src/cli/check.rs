//! `aigen check`: the constitution gate over a whole repository.

use clap::Args;

use super::Context;
use super::args::FormatArgs;
use crate::error::{ExitStatus, Result};

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub output: FormatArgs,
}

pub fn run(_args: CheckArgs, _context: &Context) -> Result<ExitStatus> {
    super::not_built("check")
}
