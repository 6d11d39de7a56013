//! Keeps secrets out of what aigen shows: the source lines rendered with findings have the
//! values of secret `ARG`/`ENV` settings and every secret-shaped value (a URL's password, an API
//! key) replaced by `*`.
//!
//! A finding about `ENV OPENAI_API_KEY=sk-...` must point at the line without printing the key
//! on a terminal, in a CI log or in a test snapshot. Masking keeps every character's place, so
//! carets still line up. Which names and values are secrets is [`crate::secrets`]' answer.

use std::ops::Range;

use super::ast::{Dockerfile, Keyword};
use crate::policy::constitution::Constitution;
use crate::policy::finding::Finding;
use crate::policy::source::SourceFile;
use crate::secrets::mask::{Cells, mask_cells};
use crate::secrets::{is_secret_setting, shapes};

/// The byte ranges of the source that hold secret values.
pub(crate) fn sensitive_ranges(
    file: &Dockerfile,
    source: &str,
    constitution: &Constitution,
) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    for instruction in &file.instructions {
        if !matches!(instruction.keyword, Keyword::Arg | Keyword::Env) {
            continue;
        }
        for setting in instruction.settings(source) {
            if is_secret_setting(&setting.name, &constitution.secrets) {
                ranges.extend(setting.value_ranges);
            }
        }
    }
    ranges.extend(shapes::find(source).into_iter().map(|(range, _)| range));
    ranges
}

/// Masks the sensitive ranges in the findings' excerpts.
pub(crate) fn mask(findings: &mut [Finding], ranges: &[Range<usize>], source: &SourceFile<'_>) {
    if ranges.is_empty() {
        return;
    }
    let cells: Vec<Cells> = ranges
        .iter()
        .map(|r| {
            let span = source.span(r.clone());
            Cells {
                start: (span.start.line, span.start.column),
                end: (span.end.line, span.end.column),
            }
        })
        .collect();
    for finding in findings {
        let Some(excerpt) = finding.excerpt.as_mut() else {
            continue;
        };
        if let Some(masked) = mask_cells(&excerpt.text, excerpt.first_line, &cells) {
            excerpt.text = masked;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::dockerfile::parser::parse;

    #[test]
    fn secret_values_and_url_passwords_are_found() {
        let src = "ARG NPM_TOKEN=abc\nFROM a:1\nENV OPENAI_API_KEY=sk-1 MODE=x\nENV DB_PASSWORD hunter2\nRUN curl https://u:pw@h/x\n";
        let constitution = Constitution::preset().unwrap();
        let ranges = sensitive_ranges(&parse(src), src, &constitution);
        let values: Vec<&str> = ranges.iter().map(|r| &src[r.clone()]).collect();
        assert_eq!(values, vec!["abc", "sk-1", "hunter2", "pw"]);
    }

    #[test]
    fn masking_keeps_columns() {
        let src = "FROM a:1\nENV OPENAI_API_KEY=sk-1234 X=1\n";
        let source = SourceFile::new(src);
        let mut finding = crate::policy::finding::Finding::new(
            "AG-D010",
            crate::policy::Severity::Error,
            "f",
            "m",
        )
        .at(source.span(13..27))
        .with_excerpt(&source);
        let secret = vec![Range { start: 28, end: 35 }];
        mask(std::slice::from_mut(&mut finding), &secret, &source);
        assert_eq!(
            finding.excerpt.unwrap().text,
            "ENV OPENAI_API_KEY=******* X=1"
        );
    }
}
