//! Suppressions: comments and annotations that silence a finding, with a mandatory reason.
//!
//! Each file format finds its own suppressions (the Dockerfile side reads `# aigen:ignore` and
//! `# hadolint ignore=` comments; the Kubernetes side reads annotations) and describes them as
//! [`Suppression`] values. This module holds what they share: the grammar of the directive text
//! ([`parse_directive`]: `AG-D003, AG-D004 -- reason`), the matching of findings against
//! suppressions, and the findings about suppressions themselves ([`apply`]): a missing reason
//! (`AG-S001`), a suppression that silenced nothing (`AG-S002`) and an unknown code (`AG-S003`).

use std::collections::HashMap;
use std::ops::Range;

use super::context::FileContext;
use super::finding::{Finding, Span};
use super::registry;

pub(crate) mod rules;

/// Which syntax a suppression was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// aigen's own `aigen:ignore` comment or `aigen.dev/ignore` annotation: reason required.
    Aigen,
    /// Another tool's pragma (`# hadolint ignore=DL3008`), honoured for the rules mapped to it.
    Foreign(&'static str),
}

/// What a suppression covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Findings starting on these lines (an instruction, an object), inclusive.
    Lines { first: usize, last: usize },
    /// Every finding of the file.
    File,
}

/// One code named by a suppression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SuppressedCode {
    /// The code as written (`AG-D003`, `DL3008`).
    pub text: String,
    /// Where it is written.
    pub span: Span,
    /// The aigen rules it silences (empty for an unknown code).
    pub rules: Vec<&'static str>,
}

/// A suppression found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Suppression {
    pub origin: Origin,
    pub scope: Scope,
    /// Where the suppression is written (the whole comment or annotation).
    pub span: Span,
    pub codes: Vec<SuppressedCode>,
    /// The reason given after ` -- `, if any.
    pub reason: Option<String>,
}

/// The parts of a directive's text: the codes (with their byte ranges in the text) and the
/// reason.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Directive {
    pub codes: Vec<(String, Range<usize>)>,
    pub reason: Option<String>,
}

/// Parses `AG-D003, AG-D004 -- reason` (codes separated by commas or spaces; everything after
/// the first `--` is the reason). Ranges are byte offsets into `text`.
pub(crate) fn parse_directive(text: &str) -> Directive {
    let (codes_part, reason) = match find_reason_separator(text) {
        Some(index) => {
            let reason = text[index + 2..].trim();
            (
                &text[..index],
                (!reason.is_empty()).then(|| reason.to_string()),
            )
        }
        None => (text, None),
    };
    let mut codes = Vec::new();
    let mut start = None;
    for (i, c) in codes_part.char_indices().chain([(codes_part.len(), ' ')]) {
        let separator = c == ',' || c.is_whitespace();
        match (start, separator) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                codes.push((codes_part[s..i].to_string(), s..i));
                start = None;
            }
            _ => {}
        }
    }
    Directive { codes, reason }
}

/// The byte index of the `--` that starts the reason: at the start or after whitespace.
fn find_reason_separator(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(1)).find(|&i| {
        bytes[i] == b'-'
            && bytes[i + 1] == b'-'
            && (i == 0 || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b',')
    })
}

/// The aigen rules an aigen code names: the rule itself (by code or name), if it exists.
pub(crate) fn resolve_aigen_code(code: &str) -> Vec<&'static str> {
    registry::find(code)
        .map(|rule| vec![rule.code])
        .unwrap_or_default()
}

/// The aigen rules a code of another tool maps to (`hadolint`, `DL3006`).
pub(crate) fn resolve_foreign_code(tool: &str, code: &str) -> Vec<&'static str> {
    registry::by_alias(tool, code)
        .map(|rule| rule.code)
        .collect()
}

/// The most findings about suppressions of one code kept for one file, so a file of a million
/// pragmas cannot fill memory; the rest are counted in one more finding.
pub(crate) const MAX_SUPPRESSION_FINDINGS: usize = 10_000;

/// Which suppressions cover which line, so matching stays linear however many there are.
struct ScopeIndex {
    file_wide: Vec<usize>,
    by_line: HashMap<usize, Vec<usize>>,
}

impl ScopeIndex {
    fn new(suppressions: &[Suppression]) -> Self {
        let mut index = Self {
            file_wide: Vec::new(),
            by_line: HashMap::new(),
        };
        for (i, suppression) in suppressions.iter().enumerate() {
            match suppression.scope {
                Scope::File => index.file_wide.push(i),
                Scope::Lines { first, last } => {
                    for line in first..=last {
                        index.by_line.entry(line).or_default().push(i);
                    }
                }
            }
        }
        index
    }

    fn covering(&self, finding: &Finding) -> impl Iterator<Item = usize> + '_ {
        let lines = finding
            .span
            .and_then(|span| self.by_line.get(&span.start.line))
            .map_or(&[][..], Vec::as_slice);
        self.file_wide.iter().chain(lines).copied()
    }
}

/// Findings about suppressions, capped per code.
struct Reports<'f, 'a> {
    file: &'f FileContext<'a>,
    findings: Vec<Finding>,
    counts: HashMap<&'static str, usize>,
}

impl Reports<'_, '_> {
    fn add(&mut self, code: &'static str, span: Span, message: String, help: &str) {
        let count = self.counts.entry(code).or_default();
        *count += 1;
        if *count <= MAX_SUPPRESSION_FINDINGS {
            self.findings.extend(
                self.file
                    .finding(code, Some(span), message)
                    .map(|f| f.with_help(help)),
            );
        }
    }

