//! Reading a PHR: aigen's own records exactly, and the variants found in public repositories.
//!
//! Accepted: IDs of any width (`0004`, `039`, `39`, `"001"`, `3-create-tasks`), quoted or plain
//! values, lists indented by one or two spaces or written `[]`, `## Response` for `## Response
//! snapshot`, the `prompt_text:` / `response_text:` keys some tools use instead of sections,
//! records without the `aigen:` key and records missing sections. aigen's own records carry the
//! byte length of the prompt and response, so those read back exactly whatever they contain
//! (headings, `---` lines, fences); other records are split at the known `## ` headings outside
//! code fences.

use std::fmt;

use super::{
    Artifact, Chain, Client, Evaluation, Links, Meta, Outcome, OutcomeNotes, Record, Reference,
    Relation, Template, Tokens, strip_hash_prefix,
};
use crate::finding_counts::FindingCounts;
use crate::phr::front_matter::{self, Value};

/// Why a record could not be read, at a 1-based line and column of its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Where the front matter is: the byte range of its text (between the `---` lines) and the
/// offset where the body starts. `None` when the file does not open with `---` or the block is
/// never closed.
pub fn front_matter_end(text: &str) -> Option<(usize, usize, usize)> {
    let start = if text.starts_with("---\n") {
        4
    } else if text.starts_with("---\r\n") {
        5
    } else {
        return None;
    };
    // The closing line: `---` alone, right at the start or after a newline.
    let mut from = start - 1;
    loop {
        let at = from + text[from..].find("\n---")? + 1;
        let after = &text[at + 3..];
        if after.is_empty() {
            return Some((start, at, text.len()));
        }
        if after.starts_with('\n') {
            return Some((start, at, at + 4));
        }
        if after.starts_with("\r\n") {
            return Some((start, at, at + 5));
        }
        from = at;
    }
}

/// Reads a record from the text of its file.
pub fn parse(text: &str) -> Result<Record, ParseError> {
    parse_with(text, true)
}

/// Reads only the front matter of a record: the body fields (`prompt`, `response`, `outcome`,
/// `evaluation`) stay `None`. For listings and statistics over large trails.
pub fn parse_front(text: &str) -> Result<Record, ParseError> {
    parse_with(text, false)
}

fn parse_with(text: &str, with_body: bool) -> Result<Record, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some((fm_start, fm_end, body_start)) = front_matter_end(text) else {
        let message = if text.starts_with("---") {
            "the front matter is not closed by a `---` line"
        } else {
            "no front matter: a PHR starts with a `---` line"
        };
        return Err(ParseError {
            line: 1,
            column: 1,
            message: message.to_string(),
        });
    };
    let front = front_matter::parse(&text[fm_start..fm_end]).map_err(|e| ParseError {
        line: e.line + 1,
        column: e.column,
        message: e.message,
    })?;
    if !matches!(front, Value::Map(_)) {
        return Err(ParseError {
            line: 2,
            column: 1,
            message: "the front matter is not a mapping of keys to values".to_string(),
        });
    }
    let mut record = standard_fields(&front);
    record.aigen = front.get("aigen").map(meta);
    if !with_body {
        return Ok(record);
    }
    let body = &text[body_start..];
    let exact = record
        .aigen
        .as_ref()
        .and_then(|m| exact_body(body, m.prompt_bytes?, m.response_bytes?));
    let (prompt, response, rest) = match exact {
        Some((prompt, response, rest)) => (Some(prompt), Some(response), rest),
        None => {
            let sections = sections(body);
            (
                sections.prompt.map(str::to_string),
                sections.response.map(str::to_string),
                body,
            )
        }
    };
    record.prompt = prompt.or_else(|| text_of(&front, "prompt_text"));
    record.response = response.or_else(|| text_of(&front, "response_text"));
    let sections = sections(rest);
    record.outcome = sections.outcome.map(outcome_notes);
    record.evaluation = sections.evaluation.map(evaluation);
    Ok(record)
}

fn text_of(map: &Value<'_>, key: &str) -> Option<String> {
    map.get(key).and_then(Value::to_text)
}

/// Whether a list item or link says "nothing here".
fn is_nothing(text: &str) -> bool {
    let text = text.trim();
    text.is_empty() || text.eq_ignore_ascii_case("none") || text.eq_ignore_ascii_case("null")
}

