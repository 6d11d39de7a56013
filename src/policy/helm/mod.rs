//! Helm charts.
use crate::policy::registry::Rule;
/// The chart rules.
pub static RULES: &[Rule] = &[];
