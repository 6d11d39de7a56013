//! `AG-D007`: the HEALTHCHECK uses the constitution's timing and probes its path.

use serde::Deserialize;

use crate::policy::constitution::{format_duration, parse_duration};
use crate::policy::dockerfile::ast::{Instruction, Keyword};
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks the `HEALTHCHECK` in effect in the final stage against the constitution's
    /// `healthcheck` (`--interval`, `--timeout`, `--start-period`, `--retries`; the preset asks
    /// for 30s, 3s and 3) and, when the constitution names the service's liveness path (its
    /// `health_path`, else `probes.liveness.path`: `/health` in the Phase IV preset), checks that
    /// its command probes that path.
    ///
    /// ## Why is this bad?
    /// Docker's defaults (30s interval, 30s timeout, 3 retries) take up to 90 seconds to notice a
    /// hung process; a check that probes `/` or only tests that a port is open says nothing
    /// about the application. The constitution fixes both so every image behaves alike.
    ///
    /// ## Example
    /// ```dockerfile
    /// HEALTHCHECK --interval=10s CMD curl -f http://localhost:8000/ || exit 1
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
    ///   CMD ["curl", "-f", "http://localhost:8000/health"]
    /// ```
    ///
    /// ## Options
    /// - `path` (string, default: the service's `health_path`, else `probes.liveness.path`): the
    ///   path the command must mention; empty to skip the check.
    ///
    /// ## References
    /// No hadolint rule; the constitution's `HEALTHCHECK --interval=30s --timeout=3s --retries=3`.
    pub(crate) const RULE = {
        code: "AG-D007",
        name: "healthcheck-options",
        target: Dockerfile,
        severity: Warning,
        summary: "the `HEALTHCHECK` uses the constitution's interval, timeout, retries and path",
        aliases: [],
        params: Params,
    };
}

/// Parameters of `AG-D007`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Params {
    pub path: Option<String>,
}

/// Compares the options and the command.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let Some(last) = checker.model.final_stage() else {
        return;
    };
    let Some((_, health)) = checker.effective(last.index, Keyword::Healthcheck) else {
        return;
    };
    let is_cmd = health
        .words
        .first()
        .is_some_and(|w| w.value.eq_ignore_ascii_case("CMD"));
    if !is_cmd {
        return;
    }
    if let Some(expected) = checker.cx.constitution.healthcheck.clone() {
        for (flag, want) in [
            ("interval", expected.interval),
            ("timeout", expected.timeout),
            ("start-period", expected.start_period),
        ] {
            if let Some(want) = want {
                compare(checker, health, flag, &format_duration(want), |value| {
                    parse_duration(value) == Some(want)
                });
            }
        }
        if let Some(retries) = expected.retries {
            compare(checker, health, "retries", &retries.to_string(), |value| {
                value.parse::<u32>() == Ok(retries)
            });
        }
    }
    let path = match &checker.params::<Params>().path {
        Some(path) => Some(path.clone()),
        None => {
            let cx = &checker.cx;
            cx.constitution.probe_paths(cx.service).liveness
        }
    };
    if let Some(path) = path.filter(|p| !p.is_empty()) {
        let command = health.command();
        if !command.text.contains(&path) {
            let text = command.text.trim_end();
            let range = command.source_range(0..text.len());
            checker
                .report(
                    range,
                    format!("the `HEALTHCHECK` command does not probe `{path}`"),
                )
                .help(format!(
                    "probe the health endpoint, e.g. `http://localhost:<port>{path}`"
                ));
        }
    }
}

/// Reports a missing or different option.
fn compare(
    checker: &mut Checker<'_>,
    health: &Instruction,
    flag: &str,
    want: &str,
    matches: impl Fn(&str) -> bool,
) {
    match health.flag(flag) {
        None => {
            checker
                .report(
                    health.keyword_range.clone(),
                    format!("`HEALTHCHECK` sets no `--{flag}`; the constitution asks for `{want}`"),
                )
                .help(format!("add `--{flag}={want}`"));
        }
        Some(found) => {
            let value = found.value.as_deref().unwrap_or("");
            if !matches(value) {
                checker
                    .report(
                        found.range.clone(),
                        format!("`--{flag}={value}` differs from the constitution's `{want}`"),
                    )
                    .help(format!("use `--{flag}={want}`"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, messages, passes};

    #[test]
    fn options_and_path_are_compared() {
        let src =
            "FROM a:1\nHEALTHCHECK --interval=10s --timeout=3s CMD curl -f http://x/ || exit 1\n";
        catches("AG-D007", src, &[(2, 1), (2, 13), (2, 45)]);
        let found = messages("AG-D007", "Dockerfile", src);
        assert_eq!(
            found[0],
            "`--interval=10s` differs from the constitution's `30s`"
        );
        assert_eq!(
            found[1],
            "`HEALTHCHECK` sets no `--retries`; the constitution asks for `3`"
        );
        passes(
            "AG-D007",
            "FROM a:1\nHEALTHCHECK --interval=30s --timeout=3s --retries=3 \\\n  CMD [\"curl\", \"-f\", \"http://localhost:8000/health\"]\n",
        );
        passes("AG-D007", "FROM a:1\nHEALTHCHECK NONE\n");
    }
}
