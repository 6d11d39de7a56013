//! What a rule reports: a [`Finding`] with its code, severity, message, optional help and the
//! [`Span`] of the file it is about, plus an [`Excerpt`] of the source lines for rendering.
//!
//! Findings are plain data: the report renderers in [`super::report`] turn a list of them into
//! text, JSON or SARIF, and [`super::suppress`] filters them by the suppressions of a file.

use std::cmp::Ordering;
use std::path::PathBuf;

use rayon::slice::ParallelSliceMut;
use serde::Serialize;

use super::severity::Severity;
use crate::finding_counts::FindingCounts;

/// A 1-based line and column; the column counts Unicode scalar values, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// A position from a 1-based line and column.
    pub(crate) fn new(line: usize, column: usize) -> Self {
        Self { line, column }
    }
}

/// A region of a file: from `start` (inclusive) to `end` (exclusive), like SARIF regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: Position,
    pub end: Position,
}

impl Span {
    /// A span from two positions.
    pub(crate) fn new(start: Position, end: Position) -> Self {
        Self { start, end }
    }

    /// A span of `width` characters on one line, starting at `line:column`.
    pub(crate) fn on_line(line: usize, column: usize, width: usize) -> Self {
        Self {
            start: Position::new(line, column),
            end: Position::new(line, column + width),
        }
    }
}

/// The source lines a finding's span covers, kept with the finding so it can be rendered
/// without reading the file again (stdin and in-memory artifacts cannot be read twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// The 1-based number of the first line in `text`.
    pub first_line: usize,
    /// The lines, joined with `\n`, without the final line break.
    pub text: String,
}

/// One problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule's stable code, e.g. `AG-D003`.
    pub code: &'static str,
    /// How serious it is, after the constitution's overrides.
    pub severity: Severity,
    /// What is wrong, stated as a fact; code in backticks, no trailing period.
    pub message: String,
    /// What to do about it, in the imperative, when the rule knows.
    pub help: Option<String>,
    /// The file, as it should be shown (relative to the working directory where possible).
    pub path: PathBuf,
    /// Where in the file; `None` for findings about the file as a whole.
    pub span: Option<Span>,
    /// The source lines of `span`, for rendering.
    pub excerpt: Option<Excerpt>,
}

impl Finding {
    /// A finding about a whole file; add a place with [`Finding::at`].
    pub(crate) fn new(
        code: &'static str,
        severity: Severity,
        path: impl Into<PathBuf>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity,
            message: message.into(),
            help: None,
            path: path.into(),
            span: None,
            excerpt: None,
        }
    }

    /// The same finding at a span of the file.
    pub(crate) fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// The same finding with a help line.
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same finding with the lines of its span taken from `source`.
    pub(crate) fn with_excerpt(mut self, source: &super::source::SourceFile<'_>) -> Self {
        if let Some(span) = self.span {
            self.excerpt = source.excerpt(span);
        }
        self
    }

    /// The line the finding starts on (0 for whole-file findings).
    pub fn line(&self) -> usize {
        self.span.map_or(0, |s| s.start.line)
    }

    /// The column the finding starts at (0 for whole-file findings).
    pub fn column(&self) -> usize {
        self.span.map_or(0, |s| s.start.column)
    }

    /// `path:line:column code`, the short form tests and logs use.
    pub fn short(&self) -> String {
        format!(
            "{}:{}:{} {}",
            crate::fsutil::slash_path(&self.path),
            self.line(),
            self.column(),
            self.code
        )
    }

    /// The finding on one line: where, which rule, how severe, and what is wrong.
    pub(crate) fn one_line(&self) -> String {
        format!("{} {}: {}", self.short(), self.severity, self.message)
    }

    /// The order findings are reported in: by file, then position, then code.
    pub(crate) fn report_order(&self, other: &Self) -> Ordering {
        self.path
            .cmp(&other.path)
            .then_with(|| self.span.cmp(&other.span))
            .then_with(|| self.code.cmp(other.code))
            .then_with(|| self.message.cmp(&other.message))
    }
}

/// The findings of several files, each list sorted in [`Finding::report_order`], as one sorted
/// list. Files usually come in path order, and then the lists are only put end to end; when
/// they do not, the whole list is sorted (stably, so the result is the same either way).
pub(crate) fn merge_sorted(per_file: Vec<Vec<Finding>>) -> Vec<Finding> {
    let mut findings = Vec::with_capacity(per_file.iter().map(Vec::len).sum());
    for file in per_file {
        findings.extend(file);
    }
    sort_if_needed(&mut findings);
    findings
}

/// Sorts findings in [`Finding::report_order`] unless they already are (a stable sort would
/// leave them as they are): the check is one pass, the sort a copy of the whole list.
pub(crate) fn sort_if_needed(findings: &mut [Finding]) {
    if !findings.is_sorted_by(|a, b| a.report_order(b) != Ordering::Greater) {
        findings.par_sort_by(Finding::report_order);
    }
}

