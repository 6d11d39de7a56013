//! `AG-D026`: WORKDIR, not `cd`, changes directory.

use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks for `cd` in `RUN` commands.
    ///
    /// ## Why is this bad?
    /// A `cd` lasts only until the end of its `RUN`; the next instruction starts in the
    /// `WORKDIR` again, which surprises readers and leads to files copied or built in the wrong
    /// place. `WORKDIR` makes the directory explicit for every later instruction.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN cd /app && npm ci
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// WORKDIR /app
    /// RUN npm ci
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3003`.
    pub(crate) const RULE = {
        code: "AG-D026",
        name: "no-cd-in-run",
        target: Dockerfile,
        severity: Warning,
        summary: "`WORKDIR`, not `cd`, changes directory",
        aliases: [Hadolint("DL3003")],
        params: NoParams,
    };
}

/// Checks every command.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for (script, command) in checker.commands() {
        if command.program() == Some("cd") {
            checker
                .report(
                    script.head_range(command),
                    "`cd` in `RUN` lasts only for this `RUN`",
                )
                .help("set the directory with `WORKDIR`");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn cd_is_reported() {
        catches("AG-D026", "FROM a:1\nRUN cd /tmp && make\n", &[(2, 5)]);
        passes("AG-D026", "FROM a:1\nWORKDIR /tmp\nRUN make\n");
    }
}
