//! The review loops: each staged artifact is shown as a diff against its target, with its lint
//! status and the record that produced it, and written only when the [`Approver`] accepts it
//! ([`Reviewer::review`]); each change of a cluster plan is shown as the server's diff and kept
//! for the apply only when the approver accepts it ([`Reviewer::review_plan`]). In both, an
//! "accept all" answer accepts everything after it without asking.
//!
//! What is written is byte for byte what was shown: the staged bytes are read back through
//! [`Staging::read`], which refuses them if they changed since they were staged, and an edit is
//! shown again (re-linted, re-diffed) before it can be accepted. An artifact with error findings
//! is refused unless the run is forced, and a forced apply is recorded as such. Every decision
//! becomes a record of its own, pointing at the record that produced the artifact; the apply
//! record lists what it replaced so [`Reviewer::undo`] can put it back.

use std::path::Path;

use serde::Serialize;

use super::approve::{Approver, Decision, Proposal};
use super::cluster::{Change, Plan};
use super::diff;
use super::files::{FileApplier, Written};
use super::staged::Comparison;
use crate::error::{Error, Result};
use crate::finding_counts::FindingCounts;
use crate::fsutil::check_target;
use crate::phr::{self, NewRecord, Reference, Relation, Stage, Store};
use crate::policy::Constitution;
use crate::printer::{Printer, Tone};
use crate::staging::{Artifact, Entry, Staging, lint_artifacts};

/// Everything the review needs.
pub struct Reviewer<'a> {
    pub root: &'a Path,
    pub staging: &'a Staging,
    pub store: &'a Store,
    pub constitution: &'a Constitution,
    pub printer: &'a Printer,
    /// Feature the decision records are filed under.
    pub feature: Option<String>,
    /// The command line, for the records.
    pub command_line: String,
    /// Apply artifacts that have error findings.
    pub force: bool,
    /// Print each artifact's header and diff on stdout (off when stdout carries JSON).
    pub show_diffs: bool,
}

/// One file that was written.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub target: String,
    pub sha256: String,
    /// The record of the approval.
    pub record: String,
    pub forced: bool,
    pub edited: bool,
}

/// What a review did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReviewReport {
    pub applied: Vec<Applied>,
    pub rejected: Vec<String>,
    /// Targets not applied, and why (error findings without `--force`, changed after staging).
    pub refused: Vec<(String, String)>,
    /// Targets left staged because the review was quit.
    pub left: Vec<String>,
}

/// What a review of a cluster plan decided.
#[derive(Debug)]
pub(crate) struct PlanReview<'p> {
    /// The approved changes, in plan order.
    pub approved: Vec<&'p Change>,
    /// The label of every change shown (`Deployment/backend (update)`), in plan order.
    pub planned: Vec<String>,
}

/// Asks an approver about one proposal after another. Once it answers "accept all", every later
/// proposal is accepted without asking; the answer itself counts as an accept.
struct Asking<'a> {
    approver: &'a mut dyn Approver,
    accept_all: bool,
}

impl<'a> Asking<'a> {
    fn new(approver: &'a mut dyn Approver) -> Self {
        Self {
            approver,
            accept_all: false,
        }
    }

    fn decide(&mut self, proposal: &Proposal<'_>) -> Result<Decision> {
        if self.accept_all {
            return Ok(Decision::Accept);
        }
        match self.approver.decide(proposal)? {
            Decision::AcceptAll => {
                self.accept_all = true;
                Ok(Decision::Accept)
            }
            decision => Ok(decision),
        }
    }
}

/// The marker before the JSON list of written files in an apply record's response.
const WRITTEN_MARKER: &str = "Files written (for `aigen apply --undo`):";

