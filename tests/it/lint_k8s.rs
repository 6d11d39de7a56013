//! The Kubernetes rules on their fixtures: every rule has a failing and a passing fixture under
//! `tests/fixtures/k8s/rules/<code>/`, the failing one reports exactly the positions listed in
//! [`EXPECTED`], and its rendered diagnostics are pinned by a snapshot. Then the Phase IV sets of
//! the seed situation, suppressions by annotation, and the masking of secret values.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use aigen::policy::Finding;
use aigen::policy::constitution::Constitution;
use aigen::policy::k8s::{ManifestText, lint_documents};
use aigen::policy::registry;
use aigen::policy::report;

const RULES_DIR: &str = "tests/fixtures/k8s/rules";
const PHASE_IV: &str = "tests/fixtures/k8s/phase-iv";

/// For each rule: the failing fixtures and the `line:column` of every finding of that rule.
const EXPECTED: &[(&str, &str, &[&str])] = &[
    ("AG-K000", "fail.yaml", &["5:3", "7:1", "10:1", "15:16"]),
    ("AG-K001", "fail.yaml", &["6:3", "11:9", "20:13"]),
    (
        "AG-K002",
        "fail.yaml",
        &["8:11", "19:23", "20:17", "26:1", "26:1", "38:17"],
    ),
    ("AG-K003", "fail.yaml", &["9:17", "16:29", "16:45", "19:17"]),
    (
        "AG-K004",
        "fail.yaml",
        &["12:22", "12:32", "25:24", "26:33"],
    ),
    ("AG-K005", "fail.yaml", &["9:17", "13:29", "15:11"]),
    ("AG-K006", "fail.yaml", &["9:17", "12:29", "14:11"]),
    ("AG-K007", "fail.yaml", &["13:44", "15:43", "17:13"]),
    ("AG-K007", "fail-udp.yaml", &["20:31", "22:31", "24:43"]),
    ("AG-K008", "fail.yaml", &["9:17", "19:23", "24:24", "27:24"]),
    ("AG-K009", "fail.yaml", &["9:17", "12:39", "16:39"]),
    ("AG-K010", "fail.yaml", &["9:17", "12:37", "16:37"]),
    ("AG-K011", "fail.yaml", &["9:17", "13:21", "14:21"]),
    ("AG-K012", "fail.yaml", &["13:25"]),
    ("AG-K013", "fail.yaml", &["9:17", "25:40"]),
    ("AG-K014", "fail.yaml", &["8:14", "10:14", "12:14", "13:13"]),
    (
        "AG-K015",
        "fail.yaml",
        &["12:22", "14:22", "17:34", "26:3", "27:3"],
    ),
    ("AG-K016", "fail.yaml", &["7:17", "10:23"]),
    ("AG-K016", "fail.yaml.example", &["7:19"]),
    ("AG-K017", "fail.yaml", &["6:9", "16:13", "21:9", "24:5"]),
    ("AG-K018", "fail.yaml", &["4:9", "10:3"]),
    ("AG-K018", "fail-kinds.yaml", &["5:9", "13:3", "26:9"]),
    ("AG-K019", "fail.yaml", &["8:20"]),
    ("AG-K020", "fail.yaml", &["8:16"]),
    ("AG-K021", "fail.yaml", &["8:16"]),
    ("AG-K022", "fail.yaml", &["12:11"]),
    ("AG-K023", "fail.yaml", &["12:34", "14:11"]),
    (
        "AG-K024",
        "fail.yaml",
        &[
            "18:22", "19:22", "19:44", "20:22", "20:61", "26:22", "26:48",
        ],
    ),
    ("AG-K030", "fail.yaml", &["16:11", "18:13", "21:15"]),
    (
        "AG-K031",
        "fail.yaml",
        &["10:26", "13:17", "14:21", "15:12", "25:19"],
    ),
    ("AG-K031", "fail-spec-shape.yaml", &["8:3", "15:7", "24:7"]),
    ("AG-K032", "fail.yaml", &["5:1", "18:7"]),
    ("AG-K033", "fail.yaml", &["6:18", "10:24", "13:21"]),
    ("AG-K034", "fail.yaml", &["1:13", "8:13"]),
    ("AG-K035", "fail.yaml", &["1:13", "8:13", "17:13"]),
    ("AG-K101", "fail.yaml", &["19:3", "29:3"]),
    ("AG-K102", "fail.yaml", &["23:19", "26:19", "28:13"]),
    (
        "AG-K102",
        "fail-values.yaml",
        &["11:47", "12:27", "12:46", "13:46", "14:7", "14:32"],
    ),
    ("AG-K103", "fail.yaml", &["4:9", "26:3", "26:3"]),
    (
        "AG-K104",
        "fail.yaml",
        &["13:38", "16:57", "18:36", "22:25"],
    ),
    ("AG-K105", "fail.yaml", &["4:9"]),
    ("AG-K106", "fail.yaml", &["4:9", "12:9"]),
];

