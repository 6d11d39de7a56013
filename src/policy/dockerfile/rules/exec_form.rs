//! `AG-D009`: CMD and ENTRYPOINT use the exec (JSON) form.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::dockerfile::shell;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that `CMD` and `ENTRYPOINT` are written as JSON arrays, and that arguments that
    /// look like a JSON array are valid JSON.
    ///
    /// ## Why is this bad?
    /// The shell form runs the command under `/bin/sh -c`: the shell is PID 1, it does not pass
    /// `SIGTERM` on, and Kubernetes kills the pod after its grace period instead of letting the
    /// application shut down cleanly. An array with single quotes or a missing comma is not JSON,
    /// so Docker silently runs it as a shell command that fails at start.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD uvicorn main:app --host 0.0.0.0 --port 8000
    /// ENTRYPOINT ['node', 'server.js']
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
    /// ENTRYPOINT ["node", "server.js"]
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3025`; BuildKit `JSONArgsRecommended`.
    pub(crate) const RULE = {
        code: "AG-D009",
        name: "exec-form-command",
        target: Dockerfile,
        severity: Warning,
        summary: "`CMD` and `ENTRYPOINT` are JSON arrays (exec form)",
        aliases: [Hadolint("DL3025"), BuildKit("JSONArgsRecommended")],
        params: NoParams,
    };
}

/// Checks each CMD and ENTRYPOINT.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for instruction in &checker.file.instructions {
        if !matches!(instruction.keyword, Keyword::Cmd | Keyword::Entrypoint) {
            continue;
        }
        let keyword = instruction.keyword.as_str();
        match &instruction.exec {
            Some(Ok(_)) => {}
            Some(Err(error)) => {
                checker
                    .report(
                        error.range.clone(),
                        format!(
                            "`{keyword}` looks like a JSON array but is not: {}",
                            error.message
                        ),
                    )
                    .help("write a JSON array of double-quoted strings separated by commas");
            }
            None => {
                if instruction.args().is_empty() {
                    continue;
                }
                let reported = checker.report(
                    instruction.args_range(),
                    format!("`{keyword}` uses the shell form"),
                );
                match as_json(instruction.args()) {
                    Some(json) => reported.help(format!("write `{keyword} {json}`")),
                    None => reported.help(format!(
                        "write `{keyword}` as a JSON array; for shell features, run a script or `[\"sh\", \"-c\", \"...\"]`"
                    )),
                }
            }
        }
    }
}

/// The exec form of a simple shell command (no operators, no variables), if there is one.
fn as_json(command: &str) -> Option<String> {
    if command.contains(['$', '`', '*', '?', '>', '<']) {
        return None;
    }
    let commands = shell::parse(command);
    let [only] = commands.as_slice() else {
        return None;
    };
    let words: Vec<String> = only
        .words
        .iter()
        .map(|w| serde_json::to_string(&w.value).unwrap_or_default())
        .collect();
    Some(format!("[{}]", words.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::as_json;
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn shell_forms_and_broken_json_are_reported() {
        catches(
            "AG-D009",
            "FROM a:1\nCMD npm start\nENTRYPOINT ['node', 'x.js']\n",
            &[(2, 5), (3, 13)],
        );
        passes(
            "AG-D009",
            "FROM a:1\nCMD [\"npm\", \"start\"]\nRUN echo hi\n",
        );
    }

    #[test]
    fn simple_commands_get_a_suggestion() {
        assert_eq!(
            as_json("uvicorn main:app --port 8000").as_deref(),
            Some(r#"["uvicorn", "main:app", "--port", "8000"]"#)
        );
        assert_eq!(as_json("a && b"), None);
        assert_eq!(as_json("node $APP"), None);
    }
}
