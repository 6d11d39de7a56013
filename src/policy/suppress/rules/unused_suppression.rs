//! `AG-S002`: every suppression silences a finding.

use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports suppressions that did not silence any finding.
    ///
    /// ## Why is this bad?
    /// A suppression that matches nothing is either stale (the problem was fixed) or misplaced
    /// (it sits before the wrong instruction or names the wrong code). Either way it misleads
    /// reviewers and would silently hide a future finding.
    ///
    /// ## Example
    /// ```dockerfile
    /// # aigen:ignore AG-D012 -- legacy tarball
    /// COPY app.tar.gz /app/
    /// ```
    ///
    /// ## Use instead
    /// Remove the suppression, or move it before the instruction that has the finding.
    ///
    /// ## Options
    /// None. Suppressions of rules the constitution turned off are not reported.
    pub(crate) const RULE = {
        code: "AG-S002",
        name: "unused-suppression",
        target: Any,
        severity: Warning,
        summary: "every suppression silences a finding",
        aliases: [],
        params: NoParams,
    };
}
