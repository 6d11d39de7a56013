//! The three report formats, pinned: rustc-style text, JSON and SARIF for the same findings,
//! produced by the real binary on one small project.

use crate::support::lint::{aigen, project};

const DOCKERFILE: &str = "\
FROM python:latest
WORKDIR app
RUN apt-get update && apt-get install -y curl
ENV API_URL=http://localhost:8000 \\
    OPENAI_API_KEY=sk-not-a-real-key
CMD python -m uvicorn main:app
";

fn run(format: &str) -> String {
    let dir = project(&[
        ("docker/backend.Dockerfile", DOCKERFILE),
        ("docker/.dockerignore", ".git\n"),
    ]);
    let output = aigen(dir.path())
        .args(["lint", "--format", format])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn text_report() {
    let text = run("text");
    assert!(
        !text.contains("sk-not-a-real-key"),
        "a secret reached the report"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn json_report() {
    insta::assert_snapshot!(run("json"));
}

#[test]
fn sarif_report() {
    let sarif = run("sarif");
    insta::with_settings!({filters => vec![(r#""(semanticVersion|version)": "\d+\.\d+\.\d+""#, r#""$1": "[version]""#)]}, {
        insta::assert_snapshot!(sarif);
    });
}
