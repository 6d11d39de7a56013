//! The lines of a `.env`-style file that set a variable: `NAME=value`, an `export` before the
//! name, quotes around the value and `#` comments allowed. The one reader of such lines, for the
//! names and values of `.env.example` files ([`super::env`]) and for compose's `.env` and a
//! project's default configuration, whose values are then filled ([`super::declared`]).

/// One `NAME=value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line<'t> {
    pub name: &'t str,
    /// The value without its quotes, or without a ` #` comment when unquoted.
    pub value: &'t str,
    /// The value was in single quotes: taken literally, never filled.
    pub literal: bool,
    /// The line's number, from 1.
    pub number: usize,
}

/// The lines of `text` that set a variable, in order.
pub(super) fn lines(text: &str) -> Vec<Line<'_>> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let value = value.trim();
        let (value, literal) = match value.chars().next() {
            Some(q @ ('"' | '\'')) if value.len() >= 2 && value.ends_with(q) => {
                (&value[1..value.len() - 1], q == '\'')
            }
            _ => (value.split(" #").next().unwrap_or(value).trim(), false),
        };
        found.push(Line {
            name,
            value,
            literal,
            number: index + 1,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_values_and_lines() {
        let found =
            lines("# app\nexport PORT=3001 # web\nNAME=\"Shop\"\nRAW='${X}'\nEMPTY=\nnot a line\n");
        let shown: Vec<(&str, &str, bool, usize)> = found
            .iter()
            .map(|l| (l.name, l.value, l.literal, l.number))
            .collect();
        assert_eq!(
            shown,
            [
                ("PORT", "3001", false, 2),
                ("NAME", "Shop", false, 3),
                ("RAW", "${X}", true, 4),
                ("EMPTY", "", false, 5)
            ]
        );
    }
}
