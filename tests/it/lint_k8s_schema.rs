//! Schema validation against the reference: a corpus of broken manifests written here (typos,
//! wrong types, a missing template, a missing container name), each the same Deployment and
//! Service with one change, is read by `kubernetes-validate --strict` (PyPI, the Kubernetes 1.37
//! schemas) and by `aigen lint`. Every object the reference rejects gets an aigen schema error
//! (`AG-K030` to `AG-K032`) on the changed line, and no object it accepts gets one.
//!
//! `AG-K033` (enumerated values) and the 32-bit range of `int32` fields go beyond the reference,
//! whose JSON schemas carry neither (the API server checks both); they are tested on their
//! fixtures in `lint_k8s`.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

use crate::support::builtin::{run, tool};
use crate::support::lint::aigen;

const VALIDATE_INSTALL: &str = "pip install kubernetes-validate";

/// A Deployment and a Service that both tools accept.
const BASE: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app.kubernetes.io/name: web}
  creationTimestamp: null
spec:
  replicas: 2
  selector:
    matchLabels: {app.kubernetes.io/name: web}
  template:
    metadata:
      labels: {app.kubernetes.io/name: web}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0.0
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 8000
          resources:
            requests: {cpu: 250m, memory: 64Mi}
            limits: {cpu: 1, memory: \"128Mi\"}
          livenessProbe:
            httpGet:
              path: /health
              port: http
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [\"ALL\"]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app.kubernetes.io/name: web}
  ports:
    - port: 80
      targetPort: http
";

/// One change to [`BASE`]: its name, the text replaced (once) and what replaces it.
const CHANGES: &[(&str, &str, &str)] = &[
    ("base", "", ""),
    ("pull-policy-typo", "imagePullPolicy:", "imagePullPolcy:"),
    (
        "read-only-typo",
        "readOnlyRootFilesystem:",
        "readOnlyRootFileSystem:",
    ),
    ("probe-path-typo", "path: /health", "paht: /health"),
    ("template-typo", "  template:", "  templat:"),
    (
        "port-as-string",
        "containerPort: 8000",
        "containerPort: \"8000\"",
    ),
    ("drop-as-string", "drop: [\"ALL\"]", "drop: ALL"),
    ("replicas-as-string", "replicas: 2", "replicas: \"2\""),
    (
        "flag-as-string",
        "allowPrivilegeEscalation: false",
        "allowPrivilegeEscalation: \"false\"",
    ),
    (
        "no-container-name",
        "- name: web\n          image:",
        "- image:",
    ),
    ("service-port-as-string", "- port: 80", "- port: \"80\""),
    (
        "target-port-as-list",
        "targetPort: http",
        "targetPort: [http]",
    ),
    ("selector-typo", "  selector: {app", "  selectr: {app"),
    (
        "ports-as-map",
        "    - port: 80\n      targetPort: http",
        "    http: 80",
    ),
    ("target-port-number", "targetPort: http", "targetPort: 8000"),
    ("quantity-number", "memory: 64Mi", "memory: 67108864"),
    (
        "free-form-labels",
        "labels: {app.kubernetes.io/name: web}\n  creation",
        "labels: {anything: goes}\n  creation",
    ),
];

/// The line (1-based) where `from` starts in [`BASE`].
fn line_of(from: &str) -> usize {
    BASE[..BASE.find(from).unwrap()].matches('\n').count() + 1
}

#[test]
fn schema_errors_agree_with_kubernetes_validate() {
    let validate = tool("kubernetes-validate", VALIDATE_INSTALL);
    let dir = tempfile::tempdir().unwrap();
    // The line each changed file should get an error on.
    let mut changed_line = BTreeMap::new();
    for (name, from, to) in CHANGES {
        let text = if from.is_empty() {
            BASE.to_string()
        } else {
            assert_eq!(
                BASE.matches(from).count(),
                1,
                "{name}: `{from}` is not unique"
            );
            changed_line.insert(format!("{name}.yaml"), line_of(from));
            BASE.replacen(from, to, 1)
        };
        std::fs::write(dir.path().join(format!("{name}.yaml")), text).unwrap();
    }

    // The reference: the files with an object it rejects.
    let mut command = Command::new(validate);
    command
        .current_dir(dir.path())
        .args(["--strict", "--no-warn"]);
    command.args(CHANGES.iter().map(|(name, _, _)| format!("{name}.yaml")));
    let (_, stdout, stderr) = run(&mut command);
    let mut rejected = BTreeSet::new();
    let mut accepted = BTreeSet::new();
    for line in stdout.lines().chain(stderr.lines()) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("ERROR"), Some(file)) => rejected.insert(file.to_string()),
            (Some("INFO"), Some(file)) => accepted.insert(file.to_string()),
            _ => false,
        };
    }
    assert_eq!(
        rejected.len() + accepted.difference(&rejected).count(),
        CHANGES.len(),
        "kubernetes-validate read every file:\n{stdout}{stderr}"
    );

    // aigen: the schema errors of each file, as lines.
    let output = aigen(dir.path())
        .args(["lint", "--format", "json", "."])
        .output()
        .unwrap();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut errors: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for finding in document["findings"].as_array().unwrap() {
        let code = finding["code"].as_str().unwrap();
        if matches!(code, "AG-K030" | "AG-K031" | "AG-K032") {
            let path = finding["path"].as_str().unwrap();
            let file = path.rsplit('/').next().unwrap().to_string();
            let line = finding["line"].as_u64().unwrap() as usize;
            errors.entry(file).or_default().push(line);
        }
    }

    for (name, _, _) in CHANGES {
        let file = format!("{name}.yaml");
        let lines = errors.get(&file).cloned().unwrap_or_default();
        if rejected.contains(&file) {
            let expected = changed_line[&file];
            assert!(
                lines.contains(&expected),
                "{file}: kubernetes-validate rejects it; aigen's schema errors are on lines \
                 {lines:?}, not {expected}"
            );
        } else {
            assert!(
                lines.is_empty(),
                "{file}: kubernetes-validate accepts it; aigen reports schema errors on {lines:?}"
            );
        }
    }
    // The corpus has both kinds of file, and more broken than whole ones.
    assert!(rejected.len() >= 12, "{rejected:?}");
    assert!(accepted.difference(&rejected).count() >= 4, "{accepted:?}");
}
