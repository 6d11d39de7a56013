//! Dockerfiles: the parser with exact positions and the rules.

use std::path::Path;

use super::constitution::Constitution;
use super::finding::Finding;
use super::registry::Rule;

/// The Dockerfile rules.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    std::iter::empty()
}

/// Lints a Dockerfile's text.
pub fn lint(
    _path: &Path,
    _text: &str,
    _constitution: &Constitution,
    _service: Option<&str>,
) -> Vec<Finding> {
    Vec::new()
}
