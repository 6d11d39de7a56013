//! `AG-D017`: pip install keeps no download cache.

use crate::policy::dockerfile::checker::Checker;
use crate::policy::dockerfile::shell::Command;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that `pip install` (also `pip3`, `python -m pip`) runs with `--no-cache-dir`,
    /// unless `PIP_NO_CACHE_DIR` is set in the stage or the pip cache is a cache mount.
    ///
    /// ## Why is this bad?
    /// pip keeps every downloaded wheel in `~/.cache/pip`; in an image that cache is dead
    /// weight, often larger than the installed packages.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3042`.
    pub(crate) const RULE = {
        code: "AG-D017",
        name: "pip-no-cache-dir",
        target: Dockerfile,
        severity: Warning,
        summary: "`pip install` uses `--no-cache-dir`",
        aliases: [Hadolint("DL3042")],
        params: NoParams,
    };
}

/// True for `pip install`, `pip3.13 install` and `python -m pip install`.
pub(crate) fn is_pip_install(command: &Command) -> bool {
    let Some(program) = command.program() else {
        return false;
    };
    let args = command.args();
    if program.starts_with("pip") {
        return command.subcommand().is_some_and(|w| w.value == "install");
    }
    program.starts_with("python")
        && args.len() >= 3
        && args[0].value == "-m"
        && args[1].value == "pip"
        && args[2].value == "install"
}

/// Checks every pip install.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for stage in checker.all_stages() {
        let env_off = checker
            .stage_vars(stage)
            .iter()
            .any(|(name, value)| name == "PIP_NO_CACHE_DIR" && value.as_deref() != Some("0"));
        if env_off {
            continue;
        }
        for (instruction, scripts) in checker.runs_in(&[stage]) {
            if Checker::mounts_cache(instruction, "/root/.cache")
                || instruction.flags.iter().any(|f| {
                    f.value
                        .as_deref()
                        .is_some_and(|v| v.contains("type=cache") && v.contains("pip"))
                })
            {
                continue;
            }
            for script in scripts {
                for command in script.commands.iter().filter(|c| is_pip_install(c)) {
                    if !command.has_option("--no-cache-dir", None) {
                        let words = command.effective_words();
                        let end = words
                            .iter()
                            .find(|w| w.value == "install")
                            .map_or(words[0].range.end, |w| w.range.end);
                        checker
                            .report(script.source_range(words[0].range.start..end), "`pip install` without `--no-cache-dir`")
                            .help("add `--no-cache-dir`, or set `ENV PIP_NO_CACHE_DIR=1` in the stage");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn pip_keeps_no_cache() {
        catches(
            "AG-D017",
            "FROM python:3\nRUN pip install -r r.txt && python -m pip install x\n",
            &[(2, 5), (2, 29)],
        );
        passes(
            "AG-D017",
            "FROM python:3\nRUN pip install --no-cache-dir -r r.txt\n",
        );
        passes(
            "AG-D017",
            "FROM python:3\nENV PIP_NO_CACHE_DIR=1\nRUN pip install x\n",
        );
        passes(
            "AG-D017",
            "FROM python:3\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n",
        );
    }
}
