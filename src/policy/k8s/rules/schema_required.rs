//! `AG-K032`: objects of built-in kinds set the fields their type requires.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::schema::{self, Class};
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that an object of a built-in kind sets every field its type's definition marks as
    /// required, at every depth: a Deployment's `spec.template` and `spec.selector`, a pod's
    /// `containers`, a container's `name`, a Service port's `port`. The finding is on the key
    /// of the object that misses the field.
    ///
    /// ## Why is this bad?
    /// The API server rejects the object. A workload without a template (a misspelt
    /// `templat:`) runs nothing, and the rules about its pods have nothing to read.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   selector: {matchLabels: {app: web}}
    ///   templat:
    ///     metadata: {labels: {app: web}}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   selector: {matchLabels: {app: web}}
    ///   template:
    ///     metadata: {labels: {app: web}}
    /// ```
    ///
    /// ## Options
    /// None.
    pub(crate) const RULE = {
        code: "AG-K032",
        name: "schema-required",
        target: Kubernetes,
        severity: Error,
        summary: "objects of built-in kinds set the fields their type requires",
        aliases: [],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    schema::report(cx, item, &RULE, Class::Missing);
}
