//! The JSON report: one document with a summary and every finding.
//!
//! ```json
//! {"version": 1, "summary": {"files": 3, "error": 1, "warning": 0, "info": 0},
//!  "findings": [{"code": "AG-D003", "rule": "pinned-base-image", "severity": "error",
//!                "message": "...", "help": "...", "path": "docker/backend.Dockerfile",
//!                "line": 1, "column": 6, "end_line": 1, "end_column": 19}]}
//! ```
//! Lines and columns are 1-based (columns count characters); the end is exclusive. Whole-file
//! findings have no line or column.

use serde::Serialize;

use super::Summary;
use crate::fsutil::slash_path;
use crate::policy::finding::Finding;
use crate::policy::registry;
use crate::policy::severity::Severity;

/// The version of the JSON report's shape.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    summary: JsonSummary,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    files_with_findings: usize,
    error: usize,
    warning: usize,
    info: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

/// Renders findings as a pretty-printed JSON document.
pub fn json(findings: &[Finding], summary: &Summary) -> String {
    let document = Document {
        version: JSON_VERSION,
        summary: JsonSummary {
            files: summary.files,
            files_with_findings: summary.files_with_findings,
            error: summary.counts.errors,
            warning: summary.counts.warnings,
            info: summary.counts.infos,
        },
        findings: findings
            .iter()
            .map(|f| JsonFinding {
                code: f.code,
                rule: registry::find(f.code).map_or("", |rule| rule.name),
                severity: f.severity,
                message: &f.message,
                help: f.help.as_deref(),
                path: slash_path(&f.path),
                line: f.span.map(|s| s.start.line),
                column: f.span.map(|s| s.start.column),
                end_line: f.span.map(|s| s.end.line),
                end_column: f.span.map(|s| s.end.column),
            })
            .collect(),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(&document).unwrap_or_default()
}
