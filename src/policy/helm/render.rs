//! Rendering a chart with `helm template`, linting what it renders, and moving each finding
//! back to the template it came from.
//!
//! Helm heads every rendered document with `# Source: <chart>/templates/<file>`; the documents
//! of one template are linted as one file named after the template ([`split_sources`]). A
//! finding's line is then looked up in the template ([`find_template_line`]): the same line
//! (up to indentation), else the line that sets the same key through a template action (`{{`),
//! counting repeats so the second `image:` of a rendered file maps to the second `image:` of its
//! template. A line the template
//! did not write but copied from the values (`{{ toYaml .Values.x | nindent 8 }}`) is looked for
//! in the values files ([`find_values_line`]): when exactly one line there reads the same, the
//! finding moves to it and names the template it went through. When none of that finds the line,
//! the finding stays on the template file as a whole and its message gives the line of the
//! rendered output.
//!
//! `helm` runs as a subprocess with a timeout ([`TIMEOUT`]) and a cap on its output
//! ([`OUTPUT_LIMIT`]); failures become `AG-K205` findings at the template and line Helm names,
//! and a missing `helm` an `AG-K206` warning.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use regex::Regex;

use super::rules::chart_renders::RULE as CHART_RENDERS;
use super::rules::helm_available::RULE as HELM_AVAILABLE;
use super::{ChartCx, ChartOptions, file_name};
use crate::policy::finding::{Excerpt, Finding, Position, Span};
use crate::policy::k8s::{ManifestText, lint_documents, yaml_tree};
use crate::policy::source::SourceFile;

/// How long `helm template` may run.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(120);

/// The most rendered output read (a chart rendering more is reported, not linted).
pub(crate) const OUTPUT_LIMIT: usize = 64 * 1024 * 1024;

/// Why a chart was not rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RenderError {
    /// The `helm` program was not found.
    NotInstalled,
    /// `helm template` failed; where Helm says, the template and line.
    Failed {
        message: String,
        at: Option<(String, usize, usize)>,
    },
    /// It did not finish within [`TIMEOUT`].
    TimedOut,
    /// It rendered more than [`OUTPUT_LIMIT`] bytes.
    TooLarge,
}

/// Runs `helm template <release> <dir> [--values <file>]` and returns what it rendered.
pub(crate) fn run_helm(
    program: &OsStr,
    release: &str,
    dir: &Path,
    values: Option<&Path>,
) -> Result<String, RenderError> {
    let mut command = Command::new(program);
    command.arg("template").arg(release).arg(dir);
    if let Some(values) = values {
        command.arg("--values").arg(values);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(RenderError::NotInstalled);
        }
        Err(error) => {
            return Err(RenderError::Failed {
                message: format!("could not run `helm`: {error}"),
                at: None,
            });
        }
    };
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out = std::thread::spawn(move || read_capped(stdout, OUTPUT_LIMIT));
    let err = std::thread::spawn(move || read_capped(stderr, 1024 * 1024));
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => break None,
        }
    };
    let (stdout, truncated) = out.join().unwrap_or_default();
    let (stderr, _) = err.join().unwrap_or_default();
    let Some(status) = status else {
        return Err(RenderError::TimedOut);
    };
    if !status.success() {
        return Err(parse_helm_error(&String::from_utf8_lossy(&stderr)));
    }
    if truncated {
        return Err(RenderError::TooLarge);
    }
    Ok(String::from_utf8_lossy(&stdout).into_owned())
}

/// Reads a pipe to its end, keeping at most `cap` bytes (the rest is drained, so the child never
/// blocks on a full pipe). The flag says whether anything was dropped.
fn read_capped(pipe: Option<impl Read>, cap: usize) -> (Vec<u8>, bool) {
    let Some(mut pipe) = pipe else {
        return (Vec::new(), false);
    };
    let mut kept = Vec::new();
    let mut truncated = false;
    let mut buffer = [0u8; 64 * 1024];
    loop {
        match pipe.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                kept.extend_from_slice(&buffer[..n.min(room)]);
                truncated |= n > room;
            }
        }
    }
    (kept, truncated)
}

