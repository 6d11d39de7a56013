//! Writing a record in the exact Spec-Kit Plus layout, with aigen's block last in the front
//! matter and the chain fields as its last three lines.

use std::fmt::Write as _;

use super::{Evaluation, HASH_PREFIX, Meta, OutcomeNotes, Record};
use crate::yaml_scalar::{double_quoted, scalar};

/// The record as the text of its file.
pub fn render(record: &Record) -> String {
    let body_len = record.prompt.as_ref().map_or(0, String::len)
        + record.response.as_ref().map_or(0, String::len);
    let mut out = String::with_capacity(2048 + body_len);
    out.push_str("---\n");
    field(&mut out, "id", &keep_if(&record.id, is_digits));
    field(&mut out, "title", &scalar(&record.title));
    field(&mut out, "stage", &keep_if(&record.stage, is_word));
    field(&mut out, "date", &keep_if(&record.date, is_date));
    field(&mut out, "surface", &scalar(&record.surface));
    field(&mut out, "model", &scalar(&record.model));
    field(&mut out, "feature", &scalar(&record.feature));
    field(&mut out, "branch", &scalar(&record.branch));
    field(&mut out, "user", &scalar(&record.user));
    field(&mut out, "command", &scalar(&record.command));
    let labels: Vec<String> = record.labels.iter().map(|l| double_quoted(l)).collect();
    let _ = writeln!(out, "labels: [{}]", labels.join(", "));
    out.push_str("links:\n");
    for (key, value) in [
        ("spec", &record.links.spec),
        ("ticket", &record.links.ticket),
        ("adr", &record.links.adr),
        ("pr", &record.links.pr),
    ] {
        let _ = writeln!(out, "  {key}: {}", optional(value.as_deref()));
    }
    list(&mut out, "files", &record.files);
    list(&mut out, "tests", &record.tests);
    if let Some(meta) = &record.aigen {
        render_meta(&mut out, meta);
    }
    out.push_str("---\n");
    if let Some(prompt) = &record.prompt {
        section(&mut out, "Prompt", prompt);
    }
    if let Some(response) = &record.response {
        section(&mut out, "Response snapshot", response);
    }
    if let Some(notes) = &record.outcome {
        render_outcome(&mut out, notes);
    }
    if let Some(evaluation) = &record.evaluation {
        render_evaluation(&mut out, evaluation);
    }
    out
}

fn field(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key}: {value}");
}

fn sub(out: &mut String, key: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "  {key}: {value}");
}

fn optional(value: Option<&str>) -> std::borrow::Cow<'_, str> {
    match value {
        Some(value) => scalar(value),
        None => "null".into(),
    }
}

fn keep_if(value: &str, shape: fn(&str) -> bool) -> std::borrow::Cow<'_, str> {
    if shape(value) {
        value.into()
    } else {
        scalar(value)
    }
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_word(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase())
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

fn list(out: &mut String, key: &str, items: &[String]) {
    let _ = writeln!(out, "{key}:");
    if items.is_empty() {
        out.push_str(" - none\n");
    }
    for item in items {
        let _ = writeln!(out, " - {}", scalar(item));
    }
}

fn render_meta(out: &mut String, meta: &Meta) {
    out.push_str("aigen:\n");
    sub(out, "format", meta.format);
    let text_fields = [
        ("time", &meta.time),
        ("provider", &meta.provider),
        ("tool", &meta.tool),
        ("command_line", &meta.command_line),
    ];
    for (key, value) in text_fields {
        if let Some(value) = value {
            sub(out, key, scalar(value));
        }
    }
    if let Some(client) = &meta.client {
        sub(out, "client", scalar(&client.name));
        sub(out, "client_version", scalar(&client.version));
        if let Some(protocol) = &client.protocol {
            sub(out, "mcp_protocol", scalar(protocol));
        }
    }
    if let Some(template) = &meta.template {
        sub(out, "template", scalar(&template.name));
        sub(out, "template_version", scalar(&template.version));
    }
    if let Some(round) = meta.round {
        sub(out, "round", round);
    }
    if let Some(reference) = &meta.reference {
        sub(out, reference.relation.as_str(), scalar(&reference.record));
    }
    sub(out, "outcome", meta.outcome.status());
    if let Some(reason) = meta.outcome.reason() {
        sub(out, "reason", scalar(reason));
    }
    if let Some(lint) = meta.lint {
        sub(out, "lint_errors", lint.errors);
        sub(out, "lint_warnings", lint.warnings);
    }
    if let Some(tokens) = meta.tokens {
        sub(out, "prompt_tokens", tokens.prompt);
        sub(out, "completion_tokens", tokens.completion);
    }
    if let Some(latency) = meta.latency_ms {
        sub(out, "latency_ms", latency);
    }
    if !meta.artifacts.is_empty() {
        out.push_str("  artifacts:\n");
        for artifact in &meta.artifacts {
            let _ = writeln!(out, "    - path: {}", scalar(&artifact.path));
            let _ = writeln!(out, "      sha256: {}", scalar(&artifact.sha256));
        }
    }
    if !meta.merges.is_empty() {
        out.push_str("  merges:\n");
        for hash in &meta.merges {
            let _ = writeln!(out, "    - {}", hash_value(hash));
        }
    }
    if let Some(bytes) = meta.prompt_bytes {
        sub(out, "prompt_bytes", bytes);
    }
    if let Some(bytes) = meta.response_bytes {
        sub(out, "response_bytes", bytes);
    }
    if let Some(chain) = &meta.chain {
        sub(out, "sequence", chain.sequence);
        match &chain.prev {
            Some(prev) => sub(out, "prev", hash_value(prev)),
            None => sub(out, "prev", "null"),
        }
        sub(out, "hash", hash_value(&chain.hash));
    }
}

/// A hash as written: `sha256:<hex>`, which every YAML reader takes as a string.
fn hash_value(hash: &str) -> std::borrow::Cow<'_, str> {
    if !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{HASH_PREFIX}{hash}").into()
    } else {
        scalar(hash)
    }
}

fn section(out: &mut String, heading: &str, text: &str) {
    let _ = write!(out, "\n## {heading}\n\n{text}\n");
}

fn bullets(out: &mut String, heading: &str, items: &[(&str, &str)]) {
    let _ = write!(out, "\n## {heading}\n\n");
    for (label, value) in items {
        let _ = writeln!(out, "- {label}: {value}");
    }
}

fn render_outcome(out: &mut String, notes: &OutcomeNotes) {
    bullets(
        out,
        "Outcome",
        &[
            ("✅ Impact", &notes.impact),
            ("🧪 Tests", &notes.tests),
            ("📁 Files", &notes.files),
            ("🔁 Next prompts", &notes.next_prompts),
            ("🧠 Reflection", &notes.reflection),
        ],
    );
}

fn render_evaluation(out: &mut String, evaluation: &Evaluation) {
    bullets(
        out,
        "Evaluation notes (flywheel)",
        &[
            ("Failure modes observed", &evaluation.failure_modes),
            ("Graders run and results (PASS/FAIL)", &evaluation.graders),
            ("Prompt variant (if applicable)", &evaluation.prompt_variant),
            (
                "Next experiment (smallest change to try)",
                &evaluation.next_experiment,
            ),
        ],
    );
}
