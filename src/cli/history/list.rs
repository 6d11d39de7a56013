//! `aigen history list`: the records that pass the filters, oldest first (or in another order).

use clap::{Args, ValueEnum};

use super::History;
use super::filter::{FilterArgs, filter};
use crate::cli::args::FormatArgs;
use crate::error::{ExitStatus, Result};
use crate::phr::query::{self, SortKey, Summary};

/// Orders for `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum SortArg {
    /// By date and time.
    #[default]
    Date,
    /// By feature directory and ID.
    Id,
    /// By place in the hash chain.
    Sequence,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Order of the records.
    #[arg(long, value_enum, default_value_t)]
    pub sort: SortArg,
    /// Newest first.
    #[arg(long)]
    pub reverse: bool,
    #[command(flatten)]
    pub output: FormatArgs,
}

impl History<'_> {
    pub(super) fn list(&self, args: ListArgs) -> Result<ExitStatus> {
        let filter = filter(&args.filter)?;
        let mut entries = self.entries(&filter, false)?;
        query::sort(
            &mut entries,
            match args.sort {
                SortArg::Date => SortKey::Date,
                SortArg::Id => SortKey::Id,
                SortArg::Sequence => SortKey::Sequence,
            },
        );
        if args.reverse {
            entries.reverse();
        }
        if args.output.is_json() {
            let summaries: Vec<Summary> = entries.iter().map(Summary::of).collect();
            self.out_json(&summaries)?;
        } else if entries.is_empty() {
            self.printer.status("no records");
        } else {
            let mut text = String::with_capacity(entries.len() * 100);
            for entry in &entries {
                text.push_str(&query::line(entry));
                text.push('\n');
            }
            self.out(&text)?;
        }
        Ok(ExitStatus::Success)
    }
}
