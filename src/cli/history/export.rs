//! `aigen history export`: the trail as JSON, JSON Lines, CSV or Markdown, every value redacted.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::History;
use super::filter::{FilterArgs, filter};
use crate::error::{Error, ExitStatus, Result};
use crate::fsutil;
use crate::phr::query::{self, SortKey};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    Json,
    Jsonl,
    Csv,
    Md,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Export format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub filter: FilterArgs,
}

impl History<'_> {
    pub(super) fn export(&self, args: ExportArgs) -> Result<ExitStatus> {
        let filter = filter(&args.filter)?;
        let mut entries = self.entries(&filter, true)?;
        query::sort(&mut entries, SortKey::Date);
        let redacted_json = |entry: &crate::phr::Entry| -> Result<serde_json::Value> {
            let exported = query::Exported {
                path: &entry.file.rel,
                reference: entry.reference(),
                record: &entry.record,
            };
            let mut value = serde_json::to_value(exported)
                .map_err(|e| Error::usage(format!("cannot write JSON: {e}")))?;
            self.redactor.redact_json(&mut value);
            Ok(value)
        };
        let text = match args.format {
            ExportFormat::Json => {
                let values = entries
                    .iter()
                    .map(redacted_json)
                    .collect::<Result<Vec<_>>>()?;
                let mut text = serde_json::to_string_pretty(&values)
                    .map_err(|e| Error::usage(format!("cannot write JSON: {e}")))?;
                text.push('\n');
                text
            }
            ExportFormat::Jsonl => {
                let mut text = String::new();
                for entry in &entries {
                    text.push_str(&redacted_json(entry)?.to_string());
                    text.push('\n');
                }
                text
            }
            ExportFormat::Csv => {
                let mut writer = csv::Writer::from_writer(Vec::new());
                let csv_error = |e: csv::Error| Error::usage(format!("cannot write CSV: {e}"));
                writer.write_record(query::CSV_COLUMNS).map_err(csv_error)?;
                for entry in &entries {
                    let row: Vec<String> = query::csv_row(entry)
                        .iter()
                        .map(|cell| self.redactor.redact_string(cell))
                        .collect();
                    writer.write_record(&row).map_err(csv_error)?;
                }
                let bytes = writer
                    .into_inner()
                    .map_err(|e| Error::usage(format!("cannot write CSV: {e}")))?;
                String::from_utf8_lossy(&bytes).into_owned()
            }
            ExportFormat::Md => self.redactor.redact_string(&query::markdown(&entries)),
        };
        match &args.output {
            Some(path) => {
                let path = self.settings.cwd.join(path);
                fsutil::write_atomic(&path, text.as_bytes())?;
                self.printer.status(format!(
                    "exported {} records to {}",
                    entries.len(),
                    self.display_path(&path)
                ));
            }
            None => self.out(&text)?,
        }
        Ok(ExitStatus::Success)
    }
}
