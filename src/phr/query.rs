//! What `aigen history list | search | stats | export` compute from a trail: [`Filter`],
//! sorting, [`Summary`] rows, [`search`], [`Stats`] and the export formats.
//!
//! Everything here works on records already read; callers redact what they print.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use regex::{Regex, RegexBuilder};
use serde::Serialize;

use super::naming::{Stage, id_number};
use super::record::{Client, Record, Tokens};
use super::store::{Entry, RecordFile, Store, parse_at, read_all, utf8};
use crate::error::{Error, Result};
use crate::finding_counts::FindingCounts;
use crate::line_index::line_column;

/// Which records to keep. Empty fields keep everything.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    /// The feature: records in its directory or with it in their front matter.
    pub feature: Option<String>,
    pub stage: Option<Stage>,
    /// Provider or tool.
    pub provider: Option<String>,
    pub model: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// `ok`, `failed` or `interrupted`.
    pub outcome: Option<String>,
    pub label: Option<String>,
}

/// The outcomes a filter accepts.
pub(crate) const OUTCOMES: [&str; 3] = ["ok", "failed", "interrupted"];

/// Parses a `YYYY-MM-DD` date for a filter; `name` is what the date was given as (`--since`).
pub(crate) fn parse_date(text: &str, name: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Error::usage_with_hint(
            format!("`{name} {text}` is not a date"),
            "write dates as YYYY-MM-DD",
        )
    })
}

/// A filter as the command line (`--feature`, `--since`, ...) and MCP clients give it, every
/// value as text; [`FilterText::parse`] checks the values and makes the [`Filter`].
#[derive(Debug, Clone, Default)]
pub(crate) struct FilterText {
    pub feature: Option<String>,
    pub stage: Option<String>,
    pub provider: Option<String>,
    pub model: Option<String>,
    /// `YYYY-MM-DD`.
    pub since: Option<String>,
    /// `YYYY-MM-DD`.
    pub until: Option<String>,
    pub outcome: Option<String>,
    pub label: Option<String>,
}

impl FilterText {
    /// The filter, or a usage error naming the value that is not a stage, outcome or date;
    /// `prefix` is put before the names of the dates in messages (`--` for flags).
    pub(crate) fn parse(&self, prefix: &str) -> Result<Filter> {
        let stage = self
            .stage
            .as_deref()
            .map(|s| s.parse::<Stage>().map_err(|e| Error::usage(e.to_string())))
            .transpose()?;
        let outcome = match self.outcome.as_deref().map(str::trim) {
            Some(o) if !OUTCOMES.contains(&o) => {
                return Err(Error::usage(format!(
                    "unknown outcome `{o}` (expected ok, failed or interrupted)"
                )));
            }
            other => other.map(str::to_string),
        };
        let date = |value: &Option<String>, name: &str| {
            value
                .as_deref()
                .map(|d| parse_date(d, &format!("{prefix}{name}")))
                .transpose()
        };
        Ok(Filter {
            feature: self.feature.clone(),
            stage,
            provider: self.provider.clone(),
            model: self.model.clone(),
            since: date(&self.since, "since")?,
            until: date(&self.until, "until")?,
            outcome,
            label: self.label.clone(),
        })
    }
}

