//! The built-in redaction rules, in the order they run, and the judgement calls behind them:
//! which names say secret ([`name_says_secret`]) and which values are placeholders or code rather
//! than secrets ([`is_placeholder`]).
//!
//! Each rule is a pattern and an action. The patterns are compiled twice: into one
//! [`RegexSet`] that answers in a single pass which rules can apply, and one by one for the
//! rules that do.

use std::borrow::Cow;
use std::cell::Cell;
use std::ops::Range;
use std::sync::LazyLock;

use regex::{Captures, Regex, RegexSet};

use super::{Kind, MARKER_PREFIX, k8s};

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
    /// The whole match is the secret, when the check (if any) agrees.
    Whole(Option<fn(&str) -> bool>),
    /// The `secret` group is, unless it is a placeholder or fails the check.
    Group(Option<fn(&str) -> bool>),
    /// `name sep value`: the value is, when the name says secret.
    Assignment(Option<Extent>),
    /// A pass over lines, for what a pattern cannot say alone.
    Pass(fn(&str) -> Option<String>),
}

struct Rule {
    kind: Kind,
    pattern: &'static str,
    action: Action,
}

/// Word stems a secret's name contains; the patterns use them to stay selective. `key` counts
/// only after another character: a bare `key:` (as under `secretKeyRef`) names nothing secret.
macro_rules! stem {
    () => {
        "(?i:secret|token|passw|pwd|pass|credential|private|[A-Za-z0-9_.-]key)"
    };
}

/// A name in an assignment: identifier characters around a stem.
macro_rules! name {
    () => {
        concat!("[A-Za-z0-9_.-]*", stem!(), "[A-Za-z0-9_.-]*")
    };
}