/// The passing fixtures of rules that have more than `pass.yaml`.
const EXTRA_PASSING: &[(&str, &str)] = &[
    ("AG-K007", "pass-udp.yaml"),
    ("AG-K016", "pass.yaml.example"),
    ("AG-K018", "pass-kinds.yaml"),
    ("AG-K031", "pass-spec-shape.yaml"),
    ("AG-K102", "pass-values.yaml"),
];

fn preset() -> Constitution {
    Constitution::preset().expect("the embedded preset loads")
}

/// Lints files (paths relative to `base`) together; findings carry the relative paths.
fn lint(base: &str, files: &[PathBuf], constitution: &Constitution) -> Vec<Finding> {
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(Path::new(base).join(f)).expect("fixture is readable"))
        .collect();
    let inputs: Vec<ManifestText<'_>> = files
        .iter()
        .zip(&texts)
        .map(|(path, text)| ManifestText::new(path, text))
        .collect();
    lint_documents(&inputs, constitution)
}

fn fixture(code: &str, name: &str) -> Vec<Finding> {
    lint(RULES_DIR, &[Path::new(code).join(name)], &preset())
}

fn positions(findings: &[Finding], code: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| format!("{}:{}", f.line(), f.column()))
        .collect()
}

fn kubernetes_codes() -> Vec<&'static str> {
    registry::rules()
        .map(|rule| rule.code)
        .filter(|code| code.starts_with("AG-K0") || code.starts_with("AG-K1"))
        .collect()
}

#[test]
fn every_kubernetes_rule_has_a_failing_and_a_passing_fixture() {
    let expected: BTreeSet<&str> = EXPECTED.iter().map(|(code, _, _)| *code).collect();
    for code in kubernetes_codes() {
        let dir = Path::new(RULES_DIR).join(code);
        assert!(dir.join("fail.yaml").is_file(), "{code} has no fail.yaml");
        assert!(dir.join("pass.yaml").is_file(), "{code} has no pass.yaml");
        assert!(expected.contains(code), "{code} has no expected positions");
        let rule = registry::find(code).unwrap();
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Options",
        ] {
            assert!(rule.docs.contains(section), "{code} docs lack `{section}`");
        }
    }
}

#[test]
fn failing_fixtures_report_exactly_the_expected_positions() {
    for (code, name, expected) in EXPECTED {
        let findings = fixture(code, name);
        assert_eq!(positions(&findings, code), *expected, "{code}/{name}");
    }
}

#[test]
fn passing_fixtures_have_no_finding_of_their_rule() {
    let passing = kubernetes_codes()
        .into_iter()
        .map(|code| (code, "pass.yaml"))
        .chain(EXTRA_PASSING.iter().copied());
    for (code, name) in passing {
        let findings = fixture(code, name);
        assert_eq!(
            positions(&findings, code),
            Vec::<String>::new(),
            "{code}/{name}"
        );
    }
}

#[test]
fn failing_fixtures_render_as_pinned() {
    let mut out = String::new();
    for (code, name, _) in EXPECTED {
        let findings: Vec<Finding> = fixture(code, name)
            .into_iter()
            .filter(|f| f.code == *code)
            .collect();
        out.push_str(&report::text(&findings, false));
    }
    insta::assert_snapshot!("rule_fixtures", out);
}

fn phase_iv(set: &str) -> Vec<Finding> {
    let dir = Path::new(PHASE_IV).join(set);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| Path::new(set).join(e.unwrap().file_name()))
        .collect();
    files.sort();
    lint(PHASE_IV, &files, &preset())
}

#[test]
fn the_compliant_phase_iv_set_has_no_finding() {
    let findings = phase_iv("compliant");
    assert!(findings.is_empty(), "{}", report::text(&findings, false));
}

