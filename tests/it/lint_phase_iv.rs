//! The Phase IV Dockerfiles of the seed situation: a compliant set (the three services with a
//! shared `.dockerignore`) gets no finding, and a set with the mistakes generated Dockerfiles
//! typically make gets the findings a reviewer would write, found by the real binary.

use std::collections::BTreeSet;

use serde_json::Value;

const FIXTURES: &str = "tests/fixtures/dockerfile/phase-iv";

/// Runs `aigen lint --format json` in a copy of a fixture directory; returns the exit code and
/// findings.
fn lint(dir: &str) -> (i32, Vec<Value>) {
    let project = crate::support::lint::project_from(&format!("{FIXTURES}/{dir}"));
    let output = crate::support::lint::aigen(project.path())
        .args(["lint", "--format", "json"])
        .output()
        .unwrap();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = document["findings"].as_array().cloned().unwrap_or_default();
    (output.status.code().unwrap_or(-1), findings)
}

#[test]
fn the_compliant_set_has_no_findings() {
    let (code, findings) = lint("compliant");
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(code, 0);
}

#[test]
fn generated_mistakes_get_the_findings_a_reviewer_expects() {
    let (code, findings) = lint("generated");
    assert_eq!(code, 1);
    let found: BTreeSet<(String, String)> = findings
        .iter()
        .map(|f| {
            let file = f["path"]
                .as_str()
                .unwrap()
                .trim_start_matches("docker/")
                .to_string();
            (file, f["code"].as_str().unwrap().to_string())
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        // A shared .dockerignore that forgets the Git history and the secrets: reported for
        // each Dockerfile whose build context it is.
        ("backend.Dockerfile", "AG-D022"),
        ("frontend-web.Dockerfile", "AG-D022"),
        ("frontend-chatbot.Dockerfile", "AG-D022"),
        // Backend: single stage, unapproved base, root, no health check, wrong port, shell
        // CMD, pip cache, a secret and a localhost URL baked in.
        ("backend.Dockerfile", "AG-D001"),
        ("backend.Dockerfile", "AG-D002"),
        ("backend.Dockerfile", "AG-D004"),
        ("backend.Dockerfile", "AG-D006"),
        ("backend.Dockerfile", "AG-D008"),
        ("backend.Dockerfile", "AG-D009"),
        ("backend.Dockerfile", "AG-D010"),
        ("backend.Dockerfile", "AG-D017"),
        ("backend.Dockerfile", "AG-D032"),
        // Web: `node:latest`, single stage, root, no health check, `npm install`, localhost.
        ("frontend-web.Dockerfile", "AG-D001"),
        ("frontend-web.Dockerfile", "AG-D002"),
        ("frontend-web.Dockerfile", "AG-D003"),
        ("frontend-web.Dockerfile", "AG-D004"),
        ("frontend-web.Dockerfile", "AG-D006"),
        ("frontend-web.Dockerfile", "AG-D018"),
        ("frontend-web.Dockerfile", "AG-D032"),
        // Chatbot: multi-stage but a user that does not exist, Docker's default health check
        // timing against `/`, the web front end's port, `.env` added, apk cache, root-owned files.
        ("frontend-chatbot.Dockerfile", "AG-D005"),
        ("frontend-chatbot.Dockerfile", "AG-D007"),
        ("frontend-chatbot.Dockerfile", "AG-D008"),
        ("frontend-chatbot.Dockerfile", "AG-D011"),
        ("frontend-chatbot.Dockerfile", "AG-D012"),
        ("frontend-chatbot.Dockerfile", "AG-D016"),
        ("frontend-chatbot.Dockerfile", "AG-D023"),
    ]
    .into_iter()
    .map(|(f, c)| (f.to_string(), c.to_string()))
    .collect();
    assert_eq!(found, expected);
    let positions: Vec<String> = findings
        .iter()
        .filter(|f| f["path"] == "docker/frontend-chatbot.Dockerfile" && f["code"] == "AG-D008")
        .map(|f| format!("{}:{}", f["line"], f["column"]))
        .collect();
    assert_eq!(positions, vec!["16:1", "16:8"]);
}
