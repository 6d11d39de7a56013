//! `aigen history verify`: every record's hash, the chain, the head, and the Spec-Kit format
//! checks, as one list of [`Finding`]s, each with the path it is about.
//!
//! Severity decides the exit code: errors (a record edited, deleted, inserted, reordered or
//! truncated; the head missing or in conflict) always fail; warnings (format checks, unreadable
//! hand-written files) and notes (unchained records) fail only with `--strict`.
//!
//! [`relink`] is the one operation here that writes: after a merge of two branches' trails it
//! appends a record joining the branch tips, and refuses while any other finding stands.

use std::fmt;

use serde::Serialize;

use super::chain::{self, ChainEntry, Damage, HeadPoint, content_hash};
use super::head::{HeadState, Tip};
use super::naming::Stage;
use super::naming::{record_file_name, route_dir};
use super::new::NewRecord;
use super::record::{Chain, Record, front_matter_end, strip_hash_prefix};
use super::store::{Appended, Parents, RecordFile, Store, parse_at, read_all};
use super::validate;
use crate::error::{Error, Result};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
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
pub enum FindingKind {
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

impl FindingKind {
    /// The kind's name, as in the output.
    pub fn as_str(self) -> &'static str {
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
    pub fn severity(self) -> Severity {
        match self {
            Self::Edited
            | Self::Deleted
            | Self::Inserted
            | Self::Reordered
            | Self::Truncated
            | Self::HeadMissing
            | Self::HeadConflict
            | Self::HeadInvalid => Severity::Error,
            Self::Unreadable
            | Self::Placeholder
            | Self::StageRoute
            | Self::IdMismatch
            | Self::DuplicateId
            | Self::MissingMetadata => Severity::Warning,
            Self::Unchained => Severity::Note,
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing verify found, about one path (relative to the history root).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    pub path: Option<String>,
    pub message: String,
}

/// The head file's path relative to the history root, for findings about it.
pub const HEAD_REL: &str = ".aigen/head.json";

impl Finding {
    /// A finding about a file.
    pub fn at(kind: FindingKind, path: &str, message: impl Into<String>) -> Self {
        Self {
            kind,
            severity: kind.severity(),
            path: Some(path.to_string()),
            message: message.into(),
        }
    }

    /// A finding about the head file.
    pub fn head(message: impl Into<String>) -> Self {
        Self::at(FindingKind::HeadInvalid, HEAD_REL, message)
    }
}

impl fmt::Display for Finding {
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
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether the verify fails: on any error, or with `strict` on any finding.
    pub fn failed(&self, strict: bool) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == Severity::Error || strict)
    }

