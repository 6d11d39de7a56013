//! `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME-default}` in compose files and
//! Dockerfiles, filled from the variables the project defines (a compose file's `.env`, a
//! Dockerfile's `ARG` defaults and `ENV`). What no variable and no default fills stays unknown:
//! detection never guesses a value.

use std::collections::BTreeMap;

use super::super::dotenv;
use crate::dockerfile_syntax::expand::{Dialect, expand};

/// Variables and their values.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vars(BTreeMap<String, String>);

impl Vars {
    /// Sets a variable.
    pub(crate) fn set(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_string(), value.to_string());
    }

    /// A variable's value.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The variables of a `.env` file, as [`dotenv`] reads them.
    pub(crate) fn from_dotenv(text: &str) -> Self {
        let mut vars = Self::default();
        for entry in dotenv(text) {
            vars.set(&entry.name, &entry.value);
        }
        vars
    }

    /// `text` with its variables replaced, or `None` when one has neither a value nor a default.
    /// `$$` is a literal `$`.
    pub(crate) fn fill(&self, text: &str) -> Option<String> {
        let lookup = |name: &str| self.get(name).map(str::to_string);
        let (filled, unresolved) = expand(text, Dialect::Compose, &lookup);
        (!unresolved).then_some(filled)
    }
}

/// One `NAME=value` line of a `.env` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DotenvEntry {
    pub name: String,
    /// The value, unquoted and filled.
    pub value: String,
    /// The line's number, from 1.
    pub line: usize,
}

/// The lines of a `.env` file that set a variable ([`dotenv::lines`]). As compose reads the
/// file, a value that is not in single quotes is filled from the variables above it
/// (`CART_ADDR=cart:${CART_PORT}`); one that cannot be is kept as written.
pub(crate) fn dotenv(text: &str) -> Vec<DotenvEntry> {
    let mut vars = Vars::default();
    let mut entries = Vec::new();
    for line in dotenv::lines(text) {
        let filled = (!line.literal).then(|| vars.fill(line.value)).flatten();
        let value = filled.unwrap_or_else(|| line.value.to_string());
        vars.set(line.name, &value);
        entries.push(DotenvEntry {
            name: line.name.to_string(),
            value,
            line: line.number,
        });
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_filled_or_unknown() {
        let vars = Vars::from_dotenv("# ports\nAD_PORT=9555\nexport NAME=\"shop\"\nEMPTY=\n");
        assert_eq!(vars.fill("${AD_PORT}").as_deref(), Some("9555"));
        assert_eq!(vars.fill("$NAME:$AD_PORT").as_deref(), Some("shop:9555"));
        assert_eq!(vars.fill("${MISSING:-8080}").as_deref(), Some("8080"));
        assert_eq!(vars.fill("${EMPTY:-1}").as_deref(), Some("1"));
        assert_eq!(vars.fill("${EMPTY-1}").as_deref(), Some(""));
        assert_eq!(vars.fill("${MISSING}"), None);
        assert_eq!(vars.fill("a$$b").as_deref(), Some("a$b"));
    }

    #[test]
    fn dotenv_entries_keep_their_lines() {
        let entries =
            dotenv("# app\nAPP_PORT=3001\n\nAPP_NAME=\"NestJS API\"\nEMPTY=\nnot a line\n");
        let shown: Vec<(&str, &str, usize)> = entries
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_str(), e.line))
            .collect();
        assert_eq!(
            shown,
            [
                ("APP_PORT", "3001", 2),
                ("APP_NAME", "NestJS API", 4),
                ("EMPTY", "", 5)
            ]
        );
    }

    #[test]
    fn dotenv_values_are_filled_from_the_lines_above() {
        let vars = Vars::from_dotenv(
            "CART_PORT=7070
CART_ADDR=cart:${CART_PORT}
QUOTED=\"http://$CART_ADDR\"
\
             LITERAL='${CART_PORT}'
LATER=${UNKNOWN}
",
        );
        assert_eq!(vars.get("CART_ADDR"), Some("cart:7070"));
        assert_eq!(vars.get("QUOTED"), Some("http://cart:7070"));
        assert_eq!(vars.get("LITERAL"), Some("${CART_PORT}"));
        assert_eq!(vars.get("LATER"), Some("${UNKNOWN}"));
    }
}
