//! `AG-K035`: objects use an `apiVersion` the constitution's Kubernetes release serves.

use crate::policy::k8s::api_versions::{Served, served};
use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks each object's `apiVersion` against the Kubernetes release the constitution names
    /// in `kubernetes_version` (by default the newest release aigen carries the schemas of):
    /// an API version the release no longer serves (`policy/v1beta1` PodSecurityPolicy,
    /// removed in 1.25; `autoscaling/v2beta2` HorizontalPodAutoscaler, removed in 1.26;
    /// `flowcontrol.apiserver.k8s.io/v1beta3`, removed in 1.32) or does not serve yet
    /// (`autoscaling/v2` before 1.23) is reported at the `apiVersion`, with the release that
    /// removed or introduced it and the `apiVersion` the named release serves instead. The
    /// releases come from the Kubernetes deprecation guide.
    ///
    /// ## Why is this bad?
    /// The API server refuses the whole manifest (`no matches for kind
    /// "HorizontalPodAutoscaler" in version "autoscaling/v2beta2"`), so a chart or manifest
    /// set that worked on the last cluster breaks on the upgrade, usually in the middle of a
    /// rollout.
    ///
    /// ## Example
    /// ```yaml
    /// # kubernetes_version: "1.30" in the constitution
    /// apiVersion: autoscaling/v2beta2
    /// kind: HorizontalPodAutoscaler
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// ```
    ///
    /// ## Options
    /// None; the release is the constitution's `kubernetes_version` (`"1.30"`).
    ///
    /// ## References
    /// <https://kubernetes.io/docs/reference/using-api/deprecation-guide/>
    pub(crate) const RULE = {
        code: "AG-K035",
        name: "api-version-served",
        target: Kubernetes,
        severity: Error,
        summary: "objects use an `apiVersion` the constitution's Kubernetes release serves",
        aliases: [],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let object = &item.object;
    let release = cx.set.constitution.kubernetes_version;
    let verdict = served(object.api_version, object.kind, release);
    let (kind, api_version) = (object.kind, object.api_version);
    let (message, instead) = match verdict {
        Served::Yes => return,
        Served::Removed {
            release: removed_in,
            instead,
        } => (
            format!(
                "`{kind}` of `{api_version}` is not served by Kubernetes {release}: it was removed \
                 in {removed_in}"
            ),
            instead,
        ),
        Served::NotYet {
            release: since,
            instead,
        } => (
            format!(
                "`{kind}` of `{api_version}` is not served by Kubernetes {release}: it is served \
                 from {since} on"
            ),
            instead,
        ),
    };
    let help = match (instead, &verdict) {
        (Some(instead), _) => {
            format!("use `apiVersion: {instead}`, which Kubernetes {release} serves")
        }
        (None, _) if kind == "PodSecurityPolicy" => {
            "PodSecurityPolicy has no successor API: enforce \
             the Pod Security Standards with Pod Security Admission (the \
             `pod-security.kubernetes.io/enforce` label of the namespace)"
                .to_string()
        }
        (None, Served::NotYet { .. }) => format!(
            "name the release the cluster runs in the constitution's `kubernetes_version`; \
             Kubernetes {release} serves no `apiVersion` of `{kind}` aigen knows"
        ),
        (None, _) => format!("Kubernetes {release} serves no `apiVersion` of `{kind}`"),
    };
    let at = object.node.get("apiVersion").unwrap_or(item.anchor());
    cx.report(&RULE, item, at, message).help(help);
}