/// The records that pass `filter`, reading only the feature's directory when it can, and only
/// their front matter unless `with_body`; files that could not be read are in the trail's
/// problems. Records read whole are first learned whole by the store's redactor: records written
/// by hand or by an older aigen may hold a secret in context in one field and bare in another,
/// and callers show them a field at a time.
pub(crate) fn select(
    store: &Store,
    filter: &Filter,
    with_body: bool,
) -> Result<super::store::Trail> {
    let dir = filter.directory(store);
    let mut trail = match (with_body, dir) {
        (true, Some(dir)) => store.records_in(&dir)?,
        (true, None) => store.records()?,
        (false, dir) => store.front_matter(dir.as_deref())?,
    };
    if with_body {
        let records: Vec<_> = trail.entries.iter().map(|e| &e.record).collect();
        if let Ok(value) = serde_json::to_value(records) {
            store.redactor().learn_json(&value);
        }
    }
    trail.entries.retain(|e| filter.matches(e));
    Ok(trail)
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl Filter {
    /// Whether a record passes.
    pub(crate) fn matches(&self, entry: &Entry) -> bool {
        let r = &entry.record;
        if let Some(feature) = &self.feature
            && !(entry.file.dir == *feature || same(&r.feature, feature))
        {
            return false;
        }
        if let Some(stage) = self.stage
            && r.stage() != Some(stage)
        {
            return false;
        }
        if let Some(provider) = &self.provider {
            let meta = r.aigen.as_ref();
            let hit = [
                meta.and_then(|m| m.provider.as_deref()),
                meta.and_then(|m| m.tool.as_deref()),
            ]
            .into_iter()
            .flatten()
            .any(|p| same(p, provider));
            if !hit {
                return false;
            }
        }
        if let Some(model) = &self.model
            && !same(&r.model, model)
        {
            return false;
        }
        if self.since.is_some() || self.until.is_some() {
            let Ok(date) = NaiveDate::parse_from_str(r.date.trim(), "%Y-%m-%d") else {
                return false;
            };
            if self.since.is_some_and(|s| date < s) || self.until.is_some_and(|u| date > u) {
                return false;
            }
        }
        if let Some(outcome) = &self.outcome
            && r.outcome_status() != Some(outcome.as_str())
        {
            return false;
        }
        if let Some(label) = &self.label
            && !r.labels.iter().any(|l| same(l, label))
        {
            return false;
        }
        true
    }

    /// The only directory that can hold matching records, when the filter names a feature and
    /// that directory exists. Lets `list --feature` read one directory instead of the trail.
    pub(crate) fn directory(&self, store: &Store) -> Option<String> {
        let feature = self.feature.as_ref()?;
        store.root().join(feature).is_dir().then(|| feature.clone())
    }
}

/// One record as `aigen history show --format json` gives it: where it is, its reference,
/// whether its content still matches its own hash (`None` for unchained records) and its fields.
#[derive(Debug, Serialize)]
pub(crate) struct Shown<'a> {
    /// Relative to the history root.
    pub path: &'a str,
    pub reference: String,
    pub hash_matches: Option<bool>,
    pub record: &'a Record,
}

impl<'a> Shown<'a> {
    /// The record of `entry`, whose file holds `text`.
    pub(crate) fn of(entry: &'a Entry, text: &str) -> Self {
        Self {
            path: &entry.file.rel,
            reference: entry.reference(),
            hash_matches: entry
                .record
                .chain()
                .map(|c| super::chain::content_hash(text).is_some_and(|h| h == c.hash)),
            record: &entry.record,
        }
    }
}

/// Orders for `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum SortKey {
    /// By date and time, then directory and ID.
    #[default]
    Date,
    /// By directory, then ID.
    Id,
    /// By chain sequence (unchained records last).
    Sequence,
}

fn time_of(r: &Record) -> &str {
    r.aigen
        .as_ref()
        .and_then(|m| m.time.as_deref())
        .unwrap_or("")
}

