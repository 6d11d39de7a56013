//! `aigen history stats`: counts per feature, stage, provider and model; tokens; failures; latency.

use clap::Args;

use super::History;
use super::filter::{FilterArgs, filter};
use crate::cli::args::FormatArgs;
use crate::error::{ExitStatus, Result};
use crate::phr::query;

#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub output: FormatArgs,
}

impl History<'_> {
    pub(super) fn stats(&self, args: StatsArgs) -> Result<ExitStatus> {
        let filter = filter(&args.filter)?;
        let entries = self.entries(&filter, false)?;
        let stats = query::stats(&entries);
        if args.output.is_json() {
            self.out_json(&stats)?;
        } else {
            self.out(&stats.to_text())?;
        }
        Ok(ExitStatus::Success)
    }
}
