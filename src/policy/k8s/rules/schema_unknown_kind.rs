//! `AG-K034`: objects whose kind has no schema are named, not validated silently.

use crate::policy::k8s::api_versions::{self, KubernetesVersion, Served};
use crate::policy::k8s::check::Checker;
use crate::policy::k8s::schema::catalog;
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Names each object whose `apiVersion` and `kind` aigen has no schema for (a custom
    /// resource, a kind of an API group aigen does not carry), so that a reader knows the
    /// schema rules (`AG-K030` to `AG-K033`) did not look at it. When the kind is a built-in
    /// one served under another `apiVersion` (a Deployment of `apps/v2`), the finding says
    /// which.
    ///
    /// ## Why is this bad?
    /// It is not, for a custom resource: the finding is information. A built-in kind under an
    /// `apiVersion` no release serves is refused by the cluster (`no matches for kind
    /// "Deployment" in version "apps/v2"`). An `apiVersion` that Kubernetes removed, or
    /// that the constitution's `kubernetes_version` does not serve yet, is `AG-K035`'s error
    /// instead; one the named release still serves (`autoscaling/v2beta2` in 1.25) is named
    /// here, since aigen carries the schemas of one newer release only.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v2
    /// kind: Deployment
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// ```
    ///
    /// ## Options
    /// None.
    pub(crate) const RULE = {
        code: "AG-K034",
        name: "schema-unknown-kind",
        target: Kubernetes,
        severity: Info,
        summary: "objects whose kind has no schema are named as not validated",
        aliases: [],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let object = &item.object;
    let catalog = catalog();
    if object.is_list() || catalog.root(object.api_version, object.kind).is_some() {
        return;
    }
    let release = cx.set.constitution.kubernetes_version;
    if api_versions::served(object.api_version, object.kind, release) != Served::Yes {
        // AG-K035 reports it.
        return;
    }
    let at = object.node.get("apiVersion").unwrap_or(item.anchor());
    let compiled = KubernetesVersion::COMPILED;
    if let Served::Removed {
        release: removed_in,
        instead,
    } = api_versions::served(object.api_version, object.kind, compiled)
    {
        let message = format!(
            "`{}` of `{}` is served by Kubernetes {release}, but aigen carries the schemas of \
             {compiled} only: its fields are not validated",
            object.kind, object.api_version,
        );
        let help = match instead {
            Some(instead) => format!(
                "Kubernetes {removed_in} removes it: move to `apiVersion: {instead}` before \
                 upgrading"
            ),
            None => format!("Kubernetes {removed_in} removes it"),
        };
        cx.report(&RULE, item, at, message).help(help);
        return;
    }
    let served: Vec<String> = catalog
        .versions_of(object.kind)
        .map(|version| format!("`{version}`"))
        .collect();
    if served.is_empty() {
        cx.report(
            &RULE,
            item,
            at,
            format!(
                "`{}` of `{}` has no schema aigen knows: its fields are not validated",
                object.kind, object.api_version
            ),
        )
        .help("custom resources are checked by the API server against their CRD");
    } else {
        let message = format!(
            "`{}` is not served as `{}`: the built-in kind is {}",
            object.kind,
            object.api_version,
            served.join(", ")
        );
        cx.report(&RULE, item, at, message)
            .help(format!("use `apiVersion: {}`", served[0].trim_matches('`')));
    }
}
