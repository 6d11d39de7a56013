//! `AG-D027`: consecutive RUN instructions are merged.

use crate::policy::dockerfile::ast::{Instruction, Keyword};
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` that directly follows another `RUN` of the same stage with the same
    /// flags.
    ///
    /// ## Why is this bad?
    /// Each `RUN` adds a layer; files a later `RUN` deletes still weigh in the earlier layer.
    /// Joining related steps with `&&` keeps the image small and the step atomic.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apt-get update \
    ///     && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3059`.
    pub(crate) const RULE = {
        code: "AG-D027",
        name: "consecutive-run",
        target: Dockerfile,
        severity: Info,
        summary: "consecutive `RUN` instructions are joined",
        aliases: [Hadolint("DL3059")],
        params: NoParams,
    };
}

fn same_flags(a: &Instruction, b: &Instruction) -> bool {
    let flags = |i: &Instruction| {
        let mut f: Vec<(String, Option<String>)> = i
            .flags
            .iter()
            .map(|f| (f.name.clone(), f.value.clone()))
            .collect();
        f.sort();
        f
    };
    flags(a) == flags(b)
}

/// Compares neighbouring instructions.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for pair in checker.file.instructions.windows(2) {
        let [previous, current] = pair else {
            continue;
        };
        if previous.keyword == Keyword::Run
            && current.keyword == Keyword::Run
            && same_flags(previous, current)
        {
            checker
                .report(
                    current.keyword_range.clone(),
                    format!("`RUN` follows the `RUN` on line {}", previous.first_line),
                )
                .help("join them with `&&` into one layer");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn neighbouring_runs_are_reported() {
        catches(
            "AG-D027",
            "FROM a:1\nRUN a\n# c\nRUN b\nRUN c\n",
            &[(4, 1), (5, 1)],
        );
        passes(
            "AG-D027",
            "FROM a:1\nRUN a\nCOPY x y\nRUN b\nRUN --mount=type=cache,target=/c c\n",
        );
    }
}
