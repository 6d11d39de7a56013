//! `AG-K000`: manifests are YAML that Kubernetes can read.

use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports what stops a manifest from being read: a YAML syntax error, a key written twice
    /// in one mapping, a document that is not an object or lacks `apiVersion` or `kind`, and
    /// input that exceeds aigen's safety budgets (nesting deeper than 128 levels, more than a
    /// million nodes, aliases expanding to more than 100,000 nodes).
    ///
    /// ## Why is this bad?
    /// `kubectl apply` stops at the first document it cannot read, after applying the ones before
    /// it: half a release reaches the cluster. A duplicated key is worse: the decoder keeps the
    /// last value and the first one, which a reviewer read, silently has no effect. Alias bombs
    /// ("billion laughs") and deep nesting exhaust the memory of tools that read them.
    ///
    /// The documents before a syntax error are still linted.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: backend
    ///   name: backend-svc
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: backend
    /// ```
    ///
    /// ## Options
    /// None.
    pub(crate) const RULE = {
        code: "AG-K000",
        name: "manifest-yaml",
        target: Kubernetes,
        severity: Error,
        summary: "manifests are readable YAML objects with `apiVersion` and `kind`",
        aliases: [],
        params: NoParams,
    };
}
