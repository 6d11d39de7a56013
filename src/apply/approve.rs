//! Approval: who decides whether a staged artifact is written.
//!
//! The decision is behind the [`Approver`] trait so that the same review loop runs with a person
//! at a terminal ([`TerminalApprover`]), with `--yes` ([`ApproveAll`]), with `--dry-run`
//! ([`ShowOnly`]), or with a scripted list of answers in tests ([`Scripted`]); [`approver_for`]
//! picks one from the flags.

use std::collections::VecDeque;
use std::io::IsTerminal;

use console::Term;
use dialoguer::{Editor, Select};

use crate::error::{Error, Result};

/// What is being decided: enough for a person to judge, shown before the question.
#[derive(Debug, Clone)]
pub struct Proposal<'a> {
    /// Target path, relative to the project root.
    pub target: &'a str,
    /// The content that would be written.
    pub content: &'a str,
    /// Whether the artifact has error findings (then only a forced apply writes it).
    pub has_errors: bool,
}

/// The answer for one artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Write it.
    Accept,
    /// Do not write it.
    Reject,
    /// Replace the proposal with this edited content, then ask again.
    Edit(String),
    /// Write it and every following one without asking.
    AcceptAll,
    /// Write nothing more; stop asking.
    Quit,
    /// Decide nothing about this one; leave it staged and go on (a dry run).
    Skip,
}

/// Decides about proposals.
pub trait Approver {
    fn decide(&mut self, proposal: &Proposal<'_>) -> Result<Decision>;
}

/// `--yes`: approves everything.
#[derive(Debug, Default)]
pub(crate) struct ApproveAll;

impl Approver for ApproveAll {
    fn decide(&mut self, _proposal: &Proposal<'_>) -> Result<Decision> {
        Ok(Decision::Accept)
    }
}

/// Answers from a list, for tests and scripted reviews; `Quit` once the list is used up.
#[derive(Debug, Default)]
pub struct Scripted {
    answers: VecDeque<Decision>,
}

impl Scripted {
    pub fn new(answers: impl IntoIterator<Item = Decision>) -> Self {
        Self {
            answers: answers.into_iter().collect(),
        }
    }
}

impl Approver for Scripted {
    fn decide(&mut self, _proposal: &Proposal<'_>) -> Result<Decision> {
        Ok(self.answers.pop_front().unwrap_or(Decision::Quit))
    }
}

/// Asks a person at the terminal, on stderr; Edit opens `$VISUAL` / `$EDITOR`.
#[derive(Debug, Default)]
pub(crate) struct TerminalApprover;

const CHOICES: [&str; 5] = ["Accept", "Reject", "Edit", "Accept all", "Quit"];

impl Approver for TerminalApprover {
    fn decide(&mut self, proposal: &Proposal<'_>) -> Result<Decision> {
        let term = Term::stderr();
        let prompt = if proposal.has_errors {
            format!("{} has error findings; apply anyway?", proposal.target)
        } else {
            format!("Apply {}?", proposal.target)
        };
        let choice = Select::new()
            .with_prompt(prompt)
            .items(CHOICES)
            .default(0)
            .interact_on_opt(&term)
            .map_err(|e| Error::usage(format!("cannot ask for approval: {e}")))?;
        Ok(match choice {
            Some(0) => Decision::Accept,
            Some(1) => Decision::Reject,
            Some(2) => {
                let extension = proposal
                    .target
                    .rsplit_once('.')
                    .map_or(".txt".to_string(), |(_, ext)| format!(".{ext}"));
                let edited = Editor::new()
                    .extension(&extension)
                    .trim_newlines(false)
                    .edit(proposal.content)
                    .map_err(|e| Error::usage(format!("the editor failed: {e}")))?;
                match edited {
                    Some(text) => Decision::Edit(text),
                    // Closed without saving: ask again about the unchanged proposal.
                    None => Decision::Edit(proposal.content.to_string()),
                }
            }
            Some(3) => Decision::AcceptAll,
            _ => Decision::Quit,
        })
    }
}

/// `--dry-run` shows every diff and decides nothing; `--yes` approves all; otherwise a person
/// at a terminal decides, and without one nothing is applied.
pub(crate) fn approver_for(yes: bool, dry_run: bool) -> Result<Box<dyn Approver>> {
    if dry_run {
        return Ok(Box::new(ShowOnly));
    }
    if yes {
        return Ok(Box::new(ApproveAll));
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        return Ok(Box::new(TerminalApprover));
    }
    Err(Error::usage_with_hint(
        "nothing was applied: there is no terminal to ask for approval on",
        "review the diffs with `aigen apply --dry-run`, then approve everything with `aigen apply --yes`",
    ))
}

/// `--dry-run`: shows, then moves on without deciding.
#[derive(Debug, Default)]
pub(crate) struct ShowOnly;

impl Approver for ShowOnly {
    fn decide(&mut self, _proposal: &Proposal<'_>) -> Result<Decision> {
        Ok(Decision::Skip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_answers_run_out_into_quit() {
        let proposal = Proposal {
            target: "a",
            content: "",
            has_errors: false,
        };
        let mut approver = Scripted::new([Decision::Reject]);
        assert_eq!(approver.decide(&proposal).unwrap(), Decision::Reject);
        assert_eq!(approver.decide(&proposal).unwrap(), Decision::Quit);
        assert_eq!(ApproveAll.decide(&proposal).unwrap(), Decision::Accept);
    }
}
