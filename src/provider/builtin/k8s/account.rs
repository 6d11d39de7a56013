//! The ServiceAccount of one service: its own identity with no token mounted and no role bound,
//! so a compromised pod holds no credentials for the Kubernetes API (least-privilege RBAC).

use super::{Ctx, render};
use crate::provider::builtin::facts::Facts;

/// The ServiceAccount manifest.
pub(crate) fn service_account(cx: &Ctx<'_>, facts: &Facts<'_>) -> String {
    let body = cx
        .service_object("v1", "ServiceAccount", facts)
        .with("automountServiceAccountToken", false);
    render(
        &format!(
            "ServiceAccount of `{}`: no API token mounted, no role bound.",
            facts.service.name
        ),
        body,
    )
}
