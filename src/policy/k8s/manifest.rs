//! [`Manifest`]: one YAML file loaded for linting: its text, its documents, the problems the
//! loader met, and what the file's name says (a `*.example` template, a rendered Helm chart).

use std::path::Path;

use super::yaml_tree::{self, Loaded, Mark};
use crate::policy::constitution::Constitution;
use crate::policy::context::FileContext;
use crate::policy::source::Excerpts;

/// One YAML file to lint: the path findings will carry, its text, and whether its findings
/// carry excerpts.
#[derive(Debug, Clone, Copy)]
pub struct ManifestText<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub excerpts: Excerpts,
}

impl<'a> ManifestText<'a> {
    /// A file's path and text, its findings with excerpts.
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        Self {
            path,
            text,
            excerpts: Excerpts::Shown,
        }
    }
}

/// A loaded manifest file.
#[derive(Debug)]
pub struct Manifest<'a> {
    /// The path, text and line index findings are built from.
    pub file: FileContext<'a>,
    /// The documents and the loader's problems.
    pub loaded: Loaded,
    /// True for `*.example` files: templates whose Secrets hold placeholders by design, and which
    /// count as existing objects for references.
    pub example: bool,
}

impl<'a> Manifest<'a> {
    /// Loads a file's YAML.
    pub(crate) fn load(text: ManifestText<'a>, constitution: &'a Constitution) -> Self {
        let example = text
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.to_ascii_lowercase().ends_with(".example"));
        Self {
            file: FileContext::new(text.path, text.text, constitution, None)
                .with_excerpts(text.excerpts),
            loaded: yaml_tree::load(text.text),
            example,
        }
    }

    /// The path findings carry.
    pub(crate) fn path(&self) -> &'a Path {
        self.file.path
    }

    /// The last line a node spans: the line before its end mark when that mark sits at the start
    /// of a line (block collections end where the next token starts).
    pub(crate) fn last_line(start: Mark, end: Mark) -> u32 {
        if end.line > start.line && end.column == 1 {
            end.line - 1
        } else {
            end.line.max(start.line)
        }
    }
}