/// Sorts entries (stable). The entries are large, so an order is computed over indexes and
/// the entries are moved once.
pub(crate) fn sort(entries: &mut Vec<Entry>, key: SortKey) {
    let id = |e: &Entry| id_number(&e.record.id).unwrap_or(u64::MAX);
    let sequence = |e: &Entry| e.record.chain().map_or(u64::MAX, |c| c.sequence);
    let mut order: Vec<usize> = (0..entries.len()).collect();
    {
        let e = &*entries;
        match key {
            SortKey::Date => order.sort_by(|&a, &b| {
                let (a, b) = (&e[a], &e[b]);
                (&a.record.date, time_of(&a.record), &a.file.dir, id(a)).cmp(&(
                    &b.record.date,
                    time_of(&b.record),
                    &b.file.dir,
                    id(b),
                ))
            }),
            SortKey::Id => order.sort_by(|&a, &b| {
                let (a, b) = (&e[a], &e[b]);
                (&a.file.dir, id(a)).cmp(&(&b.file.dir, id(b)))
            }),
            SortKey::Sequence => order.sort_by(|&a, &b| {
                let (a, b) = (&e[a], &e[b]);
                (sequence(a), &a.file.rel).cmp(&(sequence(b), &b.file.rel))
            }),
        }
    }
    let mut slots: Vec<Option<Entry>> = std::mem::take(entries).into_iter().map(Some).collect();
    entries.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// One line for the terminal: reference, date, stage, outcome (`-` when not recorded), title.
pub(crate) fn row(
    reference: &str,
    date: &str,
    stage: &str,
    outcome: Option<&str>,
    title: &str,
) -> String {
    format!(
        "{reference:<28} {date:<10} {stage:<12} {:<11} {title}",
        outcome.unwrap_or("-")
    )
}

/// The [`row`] of an entry.
pub(crate) fn line(entry: &Entry) -> String {
    let r = &entry.record;
    row(
        &entry.reference(),
        &r.date,
        &r.stage,
        r.outcome_status(),
        &r.title,
    )
}

/// One record as `list` and `search` show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    /// Relative to the history root.
    pub path: String,
    /// `<dir>/<id>`.
    pub reference: String,
    pub id: String,
    pub date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    pub feature: String,
    pub stage: String,
    pub title: String,
    /// `agent`, or `mcp` for what an MCP client asked of `aigen mcp`.
    pub surface: String,
    /// The MCP client of an `mcp` record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<Client>,
    pub model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `{"errors": N, "warnings": N}`: what the record keeps.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::record::serialize_lint"
    )]
    pub lint: Option<FindingCounts>,
    pub files: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

impl Summary {
    /// The [`row`] of a summary.
    pub(crate) fn line(&self) -> String {
        row(
            &self.reference,
            &self.date,
            &self.stage,
            self.outcome.as_deref(),
            &self.title,
        )
    }

    /// The summary of an entry.
    pub(crate) fn of(entry: &Entry) -> Self {
        let r = &entry.record;
        let meta = r.aigen.as_ref();
        Self {
            path: entry.file.rel.clone(),
            reference: entry.reference(),
            id: r.id.clone(),
            date: r.date.clone(),
            time: meta.and_then(|m| m.time.clone()),
            feature: r.feature.clone(),
            stage: r.stage.clone(),
            title: r.title.clone(),
            surface: r.surface.clone(),
            client: meta.and_then(|m| m.client.clone()),
            model: r.model.clone(),
            provider: meta.and_then(|m| m.provider.clone()),
            tool: meta.and_then(|m| m.tool.clone()),
            labels: r.labels.clone(),
            outcome: meta.map(|m| m.outcome.status().to_string()),
            reason: meta.and_then(|m| m.outcome.reason().map(str::to_string)),
            lint: meta.and_then(|m| m.lint),
            files: r.files.clone(),
            sequence: r.chain().map(|c| c.sequence),
            hash: r.chain().map(|c| c.hash.clone()),
        }
    }
}

/// A record that contains the searched text, with the first line that does.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Hit {
    #[serde(flatten)]
    pub summary: Summary,
    /// The first matching line (trimmed), and its 1-based number in the file.
    pub line: usize,
    pub excerpt: String,
}

/// A case-insensitive matcher for a literal text.
pub(crate) fn matcher(text: &str) -> Result<Regex> {
    RegexBuilder::new(&regex::escape(text))
        .case_insensitive(true)
        .build()
        .map_err(|e| Error::usage(format!("cannot search for `{text}`: {e}")))
}

