//! `aigen history`: list, show, search, verify, stats, export, add and report on the Prompt
//! History Record trail.
//!
//! Each subcommand is a small function over [`crate::phr`]; this file only turns arguments into
//! calls and results into output. Everything printed, written or returned as an error passes the
//! command's [`Redactor`] first.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};

use super::Context;
use super::args::FormatArgs;
use crate::error::{Error, ExitStatus, Result};
use crate::fsutil;
use crate::phr::query::{self, Filter, SortKey, Summary};
use crate::phr::verify::{self, Report, Severity};
use crate::phr::{NewRecord, Stage, Store, chain, relink, report};
use crate::printer::{Printer, Tone};
use crate::secrets::Redactor;
use crate::settings::Settings;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub command: HistoryCommand,
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
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

/// Filters shared by `list`, `search`, `stats` and `export`.
#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// Only records of this feature.
    #[arg(long, value_name = "FEATURE")]
    pub feature: Option<String>,
    /// Only records of this stage.
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
    /// Only records of this provider or tool.
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// Only records of this model.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Only records on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only records on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only records with this outcome (ok, failed, interrupted).
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: Option<String>,
    /// Only records with this label.
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
}

/// Orders for `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum SortArg {
    /// By date and time.
    #[default]
    Date,
    /// By feature directory and ID.
    Id,
    /// By place in the hash chain.
    Sequence,
}

#[derive(Debug, Args)]
pub struct ListArgs {
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

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A record id (`0003`, `003-k8s-deployment/0003`) or a path.
    pub record: String,
    #[command(flatten)]
    pub output: FormatArgs,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The text to find (case-insensitive).
    pub text: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub output: FormatArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
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

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub output: FormatArgs,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Jsonl,
    Csv,
    Md,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Export format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The record's title.
    #[arg(long)]
    pub title: String,
    /// Stage: constitution, spec, plan, tasks, red, green, refactor, explainer, misc or general.
    #[arg(long)]
    pub stage: String,
    /// Feature (default: from aigen.toml or the environment).
    #[arg(long)]
    pub feature: Option<String>,
    /// Model that answered.
    #[arg(long)]
    pub model: Option<String>,
    /// Tool that was used (gordon, kubectl-ai, kagent, chat, ...).
    #[arg(long)]
    pub tool: Option<String>,
    /// Labels (repeatable).
    #[arg(long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,
    /// The prompt text.
    #[arg(
        long,
        required_unless_present = "prompt_file",
        conflicts_with = "prompt_file"
    )]
    pub prompt: Option<String>,
    /// File holding the prompt, `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub prompt_file: Option<PathBuf>,
    /// The response text.
    #[arg(
        long,
        required_unless_present = "response_file",
        conflicts_with = "response_file"
    )]
    pub response: Option<String>,
    /// File holding the response, `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub response_file: Option<PathBuf>,
    /// Files the exchange produced (repeatable).
    #[arg(long = "file", value_name = "PATH")]
    pub files: Vec<PathBuf>,
    /// Test or check results, one line each (repeatable), e.g. `hadolint: PASS`.
    #[arg(long = "test", value_name = "LINE")]
    pub tests: Vec<String>,
    #[command(flatten)]
    pub output: FormatArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The HTML file to write.
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,
}

/// Runs `aigen history <command>`.
pub fn run(args: HistoryArgs, context: &Context) -> Result<ExitStatus> {
    let settings = context.settings()?;
    // It knows the values of the environment's secret variables (OPENAI_API_KEY among them).
    let redactor = context.redactor.clone();
    let run = Run {
        store: Store::open(&settings.history_root()).map(|s| s.with_redactor(redactor.clone())),
        settings: &settings,
        printer: &context.printer,
        redactor: &redactor,
    };
    run.command(args.command)
        .map_err(|error| redactor.redact_error(error))
}

struct Run<'a> {
    store: Result<Store>,
    settings: &'a Settings,
    printer: &'a Printer,
    redactor: &'a Redactor,
}

