//! The redaction rules, in the order they run: the Kubernetes Secret pass ([`super::k8s`]), the
//! value shapes ([`super::shapes`]), then the rules that need context: an AWS secret key after
//! its name, `Authorization: Bearer ...`, and assignments whose name says secret
//! (`DB_PASSWORD=...`, `"token": "..."`, `password: ...`, `ENV API_KEY ...`, `--password ...`,
//! `name: X_TOKEN` / `value: ...` pairs, `password: |` blocks), judged with
//! [`super::names::is_secret_name`] and [`super::placeholder::is_placeholder`].
//!
//! Each rule is a pattern and an action. The patterns are compiled twice: into one
//! [`RegexSet`] that answers in a single pass which rules can apply, and one by one for the
//! rules that do. Every rule reports the values it replaced, so a [`super::Redactor`] can
//! remember them.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use regex::{Captures, Regex, RegexSet};

use super::k8s;
use super::marker::Kind;
use super::names::{is_secret_name, is_weak_secret_name};
use super::placeholder::is_placeholder;
use super::shapes::{SHAPES, Shape};
use super::template::carries_no_credential;

/// A value a rule replaced, and what it was.
pub(crate) type Found = Vec<(String, Kind)>;

/// How the secret part of a value ends when it is not quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extent {
    /// At the first space or delimiter (`KEY=value other`, `?token=abc&x=1`).
    Word,
    /// At the end of the line (`password: two words`), before a ` #` comment.
    Line,
}