static HELM_LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|template: |parse error at \(|execution error at \(|YAML parse error on )([^\s:()]+\.(?:yaml|yml|tpl|txt))(?::(\d+)(?::(\d+))?)?",
    )
    .expect("Helm error pattern is valid")
});

/// The message of a failed `helm template` and the template position it names.
///
/// Helm 3 writes the error on one line (`Error: template: chart/templates/x.yaml:7:22:
/// executing ...`); Helm 4 puts a template error's position on a line of its own and the cause
/// on indented lines below it (`Error: chart/templates/x.yaml:7:22`, `  executing ... at
/// <.Values.a.b>:`, `    nil pointer evaluating ...`), and a failed `required` reads
/// `execution error at (chart/templates/x.yaml:7:15): ...`. The message is the first line with
/// the indented lines that continue it.
pub(crate) fn parse_helm_error(stderr: &str) -> RenderError {
    let mut lines = stderr
        .lines()
        .map(str::trim_end)
        .skip_while(|l| l.trim().is_empty());
    let first = lines
        .next()
        .map_or("helm exited with an error and printed nothing", str::trim);
    let first = first.strip_prefix("Error: ").unwrap_or(first);
    let mut message = first.to_string();
    for more in lines.take_while(|l| l.starts_with([' ', '\t']) && !l.trim().is_empty()) {
        if !message.ends_with(':') {
            message.push(':');
        }
        message.push(' ');
        message.push_str(more.trim());
    }
    let message: String = message.chars().take(400).collect();
    let at = HELM_LOCATION.captures(first).and_then(|c| {
        let source = c.get(1)?.as_str().to_string();
        let line = c.get(2).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
        let column = c.get(3).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
        Some((source, line, column))
    });
    RenderError::Failed { message, at }
}

/// The rendered documents of one template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Source {
    /// The template as Helm names it (`todo-app/templates/backend-deployment.yaml`).
    pub name: String,
    /// Its documents, each with the `---` and `# Source:` lines Helm wrote.
    pub text: String,
}

/// Splits `helm template` output by `# Source:` comment, keeping the templates' first-seen
/// order. Text before the first `# Source:` is dropped.
pub(crate) fn split_sources(rendered: &str) -> Vec<Source> {
    let mut sources: Vec<Source> = Vec::new();
    let mut current: Option<usize> = None;
    let mut pending_separator = false;
    for line in rendered.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" {
            pending_separator = true;
            continue;
        }
        if let Some(name) = trimmed.strip_prefix("# Source: ") {
            let index = match sources.iter().position(|s| s.name == name) {
                Some(index) => index,
                None => {
                    sources.push(Source {
                        name: name.to_string(),
                        text: String::new(),
                    });
                    sources.len() - 1
                }
            };
            let text = &mut sources[index].text;
            text.push_str("---\n");
            text.push_str(line);
            if !line.ends_with('\n') {
                text.push('\n');
            }
            current = Some(index);
            pending_separator = false;
            continue;
        }
        if let Some(index) = current {
            let text = &mut sources[index].text;
            if pending_separator {
                text.push_str("---\n");
            }
            text.push_str(line);
        }
        pending_separator = false;
    }
    sources
}

/// The file a Helm source name points at: the name without its first component (the chart's
/// name, which need not be the directory's), under the chart directory.
pub(crate) fn template_path(dir: &Path, source: &str) -> PathBuf {
    let mut components = Path::new(source).components();
    components.next();
    let rest: PathBuf = components
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect();
    dir.join(rest)
}