/// Records whose file (prompt, response or metadata) contains `text`, case-insensitively.
pub(crate) fn search(files: &[RecordFile], needle: &Regex, filter: &Filter) -> Vec<Hit> {
    let found = read_all(files, |file, bytes| {
        let text = utf8(file, bytes.ok()?).ok()?;
        let at = needle.find(&text)?;
        let record = parse_at(&file.path, &text).ok()?;
        let entry = Entry {
            file: file.clone(),
            record,
        };
        if !filter.matches(&entry) {
            return None;
        }
        let line_start = text[..at.start()].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[at.end()..]
            .find('\n')
            .map_or(text.len(), |i| at.end() + i);
        let (line, _) = line_column(&text, at.start());
        Some(Hit {
            summary: Summary::of(&entry),
            line,
            excerpt: excerpt(&text[line_start..line_end], at.start() - line_start, 160),
        })
    });
    found.into_iter().flatten().collect()
}

/// At most `width` characters of a line, around the byte offset `at`.
fn excerpt(line: &str, at: usize, width: usize) -> String {
    let line_trimmed = line.trim();
    if line_trimmed.chars().count() <= width {
        return line_trimmed.to_string();
    }
    let start_char = line[..at].chars().count().saturating_sub(width / 3);
    let text: String = line.chars().skip(start_char).take(width).collect();
    format!("…{}…", text.trim())
}

/// Latency percentiles over the records that recorded one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Latency {
    pub count: usize,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
}

/// Counts and totals over a set of records.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Stats {
    pub records: usize,
    pub chained: usize,
    pub by_feature: BTreeMap<String, usize>,
    pub by_stage: BTreeMap<String, usize>,
    pub by_provider: BTreeMap<String, usize>,
    pub by_model: BTreeMap<String, usize>,
    pub by_outcome: BTreeMap<String, usize>,
    pub tokens: Tokens,
    /// Failed records over records with a recorded outcome.
    pub failure_rate: Option<f64>,
    pub latency_ms: Option<Latency>,
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Statistics of some records.
pub(crate) fn stats<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Stats {
    let mut stats = Stats::default();
    let mut latencies = Vec::new();
    let bump = |map: &mut BTreeMap<String, usize>, key: &str| {
        let key = if key.trim().is_empty() {
            "unknown"
        } else {
            key
        };
        *map.entry(key.to_string()).or_default() += 1;
    };
    for entry in entries {
        let r = &entry.record;
        stats.records += 1;
        bump(&mut stats.by_feature, &entry.file.dir);
        bump(&mut stats.by_stage, &r.stage);
        bump(&mut stats.by_model, &r.model);
        bump(
            &mut stats.by_provider,
            r.provider_or_tool().unwrap_or("unknown"),
        );
        bump(
            &mut stats.by_outcome,
            r.outcome_status().unwrap_or("unknown"),
        );
        if let Some(meta) = &r.aigen {
            if meta.chain.is_some() {
                stats.chained += 1;
            }
            if let Some(tokens) = meta.tokens {
                stats.tokens.prompt += tokens.prompt;
                stats.tokens.completion += tokens.completion;
            }
            if let Some(latency) = meta.latency_ms {
                latencies.push(latency);
            }
        }
    }
    let known: usize = OUTCOMES
        .iter()
        .map(|o| stats.by_outcome.get(*o).copied().unwrap_or(0))
        .sum();
    if known > 0 {
        let failed = stats.by_outcome.get("failed").copied().unwrap_or(0);
        stats.failure_rate = Some(failed as f64 / known as f64);
    }
    if !latencies.is_empty() {
        latencies.sort_unstable();
        stats.latency_ms = Some(Latency {
            count: latencies.len(),
            p50: percentile(&latencies, 50.0),
            p90: percentile(&latencies, 90.0),
            p99: percentile(&latencies, 99.0),
            max: *latencies.last().unwrap_or(&0),
        });
    }
    stats
}

