//! The Dockerfile parser and rules never panic and always answer with findings at real
//! positions: arbitrary text (proptest), Dockerfile-shaped noise, and a corpus of awkward files
//! (empty, binary, 50 MB, escapes, heredocs, deep continuations).

use std::path::Path;

use crate::support::lint::{aigen, project};
use aigen::policy::constitution::Constitution;
use aigen::policy::{FileKind, Finding, lint_text_as};
use predicates::prelude::*;
use proptest::prelude::*;

fn preset() -> Constitution {
    Constitution::preset().unwrap()
}

/// Lints as a Dockerfile and checks every finding points inside the text.
fn lint_checked(text: &str, constitution: &Constitution) -> Vec<Finding> {
    let findings = lint_text_as(
        FileKind::Dockerfile,
        Path::new("docker/backend.Dockerfile"),
        text,
        constitution,
    );
    let lines = text.split('\n').count();
    for finding in &findings {
        if let Some(span) = finding.span {
            assert!(
                span.start.line >= 1 && span.start.line <= lines,
                "{finding:?} in {lines} lines"
            );
            assert!(span.start <= span.end, "{finding:?}");
            assert!(span.start.column >= 1, "{finding:?}");
        }
    }
    findings
}

const PIECES: &[&str] = &[
    "FROM ",
    "RUN ",
    "COPY ",
    "ADD ",
    "CMD ",
    "ENTRYPOINT ",
    "HEALTHCHECK ",
    "ONBUILD ",
    "ARG ",
    "ENV ",
    "USER ",
    "WORKDIR ",
    "EXPOSE ",
    "SHELL ",
    "LABEL ",
    "MAINTAINER ",
    "STOPSIGNAL ",
    "python:3.13-slim",
    " AS b",
    "--from=b ",
    "--mount=type=cache,target=/x ",
    "--chown=1:1 ",
    "--interval=",
    "30s ",
    "[\"a\", \"b\"]",
    "['x']",
    "[",
    "]",
    "\"",
    "'",
    "\\",
    "`",
    "\n",
    "\r\n",
    "\\\n",
    "  ",
    "\t",
    "# escape=`\n",
    "# syntax=docker/dockerfile:1\n",
    "# aigen:ignore ",
    "AG-D003",
    " -- why",
    "# hadolint ignore=DL3003\n",
    "<<EOF",
    "<<-'EOF'\n",
    "EOF\n",
    "\tEOF\n",
    "&&",
    "|",
    ";",
    "$(",
    ")",
    "${X:-1}",
    "$X",
    "=",
    ":",
    "@sha256:",
    "apt-get install ",
    "pip install ",
    "npm install",
    "sudo ",
    "cd ",
    "é",
    "\u{0}",
    "\u{feff}",
    "😀",
    "0",
    "65536",
];

/// 512 cases by default; `PROPTEST_CASES` runs longer (the 10-minute fuzz run sets it).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        lint_checked(&text, &preset());
    }

    #[test]
    fn dockerfile_shaped_noise_never_panics(pieces in prop::collection::vec(prop::sample::select(PIECES), 0..80)) {
        lint_checked(&pieces.concat(), &preset());
    }
}

