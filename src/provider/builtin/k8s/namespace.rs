//! The Namespace, labelled for the `restricted` Pod Security Standard, which every generated pod
//! meets.

use super::{Ctx, render};
use crate::provider::builtin::yaml::Map;

/// The Namespace manifest.
pub(crate) fn namespace(cx: &Ctx<'_>, name: &str) -> String {
    let labels = cx
        .labels(name, "namespace", false)
        .with("pod-security.kubernetes.io/enforce", "restricted");
    let body = Map::new()
        .with("apiVersion", "v1")
        .with("kind", "Namespace")
        .with(
            "metadata",
            Map::new().with("name", name).with("labels", labels),
        );
    render(
        &format!("Namespace `{name}`; its pods must meet the restricted Pod Security Standard."),
        body,
    )
}
