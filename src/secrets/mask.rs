//! Masking secrets in source lines shown with a finding: each character of a secret becomes `*`,
//! so the line keeps its length and a caret under a column still points at the right place.
//! The lint rules say where the secrets are (a Dockerfile `ENV` value, a manifest's `value:`
//! node); this module does the masking.

/// A stretch of text by 1-based line and 1-based character column; the end column is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cells {
    pub start: (usize, usize),
    pub end: (usize, usize),
}

/// `text`, the lines from `first_line` on, with the characters of each span replaced by `*`;
/// `None` when no span touches them. On the lines after a span's first, masking starts at the
/// first character that is not a space, so indentation stays.
pub(crate) fn mask_cells(text: &str, first_line: usize, spans: &[Cells]) -> Option<String> {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let mut changed = false;
    for span in spans {
        let ((start_line, start_column), (end_line, end_column)) = (span.start, span.end);
        for (offset, line) in lines.iter_mut().enumerate() {
            let number = first_line + offset;
            if number < start_line || number > end_line {
                continue;
            }
            let from = if number == start_line {
                start_column
            } else {
                1 + line.chars().take_while(|c| c.is_whitespace()).count()
            };
            let to = if number == end_line {
                end_column
            } else {
                usize::MAX
            };
            let masked: String = line
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if (from..to).contains(&(i + 1)) {
                        '*'
                    } else {
                        c
                    }
                })
                .collect();
            if masked != *line {
                *line = masked;
                changed = true;
            }
        }
    }
    changed.then(|| lines.join("\n"))
}

/// A `key: value` line with everything after its key masked (the whole line when it has no
/// key): for a template line whose rendered value was a secret, where the value's columns in the
/// template are not known.
pub(crate) fn mask_after_key(line: &str) -> String {
    match line.find(": ") {
        Some(index) => {
            let (key, value) = line.split_at(index + 2);
            format!("{key}{}", "*".repeat(value.chars().count()))
        }
        None => "*".repeat(line.chars().count()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_columns_and_indentation() {
        let text = "ENV OPENAI_API_KEY=sk-1234 X=1";
        let span = Cells {
            start: (2, 20),
            end: (2, 27),
        };
        assert_eq!(
            mask_cells(text, 2, &[span]).as_deref(),
            Some("ENV OPENAI_API_KEY=******* X=1")
        );
        let text = "  key: |\n    one\n    two\n  next: 1";
        let span = Cells {
            start: (1, 8),
            end: (4, 1),
        };
        assert_eq!(
            mask_cells(text, 1, &[span]).as_deref(),
            Some("  key: *\n    ***\n    ***\n  next: 1")
        );
        assert_eq!(mask_cells("a\nb", 5, &[span]), None);
    }

    #[test]
    fn values_after_keys_are_masked_whole() {
        assert_eq!(
            mask_after_key("  password: {{ .Values.pw }}"),
            "  password: ****************"
        );
        assert_eq!(mask_after_key("{{ x }}"), "*******");
    }
}
