//! `AG-D014`: apt-get install skips recommended packages.

use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that `apt-get install` runs with `--no-install-recommends` (or
    /// `-o APT::Install-Recommends=false`).
    ///
    /// ## Why is this bad?
    /// Recommended packages are not needed to run the program and often add tens or hundreds of
    /// megabytes (documentation, X libraries, compilers). The constitution caps image sizes.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3015`.
    pub(crate) const RULE = {
        code: "AG-D014",
        name: "apt-no-install-recommends",
        target: Dockerfile,
        severity: Warning,
        summary: "`apt-get install` uses `--no-install-recommends`",
        aliases: [Hadolint("DL3015")],
        params: NoParams,
    };
}

/// Checks every `apt-get install`.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for (script, command) in checker.commands() {
        if !command.runs("apt-get", "install") {
            continue;
        }
        let off = command.has_option("--no-install-recommends", None)
            || command.args().iter().any(|w| {
                w.value.contains("Install-Recommends=false")
                    || w.value.contains("Install-Recommends=0")
            });
        if !off {
            checker
                .report(
                    script.head_range(command),
                    "`apt-get install` without `--no-install-recommends`",
                )
                .help("add `--no-install-recommends` to install only what the packages need");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn recommends_are_skipped() {
        catches(
            "AG-D014",
            "FROM a:1\nRUN apt-get update && apt-get install -y curl\n",
            &[(2, 23)],
        );
        passes(
            "AG-D014",
            "FROM a:1\nRUN apt-get install -y --no-install-recommends curl\nRUN apt-get -o APT::Install-Recommends=false install x\n",
        );
    }
}
