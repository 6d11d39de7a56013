//! Input read as Kubernetes tools read it, end to end with the real binary: a UTF-8 byte-order
//! mark before a manifest or a Dockerfile is skipped (go-yaml and BuildKit skip it), YAML laid
//! out as go-yaml tolerates is read, JSON manifests (one object, a `List`, objects one after
//! another) are linted like YAML ones with positions in the JSON text, what is not linted says
//! why (`--list-files`, the summary), and a file named on the command line that cannot be
//! linted is an error.

use crate::support::lint::{aigen, json_codes, project};
use predicates::prelude::*;

/// A Pod that sets `privileged: true` (AG-K012) and misspells a field (AG-K030).
const POD_YAML: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: registry.example.com/web:1.0.0
      imagePullPolcy: Always
      securityContext:
        privileged: true
";

const POD_JSON: &str = r#"{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "web"},
  "spec": {
    "containers": [
      {
        "name": "web",
        "image": "registry.example.com/web:1.0.0",
        "imagePullPolcy": "Always",
        "securityContext": {"privileged": true}
      }
    ]
  }
}
"#;

/// `path:line:column code` of each finding of `codes`, from `aigen lint --format json .`.
fn findings(files: &[(&str, &str)], codes: &[&str]) -> Vec<String> {
    let dir = project(files);
    let output = aigen(dir.path())
        .args(["lint", "--format", "json", "."])
        .output()
        .unwrap();
    json_codes(&output.stdout)
        .into_iter()
        .filter(|line| codes.iter().any(|code| line.ends_with(&format!(" {code}"))))
        .collect()
}

#[test]
fn a_byte_order_mark_before_a_manifest_is_skipped() {
    let with_bom = format!("\u{feff}{POD_YAML}");
    assert_eq!(
        findings(
            &[("k8s/pod.yaml", &with_bom)],
            &["AG-K000", "AG-K012", "AG-K030"]
        ),
        ["k8s/pod.yaml:9:7 AG-K030", "k8s/pod.yaml:11:21 AG-K012"]
    );
}

#[test]
fn a_byte_order_mark_before_a_dockerfile_is_skipped() {
    let text = "\u{feff}FROM python:3.13-slim\nUSER 1000\n";
    let codes = findings(&[("Dockerfile", text)], &["AG-D000", "AG-D030"]);
    assert!(codes.is_empty(), "{codes:?}");
}

#[test]
fn json_manifests_are_linted_at_their_json_positions() {
    let bom_json = format!("\u{feff}{POD_JSON}");
    assert_eq!(
        findings(
            &[
                ("k8s/pod.json", POD_JSON),
                ("k8s/bom.json", &bom_json),
                ("package.json", "{\"name\": \"x\"}\n")
            ],
            &["AG-K000", "AG-K012", "AG-K030"]
        ),
        [
            "k8s/bom.json:10:9 AG-K030",
            "k8s/bom.json:11:43 AG-K012",
            "k8s/pod.json:10:9 AG-K030",
            "k8s/pod.json:11:43 AG-K012",
        ]
    );
}

