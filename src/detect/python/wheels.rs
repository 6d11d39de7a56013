//! The newest Python release a project's exact pins of compiled packages install on. A package
//! that compiles C (`greenlet`, `multidict`, `psycopg2-binary`) ships a wheel per Python
//! release, and a release that came out before a Python did has none for it: pip then builds it
//! from source, which fails for most (the old code does not compile against the new Python's
//! API, or needs headers the image lacks). A 2023 pin (`multidict==6.0.4`) installs on Python
//! 3.11 and not 3.12.
//!
//! [`WHEELS`] holds, for the compiled packages that matter in practice, the first release with
//! manylinux x86_64 wheels for each Python from 3.10, as PyPI lists them (checked with `pip
//! download --only-binary=:all: --no-deps --python-version 3.X --platform manylinux2014_x86_64`
//! at the boundaries). Packages with `abi3` wheels (`cryptography`) or a pure-Python fallback
//! (`SQLAlchemy`, `PyYAML`, `MarkupSafe`) are not in it: any Python installs them.

use super::dependencies::Dependencies;
use crate::detect::model::{Sourced, WheelLimit};
use crate::version::Version;

/// Python releases, oldest first, as the table's columns.
const PYTHONS: &[&str] = &["3.10", "3.11", "3.12", "3.13", "3.14"];

/// `(package, first release with wheels for each of PYTHONS)`.
const WHEELS: &[(&str, [&str; 5])] = &[
    (
        "psycopg2-binary",
        ["2.9.1", "2.9.5", "2.9.9", "2.9.10", "2.9.11"],
    ),
    ("greenlet", ["1.1.0", "1.1.3", "3.0.0", "3.1.0", "3.2.3"]),
    (
        "gevent",
        ["21.12.0", "22.10.1", "23.7.0", "24.10.1", "25.8.1"],
    ),
    ("multidict", ["5.2.0", "6.0.3", "6.0.5", "6.1.0", "6.7.0"]),
    ("yarl", ["1.7.0", "1.8.2", "1.9.3", "1.9.5", "1.21.0"]),
    ("frozenlist", ["1.2.0", "1.3.3", "1.4.1", "1.5.0", "1.8.0"]),
    ("aiohttp", ["3.8.0", "3.8.2", "3.9.0", "3.10.5", "3.13.0"]),
    ("lxml", ["4.6.3", "4.9.1", "4.9.3", "5.3.0", "6.0.1"]),
    ("numpy", ["1.21.2", "1.23.2", "1.26.0", "2.1.0", "2.3.2"]),
    ("pandas", ["1.3.3", "1.5.0", "2.1.1", "2.2.3", "2.3.3"]),
    (
        "pydantic-core",
        ["0.1.0", "0.7.0", "2.1.2", "2.20.0", "2.35.0"],
    ),
    ("grpcio", ["1.41.0", "1.49.0", "1.59.0", "1.66.2", "1.75.1"]),
];

/// The newest Python every installed exact pin (`name==version`) of [`WHEELS`] has wheels for,
/// with the pin that limits it, when one has none for the newest Python of the table.
pub(super) fn limit(dependencies: &Dependencies) -> Option<WheelLimit> {
    let mut limit: Option<(usize, WheelLimit)> = None;
    for dependency in dependencies.list.iter().filter(|d| d.installed()) {
        let Some((_, firsts)) = WHEELS.iter().find(|(name, _)| *name == dependency.name) else {
            continue;
        };
        let Some(pinned) = dependency
            .spec
            .strip_prefix("==")
            .filter(|v| !v.contains('*'))
            .and_then(Version::parse)
        else {
            continue;
        };
        // The newest Python whose first release with wheels is the pin or older.
        let Some(newest) = firsts
            .iter()
            .rposition(|first| Version::parse(first).is_some_and(|f| pinned.at_least(&f)))
        else {
            continue;
        };
        if newest + 1 == PYTHONS.len() || limit.as_ref().is_some_and(|(at, _)| *at <= newest) {
            continue;
        }
        let found = WheelLimit {
            release: PYTHONS[newest].to_string(),
            next: PYTHONS[newest + 1].to_string(),
            pin: Sourced::new(
                format!("{}=={pinned}", dependency.name),
                dependency.origin.clone(),
            ),
        };
        limit = Some((newest, found));
    }
    limit.map(|(_, found)| found)
}

/// Whether `name` pinned exactly by `spec` (`==2.9.9`) has a wheel for `python` (`3.11`);
/// `None` when the table does not say (not a package of it, no exact pin, a Python outside it).
pub(super) fn has_wheel(name: &str, spec: &str, python: &str) -> Option<bool> {
    let (_, firsts) = WHEELS.iter().find(|(known, _)| *known == name)?;
    let pinned = spec
        .strip_prefix("==")
        .filter(|v| !v.contains('*'))
        .and_then(Version::parse)?;
    let python = Version::parse(python)?.truncated(2);
    let column = PYTHONS.iter().position(|p| *p == python)?;
    Some(pinned.at_least(&Version::parse(firsts[column])?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::model::Origin;
    use crate::detect::python::dependencies::Dependency;

    fn pins(specs: &[(&str, &str)]) -> Dependencies {
        Dependencies {
            list: specs
                .iter()
                .enumerate()
                .map(|(i, (name, spec))| Dependency {
                    name: name.to_string(),
                    spec: spec.to_string(),
                    raw: format!("{name}{spec}"),
                    group: None,
                    origin: Origin::file("requirements.txt", i + 1),
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn the_oldest_pin_sets_the_newest_python() {
        let found = limit(&pins(&[
            ("greenlet", "==3.0.1"),
            ("flask", "==3.0.0"),
            ("multidict", "==6.0.4"),
            ("psycopg2-binary", "==2.9.9"),
        ]))
        .expect("limited");
        assert_eq!(found.release, "3.11");
        assert_eq!(found.next, "3.12");
        assert_eq!(found.pin.value, "multidict==6.0.4");
        assert_eq!(found.pin.origin.to_string(), "requirements.txt:3");
    }

    #[test]
    fn ranges_new_pins_and_unknown_packages_do_not_limit() {
        assert!(limit(&pins(&[("greenlet", ">=3.0.1"), ("numpy", "==2.3.4")])).is_none());
        assert!(limit(&pins(&[("somepkg", "==0.1")])).is_none());
        let found = limit(&pins(&[("psycopg2-binary", "==2.9.10")])).expect("limited");
        assert_eq!(found.release, "3.13");
    }

    #[test]
    fn a_wheel_is_there_from_the_first_release_that_has_one() {
        assert_eq!(has_wheel("psycopg2-binary", "==2.9.9", "3.12"), Some(true));
        assert_eq!(has_wheel("psycopg2-binary", "==2.9.9", "3.13"), Some(false));
        assert_eq!(
            has_wheel("psycopg2-binary", "==2.9.10", "3.13.1"),
            Some(true)
        );
        assert_eq!(has_wheel("psycopg2-binary", ">=2.9", "3.13"), None);
        assert_eq!(has_wheel("flask", "==3.0.0", "3.13"), None);
    }
}
