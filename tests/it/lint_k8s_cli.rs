//! `aigen lint` on manifests and charts, end to end: the real binary in temporary projects.
//! Helm is found on `PATH`: tests that render need the real `helm` there (Helm 4 from
//! `.ci/go-tools.sh`; they fail saying so without it); tests without Helm take every directory
//! holding a `helm` out of it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::support::files::copy_committed;
use crate::support::lint::{aigen, json_codes, project, project_from};
use predicates::prelude::*;

const PHASE_IV: &str = "tests/fixtures/k8s/phase-iv";
const CHARTS: &str = "tests/fixtures/helm";

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// `PATH` without any directory that holds a `helm`.
fn path_without_helm() -> OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|dir| !dir.join("helm").exists())
        .collect();
    std::env::join_paths(kept).unwrap()
}

/// `PATH` with the real `helm` on it (a failure saying how to get it otherwise).
fn path_with_helm() -> OsString {
    crate::support::builtin::tool(
        "helm",
        "`.ci/go-tools.sh`, then put `$(.ci/go-tools.sh --bin-dir)` on PATH",
    );
    std::env::var_os("PATH").unwrap_or_default()
}

#[test]
fn the_compliant_manifests_pass() {
    let dir = project_from(&format!("{PHASE_IV}/compliant"));
    aigen(dir.path())
        .arg("lint")
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("no findings in 11 files"));
}

#[test]
fn generated_manifests_fail_with_located_findings() {
    let dir = project_from(&format!("{PHASE_IV}/generated"));
    let output = aigen(dir.path())
        .args(["lint", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let codes = json_codes(&output);
    for expected in [
        "backend.yaml:9:3 AG-K001",
        "backend.yaml:61:17 AG-K102",
        "frontend-chatbot.yaml:46:3 AG-K101",
        "secret.yaml:7:19 AG-K016",
    ] {
        assert!(
            codes.iter().any(|c| c == expected),
            "missing {expected}: {codes:#?}"
        );
    }
    aigen(dir.path())
        .arg("lint")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "error[AG-K101]: Service `frontend-chatbot-service` selects `app=chatbot`, which no workload's pods carry\n  --> frontend-chatbot.yaml:46:3",
        ));
}

#[test]
fn secrets_in_manifests_never_reach_the_output() {
    let dir = project_from(&format!("{PHASE_IV}/generated"));
    for format in ["text", "json", "sarif"] {
        let assert = aigen(dir.path())
            .args(["lint", "--format", format])
            .assert()
            .code(1);
        let output = assert.get_output();
        let all = [output.stdout.as_slice(), output.stderr.as_slice()].concat();
        let all = String::from_utf8_lossy(&all);
        for secret in [
            "npg_Xk29fLq8RtZm",
            "q8Jx2mV9rT4wZ7pL1sK6nB3cF5hD0gY8",
            "c2stcHJvai1UM2Js",
        ] {
            assert!(
                !all.contains(secret),
                "`{secret}` leaked in {format} output"
            );
        }
    }
}

#[test]
fn services_are_checked_against_workloads_linted_with_them() {
    let dir = project_from(&format!("{PHASE_IV}/compliant"));
    // The Service alone: the Deployment it selects is not in the run.
    aigen(dir.path())
        .args(["lint", "backend-service.yaml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[AG-K101]"));
    aigen(dir.path())
        .args([
            "lint",
            "backend-service.yaml",
            "backend-deployment.yaml",
            "pdb.yaml",
        ])
        .assert()
        .code(0);
}

#[test]
fn stdin_is_linted_as_a_manifest() {
    let text =
        std::fs::read_to_string(fixture(&format!("{PHASE_IV}/generated/backend.yaml"))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    aigen(dir.path())
        .args(["lint", "-", "--stdin-filename", "k8s/backend.yaml"])
        .write_stdin(text)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("--> k8s/backend.yaml:9:3"));
}

