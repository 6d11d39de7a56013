//! What the container `securityContext` flag rules share: a boolean every container must set
//! one way (`allowPrivilegeEscalation: false`, `readOnlyRootFilesystem: true`) or must not set
//! the other way (`privileged: true`).

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::registry::Rule;

/// How a flag rule treats a container that leaves the flag unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WhenUnset {
    /// Unset is a finding: the flag must be written.
    Report,
    /// Unset is fine: Kubernetes' default is the safe value.
    Accept,
}

/// Checks `securityContext.<key>` of every container and init container.
pub(crate) fn check_flag(
    cx: &mut Checker<'_, '_>,
    item: &Item<'_>,
    rule: &Rule,
    key: &str,
    wanted: bool,
    when_unset: WhenUnset,
) {
    let Some(spec) = item.object.pod_spec() else {
        return;
    };
    for container in spec.containers() {
        let help = format!(
            "set `securityContext.{key}: {wanted}` on container `{}`",
            container.name
        );
        match container.security(key).filter(|n| !n.is_null()) {
            None if when_unset == WhenUnset::Report => cx
                .report(
                    rule,
                    item,
                    container.anchor(),
                    format!(
                        "container `{}` does not set `securityContext.{key}: {wanted}`",
                        container.name
                    ),
                )
                .help(help),
            None => {}
            Some(node) => match node.as_bool() {
                Some(value) if value == wanted => {}
                Some(value) => cx
                    .report(
                        rule,
                        item,
                        node,
                        format!("container `{}` sets `{key}: {value}`", container.name),
                    )
                    .help(help),
                None => cx
                    .report(
                        rule,
                        item,
                        node,
                        format!(
                            "`{key}` of container `{}` is not `true` or `false`",
                            container.name
                        ),
                    )
                    .help(help),
            },
        }
    }
}
