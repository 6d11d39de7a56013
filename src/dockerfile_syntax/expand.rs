//! Variable references in Dockerfile and compose values: `$NAME`, `${NAME}`,
//! `${NAME:-default}` (the default when the variable is unset or empty) and `${NAME-default}`
//! (only when unset), defaults expanded in turn. A compose file also writes a literal `$` as
//! `$$`; a Dockerfile does not.
//!
//! Expansion reports whether some variable had neither a value nor a default: the lint rules
//! then judge the text as written, and detection leaves the value unknown rather than guess.

/// Which file's rules apply to `$$`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// `$$` is two references' worth of `$`: the first stays, the second starts a reference.
    Dockerfile,
    /// `$$` is a literal `$`.
    Compose,
}

/// `text` with its variables replaced by what `lookup` gives, and whether some variable had no
/// value and no default (it expands to nothing; an unclosed `${` stays as written).
pub(crate) fn expand(
    text: &str,
    dialect: Dialect,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut unresolved = false;
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if dialect == Dialect::Compose
            && let Some(tail) = after.strip_prefix('$')
        {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('{') {
            let Some(close) = inner.find('}') else {
                out.push_str(&rest[dollar..]);
                return (out, true);
            };
            match braced(&inner[..close], dialect, lookup) {
                Some(value) => out.push_str(&value),
                None => unresolved = true,
            }
            rest = &inner[close + 1..];
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if len == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            match lookup(&after[..len]) {
                Some(value) => out.push_str(&value),
                None => unresolved = true,
            }
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    (out, unresolved)
}

/// The value of `NAME`, `NAME:-default` or `NAME-default` (the inside of `${...}`); other
/// operators (`:?`, `:+`) read the variable alone.
fn braced(
    inner: &str,
    dialect: Dialect,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let filled = |default: &str| {
        let (value, unresolved) = expand(default, dialect, lookup);
        (!unresolved).then_some(value)
    };
    if let Some((name, default)) = inner.split_once(":-") {
        return match lookup(name) {
            Some(value) if !value.is_empty() => Some(value),
            _ => filled(default),
        };
    }
    if let Some((name, default)) = inner.split_once('-') {
        return match lookup(name) {
            Some(value) => Some(value),
            None => filled(default),
        };
    }
    let name = inner.split([':', '?', '+']).next().unwrap_or(inner);
    lookup(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "A" => Some("1".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn dockerfile(text: &str) -> (String, bool) {
        expand(text, Dialect::Dockerfile, &vars)
    }

    #[test]
    fn references_defaults_and_unknowns() {
        assert_eq!(dockerfile("x:$A"), ("x:1".into(), false));
        assert_eq!(dockerfile("x:${B:-2}"), ("x:2".into(), false));
        assert_eq!(dockerfile("x:${B:-$A}"), ("x:1".into(), false));
        assert_eq!(dockerfile("x:${EMPTY:-3}"), ("x:3".into(), false));
        assert_eq!(dockerfile("x:${EMPTY-3}"), ("x:".into(), false));
        assert_eq!(dockerfile("x:${B}"), ("x:".into(), true));
        assert_eq!(dockerfile("x:${B:-$C}"), ("x:".into(), true));
        assert_eq!(dockerfile("x:$"), ("x:$".into(), false));
        assert_eq!(dockerfile("x:${A"), ("x:${A".into(), true));
    }

    #[test]
    fn compose_writes_a_dollar_twice() {
        assert_eq!(
            expand("a$$b$A", Dialect::Compose, &vars),
            ("a$b1".into(), false)
        );
        assert_eq!(dockerfile("a$$A"), ("a$1".into(), false));
    }
}
