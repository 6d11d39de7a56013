//! `AG-K106`: an object is defined once in the files linted together.

use crate::fsutil::slash_path;
use crate::policy::k8s::check::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks, across all files linted together, that no two documents define the same object:
    /// the same kind and name in the same namespace. The finding is on the first definition (in
    /// path order) and names every copy as `file:line` of its `metadata.name` (up to 20, then
    /// how many more): one finding per object, however many folders hold it. The cross-object
    /// rules count such an object once, from its first definition: a Deployment kept in three
    /// folders asks the cluster for its requests once (`AG-K105`), not three times.
    ///
    /// ## Why is this bad?
    /// Applying the set applies each copy in turn and the last one wins, whatever the first one
    /// said; with `helm install` or `kubectl create` the second copy fails with "already
    /// exists". Copies drift apart: a fix made in one folder is missing from the others, and
    /// which one the cluster runs depends on the order files are applied in.
    ///
    /// ## Example
    /// ```yaml
    /// # k8s/backend.yaml and deploy/backend.yaml
    /// kind: Deployment
    /// metadata: { name: backend }
    /// ```
    ///
    /// ## Use instead
    /// Keep one definition, and lint overlays (Kustomize, Helm values) rendered, one
    /// environment at a time.
    ///
    /// ## Options
    /// None.
    pub(crate) const RULE = {
        code: "AG-K106",
        name: "duplicate-object",
        target: Kubernetes,
        severity: Warning,
        summary: "each object is defined once among the files linted together",
        aliases: [],
        params: NoParams,
    };
}

/// The most copies a message names (the rest are counted), so that a pathological set cannot
/// make one message unbounded.
const SHOWN: usize = 20;

pub(crate) fn check(cx: &mut Checker<'_, '_>) {
    let set = cx.set;
    for (first, copies) in set.copies() {
        let mut places: Vec<String> = copies
            .iter()
            .take(SHOWN)
            .map(|copy| {
                format!(
                    "`{}:{}`",
                    slash_path(set.manifest(copy).path()),
                    copy.anchor().mark.line
                )
            })
            .collect();
        if copies.len() > SHOWN {
            places.push(format!("and {} more places", copies.len() - SHOWN));
        }
        cx.report(
            &RULE,
            first,
            first.anchor(),
            format!(
                "`{}` is defined again at {}; the rules across objects count it once",
                first.object.display(),
                places.join(", ")
            ),
        )
        .help("keep one definition; lint each environment's rendered manifests on their own");
    }
}
