//! `AG-D004`: the final image runs as a user other than root.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::dockerfile::model::is_root;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks the user the final stage runs as: the last `USER` of the final stage (or of the
    /// stage it builds on). No `USER` at all means root, and so do `USER root` and `USER 0`.
    ///
    /// ## Why is this bad?
    /// A process running as root inside a container is one kernel bug or one mounted socket away
    /// from root on the node. The Phase IV constitution requires a non-root user in the final
    /// stage, and the Kubernetes side (`runAsNonRoot: true`) refuses to start an image whose user
    /// is root.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// COPY . /app
    /// CMD ["python", "/app/main.py"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// RUN useradd --create-home --uid 1000 appuser
    /// COPY --chown=appuser:appuser . /app
    /// USER appuser
    /// CMD ["python", "/app/main.py"]
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3002` (last USER root; it does not report a missing USER); checkov
    /// `CKV_DOCKER_3` (a USER exists), `CKV_DOCKER_8` (last USER not root).
    pub(crate) const RULE = {
        code: "AG-D004",
        name: "non-root-user",
        target: Dockerfile,
        severity: Error,
        summary: "the final stage runs as a non-root user",
        aliases: [Hadolint("DL3002"), Checkov("CKV_DOCKER_3"), Checkov("CKV_DOCKER_8")],
        params: NoParams,
    };
}

/// Finds the final user and reports root.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let Some(last) = checker.model.final_stage() else {
        return;
    };
    if checker.effective(last.index, Keyword::User).is_none() {
        let from = &checker.file.instructions[last.from];
        let range = from.keyword_range.start..last.image.range.end;
        checker
            .report(range, "the final stage runs as root: no `USER` is set")
            .help("create a user and switch to it, e.g. `RUN useradd --uid 1000 appuser` then `USER appuser`");
    } else if let Some(user) = checker.final_user()
        && !user.unresolved
        && is_root(&user.value)
    {
        checker
            .report(user.word.range.clone(), format!("the final stage runs as `{}`", user.value))
            .help("switch to a non-root user (a name or a UID such as 1000) before the image's command");
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn root_final_users_are_reported() {
        catches("AG-D004", "FROM a:1\nRUN x\n", &[(1, 1)]);
        catches("AG-D004", "FROM a:1\nUSER app\nUSER root:root\n", &[(3, 6)]);
        catches("AG-D004", "ARG U=0\nFROM a:1\nUSER $U\n", &[(3, 6)]);
        catches("AG-D004", "FROM a:1 AS b\nUSER app\nFROM a:1\n", &[(3, 1)]);
        passes("AG-D004", "FROM a:1 AS b\nUSER root\nFROM b\nUSER 1000\n");
        passes("AG-D004", "FROM a:1 AS base\nUSER app\nFROM base\nRUN x\n");
        passes("AG-D004", "FROM a:1\nUSER $UNKNOWN\n");
    }
}
