//! `aigen history verify --relink`: joining the trails of two merged branches.
//!
//! After `git merge`, both branches' records are present and the chain forks at their common
//! record. A relink appends one record whose `prev` is the tip the head names and whose
//! `merges:` lists the other tips. It runs only when nothing else is wrong (every record intact,
//! every link resolving, each side of a conflicted head present), never changes a record, and
//! is itself chained, so it cannot hide tampering; see `docs/history.md`.

use serde::Serialize;

use super::chain::{self, ChainEntry};
use super::head::Tip;
use super::naming::Stage;
use super::new::NewRecord;
use super::store::{Appended, Parents, Store};
use super::verify::{TrailFinding, TrailFindingKind, sort_findings, survey};
use crate::error::{Error, Result};

/// What a relink did.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Relinked {
    /// The record joining the tips, when one was needed.
    pub appended: Option<Appended>,
    /// The branch tips it joined to the head (paths).
    pub adopted: Vec<String>,
    /// What stopped it, when it refused (nothing was written then).
    pub blocking: Vec<TrailFinding>,
}

/// Joins the tips of merged branches with one new record, after checking that nothing else is
/// wrong: every record intact, no gaps, each side of a conflicted head present. Records already
/// written are never changed.
pub(crate) fn relink(store: &Store) -> Result<Relinked> {
    let _lock = store.lock()?;
    let survey = survey(store)?;
    let analysis = chain::analyze(&survey.entries, &survey.heads);
    // Dangling tips are what a relink joins; anything else stops it.
    let mut blocking: Vec<TrailFinding> = survey
        .head_findings
        .iter()
        .filter(|f| f.kind != TrailFindingKind::HeadConflict)
        .cloned()
        .collect();
    blocking.extend(analysis.findings.iter().cloned());
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