const RULES: &[Rule] = &[
    Rule {
        kind: Kind::PrivateKey,
        pattern: r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?s:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\:-]*)",
        action: Action::Whole(None),
    },
    Rule {
        kind: Kind::K8sSecretData,
        pattern: r#"(?m)^[ \t]*(?:-[ \t]+)?["']?kind["']?[ \t]*:[ \t]*["']?Secret["']?[ \t]*,?[ \t]*\r?$|"kind"[ \t]*:[ \t]*"Secret""#,
        action: Action::Pass(k8s::redact_secret_data),
    },
    Rule {
        kind: Kind::Jwt,
        pattern: r"(?-u:\b)eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
        action: Action::Whole(None),
    },
    Rule {
        kind: Kind::AnthropicKey,
        pattern: r"(?-u:\b)sk-ant-[A-Za-z0-9_-]{20,}",
        action: Action::Whole(None),
    },
    Rule {
        kind: Kind::OpenaiKey,
        pattern: r"(?-u:\b)sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",
        action: Action::Whole(Some(looks_random)),
    },
    Rule {
        kind: Kind::GithubToken,
        pattern: r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})",
        action: Action::Whole(None),
    },
    Rule {
        kind: Kind::GitlabToken,
        pattern: r"(?-u:\b)gl(?:pat|dt|rt|ptt|cbt|imt|oas|soat|ffct|ft|agent|wt)-[A-Za-z0-9_-]{20,}",
        action: Action::Whole(None),
    },
    Rule {
        kind: Kind::SlackToken,
        pattern: r"(?-u:\b)xox[abposre]-[A-Za-z0-9-]{10,}|https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]+",
        action: Action::Whole(None),
    },
    Rule {
        kind: Kind::AwsAccessKey,
        pattern: r"(?-u:\b)(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}(?-u:\b)",
        action: Action::Whole(None),
    },
    Rule {
        kind: Kind::GoogleApiKey,
        pattern: r"(?-u:\b)AIza[0-9A-Za-z_-]{35}",
        action: Action::Whole(None),
    },
    Rule {
        kind: Kind::StripeKey,
        pattern: r"(?-u:\b)(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,})",
        action: Action::Whole(None),
    },
    Rule {
        kind: Kind::HuggingfaceToken,
        pattern: r"(?-u:\b)hf_[A-Za-z0-9]{30,}",
        action: Action::Whole(None),
    },
    Rule {
        kind: Kind::NpmToken,
        pattern: r"(?-u:\b)npm_[A-Za-z0-9]{36}",
        action: Action::Whole(None),
    },
    Rule {
        kind: Kind::UrlPassword,
        pattern: r#"(?-u:\b)[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@"'<>\[\]]*:(?P<secret>[^\s/?#"'<>]+)@"#,
        action: Action::Group(None),
    },
    Rule {
        kind: Kind::AwsSecretKey,
        pattern: r#"(?i)aws_?secret_?(?:access_?)?key["']?[ \t]*[:=][ \t]*["']?(?P<secret>[A-Za-z0-9/+=]{40})(?-u:\b)"#,
        action: Action::Group(None),
    },
    Rule {
        kind: Kind::AuthHeader,
        pattern: r"(?i)(?-u:\b)(?:bearer|basic)[ \t]+(?P<secret>[A-Za-z0-9._~+/-]{12,}=*)",
        action: Action::Group(Some(has_digit_or_symbol)),
    },
    Rule {
        kind: Kind::SecretAssignment,
        pattern: concat!(
            r#"(?m)(?:^|[^A-Za-z0-9_.-])"#,
            name!(),
            r#"\\?["']?[ \t]*:[ \t]*[|>][-+0-9]*[ \t]*\r?$"#
        ),
        action: Action::Pass(block_values),
    },
    Rule {
        kind: Kind::SecretAssignment,
        pattern: concat!(
            r#"(?m)(?:^|[^A-Za-z0-9_.-])(?P<name>"#,
            name!(),
            r#")\\?["']?(?P<sep>[ \t]*(?::=|=>|[:=])[ \t]*)(?P<value>[^\n]*)"#
        ),
        action: Action::Assignment(None),
    },
    Rule {
        kind: Kind::SecretAssignment,
        pattern: concat!(
            r#"(?m)name:[ \t]*["']?(?P<name>"#,
            name!(),
            r#")["']?[ \t]*\r?\n[ \t]*(?:-[ \t]+)?value:[ \t]*(?P<value>[^\n]*)"#
        ),
        action: Action::Assignment(Some(Extent::Line)),
    },
    Rule {
        kind: Kind::SecretAssignment,
        pattern: concat!(
            r#"(?m)^[ \t]*(?i:ENV)[ \t]+(?P<name>"#,
            name!(),
            r#")[ \t]+(?P<value>[^\n=]+)$"#
        ),
        action: Action::Assignment(Some(Extent::Line)),
    },
    Rule {
        kind: Kind::SecretAssignment,
        pattern: concat!(
            r#"(?m)(?:^|[ \t])--?(?P<name>"#,
            name!(),
            r#")[ \t]+(?P<value>[^\n]*)"#
        ),
        action: Action::Assignment(Some(Extent::Word)),
    },
];

struct Table {
    set: RegexSet,
    regexes: Vec<Regex>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let patterns: Vec<&str> = RULES.iter().map(|r| r.pattern).collect();
    Table {
        // The patterns are constants covered by the tests; a failure here is a bug in this file.
        set: RegexSet::new(&patterns).expect("redaction patterns compile"),
        regexes: patterns
            .iter()
            .map(|p| Regex::new(p).expect("redaction pattern compiles"))
            .collect(),
    }
});

/// Applies every built-in rule; borrowed when nothing matched.
pub fn apply(text: &str) -> Cow<'_, str> {
    let table = &*TABLE;
    let hits = table.set.matches(text);
    if !hits.matched_any() {
        return Cow::Borrowed(text);
    }
    let mut current = Cow::Borrowed(text);
    for index in hits.iter() {
        let replaced = apply_rule(&RULES[index], &table.regexes[index], &current);
        if let Some(next) = replaced {
            current = Cow::Owned(next);
        }
    }
    current
}

