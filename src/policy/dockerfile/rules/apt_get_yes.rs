//! `AG-D019`: apt-get install runs without prompting.

use crate::policy::dockerfile::checker::Checker;
use crate::policy::dockerfile::shell::Command;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that `apt-get install` answers its prompt with `-y` (`--yes`, `--assume-yes`)
    /// or runs at quiet level 2, which implies `-y`: `-qq`, `-q -q`, `-q=2`, `--quiet=2`,
    /// `--quiet --quiet`.
    ///
    /// ## Why is this bad?
    /// Without it, `apt-get` asks for confirmation, reads end-of-file from the build's stdin and
    /// aborts the build as soon as a package needs a dependency.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get install --no-install-recommends curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3014`.
    pub(crate) const RULE = {
        code: "AG-D019",
        name: "apt-get-yes",
        target: Dockerfile,
        severity: Warning,
        summary: "`apt-get install` runs with `-y`",
        aliases: [Hadolint("DL3014")],
        params: NoParams,
    };
}

/// Checks every `apt-get install`.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for (script, command) in checker.commands() {
        if !command.runs("apt-get", "install") {
            continue;
        }
        let yes = command.has_option("--yes", Some('y'))
            || command.has_option("--assume-yes", None)
            || quiet_level(command) >= 2;
        if !yes {
            checker
                .report(
                    script.head_range(command),
                    "`apt-get install` without `-y` waits for an answer",
                )
                .help("add `-y`");
        }
    }
}

/// apt's quiet level: each `-q` (alone or in a cluster such as `-qq` or `-yq`) and each
/// `--quiet` adds one; `-q=N` and `--quiet=N` set it.
fn quiet_level(command: &Command) -> u32 {
    command.args().iter().fold(0, |level, word| {
        let v = word.value.as_str();
        if let Some(set) = v.strip_prefix("-q=").or_else(|| v.strip_prefix("--quiet=")) {
            set.parse().unwrap_or(level)
        } else if v == "--quiet" {
            level + 1
        } else if v.starts_with('-')
            && !v.starts_with("--")
            && v[1..].chars().all(|c| c.is_ascii_alphanumeric())
        {
            level + u32::try_from(v.matches('q').count()).unwrap_or(u32::MAX)
        } else {
            level
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn apt_get_install_says_yes() {
        catches("AG-D019", "FROM a:1\nRUN apt-get install curl\n", &[(2, 5)]);
        passes(
            "AG-D019",
            "FROM a:1\nRUN apt-get install -qy curl && apt-get --yes install x && apt-get -qq install y\n",
        );
        passes(
            "AG-D019",
            "FROM a:1\nRUN apt-get install -q -q x && apt-get install -q=2 x && apt-get --quiet --quiet install x\n",
        );
        catches(
            "AG-D019",
            "FROM a:1\nRUN apt-get install -q x && apt-get install --quiet=1 x\n",
            &[(2, 5), (2, 29)],
        );
    }
}
