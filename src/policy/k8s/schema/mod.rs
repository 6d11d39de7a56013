//! Offline schema validation of manifests: every object of a built-in kind is checked against
//! the OpenAPI definition of its type, as the API server's strict field validation would check
//! it, with the position of each problem.
//!
//! The definitions come from `k8s-openapi` (the Kubernetes version its `latest` feature names),
//! compiled once per run into a compact [`model::Schema`] ([`catalog`]); [`validate`] walks an
//! object's YAML tree beside its schema and reports each [`Problem`] with its [`Class`]. One rule
//! per class reports them (`AG-K030` to `AG-K034`).

pub(crate) mod catalog;
mod compile;
mod enums;
pub(crate) mod model;
pub(crate) mod validate;

pub(crate) use catalog::catalog;
pub(crate) use validate::{Class, problems};

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::set::Item;
use crate::policy::registry::Rule;

/// Reports, as findings of `rule`, the schema problems of one class in an object of a built-in
/// kind (objects of other kinds are `AG-K034`'s).
pub(crate) fn report(cx: &mut Checker<'_, '_>, item: &Item<'_>, rule: &Rule, class: Class) {
    if !cx.enabled(rule, item) {
        return;
    }
    let object = &item.object;
    let Some(found) = problems(catalog(), object.api_version, object.kind, object.node) else {
        return;
    };
    for problem in found.into_iter().filter(|p| p.class == class) {
        let reported = cx.report(rule, item, problem.node, problem.message);
        match problem.help {
            Some(help) => reported.help(help),
            None => reported.help("the API server rejects the object as written"),
        }
    }
}
