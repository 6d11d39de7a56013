//! Helm charts: the chart's own files, its rendered manifests with findings moved back to the
//! templates, a chart that does not render, and a machine without Helm.
//!
//! The charts are rendered by the real `helm` on PATH (Helm 4, built by `.ci/go-tools.sh`; the
//! test fails saying so when it is missing).

use std::path::{Path, PathBuf};

use aigen::policy::Finding;
use aigen::policy::constitution::Constitution;
use aigen::policy::helm::{ChartOptions, is_chart, lint_chart};
use aigen::policy::report;

use crate::support::builtin::tool;

const CHARTS: &str = "tests/fixtures/helm";

/// The real helm, from PATH.
fn helm() -> ChartOptions {
    ChartOptions {
        values: None,
        helm: Some(
            tool(
                "helm",
                "`.ci/go-tools.sh`, then put `$(.ci/go-tools.sh --bin-dir)` on PATH",
            )
            .into_os_string(),
        ),
    }
}

fn without_helm() -> ChartOptions {
    ChartOptions {
        values: None,
        helm: Some("/nonexistent/aigen-test/helm".into()),
    }
}

fn lint(chart: &str, options: &ChartOptions) -> Vec<Finding> {
    let constitution = Constitution::preset().unwrap();
    lint_chart(&Path::new(CHARTS).join(chart), options, &constitution)
}

fn listed(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            let path = f.path.strip_prefix(CHARTS).unwrap_or(&f.path).to_path_buf();
            format!("{}:{}:{} {}", path.display(), f.line(), f.column(), f.code)
        })
        .collect()
}

#[test]
fn charts_are_recognised_by_their_chart_yaml() {
    assert!(is_chart(&Path::new(CHARTS).join("todo-app")));
    assert!(!is_chart(Path::new(CHARTS)));
}

#[test]
fn the_compliant_chart_renders_and_has_no_finding() {
    let findings = lint("todo-app", &helm());
    assert!(findings.is_empty(), "{}", report::text(&findings, false));
    let dev = ChartOptions {
        values: Some(Path::new(CHARTS).join("todo-app/values-dev.yaml")),
        ..helm()
    };
    let findings = lint("todo-app", &dev);
    assert!(findings.is_empty(), "{}", report::text(&findings, false));
}

#[test]
fn the_values_file_chosen_is_the_one_rendered() {
    let options = ChartOptions {
        values: Some(PathBuf::from(CHARTS).join("values-onereplica.yaml")),
        ..helm()
    };
    let findings = lint("todo-app", &options);
    // One replica is too few, and the budget's `minAvailable: 1` now blocks every eviction.
    assert_eq!(
        listed(&findings),
        [
            "todo-app/templates/backend-deployment.yaml:13:3 AG-K001",
            "todo-app/templates/pdb.yaml:10:3 AG-K103",
        ]
    );
    assert_eq!(
        findings[0].message,
        "`replicas: 1` is below the minimum of 2"
    );
    assert_eq!(
        findings[0].excerpt.as_ref().map(|e| e.text.as_str()),
        Some("  replicas: {{ .Values.backend.replicas }}")
    );
}

#[test]
fn without_helm_the_chart_files_are_still_checked() {
    let findings = lint("todo-app", &without_helm());
    assert_eq!(listed(&findings), ["todo-app/Chart.yaml:0:0 AG-K206"]);
    assert!(
        findings[0]
            .help
            .as_deref()
            .unwrap()
            .contains("https://helm.sh/docs/intro/install/")
    );
    assert_eq!(findings[0].severity, aigen::policy::Severity::Warning);
}

