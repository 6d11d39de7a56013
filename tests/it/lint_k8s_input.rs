//! Input read as Kubernetes tools read it, end to end with the real binary: a UTF-8 byte-order
//! mark before a manifest or a Dockerfile is skipped (go-yaml and BuildKit skip it), and JSON
//! manifests are linted like YAML ones, with positions in the JSON text.

use crate::support::lint::{aigen, json_codes, project};

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
