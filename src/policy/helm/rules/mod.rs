//! The Helm chart rules, one per file: `AG-K201`…`AG-K204` check the chart's own files,
//! `AG-K205` and `AG-K206` report a chart that could not be rendered.
//! [`crate::policy::registry::RULES`] lists them.

pub(crate) mod chart_helmignore;
pub(crate) mod chart_metadata;
pub(crate) mod chart_renders;
pub(crate) mod chart_templates;
pub(crate) mod chart_values;
pub(crate) mod helm_available;
