//! Values that are secrets by their shape alone, whatever name they are under: provider keys and
//! tokens (OpenAI, Anthropic, GitHub, GitLab, Slack, AWS, Google, Stripe, Hugging Face, npm),
//! JWTs, PEM private keys, and the password of a URL (`postgres://app:s3cret@db/app`).
//!
//! One table serves redaction (each shape is a redaction rule, see [`super::rules`]), the lint
//! rules that judge literal values ([`shape_of`]), and the masking of source lines shown with
//! findings ([`find`]).

use std::ops::Range;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::marker::Kind;
use super::placeholder::is_placeholder;

/// One shape: a pattern, and a check its match must also pass. When the pattern has a group
/// named `secret`, that group is the secret; otherwise the whole match is.
pub(crate) struct Shape {
    pub kind: Kind,
    pub pattern: &'static str,
    pub check: Option<fn(&str) -> bool>,
}

/// The shapes. API keys are at least 20 characters after their prefix: shorter `sk-...` strings
/// are examples, test stand-ins or already masked (`sk-abc***`), not keys.
pub(crate) const SHAPES: &[Shape] = &[
    Shape {
        kind: Kind::PrivateKey,
        pattern: r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?s:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\:-]*)",
        check: None,
    },
    Shape {
        kind: Kind::Jwt,
        pattern: r"(?-u:\b)eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
        check: None,
    },
    Shape {
        kind: Kind::AnthropicKey,
        pattern: r"(?-u:\b)sk-ant-[A-Za-z0-9_-]{20,}",
        check: None,
    },
    Shape {
        kind: Kind::OpenaiKey,
        pattern: r"(?-u:\b)sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",
        check: Some(looks_random),
    },
    Shape {
        kind: Kind::GithubToken,
        pattern: r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})",
        check: None,
    },
    Shape {
        kind: Kind::GitlabToken,
        pattern: r"(?-u:\b)gl(?:pat|dt|rt|ptt|cbt|imt|oas|soat|ffct|ft|agent|wt)-[A-Za-z0-9_-]{20,}",
        check: None,
    },
    Shape {
        kind: Kind::SlackToken,
        pattern: r"(?-u:\b)xox[abposre]-[A-Za-z0-9-]{10,}|https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]+",
        check: None,
    },
    Shape {
        kind: Kind::AwsAccessKey,
        pattern: r"(?-u:\b)(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}(?-u:\b)",
        check: None,
    },
    Shape {
        kind: Kind::GoogleApiKey,
        pattern: r"(?-u:\b)AIza[0-9A-Za-z_-]{35}",
        check: None,
    },
    Shape {
        kind: Kind::StripeKey,
        pattern: r"(?-u:\b)(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,})",
        check: None,
    },
    Shape {
        kind: Kind::HuggingfaceToken,
        pattern: r"(?-u:\b)hf_[A-Za-z0-9]{30,}",
        check: None,
    },
    Shape {
        kind: Kind::NpmToken,
        pattern: r"(?-u:\b)npm_[A-Za-z0-9]{36}",
        check: None,
    },
    Shape {
        kind: Kind::UrlPassword,
        pattern: r#"(?-u:\b)[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@"'<>\[\]]*:(?P<secret>[^\s/?#"'<>]+)@"#,
        check: None,
    },
];

struct Compiled {
    set: RegexSet,
    regexes: Vec<Regex>,
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    let patterns: Vec<&str> = SHAPES.iter().map(|s| s.pattern).collect();
    // The patterns are constants covered by the tests; a failure here is a bug in this file.
    Compiled {
        set: RegexSet::new(&patterns).expect("shape patterns compile"),
        regexes: patterns
            .iter()
            .map(|p| Regex::new(p).expect("shape pattern compiles"))
            .collect(),
    }
});

impl Shape {
    /// The range of the secret in a match, when it is one (not a placeholder, and the check
    /// agrees).
    pub(crate) fn secret_in(&self, caps: &regex::Captures<'_>) -> Option<Range<usize>> {
        let secret = caps.name("secret").or_else(|| caps.get(0))?;
        let text = secret.as_str();
        (!is_placeholder(text) && self.check.is_none_or(|check| check(text)))
            .then(|| secret.range())
    }
}

/// What kind of secret a value holds by its shape, if any (placeholders hold none).
pub(crate) fn shape_of(value: &str) -> Option<Kind> {
    find(value).into_iter().next().map(|(_, kind)| kind)
}

/// Every secret `text` holds by shape, with its byte range, in the order of the table.
pub(crate) fn find(text: &str) -> Vec<(Range<usize>, Kind)> {
    let compiled = &*COMPILED;
    let mut found = Vec::new();
    for index in compiled.set.matches(text).iter() {
        let shape = &SHAPES[index];
        for caps in compiled.regexes[index].captures_iter(text) {
            if let Some(range) = shape.secret_in(&caps) {
                found.push((range, shape.kind));
            }
        }
    }
    found
}

/// Most of a random key: two of lowercase, uppercase and digits, and a long alphanumeric run.
pub(crate) fn looks_random(token: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_recognised_by_shape() {
        assert_eq!(
            shape_of("sk-proj-abcdefghijklmnopqrstuvwx1234"),
            Some(Kind::OpenaiKey)
        );
        assert_eq!(
            shape_of("postgresql://todo:s3cr3tPa55@ep-cool.neon.tech/todo"),
            Some(Kind::UrlPassword)
        );
        assert_eq!(shape_of("postgresql://todo:<password>@host/db"), None);
        assert_eq!(shape_of("https://api.example.com/v1"), None);
        assert_eq!(
            shape_of("-----BEGIN RSA PRIVATE KEY-----\nMII"),
            Some(Kind::PrivateKey)
        );
        assert_eq!(shape_of("info"), None);
        assert_eq!(shape_of("sk-abc123"), None);
    }

    #[test]
    fn ranges_cover_the_secret_only() {
        let text = "RUN curl https://u:pw9@h/x";
        let found = find(text);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].0.clone()], "pw9");
    }
}
