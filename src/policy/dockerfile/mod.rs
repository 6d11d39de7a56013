//! Dockerfiles: the parser with exact positions, the model of stages, and the rules.
//!
//! [`lint_with`] is the entry point: it parses the text ([`parser`]), builds the [`model`], runs
//! every Dockerfile rule of [`registry::RULES`] the constitution enables through a
//! [`checker::Checker`], and applies the file's suppressions ([`pragmas`]). Each rule lives in
//! its own file under [`mod@rules`], with its documentation as its doc comment; what several
//! rules share lives beside that folder ([`patterns`], [`dockerignore`], [`model`]).

pub(crate) mod checker;
pub(crate) mod dockerignore;
pub(crate) mod model;
pub(crate) mod patterns;
pub(crate) mod pragmas;
pub(crate) mod redact;
pub(crate) mod rules;
pub(crate) mod shell;

#[cfg(test)]
pub(crate) mod test_support;

pub(crate) use crate::dockerfile_syntax::{ast, parser};

use std::path::Path;

pub(crate) use dockerignore::Dockerignore;

use super::constitution::Constitution;
use super::context::FileContext;
use super::finding::{self, Finding};
use super::registry::{self, Check};
use super::suppress;

/// Lints a Dockerfile's text without looking for its `.dockerignore`.
pub fn lint(
    path: &Path,
    text: &str,
    constitution: &Constitution,
    service: Option<&str>,
) -> Vec<Finding> {
    lint_with(path, text, constitution, service, &Dockerignore::NotChecked)
}

/// Lints a Dockerfile's text; `dockerignore` is what was found of its build context's
/// `.dockerignore`. Findings are in rule order; callers sort them.
pub(crate) fn lint_with(
    path: &Path,
    text: &str,
    constitution: &Constitution,
    service: Option<&str>,
    dockerignore: &Dockerignore,
) -> Vec<Finding> {
    let cx = FileContext::new(path, text, constitution, service);
    let file = parser::parse(text);
    let model = model::Model::new(&file);
    let scripts = checker::ScriptIndex::new(&file, text);
    let mut checker = checker::Checker::new(&file, &model, &cx, dockerignore, &scripts);
    for entry in registry::RULES {
        if let Check::Dockerfile(check) = entry.check
            && let Some(setting) = cx.setting(entry.rule.code)
            && setting.enabled
        {
            checker.start(entry.rule, setting);
            check(&mut checker);
        }
    }
    let findings = checker.into_findings();
    let suppressions = pragmas::collect(&file, &cx);
    let mut findings = suppress::apply(findings, &suppressions, &cx);
    if findings.len() > finding::SHOWN_PER_CODE {
        findings = finding::cap_per_code(findings);
    }
    if findings.iter().any(|f| f.excerpt.is_some()) {
        let sensitive = redact::sensitive_ranges(&file, text, constitution);
        redact::mask(&mut findings, &sensitive, &cx.source);
    }
    findings
}

/// How a Dockerfile that is not UTF-8 text is read.
pub(crate) enum NotUtf8 {
    /// The bytes that are not UTF-8 sit only in comments (a Latin-1 `é` in an author's name):
    /// BuildKit and hadolint read the file, and so does aigen, with each such byte read as
    /// U+FFFD. `warning` says so at the first one.
    InComments {
        text: String,
        warning: Option<Finding>,
    },
    /// Bytes that are not UTF-8 outside comments: one `AG-D000` error at the first.
    Rejected(Vec<Finding>),
}

/// Reads a Dockerfile that is not UTF-8 text ([`NotUtf8`]).
pub(crate) fn not_utf8(path: &Path, bytes: &[u8], constitution: &Constitution) -> NotUtf8 {
    let valid = match std::str::from_utf8(bytes) {
        Ok(text) => {
            return NotUtf8::InComments {
                text: text.to_string(),
                warning: None,
            };
        }
        Err(error) => error.valid_up_to(),
    };
    let only_comments = bytes.split(|b| *b == b'\n').all(|line| {
        std::str::from_utf8(line).is_ok()
            || line
                .iter()
                .find(|b| !matches!(b, b' ' | b'\t'))
                .is_some_and(|b| *b == b'#')
    });
    // The text up to `valid` is the same in the lossy copy, so offsets agree.
    let lossy = String::from_utf8_lossy(bytes).into_owned();
    let cx = FileContext::new(path, &lossy, constitution, None);
    let position = cx.source.position(valid);
    let span = super::finding::Span::new(
        position,
        super::finding::Position::new(position.line, position.column + 1),
    );
    let code = rules::syntax::RULE.code;
    if only_comments {
        let warning = cx
            .finding(
                code,
                Some(span),
                "a comment holds bytes that are not UTF-8 (read as U+FFFD)",
            )
            .map(|mut f| {
                f.severity = f.severity.min(super::severity::Severity::Warning);
                f.with_help("save the Dockerfile as UTF-8 text")
            });
        return NotUtf8::InComments {
            text: lossy,
            warning,
        };
    }
    NotUtf8::Rejected(
        cx.finding(
            code,
            Some(span),
            "the file is not UTF-8 text (a binary file?)",
        )
        .map(|f| f.with_help("lint Dockerfiles saved as UTF-8 text"))
        .into_iter()
        .collect(),
    )
}
