//! `AG-K201`: Chart.yaml says what the chart is, as Helm 3 reads it.

use std::sync::LazyLock;

use regex::Regex;

use crate::policy::helm::ChartCx;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks a chart's `Chart.yaml`: it is valid YAML, `apiVersion` is `v2` (Helm 3), `name`
    /// is set and matches the chart's directory, `version` is a SemVer 2 version, and
    /// `appVersion` is set.
    ///
    /// ## Why is this bad?
    /// `apiVersion: v1` charts are Helm 2 charts, and `helm package` and `helm lint` reject a
    /// missing or non-SemVer `version`. A name that differs from the directory breaks
    /// `helm dependency` and packaging. Without `appVersion`, `helm list` and the
    /// `app.kubernetes.io/version` label cannot tell which release of the application runs.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// name: todo
    /// version: "1.0"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v2
    /// name: todo-app
    /// description: The Todo application (backend, web and chatbot front ends)
    /// type: application
    /// version: 1.0.0
    /// appVersion: "phase-4"
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// `helm lint` (chartfile checks).
    pub(crate) const RULE = {
        code: "AG-K201",
        name: "chart-metadata",
        target: Kubernetes,
        severity: Error,
        summary: "Chart.yaml has apiVersion v2, a name matching its directory, a SemVer version and an appVersion",
        aliases: [],
        params: NoParams,
    };
}

static SEMVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
        .expect("SemVer pattern is valid")
});

pub(crate) fn check(cx: &mut ChartCx<'_>) {
    let Some(file) = cx.read("Chart.yaml") else {
        cx.report_file(&RULE, "Chart.yaml", "the chart has no `Chart.yaml`")
            .help("create it with `apiVersion: v2`, `name`, `version` and `appVersion`");
        return;
    };
    let Some(root) = cx.parse(&RULE, &file) else {
        return;
    };
    if !root.is_map() {
        cx.report(&RULE, &file, &root, "`Chart.yaml` is not a mapping")
            .help("write `apiVersion`, `name`, `version` and `appVersion` as keys");
        return;
    }
    let directory = cx.directory_name();
    match root.get("apiVersion") {
        Some(node) if node.as_str() == Some("v2") => {}
        Some(node) => cx
            .report(
                &RULE,
                &file,
                node,
                format!(
                    "`apiVersion: {}` is not a Helm 3 chart",
                    node.as_str().unwrap_or("?")
                ),
            )
            .help("set `apiVersion: v2`"),
        None => cx
            .report_top(&RULE, &file, "`Chart.yaml` has no `apiVersion`")
            .help("add `apiVersion: v2`"),
    }
    match root.get("name").and_then(Node::as_str) {
        None => cx
            .report_top(&RULE, &file, "`Chart.yaml` has no `name`")
            .help(format!("add `name: {directory}`")),
        Some(name) if !directory.is_empty() && name != directory => {
            let node = root.get("name").unwrap_or(&root);
            cx.report(
                &RULE,
                &file,
                node,
                format!(
                    "chart `{name}` lives in directory `{directory}`; Helm expects them to match"
                ),
            )
            .help(format!(
                "rename the chart or its directory to `{directory}`"
            ));
        }
        Some(_) => {}
    }
    match root.get("version") {
        None => cx
            .report_top(&RULE, &file, "`Chart.yaml` has no `version`")
            .help("add `version: 1.0.0`"),
        Some(node) => {
            let version = node.as_str().unwrap_or_default();
            if !SEMVER.is_match(version) {
                cx.report(
                    &RULE,
                    &file,
                    node,
                    format!("`version: {version}` is not a SemVer 2 version"),
                )
                .help("write it as MAJOR.MINOR.PATCH, e.g. `1.0.0`");
            }
        }
    }
    if root.get("appVersion").and_then(Node::as_str).is_none() {
        cx.report_top(&RULE, &file, "`Chart.yaml` has no `appVersion`")
            .help("add the application's version, e.g. `appVersion: \"phase-4\"`");
    }
}