impl Reviewer<'_> {
    /// Reviews the entries in order.
    pub fn review(&self, entries: Vec<Entry>, approver: &mut dyn Approver) -> Result<ReviewReport> {
        let mut report = ReviewReport::default();
        let mut asking = Asking::new(approver);
        let mut remaining = entries.into_iter();
        while let Some(entry) = remaining.next() {
            if let Err(why) = check_target(&entry.target, self.root) {
                let reason = format!("refusing `{}`: {}", entry.target, why.reason());
                self.printer.warn(&reason);
                report.refused.push((entry.target.clone(), reason));
                continue;
            }
            let staged = match self.staging.read(&entry) {
                Ok(bytes) => bytes,
                Err(error) => {
                    self.printer.warn(&error);
                    report
                        .refused
                        .push((entry.target.clone(), error.to_string()));
                    continue;
                }
            };
            let Ok(mut content) = String::from_utf8(staged) else {
                report
                    .refused
                    .push((entry.target.clone(), "the staged file is not text".into()));
                continue;
            };
            let mut lint = entry.lint;
            let mut edited = false;
            loop {
                self.show(&entry, &content, lint)?;
                let decision = asking.decide(&Proposal {
                    target: &entry.target,
                    content: &content,
                    has_errors: lint.errors > 0,
                })?;
                match decision {
                    Decision::Accept | Decision::AcceptAll => {
                        if lint.errors > 0 && !self.force {
                            let reason = format!(
                                "{} error finding{}; rerun with --force to apply it anyway",
                                lint.errors,
                                if lint.errors == 1 { "" } else { "s" }
                            );
                            self.printer
                                .warn(format!("{}: refused: {reason}", entry.target));
                            report.refused.push((entry.target.clone(), reason));
                        } else {
                            report
                                .applied
                                .push(self.write(&entry, &content, lint, edited)?);
                        }
                        break;
                    }
                    Decision::Reject => {
                        self.decision_record(
                            &entry,
                            Relation::Rejects,
                            &content,
                            "Rejected: the file was not written.".into(),
                            vec!["apply".into(), "rejected".into()],
                        )?;
                        self.staging.remove(std::slice::from_ref(&entry.target))?;
                        self.printer.status(format!(
                            "{} {}",
                            self.printer.paint_err(Tone::Warning, "rejected"),
                            entry.target
                        ));
                        report.rejected.push(entry.target.clone());
                        break;
                    }
                    Decision::Edit(text) => {
                        edited = edited || text != content;
                        content = text;
                        lint = self.lint(&entry.target, &content);
                    }
                    Decision::Skip => {
                        report.left.push(entry.target.clone());
                        break;
                    }
                    Decision::Quit => {
                        report.left.push(entry.target.clone());
                        report.left.extend(remaining.by_ref().map(|e| e.target));
                        return Ok(report);
                    }
                }
            }
        }
        Ok(report)
    }

    /// Shows each pending change of a cluster plan (its label, the server's note, the masked
    /// diff; nothing when diffs are off, as with `--format json`) and asks about it, until the
    /// approver quits.
    pub(crate) fn review_plan<'p>(
        &self,
        plan: &'p Plan,
        approver: &mut dyn Approver,
    ) -> Result<PlanReview<'p>> {
        let mut review = PlanReview {
            approved: Vec::new(),
            planned: Vec::new(),
        };
        let mut asking = Asking::new(approver);
        for change in plan.pending() {
            let label = format!("{} ({})", change.object, change.action.as_str());
            review.planned.push(label.clone());
            let text = self.store.redactor().redact_string(&change.diff());
            if self.show_diffs {
                self.printer
                    .out(self.printer.paint(Tone::Emphasis, &label))?;
                if let Some(note) = &change.note {
                    self.printer.out(format!("  note: {note}"))?;
                }
                self.printer
                    .out(diff::paint(&text, self.printer).trim_end())?;
            }
            let decision = asking.decide(&Proposal {
                target: &label,
                content: &text,
                has_errors: false,
            })?;
            match decision {
                Decision::Accept | Decision::AcceptAll | Decision::Edit(_) => {
                    review.approved.push(change);
                }
                Decision::Reject | Decision::Skip => {}
                Decision::Quit => break,
            }
        }
        Ok(review)
    }

    /// Prints an artifact's header and diff.
    fn show(&self, entry: &Entry, content: &str, lint: FindingCounts) -> Result<()> {
        if !self.show_diffs {
            return Ok(());
        }
        let comparison = Comparison::of(self.root, &entry.target, content, self.store.redactor());
        let lint_text = if lint.errors > 0 {
            self.printer.paint(Tone::Error, lint.to_string())
        } else if lint.is_clean() {
            self.printer.paint(Tone::Success, lint.to_string())
        } else {
            self.printer.paint(Tone::Warning, lint.to_string())
        };
        let verified = entry
            .verified
            .as_ref()
            .map(|v| format!("; {v}"))
            .unwrap_or_default();
        self.printer.out(format!(
            "{} ({}; lint: {lint_text}{verified}; from {} via {})",
            self.printer.paint(Tone::Emphasis, &entry.target),
            comparison.state,
            entry.record.as_deref().unwrap_or("no record"),
            entry.provider,
        ))?;
        if !comparison.diff.is_empty() {
            self.printer
                .out(diff::paint(&comparison.diff, self.printer).trim_end())?;
        }
        Ok(())
    }

    /// Lints an edited artifact the way it was linted when it was generated: together with the
    /// other staged files (a Dockerfile's staged `.dockerignore`, the manifests beside it),
    /// which are not on disk yet while the review runs.
    fn lint(&self, target: &str, content: &str) -> FindingCounts {
        let mut artifacts = vec![Artifact {
            path: target.to_string(),
            content: content.to_string(),
        }];
        for entry in self.staging.entries().unwrap_or_default() {
            if entry.target == target {
                continue;
            }
            let Some(text) = self
                .staging
                .read(&entry)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
            else {
                continue;
            };
            artifacts.push(Artifact {
                path: entry.target,
                content: text,
            });
        }
        let linted = lint_artifacts(artifacts, self.root, self.constitution);
        linted
            .iter()
            .find(|l| l.artifact.path == target)
            .map(|l| l.counts())
            .unwrap_or_default()
    }

    /// Writes one approved artifact, records the approval and unstages it.
    fn write(
        &self,
        entry: &Entry,
        content: &str,
        lint: FindingCounts,
        edited: bool,
    ) -> Result<Applied> {
        let applier = FileApplier::new(self.root, self.staging.dir().join("backups"));
        let written = applier.write(&entry.target, content.as_bytes())?;
        let forced = lint.errors > 0;
        let mut labels = vec!["apply".to_string()];
        if forced {
            labels.push("forced".into());
        }
        if edited {
            labels.push("edited".into());
        }
        let list = serde_json::to_string_pretty(std::slice::from_ref(&written))
            .map_err(|e| Error::usage(format!("cannot encode the apply record: {e}")))?;
        let mut response = format!(
            "Applied `{}` (lint: {}){}.\n\n{WRITTEN_MARKER}\n\n```json\n{list}\n```\n",
            entry.target,
            lint,
            if edited {
                ", edited before approval"
            } else {
                ""
            },
        );
        if edited {
            response.push_str(&format!(
                "\nStaged sha256 {}; written sha256 {}.\n",
                entry.sha256, written.sha256
            ));
        }
        let relation = if forced {
            Relation::Forces
        } else {
            Relation::Approves
        };
        let record = self.decision_record(entry, relation, content, response, labels)?;
        self.staging.remove(std::slice::from_ref(&entry.target))?;
        self.printer.status(format!(
            "{} {}{}",
            self.printer.paint_err(Tone::Success, "applied"),
            entry.target,
            if forced { " (forced)" } else { "" }
        ));
        Ok(Applied {
            target: entry.target.clone(),
            sha256: written.sha256,
            record,
            forced,
            edited,
        })
    }

    /// Appends the record of a decision about an entry.
    fn decision_record(
        &self,
        entry: &Entry,
        relation: Relation,
        content: &str,
        response: String,
        labels: Vec<String>,
    ) -> Result<String> {
        let verb = match relation {
            Relation::Rejects => "Reject",
            Relation::Forces => "Force apply of",
            _ => "Apply",
        };
        let record = NewRecord {
            feature: self.feature.clone(),
            labels,
            prompt: format!(
                "{verb} `{}` (staged sha256 {}, produced by {}).",
                entry.target,
                entry.sha256,
                entry.record.as_deref().unwrap_or("no record")
            ),
            response,
            files: vec![entry.target.clone()],
            tests: vec![format!("aigen lint: {}", entry.lint)],
            command: Some("aigen apply".into()),
            provider: Some(entry.provider.clone()),
            command_line: Some(self.command_line.clone()),
            artifacts: vec![phr::Artifact::of(&entry.target, content.as_bytes())],
            reference: entry
                .record
                .clone()
                .map(|record| Reference { relation, record }),
            ..NewRecord::new(
                format!("{verb} {}", entry.target),
                Stage::of_work(self.feature.as_deref()),
            )
        };
        Ok(self.store.append(record)?.reference)
    }

    /// Restores what the apply recorded in `record` replaced, and records the undo.
    pub(crate) fn undo(&self, record: &str) -> Result<Vec<String>> {
        let entry = self.store.find(record)?;
        let reference = entry.reference();
        if super::cluster::record::is_cluster_apply(&entry.record.labels) {
            return Err(super::cluster::record::undo_refused(&reference));
        }
        let written = written_files(entry.record.response.as_deref().unwrap_or("")).ok_or_else(
            || {
                Error::usage_with_hint(
                    format!("record `{reference}` is not an apply record"),
                    "pass the record `aigen apply` printed, or find it with `aigen history list --label apply`",
                )
            },
        )?;
        let applier = FileApplier::new(self.root, self.staging.dir().join("backups"));
        let restored = applier.undo(&written)?;
        let record = NewRecord {
            feature: self.feature.clone(),
            labels: vec!["apply".into(), "undo".into()],
            prompt: format!("Undo the apply recorded in {reference}."),
            response: format!("Restored: {}.", restored.join(", ")),
            files: restored.clone(),
            command: Some("aigen apply --undo".into()),
            command_line: Some(self.command_line.clone()),
            reference: Some(Reference {
                relation: Relation::Undoes,
                record: reference,
            }),
            ..NewRecord::new(
                format!("Undo apply of {}", restored.join(", ")),
                Stage::of_work(self.feature.as_deref()),
            )
        };
        self.store.append(record)?;
        Ok(restored)
    }
}

