//! `aigen history`: list, show, search, verify, stats, export, add and report on the Prompt
//! History Record trail.
//!
//! Each subcommand has a file of its own holding its arguments and a small function over
//! [`crate::phr`] that turns them into calls and the results into output; `filter` holds the
//! filters four of them share. This file dispatches, and holds what every subcommand works with
//! (`History`): the trail, the settings, the printer and the redactor. Everything printed,
//! written or returned as an error passes the command's [`Redactor`] first.

use std::path::Path;

use clap::{Args, Subcommand};

use super::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::fsutil;
use crate::phr::Store;
use crate::phr::query::{self, Filter};
use crate::printer::Printer;
use crate::secrets::Redactor;
use crate::settings::{Flags, Settings};

mod add;
mod export;
mod filter;
mod list;
mod report;
mod search;
mod show;
mod stats;
mod verify;

pub(crate) use add::AddArgs;
pub(crate) use export::ExportArgs;
pub(crate) use list::ListArgs;
pub(crate) use report::ReportArgs;
pub(crate) use search::SearchArgs;
pub(crate) use show::ShowArgs;
pub(crate) use stats::StatsArgs;
pub(crate) use verify::VerifyArgs;

#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    #[command(subcommand)]
    pub command: HistoryCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum HistoryCommand {
    /// List records, oldest first.
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

/// Runs `aigen history <command>`.
pub(crate) fn run(args: HistoryArgs, context: &Context) -> Result<ExitStatus> {
    // `add` files its record under `--feature`; the other subcommands filter by theirs.
    let flags = match &args.command {
        HistoryCommand::Add(add) => Flags {
            feature: add.feature.clone(),
            ..Flags::default()
        },
        _ => Flags::default(),
    };
    let settings = context.settings(&flags)?;
    // It knows the values of the environment's secret variables (OPENAI_API_KEY among them).
    let redactor = context.redactor.clone();
    let history = History {
        store: Store::open(&settings.history_root()).map(|s| s.with_redactor(redactor.clone())),
        settings: &settings,
        printer: &context.printer,
        redactor: &redactor,
    };
    history
        .command(args.command)
        .map_err(|error| redactor.redact_error(error))
}

/// What every subcommand works with.
struct History<'a> {
    store: Result<Store>,
    settings: &'a Settings,
    printer: &'a Printer,
    redactor: &'a Redactor,
}

impl History<'_> {
    fn command(&self, command: HistoryCommand) -> Result<ExitStatus> {
        match command {
            HistoryCommand::List(args) => self.list(args),
            HistoryCommand::Show(args) => self.show(args),
            HistoryCommand::Search(args) => self.search(args),
            HistoryCommand::Verify(args) => self.verify(args),
            HistoryCommand::Stats(args) => self.stats(args),
            HistoryCommand::Export(args) => self.export(args),
            HistoryCommand::Add(args) => self.add(args),
            HistoryCommand::Report(args) => self.report(args),
        }
    }

    fn store(&self) -> Result<&Store> {
        self.store.as_ref().map_err(|e| Error::usage(e.to_string()))
    }

    /// Prints data text, redacted.
    fn out(&self, text: &str) -> Result<()> {
        self.printer.out_raw(&self.redactor.redact(text))
    }

    /// Prints a value as pretty JSON, every string redacted.
    fn out_json(&self, value: &impl serde::Serialize) -> Result<()> {
        let mut json = serde_json::to_value(value)
            .map_err(|e| Error::usage(format!("cannot write JSON: {e}")))?;
        self.redactor.redact_json(&mut json);
        self.printer.out_json(&json)
    }

    /// The records that pass a filter ([`query::select`]); files that could not be read are
    /// warned about.
    fn entries(&self, filter: &Filter, with_body: bool) -> Result<Vec<crate::phr::Entry>> {
        let trail = query::select(self.store()?, filter, with_body)?;
        for (file, error) in &trail.problems {
            self.printer.warn(format!(
                "skipped `{}`: {}",
                file.rel,
                self.redactor.redact(&error.to_string())
            ));
        }
        Ok(trail.entries)
    }

    /// A path relative to the working directory when it lies under it.
    fn display_path(&self, path: &Path) -> String {
        fsutil::relative_to(path, &self.settings.cwd)
            .display()
            .to_string()
    }
}
