//! Waiting for rollouts: after an apply, poll each Deployment, StatefulSet and DaemonSet until
//! its controller has seen the new spec and enough pods are updated, ready and available.
//!
//! The rules are the ones `kubectl rollout status` uses. Progress is reported as pod readiness
//! (`backend: 1/2 ready`) through a callback each time a workload's state changes. A Deployment
//! whose progress deadline passed fails at once; on timeout the error names every workload that
//! is not ready and its last conditions.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::connect::Cluster;
use super::errors::{self, Doing};
use super::object::ObjectRef;
use super::plan::to_value;
use crate::error::{Error, Result};

/// How long to wait, and how often to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RolloutOptions {
    pub timeout: Duration,
    pub interval: Duration,
}

impl Default for RolloutOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(120),
            interval: Duration::from_secs(2),
        }
    }
}

/// A condition from a workload's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub kind: String,
    pub status: String,
    pub reason: String,
    pub message: String,
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.kind, self.status)?;
        if !self.reason.is_empty() {
            write!(f, " {}", self.reason)?;
        }
        let message = self.message.trim_end_matches('.');
        if !message.is_empty() {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

/// Where a workload's rollout stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollout {
    pub object: ObjectRef,
    /// Pods wanted.
    pub desired: i64,
    /// Pods ready.
    pub ready: i64,
    /// True when the rollout is complete.
    pub done: bool,
    /// What it is waiting for, when not done.
    pub waiting_for: Option<String>,
    /// Set when the rollout cannot finish (a Deployment past its progress deadline).
    pub failed: Option<String>,
    pub conditions: Vec<Condition>,
}

impl fmt::Display for Rollout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}/{} ready",
            self.object.name, self.ready, self.desired
        )?;
        if self.done {
            write!(f, ", rolled out")
        } else if let Some(failed) = &self.failed {
            write!(f, ", failed: {failed}")
        } else if let Some(waiting) = &self.waiting_for {
            write!(f, " ({waiting})")
        } else {
            Ok(())
        }
    }
}

/// Whether aigen knows how to wait for this kind.
pub(crate) fn is_workload(object: &ObjectRef) -> bool {
    object.api_version == "apps/v1"
        && matches!(
            object.kind.as_str(),
            "Deployment" | "StatefulSet" | "DaemonSet"
        )
}

impl Cluster {
    /// Waits until every workload among `objects` has rolled out; other kinds are ignored.
    /// `progress` is called each time a workload's state changes.
    pub async fn wait_for_rollouts(
        &self,
        objects: &[ObjectRef],
        options: RolloutOptions,
        mut progress: impl FnMut(&Rollout),
    ) -> Result<Vec<Rollout>> {
        let deadline = tokio::time::Instant::now() + options.timeout;
        let mut states: Vec<Option<Rollout>> = Vec::new();
        let workloads: Vec<&ObjectRef> = objects.iter().filter(|o| is_workload(o)).collect();
        states.resize(workloads.len(), None);
        loop {
            for (object, state) in workloads.iter().zip(states.iter_mut()) {
                if state.as_ref().is_some_and(|s| s.done) {
                    continue;
                }
                let live =
                    self.api_for(object).get(&object.name).await.map_err(|e| {
                        errors::from_kube(e, &Doing::Watch(object), self.endpoint())
                    })?;
                let current = evaluate(object, &to_value(&live)?);
                if state.as_ref().map(ToString::to_string) != Some(current.to_string()) {
                    progress(&current);
                }
                if let Some(reason) = &current.failed {
                    return Err(Error::external_with_hint(
                        format!("the rollout of {} failed", current.object),
                        format!("{reason}; {}", conditions_text(&current)),
                        describe_hint(&current.object),
                    ));
                }
                *state = Some(current);
            }
            if states.iter().all(|s| s.as_ref().is_some_and(|s| s.done)) {
                return Ok(states.into_iter().flatten().collect());
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(timeout_error(&states, options.timeout));
            }
            tokio::time::sleep(options.interval.min(deadline - now)).await;
        }
    }
}

