//! The SARIF 2.1.0 report, in the shape GitHub code scanning accepts: one run, the tool's rules
//! with their documentation, one result per finding with a physical location (a relative URI
//! and a region with 1-based lines and columns counted in Unicode code points).

use std::collections::BTreeMap;

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};

use crate::fsutil::slash_path;
use crate::policy::finding::Finding;
use crate::policy::registry::{self, Rule};
use crate::policy::severity::Severity;

/// Where aigen's documentation lives, for the SARIF `informationUri`.
pub(crate) const INFORMATION_URI: &str = "https://github.com/aigen-dev/aigen";

fn sarif_level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let documentation = rule.documentation();
    ReportingDescriptor::builder()
        .id(rule.code)
        .name(rule.name)
        .short_description(
            MultiformatMessageString::builder()
                .text(rule.summary)
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(rule.summary)
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(documentation.clone())
                .markdown(documentation)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::Value::String(
                    sarif_level(rule.severity).to_string().to_lowercase(),
                ))
                .build(),
        )
        .build()
}

/// Renders findings as a SARIF 2.1.0 log with every registered rule in the driver.
pub fn sarif(findings: &[Finding]) -> String {
    let rules: Vec<&Rule> = registry::rules().collect();
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| (rule.code, i))
        .collect();
    let results: Vec<SarifResult> = findings
        .iter()
        .map(|finding| {
            let mut region = Region::builder().build();
            if let Some(span) = finding.span {
                region.start_line = Some(span.start.line as i64);
                region.start_column = Some(span.start.column as i64);
                region.end_line = Some(span.end.line as i64);
                region.end_column = Some(span.end.column as i64);
            }
            let physical = PhysicalLocation::builder().artifact_location(
                ArtifactLocation::builder()
                    .uri(slash_path(&finding.path))
                    .build(),
            );
            // A finding about a whole file points at its first line: code-scanning services
            // expect a region on every result.
            if finding.span.is_none() {
                region.start_line = Some(1);
            }
            let physical = physical.region(region).build();
            let text = match &finding.help {
                Some(help) => format!("{}; {help}", finding.message),
                None => finding.message.clone(),
            };
            let mut result = SarifResult::builder()
                .message(Message::builder().text(text).build())
                .rule_id(finding.code)
                .level(sarif_level(finding.severity))
                .locations(vec![
                    Location::builder().physical_location(physical).build(),
                ])
                .build();
            result.rule_index = index.get(finding.code).map(|&i| i as i64);
            result
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("aigen")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(
            rules
                .iter()
                .map(|rule| descriptor(rule))
                .collect::<Vec<_>>(),
        )
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(serde_json::Value::String("unicodeCodePoints".into()))
        .build();
    let log = Sarif::builder()
        .schema(serde_sarif::sarif::SCHEMA_URL)
        .version(serde_json::Value::String("2.1.0".into()))
        .runs(vec![run])
        .build();
    // The log holds strings, numbers and enums only; serialising it cannot fail.
    serde_json::to_string_pretty(&log).unwrap_or_default()
}
