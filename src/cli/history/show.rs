//! `aigen history show`: one record, as written or as JSON with whether its hash still matches.

use clap::Args;

use super::History;
use crate::cli::args::FormatArgs;
use crate::error::{ExitStatus, Result};
use crate::fsutil;
use crate::phr::chain;

#[derive(Debug, Args)]
pub struct ShowArgs {
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
            let intact = entry
                .record
                .chain()
                .map(|c| chain::content_hash(&text).is_some_and(|h| h == c.hash));
            self.out_json(&serde_json::json!({
                "path": entry.file.rel,
                "reference": entry.reference(),
                "hash_matches": intact,
                "record": entry.record,
            }))?;
        } else {
            self.out(&text)?;
        }
        Ok(ExitStatus::Success)
    }
}