/// The line of `template` that produced line `line` of `rendered`, and whether it is the same
/// text (rather than only the same key).
pub(crate) fn find_template_line(
    rendered: &SourceFile<'_>,
    template: &SourceFile<'_>,
    line: usize,
) -> Option<(usize, bool)> {
    let target = rendered.line(line)?.trim();
    if target.is_empty() {
        return None;
    }
    let before = |matches: &dyn Fn(&str) -> bool| {
        (1..line)
            .filter_map(|n| rendered.line(n))
            .filter(|l| matches(l.trim()))
            .count()
    };
    let pick = |matches: &dyn Fn(&str) -> bool, seen: usize| {
        let candidates: Vec<usize> = (1..=template.line_count())
            .filter(|&n| template.line(n).is_some_and(|l| matches(l.trim())))
            .collect();
        candidates.get(seen).or(candidates.last()).copied()
    };
    let same = |l: &str| l == target;
    if let Some(found) = pick(&same, before(&same)) {
        return Some((found, true));
    }
    // The template's line that sets the same key, counting repeats; it must hold a template
    // action, since a literal line renders as itself and cannot have given a different line.
    let key = key_of(target)?;
    let same_key = |l: &str| key_of(l) == Some(key);
    let found = pick(&same_key, before(&same_key))?;
    template
        .line(found)
        .is_some_and(|l| l.contains("{{"))
        .then_some((found, false))
}

/// The key a YAML line sets (`image` in `- image: x`), when it sets a plain one.
fn key_of(line: &str) -> Option<&str> {
    let line = line.strip_prefix("- ").unwrap_or(line).trim_start();
    let (key, _) = line.split_once(':')?;
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    plain.then_some(key)
}

fn indent(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}

/// A values file of the chart, read: where a template's `toYaml` copies lines from.
#[derive(Debug)]
pub(crate) struct ValuesFile {
    pub path: PathBuf,
    pub text: String,
}

/// The one line of the values files that reads as `rendered` does (trimmed), looked for in the
/// file given with `--values` first, then in `values.yaml`: the line a template copied into its
/// output with `toYaml`. `None` when no file has exactly one such line.
pub(crate) fn find_values_line<'a>(
    values: &'a [ValuesFile],
    rendered: &str,
) -> Option<(&'a ValuesFile, usize)> {
    let target = rendered.trim();
    if target.is_empty() {
        return None;
    }
    values.iter().find_map(|file| {
        let source = SourceFile::new(&file.text);
        let mut matches = (1..=source.line_count())
            .filter(|&n| source.line(n).is_some_and(|l| l.trim() == target));
        match (matches.next(), matches.next()) {
            (Some(line), None) => Some((file, line)),
            _ => None,
        }
    })
}

/// Moves a finding on a template's rendered text to the template itself, or to the line of a
/// values file the template copied (the finding then names the template it went through).
fn move_to_template(
    finding: &mut Finding,
    rendered: &str,
    template: Option<&str>,
    values: &[ValuesFile],
) {
    let Some(span) = finding.span else {
        return;
    };
    let rendered = SourceFile::new(rendered);
    let rendered_line = rendered.line(span.start.line).unwrap_or_default();
    let found = template.and_then(|text| {
        let source = SourceFile::new(text);
        let (line, exact) = find_template_line(&rendered, &source, span.start.line)?;
        Some((source.line(line)?.to_string(), line, exact))
    });
    if let Some((template_line, line, exact)) = found {
        place(finding, rendered_line, &template_line, line, exact);
        return;
    }
    if let Some((file, line)) = find_values_line(values, rendered_line) {
        let values_line = SourceFile::new(&file.text)
            .line(line)
            .unwrap_or_default()
            .to_string();
        finding.message = format!(
            "{} (set in `{}`, rendered by `{}`)",
            finding.message,
            file_name(&file.path),
            file_name(&finding.path)
        );
        finding.path = file.path.clone();
        place(finding, rendered_line, &values_line, line, true);
        return;
    }
    finding.message = format!(
        "{} (line {} of the rendered output)",
        finding.message, span.start.line
    );
    finding.span = None;
    finding.excerpt = None;
}

