//! The text report: one rustc-style diagnostic per finding, with the source line and a caret
//! under the span, drawn by annotate-snippets.
//!
//! ```text
//! error[AG-D003]: base image `python:latest` is not pinned to a version
//!  --> docker/backend.Dockerfile:1:6
//!   |
//! 1 | FROM python:latest
//!   |      ^^^^^^^^^^^^^
//!   |
//!   = help: pin a release tag, e.g. `python:3.13-slim`
//! ```

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use rayon::prelude::*;

use crate::fsutil::slash_path;
use crate::policy::finding::{Excerpt, Finding, Span};
use crate::policy::severity::Severity;

/// Renders findings as text, coloured when `color` is set. Each diagnostic ends with a blank line.
/// Diagnostics are drawn in parallel: a large run has tens of thousands of them.
pub fn text(findings: &[Finding], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let rendered: Vec<String> = findings
        .par_iter()
        .map(|finding| render_one(&renderer, finding))
        .collect();
    let mut out = String::with_capacity(rendered.iter().map(|r| r.len() + 2).sum());
    for diagnostic in rendered {
        out.push_str(&diagnostic);
        out.push_str("\n\n");
    }
    out
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

fn render_one(renderer: &Renderer, finding: &Finding) -> String {
    let path = slash_path(&finding.path);
    let title = level(finding.severity)
        .primary_title(finding.message.as_str())
        .id(finding.code);
    let mut group = match (finding.span, &finding.excerpt) {
        (Some(span), Some(excerpt)) => {
            let range = byte_range(excerpt, span);
            title.element(
                Snippet::source(excerpt.text.as_str())
                    .line_start(excerpt.first_line)
                    .path(path.clone())
                    .annotation(AnnotationKind::Primary.span(range)),
            )
        }
        (Some(span), None) => title.element(
            Origin::path(path.clone())
                .line(span.start.line)
                .char_column(span.start.column),
        ),
        (None, _) => title.element(Origin::path(path.clone())),
    };
    if let Some(help) = &finding.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    let report: [Group<'_>; 1] = [group];
    renderer.render(&report)
}

/// The byte range of a span within an excerpt (clamped to the excerpt).
fn byte_range(excerpt: &Excerpt, span: Span) -> std::ops::Range<usize> {
    let start = offset_of(excerpt, span.start.line, span.start.column);
    let end = offset_of(excerpt, span.end.line, span.end.column).max(start);
    start..end
}

fn offset_of(excerpt: &Excerpt, line: usize, column: usize) -> usize {
    let text = excerpt.text.as_str();
    if line < excerpt.first_line {
        return 0;
    }
    let mut offset = 0;
    for (current, piece) in (excerpt.first_line..).zip(text.split('\n')) {
        if current == line {
            let within = piece
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(piece.len(), |(i, _)| i);
            return offset + within;
        }
        offset += piece.len() + 1;
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::finding::Position;

    #[test]
    fn a_finding_renders_with_its_line_and_caret() {
        let finding = Finding::new(
            "AG-D003",
            Severity::Error,
            "docker/backend.Dockerfile",
            "base image `python:latest` is not pinned to a version",
        )
        .at(Span::new(Position::new(2, 6), Position::new(2, 19)))
        .with_help("pin a release tag");
        let finding = Finding {
            excerpt: Some(Excerpt {
                first_line: 2,
                text: "FROM python:latest".into(),
            }),
            ..finding
        };
        let out = text(&[finding], false);
        assert!(out.starts_with("error[AG-D003]: base image"), "{out}");
        assert!(out.contains("--> docker/backend.Dockerfile:2:6"), "{out}");
        assert!(out.contains("2 | FROM python:latest"), "{out}");
        assert!(out.contains("|      ^^^^^^^^^^^^^"), "{out}");
        assert!(out.contains("= help: pin a release tag"), "{out}");
    }

    #[test]
    fn offsets_follow_lines_and_characters() {
        let excerpt = Excerpt {
            first_line: 4,
            text: "aé b\ncd".into(),
        };
        assert_eq!(offset_of(&excerpt, 4, 3), 3);
        assert_eq!(offset_of(&excerpt, 5, 2), 7);
        assert_eq!(offset_of(&excerpt, 9, 1), 8);
    }
}
