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

use schemars::JsonSchema;
use serde::Serialize;

use super::Summary;
use crate::fsutil::slash_path;
use crate::policy::finding::Finding;
use crate::policy::registry;
use crate::policy::severity::Severity;

/// The version of the JSON report's shape.
pub(crate) const JSON_VERSION: u32 = 1;

/// The JSON report (also the structured result of the MCP tool `lint`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct Document<'a> {
    /// The version of this shape ([`JSON_VERSION`]).
    pub version: u32,
    pub summary: JsonSummary,
    pub findings: Vec<JsonFinding<'a>>,
}

/// Files linted and findings by severity.
#[derive(Debug, Serialize, JsonSchema)]
pub struct JsonSummary {
    pub files: usize,
    pub files_with_findings: usize,
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    /// Files read and not linted (`aigen lint --list-files` says why).
    pub skipped: usize,
}

/// One finding; lines and columns are 1-based, the end exclusive, absent for whole-file findings.
#[derive(Debug, Serialize, JsonSchema)]
pub struct JsonFinding<'a> {
    /// Rule code (`AG-D003`).
    pub code: &'a str,
    /// Rule name (`pinned-base-image`).
    pub rule: &'a str,
    pub severity: Severity,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
    /// The file, relative to the project root, `/`-separated.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<usize>,
}

/// Renders findings as a pretty-printed JSON document.
pub fn json(findings: &[Finding], summary: &Summary) -> String {
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(&document(findings, summary)).unwrap_or_default()
}

/// The JSON report of findings, as a value to serialise.
pub(crate) fn document<'a>(findings: &'a [Finding], summary: &Summary) -> Document<'a> {
    Document {
        version: JSON_VERSION,
        summary: JsonSummary {
            files: summary.files,
            files_with_findings: summary.files_with_findings,
            error: summary.counts.errors,
            warning: summary.counts.warnings,
            info: summary.counts.infos,
            skipped: summary.skipped,
        },
        findings: findings
            .iter()
            .map(|f| JsonFinding {
                code: f.code,
                rule: registry::by_code(f.code).map_or("", |rule| rule.name),
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
    }
}
