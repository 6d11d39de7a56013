//! `AG-K204`: the chart has a `.helmignore`.

use crate::policy::helm::ChartCx;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that a chart has a `.helmignore` file.
    ///
    /// ## Why is this bad?
    /// `helm package` puts everything in the chart directory into the archive unless
    /// `.helmignore` says otherwise: editor backups, `.git`, a filled-in `secret.yaml` or a
    /// local `values-*.yaml` with real credentials end up in the package and in the chart
    /// repository.
    ///
    /// ## Example
    /// A chart directory without `.helmignore`.
    ///
    /// ## Use instead
    /// ```text
    /// # .helmignore
    /// .git/
    /// .DS_Store
    /// *.swp
    /// *.bak
    /// # The filled-in secret.yaml beside Chart.yaml; a leading `/` keeps the rule off
    /// # templates/secret.yaml, which a bare `secret.yaml` would leave out of every render.
    /// /secret.yaml
    /// ```
    ///
    /// ## Options
    /// None.
    pub(crate) const RULE = {
        code: "AG-K204",
        name: "chart-helmignore",
        target: Kubernetes,
        severity: Warning,
        summary: "charts have a `.helmignore`",
        aliases: [],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut ChartCx<'_>) {
    if cx.read(".helmignore").is_none() {
        cx.report_file(&RULE, "Chart.yaml", "the chart has no `.helmignore`")
            .help("add one that excludes `.git/`, editor files and filled-in secrets");
    }
}
