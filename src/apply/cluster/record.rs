//! The record of a cluster apply: where it went, what was asked, what was applied and where it
//! stopped, appended to the trail whether the apply finished or not.

use super::{ApplyReport, Change, Endpoint};
use crate::phr::{NewRecord, Outcome, Stage};

/// What a cluster apply did, for its record.
#[derive(Debug)]
pub struct ClusterApply<'a> {
    pub endpoint: &'a Endpoint,
    /// The approved changes, in plan order.
    pub approved: &'a [&'a Change],
    pub report: &'a ApplyReport,
    /// The manifest files and directories, relative to the project root.
    pub files: Vec<String>,
}

impl ClusterApply<'_> {
    /// The record, filed under `feature`, with the command line as typed.
    pub fn record(&self, feature: Option<String>, command_line: String) -> NewRecord {
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
            labels: vec!["apply".into(), "cluster".into()],
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
