//! The checks Spec-Kit Plus states for a PHR, run over every record: no placeholders left, the
//! file where its stage routes it, the ID equal to the file-name prefix, no two records of a
//! directory with the same ID, and no blank required metadata.
//!
//! These are warnings: many public trails break them (three-digit and duplicate IDs), and a
//! record is never rewritten to fix them. `aigen history verify --strict` fails on them.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::naming::{Stage, id_number, parse_file_name, route_dir};
use super::record::Record;
use super::store::RecordFile;
use super::verify::{TrailFinding, TrailFindingKind};

static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{[A-Z][A-Z0-9_]*\}\}").expect("placeholder pattern compiles"));

/// Checks one record. `front_matter` is its raw front matter (placeholders such as
/// `{{TITLE}}` do not survive YAML parsing). `located` is false for a chained record already
/// reported as moved, whose location checks would only repeat that finding. The prompt and
/// response are not checked for placeholders: they are kept verbatim and may quote templates.
pub(crate) fn check_record(
    file: &RecordFile,
    record: &Record,
    front_matter: &str,
    located: bool,
) -> Vec<TrailFinding> {
    let mut findings = Vec::new();
    let mut fields: Vec<(&str, &str)> = vec![("front matter", front_matter)];
    if let Some(notes) = &record.outcome {
        for value in [
            &notes.impact,
            &notes.tests,
            &notes.files,
            &notes.next_prompts,
            &notes.reflection,
        ] {
            fields.push(("outcome", value));
        }
    }
    if let Some(eval) = &record.evaluation {
        for value in [
            &eval.failure_modes,
            &eval.graders,
            &eval.prompt_variant,
            &eval.next_experiment,
        ] {
            fields.push(("evaluation notes", value));
        }
    }
    for (field, value) in &fields {
        if let Some(found) = PLACEHOLDER.find(value) {
            findings.push(TrailFinding::at(
                TrailFindingKind::Placeholder,
                &file.rel,
                format!("unresolved placeholder `{}` in {field}", found.as_str()),
            ));
        }
    }
    let blank: Vec<&str> = [
        ("id", &record.id),
        ("title", &record.title),
        ("stage", &record.stage),
        ("date", &record.date),
    ]
    .iter()
    .filter(|(_, v)| v.trim().is_empty())
    .map(|(k, _)| *k)
    .collect();
    if !blank.is_empty() {
        findings.push(TrailFinding::at(
            TrailFindingKind::MissingMetadata,
            &file.rel,
            format!("blank front matter: {}", blank.join(", ")),
        ));
    }
    if record.prompt.is_none() {
        findings.push(TrailFinding::at(
            TrailFindingKind::MissingMetadata,
            &file.rel,
            "no `## Prompt` section",
        ));
    }
    if !located {
        return findings;
    }
    let parts = parse_file_name(&file.name);
    match record.stage.parse::<Stage>() {
        Err(e) if !record.stage.trim().is_empty() => {
            findings.push(TrailFinding::at(
                TrailFindingKind::StageRoute,
                &file.rel,
                e.to_string(),
            ));
        }
        Err(_) => {}
        Ok(stage) => {
            match route_dir(stage, record.feature()) {
                Some(route) if route != file.dir => findings.push(TrailFinding::at(
                    TrailFindingKind::StageRoute,
                    &file.rel,
                    format!(
                        "stage `{stage}` with feature `{}` belongs in `{route}/`, not `{}/`",
                        record.feature, file.dir
                    ),
                )),
                None => findings.push(TrailFinding::at(
                    TrailFindingKind::StageRoute,
                    &file.rel,
                    format!("stage `{stage}` needs a feature, and the record has none"),
                )),
                _ => {}
            }
            if let Some(named) = parts.as_ref().and_then(|p| p.stage)
                && !named.eq_ignore_ascii_case(stage.as_str())
            {
                findings.push(TrailFinding::at(
                    TrailFindingKind::StageRoute,
                    &file.rel,
                    format!("the file name says stage `{named}`, the front matter `{stage}`"),
                ));
            }
        }
    }
    if let Some(parts) = &parts {
        let same = match (id_number(&record.id), parts.number) {
            (Some(a), Some(b)) => a == b,
            _ => record.id.trim() == parts.prefix,
        };
        if !same && !record.id.trim().is_empty() {
            findings.push(TrailFinding::at(
                TrailFindingKind::IdMismatch,
                &file.rel,
                format!(
                    "`id: {}` does not match the file-name prefix `{}`",
                    record.id, parts.prefix
                ),
            ));
        }
    }
    findings
}

/// Records of one directory that share an ID (by number, or by prefix when not numeric).
pub(crate) fn duplicate_ids<'a>(
    files: impl IntoIterator<Item = &'a RecordFile>,
) -> Vec<TrailFinding> {
    let mut groups: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    for file in files {
        if let Some(parts) = parse_file_name(&file.name) {
            let id = parts
                .number
                .map_or_else(|| parts.prefix.to_string(), |n| n.to_string());
            groups
                .entry((file.dir.clone(), id))
                .or_default()
                .push(&file.rel);
        }
    }
    let mut findings = Vec::new();
    for ((_, id), paths) in groups {
        if paths.len() < 2 {
            continue;
        }
        for path in &paths {
            let others: Vec<&str> = paths.iter().copied().filter(|p| p != path).collect();
            findings.push(TrailFinding::at(
                TrailFindingKind::DuplicateId,
                path,
                format!("ID {id} is also used by {}", others.join(", ")),
            ));
        }
    }
    findings
}