/// The most findings of one code shown for one file; [`cap_per_code`] counts the rest.
pub(crate) const SHOWN_PER_CODE: usize = 100;

/// Keeps the first [`SHOWN_PER_CODE`] findings of each code (in report order) and replaces the
/// rest of a code with one finding about the file that says how many were left out, so a
/// pathological file gives a readable report.
pub(crate) fn cap_per_code(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(Finding::report_order);
    let mut shown: std::collections::HashMap<&'static str, usize> = Default::default();
    // Per code left out: the first left-out finding (for its path) and how many there were.
    let mut left_out: Vec<(Finding, usize)> = Vec::new();
    let mut kept = Vec::with_capacity(findings.len().min(SHOWN_PER_CODE * 8));
    for finding in findings {
        let count = shown.entry(finding.code).or_default();
        *count += 1;
        if *count <= SHOWN_PER_CODE {
            kept.push(finding);
        } else if let Some((first, more)) =
            left_out.iter_mut().find(|(f, _)| f.code == finding.code)
        {
            first.severity = first.severity.max(finding.severity);
            *more += 1;
        } else {
            left_out.push((finding, 1));
        }
    }
    for (first, more) in left_out {
        let message = format!(
            "{more} more findings of `{}` in this file are not shown",
            first.code
        );
        kept.push(Finding::new(
            first.code,
            first.severity,
            first.path,
            message,
        ));
    }
    kept
}

/// A finding a rule just reported (or nothing, when the rule is off or over its limit), to add
/// a help line to. Every rule family reports through it.
#[must_use = "a finding reads better with a help line; call `.help()` or drop it explicitly"]
pub(crate) struct Reported<'f>(Option<&'f mut Finding>);

impl<'f> Reported<'f> {
    /// Wraps a finding just pushed (or nothing).
    pub(crate) fn new(finding: Option<&'f mut Finding>) -> Self {
        Self(finding)
    }

    /// Lowers the finding's severity to `ceiling` when it is higher: for the cases a rule is
    /// less sure of than its severity says.
    pub(crate) fn at_most(mut self, ceiling: Severity) -> Self {
        if let Some(finding) = self.0.as_mut() {
            finding.severity = finding.severity.min(ceiling);
        }
        self
    }

    /// Adds what to do about it, in the imperative.
    pub(crate) fn help(self, text: impl Into<String>) {
        if let Some(finding) = self.0 {
            finding.help = Some(text.into());
        }
    }
}

/// Counting findings by severity: [`FindingCounts`] is defined below the policy engine
/// ([`crate::finding_counts`]) so that records and the staging area can keep one without
/// importing the engine; the engine, which knows findings and severities, counts them here.
impl FindingCounts {
    /// Counts the findings of a list.
    pub(crate) fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let mut counts = Self::default();
        for finding in findings {
            match finding.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
            }
        }
        counts
    }

    /// Findings at or above a severity.
    pub(crate) fn at_or_above(&self, threshold: Severity) -> usize {
        match threshold {
            Severity::Error => self.errors,
            Severity::Warning => self.errors + self.warnings,
            Severity::Info => self.total(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_sort_by_file_then_position() {
        let a = Finding::new("AG-D002", Severity::Error, "a", "x").at(Span::on_line(3, 1, 1));
        let b = Finding::new("AG-D001", Severity::Error, "a", "x").at(Span::on_line(1, 5, 1));
        let c = Finding::new("AG-D001", Severity::Error, "b", "x");
        let mut all = vec![c.clone(), a.clone(), b.clone()];
        all.sort_by(Finding::report_order);
        assert_eq!(all, vec![b, a, c]);
    }

    #[test]
    fn findings_beyond_the_cap_are_counted() {
        let findings: Vec<Finding> = (1..=SHOWN_PER_CODE + 5)
            .map(|line| {
                Finding::new("AG-D027", Severity::Info, "f", "m").at(Span::on_line(line, 1, 1))
            })
            .chain([Finding::new("AG-D013", Severity::Error, "f", "m").at(Span::on_line(1, 1, 1))])
            .collect();
        let capped = cap_per_code(findings);
        assert_eq!(capped.len(), SHOWN_PER_CODE + 2);
        let last = capped.last().unwrap();
        assert_eq!(
            last.message,
            "5 more findings of `AG-D027` in this file are not shown"
        );
        assert_eq!(last.span, None);
    }

    #[test]
    fn counts_honour_the_threshold() {
        let findings = [
            Finding::new("A", Severity::Error, "f", "m"),
            Finding::new("B", Severity::Info, "f", "m"),
            Finding::new("C", Severity::Warning, "f", "m"),
        ];
        let counts = FindingCounts::of(&findings);
        assert_eq!(counts.at_or_above(Severity::Error), 1);
        assert_eq!(counts.at_or_above(Severity::Warning), 2);
        assert_eq!(counts.at_or_above(Severity::Info), 3);
        assert_eq!(counts.to_string(), "1 error, 1 warning, 1 info");
    }
}
