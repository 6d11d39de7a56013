//! The Helm chart rules, one per file: `AG-K201`…`AG-K204` check the chart's own files,
//! `AG-K205` and `AG-K206` report a chart that could not be rendered.

use super::ChartCx;
use crate::policy::registry::Rule;

pub(crate) mod chart_helmignore;
pub(crate) mod chart_metadata;
pub(crate) mod chart_renders;
pub(crate) mod chart_templates;
pub(crate) mod chart_values;

/// Every chart rule, in code order.
pub static RULES: &[Rule] = &[
    chart_metadata::RULE,
    chart_values::RULE,
    chart_templates::RULE,
    chart_helmignore::RULE,
    chart_renders::RULE,
    chart_renders::HELM_AVAILABLE,
];

/// A check of the chart's files.
pub(crate) type ChartCheck = fn(&mut ChartCx<'_>);

/// The rules that check the chart's files, and their checks.
pub(crate) static CHART_CHECKS: &[(&Rule, ChartCheck)] = &[
    (&chart_metadata::RULE, chart_metadata::check),
    (&chart_values::RULE, chart_values::check),
    (&chart_templates::RULE, chart_templates::check),
    (&chart_helmignore::RULE, chart_helmignore::check),
];
