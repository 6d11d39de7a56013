//! [`FileContext`]: what every check of one file shares: its display path, its text (indexed by
//! line), the constitution and the service the file belongs to.
//!
//! Checks report through [`FileContext::finding`], which applies the constitution's setting for
//! the rule (off, or the severity it gets for this service) and attaches the source excerpt.

use std::path::Path;

use super::constitution::{Constitution, RuleSetting};
use super::finding::{Finding, Span};
use super::source::{Excerpts, SourceFile};

/// One file being linted.
#[derive(Debug)]
pub struct FileContext<'a> {
    /// The path findings carry (as the user should see it).
    pub path: &'a Path,
    /// The file's text.
    pub source: SourceFile<'a>,
    /// The constitution it is checked against.
    pub constitution: &'a Constitution,
    /// The service the file belongs to, when known (from its name or directory).
    pub service: Option<&'a str>,
}

impl<'a> FileContext<'a> {
    /// The context of a file's text.
    pub(crate) fn new(
        path: &'a Path,
        text: &'a str,
        constitution: &'a Constitution,
        service: Option<&'a str>,
    ) -> Self {
        Self {
            path,
            source: SourceFile::new(text),
            constitution,
            service,
        }
    }

    /// The same context, its findings' excerpts cut or not.
    pub(crate) fn with_excerpts(self, excerpts: Excerpts) -> Self {
        Self {
            source: self.source.with_excerpts(excerpts),
            ..self
        }
    }

    /// The effective setting of a rule for this file.
    pub(crate) fn setting(&self, code: &str) -> Option<&'a RuleSetting> {
        self.constitution.setting(code, self.service)
    }

    /// True when the rule runs on this file.
    pub(crate) fn enabled(&self, code: &str) -> bool {
        self.setting(code).is_some_and(|s| s.enabled)
    }

    /// A finding of rule `code` at `span` (`None` for the whole file), with the severity the
    /// constitution gives it; `None` when the rule is off for this file.
    pub(crate) fn finding(
        &self,
        code: &'static str,
        span: Option<Span>,
        message: impl Into<String>,
    ) -> Option<Finding> {
        let setting = self.setting(code)?;
        if !setting.enabled {
            return None;
        }
        let mut finding = Finding::new(code, setting.severity, self.path, message);
        if let Some(span) = span {
            finding = finding.at(span).with_excerpt(&self.source);
        }
        Some(finding)
    }
}