#[test]
fn the_generated_phase_iv_set_gets_what_a_reviewer_expects() {
    let findings = phase_iv("generated");
    let listed: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {}", f.short(), f.message))
        .collect();
    // What a reviewer of this set would point out first, each exactly where it is.
    for expected in [
        "generated/backend.yaml:9:3 AG-K001 `replicas: 1` is below the minimum of 2",
        "generated/backend.yaml:20:16 AG-K014 image `todo-backend:latest` uses the moving tag `latest`",
        "generated/backend.yaml:25:18 AG-K015 env `DATABASE_URL` of container `backend` is a secret written as a literal value",
        "generated/backend.yaml:48:19 AG-K006 `readinessProbe` of container `backend` checks `/health`; the constitution says `/ready`",
        "generated/backend.yaml:56:9 AG-K017 Service `backend-service` is `NodePort`; the `backend` class makes it `ClusterIP`",
        "generated/backend.yaml:61:17 AG-K102 Service `backend-service` targets port 8080, which no container of `Deployment/backend` declares",
        "generated/configmap.yaml:7:3 AG-K015 ConfigMap `todo-config` holds `BETTER_AUTH_SECRET`, which is a secret",
        "generated/frontend-chatbot.yaml:20:20 AG-K008 container `chatbot` runs as root (`runAsUser: 0`)",
        "generated/frontend-chatbot.yaml:33:19 AG-K007 `livenessProbe` targets port 3000, which container `chatbot` does not declare",
        "generated/frontend-chatbot.yaml:46:3 AG-K101 Service `frontend-chatbot-service` selects `app=chatbot`, which no workload's pods carry",
        "generated/frontend-web.yaml:18:15 AG-K005 container `frontend-web` has no `livenessProbe`",
        "generated/frontend-web.yaml:37:9 AG-K017 Service `frontend-web-service` is `LoadBalancer`; the `frontend` class makes it `NodePort`",
        "generated/secret.yaml:7:19 AG-K016 Secret `todo-secrets` holds a real value under `openai-api-key`",
    ] {
        assert!(
            listed.iter().any(|l| l == expected),
            "missing: {expected}\n{listed:#?}"
        );
    }
    insta::assert_snapshot!("phase_iv_generated", listed.join("\n"));
}

#[test]
fn secret_values_never_reach_the_report() {
    let findings = phase_iv("generated");
    let rendered = [
        report::text(&findings, false),
        report::json(&findings, &report::Summary::of(&findings, 5)),
        report::sarif(&findings),
    ]
    .concat();
    for secret in [
        "npg_Xk29fLq8RtZm",
        "q8Jx2mV9rT4wZ7pL1sK6nB3cF5hD0gY8",
        "c2stcHJvai1UM2JsYmtGSm9hV3Q0WGsyOWZMcThSdFpt",
        "cG9zdGdyZXNxbDovL25lb25kYl9vd25lcjpucGdf",
    ] {
        assert!(
            !rendered.contains(secret),
            "`{secret}` leaked into a report"
        );
    }
    assert!(
        rendered.contains("value: ****"),
        "the masked line is still shown"
    );
}

/// Lints one in-memory manifest named `path`.
fn lint_text(path: &str, text: &str) -> Vec<Finding> {
    lint_documents(&[ManifestText::new(Path::new(path), text)], &preset())
}

const PRIVILEGED_AGENT: &str = "\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  labels: {app.kubernetes.io/name: agent, app.kubernetes.io/instance: a, app.kubernetes.io/part-of: a}
  annotations:
    ANNOTATION
spec:
  selector: {matchLabels: {app.kubernetes.io/name: agent}}
  template:
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: agent
          image: agent:1.0.0
          resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 10m, memory: 16Mi}}
          ports: [{name: http, containerPort: 9000}]
          livenessProbe: {httpGet: {path: /health, port: http}, initialDelaySeconds: 10, periodSeconds: 30}
          readinessProbe: {httpGet: {path: /ready, port: http}, initialDelaySeconds: 5}
          securityContext:
            privileged: true
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
";

fn with_annotation(annotation: &str) -> Vec<String> {
    let text = PRIVILEGED_AGENT.replace("ANNOTATION", annotation);
    lint_text("agent.yaml", &text)
        .iter()
        .map(|f| format!("{}:{} {}", f.line(), f.column(), f.code))
        .collect()
}

#[test]
fn annotations_suppress_with_a_reason() {
    assert_eq!(with_annotation("team: infra"), ["21:25 AG-K012"]);
    assert!(
        with_annotation("aigen.dev/ignore: \"AG-K012 -- the node agent loads eBPF programs\"")
            .is_empty()
    );
    assert!(with_annotation("aigen.dev/ignore: no-privileged -- by name").is_empty());
}

#[test]
fn suppressions_without_reason_unused_or_unknown_are_reported() {
    assert_eq!(
        with_annotation("aigen.dev/ignore: \"AG-K012\""),
        ["7:5 AG-S001"],
        "the suppression works but lacks its reason"
    );
    assert_eq!(
        with_annotation("aigen.dev/ignore: \"AG-K012, AG-K019 -- eBPF\""),
        ["7:33 AG-S002"],
        "AG-K019 silenced nothing"
    );
    assert_eq!(
        with_annotation("aigen.dev/ignore: \"AG-K012, AG-K999 -- eBPF\""),
        ["7:33 AG-S003"]
    );
}

