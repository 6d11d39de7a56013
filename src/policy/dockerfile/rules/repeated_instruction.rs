//! `AG-D031`: a stage has at most one CMD, ENTRYPOINT and HEALTHCHECK.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports a `CMD`, `ENTRYPOINT` or `HEALTHCHECK` that a later one in the same stage
    /// overrides.
    ///
    /// ## Why is this bad?
    /// Only the last of each takes effect; the earlier ones are dead code that readers (and
    /// reviewers of generated Dockerfiles) take for what the image does.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD ["npm", "run", "dev"]
    /// CMD ["npm", "start"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// CMD ["npm", "start"]
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL4003`, `DL4004`, `DL3012`; BuildKit `MultipleInstructionsDisallowed`.
    pub(crate) const RULE = {
        code: "AG-D031",
        name: "repeated-instruction",
        target: Dockerfile,
        severity: Warning,
        summary: "a stage has one `CMD`, one `ENTRYPOINT` and one `HEALTHCHECK`",
        aliases: [Hadolint("DL4003"), Hadolint("DL4004"), Hadolint("DL3012"), BuildKit("MultipleInstructionsDisallowed")],
        params: NoParams,
    };
}

/// Looks for overridden instructions in each stage.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for stage in &checker.model.stages {
        let body = checker.model.body(checker.file, stage);
        for keyword in [Keyword::Cmd, Keyword::Entrypoint, Keyword::Healthcheck] {
            let all: Vec<_> = body.iter().filter(|i| i.keyword == keyword).collect();
            if let Some((last, earlier)) = all.split_last() {
                for instruction in earlier {
                    checker
                        .report(
                            instruction.keyword_range.clone(),
                            format!(
                                "this `{}` is overridden by the one on line {}",
                                keyword.as_str(),
                                last.first_line
                            ),
                        )
                        .help("remove it; only the last one takes effect");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn overridden_instructions_are_reported() {
        catches(
            "AG-D031",
            "FROM a:1\nCMD a\nENTRYPOINT b\nCMD c\nHEALTHCHECK NONE\nHEALTHCHECK CMD x\n",
            &[(2, 1), (5, 1)],
        );
        passes("AG-D031", "FROM a:1 AS b\nCMD a\nFROM b\nCMD c\n");
    }
}
