//! `AG-D020`: scripts use apt-get, not apt.

use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that `RUN` uses `apt-get` (or `apt-cache`) rather than `apt`.
    ///
    /// ## Why is this bad?
    /// `apt` is meant for people at a terminal: its output and options may change between
    /// releases and it warns that it has no stable command-line interface. `apt-get` is the
    /// interface for scripts.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt update && apt install -y curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3027`.
    pub(crate) const RULE = {
        code: "AG-D020",
        name: "apt-get-not-apt",
        target: Dockerfile,
        severity: Warning,
        summary: "scripts use `apt-get`, not `apt`",
        aliases: [Hadolint("DL3027")],
        params: NoParams,
    };
}

/// Checks every command.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for (script, command) in checker.commands() {
        if command.program() == Some("apt") {
            checker
                .report(script.head_range(command), "`apt` is for interactive use")
                .help("use `apt-get` in scripts");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn apt_is_reported() {
        catches(
            "AG-D020",
            "FROM a:1\nRUN apt update && apt install -y x\n",
            &[(2, 5), (2, 19)],
        );
        passes(
            "AG-D020",
            "FROM a:1\nRUN apt-get update && apt-cache policy x\n",
        );
    }
}
