//! `aigen history verify`: every record's hash, the chain, the head, and the Spec-Kit format
//! checks, as one list of [`TrailFinding`]s, each with the path it is about.
//!
//! The severity ([`TrailSeverity`]) decides the exit code: errors (a record edited, deleted,
//! inserted, reordered or truncated; the head missing or in conflict) always fail; warnings
//! (format checks, unreadable hand-written files) and notes (unchained records) fail only with
//! `--strict`.
//!
//! The survey behind verify is shared with [`super::relink`], which joins merged branches.

use std::fmt;

use serde::Serialize;

use super::chain::{self, ChainEntry, Damage, HeadPoint, content_hash};
use super::head::{HeadState, Tip};
use super::naming::{Stage, record_file_name, route_dir};
use super::record::{Chain, HASH_PREFIX, Record, front_matter_end, strip_hash_prefix};
use super::store::{RecordFile, Store, parse_at, read_all};
use super::validate;
use crate::error::{Error, Result};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TrailSeverity {
    /// Tampering or damage: the trail cannot be trusted as it is.
    Error,
    /// The record breaks a Spec-Kit format rule.
    Warning,
    /// Worth knowing.
    Note,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrailFindingKind {
    Edited,
    Deleted,
    Inserted,
    Reordered,
    Truncated,
    HeadMissing,
    HeadConflict,
    HeadInvalid,
    Unreadable,
    Placeholder,
    StageRoute,
    IdMismatch,
    DuplicateId,
    MissingMetadata,
    Unchained,
}

impl TrailFindingKind {
    /// The kind's name, as in the output.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Edited => "edited",
            Self::Deleted => "deleted",
            Self::Inserted => "inserted",
            Self::Reordered => "reordered",
            Self::Truncated => "truncated",
            Self::HeadMissing => "head-missing",
            Self::HeadConflict => "head-conflict",
            Self::HeadInvalid => "head-invalid",
            Self::Unreadable => "unreadable",
            Self::Placeholder => "placeholder",
            Self::StageRoute => "stage-route",
            Self::IdMismatch => "id-mismatch",
            Self::DuplicateId => "duplicate-id",
            Self::MissingMetadata => "missing-metadata",
            Self::Unchained => "unchained",
        }
    }

    /// How much it matters.
    pub(crate) fn severity(self) -> TrailSeverity {
        match self {
            Self::Edited
            | Self::Deleted
            | Self::Inserted
            | Self::Reordered
            | Self::Truncated
            | Self::HeadMissing
            | Self::HeadConflict
            | Self::HeadInvalid => TrailSeverity::Error,
            Self::Unreadable
            | Self::Placeholder
            | Self::StageRoute
            | Self::IdMismatch
            | Self::DuplicateId
            | Self::MissingMetadata => TrailSeverity::Warning,
            Self::Unchained => TrailSeverity::Note,
        }
    }
}

impl fmt::Display for TrailFindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing verify found, about one path (relative to the history root).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrailFinding {
    pub kind: TrailFindingKind,
    pub severity: TrailSeverity,
    pub path: Option<String>,
    pub message: String,
}

/// The head file's path relative to the history root, for findings about it.
pub(crate) const HEAD_REL: &str = ".aigen/head.json";

impl TrailFinding {
    /// A finding about a file.
    pub(crate) fn at(kind: TrailFindingKind, path: &str, message: impl Into<String>) -> Self {
        Self {
            kind,
            severity: kind.severity(),
            path: Some(path.to_string()),
            message: message.into(),
        }
    }

    /// A finding about the head file.
    pub(crate) fn head(message: impl Into<String>) -> Self {
        Self::at(TrailFindingKind::HeadInvalid, HEAD_REL, message)
    }
}

impl fmt::Display for TrailFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        write!(f, "{}: {}", self.kind, self.message)
    }
}

/// The result of a verify.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Record files seen.
    pub records: usize,
    /// Of which carry chain fields.
    pub chained: usize,
    /// Of which do not (hand-written, or written by other tools).
    pub unchained: usize,
    /// The last record, as the head names it (pending writes resolved).
    pub head: Option<Tip>,
    pub findings: Vec<TrailFinding>,
}

