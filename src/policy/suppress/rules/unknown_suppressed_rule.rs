//! `AG-S003`: suppressions name rule codes aigen knows.

use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports suppressions that name a code aigen does not know.
    ///
    /// ## Why is this bad?
    /// A misspelt code silences nothing, while the comment suggests the exception was granted.
    ///
    /// ## Example
    /// ```dockerfile
    /// # aigen:ignore AG-D04 -- runs as root on purpose
    /// USER root
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # aigen:ignore AG-D004 -- runs as root on purpose
    /// USER root
    /// ```
    ///
    /// ## Options
    /// None. `aigen lint --list-rules` lists the codes.
    pub(crate) const RULE = {
        code: "AG-S003",
        name: "unknown-suppressed-rule",
        target: Any,
        severity: Error,
        summary: "suppressions name existing rule codes",
        aliases: [],
        params: NoParams,
    };
}
