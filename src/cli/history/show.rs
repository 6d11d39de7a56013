//! `aigen history show`: one record, as written or as JSON with whether its hash still matches.

use clap::Args;

use super::History;
use crate::cli::args::FormatArgs;
use crate::error::{ExitStatus, Result};
use crate::fsutil;
use crate::phr::query::Shown;

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// A record id (`0003`, `003-k8s-deployment/0003`) or a path.
    pub record: String,
    #[command(flatten)]
    pub output: FormatArgs,
}

impl History<'_> {
    pub(super) fn show(&self, args: ShowArgs) -> Result<ExitStatus> {
        let store = self.store()?;
        let entry = store.find(&args.record)?;
        let text = fsutil::read_to_string(&entry.file.path)?;
        if args.output.is_json() {
            self.out_json(&Shown::of(&entry, &text))?;
        } else {
            self.out(&text)?;
        }
        Ok(ExitStatus::Success)
    }
}
