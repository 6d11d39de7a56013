//! The head file, `<history root>/.aigen/head.json`: the sequence, hash and path of the last
//! record, so an append never rescans the trail and a verify can tell a truncated trail from a
//! whole one.
//!
//! An append first records what it is about to write as `pending`, then writes the record, then
//! moves `pending` into place. A crash between the steps leaves a pending entry that the next
//! append (under the lock) or verify (read-only) resolves: if the record landed whole, it is the
//! head; if not, nothing happened. After a git merge the file may hold conflict markers; each
//! side is read, so a relink can check both.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::chain::{HeadPoint, content_hash};
use crate::error::{Error, Result};

/// The head file's name inside the state directory.
pub(crate) const HEAD_FILE: &str = "head.json";

/// A record the head names: its sequence, hash and path relative to the history root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tip {
    pub sequence: u64,
    pub hash: String,
    pub path: String,
}

impl From<&Tip> for HeadPoint {
    fn from(tip: &Tip) -> Self {
        HeadPoint {
            sequence: tip.sequence,
            hash: tip.hash.clone(),
            path: tip.path.clone(),
        }
    }
}

/// The content of the head file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Head {
    /// Layout version.
    pub format: u32,
    /// The last record; `None` before the first.
    pub last: Option<Tip>,
    /// A record being written right now (or when a writer crashed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Tip>,
}

/// What is on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HeadState {
    /// No head file.
    Missing,
    /// One head.
    Found(Head),
    /// A git merge conflict: one head per side.
    Conflict(Vec<Head>),
    /// A file that is not a head (the message says why).
    Unreadable(String),
}

impl Head {
    /// The head's text, one field per line so git conflicts stay readable.
    pub(crate) fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The last record with a pending write resolved: the pending record when its file exists
    /// under `root` and matches its hash, else the committed one.
    pub(crate) fn resolved(&self, root: &Path) -> Option<Tip> {
        match &self.pending {
            Some(pending) if landed(root, pending) => Some(pending.clone()),
            _ => self.last.clone(),
        }
    }
}

/// Whether the record a tip names exists whole at its path.
pub(crate) fn landed(root: &Path, tip: &Tip) -> bool {
    std::fs::read_to_string(root.join(&tip.path))
        .ok()
        .and_then(|text| content_hash(&text))
        .is_some_and(|hash| hash == tip.hash)
}

/// Reads the head file.
pub(crate) fn read(path: &Path) -> Result<HeadState> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HeadState::Missing),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    Ok(parse(&text))
}

/// Reads head text, including the two sides of a git conflict.
pub(crate) fn parse(text: &str) -> HeadState {
    if !text.lines().any(|l| l.starts_with("<<<<<<<")) {
        return match serde_json::from_str::<Head>(text) {
            Ok(head) => HeadState::Found(head),
            Err(e) => HeadState::Unreadable(e.to_string()),
        };
    }
    let (mut ours, mut theirs) = (String::new(), String::new());
    let mut side = 0; // 0 both, 1 ours, 2 base (diff3, ignored), 3 theirs
    for line in text.lines() {
        if line.starts_with("<<<<<<<") {
            side = 1;
        } else if line.starts_with("|||||||") {
            side = 2;
        } else if line.starts_with("=======") && side != 0 {
            side = 3;
        } else if line.starts_with(">>>>>>>") {
            side = 0;
        } else {
            for (target, wanted) in [(&mut ours, 1), (&mut theirs, 3)] {
                if side == 0 || side == wanted {
                    target.push_str(line);
                    target.push('\n');
                }
            }
        }
    }
    match (
        serde_json::from_str::<Head>(&ours),
        serde_json::from_str::<Head>(&theirs),
    ) {
        (Ok(a), Ok(b)) => HeadState::Conflict(vec![a, b]),
        (Err(e), _) | (_, Err(e)) => {
            HeadState::Unreadable(format!("merge conflict with an unreadable side: {e}"))
        }
    }
}

/// Writes the head file atomically.
pub(crate) fn write(path: &Path, head: &Head, sync: bool) -> Result<()> {
    super::store::write_replace(path, head.to_json().as_bytes(), sync)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tip(sequence: u64) -> Tip {
        Tip {
            sequence,
            hash: format!("{sequence:064}"),
            path: format!("general/{sequence:04}-x.general.prompt.md"),
        }
    }

    #[test]
    fn heads_round_trip_and_conflicts_give_both_sides() {
        let ours = Head {
            format: 1,
            last: Some(tip(4)),
            pending: None,
        };
        let theirs = Head {
            format: 1,
            last: Some(tip(5)),
            pending: None,
        };
        assert_eq!(parse(&ours.to_json()), HeadState::Found(ours.clone()));
        let (ours_text, theirs_text) = (ours.to_json(), theirs.to_json());
        let mut merged = String::new();
        for (x, y) in ours_text.lines().zip(theirs_text.lines()) {
            if x == y {
                merged.push_str(&format!("{x}\n"));
            } else {
                merged.push_str(&format!("<<<<<<< HEAD\n{x}\n=======\n{y}\n>>>>>>> other\n"));
            }
        }
        assert_eq!(parse(&merged), HeadState::Conflict(vec![ours, theirs]));
        assert!(matches!(parse("{"), HeadState::Unreadable(_)));
    }
}