/// A Deployment laid out as go-yaml (and so `kubectl`) reads it and YAML 1.2 does not: a flow
/// list whose `]` sits left of its key, and a double-quoted string continued at a lower
/// indentation. Its container is privileged (AG-K012).
const LOOSE_DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0.0
          args: [
            --port=8080,
            --verbose
]
          command: [\"/bin/sh\", \"-c\", \"exec web
  --serve\"]
          env:
            - name: GREETING
              value: \"hello
    world\"
          securityContext:
            privileged: true
";

#[test]
fn yaml_that_go_yaml_reads_is_linted_with_exact_positions() {
    assert_eq!(
        findings(
            &[("k8s/web.yaml", LOOSE_DEPLOYMENT)],
            &["AG-K000", "AG-K012"]
        ),
        ["k8s/web.yaml:26:25 AG-K012"]
    );
    // A plain scalar continued left of its key is refused by go-yaml too: still AG-K000.
    let broken = LOOSE_DEPLOYMENT.replace("value: \"hello\n    world\"", "value: hello\n    world");
    let codes = findings(&[("k8s/web.yaml", &broken)], &["AG-K000"]);
    assert_eq!(codes.len(), 1, "{codes:?}");
}

#[test]
fn json_lists_and_concatenated_objects_are_linted_where_they_sit() {
    let list = format!(
        "{{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n{}]}}\n",
        POD_JSON.trim_end()
    );
    let stream = format!(
        "{}{}",
        POD_JSON.trim_end(),
        POD_JSON.replace("\"web\"}", "\"api\"}")
    );
    assert_eq!(
        findings(
            &[("k8s/list.json", &list), ("k8s/stream.json", &stream)],
            &["AG-K000", "AG-K012"]
        ),
        [
            "k8s/list.json:12:43 AG-K012",
            "k8s/stream.json:11:43 AG-K012",
            "k8s/stream.json:25:43 AG-K012",
        ]
    );
}

#[test]
fn what_is_not_linted_is_counted_and_list_files_says_why() {
    let dir = project(&[
        ("Dockerfile", "FROM python:3.13-slim\n"),
        ("k8s/pod.yaml", POD_YAML),
        ("k8s/pod.json", POD_JSON),
        ("package.json", "{\"name\": \"x\"}\n"),
        ("tsconfig.json", "{\"compilerOptions\": {}}\n"),
        ("values.yaml", "replicas: 1\n"),
        ("README.md", "# x\n"),
        (
            "chart/Chart.yaml",
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        ),
        ("chart/templates/pod.yaml", POD_YAML),
    ]);
    std::fs::write(
        dir.path().join("dockerfile.png"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    )
    .unwrap();
    let output = aigen(dir.path())
        .args(["lint", "--list-files", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "\
Dockerfile  Dockerfile
README.md  skipped: not a Dockerfile, a Kubernetes manifest or a Helm chart (by its name; not read)
chart  Helm chart
chart/Chart.yaml  part of the Helm chart `chart`
chart/templates/pod.yaml  part of the Helm chart `chart`
dockerfile.png  skipped: a binary file (it holds NUL bytes)
k8s/pod.json  Kubernetes manifest
k8s/pod.yaml  Kubernetes manifest
package.json  skipped: JSON that is not a Kubernetes object
tsconfig.json  skipped: JSON that is not a Kubernetes object
values.yaml  skipped: YAML without top-level `apiVersion` and `kind`
"
    );
    let listed = aigen(dir.path())
        .args([
            "lint",
            "--list-files",
            "--format",
            "json",
            "k8s",
            "package.json",
        ])
        .output()
        .unwrap();
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed[0]["kind"], "manifest");
    assert_eq!(listed[2]["path"], "package.json");
    assert_eq!(listed[2]["kind"], "error");
    assert_eq!(listed[2]["reason"], "JSON that is not a Kubernetes object");
    // Linting the directory skips four files it read (README.md is not read), and says so
    // without `-v`.
    aigen(dir.path())
        .args(["lint", "."])
        .assert()
        .stderr(predicate::str::contains(
            "; 4 files skipped (`aigen lint --list-files` says why)",
        ));
}

#[test]
fn a_file_named_on_the_command_line_that_cannot_be_linted_is_an_error() {
    let dir = project(&[("README.md", "# x\n"), ("package.json", "{}\n")]);
    std::fs::write(dir.path().join("dockerfile.png"), b"\x89PNG\r\n\x1a\n\0\0").unwrap();
    for (file, reason) in [
        (
            "README.md",
            "not a Dockerfile, a Kubernetes manifest or a Helm chart",
        ),
        ("dockerfile.png", "a binary file (it holds NUL bytes)"),
        ("package.json", "JSON that is not a Kubernetes object"),
        ("missing.yaml", "failed to read `missing.yaml`"),
    ] {
        aigen(dir.path())
            .args(["lint", file])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(file))
            .stderr(predicate::str::contains(reason));
    }
}

#[test]
fn a_latin1_byte_in_a_dockerfile_comment_is_a_warning() {
    let dir = project(&[]);
    std::fs::write(
        dir.path().join("Dockerfile"),
        b"# Maintainer: Jos\xe9\nFROM python:latest\n",
    )
    .unwrap();
    let output = aigen(dir.path())
        .args(["lint", "--format", "json", "Dockerfile"])
        .output()
        .unwrap();
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let found: Vec<String> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| ["AG-D000", "AG-D003"].contains(&f["code"].as_str().unwrap()))
        .map(|f| {
            format!(
                "{}:{} {} {}",
                f["line"],
                f["column"],
                f["code"].as_str().unwrap(),
                f["severity"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(found, ["1:18 AG-D000 warning", "2:6 AG-D003 error"]);
}