/// Puts a finding on line `line` of a chart file whose text there is `target_line`, found for
/// `rendered_line` (the same text when `exact`, else only the same key): the columns shifted by
/// the difference in indentation, the excerpt the chart file's line (masked like the rendered
/// one was).
fn place(finding: &mut Finding, rendered_line: &str, target_line: &str, line: usize, exact: bool) {
    let Some(span) = finding.span else {
        return;
    };
    let shift = indent(target_line) as isize - indent(rendered_line) as isize;
    let width = target_line.chars().count();
    let move_column =
        |column: usize| (column as isize + shift).clamp(1, width as isize + 1) as usize;
    let start = move_column(span.start.column);
    let end = if exact {
        move_column(span.end.column)
    } else {
        (start + 1).max(move_column(span.end.column).min(width + 1))
    };
    let masked = finding
        .excerpt
        .as_ref()
        .is_some_and(|e| e.text != rendered_line);
    let text = match (&finding.excerpt, exact) {
        // The same line: the rendered excerpt, already masked where it shows a secret.
        (Some(excerpt), true) => format!(
            "{}{}",
            &target_line[..target_line.len() - target_line.trim_start().len()],
            excerpt.text.trim_start()
        ),
        _ if masked => crate::secrets::mask::mask_after_key(target_line),
        _ => target_line.to_string(),
    };
    finding.span = Some(Span::new(
        Position::new(line, start),
        Position::new(line, end),
    ));
    finding.excerpt = Some(Excerpt {
        first_line: line,
        text,
    });
}

/// The name `helm template` renders the chart as: the chart's name from Chart.yaml, made into a
/// valid release name, else the directory's.
fn release_name(cx: &ChartCx<'_>) -> String {
    let from_chart = cx.read("Chart.yaml").and_then(|file| {
        let loaded = yaml_tree::load(&file.text);
        let root = &loaded.documents.first()?.root;
        root.get("name")?.as_str().map(str::to_string)
    });
    let name = from_chart.unwrap_or_else(|| cx.directory_name());
    let name = crate::settings::directory_name(Path::new(&name));
    name.chars().take(53).collect()
}

/// Renders the chart and lints what it renders; reports what stopped it otherwise.
pub(super) fn lint_rendered(cx: &mut ChartCx<'_>, options: &ChartOptions) {
    if !cx.enabled(&CHART_RENDERS) && !cx.enabled(&HELM_AVAILABLE) {
        return;
    }
    let program = options.helm.clone().unwrap_or_else(|| "helm".into());
    let release = release_name(cx);
    let rendered = match run_helm(&program, &release, cx.dir, options.values.as_deref()) {
        Ok(rendered) => rendered,
        Err(error) => {
            report_render_error(cx, error);
            return;
        }
    };
    let sources = split_sources(&rendered);
    let paths: Vec<PathBuf> = sources
        .iter()
        .map(|s| template_path(cx.dir, &s.name))
        .collect();
    let inputs: Vec<ManifestText<'_>> = paths
        .iter()
        .zip(&sources)
        .map(|(path, source)| ManifestText::new(path, &source.text))
        .collect();
    let findings = lint_documents(&inputs, cx.constitution);
    let values: Vec<ValuesFile> = options
        .values
        .iter()
        .cloned()
        .chain([cx.dir.join("values.yaml")])
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            Some(ValuesFile { path, text })
        })
        .collect();
    let mut templates: HashMap<PathBuf, Option<String>> = HashMap::new();
    let mut moved = Vec::with_capacity(findings.len());
    for mut finding in findings {
        if let Some(index) = paths.iter().position(|p| *p == finding.path) {
            let template = templates
                .entry(finding.path.clone())
                .or_insert_with(|| std::fs::read_to_string(&finding.path).ok());
            move_to_template(
                &mut finding,
                &sources[index].text,
                template.as_deref(),
                &values,
            );
        }
        moved.push(finding);
    }
    cx.extend(moved);
}

