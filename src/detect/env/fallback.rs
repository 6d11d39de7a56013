//! Reads of a variable that give a fallback, so the app starts without the variable:
//! `os.getenv("X", "a")`, `os.environ.get("X", default="a")`, `os.getenv("X") or "a"`,
//! `env.str("X", "a")` in Python;
//! `process.env.X || "a"` and `process.env.X ?? "a"` in JavaScript and TypeScript; clap's
//! `#[arg(env = "X", default_value = "a")]` in Rust; in Go a struct field's tag
//! (`default:"a" env:"X"`, `env:"X" envDefault:"a"`), a
//! variable read into a name and replaced when empty or unset
//! (`if v := os.Getenv("X"); v == "" { v = "a" }`, `v, ok := os.LookupEnv("X")` then
//! `if !ok { v = "a" }`).
//!
//! [`of`] looks at the text around one read that [`super::reads_in`]'s patterns found. A
//! fallback is a [`Fallback`]: its [`Literal`] when it is a plain string (the value the app uses
//! when the variable is unset, so the same text set in a ConfigMap changes nothing), `None` for
//! any other expression (a number or a boolean that the code would compare with a string,
//! another variable, a call).

use std::sync::LazyLock;

use regex::Regex;

use super::super::regex;
use super::super::source::FileKind;
use crate::line_index::char_start;

/// A plain string given as a fallback, and the byte offset of its text in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Literal {
    pub text: String,
    pub offset: usize,
}

/// The fallback of a read: `Some(literal)` for a plain string, `None` for another expression.
pub(super) type Fallback = Option<Literal>;

/// How far after a read a fallback is looked for, in bytes.
const REACH: usize = 2000;

/// The fallback given where `text[start..end]` reads a variable (the match of a read pattern,
/// ending after the variable's name and any closing quote or bracket), or `None` when the read
/// gives none.
pub(super) fn of(kind: FileKind, text: &str, start: usize, end: usize) -> Option<Fallback> {
    let matched = &text[start..end];
    let after = &text[end..];
    match kind {
        // `getenv("X", ...)`, `env.str("X", ...)`: a call whose first argument is the name.
        FileKind::Python if matched.contains('(') && matched.ends_with(['"', '\'']) => {
            python_fallback(after)
        }
        FileKind::JavaScript => javascript_fallback(after),
        // A struct field's tag, `default:"::1" env:"X"`: the tag holds the default.
        FileKind::Go if matched.starts_with('`') => return tag_fallback(text, start),
        FileKind::Go => go_fallback(&text[..start], after),
        // `#[arg(long, env = "X", default_value = "a")]`: the attribute holds the default.
        FileKind::Rust if matched.starts_with("env") => return clap_fallback(text, start, end),
        _ => None,
    }
    .map(|fallback| {
        fallback.map(|(literal, at)| Literal {
            text: literal,
            offset: end + at,
        })
    })
}

/// A fallback found in the text after a read: the literal and its offset in that text.
pub(super) type Found = Option<(String, usize)>;

/// Where `part`, a slice of `whole`, begins in it.
fn offset_in(whole: &str, part: &str) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

/// The argument after the name: the first positional one or `default=`. `setdefault` always
/// has one; a keyword other than `default` (`cast=int`) is none.
fn python_fallback(after: &str) -> Option<Found> {
    if let Some(or) = PYTHON_OR.captures(after).and_then(|c| c.get(1)) {
        // `or None` only turns an empty value into no value: no fallback.
        return (or.as_str() != "None").then(|| string_literal(after, or.as_str(), &['"', '\'']));
    }
    let arguments = call_arguments(after)?;
    let fallback = arguments.iter().find_map(|argument| {
        match KEYWORD.captures(argument).and_then(|c| c.get(1)) {
            Some(keyword) if keyword.as_str() == "default" => Some(
                argument[keyword.end()..]
                    .trim_start()
                    .trim_start_matches('='),
            ),
            Some(_) => None,
            None => Some(*argument),
        }
    });
    // `os.getenv("X", None)` is `os.getenv("X")`: no fallback.
    fallback
        .map(str::trim)
        .filter(|expression| *expression != "None")
        .map(|expression| string_literal(after, expression, &['"', '\'']))
}