impl Report {
    /// Whether the verify fails: on any error, or with `strict` on any finding.
    pub(crate) fn failed(&self, strict: bool) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == TrailSeverity::Error || strict)
    }

    /// Findings of a severity.
    pub(crate) fn count(&self, severity: TrailSeverity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// One record file, as verify sees it.
struct Inspected {
    file: RecordFile,
    /// Whether the record parsed (the record itself is not kept: a trail can be large).
    parsed: bool,
    error: Option<Error>,
    chain: Option<ChainEntry>,
    /// The format checks' findings.
    findings: Vec<TrailFinding>,
}

/// The chain fields of a record whose front matter no longer reads as aigen wrote it. Each is
/// found by its key (the last occurrence before the body), else by position: the last three
/// lines of the `aigen:` block are always `sequence`, `prev` and `hash`. A value that no longer
/// reads is unknown (sequence 0; a hash unique to the file). `None` for records that were never
/// chained.
fn scan_chain(text: &str, rel: &str) -> Option<Chain> {
    let end = text.find("\n## Prompt\n").unwrap_or(text.len());
    let region = &text[..end];
    let lines: Vec<&str> = region
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && l.trim() != "---")
        .collect();
    let [.., seq_line, prev_line, hash_line] = lines[..] else {
        return None;
    };
    let by_key = |key: &str, fallback: &str| -> String {
        match region.rfind(&format!("  {key}: ")) {
            Some(at) => region[at + key.len() + 4..]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string(),
            None => fallback
                .split_once(": ")
                .map_or("", |(_, v)| v.trim())
                .to_string(),
        }
    };
    let hash = by_key("hash", hash_line);
    let looks_chained = region.contains("\naigen:\n")
        || strip_hash_prefix(&hash).len() == chain::HASH_LEN && hash.starts_with(HASH_PREFIX);
    if !looks_chained {
        return None;
    }
    let sequence = by_key("sequence", seq_line);
    let digits: String = sequence.chars().take_while(char::is_ascii_digit).collect();
    let prev = by_key("prev", prev_line);
    Some(Chain {
        sequence: digits.parse().unwrap_or(0),
        prev: Some(strip_hash_prefix(&prev).to_string()).filter(|v| v != "null" && !v.is_empty()),
        hash: Some(strip_hash_prefix(&hash).to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| format!("unreadable:{rel}")),
    })
}

/// Where a record's content says it belongs.
fn home_of(record: &Record) -> Option<String> {
    let stage: Stage = record.stage.parse().ok()?;
    let route = route_dir(stage, record.feature())?;
    Some(format!(
        "{route}/{}",
        record_file_name(&record.id, &record.title, stage)
    ))
}

fn inspect(file: &RecordFile, bytes: Result<Vec<u8>>) -> Inspected {
    // Bytes that are not UTF-8 are read lossily: the hash check then fails, as it should.
    let text = match bytes {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        },
        Err(error) => {
            return Inspected {
                file: file.clone(),
                parsed: false,
                error: Some(error),
                chain: None,
                findings: Vec::new(),
            };
        }
    };
    let (record, error) = match parse_at(&file.path, &text) {
        Ok(record) => (Some(record), None),
        Err(error) => (None, Some(error)),
    };
    let declared = record
        .as_ref()
        .and_then(|r| r.chain().cloned())
        .or_else(|| scan_chain(&text, &file.rel));
    let chain = declared.map(|declared| {
        let intact = content_hash(&text).is_some_and(|h| h == declared.hash);
        // aigen's records end with the last evaluation bullet; a file that does not was cut.
        let last_line = text
            .trim_end_matches('\n')
            .rsplit('\n')
            .next()
            .unwrap_or("");
        let cut = !text.ends_with('\n') || !last_line.starts_with("- Next experiment");
        let damage = match (intact, cut) {
            (true, _) => None,
            (false, true) => Some(Damage::Truncated),
            (false, false) => Some(Damage::Edited),
        };
        let home = record
            .as_ref()
            .filter(|_| damage.is_none())
            .and_then(home_of)
            .filter(|home| *home != file.rel);
        ChainEntry {
            path: file.rel.clone(),
            sequence: declared.sequence,
            prev: declared.prev,
            merges: record
                .as_ref()
                .and_then(|r| r.aigen.as_ref())
                .map(|m| m.merges.clone())
                .unwrap_or_default(),
            hash: declared.hash,
            damage,
            home,
        }
    });
    let findings = match &record {
        Some(record) => {
            let front = front_matter_end(&text).map_or("", |(start, end, _)| &text[start..end]);
            let moved = chain.as_ref().is_some_and(|c| c.home.is_some());
            validate::check_record(file, record, front, !moved)
        }
        None => Vec::new(),
    };
    Inspected {
        file: file.clone(),
        parsed: record.is_some(),
        error,
        chain,
        findings,
    }
}

