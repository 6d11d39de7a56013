//! Unified diffs of a staged artifact against its target, plain or coloured.
//!
//! [`unified`] makes the diff `aigen apply` shows and records; [`paint`] colours it for a
//! terminal.

use similar::TextDiff;

use crate::printer::{Printer, Tone};

/// The unified diff that turns `old` (None: the file does not exist) into `new`, with `path` in
/// the headers. Empty when nothing changes.
pub(crate) fn unified(path: &str, old: Option<&str>, new: &str) -> String {
    let before = old.unwrap_or("");
    if old == Some(new) {
        return String::new();
    }
    let from = if old.is_some() {
        format!("a/{path}")
    } else {
        "/dev/null".to_string()
    };
    TextDiff::from_lines(before, new)
        .unified_diff()
        .context_radius(3)
        .header(&from, &format!("b/{path}"))
        .to_string()
}

/// A diff coloured for stdout: additions green, removals red, hunk headers cyan.
pub(crate) fn paint(diff: &str, printer: &Printer) -> String {
    let mut out = String::with_capacity(diff.len() + diff.len() / 4);
    for line in diff.split_inclusive('\n') {
        let text = line.strip_suffix('\n').unwrap_or(line);
        let painted = if text.starts_with("+++") || text.starts_with("---") {
            printer.paint(Tone::Emphasis, text)
        } else if text.starts_with('+') {
            printer.paint(Tone::Success, text)
        } else if text.starts_with('-') {
            printer.paint(Tone::Error, text)
        } else if text.starts_with("@@") {
            printer.paint(Tone::Info, text)
        } else {
            text.to_string()
        };
        out.push_str(&painted);
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_files_diff_against_dev_null() {
        let diff = unified("k8s/a.yaml", None, "a: 1\n");
        assert!(
            diff.starts_with("--- /dev/null\n+++ b/k8s/a.yaml\n"),
            "{diff}"
        );
        assert!(diff.contains("+a: 1"));
    }

    #[test]
    fn unchanged_files_have_no_diff() {
        assert_eq!(unified("x", Some("a\n"), "a\n"), "");
    }

    #[test]
    fn changes_show_both_sides() {
        let diff = unified("x", Some("a\nb\n"), "a\nc\n");
        assert!(diff.contains("-b\n+c\n"), "{diff}");
    }
}
