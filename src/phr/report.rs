//! `aigen history report --html`: the trail as one self-contained page (inline styles, no
//! scripts, nothing fetched at view time) with the verify result at the top and, per feature, a
//! timeline of exchanges showing outcome, lint status, the files each produced and, folded, the
//! prompt and response.
//!
//! The page is rendered by minijinja from `report.html` with HTML auto-escaping; every string in
//! the data is redacted before it reaches the template.

use std::collections::BTreeMap;

use minijinja::{Environment, Value};
use serde::Serialize;

use super::query::{self, Stats};
use super::store::Entry;
use super::verify::{Report, TrailFinding, TrailSeverity};
use crate::error::{Error, Result};
use crate::finding_counts::FindingCounts;
use crate::secrets::Redactor;

const TEMPLATE: &str = include_str!("report.html");

#[derive(Serialize)]
struct FileView {
    path: String,
    sha256: Option<String>,
}

#[derive(Serialize)]
struct ItemView {
    reference: String,
    path: String,
    date: String,
    time: Option<String>,
    stage: String,
    title: String,
    model: String,
    provider: Option<String>,
    tool: Option<String>,
    outcome: Option<String>,
    reason: Option<String>,
    lint: Option<FindingCounts>,
    round: Option<u32>,
    latency_ms: Option<u64>,
    relation: Option<String>,
    target: Option<String>,
    files: Vec<FileView>,
    prompt: String,
    response: String,
    findings: Vec<String>,
}

#[derive(Serialize)]
struct FeatureView {
    name: String,
    items: Vec<ItemView>,
}

#[derive(Serialize)]
struct VerifyView<'a> {
    clean: bool,
    errors: usize,
    warnings: usize,
    chained: usize,
    unchained: usize,
    head: Option<&'a super::head::Tip>,
    findings: Vec<&'a TrailFinding>,
}

#[derive(Serialize)]
struct Page<'a> {
    title: &'a str,
    generated: String,
    root: String,
    records: usize,
    verify: VerifyView<'a>,
    stats: Stats,
    features: Vec<FeatureView>,
}

fn item(entry: &Entry, findings: Vec<String>) -> ItemView {
    let r = &entry.record;
    let meta = r.aigen.as_ref();
    let mut files: Vec<FileView> = meta
        .map(|m| {
            m.artifacts
                .iter()
                .map(|a| FileView {
                    path: a.path.clone(),
                    sha256: Some(a.sha256.clone()),
                })
                .collect()
        })
        .unwrap_or_default();
    for file in &r.files {
        if !files.iter().any(|f| f.path == *file) {
            files.push(FileView {
                path: file.clone(),
                sha256: None,
            });
        }
    }
    let reference = meta.and_then(|m| m.reference.as_ref());
    ItemView {
        reference: entry.reference(),
        path: entry.file.rel.clone(),
        date: r.date.clone(),
        time: meta.and_then(|m| m.time.clone()),
        stage: r.stage.clone(),
        title: r.title.clone(),
        model: r.model.clone(),
        provider: meta.and_then(|m| m.provider.clone()),
        tool: meta.and_then(|m| m.tool.clone()),
        outcome: meta.map(|m| m.outcome.status().to_string()),
        reason: meta.and_then(|m| m.outcome.reason().map(str::to_string)),
        lint: meta.and_then(|m| m.lint),
        round: meta.and_then(|m| m.round),
        latency_ms: meta.and_then(|m| m.latency_ms),
        relation: reference.map(|x| x.relation.as_str().to_string()),
        target: reference.map(|x| x.record.clone()),
        files,
        prompt: r.prompt.clone().unwrap_or_default(),
        response: r.response.clone().unwrap_or_default(),
        findings,
    }
}

/// A JSON value as a template value.
fn template_value(value: &serde_json::Value) -> Value {
    use serde_json::Value as Json;
    match value {
        Json::Null => Value::from(()),
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Value::from(u),
            (None, Some(i)) => Value::from(i),
            _ => Value::from(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => items.iter().map(template_value).collect(),
        Json::Object(map) => {
            Value::from_pairs(map.iter().map(|(k, v)| (k.as_str(), template_value(v))))
        }
    }
}

/// The HTML page for some records (in timeline order) and the verify report of their trail.
pub(crate) fn render(
    entries: &[Entry],
    report: &Report,
    title: &str,
    root: &str,
    redactor: &Redactor,
) -> Result<String> {
    let mut by_path: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for finding in &report.findings {
        if let Some(path) = &finding.path
            && finding.severity != TrailSeverity::Note
        {
            by_path
                .entry(path)
                .or_default()
                .push(format!("{}: {}", finding.kind, finding.message));
        }
    }
    let mut features: BTreeMap<&str, Vec<ItemView>> = BTreeMap::new();
    for entry in entries {
        let findings = by_path
            .get(entry.file.rel.as_str())
            .cloned()
            .unwrap_or_default();
        features
            .entry(&entry.file.dir)
            .or_default()
            .push(item(entry, findings));
    }
    let page = Page {
        title,
        generated: chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(),
        root: root.to_string(),
        records: entries.len(),
        verify: VerifyView {
            clean: !report.failed(false),
            errors: report.count(TrailSeverity::Error),
            warnings: report.count(TrailSeverity::Warning),
            chained: report.chained,
            unchained: report.unchained,
            head: report.head.as_ref(),
            findings: report
                .findings
                .iter()
                .filter(|f| f.severity != TrailSeverity::Note)
                .collect(),
        },
        stats: query::stats(entries),
        features: features
            .into_iter()
            .map(|(name, items)| FeatureView {
                name: name.to_string(),
                items,
            })
            .collect(),
    };
    let mut data = serde_json::to_value(&page)
        .map_err(|e| Error::usage(format!("cannot prepare the report: {e}")))?;
    redactor.redact_json(&mut data);
    let mut env = Environment::new();
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| Error::usage(format!("report template: {e}")))?;
    let template = env
        .get_template("report.html")
        .map_err(|e| Error::usage(format!("report template: {e}")))?;
    template
        .render(template_value(&data))
        .map_err(|e| Error::usage(format!("cannot render the report: {e:#}")))
}
