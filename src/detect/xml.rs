//! A well-formedness check for `pom.xml`: every tag closed, in order.
//!
//! Maven facts are read by line scanning ([`super::java`]); this check runs first so that a
//! broken POM is reported at the line and column of the fault instead of yielding half-read
//! facts. It knows comments, CDATA, processing instructions, the doctype and quoted attributes,
//! which is all a POM uses.

use super::model::FileProblem;
use super::source::ServiceFile;
use crate::line_index::line_column;

/// Checks that `file` is well-formed XML as far as tags go.
pub(super) fn check(file: &ServiceFile) -> Result<(), FileProblem> {
    let text = file.text.as_str();
    let fail = |offset: usize, message: String| {
        let (line, column) = line_column(text, offset);
        Err(FileProblem::at(&file.path, line, column, message))
    };
    let mut open: Vec<(&str, usize)> = Vec::new();
    let mut seen_element = false;
    let mut at = 0;
    while let Some(found) = text[at..].find('<') {
        let start = at + found;
        let rest = &text[start..];
        let skip_to = |close: &str| rest.find(close).map(|end| start + end + close.len());
        let end = if rest.starts_with("<!--") {
            skip_to("-->")
        } else if rest.starts_with("<![CDATA[") {
            skip_to("]]>")
        } else if rest.starts_with("<?") {
            skip_to("?>")
        } else if rest.starts_with("<!") {
            skip_to(">")
        } else {
            let Some(end) = tag_end(rest) else {
                return fail(start, "a tag is never closed with `>`".to_string());
            };
            let tag = &rest[1..end];
            if let Some(name) = tag.strip_prefix('/') {
                let name = name.trim();
                match open.pop() {
                    Some((opened, _)) if opened == name => {}
                    Some((opened, opened_at)) => {
                        let (line, _) = line_column(text, opened_at);
                        return fail(
                            start,
                            format!("`</{name}>` closes `<{opened}>` opened at line {line}"),
                        );
                    }
                    None => return fail(start, format!("`</{name}>` closes nothing")),
                }
            } else if !tag.ends_with('/') {
                let name = tag.split(|c: char| c.is_whitespace()).next().unwrap_or("");
                if name.is_empty() {
                    return fail(start, "a tag has no name".to_string());
                }
                open.push((name, start));
                seen_element = true;
            } else {
                seen_element = true;
            }
            Some(start + end + 1)
        };
        match end {
            Some(end) => at = end,
            None => {
                return fail(
                    start,
                    "a comment or declaration is never closed".to_string(),
                );
            }
        }
    }
    if let Some((name, opened_at)) = open.pop() {
        return fail(opened_at, format!("`<{name}>` is never closed"));
    }
    if !seen_element {
        return fail(0, "no root element".to_string());
    }
    Ok(())
}

/// The offset of the `>` that ends the tag starting `rest`, skipping quoted attribute values.
fn tag_end(rest: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (index, c) in rest.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(index),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_text(text: &str) -> Result<(), (Option<usize>, Option<usize>, String)> {
        check(&crate::detect::source::in_memory("pom.xml", text))
            .map_err(|p| (p.line, p.column, p.message))
    }

    #[test]
    fn well_formed_documents_pass() {
        let text = "<?xml version=\"1.0\"?>\n<!-- a > b -->\n<project a=\"x>y\">\n  <name><![CDATA[<x>]]></name>\n  <empty/>\n</project>\n";
        assert_eq!(check_text(text), Ok(()));
    }

    #[test]
    fn faults_are_located() {
        let err =
            check_text("<project>\n  <dependencies>\n  </dependency>\n</project>\n").unwrap_err();
        assert_eq!((err.0, err.1), (Some(3), Some(3)));
        assert!(err.2.contains("opened at line 2"), "{}", err.2);
        let err = check_text("<project>\n  <name>x</name>\n").unwrap_err();
        assert_eq!((err.0, err.1), (Some(1), Some(1)));
        let err = check_text("<project>\n  <name x</name>\n</project>").unwrap_err();
        assert_eq!(err.0, Some(2));
        assert!(check_text("just text").is_err());
    }
}