    /// Findings of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// One record file, as verify sees it.
struct Inspected {
    file: RecordFile,
    record: Option<Record>,
    error: Option<Error>,
    chain: Option<ChainEntry>,
}

/// The chain fields of a record whose front matter no longer parses, read line by line.
fn scan_chain(text: &str) -> Option<Chain> {
    let (start, end, _) = front_matter_end(text)?;
    let mut sequence = None;
    let mut prev = None;
    let mut hash = None;
    for line in text[start..end].lines() {
        if let Some(v) = line.strip_prefix("  sequence: ") {
            sequence = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("  prev: ") {
            prev = Some(strip_hash_prefix(v.trim()).to_string()).filter(|v| v != "null");
        } else if let Some(v) = line.strip_prefix("  hash: ") {
            hash = Some(strip_hash_prefix(v.trim()).to_string());
        }
    }
    Some(Chain {
        sequence: sequence?,
        prev,
        hash: hash?,
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

fn inspect(file: &RecordFile, text: Result<String>) -> Inspected {
    let text = match text {
        Ok(text) => text,
        Err(error) => {
            return Inspected {
                file: file.clone(),
                record: None,
                error: Some(error),
                chain: None,
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
        .or_else(|| scan_chain(&text));
    let chain = declared.map(|declared| {
        let intact = content_hash(&text).is_some_and(|h| h == declared.hash);
        let cut = !text.ends_with('\n')
            || front_matter_end(&text).is_none()
            || record.as_ref().is_some_and(|r| {
                r.evaluation.is_none() && r.aigen.as_ref().is_some_and(|m| m.prompt_bytes.is_some())
            });
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
    Inspected {
        file: file.clone(),
        record,
        error,
        chain,
    }
}

/// Everything verify and relink look at.
struct Survey {
    inspected: Vec<Inspected>,
    entries: Vec<ChainEntry>,
    heads: Vec<HeadPoint>,
    head_findings: Vec<Finding>,
    head: Option<Tip>,
    conflict: bool,
}

fn survey(store: &Store) -> Result<Survey> {
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
                head_findings.push(Finding::at(
                    FindingKind::HeadMissing,
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
            None if !entries.is_empty() => head_findings.push(Finding::head(
                "the head names no record, but the trail has chained records",
            )),
            None => {}
        },
        HeadState::Conflict(sides) => {
            conflict = true;
            head_findings.push(Finding::at(
                FindingKind::HeadConflict,
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
            head_findings.push(Finding::head(format!("unreadable: {message}")));
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

fn sort_findings(findings: &mut [Finding]) {
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
    let mut unchained = 0;
    for item in &survey.inspected {
        match (&item.record, &item.error) {
            (Some(record), _) => {
                let moved = item.chain.as_ref().is_some_and(|c| c.home.is_some());
                findings.extend(validate::check_record(&item.file, record, !moved));
                if item.chain.is_none() {
                    unchained += 1;
                    findings.push(Finding::at(
                        FindingKind::Unchained,
                        &item.file.rel,
                        "not chained (hand-written or from another tool): no tamper evidence",
                    ));
                }
            }
            (None, Some(error)) if item.chain.is_none() => {
                findings.push(Finding::at(
                    FindingKind::Unreadable,
                    &item.file.rel,
                    error.to_string(),
                ));
            }
            _ => {}
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

/// What a relink did.
#[derive(Debug, Clone, Serialize)]
pub struct Relinked {
    /// The record joining the tips, when one was needed.
    pub appended: Option<Appended>,
    /// The branch tips it joined to the head (paths).
    pub adopted: Vec<String>,
    /// What stopped it, when it refused (nothing was written then).
    pub blocking: Vec<Finding>,
}

/// Joins the tips of merged branches with one new record, after checking that nothing else is
/// wrong: every record intact, no gaps, each side of a conflicted head present. Records already
/// written are never changed.
pub fn relink(store: &Store) -> Result<Relinked> {
    let _lock = store.lock()?;
    let survey = survey(store)?;
    let analysis = chain::analyze(&survey.entries, &survey.heads);
    let dangling: Vec<&str> = analysis
        .dangling
        .iter()
        .map(|&i| survey.entries[i].path.as_str())
        .collect();
    let mut blocking: Vec<Finding> = survey
        .head_findings
        .iter()
        .filter(|f| f.kind != FindingKind::HeadConflict)
        .cloned()
        .collect();
    blocking.extend(
        analysis
            .findings
            .iter()
            .filter(|f| {
                !(f.kind == FindingKind::Inserted
                    && f.path.as_deref().is_some_and(|p| dangling.contains(&p))
                    && f.message.starts_with("not on the chain"))
            })
            .cloned(),
    );
    if !blocking.is_empty() {
        sort_findings(&mut blocking);
        return Ok(Relinked {
            appended: None,
            adopted: Vec::new(),
            blocking,
        });
    }
    let tips: Vec<&ChainEntry> = analysis.tips.iter().map(|&i| &survey.entries[i]).collect();
    if tips.len() < 2 && !survey.conflict {
        return Ok(Relinked {
            appended: None,
            adopted: Vec::new(),
            blocking,
        });
    }
    let primary = survey
        .heads
        .iter()
        .find_map(|h| tips.iter().find(|t| t.hash == h.hash))
        .or_else(|| tips.iter().max_by_key(|t| (t.sequence, &t.path)))
        .copied()
        .ok_or_else(|| Error::usage("the trail has no chained records to relink"))?;
    let others: Vec<&ChainEntry> = tips
        .iter()
        .copied()
        .filter(|t| t.hash != primary.hash)
        .collect();
    let sequence = tips.iter().map(|t| t.sequence).max().unwrap_or(0) + 1;
    let mut response = format!(
        "Joined {} branch tip(s) to the head `{}` (#{}, {}):\n",
        others.len(),
        primary.path,
        primary.sequence,
        chain::short(&primary.hash)
    );
    for tip in &others {
        response.push_str(&format!(
            "\n- `{}` (#{}, {})",
            tip.path,
            tip.sequence,
            chain::short(&tip.hash)
        ));
    }
    let command = "aigen history verify --relink";
    let record = NewRecord {
        prompt: "Re-link the Prompt History Record chain after merging branches.".to_string(),
        response,
        tool: Some("aigen".to_string()),
        command: Some(command.to_string()),
        command_line: Some(command.to_string()),
        labels: vec!["relink".to_string()],
        files: others.iter().map(|t| t.path.clone()).collect(),
        ..NewRecord::new("Relink merged trails", Stage::General)
    };
    let prepared = store.prepare(record)?;
    let appended = store.append_locked(
        prepared,
        Parents::Merge {
            primary: Tip {
                sequence: primary.sequence,
                hash: primary.hash.clone(),
                path: primary.path.clone(),
            },
            merges: others.iter().map(|t| t.hash.clone()).collect(),
            sequence,
        },
    )?;
    Ok(Relinked {
        appended: Some(appended),
        adopted: others.iter().map(|t| t.path.clone()).collect(),
        blocking,
    })
}
