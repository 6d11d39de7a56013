//! `AG-D006`: the final image declares a HEALTHCHECK.

use crate::policy::constitution::ServiceRole;
use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that the final stage (or a stage it builds on) has a `HEALTHCHECK` and that the
    /// one in effect is not `HEALTHCHECK NONE`, unless the constitution says the service is a
    /// worker (`role: worker`): a process that serves no port has nothing to check from the
    /// outside, and `HEALTHCHECK NONE` says so.
    ///
    /// ## Why is this bad?
    /// Without a health check, `docker ps`, Compose and Swarm report a container as healthy as
    /// long as its process lives, even when it no longer answers. The Phase IV constitution
    /// requires a `HEALTHCHECK` against `/health` in every image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
    ///   CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]
    /// CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
    /// ```
    ///
    /// ## Options
    /// None. `AG-D007` checks the options and the path.
    ///
    /// ## References
    /// hadolint `DL3057` (off by default); checkov `CKV_DOCKER_2`.
    pub(crate) const RULE = {
        code: "AG-D006",
        name: "healthcheck-present",
        target: Dockerfile,
        severity: Error,
        summary: "the final stage declares a `HEALTHCHECK`",
        aliases: [Hadolint("DL3057"), Checkov("CKV_DOCKER_2")],
        params: NoParams,
    };
}

/// Finds the HEALTHCHECK in effect.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let Some(last) = checker.model.final_stage() else {
        return;
    };
    match checker.effective(last.index, Keyword::Healthcheck) {
        None => {
            let from = &checker.file.instructions[last.from];
            let range = from.keyword_range.start..last.image.range.end;
            checker
                .report(range, "the final stage has no `HEALTHCHECK`")
                .help("add `HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD <probe of /health>`");
        }
        Some((_, instruction)) => {
            let none = instruction
                .words
                .first()
                .is_some_and(|w| w.value.eq_ignore_ascii_case("NONE"));
            let worker = checker
                .cx
                .service
                .and_then(|service| checker.cx.constitution.role(service))
                == Some(ServiceRole::Worker);
            if none && !worker {
                checker
                    .report(
                        instruction.args_range(),
                        "`HEALTHCHECK NONE` turns the health check off",
                    )
                    .help("declare a `HEALTHCHECK CMD` that probes the service's health endpoint");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn missing_or_disabled_healthchecks_are_reported() {
        catches(
            "AG-D006",
            "FROM a:1 AS b\nHEALTHCHECK CMD x\nFROM a:1\n",
            &[(3, 1)],
        );
        catches(
            "AG-D006",
            "FROM a:1\nHEALTHCHECK CMD x\nHEALTHCHECK NONE\n",
            &[(3, 13)],
        );
        passes(
            "AG-D006",
            "FROM a:1 AS b\nHEALTHCHECK CMD x\nFROM b\nRUN y\n",
        );
    }
}
