//! `AG-K203`: the chart has templates, its helpers and its install notes.

use crate::policy::helm::ChartCx;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that a chart has a `templates/` directory with at least one manifest template,
    /// a `templates/_helpers.tpl` and a `templates/NOTES.txt`.
    ///
    /// ## Why is this bad?
    /// `_helpers.tpl` is where names and labels are defined once (`todo-app.fullname`,
    /// `todo-app.labels`); without it each template repeats them, and they drift, which breaks
    /// selectors. `NOTES.txt` is what `helm install` prints: how to reach the NodePorts, how to
    /// create the Secret. The constitution lists both in the chart's structure.
    ///
    /// ## Example
    /// ```text
    /// todo-app/
    ///   Chart.yaml
    ///   values.yaml
    ///   templates/
    ///     deployment.yaml
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// todo-app/
    ///   Chart.yaml
    ///   values.yaml
    ///   templates/
    ///     _helpers.tpl
    ///     NOTES.txt
    ///     backend-deployment.yaml
    /// ```
    ///
    /// ## Options
    /// None.
    pub(crate) const RULE = {
        code: "AG-K203",
        name: "chart-templates",
        target: Kubernetes,
        severity: Error,
        summary: "charts have templates, `_helpers.tpl` and `NOTES.txt`",
        aliases: [],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut ChartCx<'_>) {
    let templates = cx.templates();
    let Some(templates) = templates else {
        cx.report_file(
            &RULE,
            "Chart.yaml",
            "the chart has no `templates/` directory",
        )
        .help("add `templates/` with the chart's manifests, `_helpers.tpl` and `NOTES.txt`");
        return;
    };
    if !templates.iter().any(|n| {
        n.ends_with(".yaml") || n.ends_with(".yml") || n.ends_with(".tpl") && n != "_helpers.tpl"
    }) {
        cx.report_file(
            &RULE,
            "Chart.yaml",
            "`templates/` holds no manifest template",
        )
        .help("add the chart's manifests under `templates/`");
    }
    for (name, what) in [
        ("_helpers.tpl", "the shared name and label helpers"),
        ("NOTES.txt", "the notes `helm install` prints"),
    ] {
        if !templates.iter().any(|n| n == name) {
            cx.report_file(
                &RULE,
                "Chart.yaml",
                format!("the chart has no `templates/{name}` ({what})"),
            )
            .help(format!("add `templates/{name}`"));
        }
    }
}
