//! `AG-S001`: every suppression says why after ` -- `.

use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that every suppression says why the finding it silences is acceptable.
    ///
    /// ## Why is this bad?
    /// A suppression without a reason cannot be reviewed: the next reader does not know whether
    /// it was a considered exception or a way to make the linter quiet. The constitution allows
    /// exceptions, not silent ones.
    ///
    /// ## Example
    /// ```dockerfile
    /// # aigen:ignore AG-D004
    /// USER root
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # aigen:ignore AG-D004 -- the init container fixes volume ownership, then drops to 1000
    /// USER root
    /// ```
    ///
    /// ## Options
    /// None. The suppression still applies; only its missing reason is reported.
    pub(crate) const RULE = {
        code: "AG-S001",
        name: "suppression-reason",
        target: Any,
        severity: Error,
        summary: "suppressions give a reason after ` -- `",
        aliases: [],
        params: NoParams,
    };
}