fn apply_rule(rule: &Rule, regex: &Regex, text: &str) -> Option<String> {
    if let Action::Pass(pass) = rule.action {
        return pass(text);
    }
    let changed = Cell::new(false);
    let marker = rule.kind.marker();
    let out = regex.replace_all(text, |caps: &Captures<'_>| {
        let whole = caps.get(0).map_or("", |m| m.as_str());
        let start = caps.get(0).map_or(0, |m| m.start());
        let secret: Option<Range<usize>> = match rule.action {
            Action::Whole(check) => {
                (!is_placeholder(whole) && check.is_none_or(|c| c(whole))).then_some(0..whole.len())
            }
            Action::Group(check) => caps.name("secret").and_then(|m| {
                (!is_placeholder(m.as_str()) && check.is_none_or(|c| c(m.as_str())))
                    .then(|| m.start() - start..m.end() - start)
            }),
            Action::Assignment(extent) => assignment(caps, extent).map(|r| {
                let offset = caps.name("value").map_or(0, |m| m.start() - start);
                r.start + offset..r.end + offset
            }),
            Action::Pass(_) => None,
        };
        match secret {
            Some(range) => {
                changed.set(true);
                format!("{}{marker}{}", &whole[..range.start], &whole[range.end..])
            }
            None => whole.to_string(),
        }
    });
    match out {
        Cow::Owned(text) if changed.get() => Some(text),
        _ => None,
    }
}

/// The range of the secret within the `value` group of an assignment, or `None` to keep it.
fn assignment(caps: &Captures<'_>, extent: Option<Extent>) -> Option<Range<usize>> {
    let name = caps.name("name")?.as_str();
    if !name_says_secret(name) {
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
        || (weak_name(name) && !looks_like_key_material(secret));
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

/// Words before `key` that make it a credential's name (`API_KEY`, `secretKey`, `SSH_KEY`).
const CREDENTIAL_KEYS: &[&str] = &[
    "api",
    "secret",
    "private",
    "access",
    "auth",
    "encryption",
    "signing",
    "master",
    "client",
    "app",
    "consumer",
    "webhook",
    "license",
    "session",
    "jwt",
    "hmac",
    "ssh",
    "gpg",
    "pgp",
    "account",
    "storage",
    "admin",
    "service",
];

/// Names whose only secret word is a bare `key` (`topologyKey`, `STRIPE_KEY`): weak evidence,
/// since Kubernetes and most configuration formats are full of keys that are names. Their values
/// count only when they look like key material.
fn weak_name(name: &str) -> bool {
    let words = words(name);
    let n = words.len();
    words.last().is_some_and(|w| w == "key")
        && !(n >= 2 && CREDENTIAL_KEYS.contains(&words[n - 2].as_str()))
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

/// Splits a name into lowercase words at separators and camelCase boundaries:
/// `NEXTAUTH_SECRET` → `nextauth secret`, `apiKey` → `api key`, `APIKey` → `api key`.
fn words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let chars: Vec<char> = name.chars().collect();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// First words of `<word>_key` names that are not secrets.
const NOT_SECRET_KEYS: &[&str] = &[
    "primary",
    "foreign",
    "sort",
    "partition",
    "cache",
    "routing",
    "public",
    "lookup",
    "index",
    "row",
    "hash",
    "map",
    "object",
    "idempotency",
    "unique",
    "composite",
    "shard",
    "group",
    "dedup",
    "dedupe",
    "label",
    "config",
    "s3",
];

/// Whether a variable or key name says its value is secret: its last word is `secret`, `token`,
/// `password`, `passwd`, `passphrase`, `credential(s)` or `apikey`; or `pass`, `pwd` or `key`
/// after another word (`DB_PASS`, `STRIPE_KEY`, `apiKey`; not `primary_key`, `public_key`,
/// `PWD`); or it ends in `SECRET_KEY_BASE`. Names ending in `Ref`, `Name`, `File`, `Path`,
/// `Url`, `ttl`, ... do not (`secretKeyRef`, `secretName`, `token_url`), nor do names of Secret
/// objects (`existingSecret`, `imagePullSecrets`).
pub fn name_says_secret(name: &str) -> bool {
    let words = words(name);
    let n = words.len();
    let Some(last) = words.last() else {
        return false;
    };
    let prev = n.checked_sub(2).map(|i| words[i].as_str());
    // `existingSecret`, `imagePullSecrets`: names of Secret objects, not their content.
    if words[0] == "existing" || words.iter().any(|w| w == "pull") {
        return false;
    }
    match last.as_str() {
        "secret" | "secrets" | "token" | "password" | "passwd" | "passphrase" | "credential"
        | "credentials" | "apikey" | "secretkey" | "privatekey" | "accesskey" => true,
        "pass" | "pwd" => prev.is_some(),
        "key" => prev.is_some_and(|p| !NOT_SECRET_KEYS.contains(&p)),
        "base" => n >= 3 && words[n - 2] == "key" && words[n - 3] == "secret",
        _ => false,
    }
}

/// Values that stand for a secret without being one: empty, references (`$X`, `${X}`,
/// `$(cmd)`, `{{ .Values.x }}`, `<your-key-here>`), masks (`xxxx`, `****`), already redacted
/// values, and the usual stand-in words (`changeme`, `example`, `placeholder`, `none`, `true`, ...).
pub fn is_placeholder(value: &str) -> bool {
    let v = value
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == '`')
        .trim();
    if v.is_empty() || v.contains(MARKER_PREFIX) {
        return true;
    }
    if v.starts_with('$')
        || v.contains("{{")
        || v.starts_with("%(")
        || v.starts_with("#{")
        || (v.starts_with('<') && v.ends_with('>'))
    {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "example",
        "placeholder",
        "redacted",
        "secret",
        "password",
        "passwd",
        "pass",
        "token",
        "none",
        "null",
        "nil",
        "undefined",
        "true",
        "false",
        "yes",
        "no",
        "todo",
        "tbd",
        "required",
        "optional",
        "...",
    ];
    if WORDS.contains(&lower.as_str()) {
        return true;
    }
    const PREFIXES: &[&str] = &[
        "your-",
        "your_",
        "yourpass",
        "yoursecret",
        "yourtoken",
        "<your",
        "replace-me",
        "replace_me",
        "replaceme",
        "change-me",
        "change_me",
        "changeme",
        "example-",
        "example_",
        "dummy-",
        "dummy_",
        "fake-",
        "fake_",
    ];
    if PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    // `sk_test_xxxxxxxx`, `ghp_****`: a known prefix with a masked body.
    let tail = lower.rsplit(['_', '-', ':', '.']).next().unwrap_or("");
    if tail.len() >= 4 && tail.chars().all(|c| c == 'x' || c == '*') {
        return true;
    }
    let masked = lower
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | ' '))
        .collect::<String>();
    masked.len() >= 3 && masked.chars().all(|c| c == 'x' || c == '*' || c == '•')
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
    v.contains(['(', '[', '.']) || name_says_secret(v)
}