/// `os.getenv("X") or "a"`: the call closes and `or` gives the fallback.
static PYTHON_OR: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"^\s*\)\s*or\s+("[^"\\\n]*"|'[^'\\\n]*'|[^\s#)\]},]+)"#));

static KEYWORD: LazyLock<Regex> = LazyLock::new(|| regex(r"^\s*([A-Za-z_]\w*)\s*=[^=]"));

/// The arguments of a call after its first one, split at the commas of their own level, when
/// `after` (the text right after the first argument) goes on with a comma.
fn call_arguments(after: &str) -> Option<Vec<&str>> {
    arguments(after.trim_start().strip_prefix(',')?)
}

/// The arguments of a call whose text begins at `rest` (right after its `(` or after a comma),
/// split at the commas of their own level, up to the call's closing bracket; `None` when it
/// does not close within reach.
pub(super) fn arguments(rest: &str) -> Option<Vec<&str>> {
    let rest = &rest[..char_start(rest, REACH)];
    let mut arguments = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut begin = 0;
    let mut escaped = false;
    for (at, c) in rest.char_indices() {
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                arguments.push(&rest[begin..at]);
                arguments.retain(|a| !a.trim().is_empty());
                return Some(arguments);
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                arguments.push(&rest[begin..at]);
                begin = at + 1;
            }
            _ => {}
        }
    }
    None
}

/// The text of a string literal quoted with one of `quotes` and holding no escape, that same
/// quote or (in a template literal) a substitution, with its offset in `text` (of which
/// `expression` is a slice); `None` for any other expression or an empty string (which sets
/// nothing).
pub(super) fn string_literal(text: &str, expression: &str, quotes: &[char]) -> Found {
    quotes.iter().find_map(|q| {
        let inner = expression.strip_prefix(*q)?.strip_suffix(*q)?;
        let plain = !inner.contains([*q, '\\', '\n']) && !inner.contains("${");
        (plain && !inner.is_empty()).then(|| (inner.to_string(), offset_in(text, inner)))
    })
}

/// The default of a name destructured from `process.env`: what follows the name in
/// `{ A = "a", B: b = 'b' }`, where `rest` begins at byte `offset` of the file.
pub(super) fn destructured(rest: &str, offset: usize) -> Option<Fallback> {
    let (_, default) = rest.split_once('=')?;
    let found = string_literal(rest, default.trim(), &['"', '\'', '`']);
    Some(found.map(|(text, at)| Literal {
        text,
        offset: offset + at,
    }))
}

static JS_OR: LazyLock<Regex> = LazyLock::new(|| {
    regex(r#"^\s*(?:\|\||\?\?)\s*("[^"\\\n]*"|'[^'\\\n]*'|`[^`\\]*`|[^\s;,)}\]]+)"#)
});

/// `process.env.X || "a"`, `process.env.X ?? 'a'`.
fn javascript_fallback(after: &str) -> Option<Found> {
    let expression = JS_OR.captures(after)?.get(1)?.as_str();
    // `|| undefined` and `?? null` leave the value absent: no fallback.
    if matches!(expression, "undefined" | "null") {
        return None;
    }
    Some(string_literal(after, expression, &['"', '\'', '`']))
}

/// clap's default for an argument bound to a variable: `default_value = "a"` in the same
/// attribute; any other default (`default_value_t = 8080`) is an expression.
static CLAP_DEFAULT: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\bdefault_value\s*=\s*"([^"\\\n]*)""#));
static CLAP_DEFAULT_EXPRESSION: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\bdefault_values?(?:_t|_os|_os_t)?\s*="));

