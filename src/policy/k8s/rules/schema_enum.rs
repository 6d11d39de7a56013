//! `AG-K033`: enumerated fields of built-in kinds take one of their values.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::schema::{self, Class};
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks the string fields whose definition enumerates their values (`imagePullPolicy`,
    /// `restartPolicy`, a port's `protocol`, a Service's `type`, a Deployment's strategy
    /// `type`, ...) against those values, case included, with the nearest one as a hint.
    ///
    /// ## Why is this bad?
    /// The API server rejects the object (`Unsupported value: "always"`).
    ///
    /// ## Example
    /// ```yaml
    /// imagePullPolicy: always
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// imagePullPolicy: Always
    /// ```
    ///
    /// ## Options
    /// None.
    pub(crate) const RULE = {
        code: "AG-K033",
        name: "schema-enum",
        target: Kubernetes,
        severity: Error,
        summary: "enumerated fields of built-in kinds take one of their values",
        aliases: [],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    schema::report(cx, item, &RULE, Class::NotAllowed);
}
