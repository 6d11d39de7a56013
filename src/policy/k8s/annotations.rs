//! Suppressions written as annotations on an object: aigen's own
//! `aigen.dev/ignore: "AG-K010 -- reason"` and kube-linter's
//! `ignore-check.kube-linter.io/<check>: "reason"`, honoured for the rules mapped to that check.
//!
//! Both become the core's [`Suppression`]s scoped to the object's lines, so
//! [`crate::policy::suppress::apply`] filters findings and reports missing reasons, unknown codes
//! and suppressions that silenced nothing the same way for every file format.

use super::check::line_span;
use super::manifest::Manifest;
use super::set::Item;
use super::yaml_tree::{Mark, Node};
use crate::policy::finding::{Position, Span};
use crate::policy::suppress::{
    Origin, Scope, SuppressedCode, Suppression, parse_directive, resolve_aigen_code,
    resolve_foreign_code,
};

/// aigen's suppression annotation.
pub(crate) const AIGEN_IGNORE: &str = "aigen.dev/ignore";

/// The prefix of kube-linter's per-check suppression annotations.
pub(crate) const KUBE_LINTER_IGNORE: &str = "ignore-check.kube-linter.io/";

/// The suppressions an object declares.
pub(crate) fn suppressions(item: &Item<'_>, manifest: &Manifest<'_>) -> Vec<Suppression> {
    let (first, last) = item.lines;
    let scope = Scope::Lines {
        first: first as usize,
        last: last as usize,
    };
    let Some(annotations) = item.object.node.path(&["metadata", "annotations"]) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in annotations.entries() {
        let Some(key) = entry.key.as_str() else {
            continue;
        };
        let text = entry.value.as_str().unwrap_or_default();
        let span = line_span(&manifest.file.source, entry.key.mark, entry.value.end);
        if key == AIGEN_IGNORE {
            let directive = parse_directive(text);
            let start = text_start(manifest, &entry.value, text);
            let codes = directive
                .codes
                .into_iter()
                .map(|(code, range)| {
                    let code_span = match start {
                        Some(mark) => {
                            let before = text[..range.start].chars().count();
                            let width = text[range.clone()].chars().count();
                            let column = mark.column as usize + before;
                            Span::new(
                                Position::new(mark.line as usize, column),
                                Position::new(mark.line as usize, column + width),
                            )
                        }
                        None => line_span(&manifest.file.source, entry.value.mark, entry.value.end),
                    };
                    SuppressedCode {
                        rules: resolve_aigen_code(&code),
                        text: code,
                        span: code_span,
                    }
                })
                .collect();
            found.push(Suppression {
                origin: Origin::Aigen,
                scope,
                span,
                codes,
                reason: directive.reason,
            });
        } else if let Some(check) = key.strip_prefix(KUBE_LINTER_IGNORE) {
            let reason = text.trim();
            found.push(Suppression {
                origin: Origin::Foreign("kube-linter"),
                scope,
                span,
                codes: vec![SuppressedCode {
                    text: check.to_string(),
                    span: line_span(&manifest.file.source, entry.key.mark, entry.key.end),
                    rules: resolve_foreign_code("kube-linter", check),
                }],
                reason: (!reason.is_empty()).then(|| reason.to_string()),
            });
        }
    }
    found
}

/// Where the text of a one-line scalar starts in the source, found by looking for it on its
/// line (after an opening quote, when quoted); `None` when it is not written as is.
fn text_start(manifest: &Manifest<'_>, node: &Node, text: &str) -> Option<Mark> {
    if node.end.line != node.mark.line {
        return None;
    }
    let line = manifest.file.source.line(node.mark.line as usize)?;
    let from = node.mark.column as usize - 1;
    let rest: String = line.chars().skip(from).collect();
    let offset = rest.find(text)?;
    let column = from + rest[..offset].chars().count() + 1;
    Some(Mark::new(node.mark.line, u32::try_from(column).ok()?))
}
