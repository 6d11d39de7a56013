//! The record of a cluster apply: where it went, what was asked, what was applied and where it
//! stopped, appended to the trail whether the apply finished or not.

use super::{ApplyReport, Change, Endpoint};
use crate::error::Error;
use crate::phr::{NewRecord, Outcome, Stage};

/// The labels of a cluster apply's record.
const LABELS: [&str; 2] = ["apply", "cluster"];

/// Whether a record with these labels is the record of a cluster apply.
pub(crate) fn is_cluster_apply(labels: &[String]) -> bool {
    LABELS.iter().all(|l| labels.iter().any(|have| have == l))
}

/// Why `aigen apply --undo` refuses the record of a cluster apply, and what to do instead.
///
/// aigen keeps no copy of what a cluster held before an apply, and could not put it back
/// faithfully if it did: other field managers and controllers change the same objects (the
/// replicas an autoscaler set, the revision a Deployment rolled to), and deleting what the apply
/// created would take their data (a PersistentVolumeClaim's volume) with it.
pub(crate) fn undo_refused(reference: &str) -> Error {
    Error::usage_with_hint(
        format!(
            "record `{reference}` applied manifests to a cluster; aigen does not undo cluster applies"
        ),
        "apply the earlier manifests again (`git checkout <commit> -- k8s/`, then `aigen apply --cluster`), \
         roll a workload back with `kubectl rollout undo deployment/<name> -n <namespace>`, or delete \
         what the apply created with `kubectl delete -f <files>`; the record lists the objects it applied",
    )
}

/// What a cluster apply did, for its record.
#[derive(Debug)]
pub(crate) struct ClusterApply<'a> {
    pub endpoint: &'a Endpoint,
    /// The approved changes, in plan order.
    pub approved: &'a [&'a Change],
    pub report: &'a ApplyReport,
    /// The manifest files and directories, relative to the project root.
    pub files: Vec<String>,
}

impl ClusterApply<'_> {
    /// The record, filed under `feature`, with the command line as typed.
    pub(crate) fn record(&self, feature: Option<String>, command_line: String) -> NewRecord {
        let (endpoint, report) = (self.endpoint, self.report);
        let join = |items: Vec<String>| items.join(", ");
        let applied = report.applied_labels();
        let failure = report
            .failure
            .as_ref()
            .map(|f| format!("{}: {}", f.object, f.error));
        let stage = Stage::of_work(feature.as_deref());
        NewRecord {
            feature,
            labels: LABELS.iter().map(|l| l.to_string()).collect(),
            prompt: format!(
                "Server-side apply to context {} ({}) of: {}",
                endpoint.context,
                endpoint.server,
                join(self.approved.iter().map(|c| c.object.to_string()).collect())
            ),
            response: format!(
                "Applied: {}\nUnchanged: {}\nNot applied: {}\n{}",
                if applied.is_empty() {
                    "none".to_string()
                } else {
                    applied.join(", ")
                },
                report.unchanged.len(),
                join(report.not_applied.iter().map(ToString::to_string).collect()),
                failure
                    .as_deref()
                    .map(|f| format!("Stopped at {f}"))
                    .unwrap_or_default()
            ),
            files: self.files.clone(),
            command: Some("aigen apply --cluster".into()),
            command_line: Some(command_line),
            outcome: match failure {
                Some(f) => Outcome::Failed(f),
                None => Outcome::Ok,
            },
            ..NewRecord::new(format!("Cluster apply to {}", endpoint.context), stage)
        }
    }
}