fn standard_fields(front: &Value<'_>) -> Record {
    // One pass over the mapping (the first of duplicate keys wins), rather than a lookup per key.
    let mut slots: [Option<&Value<'_>>; 14] = [None; 14];
    if let Value::Map(entries) = front {
        for (key, value) in entries {
            let slot = match key.as_ref() {
                "id" => 0,
                "title" => 1,
                "stage" => 2,
                "date" => 3,
                "surface" => 4,
                "model" => 5,
                "feature" => 6,
                "branch" => 7,
                "user" => 8,
                "command" => 9,
                "labels" => 10,
                "links" => 11,
                "files" => 12,
                "tests" => 13,
                _ => continue,
            };
            slots[slot].get_or_insert(value);
        }
    }
    let text = |slot: usize| slots[slot].and_then(Value::to_text).unwrap_or_default();
    let list = |slot: usize| -> Vec<String> {
        slots[slot]
            .map(|v| {
                v.items()
                    .into_iter()
                    .filter_map(Value::to_text)
                    .filter(|item| !is_nothing(item))
                    .collect()
            })
            .unwrap_or_default()
    };
    let links = slots[11];
    let link = |key: &str| {
        links
            .and_then(|l| l.get(key))
            .and_then(Value::to_text)
            .filter(|v| !is_nothing(v))
    };
    Record {
        id: text(0),
        title: text(1),
        stage: text(2),
        date: text(3),
        surface: text(4),
        model: text(5),
        feature: text(6),
        branch: text(7),
        user: text(8),
        command: text(9),
        labels: list(10),
        links: Links {
            spec: link("spec"),
            ticket: link("ticket"),
            adr: link("adr"),
            pr: link("pr"),
        },
        files: list(12),
        tests: list(13),
        ..Record::default()
    }
}

fn meta(block: &Value<'_>) -> Meta {
    let text = |key: &str| text_of(block, key);
    let number = |key: &str| {
        block
            .get(key)
            .and_then(Value::as_str)
            .and_then(|t| t.trim().parse::<u64>().ok())
    };
    let has = |key: &str| block.get(key).is_some_and(|v| *v != Value::Null);
    let small = |key: &str| number(key).and_then(|n| u32::try_from(n).ok());
    let size = |key: &str| number(key).and_then(|n| usize::try_from(n).ok());
    let outcome = match text("outcome") {
        None => Outcome::Ok,
        Some(word) => Outcome::from_parts(&word, text("reason"))
            .unwrap_or_else(|| Outcome::Failed(format!("unknown outcome `{word}`"))),
    };
    let lint = (has("lint_errors") || has("lint_warnings")).then(|| FindingCounts {
        errors: size("lint_errors").unwrap_or(0),
        warnings: size("lint_warnings").unwrap_or(0),
        infos: 0,
    });
    let tokens = (has("prompt_tokens") || has("completion_tokens")).then(|| Tokens {
        prompt: number("prompt_tokens").unwrap_or(0),
        completion: number("completion_tokens").unwrap_or(0),
    });
    let artifacts = block
        .get("artifacts")
        .map(|list| {
            list.items()
                .into_iter()
                .filter_map(|a| {
                    Some(Artifact {
                        path: text_of(a, "path")?,
                        sha256: text_of(a, "sha256").unwrap_or_default(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let merges = block
        .get("merges")
        .map(|list| {
            list.items()
                .into_iter()
                .filter_map(Value::to_text)
                .map(|h| strip_hash_prefix(&h).to_string())
                .collect()
        })
        .unwrap_or_default();
    let chain = match (number("sequence"), text("hash")) {
        (Some(sequence), Some(hash)) => Some(Chain {
            sequence,
            prev: text("prev").map(|p| strip_hash_prefix(&p).to_string()),
            hash: strip_hash_prefix(&hash).to_string(),
        }),
        _ => None,
    };
    Meta {
        format: small("format").unwrap_or(0),
        time: text("time"),
        provider: text("provider"),
        tool: text("tool"),
        command_line: text("command_line"),
        client: text("client").map(|name| Client {
            name,
            version: text("client_version").unwrap_or_default(),
            protocol: text("mcp_protocol"),
        }),
        template: text("template").map(|name| Template {
            name,
            version: text("template_version").unwrap_or_default(),
        }),
        round: small("round"),
        reference: Relation::ALL.into_iter().find_map(|relation| {
            text(relation.as_str()).map(|record| Reference { relation, record })
        }),
        outcome,
        lint,
        tokens,
        latency_ms: number("latency_ms"),
        artifacts,
        merges,
        prompt_bytes: size("prompt_bytes"),
        response_bytes: size("response_bytes"),
        chain,
    }
}

/// The prompt, the response and the rest of an aigen body, cut by their recorded lengths.
fn exact_body(
    body: &str,
    prompt_len: usize,
    response_len: usize,
) -> Option<(String, String, &str)> {
    let rest = body.strip_prefix("\n## Prompt\n\n")?;
    let prompt = rest.get(..prompt_len)?;
    let rest = rest[prompt_len..].strip_prefix("\n\n## Response snapshot\n\n")?;
    let response = rest.get(..response_len)?;
    let rest = rest[response_len..].strip_prefix('\n')?;
    Some((prompt.to_string(), response.to_string(), rest))
}

#[derive(Default)]
struct Sections<'a> {
    prompt: Option<&'a str>,
    response: Option<&'a str>,
    outcome: Option<&'a str>,
    evaluation: Option<&'a str>,
}

#[derive(Clone, Copy)]
enum Known {
    Prompt,
    Response,
    Outcome,
    Evaluation,
}

fn known_heading(line: &str) -> Option<Known> {
    let name = line.strip_prefix("## ")?.trim().to_ascii_lowercase();
    match name.as_str() {
        "prompt" | "prompt text" => Some(Known::Prompt),
        "response snapshot" | "response" | "response text" => Some(Known::Response),
        "outcome" => Some(Known::Outcome),
        _ if name.starts_with("evaluation") => Some(Known::Evaluation),
        _ => None,
    }
}

/// Splits a body at the known `## ` headings that are not inside a code fence. A known section
/// runs to the next known heading, so headings inside a prompt do not cut it.
fn sections(body: &str) -> Sections<'_> {
    let mut found = Sections::default();
    let mut current: Option<(Known, usize)> = None;
    let mut fence: Option<&str> = None;
    let mut at = 0;
    while at < body.len() {
        let end = body[at..].find('\n').map_or(body.len(), |i| at + i + 1);
        let line = body[at..end].trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        match fence {
            Some(marker) if trimmed.starts_with(marker) => fence = None,
            Some(_) => {}
            None if trimmed.starts_with("```") => fence = Some("```"),
            None if trimmed.starts_with("~~~") => fence = Some("~~~"),
            None => {
                if let Some(kind) = known_heading(line) {
                    close(body, &mut found, current, at);
                    current = Some((kind, end));
                }
            }
        }
        at = end;
    }
    close(body, &mut found, current, body.len());
    found
}

fn close<'a>(body: &'a str, found: &mut Sections<'a>, current: Option<(Known, usize)>, end: usize) {
    if let Some((kind, start)) = current {
        let text = body[start..end].trim_matches(['\n', '\r']);
        let slot = match kind {
            Known::Prompt => &mut found.prompt,
            Known::Response => &mut found.response,
            Known::Outcome => &mut found.outcome,
            Known::Evaluation => &mut found.evaluation,
        };
        slot.get_or_insert(text);
    }
}

/// The value after `label` (and its colon) in the bullet list of a section.
fn bullet<'a>(section: &'a str, label: &str) -> Option<&'a str> {
    section.lines().find_map(|line| {
        let line = line.trim_start().strip_prefix('-')?;
        let colon = line.find(':')?;
        line[..colon]
            .contains(label)
            .then(|| line[colon + 1..].trim())
    })
}

fn outcome_notes(section: &str) -> OutcomeNotes {
    let get = |label| bullet(section, label).unwrap_or("none").to_string();
    OutcomeNotes {
        impact: get("Impact"),
        tests: get("Tests"),
        files: get("Files"),
        next_prompts: get("Next prompts"),
        reflection: get("Reflection"),
    }
}

fn evaluation(section: &str) -> Evaluation {
    let get = |label| bullet(section, label).unwrap_or("none").to_string();
    Evaluation {
        failure_modes: get("Failure modes"),
        graders: get("Graders run"),
        prompt_variant: get("Prompt variant"),
        next_experiment: get("Next experiment"),
    }
}
