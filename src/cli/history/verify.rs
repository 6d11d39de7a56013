//! `aigen history verify`: the hash chain checked (edited, deleted, inserted, reordered or
//! truncated records), and `--relink` to join the tips of two merged trails.

use clap::Args;

use super::History;
use crate::cli::args::FormatArgs;
use crate::error::{Error, ExitStatus, Result};
use crate::phr::verify::{self, Report, TrailSeverity};
use crate::phr::{Store, chain, relink};
use crate::printer::Tone;

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// After merging two branches' trails: append a record that joins their tips (refused while
    /// any other finding stands; see docs/history.md).
    #[arg(long)]
    pub relink: bool,
    /// Also fail on format warnings and unchained records.
    #[arg(long, conflicts_with = "relink")]
    pub strict: bool,
    #[command(flatten)]
    pub output: FormatArgs,
}

impl History<'_> {
    pub(super) fn verify(&self, args: VerifyArgs) -> Result<ExitStatus> {
        let store = self.store()?;
        if args.relink {
            return self.relink(store, args.output.is_json());
        }
        let report = verify::verify(store)?;
        let failed = report.failed(args.strict);
        if args.output.is_json() {
            let mut value = serde_json::to_value(&report)
                .map_err(|e| Error::usage(format!("cannot write JSON: {e}")))?;
            value["clean"] = serde_json::Value::Bool(!failed);
            self.out_json(&value)?;
        } else {
            self.out(&self.verify_text(&report))?;
        }
        Ok(if failed {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        })
    }

    pub(super) fn verify_text(&self, report: &Report) -> String {
        let p = self.printer;
        let mut text = String::new();
        for finding in &report.findings {
            let (label, tone) = match finding.severity {
                TrailSeverity::Error => ("error", Tone::Error),
                TrailSeverity::Warning => ("warning", Tone::Warning),
                TrailSeverity::Note => ("note", Tone::Dim),
            };
            text.push_str(&format!("{}: {finding}\n", p.paint(tone, label)));
        }
        let head = match &report.head {
            Some(tip) => format!("head #{} {}", tip.sequence, chain::short(&tip.hash)),
            None => "no head".to_string(),
        };
        let errors = report.count(TrailSeverity::Error);
        let warnings = report.count(TrailSeverity::Warning);
        let verdict = if errors == 0 {
            p.paint(Tone::Success, "clean")
        } else {
            p.paint(Tone::Error, format!("{errors} error(s)"))
        };
        text.push_str(&format!(
            "{} records ({} chained, {} unchained), {head}: {verdict}, {warnings} warning(s)\n",
            report.records, report.chained, report.unchained
        ));
        text
    }

    pub(super) fn relink(&self, store: &Store, json: bool) -> Result<ExitStatus> {
        let outcome = relink::relink(store)?;
        let refused = !outcome.blocking.is_empty();
        if json {
            self.out_json(&outcome)?;
        } else if refused {
            let mut text = String::new();
            for finding in &outcome.blocking {
                text.push_str(&format!(
                    "{}: {finding}\n",
                    self.printer.paint(Tone::Error, "error")
                ));
            }
            text.push_str(
                "relink refused: fix or explain these findings first; nothing was written\n",
            );
            self.out(&text)?;
        } else {
            match &outcome.appended {
                Some(appended) => {
                    let mut text = format!(
                        "relinked: {} joins {} branch tip(s)\n",
                        self.display_path(&appended.path),
                        outcome.adopted.len()
                    );
                    for path in &outcome.adopted {
                        text.push_str(&format!("  {path}\n"));
                    }
                    self.out(&text)?;
                }
                None => self
                    .printer
                    .status("nothing to relink: the chain has one end"),
            }
        }
        Ok(if refused {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        })
    }
}
