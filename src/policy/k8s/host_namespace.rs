//! What the host namespace rules share: a pod-spec flag (`hostNetwork`, `hostPID`, `hostIPC`)
//! that must not be true.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::registry::Rule;

/// Reports `spec.<key>: true` on a workload's pod spec.
pub(crate) fn check_host_flag(
    cx: &mut Checker<'_, '_>,
    item: &Item<'_>,
    rule: &Rule,
    key: &str,
    what: &str,
) {
    let Some(spec) = item.object.pod_spec() else {
        return;
    };
    if let Some(node) = spec.flag(key) {
        cx.report(
            rule,
            item,
            node,
            format!(
                "`{}` shares the node's {what} (`{key}: true`)",
                item.object.display()
            ),
        )
        .help(format!("remove `{key}`"));
    }
}
