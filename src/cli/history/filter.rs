//! The filters `list`, `search`, `stats` and `export` share, and their check.

use clap::Args;

use crate::error::{Error, Result};
use crate::phr::Stage;
use crate::phr::query::{self, Filter};

/// Filters shared by `list`, `search`, `stats` and `export`.
#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// Only records of this feature.
    #[arg(long, value_name = "FEATURE")]
    pub feature: Option<String>,
    /// Only records of this stage.
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
    /// Only records of this provider or tool.
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// Only records of this model.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Only records on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only records on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only records with this outcome (ok, failed, interrupted).
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: Option<String>,
    /// Only records with this label.
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
}

/// A [`Filter`] from the command line, with the values checked.
pub(super) fn filter(args: &FilterArgs) -> Result<Filter> {
    let stage = args
        .stage
        .as_deref()
        .map(|s| s.parse::<Stage>().map_err(|e| Error::usage(e.to_string())))
        .transpose()?;
    let outcome = match args.outcome.as_deref().map(str::trim) {
        Some(o) if !query::OUTCOMES.contains(&o) => {
            return Err(Error::usage(format!(
                "unknown outcome `{o}` (expected ok, failed or interrupted)"
            )));
        }
        other => other.map(str::to_string),
    };
    Ok(Filter {
        feature: args.feature.clone(),
        stage,
        provider: args.provider.clone(),
        model: args.model.clone(),
        since: args
            .since
            .as_deref()
            .map(|d| query::parse_date(d, "--since"))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|d| query::parse_date(d, "--until"))
            .transpose()?,
        outcome,
        label: args.label.clone(),
    })
}