#[test]
fn charts_are_rendered_with_helm_from_path() {
    let path = path_with_helm();
    let dir = tempfile::tempdir().unwrap();
    copy_committed(&fixture(CHARTS), dir.path());
    aigen(dir.path())
        .env("PATH", &path)
        .args(["lint", "todo-app"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("no findings in 1 file"));
    let output = aigen(dir.path())
        .env("PATH", &path)
        .args([
            "lint",
            "todo-app",
            "--values",
            "values-onereplica.yaml",
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        json_codes(&output),
        [
            "todo-app/templates/backend-deployment.yaml:13:3 AG-K001",
            "todo-app/templates/pdb.yaml:10:3 AG-K103",
        ]
    );
    aigen(dir.path())
        .env("PATH", &path)
        .args(["lint", "todo-app", "--values", "nowhere.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "values file `nowhere.yaml` does not exist",
        ));
}

#[test]
fn without_helm_the_chart_is_checked_and_the_message_says_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    copy_committed(&fixture(CHARTS), dir.path());
    aigen(dir.path())
        .env("PATH", path_without_helm())
        .args(["lint", "todo-app"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "warning[AG-K206]: `helm` is not on PATH, so the chart's templates were not rendered or linted",
        ))
        .stdout(predicate::str::contains("https://helm.sh/docs/intro/install/"));
    aigen(dir.path())
        .env("PATH", path_without_helm())
        .args(["lint", "todo-app", "--severity-threshold", "warning"])
        .assert()
        .code(1);
}

#[test]
fn a_project_with_manifests_and_a_chart_lints_each_as_what_it_is() {
    let path = path_with_helm();
    let dir = tempfile::tempdir().unwrap();
    copy_committed(
        &fixture(&format!("{PHASE_IV}/compliant")),
        &dir.path().join("k8s"),
    );
    copy_committed(
        &fixture(&format!("{CHARTS}/todo-app")),
        &dir.path().join("helm-charts/todo-app"),
    );
    // The templates are not YAML until rendered: linted file by file they would be errors.
    aigen(dir.path())
        .env("PATH", &path)
        .arg("lint")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("no findings in 12 files"));
}

#[test]
fn kubernetes_rules_explain_themselves() {
    let dir = tempfile::tempdir().unwrap();
    aigen(dir.path())
        .args(["lint", "--explain", "AG-K015"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("# AG-K015 (no-literal-secrets)"))
        .stdout(predicate::str::contains("kube-linter env-var-secret"))
        .stdout(predicate::str::contains("## Use instead"));
    aigen(dir.path())
        .args(["lint", "--list-rules"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("AG-K105"))
        .stdout(predicate::str::contains("AG-K206"));
}

/// `path:line severity code message` of each finding of `aigen lint --format json` in `dir`
/// whose code is one of `codes`.
fn findings_of(dir: &Path, codes: &[&str]) -> Vec<String> {
    let output = aigen(dir)
        .args(["lint", "--format", "json"])
        .output()
        .unwrap();
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| codes.contains(&f["code"].as_str().unwrap()))
        .map(|f| {
            format!(
                "{}:{} {} {} {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["severity"].as_str().unwrap(),
                f["code"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn objects_kept_in_three_folders_are_reported_once_and_counted_once() {
    let dir = project_from("tests/fixtures/k8s/rules/AG-K106/folders");
    assert_eq!(
        findings_of(dir.path(), &["AG-K105", "AG-K106"]),
        [
            "base/app.yaml:6 warning AG-K106 `Deployment/api` is defined again at \
             `deploy/app.yaml:6`, `overlays/dev/app.yaml:6`; the rules across objects count it once",
            "base/app.yaml:23 warning AG-K106 `ConfigMap/api-config` is defined again at \
             `deploy/app.yaml:23`, `overlays/dev/app.yaml:23`; the rules across objects count it \
             once",
        ],
        "one finding per object naming every copy, and 2 × 600m CPU counted once (no AG-K105)"
    );
    // The same objects in three namespaces are three objects each: no copies, and all of
    // them ask the cluster for CPU (3 × 2 × 600m = 3.6 CPU, over 70% of 4).
    let dir = project_from("tests/fixtures/k8s/rules/AG-K106/namespaced");
    let found = findings_of(dir.path(), &["AG-K105", "AG-K106"]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("AG-K105 requests total 3.6 CPU / 1.5 GiB over 6 pods"),
        "{found:#?}"
    );
}

#[test]
fn a_configmap_a_readme_creates_is_information_and_a_near_miss_a_warning() {
    let dir = project_from("tests/fixtures/k8s/rules/AG-K104/readme");
    assert_eq!(
        findings_of(dir.path(), &["AG-K104"]),
        [
            "k8s/deployment.yaml:16 info AG-K104 ConfigMap `feature-flags` read through \
             `envFrom.configMapRef` is not among the linted files; it may be created outside them",
            "k8s/deployment.yaml:21 warning AG-K104 Secret `shop-secret` read through \
             `secretKeyRef` is not among the linted files, which define `shop-secrets`",
        ]
    );
}

#[test]
fn a_spec_written_as_a_list_fails_the_lint_with_its_schema_error() {
    let dir = project(&[(
        "k8s/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  - replicas: 2\n",
    )]);
    aigen(dir.path())
        .arg("lint")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "error[AG-K031]: `spec` is a list; an object is expected here\n --> k8s/web.yaml:6:3",
        ))
        .stdout(predicate::str::contains("AG-K001").not());
}
