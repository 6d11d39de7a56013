//! `AG-D028`: pipes in RUN fail when any part fails.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks `RUN` commands that use a pipe (`|`): the stage's `SHELL` must set
    /// `-o pipefail`, or the script must run `set -o pipefail` before the pipe.
    ///
    /// ## Why is this bad?
    /// `/bin/sh -c` takes a pipeline's status from its last command, so
    /// `curl -fsSL https://... | sh` builds successfully when the download fails, and
    /// the image silently lacks what the step was for.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
    /// ```
    ///
    /// ## Options
    /// None. Stages whose `SHELL` is not a POSIX shell (PowerShell, cmd) are skipped.
    ///
    /// ## References
    /// hadolint `DL4006`.
    pub(crate) const RULE = {
        code: "AG-D028",
        name: "pipefail",
        target: Dockerfile,
        severity: Warning,
        summary: "`RUN` with a pipe sets `-o pipefail`",
        aliases: [Hadolint("DL4006")],
        params: NoParams,
    };
}

/// Checks the RUNs of each stage.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for stage in checker.all_stages() {
        let Some(stage_ref) = checker.model.stages.get(stage) else {
            continue;
        };
        let mut shell_sets_pipefail = false;
        let mut posix = true;
        if let Some((_, shell)) = checker.inherited(stage, Keyword::Shell) {
            (shell_sets_pipefail, posix) = shell_settings(shell);
        }
        for instruction in checker.model.body(checker.file, stage_ref) {
            if instruction.keyword == Keyword::Shell {
                (shell_sets_pipefail, posix) = shell_settings(instruction);
                continue;
            }
            if instruction.keyword != Keyword::Run
                || instruction.is_exec_form()
                || shell_sets_pipefail
                || !posix
            {
                continue;
            }
            for script in checker.scripts(instruction) {
                let mut pipefail = false;
                for command in &script.commands {
                    if command.program() == Some("set")
                        && command
                            .args()
                            .iter()
                            .any(|a| a.value == "pipefail" || a.value.contains("pipefail"))
                    {
                        pipefail = true;
                    }
                    if command.joint == crate::policy::dockerfile::shell::Joint::Pipe && !pipefail {
                        checker
                            .report(script.head_range(command), "a pipe in `RUN` hides failures of all but its last command")
                            .help("add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before it, or start the command with `set -o pipefail &&`");
                        break;
                    }
                }
            }
        }
    }
}

/// Whether a SHELL instruction sets pipefail, and whether it is a POSIX shell.
fn shell_settings(shell: &crate::policy::dockerfile::ast::Instruction) -> (bool, bool) {
    let Some(Ok(words)) = &shell.exec else {
        return (false, true);
    };
    let program = words
        .first()
        .map(|w| {
            w.value
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(&w.value)
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let posix = !(program.starts_with("pwsh")
        || program.starts_with("powershell")
        || program.starts_with("cmd"));
    let pipefail = words.windows(2).any(|w| {
        w[0].value.starts_with('-') && w[0].value.contains('o') && w[1].value == "pipefail"
    });
    (pipefail, posix)
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn pipes_need_pipefail() {
        catches(
            "AG-D028",
            "FROM a:1\nRUN curl -fsSL x | sh\nRUN echo a | tee b && y\n",
            &[(2, 5), (3, 5)],
        );
        passes(
            "AG-D028",
            "FROM a:1\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN curl x | sh\n",
        );
        passes(
            "AG-D028",
            "FROM a:1\nRUN set -euo pipefail && curl x | sh\nRUN [\"sh\", \"-c\", \"a | b\"]\n",
        );
        passes(
            "AG-D028",
            "FROM a:1 AS base\nSHELL [\"/bin/ash\", \"-o\", \"pipefail\", \"-c\"]\nFROM base\nRUN a | b\n",
        );
    }
}
