//! `aigen check` through the binary: the constitution gate over a copy of `examples/todo-app`
//! before anything is generated, after a full generate-and-apply run, and after the tree drifts
//! from the trail (a hand edit, a file nobody generated, a missing Dockerfile).

use crate::support::example::Project;
use serde_json::Value;

/// `aigen check --format json`, expecting `code`.
fn check(project: &Project, code: i32) -> Value {
    project
        .run(&["check", "--format", "json"])
        .expect(code)
        .json()
}

/// The problems of a report as `(kind, path)` pairs, sorted.
fn problems(report: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

fn pair(kind: &str, path: &str) -> (String, String) {
    (kind.to_string(), path.to_string())
}

#[test]
fn before_generation_every_artifact_is_missing() {
    let project = Project::todo_app();
    let report = check(&project, 1);
    assert_eq!(report["passed"], false);
    let found = problems(&report);
    for service in ["backend", "frontend-chatbot", "frontend-web"] {
        for path in [
            format!("docker/{service}.Dockerfile"),
            "k8s".to_string(),
            format!("helm-charts/todo-app/templates/{service}-deployment.yaml"),
        ] {
            assert!(found.contains(&pair("missing", &path)), "{path}: {found:?}");
        }
    }
    assert_eq!(found.len(), 9, "{found:?}");
}

#[test]
fn check_passes_after_generate_and_apply_and_names_every_drift_after() {
    let project = Project::todo_app();
    for args in [
        &["dockerfile", "--all"][..],
        &["manifest", "--all"],
        &["helm"],
        &["apply", "--yes"],
    ] {
        project.run(args).expect(0);
    }

    let text = project.run(&["check"]).expect(0);
    assert!(
        text.stdout.contains("check passed: 3 services"),
        "{}",
        text.stdout
    );
    let report = check(&project, 0);
    assert_eq!(report["passed"], true);
    assert!(problems(&report).is_empty());
    let applied = project
        .records()
        .iter()
        .filter(|e| e.record.labels.iter().any(|l| l == "apply"))
        .count();
    assert_eq!(report["files_checked"], applied);

    // A hand edit of one manifest: the gate fails and names the file as changed.
    let manifest = "k8s/backend-deployment.yaml";
    let edited = format!(
        "{}# scaled by hand during the incident\n",
        project.read(manifest)
    );
    project.write(manifest, &edited);
    let text = project.run(&["check"]).expect(1);
    assert!(
        text.stdout
            .lines()
            .any(|l| l.starts_with("changed") && l.contains(manifest)),
        "{}",
        text.stdout
    );
    assert_eq!(problems(&check(&project, 1)), [pair("changed", manifest)]);

    // A file nobody generated, and a Dockerfile that went missing.
    project.write(
        "k8s/debug-configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: debug\ndata:\n  LOG_LEVEL: debug\n",
    );
    std::fs::remove_file(project.path("docker/frontend-web.Dockerfile")).unwrap();
    assert_eq!(
        problems(&check(&project, 1)),
        [
            pair("changed", manifest),
            pair("missing", "docker/frontend-web.Dockerfile"),
            pair("untraced", "k8s/debug-configmap.yaml"),
        ]
    );
}

#[test]
fn check_lints_the_helm_chart_as_lint_does() {
    let project = Project::todo_app();
    for args in [&["helm"][..], &["apply", "--yes"]] {
        project.run(args).expect(0);
    }
    // A chart version that is not SemVer: AG-K201, an error of the chart's own files, found
    // without rendering the chart.
    let chart = "helm-charts/todo-app/Chart.yaml";
    let broken = project
        .read(chart)
        .lines()
        .map(|l| {
            if l.starts_with("version:") {
                "version: one".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    project.write(chart, &format!("{broken}\n"));
    let lint = project.run(&["lint", "helm-charts/todo-app"]).expect(1);
    assert!(lint.stdout.contains("AG-K201"), "{}", lint.stdout);

    // With `helm` on PATH the chart does not render either (AG-K205, on the same file).
    let report = check(&project, 1);
    let chart_errors: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "lint" && p["path"] == chart)
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        chart_errors
            .iter()
            .filter(|m| m.ends_with("AG-K201"))
            .count(),
        1,
        "{report:#}"
    );
    assert!(report["lint"]["error"].as_u64().unwrap() >= 1, "{report:#}");
}