#[test]
fn a_broken_chart_gets_file_and_rendered_findings_at_the_templates() {
    let findings = lint("broken", &helm());
    let all = listed(&findings);
    for expected in [
        "broken/Chart.yaml:1:1 AG-K201",
        "broken/Chart.yaml:1:13 AG-K201",
        "broken/Chart.yaml:2:7 AG-K201",
        "broken/Chart.yaml:3:10 AG-K201",
        "broken/Chart.yaml:0:0 AG-K203",
        "broken/Chart.yaml:0:0 AG-K204",
        "broken/values-dev.yaml:3:2 AG-K202",
        "broken/templates/deployment.yaml:8:3 AG-K001",
        "broken/templates/deployment.yaml:19:18 AG-K014",
        "broken/templates/deployment.yaml:18:17 AG-K005",
    ] {
        assert!(
            all.iter().any(|l| l == expected),
            "missing {expected}\n{all:#?}"
        );
    }
    let templates = findings.iter().filter(|f| f.code == "AG-K203").count();
    assert_eq!(
        templates, 2,
        "`_helpers.tpl` and `NOTES.txt` are both missing"
    );
    insta::assert_snapshot!("broken_chart", report::text(&findings, false));
}

#[test]
fn a_chart_that_fails_to_render_is_reported_at_the_template() {
    // `required` fails the render; Helm names the template, line and column of the call.
    let findings = lint("render-error", &helm());
    assert_eq!(
        listed(&findings),
        ["render-error/templates/service.yaml:7:15 AG-K205"]
    );
    assert_eq!(
        findings[0].message,
        "`helm template` failed: execution error at (render-error/templates/service.yaml:7:15): backend.port is required"
    );
    assert_eq!(
        findings[0].excerpt.as_ref().map(|e| e.text.as_str()),
        Some("    - port: {{ required \"backend.port is required\" .Values.backend.port }}")
    );
}

#[test]
fn a_line_a_template_copied_from_the_values_is_reported_where_it_is_set() {
    // The backend's liveness probe comes from the values through `toYaml`.
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("todo-app");
    crate::support::files::copy_tree(&Path::new(CHARTS).join("todo-app"), &chart);
    let template = chart.join("templates/backend-deployment.yaml");
    let text = std::fs::read_to_string(&template).unwrap();
    let written = "          livenessProbe:\n            httpGet:\n              path: /health\n              port: http\n            initialDelaySeconds: 10\n            periodSeconds: 30\n";
    assert!(text.contains(written));
    let copied = "          livenessProbe:\n            {{- toYaml .Values.backend.livenessProbe | nindent 12 }}\n";
    std::fs::write(&template, text.replace(written, copied)).unwrap();
    let values = chart.join("values.yaml");
    let text = std::fs::read_to_string(&values).unwrap();
    let probe = "  livenessProbe:\n    httpGet:\n      path: /healthz\n      port: http\n    initialDelaySeconds: 10\n    periodSeconds: 30\n";
    std::fs::write(
        &values,
        text.replace("  port: 8000\n", &format!("  port: 8000\n{probe}")),
    )
    .unwrap();

    let constitution = Constitution::preset().unwrap();
    let findings = lint_chart(&chart, &helm(), &constitution);
    let at = |f: &Finding| {
        let path = f
            .path
            .strip_prefix(dir.path())
            .unwrap()
            .display()
            .to_string();
        format!("{path}:{}:{} {}", f.line(), f.column(), f.code)
    };
    let listed: Vec<String> = findings.iter().map(at).collect();
    assert_eq!(listed, ["todo-app/values.yaml:11:13 AG-K005"]);
    assert_eq!(
        findings[0].message,
        "`livenessProbe` of container `backend` checks `/healthz`; the constitution says `/health` (set in `values.yaml`, rendered by `backend-deployment.yaml`)"
    );
    assert_eq!(
        findings[0].excerpt.as_ref().map(|e| e.text.as_str()),
        Some("      path: /healthz")
    );

    // Set again in the file given with --values, it is reported there.
    let dev = dir.path().join("values-probe.yaml");
    std::fs::write(
        &dev,
        "backend:\n  livenessProbe:\n    httpGet:\n      path: /live\n      port: http\n",
    )
    .unwrap();
    let options = ChartOptions {
        values: Some(dev),
        ..helm()
    };
    let findings = lint_chart(&chart, &options, &constitution);
    let listed: Vec<String> = findings.iter().map(at).collect();
    assert_eq!(listed, ["values-probe.yaml:4:13 AG-K005"]);
}
