//! `AG-D034`: a relative COPY destination comes after a WORKDIR.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that `COPY` and `ADD` to a relative destination come after a `WORKDIR` in the
    /// stage (or in a stage it builds on).
    ///
    /// ## Why is this bad?
    /// Without a `WORKDIR`, a relative destination is resolved against whatever directory the
    /// base image left, usually `/`: the application ends up scattered over the root of the
    /// filesystem, and moves when the base image changes.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// COPY . .
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// WORKDIR /app
    /// COPY . .
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3045`.
    pub(crate) const RULE = {
        code: "AG-D034",
        name: "copy-relative-without-workdir",
        target: Dockerfile,
        severity: Warning,
        summary: "a relative `COPY` destination follows a `WORKDIR`",
        aliases: [Hadolint("DL3045")],
        params: NoParams,
    };
}

/// Tracks WORKDIR through each stage.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for stage in &checker.model.stages {
        let mut has_workdir = checker.inherited(stage.index, Keyword::Workdir).is_some();
        for instruction in checker.model.body(checker.file, stage) {
            match instruction.keyword {
                Keyword::Workdir => has_workdir = true,
                Keyword::Copy | Keyword::Add if !has_workdir => {
                    let Some(destination) = instruction.words.last() else {
                        continue;
                    };
                    let dest = destination.value.as_str();
                    let absolute = dest.starts_with('/')
                        || dest.starts_with('$')
                        || dest.contains(":\\")
                        || dest.contains(":/");
                    if instruction.words.len() >= 2 && !absolute {
                        checker
                            .report(
                                destination.range.clone(),
                                format!(
                                    "`{}` copies to the relative `{dest}` with no `WORKDIR` set",
                                    instruction.keyword.as_str()
                                ),
                            )
                            .help("set `WORKDIR /app` (or another absolute directory) first");
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn relative_destinations_need_a_workdir() {
        catches(
            "AG-D034",
            "FROM a:1\nCOPY . .\nWORKDIR /app\nCOPY . .\n",
            &[(2, 8)],
        );
        passes(
            "AG-D034",
            "FROM a:1 AS base\nWORKDIR /app\nFROM base\nCOPY . .\nCOPY x /etc/x\n",
        );
    }
}
