//! Running `kubectl-ai` (GoogleCloudPlatform/kubectl-ai) and reading what it prints.
//!
//! In `--quiet` mode kubectl-ai answers once and exits, but what it prints on stdout is rendered
//! for a terminal by its Markdown renderer (glamour), in the plain style it uses when stdout is
//! not a terminal: every line gets a two-space margin and is padded with spaces to the terminal
//! width (`KUBECTL_AI_TERM_WIDTH`, else 80 columns, wrapping longer lines); a fenced code block
//! loses its fences and its info string and is indented by two more spaces; inline code loses
//! its backticks; the tools it runs show as `Running: <command>` and errors in red, with ANSI
//! colour codes. Wrapped lines and lost fences would corrupt every file in an answer, so aigen
//! runs it with a terminal width far wider than any line ([`TERM_WIDTH`]) and turns the rendered
//! text back into Markdown ([`answer_text`]): colours and padding removed, the margin taken off,
//! and each run of indented lines fenced again. A file's name then comes from the line above its
//! block (`### docker/api.Dockerfile`, `**k8s/x.yaml**`, `File: x.yaml`), which the renderer
//! keeps, while an info string does not survive: a request for files asks for that line
//! ([`FILE_NAMES`]).
//!
//! kubectl-ai writes a trace of every exchange, the HTTP headers with the model provider's API
//! key among them, to `/tmp/kubectl-ai-trace.txt` unless told otherwise; aigen turns it off
//! (`--trace-path=`). A failure is exit status 1 with `Error: ...` on stderr followed by the
//! whole usage text; [`error_text`] keeps the error and drops the usage.
//!
//! Checked against kubectl-ai v0.0.28 (docs/providers.md).

use std::sync::LazyLock;

use regex::Regex;

use crate::provider::answer::fenced_block;

/// kubectl-ai's `--llm-provider` values.
pub(crate) const PROVIDERS: &[&str] = &[
    "gemini", "vertexai", "azopenai", "openai", "grok", "bedrock", "ollama", "llamacpp",
];

/// The variable that sets kubectl-ai's terminal width.
pub(crate) const TERM_WIDTH_VARIABLE: &str = "KUBECTL_AI_TERM_WIDTH";

/// The width aigen sets: lines up to this long are never wrapped. Each line is padded to it, so
/// it also bounds the output of a long answer (a thousand lines take about a megabyte).
pub(crate) const TERM_WIDTH: usize = 1000;

/// What a request for files adds to its prompt, so that each file's name survives the rendering.
pub(crate) const FILE_NAMES: &str = "kubectl-ai shows code blocks without their info string, so also \
put each file's path on its own line just above its block, as a heading: `### <path>`.";

/// The arguments for one request: quiet, no trace file, the model (a `provider/model` name
/// whose provider kubectl-ai knows becomes `--llm-provider` and `--model`), then the prompt,
/// with [`FILE_NAMES`] when the answer is to hold files.
pub(crate) fn args(model: Option<String>, mut text: String, wants_files: bool) -> Vec<String> {
    if wants_files {
        text.push_str("\n\n");
        text.push_str(FILE_NAMES);
    }
    let mut args = vec!["--quiet".to_string(), "--trace-path=".to_string()];
    if let Some(model) = model {
        match model.split_once('/') {
            Some((provider, name)) if PROVIDERS.contains(&provider) => {
                args.extend(["--llm-provider".into(), provider.into()]);
                args.extend(["--model".into(), name.into()]);
            }
            _ => args.extend(["--model".into(), model]),
        }
    }
    args.push(text);
    args
}

static ANSI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("\x1b\\[[0-9;?]*[A-Za-z]").expect("the pattern is valid"));

/// The answer in kubectl-ai's stdout, as Markdown. Output that still holds a fence (from a
/// version that prints Markdown as it is) is only cleaned of colours and padding.
pub(crate) fn answer_text(stdout: &str) -> String {
    let plain = ANSI.replace_all(stdout, "");
    let lines: Vec<&str> = plain.lines().map(str::trim_end).collect();
    if lines.iter().any(|l| l.trim_start().starts_with("```")) {
        return trim_blank_lines(&lines).join("\n") + "\n";
    }
    let lines: Vec<&str> = lines.iter().map(|l| strip_indent(l, 2)).collect();
    let lines = trim_blank_lines(&lines);
    let mut out: Vec<String> = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        if indent(lines[index]) < 2 {
            out.push(lines[index].to_string());
            index += 1;
            continue;
        }
        // A code block: indented lines and the blank lines between them.
        let mut end = index;
        let mut last_code = index;
        while end < lines.len() && (lines[end].is_empty() || indent(lines[end]) >= 2) {
            if !lines[end].is_empty() {
                last_code = end;
            }
            end += 1;
        }
        let content: String = lines[index..=last_code]
            .iter()
            .map(|l| format!("{}\n", strip_indent(l, 2)))
            .collect();
        out.push(fenced_block("", &content).trim_end().to_string());
        index = last_code + 1;
    }
    out.join("\n") + "\n"
}

/// kubectl-ai's stderr without the usage text it prints after an error.
pub(crate) fn error_text(stderr: &str) -> String {
    match stderr.find("\nUsage:\n") {
        Some(at) if stderr[..at].contains("Error: ") => stderr[..at].to_string(),
        _ => stderr.to_string(),
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `line` without up to `width` leading spaces.
fn strip_indent(line: &str, width: usize) -> &str {
    &line[indent(line).min(width)..]
}

fn trim_blank_lines<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    match (first, last) {
        (Some(first), Some(last)) => lines[first..=last].to_vec(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What kubectl-ai v0.0.28 printed for an answer of two titled files (padded to 40 columns
    /// here), after running `kubectl get nodes`.
    const RENDERED: &str = "\x1b[32m\n  Running: kubectl get nodes\n\x1b[0m\n  Two files follow.                     \n                                        \n  ### docker/api.Dockerfile             \n                                        \n    FROM python:3.13-slim               \n    RUN echo \"a\ttab\"                  \n                                        \n    # runtime                           \n                                        \n  **docker/api.Dockerfile.dockerignore**\n                                        \n    *                                   \n    !backend                            \n                                        \n      indented line                     \n                                        \n";

    #[test]
    fn rendered_answers_become_markdown_again() {
        assert_eq!(
            answer_text(RENDERED),
            "Running: kubectl get nodes\n\nTwo files follow.\n\n### docker/api.Dockerfile\n\n```\nFROM python:3.13-slim\nRUN echo \"a\ttab\"\n\n# runtime\n```\n\n**docker/api.Dockerfile.dockerignore**\n\n```\n*\n!backend\n\n  indented line\n```\n"
        );
    }

    #[test]
    fn markdown_as_it_is_only_loses_colours_and_padding() {
        let text = "\x1b[32mHere:\x1b[0m   \n\n```yaml title=k8s/a.yaml\nkind: A\n```\n";
        assert_eq!(
            answer_text(text),
            "Here:\n\n```yaml title=k8s/a.yaml\nkind: A\n```\n"
        );
    }

    #[test]
    fn the_usage_after_an_error_is_dropped() {
        let stderr = "E1206 conversation.go:647] \"RunOnce mode cannot handle permission requests\"\nError: running UI: RunOnce mode cannot handle permission requests.\nUsage:\n  kubectl-ai [flags]\n";
        assert_eq!(
            error_text(stderr),
            "E1206 conversation.go:647] \"RunOnce mode cannot handle permission requests\"\nError: running UI: RunOnce mode cannot handle permission requests."
        );
        assert_eq!(error_text("Usage:\nonly"), "Usage:\nonly");
    }
}
