//! `AG-K205`: the chart renders with `helm template`, so its manifests can be linted.

use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Renders a chart with `helm template` (with the values file given by `--values`, if any)
    /// and reports when rendering fails (at the template and line Helm names) or does not
    /// finish in time. When `helm` is not installed, `AG-K206` says so instead.
    ///
    /// When it renders, every rendered object is linted with the Kubernetes rules, and each
    /// finding points at the template it came from (the `# Source:` comment Helm writes), at
    /// the line of the template that produced the line found, where that line can be told.
    ///
    /// ## Why is this bad?
    /// A chart that does not render cannot be installed, and a chart aigen could not render is
    /// a chart whose Deployments, Services and Secrets were not checked.
    ///
    /// ## Example
    /// ```yaml
    /// # templates/backend-deployment.yaml
    /// replicas: {{ .Values.backend.replicaCount }}   # values.yaml has no `backend:`
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// replicas: {{ .Values.backend.replicas | default 2 }}
    /// ```
    ///
    /// ## Options
    /// None. Install Helm 3 (<https://helm.sh/docs/intro/install/>) for the rendered checks.
    pub(crate) const RULE = {
        code: "AG-K205",
        name: "chart-renders",
        target: Kubernetes,
        severity: Error,
        summary: "charts render with `helm template`",
        aliases: [],
        params: NoParams,
    };
}
