//! Reading manifests with real parsers, and turning their positions into `file:line`.
//!
//! TOML manifests (`pyproject.toml`, `Pipfile`, `Cargo.toml`) are parsed into a spanned tree
//! ([`TomlDoc`]), so every value knows its line. `package.json` is parsed with `serde_json`, and
//! [`json_line`] finds the line of a key path in the text. A document that does not parse becomes
//! a [`FileProblem`] at the line and column the parser names.

use std::sync::LazyLock;

use regex::Regex;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::model::{FileProblem, Sourced};
use super::regex;
use super::source::ServiceFile;
use crate::line_index::line_column;

/// A parsed TOML document that remembers where each value is.
pub(super) struct TomlDoc<'a> {
    pub file: &'a ServiceFile,
    table: DeTable<'a>,
}

impl<'a> TomlDoc<'a> {
    /// Parses a TOML file; a syntax error or a repeated key becomes a problem at its position.
    pub(super) fn parse(file: &'a ServiceFile) -> Result<Self, FileProblem> {
        // The plain parser also rejects what is well-formed but invalid (a key given twice);
        // the spanned one then gives positions.
        toml::from_str::<toml::Table>(&file.text).map_err(|e| toml_problem(file, &e))?;
        let table = DeTable::parse(&file.text)
            .map_err(|e| toml_problem(file, &e))?
            .into_inner();
        Ok(Self { file, table })
    }

    /// The value at a dotted path of keys (`["project", "requires-python"]`).
    pub(super) fn get(&self, path: &[&str]) -> Option<&Spanned<DeValue<'a>>> {
        let (first, rest) = path.split_first()?;
        let mut value = self.table.get(*first)?;
        for key in rest {
            value = value.get_ref().get(*key)?;
        }
        Some(value)
    }

    /// The table at a path.
    pub(super) fn table(&self, path: &[&str]) -> Option<&DeTable<'a>> {
        self.get(path)?.get_ref().as_table()
    }

    /// The string at a path, with its line.
    pub(super) fn string(&self, path: &[&str]) -> Option<Sourced<String>> {
        let value = self.get(path)?;
        let text = value.get_ref().as_str()?;
        Some(self.file.sourced(text.to_string(), value.span().start))
    }

    /// A spanned value with its line.
    pub(super) fn sourced<T>(&self, value: T, spanned: &Spanned<DeValue<'_>>) -> Sourced<T> {
        self.file.sourced(value, spanned.span().start)
    }
}

/// The version requirement of one entry of a TOML dependency table, written either way the
/// manifests allow: `name = "spec"` or `name = { version = "spec", ... }`.
pub(super) fn dependency_spec<'v>(value: &'v Spanned<DeValue<'_>>) -> Option<&'v str> {
    let value = value.get_ref();
    value
        .as_str()
        .or_else(|| value.get("version")?.get_ref().as_str())
}

fn toml_problem(file: &ServiceFile, error: &toml::de::Error) -> FileProblem {
    let message = format!("invalid TOML: {}", error.message().trim_end());
    match error.span() {
        Some(span) => {
            let (line, column) = line_column(&file.text, span.start);
            FileProblem::at(&file.path, line, column, message)
        }
        None => FileProblem::new(&file.path, message),
    }
}

/// Parses a JSON file; a syntax error becomes a problem at its line and column.
pub(super) fn parse_json(file: &ServiceFile) -> Result<serde_json::Value, FileProblem> {
    serde_json::from_str(&file.text).map_err(|error| {
        let message = format!("invalid JSON: {error}");
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.clone(), |(m, _)| m.to_string());
        FileProblem::at(&file.path, error.line(), error.column(), message)
    })
}

/// The line of a key path in a JSON text (`["scripts", "start"]`): each key is looked for after
/// the previous one. Good enough for manifests, where keys are unique per level.
pub(super) fn json_line(text: &str, keys: &[&str]) -> Option<usize> {
    let mut offset = 0;
    for key in keys {
        let quoted = format!("\"{key}\"");
        let found = text[offset..].match_indices(&quoted).find(|(at, _)| {
            let after = &text[offset + at + quoted.len()..];
            after.trim_start().starts_with(':')
        })?;
        offset += found.0;
    }
    Some(line_column(text, offset).0)
}

static VERSION: LazyLock<Regex> = LazyLock::new(|| regex(r"\d+(?:\.\d+)*"));

/// The first version number in a requirement (`>=3.12,<4` gives `3.12`, `^16.0.1` gives
/// `16.0.1`).
pub(super) fn first_version(spec: &str) -> Option<String> {
    VERSION.find(spec).map(|m| m.as_str().to_string())
}

/// The first version number of a sourced requirement, keeping its origin.
pub(super) fn version_in(spec: Sourced<String>) -> Option<Sourced<String>> {
    Some(Sourced::new(first_version(&spec.value)?, spec.origin))
}

/// The major version of a requirement (`^16.0.1` gives 16, `~> 14.2` gives 14).
pub(super) fn major(spec: &str) -> Option<u32> {
    first_version(spec)?.split('.').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> ServiceFile {
        ServiceFile {
            path: "svc/m".into(),
            rel: "m".into(),
            text: text.into(),
        }
    }

    #[test]
    fn toml_values_know_their_line() {
        let f = file("[project]\nname = \"x\"\nrequires-python = \">=3.12\"\n");
        let doc = TomlDoc::parse(&f).unwrap();
        let version = doc.string(&["project", "requires-python"]).unwrap();
        assert_eq!(version.value, ">=3.12");
        assert_eq!(version.origin.to_string(), "svc/m:3");
    }

    #[test]
    fn toml_errors_have_a_position() {
        let f = file("[project]\nname = \"x\nversion = 1\n");
        let problem = TomlDoc::parse(&f).err().unwrap();
        assert_eq!(problem.line, Some(2));
        let f = file("[a]\nx = 1\nx = 2\n");
        let problem = TomlDoc::parse(&f).err().unwrap();
        assert_eq!(problem.line, Some(3), "{problem}");
    }

    #[test]
    fn json_errors_have_a_position() {
        let f = file("{\n  \"name\": \"x\",\n}\n");
        let problem = parse_json(&f).unwrap_err();
        assert_eq!((problem.line, problem.column), (Some(3), Some(1)));
        assert!(!problem.message.contains(" at line "), "{problem}");
    }

    #[test]
    fn json_lines_follow_the_key_path() {
        let text = "{\n \"name\": \"start\",\n \"scripts\": {\n  \"dev\": \"x\",\n  \"start\": \"y\"\n }\n}";
        assert_eq!(json_line(text, &["scripts", "start"]), Some(5));
        assert_eq!(json_line(text, &["engines"]), None);
    }

    #[test]
    fn versions() {
        assert_eq!(first_version(">=3.12,<4").as_deref(), Some("3.12"));
        assert_eq!(major("^16.0.1"), Some(16));
        assert_eq!(major("latest"), None);
    }
}
