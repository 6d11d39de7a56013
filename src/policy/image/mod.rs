//! Rules on built images rather than on files: the size of an image built from a service's
//! Dockerfile against the constitution ([`size_finding`]). The image builder reports them
//! ([`crate::engine`] measures; this module judges), with the same severities, settings and
//! suppression-free findings as every rule.

pub(crate) mod rules;

use std::path::Path;

use super::constitution::Constitution;
use super::dockerfile::ast::Keyword;
use super::dockerfile::parser;
use super::finding::{Finding, Span};
use super::registry::Rule;

/// The `AG-D101` finding for an image of `size` bytes built from `dockerfile` (its `text`), when
/// the service's class sets a limit it is above; `None` when it is within, or there is no limit,
/// or the rule is off.
pub(crate) fn size_finding(
    constitution: &Constitution,
    service: &str,
    dockerfile: &Path,
    text: &str,
    size: u64,
    stand_in: bool,
) -> Option<Finding> {
    let (limit_text, limit) = size_limit(constitution, service)?;
    if size <= limit {
        return None;
    }
    let class = constitution
        .service(service)
        .and_then(|s| s.class.clone())
        .unwrap_or_default();
    let stand_in = if stand_in {
        " (built on a stand-in base image: the official base image's size differs)"
    } else {
        ""
    };
    let message = format!(
        "the image of service `{service}` is {}{stand_in}, above the {limit_text} the constitution allows for class `{class}`",
        megabytes(size)
    );
    let line = last_stage_line(text, &[Keyword::From]);
    finding(&rules::image_size::RULE, constitution, service, dockerfile, line, message).map(|f| {
        f.with_help("copy only what runs into the last stage; keep build tools, caches and development dependencies out")
    })
}

/// The `AG-D102` finding of a build that failed: at the failing step's line when it is known,
/// with what the builder said and the end of its log.
pub(crate) fn build_finding(
    constitution: &Constitution,
    service: &str,
    dockerfile: &Path,
    line: Option<usize>,
    message: String,
    log_tail: &[String],
) -> Option<Finding> {
    finding(
        &rules::image_builds::RULE,
        constitution,
        service,
        dockerfile,
        line,
        message,
    )
    .map(|f| {
        f.with_help(with_log(
            "fix the step so that it builds",
            "build log",
            log_tail,
        ))
    })
}

/// The `AG-D103` finding of a run that was not judged healthy: at the last stage's `CMD` or
/// `ENTRYPOINT`, with the end of the container's logs.
pub(crate) fn run_finding(
    constitution: &Constitution,
    service: &str,
    dockerfile: &Path,
    text: &str,
    message: String,
    logs: &[String],
) -> Option<Finding> {
    let line = last_stage_line(text, &[Keyword::Cmd, Keyword::Entrypoint]);
    finding(
        &rules::image_runs::RULE,
        constitution,
        service,
        dockerfile,
        line,
        message,
    )
    .map(|f| {
        f.with_help(with_log(
            "make the container start and answer as the service does",
            "container's logs",
            logs,
        ))
    })
}

/// A finding of an image rule, with the severity the constitution gives it; `None` when the
/// rule is off.
fn finding(
    rule: &Rule,
    constitution: &Constitution,
    service: &str,
    dockerfile: &Path,
    line: Option<usize>,
    message: String,
) -> Option<Finding> {
    let setting = constitution.setting(rule.code, Some(service));
    if setting.is_some_and(|s| !s.enabled) {
        return None;
    }
    let severity = setting.map_or(rule.severity, |s| s.severity);
    let finding = Finding::new(rule.code, severity, dockerfile, message);
    Some(match line {
        Some(line) => finding.at(Span::on_line(line, 1, 1)),
        None => finding,
    })
}

/// The line of the last instruction of one of `keywords`, in the last stage.
fn last_stage_line(text: &str, keywords: &[Keyword]) -> Option<usize> {
    let parsed = parser::parse(text);
    let last_from = parsed
        .instructions
        .iter()
        .rposition(|i| i.keyword == Keyword::From)
        .unwrap_or(0);
    parsed.instructions[last_from..]
        .iter()
        .rev()
        .find(|i| keywords.contains(&i.keyword))
        .map(|i| i.first_line)
}

/// Help text followed by a log excerpt.
fn with_log(help: &str, what: &str, lines: &[String]) -> String {
    if lines.is_empty() {
        return help.to_string();
    }
    format!("{help}; the end of the {what}:\n{}", lines.join("\n"))
}

/// A size in megabytes as Docker shows them (10^6 bytes): `212 MB`.
pub(crate) fn megabytes(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / 1_000_000.0)
}

/// The size limit of a service's class: as written and in bytes.
pub(crate) fn size_limit(constitution: &Constitution, service: &str) -> Option<(String, u64)> {
    let text = constitution.class_of(service)?.image_size_max.clone()?;
    let bytes = parse_size(&text)?;
    Some((text, bytes))
}

/// A size as the constitution writes it: `500MB`, `1.5GB`, `300 MiB`, `2000000` (bytes). Decimal
/// units are powers of 1000, as Docker shows sizes; binary ones (`KiB`, `MiB`, `GiB`) of 1024.
pub(crate) fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some((number * factor).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_decimal_and_binary_units() {
        assert_eq!(parse_size("500MB"), Some(500_000_000));
        assert_eq!(parse_size("1.5 GB"), Some(1_500_000_000));
        assert_eq!(parse_size("300MiB"), Some(314_572_800));
        assert_eq!(parse_size("2000"), Some(2000));
        assert_eq!(parse_size("big"), None);
        assert_eq!(parse_size("5 parsecs"), None);
    }

    #[test]
    fn an_image_above_its_class_limit_is_an_error_at_the_last_from() {
        let constitution = Constitution::preset().unwrap();
        let text = "FROM node:20-alpine AS builder\nRUN x\nFROM node:20-alpine AS runtime\nCMD [\"node\"]\n";
        let path = Path::new("docker/frontend-web.Dockerfile");
        let finding =
            size_finding(&constitution, "frontend-web", path, text, 306_000_000, true).unwrap();
        assert_eq!(finding.code, "AG-D101");
        assert_eq!((finding.line(), finding.column()), (3, 1));
        assert_eq!(finding.severity, crate::policy::Severity::Error);
        assert!(finding.message.contains("306 MB"), "{}", finding.message);
        assert!(finding.message.contains("300MB"), "{}", finding.message);
        assert!(finding.message.contains("stand-in"), "{}", finding.message);
        assert!(
            size_finding(&constitution, "frontend-web", path, text, 299_000_000, true).is_none()
        );
        assert!(size_finding(&constitution, "backend", path, text, 306_000_000, false).is_none());
        assert!(size_finding(&constitution, "unknown", path, text, 9_000_000_000, false).is_none());
    }
}
