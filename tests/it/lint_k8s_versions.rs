//! The Kubernetes release a constitution names (`kubernetes_version`), through the real binary:
//! API versions the release no longer serves or does not serve yet are `AG-K035` errors at the
//! `apiVersion` with what to use instead, the release's still-served old versions are named by
//! `AG-K034`, a release newer than the compiled schemas is one warning, and a release that is not
//! one is an error at its line.

use serde_json::Value;

use crate::support::command::{Run, run_in};
use crate::support::files::write_file;
use crate::support::lint::project_from;

const FIXTURE: &str = "tests/fixtures/k8s/versions";

/// `aigen lint --format json` of the fixture under a constitution that names `version` (none
/// when `None`).
fn lint_under(version: Option<&str>) -> Run {
    let dir = project_from(FIXTURE);
    let line = version.map_or_else(String::new, |v| format!("kubernetes_version: {v}\n"));
    write_file(
        &dir.path().join("policies/constitution.yaml"),
        format!("version: 1\n{line}"),
    );
    run_in(dir.path(), &["lint", "--format", "json", "apis.yaml"])
}

/// `line:column code message (help)` of each `AG-K034` and `AG-K035` finding.
fn version_findings(run: &Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| matches!(f["code"].as_str(), Some("AG-K034" | "AG-K035")))
        .map(|f| {
            format!(
                "{}:{} {} {} ({})",
                f["line"],
                f["column"],
                f["code"].as_str().unwrap(),
                f["message"].as_str().unwrap(),
                f["help"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn a_named_release_reports_the_api_versions_it_removed_with_their_replacement() {
    let run = lint_under(Some("\"1.30\"")).expect(1);
    assert_eq!(
        version_findings(&run),
        [
            "1:13 AG-K035 `PodSecurityPolicy` of `policy/v1beta1` is not served by Kubernetes \
             1.30: it was removed in 1.25 (PodSecurityPolicy has no successor API: enforce the \
             Pod Security Standards with Pod Security Admission (the \
             `pod-security.kubernetes.io/enforce` label of the namespace))",
            "8:13 AG-K035 `HorizontalPodAutoscaler` of `autoscaling/v2beta2` is not served by \
             Kubernetes 1.30: it was removed in 1.26 (use `apiVersion: autoscaling/v2`, which \
             Kubernetes 1.30 serves)",
            "16:13 AG-K034 `FlowSchema` of `flowcontrol.apiserver.k8s.io/v1beta3` is served by \
             Kubernetes 1.30, but aigen carries the schemas of 1.37 only: its fields are not \
             validated (Kubernetes 1.32 removes it: move to `apiVersion: \
             flowcontrol.apiserver.k8s.io/v1` before upgrading)",
        ]
    );
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn a_named_release_reports_the_api_versions_it_does_not_serve_yet() {
    let run = lint_under(Some("v1.22")).expect(1);
    let found = version_findings(&run);
    assert!(
        found.contains(
            &"21:13 AG-K035 `HorizontalPodAutoscaler` of `autoscaling/v2` is not served by \
              Kubernetes 1.22: it is served from 1.23 on (use `apiVersion: autoscaling/v2beta2`, \
              which Kubernetes 1.22 serves)"
                .to_string()
        ),
        "{found:#?}"
    );
    assert!(
        found.contains(
            &"16:13 AG-K035 `FlowSchema` of `flowcontrol.apiserver.k8s.io/v1beta3` is not served \
              by Kubernetes 1.22: it is served from 1.26 on (use `apiVersion: \
              flowcontrol.apiserver.k8s.io/v1beta1`, which Kubernetes 1.22 serves)"
                .to_string()
        ),
        "{found:#?}"
    );
    // 1.22 still serves PodSecurityPolicy and autoscaling/v2beta2: named, not errors.
    let errors: Vec<&String> = found.iter().filter(|f| f.contains("AG-K035")).collect();
    assert_eq!(errors.len(), 2, "{found:#?}");
    assert!(
        found.iter().any(|f| f.starts_with("1:13 AG-K034")
            && f.contains("served by Kubernetes 1.22")
            && f.contains("(Kubernetes 1.25 removes it)")),
        "{found:#?}"
    );
}

#[test]
fn without_a_release_the_newest_compiled_one_is_checked_silently() {
    let run = lint_under(None).expect(1);
    let codes: Vec<String> = version_findings(&run)
        .iter()
        .map(|f| f.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(codes, ["1:13 AG-K035", "8:13 AG-K035", "16:13 AG-K035"]);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn a_release_newer_than_the_schemas_is_one_warning_naming_what_is_validated() {
    let run = lint_under(Some("\"1.40\"")).expect(1);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    let (named, validated) = warnings[0]
        .split_once("/policies/constitution.yaml:2:21), ")
        .unwrap_or_else(|| panic!("the warning names the line: {}", warnings[0]));
    assert!(
        named.starts_with("warning: the constitution names Kubernetes 1.40 ("),
        "{named}"
    );
    assert_eq!(
        validated,
        "newer than this aigen knows: manifests are validated against the schemas of Kubernetes \
         1.37, and API versions removed after 1.37 are not reported"
    );
    let found = version_findings(&run);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[2].contains("not served by Kubernetes 1.40: it was removed in 1.32"));
}

#[test]
fn a_release_that_is_not_one_stops_the_run_at_its_line() {
    for (written, message) in [
        (
            "latest",
            "policies/constitution.yaml:2:21: `kubernetes_version`: `latest` is not a Kubernetes \
             release: write `major.minor`, such as `\"1.33\"`",
        ),
        (
            "\"1.15\"",
            "policies/constitution.yaml:2:21: `kubernetes_version`: Kubernetes 1.15 is older \
             than aigen knows the APIs of (from 1.16 on)",
        ),
        (
            "\"2.0\"",
            "policies/constitution.yaml:2:21: `kubernetes_version`: `2.0` is not a Kubernetes \
             release",
        ),
    ] {
        let run = lint_under(Some(written)).expect(2);
        assert!(run.stderr.contains(message), "{written}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{written}: nothing is linted");
    }
}

#[test]
fn an_unquoted_release_is_read_as_written() {
    // YAML 1.2 would read `1.30` as the number 1.3; the constitution keeps the text written.
    let run = lint_under(Some("1.30")).expect(1);
    let found = version_findings(&run);
    assert!(
        found
            .iter()
            .all(|f| !f.contains("1.3:") && !f.contains("Kubernetes 1.3 ")),
        "{found:#?}"
    );
    assert!(
        found[0].contains("not served by Kubernetes 1.30"),
        "{found:#?}"
    );
    let document: Value = run.json();
    assert!(document["summary"]["error"].as_u64().unwrap() >= 2);
}
