//! `AG-D016`: apk add keeps no package cache.

use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that `apk add` runs with `--no-cache`, unless the same `RUN` removes
    /// `/var/cache/apk/*` or mounts a cache or a tmpfs (`RUN --mount=type=cache` or
    /// `--mount=type=tmpfs`) whose target is `/var/cache/apk` or a directory holding it: what
    /// apk writes there never reaches the layer.
    ///
    /// ## Why is this bad?
    /// Without `--no-cache`, the package index and downloaded packages stay in the layer; on
    /// Alpine images that is often a sizeable share of the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk update && apk add curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apk add --no-cache curl
    /// # or, with BuildKit, keep the cache between builds:
    /// RUN --mount=type=cache,target=/var/cache/apk apk add curl
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3019`.
    pub(crate) const RULE = {
        code: "AG-D016",
        name: "apk-no-cache",
        target: Dockerfile,
        severity: Warning,
        summary: "`apk add` uses `--no-cache`",
        aliases: [Hadolint("DL3019")],
        params: NoParams,
    };
}

/// Where apk keeps its index and packages.
const CACHE: &str = "/var/cache/apk";

/// Checks every `apk add`.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for (instruction, scripts) in checker.runs_in(&checker.all_stages()) {
        if Checker::mounts_over(instruction, CACHE) {
            continue;
        }
        let cleaned = scripts
            .iter()
            .flat_map(|s| s.running("rm"))
            .any(|rm| rm.args().iter().any(|w| w.value.starts_with(CACHE)));
        if cleaned {
            continue;
        }
        for script in scripts {
            for command in script.commands.iter().filter(|c| c.runs("apk", "add")) {
                if !command.has_option("--no-cache", None) {
                    checker
                        .report(script.head_range(command), "`apk add` without `--no-cache`")
                        .help("use `apk add --no-cache ...` (and drop `apk update`)");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn apk_add_keeps_no_cache() {
        catches(
            "AG-D016",
            "FROM alpine:3\nRUN apk update && apk add curl\n",
            &[(2, 19)],
        );
        passes(
            "AG-D016",
            "FROM alpine:3\nRUN apk add --no-cache curl\nRUN apk add x && rm -rf /var/cache/apk/*\n",
        );
        passes(
            "AG-D016",
            "FROM alpine:3\nRUN --mount=type=tmpfs,target=/var/cache apk add curl\n\
             RUN --mount=type=cache,target=/var/cache/apk/ apk add curl\n",
        );
        catches(
            "AG-D016",
            "FROM alpine:3\nRUN --mount=type=bind,target=/var/cache/apk apk add curl\n",
            &[(2, 45)],
        );
    }
}
