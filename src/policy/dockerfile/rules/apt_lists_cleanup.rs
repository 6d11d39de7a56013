//! `AG-D015`: apt package lists are removed in the RUN that fetched them.

use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that a `RUN` in a stage of the final image that runs `apt-get update` or
    /// `apt-get install` also removes `/var/lib/apt/lists/*`, unless the lists live in a cache
    /// mount.
    ///
    /// ## Why is this bad?
    /// The package lists are tens of megabytes that nothing in the running container uses, and a
    /// later `RUN rm` does not shrink the layer that added them.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Options
    /// None. Build stages that the final image does not build on are not checked.
    ///
    /// ## References
    /// hadolint `DL3009`.
    pub(crate) const RULE = {
        code: "AG-D015",
        name: "apt-lists-cleanup",
        target: Dockerfile,
        severity: Warning,
        summary: "`apt-get` runs remove `/var/lib/apt/lists/*` in the same layer",
        aliases: [Hadolint("DL3009")],
        params: NoParams,
    };
}

/// Checks each RUN of the final image's stages.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for (instruction, scripts) in checker.runs_in(&checker.final_stages()) {
        if Checker::mounts_cache(instruction, "/var/lib/apt") {
            continue;
        }
        let cleaned = scripts.iter().flat_map(|s| s.running("rm")).any(|rm| {
            rm.args()
                .iter()
                .any(|w| w.value.starts_with("/var/lib/apt/lists"))
        });
        if cleaned {
            continue;
        }
        let first = scripts.iter().find_map(|script| {
            script
                .commands
                .iter()
                .find(|c| c.runs("apt-get", "install") || c.runs("apt-get", "update"))
                .map(|c| script.head_range(c))
        });
        if let Some(range) = first {
            checker
                .report(range, "`apt-get` leaves its package lists in the layer")
                .help("end the same `RUN` with `&& rm -rf /var/lib/apt/lists/*`");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn lists_are_removed_in_the_same_run() {
        catches(
            "AG-D015",
            "FROM a:1\nRUN apt-get update && apt-get install -y x\n",
            &[(2, 5)],
        );
        passes(
            "AG-D015",
            "FROM a:1\nRUN apt-get update && apt-get install -y x \\\n && rm -rf /var/lib/apt/lists/*\n",
        );
        passes(
            "AG-D015",
            "FROM a:1 AS build\nRUN apt-get update\nFROM a:1\n",
        );
        passes(
            "AG-D015",
            "FROM a:1\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\n",
        );
    }
}