/// Everything verify and relink look at.
pub(crate) struct Survey {
    inspected: Vec<Inspected>,
    pub(crate) entries: Vec<ChainEntry>,
    pub(crate) heads: Vec<HeadPoint>,
    pub(crate) head_findings: Vec<TrailFinding>,
    pub(crate) head: Option<Tip>,
    pub(crate) conflict: bool,
}

pub(crate) fn survey(store: &Store) -> Result<Survey> {
    let files = store.files(None)?;
    let inspected = read_all(&files, inspect);
    let entries: Vec<ChainEntry> = inspected.iter().filter_map(|i| i.chain.clone()).collect();
    let mut head_findings = Vec::new();
    let mut heads = Vec::new();
    let mut head = None;
    let mut conflict = false;
    match store.head()? {
        HeadState::Missing => {
            if !entries.is_empty() {
                head_findings.push(TrailFinding::at(
                    TrailFindingKind::HeadMissing,
                    HEAD_REL,
                    "no head file, so records missing from the end cannot be detected: restore \
                     it from version control",
                ));
            }
        }
        HeadState::Found(found) => match found.resolved(store.root()) {
            Some(tip) => {
                heads.push(HeadPoint::from(&tip));
                head = Some(tip);
            }
            None if !entries.is_empty() => head_findings.push(TrailFinding::head(
                "the head names no record, but the trail has chained records",
            )),
            None => {}
        },
        HeadState::Conflict(sides) => {
            conflict = true;
            head_findings.push(TrailFinding::at(
                TrailFindingKind::HeadConflict,
                HEAD_REL,
                "merge conflict: review the records of both branches, then run \
                 `aigen history verify --relink`",
            ));
            for side in sides {
                if let Some(tip) = side.resolved(store.root()) {
                    heads.push(HeadPoint::from(&tip));
                }
            }
        }
        HeadState::Unreadable(message) => {
            head_findings.push(TrailFinding::head(format!("unreadable: {message}")));
        }
    }
    Ok(Survey {
        inspected,
        entries,
        heads,
        head_findings,
        head,
        conflict,
    })
}

pub(crate) fn sort_findings(findings: &mut [TrailFinding]) {
    findings.sort_by(|a, b| {
        (a.severity, &a.path, a.kind, &a.message).cmp(&(b.severity, &b.path, b.kind, &b.message))
    });
}

/// Verifies the whole trail.
pub fn verify(store: &Store) -> Result<Report> {
    let _lock = store.lock_shared()?;
    let survey = survey(store)?;
    let analysis = chain::analyze(&survey.entries, &survey.heads);
    let mut findings = survey.head_findings;
    findings.extend(analysis.findings);
    findings.extend(analysis.dangling_findings);
    let mut unchained = 0;
    for item in &survey.inspected {
        findings.extend(item.findings.iter().cloned());
        if item.chain.is_some() {
            continue;
        }
        match (item.parsed, &item.error) {
            (true, _) => {
                unchained += 1;
                findings.push(TrailFinding::at(
                    TrailFindingKind::Unchained,
                    &item.file.rel,
                    "not chained (hand-written or from another tool): no tamper evidence",
                ));
            }
            (false, Some(error)) => {
                findings.push(TrailFinding::at(
                    TrailFindingKind::Unreadable,
                    &item.file.rel,
                    error.to_string(),
                ));
            }
            (false, None) => {}
        }
    }
    findings.extend(validate::duplicate_ids(
        survey.inspected.iter().map(|i| &i.file),
    ));
    sort_findings(&mut findings);
    Ok(Report {
        records: survey.inspected.len(),
        chained: survey.entries.len(),
        unchained,
        head: survey.head,
        findings,
    })
}
