//! Traceability: does a file on disk come from a recorded exchange or an approved apply?
//!
//! Principle I of the constitution asks that no infrastructure file be written without an AI
//! baseline and a record of it. A [`TraceIndex`] holds every artifact hash the trail records, by
//! path; a file traces when its current hash is among them. A path the trail knows with another
//! hash was changed by hand since; a path it does not know was never generated through aigen.

use std::collections::HashMap;

use serde::Serialize;

use crate::phr::{Relation, Trail};

/// How a file relates to the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub(crate) enum Trace {
    /// Its content is what this record produced or approved.
    Recorded { record: String },
    /// The trail has it, but with other content: it changed since this record.
    Changed { record: String },
    /// The trail never mentions it.
    Untraced,
}

/// Artifact hashes of the trail, by path.
#[derive(Debug, Default)]
pub(crate) struct TraceIndex {
    by_path: HashMap<String, Vec<(String, String)>>,
}

impl TraceIndex {
    /// Every artifact of a successful exchange or approval in the trail. Rejected artifacts and
    /// failed exchanges do not count.
    pub(crate) fn from_trail(trail: &Trail) -> Self {
        let mut index = Self::default();
        for entry in &trail.entries {
            let Some(meta) = &entry.record.aigen else {
                continue;
            };
            let rejected = meta
                .reference
                .as_ref()
                .is_some_and(|r| matches!(r.relation, Relation::Rejects | Relation::Undoes));
            if meta.outcome.status() != "ok" || rejected {
                continue;
            }
            for artifact in &meta.artifacts {
                index
                    .by_path
                    .entry(artifact.path.clone())
                    .or_default()
                    .push((artifact.sha256.clone(), entry.reference()));
            }
        }
        index
    }

    /// How a file with this path and hash relates to the trail.
    pub(crate) fn trace(&self, path: &str, sha256: &str) -> Trace {
        match self.by_path.get(path) {
            None => Trace::Untraced,
            Some(known) => match known.iter().rev().find(|(hash, _)| hash == sha256) {
                Some((_, record)) => Trace::Recorded {
                    record: record.clone(),
                },
                None => Trace::Changed {
                    record: known
                        .last()
                        .map(|(_, record)| record.clone())
                        .unwrap_or_default(),
                },
            },
        }
    }
}