fn report_render_error(cx: &mut ChartCx<'_>, error: RenderError) {
    match error {
        RenderError::NotInstalled => cx
            .report_file(
                &HELM_AVAILABLE,
                "Chart.yaml",
                "`helm` is not on PATH, so the chart's templates were not rendered or linted",
            )
            .help(
                "install Helm 3 (https://helm.sh/docs/intro/install/) and lint again; the chart's \
                 own files were checked",
            ),
        RenderError::Failed { message, at } => {
            let located = at.and_then(|(source, line, column)| {
                let path = template_path(cx.dir, &source);
                let text = std::fs::read_to_string(&path).ok()?;
                Some((path, text, line, column))
            });
            let message = format!("`helm template` failed: {message}");
            match located {
                Some((path, text, line, column)) if line > 0 => {
                    let file = super::ChartFile { path, text };
                    let mark = yaml_tree::Mark::new(line as u32, column.max(1) as u32);
                    cx.report_at(&CHART_RENDERS, &file, mark, message).help(
                        "fix the template or the values it reads; its manifests were not linted",
                    );
                }
                Some((path, _, _, _)) => {
                    let relative = path
                        .strip_prefix(cx.dir)
                        .map(Path::to_path_buf)
                        .unwrap_or(path);
                    cx.report_file(&CHART_RENDERS, &relative.to_string_lossy(), message)
                        .help("fix the template or the values it reads; its manifests were not linted");
                }
                None => cx
                    .report_file(&CHART_RENDERS, "Chart.yaml", message)
                    .help("run `helm template` on the chart to see the whole error"),
            }
        }
        RenderError::TimedOut => cx
            .report_file(
                &CHART_RENDERS,
                "Chart.yaml",
                format!(
                    "`helm template` did not finish within {} seconds",
                    TIMEOUT.as_secs()
                ),
            )
            .help("run `helm template` on the chart to see where it hangs"),
        RenderError::TooLarge => cx
            .report_file(
                &CHART_RENDERS,
                "Chart.yaml",
                format!(
                    "`helm template` rendered more than {} MiB; the output was not linted",
                    OUTPUT_LIMIT / (1024 * 1024)
                ),
            )
            .help("check the chart's loops and values; render it with `helm template` to see"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RENDERED: &str = "\
---
# Source: todo-app/templates/service.yaml
apiVersion: v1
kind: Service
---
# Source: todo-app/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
spec:
  replicas: 1
---
# Source: todo-app/templates/service.yaml
apiVersion: v1
kind: Service
";

    #[test]
    fn output_splits_by_source() {
        let sources = split_sources(RENDERED);
        let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "todo-app/templates/service.yaml",
                "todo-app/templates/deployment.yaml"
            ]
        );
        assert_eq!(sources[0].text.matches("---\n").count(), 2);
        assert!(
            sources[1]
                .text
                .starts_with("---\n# Source: todo-app/templates/deployment.yaml\n")
        );
        assert_eq!(
            template_path(Path::new("charts/todo"), &sources[1].name),
            Path::new("charts/todo/templates/deployment.yaml")
        );
    }

    #[test]
    fn rendered_lines_are_found_in_templates() {
        let rendered = SourceFile::new(
            "---\n# Source: x\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: a\n        image: a:latest\n      - name: b\n        image: b:latest\n",
        );
        let template = SourceFile::new(
            "spec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n        - name: a\n          image: {{ .Values.a }}\n        - name: b\n          image: \"{{ .Values.b }}\"\n",
        );
        assert_eq!(
            find_template_line(&rendered, &template, 4),
            Some((2, false))
        );
        assert_eq!(find_template_line(&rendered, &template, 5), Some((3, true)));
        assert_eq!(
            find_template_line(&rendered, &template, 9),
            Some((7, false))
        );
        assert_eq!(
            find_template_line(&rendered, &template, 11),
            Some((9, false))
        );
        assert_eq!(
            find_template_line(&rendered, &template, 10),
            Some((8, true))
        );
        assert_eq!(find_template_line(&rendered, &template, 2), None);
        // A literal line of the same key did not write a different rendered line.
        let rendered =
            SourceFile::new("livenessProbe:\n  path: /healthz\nreadinessProbe:\n  path: /ready\n");
        let template = SourceFile::new(
            "livenessProbe:\n  {{- toYaml .Values.probe | nindent 2 }}\nreadinessProbe:\n  path: /ready\n",
        );
        assert_eq!(find_template_line(&rendered, &template, 2), None);
        assert_eq!(find_template_line(&rendered, &template, 4), Some((4, true)));
    }

    #[test]
    fn copied_lines_are_found_in_one_values_file_once() {
        let values = [
            ValuesFile {
                path: "values-dev.yaml".into(),
                text: "a:\n  path: /live\n".into(),
            },
            ValuesFile {
                path: "values.yaml".into(),
                text: "a:\n  path: /healthz\nb:\n  port: http\nc:\n  port: http\n".into(),
            },
        ];
        let found = |line: &str| {
            find_values_line(&values, line).map(|(f, n)| (f.path.display().to_string(), n))
        };
        assert_eq!(
            found("    path: /live"),
            Some(("values-dev.yaml".into(), 2))
        );
        assert_eq!(found("path: /healthz"), Some(("values.yaml".into(), 2)));
        assert_eq!(found("port: http"), None, "two lines read the same");
        assert_eq!(found("   "), None);
    }

    #[test]
    fn helm_errors_name_their_template() {
        let error = parse_helm_error(
            "Error: template: todo-app/templates/backend.yaml:12:20: executing \"todo-app/templates/backend.yaml\" at <.Values.backend.port>: nil pointer evaluating interface {}.port\n",
        );
        let RenderError::Failed { message, at } = error else {
            panic!("not a failure");
        };
        assert!(message.starts_with("template: todo-app/templates/backend.yaml:12:20"));
        assert_eq!(
            at,
            Some(("todo-app/templates/backend.yaml".to_string(), 12, 20))
        );
        let error = parse_helm_error(
            "Error: parse error at (todo-app/templates/_helpers.tpl:5): unexpected \"}\"",
        );
        assert!(matches!(
            error,
            RenderError::Failed {
                at: Some((_, 5, 0)),
                ..
            }
        ));
        assert!(matches!(
            parse_helm_error(""),
            RenderError::Failed { at: None, .. }
        ));
    }

    #[test]
    fn helm_4_errors_name_their_template_too() {
        // What Helm 4.3 prints for a nil value and for a failed `required`.
        let error = parse_helm_error(
            "Error: todo/templates/service.yaml:7:22\n  executing \"todo/templates/service.yaml\" at <.Values.frontend.port>:\n    nil pointer evaluating interface {}.port\n\nUse --debug flag to render out invalid YAML\n",
        );
        let RenderError::Failed { message, at } = error else {
            panic!("not a failure");
        };
        assert_eq!(
            message,
            "todo/templates/service.yaml:7:22: executing \"todo/templates/service.yaml\" at <.Values.frontend.port>: nil pointer evaluating interface {}.port"
        );
        assert_eq!(at, Some(("todo/templates/service.yaml".to_string(), 7, 22)));
        let error = parse_helm_error(
            "Error: execution error at (todo/templates/service.yaml:7:15): backend.port is required\n\nUse --debug flag to render out invalid YAML\n",
        );
        assert!(matches!(
            error,
            RenderError::Failed {
                at: Some((_, 7, 15)),
                ..
            }
        ));
    }
}