/// The default of `#[arg(long, env = "X", default_value = "a")]` (or `#[clap(...)]`), where the
/// read `text[start..end]` is the attribute's `env = "X"`.
fn clap_fallback(text: &str, start: usize, end: usize) -> Option<Fallback> {
    let open = text[..start].rfind("#[")?;
    if text[open..start].contains(")]") {
        return None;
    }
    let limit = char_start(text, end + REACH);
    let close = end + text[end..limit].find(")]")?;
    let attribute = &text[open..close];
    if let Some(value) = CLAP_DEFAULT.captures(attribute).and_then(|c| c.get(1)) {
        let literal = (!value.as_str().is_empty()).then(|| Literal {
            text: value.as_str().to_string(),
            offset: open + value.start(),
        });
        return Some(literal);
    }
    CLAP_DEFAULT_EXPRESSION.is_match(attribute).then_some(None)
}

/// The default in a Go struct field's tag (configor's `default:"v"`, caarlos0/env's
/// `envDefault:"v"`), where `text[start..]` begins with the tag's opening backtick: a field
/// read from a variable keeps the default when it is unset, and its zero value without one.
static TAG_DEFAULT: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\b(?:default|envDefault):"([^"\\\n]*)""#));

fn tag_fallback(text: &str, start: usize) -> Option<Fallback> {
    let rest = &text[start + 1..];
    let tag = &rest[..rest.find(['`', '\n']).unwrap_or(rest.len())];
    let literal = TAG_DEFAULT
        .captures(tag)
        .and_then(|c| c.get(1))
        .filter(|value| !value.as_str().is_empty())
        .map(|value| Literal {
            text: value.as_str().to_string(),
            offset: start + 1 + value.start(),
        });
    Some(literal)
}

/// The last operand of the `||` and `??` chain that follows a JavaScript read (`text` begins
/// right after the variable's name) when it is a plain string and ends the expression:
/// `process.env.DATA_DIR || args["data-dir"] || "./data/"` gives `./data/`, the value the app
/// uses when nothing before it is set. Its offset is in `text`.
pub(super) fn chain_end(text: &str) -> Found {
    let text_end = char_start(text, REACH);
    let mut rest = text[..text_end].trim_start_matches(['"', '\'', '`']);
    rest = rest.trim_start().trim_start_matches(']');
    let mut last: Option<&str> = None;
    loop {
        let trimmed = rest.trim_start();
        let Some(next) = trimmed
            .strip_prefix("||")
            .or_else(|| trimmed.strip_prefix("??"))
        else {
            break;
        };
        let next = next.trim_start();
        let length = operand_length(next)?;
        last = Some(&next[..length]);
        rest = &next[length..];
    }
    let ends = rest
        .trim_start_matches([' ', '\t'])
        .chars()
        .next()
        .is_none_or(|c| matches!(c, ';' | ')' | ',' | '}' | ']' | '\n' | '\r'));
    if !ends {
        return None;
    }
    string_literal(text, last?, &['"', '\'', '`'])
}

/// The length of the operand `text` begins with: a string literal, or an expression without
/// spaces outside its brackets (`args["data-dir"]`, `Database.dir()`); `None` when a bracket
/// does not close.
fn operand_length(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (at, c) in text.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
                if depth == 0 {
                    return Some(at + 1);
                }
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth > 0 => depth -= 1,
            _ if depth == 0 && (c.is_whitespace() || ";,)]}|?".contains(c)) => {
                return (at > 0).then_some(at);
            }
            _ => {}
        }
    }
    (depth == 0 && quote.is_none() && !text.is_empty()).then_some(text.len())
}

/// The assignment a Go read is the value of: `v :=`, `cfg.Port =`, `v, ok :=`, possibly after
/// `if`.
static GO_ASSIGNED: LazyLock<Regex> =
    LazyLock::new(|| regex(r"([\w.]+)(?:\s*,\s*(\w+))?\s*:?=\s*$"));

