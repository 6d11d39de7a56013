//! `AG-D015`: apt package lists are removed in the RUN that fetched them.

use crate::policy::dockerfile::checker::{Checker, holds};
use crate::policy::dockerfile::shell::Command;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that a `RUN` in a stage of the final image that runs `update` or `install` of
    /// `apt-get`, `apt` or `aptitude` also removes the package lists: `rm -rf
    /// /var/lib/apt/lists/*` (or of a directory holding them) or `apt-get dist-clean` (apt 2.7
    /// and later). A `RUN --mount=type=cache` or `--mount=type=tmpfs` whose target is
    /// `/var/lib/apt/lists` or a directory holding it (`/var/lib/apt`) keeps the lists out of
    /// the layer and passes as well; a mount on `/var/cache/apt` alone does not (it holds the
    /// downloaded packages, not the lists).
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
    /// # or, with BuildKit, keep the lists in a cache between builds:
    /// RUN --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    ///     --mount=type=cache,target=/var/cache/apt,sharing=locked \
    ///     apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Options
    /// None. Build stages that the final image does not build on are not checked.
    ///
    /// ## References
    /// hadolint `DL3009`, which looks at `apt-get update` only and counts cache mounts but not
    /// tmpfs mounts.
    pub(crate) const RULE = {
        code: "AG-D015",
        name: "apt-lists-cleanup",
        target: Dockerfile,
        severity: Warning,
        summary: "`apt-get`, `apt` and `aptitude` runs remove `/var/lib/apt/lists/*` in the same layer",
        aliases: [Hadolint("DL3009")],
        params: NoParams,
    };
}

/// The front ends of apt that fetch package lists.
const APT_PROGRAMS: [&str; 3] = ["apt-get", "apt", "aptitude"];

/// Where apt keeps the package lists.
const LISTS: &str = "/var/lib/apt/lists";

/// True when a command removes the package lists: `rm` of the lists (or of a directory holding
/// them), or `apt-get dist-clean` / `apt dist-clean` (apt 2.7 and later).
fn removes_lists(command: &Command) -> bool {
    let removes = command.program() == Some("rm")
        && command.args().iter().any(|w| {
            let path = w.value.trim_end_matches('*').trim_end_matches('/');
            !path.is_empty() && (holds(path, LISTS) || w.value.starts_with(LISTS))
        });
    removes || command.runs("apt-get", "dist-clean") || command.runs("apt", "dist-clean")
}

/// True when a command fetches package lists: `update` or `install` of an apt front end.
fn fetches_lists(command: &Command) -> bool {
    APT_PROGRAMS
        .iter()
        .any(|program| command.runs(program, "install") || command.runs(program, "update"))
}

/// Checks each RUN of the final image's stages.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for (instruction, scripts) in checker.runs_in(&checker.final_stages()) {
        if Checker::mounts_over(instruction, LISTS) {
            continue;
        }
        let commands = || scripts.iter().flat_map(|s| s.commands.iter());
        if commands().any(removes_lists) {
            continue;
        }
        let first = scripts.iter().find_map(|script| {
            script
                .commands
                .iter()
                .find(|c| fetches_lists(c))
                .map(|c| (script.head_range(c), c.program().unwrap_or("apt-get")))
        });
        if let Some((range, program)) = first {
            checker
                .report(
                    range,
                    format!("`{program}` leaves its package lists in the layer"),
                )
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

    #[test]
    fn every_apt_front_end_counts_and_dist_clean_cleans() {
        catches(
            "AG-D015",
            "FROM a:1\nRUN apt update && apt install -y x\nRUN aptitude install -y x\n\
             RUN --mount=type=cache,target=/var/lib/apt/lists/partial apt-get update\n\
             RUN --mount=type=bind,target=/var/lib/apt apt-get update\n",
            &[(2, 5), (3, 5), (4, 58), (5, 43)],
        );
        passes(
            "AG-D015",
            "FROM a:1\nRUN apt-get update && apt-get install -y x && apt-get dist-clean\n\
             RUN --mount=type=tmpfs,target=/var/lib/apt apt update\n\
             RUN aptitude update && rm -rf /var/lib/apt\n",
        );
    }
}