#[test]
fn awkward_files_end_in_findings_not_panics() {
    let constitution = preset();
    let cases: &[(&str, &str)] = &[
        ("empty", ""),
        ("blank", "\n\n   \n\t\n"),
        ("comments only", "# a\n# b\n"),
        ("escape at end of file", "FROM a:1\nRUN echo \\"),
        ("escape then blank lines", "FROM a:1\nRUN echo \\\n\n\n"),
        (
            "backtick escape",
            "# escape=`\nFROM a:1\nRUN dir `\n  C:\\ `\n  /s\n",
        ),
        ("bad escape", "# escape=x\nFROM a:1\n"),
        ("duplicate directive", "# syntax=a\n# syntax=b\nFROM a:1\n"),
        ("unterminated heredoc", "FROM a:1\nRUN <<EOF\necho"),
        (
            "two heredocs",
            "FROM a:1\nRUN <<A <<B\na\nA\nb\nB\nUSER 1\n",
        ),
        (
            "heredoc with tabs",
            "FROM a:1\nRUN <<-EOF\n\techo hi\n\tEOF\n",
        ),
        ("here-string", "FROM a:1\nRUN cat <<< hi\n"),
        ("quotes never closed", "FROM a:1\nRUN echo \"abc\nCMD ['x\n"),
        ("json never closed", "FROM a:1\nCMD [\"a\", \n"),
        ("lone flag", "FROM --platform\nRUN --\n"),
        (
            "onbuild chain",
            "FROM a:1\nONBUILD ONBUILD RUN x\nONBUILD\n",
        ),
        ("crlf", "FROM a:1\r\nRUN a \\\r\n b\r\n"),
        ("bom", "\u{feff}FROM a:1\n"),
        ("nul bytes", "FROM a:1\n\u{0}\u{0}\nRUN \u{0}\n"),
        ("unicode", "FROM ünïcødé:1\nLABEL 😀=\"☃\"\nWORKDIR ñ\n"),
        ("unknown variables", "FROM ${A:-${B}}\nUSER $U\nEXPOSE $P\n"),
        ("many stages", &"FROM a:1 AS s\n".repeat(300)),
        (
            "deep continuation",
            &format!("FROM a:1\nRUN a{}\n", " \\\n b".repeat(20_000)),
        ),
        (
            "long line",
            &format!("FROM a:1\nRUN echo {}\n", "x".repeat(1_000_000)),
        ),
    ];
    for (name, text) in cases {
        let findings = lint_checked(text, &constitution);
        if text.trim().is_empty() || text.lines().all(|l| l.trim_start().starts_with('#')) {
            assert!(
                findings.iter().any(|f| f.code == "AG-D000"),
                "{name}: {findings:?}"
            );
        }
    }
}

#[test]
fn findings_per_rule_are_capped_in_pathological_files() {
    let text = format!("FROM a:1\n{}", "RUN cd /x\n".repeat(5_000));
    let findings = lint_checked(&text, &preset());
    let cd: Vec<&Finding> = findings.iter().filter(|f| f.code == "AG-D026").collect();
    assert_eq!(cd.len(), 101);
    assert_eq!(cd.iter().filter(|f| f.span.is_none()).count(), 1);
    assert!(
        cd.iter()
            .any(|f| f.message == "4900 more findings of `AG-D026` in this file are not shown")
    );
}

#[test]
fn thousands_of_suppressions_stay_linear_and_capped() {
    let mut text = String::from("FROM python:3.13-slim AS b\nFROM python:3.13-slim\n");
    for _ in 0..5_000 {
        text.push_str("# aigen:ignore AG-D013\nWORKDIR relative\n");
    }
    let findings = lint_checked(&text, &preset());
    assert!(!findings.iter().any(|f| f.code == "AG-D013"));
    let reasons: Vec<&Finding> = findings.iter().filter(|f| f.code == "AG-S001").collect();
    assert_eq!(reasons.len(), 101);
    assert!(
        reasons
            .iter()
            .any(|f| f.message == "4900 more findings of `AG-S001` in this file are not shown")
    );
}

#[test]
fn a_fifty_megabyte_dockerfile_is_linted() {
    let mut text = String::from(
        "FROM python:3.13-slim AS build\nFROM python:3.13-slim\nCOPY <<EOF /srv/data.txt\n",
    );
    let line = "some embedded data line, 48 bytes long........\n";
    while text.len() < 25 * 1024 * 1024 {
        text.push_str(line);
    }
    text.push_str("EOF\n");
    let comment = "# a comment line that is exactly fifty bytes long\n";
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(comment);
    }
    text.push_str("WORKDIR relative\n");
    let dir = project(&[("docker/.dockerignore", ".git\nnode_modules\n.env\n")]);
    std::fs::write(dir.path().join("docker/backend.Dockerfile"), &text).unwrap();
    let last_line = text.lines().count();
    aigen(dir.path())
        .args(["lint", "--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!("\"line\": {last_line}")))
        .stdout(predicate::str::contains("AG-D013"));
}

#[test]
fn random_binary_files_are_findings() {
    let dir = project(&[(".dockerignore", ".git\nnode_modules\n.env\n")]);
    let bytes: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(dir.path().join("Dockerfile"), &bytes).unwrap();
    aigen(dir.path())
        .args(["lint", "--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("AG-D000"));
}
