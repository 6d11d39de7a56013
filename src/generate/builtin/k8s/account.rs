//! The ServiceAccount of one service: its own identity with no token mounted and no role bound,
//! so a compromised pod holds no credentials for the Kubernetes API (least-privilege RBAC).

use super::{Ctx, render};
use crate::generate::builtin::facts::Facts;
use crate::generate::builtin::yaml::Map;

/// The ServiceAccount manifest.
pub(crate) fn service_account(cx: &Ctx<'_>, facts: &Facts<'_>) -> String {
    let body = Map::new()
        .with("apiVersion", "v1")
        .with("kind", "ServiceAccount")
        .with(
            "metadata",
            cx.metadata(&facts.name, &facts.class.to_string(), true),
        )
        .with("automountServiceAccountToken", false);
    render(
        &format!(
            "ServiceAccount of `{}`: no API token mounted, no role bound.",
            facts.service.name
        ),
        body,
    )
}
