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

declare_rule! {
    /// ## What it does
    /// Reports a chart that could not be rendered because `helm` is not on `PATH`. The chart's
    /// own files (`Chart.yaml`, values files, templates directory, `.helmignore`) are still
    /// checked; its manifests are not.
    ///
    /// ## Why is this bad?
    /// A chart whose manifests were not rendered was not checked against the constitution:
    /// a lint run that says nothing about it is not a clean bill of health.
    ///
    /// ## Example
    /// `aigen lint helm-charts/todo-app` on a machine without Helm.
    ///
    /// ## Use instead
    /// Install Helm 3 (<https://helm.sh/docs/intro/install/>: a package such as `brew install
    /// helm`, `choco install kubernetes-helm`, `snap install helm --classic`, or the release
    /// binary) and lint again.
    ///
    /// ## Options
    /// None. Turn it `off` in the constitution where charts are linted elsewhere.
    pub(crate) const HELM_AVAILABLE = {
        code: "AG-K206",
        name: "helm-available",
        target: Kubernetes,
        severity: Warning,
        summary: "`helm` is installed, so charts are rendered and their manifests linted",
        aliases: [],
        params: NoParams,
    };
}
