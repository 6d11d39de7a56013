//! Report renderers: findings as rustc-style text ([`mod@text`]), one JSON document
//! ([`mod@json`]) or SARIF 2.1.0 for code-scanning services ([`mod@sarif`]).
//!
//! Renderers take findings that are already sorted ([`Finding::report_order`]) and return the
//! whole report as a string; the command decides where it goes. [`Summary`] is the one-line count
//! shown after a text report.

pub mod json;
pub mod sarif;
pub mod text;

use std::fmt;

use super::finding::Finding;
use crate::finding_counts::FindingCounts;

pub use json::json;
pub use sarif::sarif;
pub use text::text;

/// What a lint run checked and found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Files linted.
    pub files: usize,
    /// Files with at least one finding.
    pub files_with_findings: usize,
    /// Findings by severity.
    pub counts: FindingCounts,
    /// Files read and not linted: neither Dockerfiles nor manifests (`--list-files` says why).
    pub skipped: usize,
}

impl Summary {
    /// The summary of a run over `files` files with these findings.
    pub fn of(findings: &[Finding], files: usize) -> Self {
        Self::of_run(findings, files, &[])
    }

    /// The summary of a run over `files` files with these findings, where each of `charts`
    /// (directories, as findings show paths) counts as one file: the findings of its rendered
    /// templates are findings of the chart.
    pub fn of_run(findings: &[Finding], files: usize, charts: &[std::path::PathBuf]) -> Self {
        let paths: std::collections::HashSet<&std::path::Path> = findings
            .iter()
            .map(|finding| {
                let path = finding.path.as_path();
                charts
                    .iter()
                    .find(|chart| chart.as_os_str() == "." || path.starts_with(chart))
                    .map_or(path, |chart| chart.as_path())
            })
            .collect();
        Self {
            files,
            files_with_findings: paths.len(),
            counts: FindingCounts::of(findings),
            skipped: 0,
        }
    }

    /// The same summary, counting `skipped` files read and not linted.
    pub fn with_skipped(self, skipped: usize) -> Self {
        Self { skipped, ..self }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let files = plural(self.files, "file");
        if self.counts.is_clean() {
            write!(f, "no findings in {files}")?;
        } else {
            write!(
                f,
                "{} in {} of {files}",
                self.counts, self.files_with_findings
            )?;
        }
        if self.skipped > 0 {
            write!(
                f,
                "; {} skipped (`aigen lint --list-files` says why)",
                plural(self.skipped, "file")
            )?;
        }
        Ok(())
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::severity::Severity;

    #[test]
    fn summaries_count_findings_and_files() {
        let findings = [
            Finding::new("A", Severity::Error, "a", "m"),
            Finding::new("B", Severity::Error, "a", "m"),
            Finding::new("C", Severity::Info, "b", "m"),
            Finding::new("D", Severity::Info, "a", "m"),
        ];
        let summary = Summary::of(&findings, 5);
        assert_eq!(summary.to_string(), "2 errors, 2 info in 2 of 5 files");
        assert_eq!(Summary::of(&[], 1).to_string(), "no findings in 1 file");
        assert_eq!(
            Summary::of(&[], 2).with_skipped(3).to_string(),
            "no findings in 2 files; 3 files skipped (`aigen lint --list-files` says why)"
        );
    }
}
