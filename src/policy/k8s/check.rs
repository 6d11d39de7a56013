//! [`Checker`]: what a Kubernetes rule reports through. It knows the object set, resolves each
//! rule's setting for the service an object belongs to (off, severity, parameters), and turns a
//! YAML node into the span and excerpt of a [`Finding`].
//!
//! Rules come in two shapes ([`crate::policy::registry::Check`]): per object, run on every
//! object of the set (in parallel), and per set, run once over all objects for the cross-object
//! rules.

use super::set::{Item, ObjectSet};
use super::yaml_tree::{Mark, Node};
use crate::policy::constitution::RuleSetting;
use crate::policy::finding::{Finding, Position, Reported, Span};
use crate::policy::registry::Rule;
use crate::policy::source::SourceFile;

/// The reporting context of the Kubernetes rules.
#[derive(Debug)]
pub(crate) struct Checker<'s, 'a> {
    pub set: &'s ObjectSet<'a>,
    /// Findings with the index of their file.
    findings: Vec<(usize, Finding)>,
}

impl<'s, 'a> Checker<'s, 'a> {
    /// A checker over a set, with no findings yet.
    pub(crate) fn new(set: &'s ObjectSet<'a>) -> Self {
        Self {
            set,
            findings: Vec::new(),
        }
    }

    /// The rule's setting for the item's service, when the rule is on for it.
    pub(crate) fn setting(&self, rule: &Rule, item: &Item<'_>) -> Option<&'a RuleSetting> {
        self.set
            .constitution
            .setting(rule.code, item.service)
            .filter(|setting| setting.enabled)
    }

    /// True when the rule is on for the item's service.
    pub(crate) fn enabled(&self, rule: &Rule, item: &Item<'_>) -> bool {
        self.setting(rule, item).is_some()
    }

    /// The rule's parameters for the item's service, as the type it declared.
    pub(crate) fn params<P: Default + Clone + 'static>(&self, rule: &Rule, item: &Item<'_>) -> P {
        self.set
            .constitution
            .setting(rule.code, item.service)
            .and_then(|setting| setting.params::<P>())
            .cloned()
            .unwrap_or_default()
    }

    /// Reports a finding of `rule` about `item`, pointing at `node`.
    pub(crate) fn report(
        &mut self,
        rule: &Rule,
        item: &Item<'_>,
        node: &Node,
        message: impl Into<String>,
    ) -> Reported<'_> {
        self.report_span(rule, item, node.mark, node.end, message)
    }

    /// Reports a finding of `rule` about `item`, from a key to the end of its value when they
    /// share a line (`replicas: 1`).
    pub(crate) fn report_entry(
        &mut self,
        rule: &Rule,
        item: &Item<'_>,
        key: &Node,
        value: &Node,
        message: impl Into<String>,
    ) -> Reported<'_> {
        let end = if value.mark.line == key.mark.line {
            value.end
        } else {
            key.end
        };
        self.report_span(rule, item, key.mark, end, message)
    }

    fn report_span(
        &mut self,
        rule: &Rule,
        item: &Item<'_>,
        start: Mark,
        end: Mark,
        message: impl Into<String>,
    ) -> Reported<'_> {
        let Some(setting) = self.setting(rule, item) else {
            return Reported::new(None);
        };
        let manifest = self.set.manifest(item);
        let span = line_span(&manifest.file.source, start, end);
        let finding = Finding::new(rule.code, setting.severity, manifest.path(), message)
            .at(span)
            .with_excerpt(&manifest.file.source);
        self.findings.push((item.file, finding));
        Reported::new(self.findings.last_mut().map(|(_, finding)| finding))
    }

    /// The findings reported so far, each with the index of its file.
    pub(crate) fn into_findings(self) -> Vec<(usize, Finding)> {
        self.findings
    }
}

/// The span of a node, kept to its first line: to its end when it ends on that line, else to the
/// end of the line.
pub(crate) fn line_span(source: &SourceFile<'_>, start: Mark, end: Mark) -> Span {
    let end_column = if end.line == start.line && end.column > start.column {
        end.column
    } else {
        (line_width(source, start.line) + 1).max(start.column + 1)
    };
    Span::new(
        Position::new(start.line as usize, start.column as usize),
        Position::new(start.line as usize, end_column as usize),
    )
}

/// The number of characters on a 1-based line (0 past the end).
pub(crate) fn line_width(source: &SourceFile<'_>, line: u32) -> u32 {
    source.line(line as usize).map_or(0, |text| {
        u32::try_from(text.chars().count()).unwrap_or(u32::MAX)
    })
}
