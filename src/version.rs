//! Versions and version requirements as projects write them, and the release an image is built
//! for.
//!
//! A project pins its language in many notations: `.python-version` (`3.12`), `requires-python`
//! (`>=3.11,<3.14`), `.nvmrc` (`v20.11.1`, `lts/iron` is not a version), `engines.node`
//! (`>=20.9.0`, `18.x`, `^22`), the `go` or `toolchain` line of `go.mod` (`1.22.4`,
//! `go1.26.0`), `rust-version` (a minimum, which detection writes `>=1.80`), a toolchain file
//! (`1.79.0`) or a Java release (`21`, `1.8`). [`Requirement::parse`] reads them all;
//! [`Requirement::pick`] chooses the release to build with: the version itself when the project
//! names one, else the default when the requirement allows it, else the newest known release it
//! allows, else the lowest version it names.

use std::cmp::Ordering;
use std::fmt;

/// A version as a list of numbers (`3.12` is `[3, 12]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version(Vec<u32>);

impl Version {
    /// The leading numbers of `text` (`v20.11.1`, `go1.26.0`, `3.12.*`, `18.x`); `None` when it
    /// starts with none.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = text
            .strip_prefix("go")
            .or_else(|| text.strip_prefix('v'))
            .unwrap_or(text);
        let mut parts = Vec::new();
        for part in text.split('.') {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() {
                break;
            }
            parts.push(digits.parse().ok()?);
            if digits.len() != part.len() {
                break;
            }
        }
        (!parts.is_empty()).then_some(Self(parts))
    }

    /// The first `n` numbers, written with dots (`3.12.4` truncated to 2 is `3.12`).
    pub(crate) fn truncated(&self, n: usize) -> String {
        self.0
            .iter()
            .take(n)
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(".")
    }

    /// True when this version is `other` or newer, a missing number counting as 0 (`2.9` is
    /// `2.9.0`).
    pub(crate) fn at_least(&self, other: &Self) -> bool {
        self.cmp_to(other, self.0.len().max(other.0.len())).is_ge()
    }

    /// The first number.
    pub(crate) fn major(&self) -> u32 {
        self.0[0]
    }

    /// Compares the first `n` numbers, a missing number counting as 0.
    fn cmp_to(&self, other: &Self, n: usize) -> Ordering {
        (0..n)
            .map(|i| {
                let a = self.0.get(i).copied().unwrap_or(0);
                let b = other.0.get(i).copied().unwrap_or(0);
                a.cmp(&b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.truncated(self.0.len()))
    }
}

/// One bound of a requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Bound {
    /// `>=`, `>`, `<=`, `<`, `!=`, with the version.
    Compare(&'static str, Version),
    /// A version named exactly (`3.12`, `==3.12.*`, `^20`, `~1.2`, `18.x`, `1.22.4`).
    Exactly(Version),
}

/// What a project requires of its language's version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Requirement {
    bounds: Vec<Bound>,
}