#[test]
fn kube_linter_annotations_are_honoured_for_mapped_rules() {
    assert!(
        with_annotation("ignore-check.kube-linter.io/privileged-container: \"eBPF\"").is_empty()
    );
    // A kube-linter check aigen has no rule for is left to kube-linter.
    assert_eq!(
        with_annotation("ignore-check.kube-linter.io/no-node-affinity: \"single node\""),
        ["21:25 AG-K012"]
    );
    // A mapped check that silences nothing here is stale.
    assert_eq!(
        with_annotation("ignore-check.kube-linter.io/host-network: \"x\""),
        ["7:5 AG-S002", "21:25 AG-K012"]
    );
}

#[test]
fn rule_settings_and_service_overrides_come_from_the_constitution() {
    let text = "\
version: 1
classes:
  backend: {}
services:
  backend:
    class: backend
    rules:
      AG-K005: { path: /livez }
deployment: { replicas: 3 }
probes:
  liveness: { path: /health }
rules:
  AG-K014: { severity: warning }
  AG-K018: { severity: off }
";
    let constitution = Constitution::parse(text, Path::new("constitution.yaml")).unwrap();
    let manifest = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: backend
          image: backend:latest
          livenessProbe: {httpGet: {path: /livez, port: 8000}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: worker
          image: worker:1.0.0
          livenessProbe: {httpGet: {path: /livez, port: 8000}}
";
    let findings = lint_documents(
        &[ManifestText::new(Path::new("m.yaml"), manifest)],
        &constitution,
    );
    let summary: Vec<String> = findings
        .iter()
        .filter(|f| ["AG-K001", "AG-K005", "AG-K014", "AG-K018"].contains(&f.code))
        .map(|f| format!("{}:{} {} {}", f.line(), f.column(), f.code, f.severity))
        .collect();
    assert_eq!(
        summary,
        [
            "5:3 AG-K001 error",
            "10:18 AG-K014 warning",
            "23:43 AG-K005 error",
        ]
    );
}

#[test]
fn kubernetes_rule_parameters_are_validated_where_written() {
    let text = "version: 1\nrules:\n  AG-K018:\n    label: [team]\n";
    let error = Constitution::parse(text, Path::new("constitution.yaml")).unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("constitution.yaml:4:5:"), "{message}");
    assert!(message.contains("label"), "{message}");
    let text = "version: 1\nrules:\n  AG-K014: { require_digest: \"yes\" }\n";
    let error = Constitution::parse(text, Path::new("constitution.yaml")).unwrap_err();
    assert!(
        error.to_string().starts_with("constitution.yaml:3:"),
        "{error}"
    );
}

#[test]
fn an_unused_suppression_is_reported_in_an_otherwise_clean_file() {
    let text = PRIVILEGED_AGENT
        .replace("ANNOTATION", "aigen.dev/ignore: \"AG-K012 -- eBPF\"")
        .replace("privileged: true", "privileged: false");
    let findings: Vec<String> = lint_text("agent.yaml", &text)
        .iter()
        .map(|f| format!("{}:{} {}", f.line(), f.column(), f.code))
        .collect();
    assert_eq!(findings, ["7:24 AG-S002"]);
}

#[test]
fn a_spec_that_is_not_a_mapping_gets_its_schema_error_and_nothing_else() {
    let findings = fixture("AG-K031", "fail-spec-shape.yaml");
    let listed: Vec<String> = findings
        .iter()
        .map(|f| format!("{}:{} {}", f.line(), f.column(), f.code))
        .collect();
    // The labels rule still reads `metadata`; nothing reads the spec it cannot read.
    let about_the_spec: Vec<&String> = listed.iter().filter(|l| !l.ends_with("AG-K018")).collect();
    assert_eq!(
        about_the_spec,
        ["8:3 AG-K031", "15:7 AG-K031", "24:7 AG-K031"],
        "{listed:#?}"
    );
    // The same objects well formed get the findings of the rules that read a spec.
    let findings = fixture("AG-K031", "pass-spec-shape.yaml");
    for code in ["AG-K003", "AG-K008"] {
        assert!(findings.iter().any(|f| f.code == code), "{code}");
    }
}

#[test]
fn missing_references_are_reported_as_surely_as_they_are_known() {
    let findings = fixture("AG-K104", "fail.yaml");
    let listed: Vec<String> = findings
        .iter()
        .filter(|f| f.code == "AG-K104")
        .map(|f| format!("{}:{} {}", f.line(), f.column(), f.severity))
        .collect();
    // A near miss of a defined name and a missing key are typos; a name like no other may be
    // created outside the linted files (a README's `kubectl create`).
    assert_eq!(
        listed,
        ["13:38 warning", "16:57 warning", "18:36 info", "22:25 info"]
    );
    let typo = findings.iter().find(|f| f.line() == 13).unwrap();
    assert!(
        typo.message.contains("which define `todo-secrets`"),
        "{}",
        typo.message
    );
    let elsewhere = findings.iter().find(|f| f.line() == 18).unwrap();
    assert!(
        elsewhere.message.contains("may be created outside them"),
        "{}",
        elsewhere.message
    );
}
