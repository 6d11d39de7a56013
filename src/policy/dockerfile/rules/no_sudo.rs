//! `AG-D021`: RUN does not use sudo.

use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that no `RUN` command runs through `sudo`.
    ///
    /// ## Why is this bad?
    /// Build steps already run as the current `USER`; `sudo` needs a TTY or a sudoers entry,
    /// behaves differently across base images, and its presence in an image hands any process
    /// a way back to root. Switch users with `USER` instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// USER app
    /// RUN sudo apt-get install -y curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apt-get install -y --no-install-recommends curl
    /// USER app
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3004`; checkov `CKV2_DOCKER_1`.
    pub(crate) const RULE = {
        code: "AG-D021",
        name: "no-sudo",
        target: Dockerfile,
        severity: Error,
        summary: "`RUN` does not use `sudo`",
        aliases: [Hadolint("DL3004"), Checkov("CKV2_DOCKER_1")],
        params: NoParams,
    };
}

/// Checks every command.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for (script, command) in checker.commands() {
        let Some(first) = command.program_words().first() else {
            continue;
        };
        if first.value == "sudo" || first.value.ends_with("/sudo") {
            checker
                .report(script.source_range(first.range.clone()), "`RUN` uses `sudo`")
                .help("run the step before switching `USER`, or use `USER root` for the step and switch back");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn sudo_is_reported() {
        catches(
            "AG-D021",
            "FROM a:1\nRUN sudo -u app make && X=1 sudo true\n",
            &[(2, 5), (2, 29)],
        );
        passes("AG-D021", "FROM a:1\nRUN echo sudo\n");
    }
}