/// The files an apply record lists, from the JSON block after [`WRITTEN_MARKER`].
fn written_files(response: &str) -> Option<Vec<Written>> {
    let after = response.split_once(WRITTEN_MARKER)?.1;
    let start = after.find("```json")? + "```json".len();
    let rest = &after[start..];
    let end = rest.find("```")?;
    serde_json::from_str(&rest[..end]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_all_accepts_the_rest_without_asking() {
        let mut approver =
            super::super::approve::Scripted::new([Decision::Reject, Decision::AcceptAll]);
        let mut asking = Asking::new(&mut approver);
        let proposal = Proposal {
            target: "a",
            content: "",
            has_errors: false,
        };
        assert_eq!(asking.decide(&proposal).unwrap(), Decision::Reject);
        for _ in 0..3 {
            // The script has run out (it would quit): nobody is asked any more.
            assert_eq!(asking.decide(&proposal).unwrap(), Decision::Accept);
        }
    }

    #[test]
    fn written_files_round_trip_through_the_record_text() {
        let written = vec![Written {
            target: "k8s/a.yaml".into(),
            previous: None,
            sha256: "ab".repeat(32),
        }];
        let text = format!(
            "Applied.\n\n{WRITTEN_MARKER}\n\n```json\n{}\n```\n",
            serde_json::to_string_pretty(&written).unwrap()
        );
        assert_eq!(written_files(&text).unwrap(), written);
        assert!(written_files("no list here").is_none());
    }
}