impl Run<'_> {
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

    /// The records that pass a filter, reading only the feature's directory when it can, and
    /// only their front matter unless `with_body`.
    fn entries(&self, filter: &Filter, with_body: bool) -> Result<Vec<crate::phr::Entry>> {
        let store = self.store()?;
        let dir = filter.directory(store);
        let trail = match (with_body, dir) {
            (true, Some(dir)) => store.records_in(&dir)?,
            (true, None) => store.records()?,
            (false, dir) => store.front_matter(dir.as_deref())?,
        };
        // Records written by hand or by an older aigen may hold a secret in context in one
        // field and bare in another, and exports print them a field at a time: learn them
        // whole first. (What is printed as one text or one JSON value is learned whole anyway.)
        if with_body {
            let records: Vec<_> = trail.entries.iter().map(|e| &e.record).collect();
            if let Ok(value) = serde_json::to_value(records) {
                self.redactor.learn_json(&value);
            }
        }
        for (file, error) in &trail.problems {
            self.printer.warn(format!(
                "skipped `{}`: {}",
                file.rel,
                self.redactor.redact(&error.to_string())
            ));
        }
        Ok(trail
            .entries
            .into_iter()
            .filter(|e| filter.matches(e))
            .collect())
    }

    fn list(&self, args: ListArgs) -> Result<ExitStatus> {
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

    fn show(&self, args: ShowArgs) -> Result<ExitStatus> {
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

    fn search(&self, args: SearchArgs) -> Result<ExitStatus> {
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

    fn verify(&self, args: VerifyArgs) -> Result<ExitStatus> {
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

    fn verify_text(&self, report: &Report) -> String {
        let p = self.printer;
        let mut text = String::new();
        for finding in &report.findings {
            let (label, tone) = match finding.severity {
                Severity::Error => ("error", Tone::Error),
                Severity::Warning => ("warning", Tone::Warning),
                Severity::Note => ("note", Tone::Dim),
            };
            text.push_str(&format!("{}: {finding}\n", p.paint(tone, label)));
        }
        let head = match &report.head {
            Some(tip) => format!("head #{} {}", tip.sequence, chain::short(&tip.hash)),
            None => "no head".to_string(),
        };
        let errors = report.count(Severity::Error);
        let warnings = report.count(Severity::Warning);
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

    fn relink(&self, store: &Store, json: bool) -> Result<ExitStatus> {
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

    fn stats(&self, args: StatsArgs) -> Result<ExitStatus> {
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

    fn export(&self, args: ExportArgs) -> Result<ExitStatus> {
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

    fn add(&self, args: AddArgs) -> Result<ExitStatus> {
        let store = self.store()?;
        let stage: Stage = args
            .stage
            .parse()
            .map_err(|e: crate::phr::naming::UnknownStage| Error::usage(e.to_string()))?;
        if args.prompt_file.as_deref() == Some(Path::new("-"))
            && args.response_file.as_deref() == Some(Path::new("-"))
        {
            return Err(Error::usage(
                "only one of --prompt-file and --response-file can read stdin",
            ));
        }
        let prompt = self.text_arg(args.prompt, args.prompt_file, "--prompt")?;
        let response = self.text_arg(args.response, args.response_file, "--response")?;
        if prompt.trim().is_empty() {
            return Err(Error::usage(
                "the prompt is empty; a record keeps the whole prompt",
            ));
        }
        let feature = args.feature.or_else(|| self.settings.feature.clone());
        let record = NewRecord {
            feature,
            model: args.model,
            tool: args.tool,
            labels: args.labels,
            prompt,
            response,
            // As given (with `/` separators): normalising first could hide a secret's shape.
            files: args
                .files
                .iter()
                .map(|f| f.to_string_lossy().replace('\\', "/"))
                .collect(),
            tests: args.tests,
            command: Some("aigen history add".to_string()),
            ..NewRecord::new(args.title, stage)
        };
        let appended = store.append(record)?;
        if args.output.is_json() {
            self.out_json(&serde_json::json!({
                "path": self.display_path(&appended.path),
                "id": appended.id,
                "reference": appended.reference,
                "sequence": appended.sequence,
                "hash": appended.hash,
            }))?;
        } else {
            self.out(&format!("{}\n", self.display_path(&appended.path)))?;
        }
        Ok(ExitStatus::Success)
    }

    /// A text given inline or as a file (`-` for stdin).
    fn text_arg(
        &self,
        inline: Option<String>,
        file: Option<PathBuf>,
        flag: &str,
    ) -> Result<String> {
        match (inline, file) {
            (Some(text), _) => Ok(text),
            (None, Some(path)) if path == Path::new("-") => {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::io("read", "<stdin>", e))?;
                String::from_utf8(bytes)
                    .map_err(|_| Error::usage(format!("{flag}-file -: stdin is not UTF-8 text")))
            }
            (None, Some(path)) => {
                let path = self.settings.cwd.join(path);
                let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
                String::from_utf8(bytes).map_err(|_| {
                    Error::usage(format!(
                        "{flag}-file `{}` is not UTF-8 text",
                        path.display()
                    ))
                })
            }
            (None, None) => Err(Error::usage(format!("{flag} or {flag}-file is required"))),
        }
    }

    fn report(&self, args: ReportArgs) -> Result<ExitStatus> {
        let store = self.store()?;
        let verified = verify::verify(store)?;
        let mut entries = self.entries(&Filter::default(), true)?;
        query::sort(&mut entries, SortKey::Date);
        let title = format!("Prompt History — {}", self.settings.app_name);
        let root = fsutil::slash_path(&fsutil::relative_to(store.root(), &self.settings.root));
        let html = report::render(&entries, &verified, &title, &root, self.redactor)?;
        let path = self.settings.cwd.join(&args.html);
        fsutil::write_atomic(&path, html.as_bytes())?;
        self.out(&format!("{}\n", self.display_path(&path)))?;
        Ok(ExitStatus::Success)
    }

    /// A path relative to the working directory when it lies under it.
    fn display_path(&self, path: &Path) -> String {
        fsutil::relative_to(path, &self.settings.cwd)
            .display()
            .to_string()
    }
}

/// A [`Filter`] from the command line, with the values checked.
fn filter(args: &FilterArgs) -> Result<Filter> {
    let stage = args
        .stage
        .as_deref()
        .map(|s| s.parse::<Stage>().map_err(|e| Error::usage(e.to_string())))
        .transpose()?;
    let outcome = match args.outcome.as_deref().map(str::trim) {
        Some(o) if !query::OUTCOMES.contains(&o) => {
            return Err(Error::usage(format!(
                "unknown outcome `{o}` (expected ok, failed or interrupted)"
            )));
        }
        other => other.map(str::to_string),
    };
    Ok(Filter {
        feature: args.feature.clone(),
        stage,
        provider: args.provider.clone(),
        model: args.model.clone(),
        since: args
            .since
            .as_deref()
            .map(|d| query::parse_date(d, "--since"))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|d| query::parse_date(d, "--until"))
            .transpose()?,
        outcome,
        label: args.label.clone(),
    })
}
