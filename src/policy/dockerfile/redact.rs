//! Keeps secrets out of what aigen shows: the source lines rendered with findings have the
//! values of secret `ARG`/`ENV` settings and the passwords of URLs replaced by `*`.
//!
//! A finding about `ENV OPENAI_API_KEY=sk-...` must point at the line without printing the key
//! on a terminal, in a CI log or in a test snapshot. Masking keeps every character's place, so
//! carets still line up.

use std::ops::Range;

use super::ast::{Dockerfile, Keyword};
use super::rules::secret_in_arg_env;
use crate::policy::constitution::Constitution;
use crate::policy::finding::Finding;
use crate::policy::source::SourceFile;

/// The byte ranges of the source that hold secret values.
pub fn sensitive_ranges(
    file: &Dockerfile,
    source: &str,
    constitution: &Constitution,
) -> Vec<Range<usize>> {
    let patterns = secret_in_arg_env::Params::default().patterns;
    let is_secret = |name: &str| {
        let lower = name.to_ascii_lowercase();
        constitution
            .secrets
            .iter()
            .any(|s| s.eq_ignore_ascii_case(name))
            || patterns.iter().any(|p| lower.contains(p.as_str()))
    };
    let mut ranges = Vec::new();
    for instruction in &file.instructions {
        if !matches!(instruction.keyword, Keyword::Arg | Keyword::Env) {
            continue;
        }
        for setting in instruction.settings(source) {
            if is_secret(&setting.name) {
                ranges.extend(setting.value_ranges);
            }
        }
    }
    ranges.extend(url_passwords(source));
    ranges
}

/// The byte ranges of passwords in `scheme://user:password@host` URLs.
pub fn url_passwords(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    for (at, _) in text.match_indices("://") {
        let start = at + 3;
        let rest = &text[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '?' | '#' | '"' | '\''))
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        if let Some(userinfo_end) = authority.rfind('@')
            && let Some(colon) = authority[..userinfo_end].find(':')
            && colon + 1 < userinfo_end
        {
            ranges.push(start + colon + 1..start + userinfo_end);
        }
    }
    ranges
}

/// Masks the sensitive ranges in the findings' excerpts.
pub fn mask(findings: &mut [Finding], ranges: &[Range<usize>], source: &SourceFile<'_>) {
    if ranges.is_empty() {
        return;
    }
    let spans: Vec<_> = ranges.iter().map(|r| source.span(r.clone())).collect();
    for finding in findings {
        let Some(excerpt) = finding.excerpt.as_mut() else {
            continue;
        };
        let last_line = excerpt.first_line + excerpt.text.matches('\n').count();
        let mut lines: Vec<String> = excerpt.text.split('\n').map(str::to_string).collect();
        for span in &spans {
            for line in span.start.line..=span.end.line {
                if line < excerpt.first_line || line > last_line {
                    continue;
                }
                let text = &mut lines[line - excerpt.first_line];
                let from = if line == span.start.line {
                    span.start.column
                } else {
                    1
                };
                let to = if line == span.end.line {
                    span.end.column
                } else {
                    usize::MAX
                };
                *text = text
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
            }
        }
        excerpt.text = lines.join("\n");
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
