//! The derived constitution's text: YAML written line by line, so that every value can carry
//! the comment saying where it came from, aligned at the end of its line.

use crate::yaml_scalar::scalar;

/// The column trailing comments start at (when the line is shorter).
const COMMENT_COLUMN: usize = 40;

/// A YAML document being written.
#[derive(Debug, Default)]
pub(super) struct Doc {
    out: String,
}

impl Doc {
    pub(super) fn new() -> Self {
        Self::default()
    }

    /// Comment lines at the top level.
    pub(super) fn comment(&mut self, text: &str) {
        self.comment_at(0, text);
    }

    /// Comment lines at `indent`.
    pub(super) fn comment_at(&mut self, indent: usize, text: &str) {
        for line in text.lines() {
            let pad = " ".repeat(indent);
            if line.is_empty() {
                self.out.push_str(&format!("{pad}#\n"));
            } else {
                self.out.push_str(&format!("{pad}# {line}\n"));
            }
        }
    }

    /// An empty line.
    pub(super) fn blank(&mut self) {
        self.out.push('\n');
    }

    /// `key: value`, the value written as a YAML scalar.
    pub(super) fn entry(&mut self, indent: usize, key: &str, value: &str, comment: Option<&str>) {
        let line = format!("{}: {}", scalar(key), scalar(value));
        self.line(indent, &line, comment);
    }

    /// `key: number`.
    pub(super) fn number(
        &mut self,
        indent: usize,
        key: &str,
        value: impl Into<u64>,
        comment: Option<&str>,
    ) {
        let line = format!("{}: {}", scalar(key), value.into());
        self.line(indent, &line, comment);
    }

    /// `key:`, opening a block.
    pub(super) fn key(&mut self, indent: usize, key: &str, comment: Option<&str>) {
        let line = format!("{}:", scalar(key));
        self.line(indent, &line, comment);
    }

    /// `- value`.
    pub(super) fn item(&mut self, indent: usize, value: &str, comment: Option<&str>) {
        let line = format!("- {}", scalar(value));
        self.line(indent, &line, comment);
    }

    /// A line written as given (a flow mapping).
    pub(super) fn raw(&mut self, indent: usize, line: &str) {
        self.line(indent, line, None);
    }

    /// A line written as given, with a trailing comment.
    pub(super) fn raw_commented(&mut self, indent: usize, line: &str, comment: &str) {
        self.line(indent, line, Some(comment));
    }

    fn line(&mut self, indent: usize, text: &str, comment: Option<&str>) {
        let mut line = format!("{}{text}", " ".repeat(indent));
        if let Some(comment) = comment {
            let width = line.chars().count();
            let pad = COMMENT_COLUMN.saturating_sub(width).max(1);
            line.push_str(&" ".repeat(pad));
            line.push_str("# ");
            line.push_str(comment);
        }
        self.out.push_str(&line);
        self.out.push('\n');
    }

    /// The text.
    pub(super) fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_scalars_and_comments_align() {
        let mut doc = Doc::new();
        doc.key(0, "services", None);
        doc.number(2, "port", 8080u16, Some("from main.go:12"));
        doc.entry(2, "health_path", "/a: b", None);
        doc.item(2, "yes", None);
        assert_eq!(
            doc.finish(),
            "services:\n  port: 8080                            # from main.go:12\n  health_path: \"/a: b\"\n  - \"yes\"\n"
        );
    }
}
