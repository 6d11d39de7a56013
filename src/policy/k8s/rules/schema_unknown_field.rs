//! `AG-K030`: objects of built-in kinds set only fields their type has.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::schema::{self, Class};
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks every key of an object of a built-in kind against the OpenAPI definition of its
    /// type (from `k8s-openapi`, for the Kubernetes version aigen is built for), at every depth:
    /// a key the type has no field for is reported where it is written, with the nearest field
    /// name when one is close (`imagePullPolcy` → `imagePullPolicy`). Fields of free-form
    /// types (labels, annotations, `data`, embedded raw objects) are not checked.
    ///
    /// ## Why is this bad?
    /// The API server drops an unknown field (or, with strict field validation, rejects the
    /// object): a misspelt `readOnlyRootFileSystem: true` leaves the filesystem writable, and
    /// the other rules, which read the correctly spelt field, report it as unset instead of
    /// pointing at the typo.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.0.0
    ///     imagePullPolcy: Always
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: registry.example.com/app:1.0.0
    ///     imagePullPolicy: Always
    /// ```
    ///
    /// ## Options
    /// None.
    pub(crate) const RULE = {
        code: "AG-K030",
        name: "schema-unknown-field",
        target: Kubernetes,
        severity: Error,
        summary: "objects of built-in kinds set only fields their type has",
        aliases: [],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    schema::report(cx, item, &RULE, Class::UnknownField);
}
