//! `AG-K202`: the chart has a `values.yaml`, and every values file is a YAML mapping.

use crate::policy::helm::ChartCx;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that a chart has a `values.yaml`, and that it and every other values file of the
    /// chart directory (`values-dev.yaml`, `values-prod.yaml`, ...) is valid YAML whose top is
    /// a mapping.
    ///
    /// ## Why is this bad?
    /// `values.yaml` holds the defaults every template relies on; without it, every
    /// `.Values.x.y` lookup fails or renders empty. A values file that is not valid YAML is
    /// only found at `helm install` time, on the environment it was meant for.
    ///
    /// ## Example
    /// ```yaml
    /// # values-dev.yaml
    /// backend:
    ///   replicas: 2
    ///  image: todo/backend:1.0.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// backend:
    ///   replicas: 2
    ///   image: todo/backend:1.0.0
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// `helm lint` (values checks).
    pub(crate) const RULE = {
        code: "AG-K202",
        name: "chart-values",
        target: Kubernetes,
        severity: Error,
        summary: "charts have a values.yaml and every values file is a YAML mapping",
        aliases: [],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut ChartCx<'_>) {
    let mut names = cx.values_files();
    if !names.iter().any(|n| n == "values.yaml") {
        cx.report_file(&RULE, "Chart.yaml", "the chart has no `values.yaml`")
            .help("add a `values.yaml` with the defaults its templates use");
    }
    names.sort();
    for name in names {
        let Some(file) = cx.read(&name) else {
            continue;
        };
        let Some(root) = cx.parse(&RULE, &file) else {
            continue;
        };
        if !root.is_map() && !root.is_null() {
            cx.report(
                &RULE,
                &file,
                &root,
                format!("`{name}` is not a mapping of values"),
            )
            .help("write values as `key: value` pairs");
        }
    }
}
