//! `AG-K031`: values of built-in kinds have the type their field takes.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::schema::{self, Class};
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that each value of an object of a built-in kind has the type its field takes: an
    /// integer (within 32 bits where the field is an `int32`), a number, a boolean, a string,
    /// a list, an object, an integer or a string (`targetPort`), a quantity (`250m`). Types
    /// are read as Kubernetes reads YAML: `8000` is a number, `"8000"` a string.
    ///
    /// ## Why is this bad?
    /// The API server rejects the object (`cannot unmarshal string into Go struct field
    /// ContainerPort.containerPort of type int32`); a string where a list belongs (`drop: ALL`)
    /// is a common slip that the other rules would misread.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - containerPort: "8000"
    /// securityContext:
    ///   capabilities:
    ///     drop: ALL
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// ports:
    ///   - containerPort: 8000
    /// securityContext:
    ///   capabilities:
    ///     drop: ["ALL"]
    /// ```
    ///
    /// ## Options
    /// None.
    pub(crate) const RULE = {
        code: "AG-K031",
        name: "schema-type",
        target: Kubernetes,
        severity: Error,
        summary: "values of built-in kinds have the type their field takes",
        aliases: [],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    schema::report(cx, item, &RULE, Class::WrongType);
}