    fn finish(mut self) -> Vec<Finding> {
        let mut over: Vec<(&'static str, usize)> = self
            .counts
            .iter()
            .filter(|(_, count)| **count > MAX_SUPPRESSION_FINDINGS)
            .map(|(code, count)| (*code, count - MAX_SUPPRESSION_FINDINGS))
            .collect();
        over.sort_unstable();
        for (code, more) in over {
            self.findings.extend(self.file.finding(
                code,
                None,
                format!("{more} more findings of `{code}` in this file are not shown"),
            ));
        }
        self.findings
    }
}

/// Removes the findings the suppressions cover and adds the findings about the suppressions:
/// a missing reason, an unknown code, a suppression that matched nothing.
pub(crate) fn apply(
    findings: Vec<Finding>,
    suppressions: &[Suppression],
    file: &FileContext<'_>,
) -> Vec<Finding> {
    if suppressions.is_empty() {
        return findings;
    }
    let index = ScopeIndex::new(suppressions);
    let mut used: Vec<Vec<bool>> = suppressions
        .iter()
        .map(|s| vec![false; s.codes.len()])
        .collect();
    let mut kept: Vec<Finding> = findings
        .into_iter()
        .filter(|finding| {
            let mut suppressed = false;
            for s in index.covering(finding) {
                for (c, code) in suppressions[s].codes.iter().enumerate() {
                    if code.rules.contains(&finding.code) {
                        used[s][c] = true;
                        suppressed = true;
                    }
                }
            }
            !suppressed
        })
        .collect();

    let mut reports = Reports {
        file,
        findings: Vec::new(),
        counts: HashMap::new(),
    };
    for (s, suppression) in suppressions.iter().enumerate() {
        let ours = suppression.origin == Origin::Aigen;
        if ours && suppression.reason.is_none() {
            reports.add(
                rules::suppression_reason::RULE.code,
                suppression.span,
                "suppression gives no reason".into(),
                "add ` -- <why this is acceptable>` after the codes",
            );
        }
        if ours && suppression.codes.is_empty() {
            reports.add(
                rules::unknown_suppressed_rule::RULE.code,
                suppression.span,
                "suppression names no rule".into(),
                "name the codes to silence, e.g. `aigen:ignore AG-D004 -- why`",
            );
        }
        for (c, code) in suppression.codes.iter().enumerate() {
            if code.rules.is_empty() {
                if ours {
                    reports.add(
                        rules::unknown_suppressed_rule::RULE.code,
                        code.span,
                        format!("suppression names `{}`, which is not a rule", code.text),
                        "see `aigen lint --list-rules` for the codes",
                    );
                }
                continue;
            }
            let any_enabled = code.rules.iter().any(|rule| file.enabled(rule));
            if !used[s][c] && any_enabled {
                reports.add(
                    rules::unused_suppression::RULE.code,
                    code.span,
                    format!("suppression of `{}` silences no finding", code.text),
                    "remove it, or move it before the line with the finding",
                );
            }
        }
    }
    kept.extend(reports.finish());
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::constitution::Constitution;
    use crate::policy::severity::Severity;
    use std::path::Path;

    #[test]
    fn directives_split_codes_and_reason() {
        let d = parse_directive(" AG-D003, AG-D004 -- the base image is vendored");
        let codes: Vec<&str> = d.codes.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(codes, vec!["AG-D003", "AG-D004"]);
        assert_eq!(d.codes[1].1, 10..17);
        assert_eq!(d.reason.as_deref(), Some("the base image is vendored"));
        assert_eq!(parse_directive("AG-D003 --").reason, None);
        assert_eq!(parse_directive("AG-D003").reason, None);
        assert_eq!(
            parse_directive("AG-D003 -- a -- b").reason.as_deref(),
            Some("a -- b")
        );
    }

    fn suppression(codes: &[&str], reason: Option<&str>, scope: Scope) -> Suppression {
        Suppression {
            origin: Origin::Aigen,
            scope,
            span: Span::on_line(1, 1, 10),
            codes: codes
                .iter()
                .map(|c| SuppressedCode {
                    text: c.to_string(),
                    span: Span::on_line(1, 15, c.len()),
                    rules: resolve_aigen_code(c),
                })
                .collect(),
            reason: reason.map(str::to_string),
        }
    }

    #[test]
    fn suppressions_silence_in_scope_and_report_their_own_problems() {
        let constitution = Constitution::preset().unwrap();
        let file = FileContext::new(Path::new("f"), "x\ny\nz\n", &constitution, None);
        let finding = |code: &'static str, line| {
            Finding::new(code, Severity::Error, "f", "m").at(Span::on_line(line, 1, 1))
        };
        let findings = vec![finding("AG-S003", 2), finding("AG-S003", 3)];
        let suppressions = [
            suppression(&["AG-S003"], Some("ok"), Scope::Lines { first: 2, last: 2 }),
            suppression(&["AG-S001", "AG-NOPE"], None, Scope::File),
        ];
        let kept = apply(findings, &suppressions, &file);
        let codes: Vec<(&str, usize)> = kept.iter().map(|f| (f.code, f.line())).collect();
        assert_eq!(
            codes,
            vec![
                ("AG-S003", 3),
                ("AG-S001", 1),
                ("AG-S002", 1),
                ("AG-S003", 1)
            ]
        );
    }
}