#[derive(Clone, Copy)]
enum Action {
    /// A value shape: the shape says where the secret is.
    Shape(&'static Shape),
    /// The `secret` group is, unless it is a placeholder or fails the check.
    Group(Option<fn(&str) -> bool>),
    /// `name sep value`: the value is, when the name says secret.
    Assignment(Option<Extent>),
    /// A pass over lines, for what a pattern cannot say alone.
    Pass(fn(&str, &mut Found) -> Option<String>),
}

struct Rule {
    kind: Kind,
    pattern: &'static str,
    /// The same pattern with any name in place of the stems, to read the groups of a match by:
    /// the stems keep the search selective, and reading groups with a small pattern is cheap.
    groups: Option<&'static str>,
    action: Action,
}

/// Word stems a secret's name contains; the patterns use them to stay selective, and
/// [`is_secret_name`] decides. `key` counts only after another character: a bare `key:` (as
/// under `secretKeyRef`) names nothing secret; `url` only after a store's name.
macro_rules! stem {
    () => {
        concat!(
            "(?i:secret|token|passw|pwd|pass|credential|creds|private|salt|dsn|conn(?:ection)?_?str|[A-Za-z0-9_.-]key|(?:",
            stores!(),
            "|webhook)[A-Za-z0-9_.-]*ur[li])"
        )
    };
}

/// A name in an assignment: identifier characters around a stem.
macro_rules! name {
    () => {
        concat!("[A-Za-z0-9_.-]*", stem!(), "[A-Za-z0-9_.-]*")
    };
}

/// Any name, for reading the groups of a match found with [`name!`].
macro_rules! any_name {
    () => {
        "[A-Za-z0-9_.-]+"
    };
}

/// `NAME = value`, `"name": "value"`, `name: value`.
macro_rules! assignment {
    ($name:expr) => {
        concat!(
            r#"(?m)(?:^|[^A-Za-z0-9_.-])(?P<name>"#,
            $name,
            r#")\\?["']?(?P<sep>[ \t]*(?::=|=>|[:=])[ \t]*)(?P<value>[^\n]*)"#
        )
    };
}

/// `- name: X_TOKEN` and `value: ...` on the next line.
macro_rules! name_value {
    ($name:expr) => {
        concat!(
            r#"(?m)name:[ \t]*["']?(?P<name>"#,
            $name,
            r#")["']?[ \t]*\r?\n[ \t]*(?:-[ \t]+)?value:[ \t]*(?P<value>[^\n]*)"#
        )
    };
}

/// `ENV API_TOKEN value` (the Dockerfile form without `=`).
macro_rules! env_instruction {
    ($name:expr) => {
        concat!(
            r#"(?m)^[ \t]*(?i:ENV)[ \t]+(?P<name>"#,
            $name,
            r#")[ \t]+(?P<value>[^\n=]+)$"#
        )
    };
}

/// `--password value` on a command line.
macro_rules! flag {
    ($name:expr) => {
        concat!(
            r#"(?m)(?:^|[ \t])--?(?P<name>"#,
            $name,
            r#")[ \t]+(?P<value>[^\n]*)"#
        )
    };
}

/// The rules that need context, after the shapes.
const CONTEXT_RULES: &[Rule] = &[
    Rule {
        kind: Kind::AwsSecretKey,
        pattern: r#"(?i)aws_?secret_?(?:access_?)?key["']?[ \t]*[:=][ \t]*["']?(?P<secret>[A-Za-z0-9/+=]{40})(?-u:\b)"#,
        groups: None,
        action: Action::Group(None),
    },
    Rule {
        kind: Kind::AuthHeader,
        pattern: r"(?i)(?-u:\b)(?:bearer|basic)[ \t]+(?P<secret>[A-Za-z0-9._~+/-]{12,}=*)",
        groups: None,
        action: Action::Group(Some(has_digit_or_symbol)),
    },
    Rule {
        kind: Kind::SecretAssignment,
        pattern: concat!(
            r#"(?m)(?:^|[^A-Za-z0-9_.-])"#,
            name!(),
            r#"\\?["']?[ \t]*:[ \t]*[|>][-+0-9]*[ \t]*\r?$"#
        ),
        groups: None,
        action: Action::Pass(block_values),
    },
    Rule {
        kind: Kind::SecretAssignment,
        pattern: assignment!(name!()),
        groups: Some(assignment!(any_name!())),
        action: Action::Assignment(None),
    },
    Rule {
        kind: Kind::SecretAssignment,
        pattern: name_value!(name!()),
        groups: Some(name_value!(any_name!())),
        action: Action::Assignment(Some(Extent::Line)),
    },
    Rule {
        kind: Kind::SecretAssignment,
        pattern: env_instruction!(name!()),
        groups: Some(env_instruction!(any_name!())),
        action: Action::Assignment(Some(Extent::Line)),
    },
    Rule {
        kind: Kind::SecretAssignment,
        pattern: flag!(name!()),
        groups: Some(flag!(any_name!())),
        action: Action::Assignment(Some(Extent::Word)),
    },
];

/// The Kubernetes Secret pass: it runs first, so a Secret's values go whole.
const K8S_RULE: Rule = Rule {
    kind: Kind::K8sSecretData,
    pattern: r#"(?m)^[ \t]*(?:-[ \t]+)?["']?kind["']?[ \t]*:[ \t]*["']?Secret["']?[ \t]*,?[ \t]*\r?$|"kind"[ \t]*:[ \t]*"Secret""#,
    groups: None,
    action: Action::Pass(k8s::redact_secret_data),
};

struct Table {
    rules: Vec<Rule>,
    set: RegexSet,
    regexes: Vec<Regex>,
    groups: Vec<Option<Regex>>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut rules = vec![K8S_RULE];
    rules.extend(SHAPES.iter().map(|shape| Rule {
        kind: shape.kind,
        pattern: shape.pattern,
        groups: None,
        action: Action::Shape(shape),
    }));
    rules.extend(CONTEXT_RULES.iter().map(|r| Rule { ..*r }));
    // The patterns are constants covered by the tests; a failure here is a bug in this file.
    let compile = |p: &str| Regex::new(p).expect("redaction pattern compiles");
    Table {
        set: RegexSet::new(rules.iter().map(|r| r.pattern)).expect("redaction patterns compile"),
        regexes: rules.iter().map(|r| compile(r.pattern)).collect(),
        groups: rules.iter().map(|r| r.groups.map(compile)).collect(),
        rules,
    }
});

/// Applies every rule, adding each value replaced to `found`; borrowed when nothing matched.
pub(crate) fn apply<'a>(text: &'a str, found: &mut Found) -> Cow<'a, str> {
    let table = &*TABLE;
    let hits = table.set.matches(text);
    if !hits.matched_any() {
        return Cow::Borrowed(text);
    }
    let mut current = Cow::Borrowed(text);
    for index in hits.iter() {
        let rule = &table.rules[index];
        let replaced = match rule.action {
            Action::Pass(pass) => pass(&current, found),
            _ => replace(
                rule,
                &table.regexes[index],
                table.groups[index].as_ref(),
                &current,
                found,
            ),
        };
        if let Some(next) = replaced {
            current = Cow::Owned(next);
        }
    }
    current
}