/// `|`, `>`, `|-`, `>+2`: a YAML block scalar starts on the next line (see [`block_values`]).
fn is_block_indicator(value: &str) -> bool {
    let mut chars = value.trim().chars();
    matches!(chars.next(), Some('|' | '>')) && chars.all(|c| matches!(c, '-' | '+' | '0'..='9'))
}

/// Most of a random key: two of lowercase, uppercase and digits, and a long alphanumeric run.
fn looks_random(token: &str) -> bool {
    let classes = [
        token.bytes().any(|b| b.is_ascii_lowercase()),
        token.bytes().any(|b| b.is_ascii_uppercase()),
        token.bytes().any(|b| b.is_ascii_digit()),
    ];
    let longest_run = token
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::len)
        .max()
        .unwrap_or(0);
    classes.iter().filter(|c| **c).count() >= 2 && longest_run >= 12
}

fn has_digit_or_symbol(token: &str) -> bool {
    token
        .bytes()
        .any(|b| b.is_ascii_digit() || b"._~+/=-".contains(&b))
}

/// `password: |` (or `>`) and the more-indented lines under it: the lines are the secret.
fn block_values(text: &str) -> Option<String> {
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
        if !name_says_secret(&caps["name"]) {
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
        apply(text).into_owned()
    }

    #[test]
    fn names_that_say_secret() {
        for name in [
            "DB_PASSWORD",
            "password",
            "apiKey",
            "x-api-key",
            "APIKey",
            "STRIPE_KEY",
            "NEXTAUTH_SECRET",
            "client_secret",
            "GITHUB_TOKEN",
            "db_pass",
            "SECRET_KEY_BASE",
            "aws_secret_access_key",
            "keyPassword",
        ] {
            assert!(name_says_secret(name), "{name}");
        }
        for name in [
            "secretKeyRef",
            "secretName",
            "key",
            "primary_key",
            "public_key",
            "max_tokens",
            "token_url",
            "PWD",
            "password_file",
            "name",
            "passwordSecretRef",
            "existingSecret",
            "imagePullSecrets",
        ] {
            assert!(!name_says_secret(name), "{name}");
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