fn timeout_error(states: &[Option<Rollout>], timeout: Duration) -> Error {
    let pending: Vec<&Rollout> = states.iter().flatten().filter(|s| !s.done).collect();
    let lines = pending
        .iter()
        .map(|s| format!("  {s}; {}", conditions_text(s)))
        .collect::<Vec<_>>()
        .join("\n");
    let hint = pending
        .first()
        .map_or_else(String::new, |s| describe_hint(&s.object));
    Error::external_with_hint(
        format!(
            "{} not ready after {}",
            pending
                .iter()
                .map(|s| s.object.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            seconds(timeout)
        ),
        format!("still waiting:\n{lines}"),
        format!("{hint}; the objects stay applied"),
    )
}

/// `120s`, or `0.3s` below a second.
fn seconds(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{:.1}s", duration.as_secs_f64())
    }
}

fn conditions_text(rollout: &Rollout) -> String {
    if rollout.conditions.is_empty() {
        "no conditions reported".to_string()
    } else {
        format!(
            "conditions: {}",
            rollout
                .conditions
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )
    }
}

fn describe_hint(object: &ObjectRef) -> String {
    let namespace = object
        .namespace
        .as_ref()
        .map_or_else(String::new, |ns| format!(" -n {ns}"));
    format!(
        "`kubectl describe {} {}{namespace}` and `kubectl get pods{namespace}` show why",
        object.kind.to_lowercase(),
        object.name
    )
}

/// Reads a workload's rollout state from the live object.
pub(crate) fn evaluate(object: &ObjectRef, live: &Value) -> Rollout {
    let int = |path: &str| live.pointer(path).and_then(Value::as_i64);
    let status = |field: &str| int(&format!("/status/{field}")).unwrap_or(0);
    let conditions = conditions(live);
    let generation = int("/metadata/generation").unwrap_or(0);
    let observed = int("/status/observedGeneration").unwrap_or(0);
    let (desired, ready) = match object.kind.as_str() {
        "DaemonSet" => (status("desiredNumberScheduled"), status("numberReady")),
        _ => (int("/spec/replicas").unwrap_or(1), status("readyReplicas")),
    };
    let mut failed = None;
    let waiting_for = if observed < generation {
        Some("waiting for the controller to see the new spec".to_string())
    } else {
        match object.kind.as_str() {
            "Deployment" => {
                if let Some(c) = conditions
                    .iter()
                    .find(|c| c.kind == "Progressing" && c.reason == "ProgressDeadlineExceeded")
                {
                    failed = Some(format!("progress deadline exceeded: {}", c.message));
                }
                let updated = status("updatedReplicas");
                let replicas = status("replicas");
                let available = status("availableReplicas");
                if updated < desired {
                    Some(format!("{updated} of {desired} pods updated"))
                } else if replicas > updated {
                    Some(format!(
                        "{} old pods pending termination",
                        replicas - updated
                    ))
                } else if available < updated {
                    Some(format!("{available} of {updated} updated pods available"))
                } else {
                    None
                }
            }
            "StatefulSet" => {
                let partition = int("/spec/updateStrategy/rollingUpdate/partition").unwrap_or(0);
                let updated = status("updatedReplicas");
                let current = live.pointer("/status/currentRevision");
                let update = live.pointer("/status/updateRevision");
                if ready < desired {
                    Some(format!("{ready} of {desired} pods ready"))
                } else if partition > 0 && updated < desired - partition {
                    Some(format!("{updated} of {} pods updated", desired - partition))
                } else if partition == 0 && update.is_some() && current != update {
                    Some("waiting for the update to reach every pod".to_string())
                } else {
                    None
                }
            }
            _ => {
                let updated = status("updatedNumberScheduled");
                let available = status("numberAvailable");
                if updated < desired {
                    Some(format!("{updated} of {desired} pods updated"))
                } else if available < desired {
                    Some(format!("{available} of {desired} pods available"))
                } else {
                    None
                }
            }
        }
    };
    Rollout {
        object: object.clone(),
        desired,
        ready,
        done: waiting_for.is_none() && failed.is_none(),
        waiting_for,
        failed,
        conditions,
    }
}