/// Replaces the secret of every match of `regex` in `text` by the rule's marker; `None` when
/// there was none. The groups of a match are read with `groups` when the rule has one.
fn replace(
    rule: &Rule,
    regex: &Regex,
    groups: Option<&Regex>,
    text: &str,
    found: &mut Found,
) -> Option<String> {
    let marker = rule.kind.marker();
    let mut out = String::new();
    let mut copied = 0;
    for m in regex.find_iter(text) {
        let caps = match groups {
            Some(groups) => groups.captures(m.as_str()),
            None => regex.captures_at(text, m.start()),
        };
        let Some(caps) = caps else {
            continue;
        };
        let Some(secret) = secret_of(rule, &caps) else {
            continue;
        };
        // Offsets of `caps` are within the match (with `groups`) or the text (without).
        let base = if groups.is_some() { m.start() } else { 0 };
        let range = base + secret.start..base + secret.end;
        found.push((text[range.clone()].to_string(), rule.kind));
        out.push_str(&text[copied..range.start]);
        out.push_str(&marker);
        copied = range.end;
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

/// Where the secret of a match is, as offsets of `caps`' haystack; `None` to keep the match.
fn secret_of(rule: &Rule, caps: &Captures<'_>) -> Option<Range<usize>> {
    match rule.action {
        Action::Shape(shape) => shape.secret_in(caps),
        Action::Group(check) => caps.name("secret").and_then(|m| {
            (!is_placeholder(m.as_str()) && check.is_none_or(|c| c(m.as_str()))).then(|| m.range())
        }),
        Action::Assignment(extent) => {
            let value = caps.name("value")?;
            assignment(caps, extent).map(|r| r.start + value.start()..r.end + value.start())
        }
        Action::Pass(_) => None,
    }
}

/// The range of the secret within the `value` group of an assignment, or `None` to keep it.
fn assignment(caps: &Captures<'_>, extent: Option<Extent>) -> Option<Range<usize>> {
    let name = caps.name("name")?.as_str();
    if !is_secret_name(name) {
        return None;
    }
    let value = caps.name("value")?.as_str();
    let extent = extent.unwrap_or_else(|| {
        let sep = caps.name("sep").map_or("", |m| m.as_str());
        if sep.contains('=') {
            Extent::Word
        } else {
            Extent::Line
        }
    });
    let (range, quoted) = value_extent(value, extent)?;
    let secret = &value[range.clone()];
    let keep = secret.trim().is_empty()
        || is_placeholder(secret)
        || is_block_indicator(secret)
        || (!quoted && (is_code_reference(first_word(value)) || secret.starts_with('-')))
        || (!quoted && is_prose(secret))
        || (is_weak_secret_name(name) && !looks_like_key_material(secret))
        || carries_no_credential(secret);
    (!keep).then_some(range)
}

/// A value of five or more plain words (`configuration comes from the environment at run
/// time`): a sentence, as in a comment or a heading, not a secret. Shorter runs of words may be a
/// passphrase (`correct horse battery staple`) and stay redacted.
fn is_prose(value: &str) -> bool {
    let words: Vec<&str> = value.split_whitespace().collect();
    words.len() >= 5
        && words.iter().all(|w| {
            w.trim_end_matches([',', '.', ';', ':', ')'])
                .trim_start_matches('(')
                .chars()
                .all(|c| c.is_alphabetic() || c == '\'' || c == '-')
        })
}

/// What a key's value looks like when it is one: a single token of 16 or more characters with
/// letters and digits, and not a hostname, label or path (`kubernetes.io/hostname`).
fn looks_like_key_material(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    let is_name = v.contains('/') && v.contains('.') && !v.contains('=')
        || v.split('.').count() > 2
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    v.len() >= 16
        && !v.contains(char::is_whitespace)
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_alphabetic())
        && !is_name
}

/// The value up to the first space, for judging whether it is code.
fn first_word(value: &str) -> &str {
    value.split_whitespace().next().unwrap_or("")
}

/// Where the secret part of a value is, and whether it was quoted.
fn value_extent(value: &str, extent: Extent) -> Option<(Range<usize>, bool)> {
    for quote in ["\\\"", "\"", "'", "`"] {
        if let Some(rest) = value.strip_prefix(quote) {
            let end = closing(rest, quote).unwrap_or(rest.len());
            return Some((quote.len()..quote.len() + end, true));
        }
    }
    let end = match extent {
        Extent::Word => value
            .find(|c: char| c.is_whitespace() || ",;&)}]\"'<>".contains(c))
            .unwrap_or(value.len()),
        Extent::Line => {
            let mut v = value.trim_end();
            if let Some(comment) = v.find(" #") {
                v = v[..comment].trim_end();
            }
            v.trim_end_matches([',', ';']).len()
        }
    };
    (end > 0).then_some((0..end, false))
}

/// The offset of the closing `quote` in `rest`, skipping backslash escapes for `"`.
fn closing(rest: &str, quote: &str) -> Option<usize> {
    if quote == "\"" {
        let bytes = rest.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => return Some(i),
                b'\n' => return None,
                _ => i += 1,
            }
        }
        None
    } else {
        rest.find(quote).filter(|&at| !rest[..at].contains('\n'))
    }
}

