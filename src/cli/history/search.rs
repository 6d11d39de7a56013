//! `aigen history search`: the records whose prompt, response or metadata contain a text.

use clap::Args;

use super::History;
use super::filter::{FilterArgs, filter};
use crate::cli::args::FormatArgs;
use crate::error::{Error, ExitStatus, Result};
use crate::phr::query;

#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// The text to find (case-insensitive).
    pub text: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub output: FormatArgs,
}

impl History<'_> {
    pub(super) fn search(&self, args: SearchArgs) -> Result<ExitStatus> {
        let store = self.store()?;
        let filter = filter(&args.filter)?;
        if args.text.trim().is_empty() {
            return Err(Error::usage("give a text to search for"));
        }
        let needle = query::matcher(&args.text)?;
        let files = store.files(filter.directory(store).as_deref())?;
        let hits = query::search(&files, &needle, &filter);
        if args.output.is_json() {
            self.out_json(&hits)?;
        } else if hits.is_empty() {
            self.printer.status("no records match");
        } else {
            let mut text = String::new();
            for hit in &hits {
                text.push_str(&hit.summary.line());
                text.push('\n');
                text.push_str(&format!(
                    "    {}:{}: {}\n",
                    hit.summary.path, hit.line, hit.excerpt
                ));
            }
            self.out(&text)?;
        }
        Ok(if hits.is_empty() {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        })
    }
}