impl Requirement {
    /// Reads a requirement; `None` when it names no version (`lts/*`, `*`, `latest`). Of
    /// alternatives (`^18 || ^20`) the last is taken, being the newest the project accepts.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.rsplit("||").next().unwrap_or(text);
        let mut bounds = Vec::new();
        for part in text.split([',', ' ']).filter(|p| !p.trim().is_empty()) {
            let part = part.trim();
            let operator = [">=", "<=", "==", "!=", "~=", ">", "<", "=", "^", "~"]
                .into_iter()
                .find(|op| part.starts_with(op));
            let rest = operator.map_or(part, |op| &part[op.len()..]);
            let Some(version) = Version::parse(rest) else {
                continue;
            };
            bounds.push(match operator {
                Some(op @ (">=" | "<=" | "!=" | ">" | "<")) => Bound::Compare(op, version),
                // `~=3.11` allows 3.11 and newer minors: a minimum.
                Some("~=") => Bound::Compare(">=", version),
                _ => Bound::Exactly(version),
            });
        }
        (!bounds.is_empty()).then_some(Self { bounds })
    }

    /// The release to build with, as `precision` numbers (2 for `3.13`, 1 for Node's `22`):
    /// the version named exactly, else `default` when the requirement allows it, else the
    /// newest of `known` it allows, else the lowest version a bound names.
    pub(crate) fn pick(&self, precision: usize, default: &str, known: &[&str]) -> String {
        if let Some(Bound::Exactly(version)) =
            self.bounds.iter().find(|b| matches!(b, Bound::Exactly(_)))
        {
            return version.truncated(precision);
        }
        let allows = |candidate: &Version| {
            self.bounds.iter().all(|bound| match bound {
                Bound::Compare(op, version) => {
                    let order = candidate.cmp_to(version, precision);
                    match *op {
                        ">=" => order.is_ge(),
                        ">" => order.is_gt() || version.0.len() > precision,
                        "<=" => order.is_le(),
                        "<" => order.is_lt(),
                        _ => order.is_ne(),
                    }
                }
                Bound::Exactly(_) => true,
            })
        };
        let parsed = |text: &str| Version::parse(text).filter(|v| allows(v));
        if parsed(default).is_some() {
            return default.to_string();
        }
        if let Some(newest) = known.iter().rev().find_map(|k| parsed(k)) {
            return newest.truncated(precision);
        }
        self.bounds
            .iter()
            .filter_map(|bound| match bound {
                Bound::Compare(">=" | ">", version) => Some(version.truncated(precision)),
                _ => None,
            })
            .next()
            .unwrap_or_else(|| default.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PYTHON: &[&str] = &["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"];

    fn pick(text: &str, precision: usize, default: &str, known: &[&str]) -> String {
        Requirement::parse(text)
            .unwrap_or_else(|| panic!("{text} parses"))
            .pick(precision, default, known)
    }

    #[test]
    fn versions_parse_from_every_notation() {
        assert_eq!(Version::parse("v20.11.1").unwrap().truncated(1), "20");
        assert_eq!(Version::parse("go1.26.0").unwrap().truncated(2), "1.26");
        assert_eq!(Version::parse("3.12.*").unwrap().to_string(), "3.12");
        assert_eq!(Version::parse("18.x").unwrap().to_string(), "18");
        assert_eq!(Version::parse("lts/iron"), None);
    }

    #[test]
    fn a_named_version_is_the_release() {
        assert_eq!(pick("3.12", 2, "3.13", PYTHON), "3.12");
        assert_eq!(pick("==3.11.*", 2, "3.13", PYTHON), "3.11");
        assert_eq!(pick("v20.11.1", 1, "22", &[]), "20");
        assert_eq!(pick("18.x", 1, "22", &[]), "18");
        assert_eq!(pick("^20.1", 1, "22", &[]), "20");
        assert_eq!(pick("1.22.4", 2, "1.24", &[]), "1.22");
        assert_eq!(pick("go1.26.0", 2, "1.24", &[]), "1.26");
    }

    #[test]
    fn a_range_takes_the_default_when_it_can() {
        assert_eq!(pick(">=3.11", 2, "3.13", PYTHON), "3.13");
        assert_eq!(pick(">=3.14,<4.0", 2, "3.13", PYTHON), "3.14");
        assert_eq!(pick(">=3.10,<3.13", 2, "3.13", PYTHON), "3.12");
        assert_eq!(pick("~=3.11", 2, "3.13", PYTHON), "3.13");
        assert_eq!(pick(">=20.9.0", 1, "22", &["20", "22", "24"]), "22");
        assert_eq!(pick(">=24.14", 1, "22", &["20", "22", "24"]), "24");
        assert_eq!(pick(">=26", 1, "22", &["20", "22", "24"]), "26");
        assert_eq!(pick("^18 || ^20", 1, "22", &[]), "20");
        assert_eq!(pick(">=1.80", 2, "1.88", &[]), "1.88");
        assert_eq!(pick(">=1.90", 2, "1.88", &[]), "1.90");
    }

    #[test]
    fn no_version_is_no_requirement() {
        assert_eq!(Requirement::parse("lts/*"), None);
        assert_eq!(Requirement::parse("*"), None);
    }
}
