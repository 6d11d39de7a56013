//! What is staged, as a reviewer sees it before deciding: each artifact compared with the file
//! it would replace ([`Comparison`]: new, modified or unchanged, and the unified diff with
//! secret values masked), with its lint status and the record that produced it ([`staged`]).
//! The review loop shows the same comparison; the MCP tool `staged` returns the list.

use std::path::Path;

use serde::Serialize;

use super::diff;
use crate::error::Result;
use crate::finding_counts::FindingCounts;
use crate::secrets::Redactor;
use crate::staging::{Entry, Staging};

/// A staged artifact against its target on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comparison {
    /// `new file`, `modified` or `unchanged`.
    pub state: &'static str,
    /// The unified diff from the file on disk to the artifact, secret values masked; empty when
    /// unchanged.
    pub diff: String,
}

impl Comparison {
    /// `content` staged for `target` (relative to `root`), compared with the file there.
    pub(crate) fn of(root: &Path, target: &str, content: &str, redactor: &Redactor) -> Self {
        let current = std::fs::read_to_string(root.join(target)).ok();
        let state = match &current {
            None => "new file",
            Some(old) if old == content => "unchanged",
            Some(_) => "modified",
        };
        let text = diff::unified(target, current.as_deref(), content);
        Self {
            state,
            diff: redactor.redact_string(&text),
        }
    }
}

/// One staged artifact, as listed.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub(crate) struct StagedFile {
    /// Where it goes, relative to the project root.
    pub target: String,
    /// sha256 of the staged bytes: what an apply writes.
    pub sha256: String,
    /// The record that produced it.
    pub record: Option<String>,
    pub provider: String,
    pub lint: FindingCounts,
    /// `new file`, `modified` or `unchanged`; `unreadable` when the staged copy changed or is
    /// gone (an apply refuses it).
    pub state: &'static str,
    pub diff: String,
    /// Why the staged copy cannot be read, when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Every staged artifact with its comparison, in target order.
pub(crate) fn staged(
    root: &Path,
    staging: &Staging,
    redactor: &Redactor,
) -> Result<Vec<StagedFile>> {
    Ok(staging
        .entries()?
        .into_iter()
        .map(|entry| listed(root, staging, redactor, entry))
        .collect())
}

fn listed(root: &Path, staging: &Staging, redactor: &Redactor, entry: Entry) -> StagedFile {
    let read = staging
        .read(&entry)
        .and_then(|bytes| String::from_utf8(bytes).map_err(|_| not_text(&entry.target)));
    let (state, diff, problem) = match read {
        Ok(content) => {
            let comparison = Comparison::of(root, &entry.target, &content, redactor);
            (comparison.state, comparison.diff, None)
        }
        Err(error) => (
            "unreadable",
            String::new(),
            Some(redactor.redact_string(&error.to_string())),
        ),
    };
    StagedFile {
        target: entry.target,
        sha256: entry.sha256,
        record: entry.record,
        provider: entry.provider,
        lint: entry.lint,
        state,
        diff,
        problem,
    }
}

fn not_text(target: &str) -> crate::error::Error {
    crate::error::Error::usage(format!("the staged copy of `{target}` is not text"))
}
