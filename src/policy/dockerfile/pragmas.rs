//! Suppressions written in Dockerfile comments:
//!
//! - `# aigen:ignore AG-D003 -- reason`: the next instruction (or the one the comment sits in);
//! - `# aigen:ignore-file AG-D003 -- reason`: the whole file;
//! - `# hadolint ignore=DL3008,DL3015`: the next instruction, for the rules mapped to those codes;
//! - `# hadolint global ignore=DL3008`: the whole file;
//! - `# check=skip=JSONArgsRecommended` (BuildKit directive): the whole file, mapped likewise.
//!
//! They become [`Suppression`] values; [`crate::policy::suppress::apply`] does the rest.

use super::ast::Dockerfile;
use crate::policy::context::FileContext;
use crate::policy::suppress::{
    Origin, Scope, SuppressedCode, Suppression, parse_directive, resolve_aigen_code,
    resolve_foreign_code,
};

/// The suppressions of a parsed file.
pub(crate) fn collect(file: &Dockerfile, cx: &FileContext<'_>) -> Vec<Suppression> {
    let mut suppressions = Vec::new();
    for comment in &file.comments {
        let text = comment.text.as_str();
        let line = cx.source.position(comment.range.start).line;
        // The instruction the comment sits in, or the next one (instructions are in line order).
        let next_instruction = || {
            let at = file.instructions.partition_point(|i| i.last_line < line);
            file.instructions
                .get(at)
                .map_or(Scope::Lines { first: 0, last: 0 }, |i| Scope::Lines {
                    first: i.first_line,
                    last: i.last_line,
                })
        };
        if let Some(rest) = text.strip_prefix("aigen:ignore-file") {
            let offset = comment.text_start + "aigen:ignore-file".len();
            suppressions.push(aigen(cx, comment.range.clone(), rest, offset, Scope::File));
        } else if let Some(rest) = text.strip_prefix("aigen:ignore") {
            let offset = comment.text_start + "aigen:ignore".len();
            suppressions.push(aigen(
                cx,
                comment.range.clone(),
                rest,
                offset,
                next_instruction(),
            ));
        } else if let Some(rest) = text.strip_prefix("hadolint") {
            let after = rest.trim_start();
            let (scope, list) = if let Some(list) = after.strip_prefix("global ignore=") {
                (Scope::File, list)
            } else if let Some(list) = after.strip_prefix("ignore=") {
                (next_instruction(), list)
            } else {
                continue;
            };
            let list_start = comment.text_start + (text.len() - list.len());
            let list = list.split([' ', '\t', '#']).next().unwrap_or("");
            suppressions.push(foreign(
                cx,
                comment.range.clone(),
                "hadolint",
                list,
                list_start,
                scope,
            ));
        }
    }
    for directive in &file.directives {
        if directive.name != "check" {
            continue;
        }
        let line_text = cx.source.text().get(directive.range.clone()).unwrap_or("");
        if let Some(index) = line_text.find("skip=") {
            let list_start = directive.range.start + index + "skip=".len();
            let list = line_text[index + "skip=".len()..]
                .split([';', ' '])
                .next()
                .unwrap_or("");
            suppressions.push(foreign(
                cx,
                directive.range.clone(),
                "buildkit",
                list,
                list_start,
                Scope::File,
            ));
        }
    }
    suppressions
}

fn aigen(
    cx: &FileContext<'_>,
    range: std::ops::Range<usize>,
    rest: &str,
    rest_start: usize,
    scope: Scope,
) -> Suppression {
    let directive = parse_directive(rest);
    Suppression {
        origin: Origin::Aigen,
        scope,
        span: cx.source.span(range),
        codes: directive
            .codes
            .into_iter()
            .map(|(code, r)| SuppressedCode {
                span: cx.source.span(rest_start + r.start..rest_start + r.end),
                rules: resolve_aigen_code(&code),
                text: code,
            })
            .collect(),
        reason: directive.reason,
    }
}

fn foreign(
    cx: &FileContext<'_>,
    range: std::ops::Range<usize>,
    tool: &'static str,
    list: &str,
    list_start: usize,
    scope: Scope,
) -> Suppression {
    let mut codes = Vec::new();
    let mut offset = 0;
    for code in list.split(',') {
        let trimmed = code.trim();
        if !trimmed.is_empty() {
            let start = list_start + offset + (code.len() - code.trim_start().len());
            codes.push(SuppressedCode {
                text: trimmed.to_string(),
                span: cx.source.span(start..start + trimmed.len()),
                rules: resolve_foreign_code(tool, trimmed),
            });
        }
        offset += code.len() + 1;
    }
    Suppression {
        origin: Origin::Foreign(tool),
        scope,
        span: cx.source.span(range),
        codes,
        reason: None,
    }
}