/// The check that follows: `; v == "" {` in the same `if`, or a next statement
/// `if v == "" {` (or `if !ok {`), whose block first assigns the variable.
static GO_CHECK: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"^\s*\)[ \t]*(?:;\s*|\r?\n\s*if\s+)(?:([\w.]+)\s*==\s*""|len\(\s*([\w.]+)\s*\)\s*==\s*0|!\s*(\w+))\s*\{\s*([\w.]+)\s*=\s*("[^"\\\n]*"|`[^`]*`|[^\n;}]+)"#,
    )
});

/// `if v := os.Getenv("X"); v == "" { v = "a" }` and its two-statement and `LookupEnv` forms.
fn go_fallback(before: &str, after: &str) -> Option<Found> {
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let assigned = GO_ASSIGNED.captures(&before[line_start..])?;
    let variable = assigned.get(1)?.as_str();
    let found = assigned.get(2).map(|m| m.as_str());
    let check = GO_CHECK.captures(after)?;
    let checked = match (check.get(1).or(check.get(2)), check.get(3)) {
        (Some(empty), _) => empty.as_str() == variable,
        (None, Some(not)) => Some(not.as_str()) == found,
        (None, None) => false,
    };
    if !checked || check.get(4)?.as_str() != variable {
        return None;
    }
    Some(string_literal(
        after,
        check.get(5)?.as_str().trim(),
        &['"', '`'],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fallback of the first read of `X` in `text`, found the way the read patterns find it:
    /// its literal's text, checked to be where the literal's offset points.
    fn fallback(kind: FileKind, text: &str, read: &str) -> Option<Option<String>> {
        let start = text.find(read).expect("the read is in the text");
        let found = of(kind, text, start, start + read.len())?;
        Some(found.map(|literal| {
            assert!(
                text[literal.offset..].starts_with(&literal.text),
                "{literal:?}"
            );
            literal.text
        }))
    }

    #[test]
    fn python_fallbacks() {
        let py = |text: &str, read: &str| fallback(FileKind::Python, text, read);
        assert_eq!(
            py(r#"os.getenv("X", "a")"#, r#"os.getenv("X""#),
            Some(Some("a".into()))
        );
        assert_eq!(
            py(
                r#"os.environ.get('X', default='a b')"#,
                r#"os.environ.get('X'"#
            ),
            Some(Some("a b".into()))
        );
        assert_eq!(
            py(r#"int(os.getenv("X", 8080))"#, r#"os.getenv("X""#),
            Some(None)
        );
        // A `None` fallback is no fallback: the app gets no value either way.
        assert_eq!(py(r#"os.getenv("X", None)"#, r#"os.getenv("X""#), None);
        assert_eq!(py(r#"os.getenv("X") or None"#, r#"os.getenv("X""#), None);
        assert_eq!(
            py(r#"f(a=os.getenv("X") or None, b=1)"#, r#"os.getenv("X""#),
            None
        );
        assert_eq!(py(r#"os.getenv("X", "")"#, r#"os.getenv("X""#), Some(None));
        assert_eq!(py(r#"env.str("X", f"{a}")"#, r#"env.str("X""#), Some(None));
        assert_eq!(
            py(r#"env("X", cast=int, default="3")"#, r#"env("X""#),
            Some(Some("3".into()))
        );
        assert_eq!(py(r#"env("X", cast=int)"#, r#"env("X""#), None);
        assert_eq!(py(r#"os.getenv("X")"#, r#"os.getenv("X""#), None);
        assert_eq!(
            py(r#"os.environ.get("X") or 'a'"#, r#"os.environ.get("X""#),
            Some(Some("a".into()))
        );
        assert_eq!(
            py(r#"int(os.getenv("X") or 3)"#, r#"os.getenv("X""#),
            Some(None)
        );
        assert_eq!(py(r#"os.getenv("X") == "a""#, r#"os.getenv("X""#), None);
        assert_eq!(py(r#"f(os.environ["X"], "a")"#, r#"os.environ["X"]"#), None);
        assert_eq!(
            py(
                "os.getenv(\n    \"X\",\n    \"multi\",\n)",
                "os.getenv(\n    \"X\""
            ),
            Some(Some("multi".into()))
        );
    }

    #[test]
    fn javascript_fallbacks() {
        let js = |text: &str, read: &str| fallback(FileKind::JavaScript, text, read);
        assert_eq!(
            js(r#"const a = process.env.X || "a";"#, "process.env.X"),
            Some(Some("a".into()))
        );
        assert_eq!(
            js("const a = process.env['X'] ?? `b`;", "process.env['X']"),
            Some(Some("b".into()))
        );
        assert_eq!(
            js("const p = process.env.X || 3000;", "process.env.X"),
            Some(None)
        );
        assert_eq!(
            js("const p = process.env.X || `${a}`;", "process.env.X"),
            Some(None)
        );
        assert_eq!(
            js("const a = process.env.X ?? null;", "process.env.X"),
            None
        );
        assert_eq!(
            js("const a = process.env.X || undefined;", "process.env.X"),
            None
        );
        assert_eq!(js("if (process.env.X) {}", "process.env.X"), None);
        assert_eq!(js("f(process.env.X, 'a')", "process.env.X"), None);
    }

    #[test]
    fn clap_defaults() {
        let rust = |text: &str| fallback(FileKind::Rust, text, r#"env = "X""#);
        assert_eq!(
            rust("#[clap(long, env = \"X\", default_value = \"data\")]\npub dir: String,"),
            Some(Some("data".into()))
        );
        assert_eq!(
            rust("#[arg(long, default_value = \"data\", env = \"X\")]\npub dir: String,"),
            Some(Some("data".into()))
        );
        assert_eq!(
            rust("#[arg(long, env = \"X\", default_value_t = 8080)]\npub port: u16,"),
            Some(None)
        );
        assert_eq!(rust("#[arg(long, env = \"X\")]\npub dir: String,"), None);
        // Another attribute's default is not this one's.
        assert_eq!(
            rust(
                "#[arg(long, env = \"X\")]\npub a: String,\n#[arg(default_value = \"b\")]\npub b: String,"
            ),
            None
        );
    }

    #[test]
    fn chains_end_in_a_literal() {
        let end = |text: &str| {
            chain_end(text).map(|(literal, at)| {
                assert!(text[at..].starts_with(&literal));
                literal
            })
        };
        assert_eq!(
            end(r#" || args["data-dir"] || Database.getDevDataDir() || "./data/";"#),
            Some("./data/".into())
        );
        assert_eq!(end("'] ?? 'store'\n"), Some("store".into()));
        assert_eq!(end(r#" || "./data" + suffix;"#), None);
        assert_eq!(end(" || base;"), None);
        assert_eq!(end(";"), None);
    }

    #[test]
    fn go_fallbacks() {
        let go = |text: &str| fallback(FileKind::Go, text, r#"os.Getenv("X""#);
        assert_eq!(
            go("\tif v := os.Getenv(\"X\"); v == \"\" {\n\t\tv = \"a\"\n\t}\n"),
            Some(Some("a".into()))
        );
        assert_eq!(
            go("\tport := os.Getenv(\"X\")\n\tif port == \"\" {\n\t\tport = defaultPort\n\t}\n"),
            Some(None)
        );
        assert_eq!(
            go(
                "\tcfg.Addr = os.Getenv(\"X\")\n\tif len(cfg.Addr) == 0 {\n\t\tcfg.Addr = `:8080`\n\t}\n"
            ),
            Some(Some(":8080".into()))
        );
        assert_eq!(
            go("\tother := os.Getenv(\"X\")\n\tif v == \"\" {\n\t\tv = \"a\"\n\t}\n"),
            None
        );
        assert_eq!(go("\tlog(os.Getenv(\"X\"))\n"), None);
        let lookup = "\tv, ok := os.LookupEnv(\"X\")\n\tif !ok {\n\t\tv = \"a\"\n\t}\n";
        assert_eq!(
            fallback(FileKind::Go, lookup, r#"os.LookupEnv("X""#),
            Some(Some("a".into()))
        );
    }
}
