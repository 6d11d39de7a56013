//! Every registered rule is documented and has a failing and a passing fixture under
//! `tests/fixtures/dockerfile/rules/<CODE>/`, and each fixture gives exactly the findings its
//! header expects.
//!
//! A fixture is `fail.Dockerfile` / `pass.Dockerfile`, or a `fail/` / `pass/` directory with a
//! `Dockerfile` (for rules that look at files around it); more cases of a rule go in
//! `fail-<case>.Dockerfile` / `pass-<case>.Dockerfile` beside them. Header comments:
//! `# path: docker/backend.Dockerfile` lints the text as that path (to pick the service), and
//! `# expect: 3:6, 4:1` lists the `line:column` of every finding of the rule (`0:0` for a
//! finding about a whole file). A passing fixture has no finding of its rule.

use std::path::{Path, PathBuf};

use aigen::policy::constitution::Constitution;
use aigen::policy::kind::service_for_path;
use aigen::policy::registry::{self, Target};
use aigen::policy::{Excerpts, dockerfile, walk};

const FIXTURES: &str = "tests/fixtures/dockerfile/rules";

fn header(text: &str, key: &str) -> Option<String> {
    text.lines()
        .take_while(|line| line.starts_with('#'))
        .find_map(|line| line.strip_prefix(&format!("# {key}:")))
        .map(|value| value.trim().to_string())
}

fn positions(findings: &[aigen::policy::Finding], code: &str) -> Vec<String> {
    let mut found: Vec<(usize, usize)> = findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| (f.line(), f.column()))
        .collect();
    found.sort_unstable();
    found.iter().map(|(l, c)| format!("{l}:{c}")).collect()
}

/// Lints a fixture; returns the expected and the found positions of `code`.
fn run_fixture(
    code: &str,
    fixture: &Path,
    constitution: &Constitution,
) -> (Vec<String>, Vec<String>) {
    let (dockerfile_path, findings) = if fixture.is_dir() {
        let fixture = &fixture.canonicalize().unwrap();
        let discovery = walk::discover(&[fixture.to_path_buf()], fixture, fixture, constitution);
        assert!(discovery.errors.is_empty(), "{:?}", discovery.errors);
        let outcome = walk::lint_files(
            &discovery.targets,
            fixture,
            fixture,
            Excerpts::Shown,
            constitution,
        );
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        (fixture.join("Dockerfile"), outcome.findings)
    } else {
        let text = std::fs::read_to_string(fixture).unwrap();
        let path = header(&text, "path").map_or_else(|| PathBuf::from("Dockerfile"), PathBuf::from);
        let service = service_for_path(&path, constitution);
        let findings = dockerfile::lint(&path, &text, constitution, service.as_deref());
        (fixture.to_path_buf(), findings)
    };
    let text = std::fs::read_to_string(&dockerfile_path).unwrap();
    let expected = header(&text, "expect")
        .map(|list| {
            list.split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default();
    (expected, positions(&findings, code))
}

fn fixture_for(code: &str, kind: &str) -> Option<PathBuf> {
    let dir = Path::new(FIXTURES).join(code);
    [dir.join(format!("{kind}.Dockerfile")), dir.join(kind)]
        .into_iter()
        .find(|p| p.exists())
}

/// The `<kind>-<case>.Dockerfile` fixtures of a rule, in name order.
fn more_fixtures(code: &str, kind: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(Path::new(FIXTURES).join(code)) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{kind}-")) && n.ends_with(".Dockerfile"))
        })
        .collect();
    found.sort();
    found
}

/// Every failing fixture of a rule: `fail` first, then its other cases.
fn failing_fixtures(code: &str) -> Vec<PathBuf> {
    fixture_for(code, "fail")
        .into_iter()
        .chain(more_fixtures(code, "fail"))
        .collect()
}

#[test]
fn every_rule_is_documented_with_the_required_sections() {
    for rule in registry::rules() {
        let docs = rule.documentation();
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
            "## Options",
        ] {
            assert!(
                docs.contains(section),
                "{} lacks `{section}`:\n{docs}",
                rule.code
            );
        }
        assert!(!rule.summary.is_empty(), "{}", rule.code);
        let explained = rule.explanation();
        assert!(
            explained.starts_with(&format!("# {} ({})", rule.code, rule.name)),
            "{explained}"
        );
    }
}

#[test]
fn every_rule_has_a_failing_and_a_passing_fixture() {
    let constitution = Constitution::preset().unwrap();
    let mut checked = 0;
    for rule in
        registry::rules().filter(|r| !matches!(r.target, Target::Kubernetes | Target::Image))
    {
        let fail = fixture_for(rule.code, "fail")
            .unwrap_or_else(|| panic!("{} has no failing fixture in {FIXTURES}", rule.code));
        let pass = fixture_for(rule.code, "pass")
            .unwrap_or_else(|| panic!("{} has no passing fixture in {FIXTURES}", rule.code));
        for fail in std::iter::once(fail).chain(more_fixtures(rule.code, "fail")) {
            let (expected, found) = run_fixture(rule.code, &fail, &constitution);
            assert!(
                !expected.is_empty(),
                "{} has no `# expect:` header",
                fail.display()
            );
            assert_eq!(found, expected, "{} on {}", rule.code, fail.display());
        }
        for pass in std::iter::once(pass).chain(more_fixtures(rule.code, "pass")) {
            let (_, found) = run_fixture(rule.code, &pass, &constitution);
            assert!(
                found.is_empty(),
                "{} reports {found:?} on {}",
                rule.code,
                pass.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 38, "only {checked} rules checked");
}

#[test]
fn every_fixture_directory_belongs_to_a_rule() {
    for entry in std::fs::read_dir(FIXTURES).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            registry::find(&name).is_some(),
            "{FIXTURES}/{name} is no rule's"
        );
    }
}

/// The rendered diagnostics of every failing fixture, pinned: what a user sees for each rule.
#[test]
fn rule_fixture_diagnostics() {
    let constitution = Constitution::preset().unwrap();
    let mut out = String::new();
    for rule in
        registry::rules().filter(|r| !matches!(r.target, Target::Kubernetes | Target::Image))
    {
        for fail in failing_fixtures(rule.code)
            .into_iter()
            .filter(|p| p.is_file())
        {
            let text = std::fs::read_to_string(&fail).unwrap();
            let path =
                header(&text, "path").map_or_else(|| PathBuf::from("Dockerfile"), PathBuf::from);
            let service = service_for_path(&path, &constitution);
            let findings: Vec<_> =
                dockerfile::lint(&path, &text, &constitution, service.as_deref())
                    .into_iter()
                    .filter(|f| f.code == rule.code)
                    .collect();
            let case = fail.file_stem().unwrap().to_string_lossy();
            let title = if case == "fail" {
                format!("==== {} ({})\n", rule.code, rule.name)
            } else {
                format!("==== {} ({}) {case}\n", rule.code, rule.name)
            };
            out.push_str(&title);
            out.push_str(&aigen::policy::report::text(&findings, false));
        }
    }
    insta::assert_snapshot!(out);
}
