//! `AG-K206`: `helm` is on `PATH`, so charts are rendered and their manifests linted.

use crate::policy::registry::{NoParams, declare_rule};

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
    pub(crate) const RULE = {
        code: "AG-K206",
        name: "helm-available",
        target: Kubernetes,
        severity: Warning,
        summary: "`helm` is installed, so charts are rendered and their manifests linted",
        aliases: [],
        params: NoParams,
    };
}
