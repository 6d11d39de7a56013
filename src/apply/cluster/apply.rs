//! The apply itself: server-side apply of the approved changes, in plan order, stopping at the
//! first failure and saying exactly which objects were applied and which were not.
//!
//! [`Cluster::apply`] never fails silently part-way: it returns an [`ApplyReport`] either way,
//! so the caller can record what did reach the cluster, and [`ApplyReport::into_result`] turns
//! a stopped apply into an error that lists both sides.

use std::collections::HashSet;
use std::time::Duration;

use kube::api::Patch;

use super::connect::Cluster;
use super::crd::ESTABLISH_TIMEOUT;
use super::errors::{self, Doing};
use super::manifest::Source;
use super::object::ObjectRef;
use super::plan::{Action, Change, apply_params};
use crate::error::{Error, Result};

/// An object the apply changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub object: ObjectRef,
    pub source: Source,
    /// [`Action::Create`] or [`Action::Update`].
    pub action: Action,
    /// Whether ownership of other managers' fields was taken.
    pub forced: bool,
}

/// The object the apply stopped at, and why.
#[derive(Debug)]
pub struct Failure {
    pub object: ObjectRef,
    pub source: Source,
    pub error: Error,
}

/// What an apply did.
#[derive(Debug, Default)]
pub struct ApplyReport {
    /// Applied, in order.
    pub applied: Vec<Applied>,
    /// Approved but already as proposed; nothing was sent.
    pub unchanged: Vec<ObjectRef>,
    /// Where the apply stopped.
    pub failure: Option<Failure>,
    /// Approved objects after the failure, which were not sent.
    pub not_applied: Vec<ObjectRef>,
}

impl ApplyReport {
    /// One line per applied object: `Deployment/todo/backend (update, forced)`.
    pub(crate) fn applied_labels(&self) -> Vec<String> {
        self.applied
            .iter()
            .map(|a| {
                format!(
                    "{} ({}{})",
                    a.object,
                    a.action.as_str(),
                    if a.forced { ", forced" } else { "" }
                )
            })
            .collect()
    }

    /// The report when the apply finished; otherwise an error naming the object it stopped at,
    /// the cause, what was applied before it and what was not applied.
    pub fn into_result(self) -> Result<Self> {
        let Some(failure) = self.failure else {
            return Ok(self);
        };
        let list = |objects: Vec<String>| {
            if objects.is_empty() {
                "none".to_string()
            } else {
                objects.join(", ")
            }
        };
        let applied = list(self.applied.iter().map(|a| a.object.to_string()).collect());
        let mut not_applied = vec![failure.object.to_string()];
        not_applied.extend(self.not_applied.iter().map(ToString::to_string));
        let cause_hint = failure.error.hint().map(str::to_string);
        let hint = match cause_hint {
            Some(hint) => {
                format!("{hint}; then apply again (objects already applied are left as they are)")
            }
            None => "fix the cause and apply again (objects already applied are left as they are)"
                .to_string(),
        };
        Err(Error::external_with_hint(
            format!(
                "the apply stopped at {} ({})",
                failure.object, failure.source
            ),
            format!(
                "{}\n  applied: {applied}\n  not applied: {}",
                failure.error,
                list(not_applied)
            ),
            hint,
        ))
    }
}

impl Cluster {
    /// Applies approved changes by server-side apply as `aigen`, in plan order (whatever order
    /// they are given in). Unchanged objects are not sent. A custom resource whose
    /// CustomResourceDefinition came in the same apply waits until the definition is established
    /// (at most [`ESTABLISH_TIMEOUT`]). Stops at the first failure.
    pub async fn apply<'a>(&self, approved: impl IntoIterator<Item = &'a Change>) -> ApplyReport {
        let mut changes: Vec<&Change> = approved.into_iter().collect();
        changes.sort_by_key(|c| c.position());
        let mut report = ApplyReport::default();
        let mut established: HashSet<&str> = HashSet::new();
        let mut remaining = changes.into_iter();
        for change in remaining.by_ref() {
            if change.action == Action::Unchanged {
                report.unchanged.push(change.object.clone());
                continue;
            }
            match self.apply_one(change, &mut established).await {
                Ok(()) => report.applied.push(Applied {
                    object: change.object.clone(),
                    source: change.source.clone(),
                    action: change.action,
                    forced: change.force(),
                }),
                Err(error) => {
                    report.failure = Some(Failure {
                        object: change.object.clone(),
                        source: change.source.clone(),
                        error,
                    });
                    break;
                }
            }
        }
        for change in remaining {
            match change.action {
                Action::Unchanged => report.unchanged.push(change.object.clone()),
                _ => report.not_applied.push(change.object.clone()),
            }
        }
        report
    }

    /// Sends one change, after waiting for the CustomResourceDefinition it needs (once per
    /// definition: `established` remembers the ones seen established).
    async fn apply_one<'a>(
        &self,
        change: &'a Change,
        established: &mut HashSet<&'a str>,
    ) -> Result<()> {
        if let Some(definition) = change.waits_for_definition()
            && !established.contains(definition)
        {
            self.wait_established(definition, ESTABLISH_TIMEOUT, Duration::from_millis(200))
                .await?;
            established.insert(definition);
        }
        self.api_for(&change.object)
            .patch(
                &change.object.name,
                &apply_params(change.force()),
                &Patch::Apply(change.manifest()),
            )
            .await
            .map(drop)
            .map_err(|error| {
                errors::from_kube(
                    error,
                    &Doing::Apply(&change.object, &change.source),
                    self.endpoint(),
                )
            })
    }
}
