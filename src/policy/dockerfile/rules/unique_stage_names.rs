//! `AG-D025`: stage names are unique and not reserved.

use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that no two stages share a name (names compare case-insensitively) and that no
    /// stage is named `scratch` or `context`.
    ///
    /// ## Why is this bad?
    /// `COPY --from=build` takes the first stage of that name, so a second `AS build` is
    /// silently never referenced. `scratch` and `context` already mean something to the builder.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-alpine AS build
    /// FROM python:3.13-slim AS build
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:20-alpine AS web-build
    /// FROM python:3.13-slim AS api-build
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3024`, `DL3063`; checkov `CKV_DOCKER_11`; BuildKit `DuplicateStageName`,
    /// `ReservedStageName`.
    pub(crate) const RULE = {
        code: "AG-D025",
        name: "unique-stage-names",
        target: Dockerfile,
        severity: Error,
        summary: "stage names are unique and not reserved",
        aliases: [Hadolint("DL3024"), Hadolint("DL3063"), Checkov("CKV_DOCKER_11"), BuildKit("DuplicateStageName"), BuildKit("ReservedStageName")],
        params: NoParams,
    };
}

/// Compares each stage name with the earlier ones.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let stages = &checker.model.stages;
    for (i, stage) in stages.iter().enumerate() {
        let Some(name) = &stage.name else {
            continue;
        };
        let lower = name.value.to_ascii_lowercase();
        if lower == "scratch" || lower == "context" {
            checker
                .report(
                    name.range.clone(),
                    format!("stage name `{}` is reserved", name.value),
                )
                .help("choose another name");
            continue;
        }
        let earlier = stages[..i].iter().find(|s| {
            s.name
                .as_ref()
                .is_some_and(|n| n.value.eq_ignore_ascii_case(&name.value))
        });
        if let Some(earlier) = earlier {
            let line = checker
                .cx
                .source
                .position(checker.file.instructions[earlier.from].keyword_range.start)
                .line;
            checker
                .report(
                    name.range.clone(),
                    format!("stage name `{}` is already used on line {line}", name.value),
                )
                .help("give each stage its own name");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn names_are_unique() {
        catches(
            "AG-D025",
            "FROM a:1 AS build\nFROM b:1 AS Build\nFROM c:1 AS scratch\n",
            &[(2, 13), (3, 13)],
        );
        passes("AG-D025", "FROM a:1 AS build\nFROM b:1 AS test\nFROM c:1\n");
    }
}