/// Unquoted values that are code, not secrets: calls and lookups (`os.getenv("X")`,
/// `process.env.X`, `settings.db_password`, `env["X"]`), bare identifiers that themselves say
/// secret (`password=DB_PASSWORD`) and type annotations (`password: str`, `token: Optional[str]`).
fn is_code_reference(value: &str) -> bool {
    static CODE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?:\(.*\)|\[.*\])?[;,)]*$")
            .expect("code pattern compiles")
    });
    static TYPES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:str|int|bool|bytes|float|SecretStr|SecretBytes|Optional\[|Union\[|list\[|dict\[|string|String|number|boolean|any|Field\(|Secret\b)")
            .expect("type pattern compiles")
    });
    let v = value.trim();
    if TYPES.is_match(v) {
        return true;
    }
    if !CODE.is_match(v) {
        return false;
    }
    v.contains(['(', '[', '.']) || is_secret_name(v)
}

/// `|`, `>`, `|-`, `>+2`: a YAML block scalar starts on the next line (see [`block_values`]).
fn is_block_indicator(value: &str) -> bool {
    let mut chars = value.trim().chars();
    matches!(chars.next(), Some('|' | '>')) && chars.all(|c| matches!(c, '-' | '+' | '0'..='9'))
}

fn has_digit_or_symbol(token: &str) -> bool {
    token
        .bytes()
        .any(|b| b.is_ascii_digit() || b"._~+/=-".contains(&b))
}

/// `password: |` (or `>`) and the more-indented lines under it: the lines are the secret.
fn block_values(text: &str, found: &mut Found) -> Option<String> {
    static HEADER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r#"^(?P<indent>[ \t]*)(?:-[ \t]+)?["']?(?P<name>"#,
            name!(),
            r#")\\?["']?[ \t]*:[ \t]*[|>][-+0-9]*[ \t]*\r?$"#
        ))
        .expect("block pattern compiles")
    });
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        let Some(caps) = HEADER.captures(line.trim_end_matches('\n')) else {
            continue;
        };
        if !is_secret_name(&caps["name"]) {
            continue;
        }
        let indent = caps["indent"].len();
        let mut first = true;
        while let Some(next) = lines.peek() {
            let content = next.trim_end_matches(['\n', '\r']);
            let blank = content.trim().is_empty();
            let deeper = content.len() - content.trim_start().len() > indent;
            if !blank && !deeper {
                break;
            }
            if !blank && !is_placeholder(content) {
                found.push((content.trim().to_string(), Kind::SecretAssignment));
            }
            if !blank && first {
                let spaces = &content[..content.len() - content.trim_start().len()];
                out.push_str(spaces);
                out.push_str(&Kind::SecretAssignment.marker());
                out.push('\n');
                first = false;
                changed = true;
            }
            lines.next();
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str) -> String {
        apply(text, &mut Found::new()).into_owned()
    }

    /// The patterns only look closer at names with a stem: every secret name of the shared table
    /// must have one, and its value must go; no plain name's value may.
    #[test]
    fn assignments_follow_the_shared_table_of_names() {
        let table = include_str!("../../tests/fixtures/secrets/names.txt");
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let mut fields = line.split_whitespace();
            let (Some(name), Some(verdict)) = (fields.next(), fields.next()) else {
                continue;
            };
            let text = format!("{name}=Zx9q-8Lm2-Rt7v-W3kP");
            let redacted = r(&text) != text;
            assert_eq!(redacted, verdict == "secret", "{name}");
        }
    }

    #[test]
    fn infrastructure_names_and_sentences_are_not_secrets() {
        for text in [
            "topologyKey: kubernetes.io/hostname",
            "# Secrets: configuration comes from the environment at run time",
            "sortKey: createdAt",
        ] {
            assert_eq!(r(text), text);
        }
        assert_eq!(
            r("STRIPE_KEY=sk9f8e7d6c5b4a3210ffee"),
            "STRIPE_KEY=[REDACTED:secret-assignment]"
        );
        assert_eq!(
            r("passphrase: correct horse battery staple"),
            "passphrase: [REDACTED:secret-assignment]"
        );
    }

    #[test]
    fn connection_strings_without_a_credential_stay() {
        for text in [
            "DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres cargo build",
            "REDIS_URL=redis://cache:6379/0",
            "DATABASE_URL: host=db dbname=app user=app",
        ] {
            assert_eq!(r(text), text);
        }
        for text in [
            "DATABASE_URL=postgres://app:hunter22@db/app",
            "DATABASE_URL=postgres://db/app?password=hunter22",
            "SLACK_WEBHOOK_URL=https://hooks.example.com/services/T0/B0/hunter22",
            "DATABASE_URL=postgres://app:hun#ter22@db/app",
            "DATABASE_URL=postgres://app:hunter/22@db/app",
            "DATABASE_URL=postgres://app:hunter?22@db/app",
        ] {
            assert!(!r(text).contains("hunter22"), "{text}");
        }
    }

    #[test]
    fn assignments_lose_their_values_whole() {
        assert_eq!(
            r("DB_PASSWORD=hunter2 next"),
            "DB_PASSWORD=[REDACTED:secret-assignment] next"
        );
        assert_eq!(
            r("password: two words here # note"),
            "password: [REDACTED:secret-assignment] # note"
        );
        assert_eq!(
            r(r#"{"api_key": "abc\"def", "user": "x"}"#),
            r#"{"api_key": "[REDACTED:secret-assignment]", "user": "x"}"#
        );
        assert_eq!(
            r("- name: DB_PASSWORD\n  value: s3cr3t-value\n"),
            "- name: DB_PASSWORD\n  value: [REDACTED:secret-assignment]\n"
        );
        assert_eq!(
            r("ENV API_TOKEN abc123xyz"),
            "ENV API_TOKEN [REDACTED:secret-assignment]"
        );
        assert_eq!(
            r("mysql --password hunter22 -h db"),
            "mysql --password [REDACTED:secret-assignment] -h db"
        );
        assert_eq!(
            r("tls_private_key: |\n  line one\n  line two\nnext: 1\n"),
            "tls_private_key: |\n  [REDACTED:secret-assignment]\nnext: 1\n"
        );
    }

    #[test]
    fn placeholders_and_code_stay() {
        for text in [
            "DATABASE_URL=${DATABASE_URL}",
            "api_key: <your-key-here>",
            "password: changeme",
            "password = os.getenv(\"DB_PASSWORD\")",
            "password: str",
            "token: Optional[str] = None",
            "secretKeyRef:\n  name: db\n  key: password\n",
            "API_KEY=$API_KEY",
            "password: \"{{ .Values.db.password }}\"",
            "password=DB_PASSWORD",
            "secret: xxxxxxxx",
            "Authorization: Bearer authentication",
        ] {
            assert_eq!(r(text), text, "{text}");
        }
    }

    #[test]
    fn url_passwords_keep_scheme_user_and_host() {
        assert_eq!(
            r("postgresql://app:s3cr@t@db.internal:5432/todo"),
            "postgresql://app:[REDACTED:url-password]@db.internal:5432/todo"
        );
        assert_eq!(
            r("redis://:hunter2@cache:6379"),
            "redis://:[REDACTED:url-password]@cache:6379"
        );
        assert_eq!(
            r("postgres://user:${DB_PASSWORD}@db/x"),
            "postgres://user:${DB_PASSWORD}@db/x"
        );
    }

    #[test]
    fn redaction_is_idempotent() {
        let once = r("token=abc123def and sk-ant-api03-ABCDEFGHIJKLMNOPQRSTUVWX");
        assert_eq!(r(&once), once);
    }
}
