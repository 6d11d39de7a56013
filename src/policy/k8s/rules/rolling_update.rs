//! `AG-K002`: Deployments roll out without taking capacity away.

use crate::policy::constitution::IntOrString;
use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::k8s::yaml_tree::Node;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that every Deployment uses the `RollingUpdate` strategy with `maxUnavailable` and
    /// `maxSurge` set explicitly and within the constitution's `deployment.max_unavailable` and
    /// `deployment.max_surge` (0 and 1 in the Phase IV preset). Percentages are resolved against
    /// the replica count the way Kubernetes does: `maxUnavailable` rounds down, `maxSurge` up.
    ///
    /// ## Why is this bad?
    /// `Recreate` stops every pod before starting the new ones: each release is an outage. Left
    /// unset, both settings default to 25 %, which with 4 or more replicas takes pods out of
    /// service before their replacements are ready. Both at 0 is rejected by the API server.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   strategy:
    ///     type: Recreate
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   strategy:
    ///     type: RollingUpdate
    ///     rollingUpdate:
    ///       maxUnavailable: 0
    ///       maxSurge: 1
    /// ```
    ///
    /// ## Options
    /// None; the numbers come from the constitution's `deployment` section.
    ///
    /// ## References
    /// kube-score `deployment-strategy`, kube-linter `no-rolling-update-strategy`.
    pub(crate) const RULE = {
        code: "AG-K002",
        name: "rolling-update",
        target: Kubernetes,
        severity: Error,
        summary: "Deployments use RollingUpdate with the configured maxUnavailable and maxSurge",
        aliases: [KubeScore("deployment-strategy"), KubeLinter("no-rolling-update-strategy")],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let object = item.object;
    if object.kind != "Deployment" {
        return;
    }
    let Some(spec_entry) = object.node.entry("spec") else {
        return;
    };
    let policy = cx.set.constitution.deployment.clone().unwrap_or_default();
    let replicas = object.replicas().unwrap_or(1);
    let strategy = spec_entry.value.entry("strategy");
    let here = strategy.map_or(&spec_entry.key, |s| &s.key);
    let kind = strategy.and_then(|s| s.value.get("type"));
    match kind.and_then(Node::as_str) {
        None | Some("RollingUpdate") => {}
        Some(other) => {
            let node = kind.unwrap_or(here);
            cx.report(
                &RULE,
                item,
                node,
                if other == "Recreate" {
                    "`strategy.type: Recreate` stops every pod before starting new ones".to_string()
                } else {
                    format!("`strategy.type: {other}` is not a Deployment strategy")
                },
            )
            .help("use `type: RollingUpdate` with `maxUnavailable` and `maxSurge` set");
            return;
        }
    }
    let rolling = strategy.and_then(|s| s.value.get("rollingUpdate"));
    let unavailable = Setting::read(rolling, "maxUnavailable", replicas, false);
    let surge = Setting::read(rolling, "maxSurge", replicas, true);
    let limits = [
        (
            &unavailable,
            policy.max_unavailable.as_ref(),
            "pods may be down",
        ),
        (&surge, policy.max_surge.as_ref(), "extra pods may start"),
    ];
    for (setting, allowed, meaning) in limits {
        let Some(allowed) = allowed else {
            continue;
        };
        let allowed_text = int_or_string_text(allowed);
        let allowed_count = resolve_policy(allowed, replicas, setting.round_up);
        match (setting.node, setting.count) {
            (None, _) => cx
                .report(
                    &RULE,
                    item,
                    here,
                    format!(
                        "`{}` leaves `{}` unset (Kubernetes defaults it to 25%); the constitution \
                         says {allowed_text}",
                        object.display(),
                        setting.key
                    ),
                )
                .help(format!(
                    "set `strategy.rollingUpdate.{}: {allowed_text}`",
                    setting.key
                )),
            (Some(node), None) => cx
                .report(
                    &RULE,
                    item,
                    node,
                    format!(
                        "`{}` must be a number or a percentage such as `25%`",
                        setting.key
                    ),
                )
                .help(format!("set `{}: {allowed_text}`", setting.key)),
            (Some(node), Some(count)) if allowed_count.is_some_and(|a| count > a) => cx
                .report(
                    &RULE,
                    item,
                    node,
                    format!(
                        "`{}: {}` means {count} {meaning} during a rollout of {replicas}; the \
                         constitution allows {allowed_text}",
                        setting.key,
                        node.as_str().unwrap_or("?")
                    ),
                )
                .help(format!("set `{}: {allowed_text}`", setting.key)),
            _ => {}
        }
    }
    if unavailable.count == Some(0) && surge.count == Some(0) {
        let node = surge.node.or(unavailable.node).unwrap_or(here);
        cx.report(
            &RULE,
            item,
            node,
            "`maxSurge` and `maxUnavailable` are both 0, so a rollout can never start",
        )
        .help("set `maxSurge: 1`");
    }
}

/// One rolling-update setting as written and as resolved to a pod count.
struct Setting<'a> {
    key: &'static str,
    node: Option<&'a Node>,
    count: Option<i64>,
    round_up: bool,
}

impl<'a> Setting<'a> {
    fn read(rolling: Option<&'a Node>, key: &'static str, replicas: i64, round_up: bool) -> Self {
        let node = rolling.and_then(|r| r.get(key)).filter(|n| !n.is_null());
        let count = node.and_then(|n| match n.as_int() {
            Some(count) => Some(count),
            None => resolve_percent(n.as_str()?, replicas, round_up),
        });
        Self {
            key,
            node,
            count,
            round_up,
        }
    }
}

/// `25%` of `replicas`, rounded down or up.
fn resolve_percent(text: &str, replicas: i64, round_up: bool) -> Option<i64> {
    let percent: i64 = text.strip_suffix('%')?.trim().parse().ok()?;
    let scaled = percent.checked_mul(replicas)?;
    Some(if round_up {
        (scaled + 99).div_euclid(100)
    } else {
        scaled.div_euclid(100)
    })
}

fn resolve_policy(value: &IntOrString, replicas: i64, round_up: bool) -> Option<i64> {
    match value {
        IntOrString::Int(n) => Some(*n),
        IntOrString::String(text) => text
            .parse()
            .ok()
            .or_else(|| resolve_percent(text, replicas, round_up)),
    }
}

fn int_or_string_text(value: &IntOrString) -> String {
    match value {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(text) => text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::resolve_percent;

    #[test]
    fn percentages_round_as_kubernetes_does() {
        assert_eq!(resolve_percent("25%", 2, false), Some(0));
        assert_eq!(resolve_percent("25%", 2, true), Some(1));
        assert_eq!(resolve_percent("25%", 4, false), Some(1));
        assert_eq!(resolve_percent("50%", 3, true), Some(2));
        assert_eq!(resolve_percent("x%", 3, true), None);
        assert_eq!(resolve_percent("25", 3, true), None);
    }
}
