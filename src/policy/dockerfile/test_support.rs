//! Helpers for the rules' one-line tests: lint a snippet with the Phase IV preset and compare
//! the `line:column` of one rule's findings.

use std::path::Path;

use crate::policy::constitution::Constitution;
use crate::policy::dockerfile::lint;
use crate::policy::kind::service_for_path;

/// The `(line, column)` of every finding of `code` when `text` is linted as `path`.
pub(crate) fn positions_at(code: &str, path: &str, text: &str) -> Vec<(usize, usize)> {
    let constitution = Constitution::preset().expect("the preset loads");
    let service = service_for_path(Path::new(path), &constitution);
    let mut found: Vec<(usize, usize)> =
        lint(Path::new(path), text, &constitution, service.as_deref())
            .into_iter()
            .filter(|f| f.code == code)
            .map(|f| (f.line(), f.column()))
            .collect();
    found.sort_unstable();
    found
}

/// Asserts that `code` reports exactly at `expected` in a file named `Dockerfile`.
#[track_caller]
pub(crate) fn catches(code: &str, text: &str, expected: &[(usize, usize)]) {
    catches_at(code, "Dockerfile", text, expected);
}

/// Asserts that `code` reports exactly at `expected` in a file named `path`.
#[track_caller]
pub(crate) fn catches_at(code: &str, path: &str, text: &str, expected: &[(usize, usize)]) {
    assert_eq!(
        positions_at(code, path, text),
        expected,
        "{code} on:\n{text}"
    );
}

/// Asserts that `code` reports nothing in a file named `Dockerfile`.
#[track_caller]
pub(crate) fn passes(code: &str, text: &str) {
    catches(code, text, &[]);
}

/// Asserts that `code` reports nothing in a file named `path`.
#[track_caller]
pub(crate) fn passes_at(code: &str, path: &str, text: &str) {
    catches_at(code, path, text, &[]);
}

/// The messages of `code`'s findings, for tests of wording.
pub(crate) fn messages(code: &str, path: &str, text: &str) -> Vec<String> {
    let constitution = Constitution::preset().expect("the preset loads");
    let service = service_for_path(Path::new(path), &constitution);
    lint(Path::new(path), text, &constitution, service.as_deref())
        .into_iter()
        .filter(|f| f.code == code)
        .map(|f| f.message)
        .collect()
}
