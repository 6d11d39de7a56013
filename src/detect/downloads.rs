//! Node packages whose install downloads a browser or a binary from outside the npm registry
//! (puppeteer's Chrome, cypress's app, playwright's browsers): a build that cannot reach those
//! hosts stops in `npm ci`, and a server image never runs them. [`find`] reads which of them a
//! package installs, from its `package.json` (any dependency section) and its lockfile (where a
//! dependency of a dependency shows); [`skip_settings`] names the variables that turn each
//! download off.

use serde_json::Value;

use super::model::{FileProblem, Origin, Sourced};
use super::source::{ServiceDir, ServiceFile};

/// The packages that download at install, with the variables that skip the download. Puppeteer
/// 19 and later read `PUPPETEER_SKIP_DOWNLOAD`, the releases before `PUPPETEER_SKIP_CHROMIUM_DOWNLOAD`.
const DOWNLOADERS: &[(&str, &[(&str, &str)])] = &[
    (
        "puppeteer",
        &[
            ("PUPPETEER_SKIP_DOWNLOAD", "1"),
            ("PUPPETEER_SKIP_CHROMIUM_DOWNLOAD", "1"),
        ],
    ),
    ("cypress", &[("CYPRESS_INSTALL_BINARY", "0")]),
    ("playwright", &[("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")]),
];

/// The dependency sections of `package.json` an install reads.
const SECTIONS: &[&str] = &["dependencies", "devDependencies", "optionalDependencies"];

/// The variables that skip `package`'s download (none for a package not in the table).
pub(crate) fn skip_settings(package: &str) -> &'static [(&'static str, &'static str)] {
    DOWNLOADERS
        .iter()
        .find(|(name, _)| *name == package)
        .map_or(&[], |(_, settings)| settings)
}

/// The downloading packages the Node package in `at` (relative to the service, `` for its
/// own directory) installs, each with the line that says so: its `package.json`'s (`manifest`,
/// read and parsed by the caller), else its lockfile's.
pub(super) fn find(
    dir: &ServiceDir,
    at: &str,
    manifest: &ServiceFile,
    json: &Value,
    problems: &mut Vec<FileProblem>,
) -> Vec<Sourced<String>> {
    let lockfile = super::workspace::node_lock_in(dir, at)
        .and_then(|(lock, _)| dir.read_if_present(&super::workspace::join(at, lock), problems));
    let mut found = Vec::new();
    for (name, _) in DOWNLOADERS {
        let declared = SECTIONS
            .iter()
            .find(|section| json.get(section).and_then(|s| s.get(name)).is_some())
            .map(|section| {
                let line =
                    super::manifest::json_line(&manifest.text, &[section, name]).unwrap_or(1);
                Origin::file(&manifest.path, line)
            });
        let locked = || {
            let file = lockfile.as_ref()?;
            let index = file.text.lines().position(|line| locks(line, name))?;
            Some(Origin::file(&file.path, index + 1))
        };
        if let Some(origin) = declared.or_else(locked) {
            found.push(Sourced::new(name.to_string(), origin));
        }
    }
    found
}

/// Whether a lockfile line is `name`'s entry: `"node_modules/name"` (npm), `name@…` or
/// `"name@…"` (yarn, bun), `/name@…` or `name@…:` (pnpm).
fn locks(line: &str, name: &str) -> bool {
    let npm_entry = line.match_indices("node_modules/").any(|(at, prefix)| {
        line[at + prefix.len()..]
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('"'))
    });
    if npm_entry {
        return true;
    }
    let entry = line.trim_start().trim_start_matches(['"', '\'', '/']);
    entry
        .strip_prefix(name)
        .is_some_and(|rest| rest.starts_with('@'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfile_entries_of_each_manager_are_read() {
        assert!(locks(r#"    "node_modules/puppeteer": {"#, "puppeteer"));
        assert!(locks(
            r#"    "node_modules/a/node_modules/cypress": {"#,
            "cypress"
        ));
        assert!(locks("puppeteer@^24.1.0:", "puppeteer"));
        assert!(locks(
            r#""puppeteer@^24.1.0", "puppeteer@^24.2.0":"#,
            "puppeteer"
        ));
        assert!(locks("  /playwright@1.40.0:", "playwright"));
        assert!(locks("  playwright@1.50.0:", "playwright"));
        assert!(!locks("  puppeteer-core@24.1.0:", "puppeteer"));
        assert!(!locks(
            r#"    "node_modules/puppeteer-core": {"#,
            "puppeteer"
        ));
        assert!(!locks("  '@playwright/test@1.50.0':", "playwright"));
        assert!(!locks(r#"    "puppeteer": "^24.1.0","#, "puppeteer"));
    }

    #[test]
    fn each_downloader_has_its_switch() {
        assert_eq!(skip_settings("cypress"), &[("CYPRESS_INSTALL_BINARY", "0")]);
        assert!(skip_settings("puppeteer").contains(&("PUPPETEER_SKIP_DOWNLOAD", "1")));
        assert!(skip_settings("express").is_empty());
    }
}
