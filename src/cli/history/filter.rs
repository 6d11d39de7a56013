//! The filters `list`, `search`, `stats` and `export` share, and their check.

use clap::Args;

use crate::error::Result;
use crate::phr::query::{Filter, FilterText};

/// Filters shared by `list`, `search`, `stats` and `export`.
#[derive(Debug, Clone, Args)]
pub(crate) struct FilterArgs {
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
    FilterText {
        feature: args.feature.clone(),
        stage: args.stage.clone(),
        provider: args.provider.clone(),
        model: args.model.clone(),
        since: args.since.clone(),
        until: args.until.clone(),
        outcome: args.outcome.clone(),
        label: args.label.clone(),
    }
    .parse("--")
}