impl Stats {
    /// The statistics as text for the terminal.
    pub(crate) fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} records ({} chained)", self.records, self.chained);
        for (title, map) in [
            ("feature", &self.by_feature),
            ("stage", &self.by_stage),
            ("provider", &self.by_provider),
            ("model", &self.by_model),
            ("outcome", &self.by_outcome),
        ] {
            let _ = writeln!(out, "\nby {title}:");
            for (key, count) in map {
                let _ = writeln!(out, "  {key:<32} {count:>7}");
            }
        }
        let _ = writeln!(
            out,
            "\ntokens: {} prompt, {} completion",
            self.tokens.prompt, self.tokens.completion
        );
        match self.failure_rate {
            Some(rate) => {
                let _ = writeln!(out, "failure rate: {:.1}%", rate * 100.0);
            }
            None => out.push_str("failure rate: no recorded outcomes\n"),
        }
        match &self.latency_ms {
            Some(l) => {
                let _ = writeln!(
                    out,
                    "latency (ms, {} records): p50 {}  p90 {}  p99 {}  max {}",
                    l.count, l.p50, l.p90, l.p99, l.max
                );
            }
            None => out.push_str("latency: none recorded\n"),
        }
        out
    }
}

/// A record as exported: where it is and all it holds.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Exported<'a> {
    pub path: &'a str,
    pub reference: String,
    #[serde(flatten)]
    pub record: &'a Record,
}

/// The columns of the CSV export.
pub const CSV_COLUMNS: &[&str] = &[
    "path",
    "reference",
    "id",
    "date",
    "time",
    "feature",
    "stage",
    "title",
    "model",
    "provider",
    "tool",
    "labels",
    "outcome",
    "reason",
    "lint_errors",
    "lint_warnings",
    "prompt_tokens",
    "completion_tokens",
    "latency_ms",
    "files",
    "sequence",
    "hash",
    "prompt",
    "response",
];

/// One CSV row, in [`CSV_COLUMNS`] order.
pub(crate) fn csv_row(entry: &Entry) -> Vec<String> {
    let s = Summary::of(entry);
    let r = &entry.record;
    let meta = r.aigen.as_ref();
    let num = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
    vec![
        s.path,
        s.reference,
        s.id,
        s.date,
        s.time.unwrap_or_default(),
        s.feature,
        s.stage,
        s.title,
        s.model,
        s.provider.unwrap_or_default(),
        s.tool.unwrap_or_default(),
        s.labels.join(";"),
        s.outcome.unwrap_or_default(),
        s.reason.unwrap_or_default(),
        num(s.lint.map(|l| l.errors as u64)),
        num(s.lint.map(|l| l.warnings as u64)),
        num(meta.and_then(|m| m.tokens).map(|t| t.prompt)),
        num(meta.and_then(|m| m.tokens).map(|t| t.completion)),
        num(meta.and_then(|m| m.latency_ms)),
        s.files.join(";"),
        num(s.sequence),
        s.hash.unwrap_or_default(),
        r.prompt.clone().unwrap_or_default(),
        r.response.clone().unwrap_or_default(),
    ]
}

/// A fence for `text` in Markdown: backticks, one more than the longest run inside.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown export: a table of all records, then each record's prompt and response.
pub(crate) fn markdown(entries: &[Entry]) -> String {
    let mut out = String::from("# Prompt History\n\n");
    out.push_str("| record | date | stage | outcome | lint | title |\n|---|---|---|---|---|---|\n");
    for entry in entries {
        let s = Summary::of(entry);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            md_cell(&s.reference),
            md_cell(&s.date),
            md_cell(&s.stage),
            s.outcome.as_deref().unwrap_or("-"),
            s.lint.map_or_else(|| "-".to_string(), |l| l.to_string()),
            md_cell(&s.title)
        );
    }
    for entry in entries {
        let r = &entry.record;
        let _ = write!(
            out,
            "\n## {} — {}\n\n- path: `{}`\n- date: {}\n- stage: {}\n- model: {}\n",
            entry.reference(),
            md_cell(&r.title),
            entry.file.rel,
            r.date,
            r.stage,
            r.model
        );
        if !r.files.is_empty() {
            let _ = writeln!(out, "- files: {}", r.files.join(", "));
        }
        for (heading, text) in [("Prompt", &r.prompt), ("Response", &r.response)] {
            if let Some(text) = text {
                let fence = fence_for(text);
                let _ = write!(out, "\n### {heading}\n\n{fence}text\n{text}\n{fence}\n");
            }
        }
    }
    out
}