fn conditions(live: &Value) -> Vec<Condition> {
    let text = |c: &Value, key: &str| {
        c.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    live.pointer("/status/conditions")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|c| Condition {
                    kind: text(c, "type"),
                    status: text(c, "status"),
                    reason: text(c, "reason"),
                    message: text(c, "message"),
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn workload(kind: &str) -> ObjectRef {
        ObjectRef {
            api_version: "apps/v1".into(),
            kind: kind.into(),
            resource: format!("{}s", kind.to_lowercase()),
            namespace: Some("shop".into()),
            name: "backend".into(),
        }
    }

    #[test]
    fn a_deployment_is_done_when_updated_and_available() {
        let object = workload("Deployment");
        let mut live = json!({
            "metadata": {"generation": 2},
            "spec": {"replicas": 2},
            "status": {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2}
        });
        let state = evaluate(&object, &live);
        assert!(!state.done);
        assert_eq!(
            state.waiting_for.as_deref(),
            Some("waiting for the controller to see the new spec")
        );

        live["status"]["observedGeneration"] = json!(2);
        live["status"]["readyReplicas"] = json!(1);
        live["status"]["availableReplicas"] = json!(1);
        let state = evaluate(&object, &live);
        assert_eq!(
            state.to_string(),
            "backend: 1/2 ready (1 of 2 updated pods available)"
        );

        live["status"]["readyReplicas"] = json!(2);
        live["status"]["availableReplicas"] = json!(2);
        let state = evaluate(&object, &live);
        assert!(state.done);
        assert_eq!(state.to_string(), "backend: 2/2 ready, rolled out");
    }

    #[test]
    fn a_deployment_past_its_deadline_fails() {
        let live = json!({
            "metadata": {"generation": 1},
            "spec": {"replicas": 1},
            "status": {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1,
                "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet \"backend-1\" has timed out progressing."}]}
        });
        let state = evaluate(&workload("Deployment"), &live);
        assert!(!state.done);
        assert!(state.failed.unwrap().contains("timed out progressing"));
        assert_eq!(
            state.conditions[0].to_string(),
            "Progressing=False ProgressDeadlineExceeded: ReplicaSet \"backend-1\" has timed out progressing"
        );
        assert_eq!(seconds(Duration::from_secs(120)), "120s");
        assert_eq!(seconds(Duration::from_millis(300)), "0.3s");
    }

    #[test]
    fn statefulsets_and_daemonsets_follow_their_own_counts() {
        let live = json!({
            "metadata": {"generation": 1},
            "spec": {"replicas": 3},
            "status": {"observedGeneration": 1, "readyReplicas": 3, "currentRevision": "a", "updateRevision": "b"}
        });
        let state = evaluate(&workload("StatefulSet"), &live);
        assert_eq!(
            state.waiting_for.as_deref(),
            Some("waiting for the update to reach every pod")
        );

        let live = json!({
            "metadata": {"generation": 1},
            "status": {"observedGeneration": 1, "desiredNumberScheduled": 2, "numberReady": 2, "updatedNumberScheduled": 2, "numberAvailable": 2}
        });
        let state = evaluate(&workload("DaemonSet"), &live);
        assert!(state.done);
        assert_eq!(state.to_string(), "backend: 2/2 ready, rolled out");
    }

    #[test]
    fn only_apps_workloads_are_waited_for() {
        assert!(is_workload(&workload("Deployment")));
        let mut service = workload("Service");
        service.api_version = "v1".into();
        assert!(!is_workload(&service));
    }
}
