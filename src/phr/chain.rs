//! The hash chain that makes the trail tamper-evident: each record's own hash, and the analysis
//! that finds edited, deleted, inserted, reordered and truncated records.
//!
//! A record's hash is the sha256 of its file with the 64 hex digits of its own `hash:` value
//! replaced by zeros ([`content_hash`]); any change to any byte changes it. Each record names the
//! hash of the record before it (`prev`) and carries a sequence number one higher, and the head
//! file names the last record. [`analyze`] checks all of it at once and says where each break is.
//!
//! Branches: two trails merged by git fork at their common record. `verify --relink` appends a
//! record whose `merges:` names the other tips, turning the fork into a join; it refuses while
//! anything else is wrong, so it never hides tampering (see `docs/history.md`).

use std::collections::HashMap;
use std::ops::Range;

use sha2::{Digest, Sha256};

use super::record::front_matter_end;
use super::verify::{TrailFinding, TrailFindingKind};
use crate::hash::hex;

/// Length of a hash in hex digits.
pub(crate) const HASH_LEN: usize = 64;

const HASH_KEY: &str = "  hash: sha256:";
const ZEROS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Where a record's own hash value is: the last line of its front matter,
/// `  hash: sha256:<64 hex>`.
pub fn hash_span(text: &str) -> Option<Range<usize>> {
    let (_, fm_end, _) = front_matter_end(text)?;
    let before = text[..fm_end].strip_suffix('\n')?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let value = before[line_start..].strip_prefix(HASH_KEY)?;
    let is_hash = value.len() == HASH_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let start = line_start + HASH_KEY.len();
    is_hash.then_some(start..start + HASH_LEN)
}

/// The hash of a record's text: sha256 over the file with its own hash value zeroed. `None`
/// when the text has no hash line where aigen puts it.
pub fn content_hash(text: &str) -> Option<String> {
    let span = hash_span(text)?;
    let mut hasher = Sha256::new();
    hasher.update(&text.as_bytes()[..span.start]);
    hasher.update(ZEROS.as_bytes());
    hasher.update(&text.as_bytes()[span.end..]);
    Some(hex(&hasher.finalize()))
}

/// Fills in the hash of a rendered record (written with a zero hash) and returns it.
pub(crate) fn seal(text: &mut String) -> Option<String> {
    let span = hash_span(text)?;
    let hash = content_hash(text)?;
    text.replace_range(span, &hash);
    Some(hash)
}

/// The zero hash a record is rendered with before it is sealed.
pub(crate) fn placeholder() -> String {
    ZEROS.to_string()
}

/// How a chained record's content fails its own hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Damage {
    /// Changed after it was written.
    Edited,
    /// Cut short: the end of the file is missing.
    Truncated,
}

/// What the analysis needs to know about one chained record.
#[derive(Debug, Clone)]
pub(crate) struct ChainEntry {
    /// The file, relative to the history root.
    pub path: String,
    pub sequence: u64,
    pub prev: Option<String>,
    pub merges: Vec<String>,
    /// The hash the record declares.
    pub hash: String,
    /// `None` when the content matches the declared hash.
    pub damage: Option<Damage>,
    /// Where the content says the record belongs, when that is not where it is.
    pub home: Option<String>,
}

/// A record the head file names as the last one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeadPoint {
    pub sequence: u64,
    pub hash: String,
    pub path: String,
}

/// What [`analyze`] found.
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    /// Everything found, except the dangling tips.
    pub findings: Vec<TrailFinding>,
    /// One `inserted` finding per dangling tip: what a relink may join.
    pub dangling_findings: Vec<TrailFinding>,
    /// Records no other record names as its predecessor (indexes into the entries): the head,
    /// and the tips of any other branch.
    pub tips: Vec<usize>,
    /// Tips that are not the head and nothing explains (reported as inserted).
    pub dangling: Vec<usize>,
}

/// Checks the chain formed by `entries` against the head(s): none when the head file is missing,
/// two while it is in a merge conflict.
pub(crate) fn analyze(entries: &[ChainEntry], heads: &[HeadPoint]) -> Analysis {
    let mut analysis = Analysis::default();
    let findings = &mut analysis.findings;
    let n = entries.len();
    let damaged = |j: usize| entries[j].damage.is_some();

    for e in entries {
        match e.damage {
            Some(Damage::Edited) => findings.push(TrailFinding::at(
                TrailFindingKind::Edited,
                &e.path,
                "content does not match its hash: the record was changed after it was written",
            )),
            Some(Damage::Truncated) => findings.push(TrailFinding::at(
                TrailFindingKind::Truncated,
                &e.path,
                "the file is cut short: its end is missing",
            )),
            None => {
                if let Some(home) = &e.home {
                    findings.push(TrailFinding::at(
                        TrailFindingKind::Reordered,
                        &e.path,
                        format!("holds the record written as `{home}`: renamed, moved or swapped"),
                    ));
                }
            }
        }
    }

    // One record per hash; further files with the same hash are copies.
    let mut canonical: HashMap<&str, usize> = HashMap::with_capacity(n);
    let mut copy = vec![false; n];
    for (i, e) in entries.iter().enumerate() {
        match canonical.get(e.hash.as_str()).copied() {
            None => {
                canonical.insert(&e.hash, i);
            }
            Some(j) => {
                let (keep, drop) = if entries[j].home.is_some() && e.home.is_none() {
                    (i, j)
                } else {
                    (j, i)
                };
                canonical.insert(&entries[keep].hash, keep);
                copy[drop] = true;
                findings.push(TrailFinding::at(
                    TrailFindingKind::Inserted,
                    &entries[drop].path,
                    format!("a copy of `{}`", entries[keep].path),
                ));
            }
        }
    }

    // Links: each record's predecessor(s) must exist, and its sequence follow theirs. Damaged
    // records are reported already and their chain fields may be what changed, so they only
    // claim a predecessor, never raise a finding of their own here.
    let mut referenced = vec![false; n];
    let mut missing: Vec<(usize, &str)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if copy[i] {
            continue;
        }
        let mut highest: Option<u64> = None;
        let mut trusted = e.damage.is_none();
        for parent in e.prev.iter().chain(&e.merges) {
            match canonical.get(parent.as_str()) {
                Some(&j) if j != i => {
                    referenced[j] = true;
                    highest = highest.max(Some(entries[j].sequence));
                    trusted &= !damaged(j);
                }
                _ => {
                    trusted = false;
                    missing.push((i, parent));
                }
            }
        }
        let is_root = e.prev.is_none() && e.merges.is_empty();
        if is_root && damaged(i) && e.sequence != 1 {
            missing.push((i, ""));
        }
        let expected = if is_root {
            Some(1)
        } else {
            highest.map(|h| h + 1)
        };
        if let Some(expected) = expected.filter(|x| trusted && *x != e.sequence) {
            findings.push(TrailFinding::at(
                TrailFindingKind::Inserted,
                &e.path,
                format!(
                    "has sequence #{} where its place in the chain says #{expected}",
                    e.sequence
                ),
            ));
        }
    }
    analysis.tips = (0..n).filter(|&i| !referenced[i] && !copy[i]).collect();

    let mut truncated_heads: Vec<&HeadPoint> = Vec::new();
    for head in heads {
        match canonical.get(head.hash.as_str()) {
            Some(&j) => {
                referenced[j] = true;
                if entries[j].sequence != head.sequence && !damaged(j) {
                    findings.push(TrailFinding::head(format!(
                        "the head says #{} but its record `{}` is #{}",
                        head.sequence, entries[j].path, entries[j].sequence
                    )));
                }
            }
            None => match entries
                .iter()
                .position(|e| e.path == head.path)
                .filter(|&j| !copy[j])
            {
                Some(j) => {
                    referenced[j] = true;
                    if !damaged(j) {
                        findings.push(TrailFinding::at(
                            TrailFindingKind::Edited,
                            &entries[j].path,
                            "its hash is not the one the head recorded: edited and re-hashed",
                        ));
                    }
                }
                None => truncated_heads.push(head),
            },
        }
    }

    let free = |referenced: &[bool], j: usize| !referenced[j] && !copy[j];
    // A damaged record whose sequence could not be read (0) may sit anywhere.
    let unplaced = |referenced: &[bool]| {
        (0..n).find(|&j| free(referenced, j) && damaged(j) && entries[j].sequence == 0)
    };
    for (i, parent) in missing {
        let e = &entries[i];
        let candidates: Vec<usize> = (0..n)
            .filter(|&j| j != i && free(&referenced, j) && entries[j].sequence + 1 == e.sequence)
            .collect();
        if let [j] = candidates[..] {
            referenced[j] = true;
            if !damaged(i) && !damaged(j) {
                findings.push(TrailFinding::at(
                    TrailFindingKind::Edited,
                    &entries[j].path,
                    format!(
                        "its hash is not the one `{}` names as its predecessor: edited and re-hashed",
                        e.path
                    ),
                ));
            }
            continue;
        }
        if damaged(i) {
            continue;
        }
        if let Some(j) = unplaced(&referenced) {
            referenced[j] = true;
            continue;
        }
        let before = (0..n)
            .filter(|&j| free(&referenced, j) && entries[j].sequence + 1 < e.sequence)
            .max_by_key(|&j| entries[j].sequence);
        let low = before.map_or(1, |j| entries[j].sequence + 1);
        let high = e.sequence.saturating_sub(1).max(low);
        let mut message = format!(
            "{} before it {} missing (it names predecessor {})",
            span_words(low, high),
            if low == high { "is" } else { "are" },
            short(parent)
        );
        if let Some(j) = before {
            referenced[j] = true;
            message.push_str(&format!("; the chain breaks after `{}`", entries[j].path));
        }
        findings.push(TrailFinding::at(
            TrailFindingKind::Deleted,
            &e.path,
            message,
        ));
    }

    for head in truncated_heads {
        let before = (0..n)
            .filter(|&j| free(&referenced, j) && entries[j].sequence < head.sequence)
            .max_by_key(|&j| entries[j].sequence);
        let low = before.map_or(1, |j| entries[j].sequence + 1);
        let mut message = format!(
            "{} at the end {} missing: the head names #{} `{}`",
            span_words(low, head.sequence.max(low)),
            if low >= head.sequence { "is" } else { "are" },
            head.sequence,
            head.path
        );
        if let Some(j) = before {
            referenced[j] = true;
            message.push_str(&format!(", the trail now ends at `{}`", entries[j].path));
        }
        findings.push(TrailFinding::at(
            TrailFindingKind::Truncated,
            &head.path,
            message,
        ));
    }

    // Tips nothing explains. A damaged tip is reported already; a tip right before a damaged
    // record (or one whose place is unknown) is that record's predecessor.
    let mut unexplained: Vec<usize> = (0..n)
        .filter(|&i| free(&referenced, i) && !damaged(i))
        .filter(|&i| {
            !(0..n).any(|d| {
                d != i
                    && damaged(d)
                    && (entries[d].sequence == 0 || entries[d].sequence == entries[i].sequence + 1)
            })
        })
        .collect();
    if heads.is_empty() && unexplained.len() == 1 {
        // No head file (reported by the caller): a single tip is the end of the chain.
        unexplained.clear();
    }
    for &i in &unexplained {
        analysis.dangling_findings.push(TrailFinding::at(
            TrailFindingKind::Inserted,
            &entries[i].path,
            "not on the chain that ends at the head: inserted, or from a merged branch \
             (review it, then run `aigen history verify --relink`)",
        ));
    }
    analysis.dangling = unexplained;
    analysis
}

fn span_words(low: u64, high: u64) -> String {
    if low >= high {
        format!("record #{high}")
    } else {
        format!("records #{low}–#{high}")
    }
}

/// The first 12 hex digits of a hash, for messages.
pub(crate) fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(count: u64) -> Vec<ChainEntry> {
        (1..=count)
            .map(|s| ChainEntry {
                path: format!("f/{s:04}-r.misc.prompt.md"),
                sequence: s,
                prev: (s > 1).then(|| format!("h{}", s - 1)),
                merges: Vec::new(),
                hash: format!("h{s}"),
                damage: None,
                home: None,
            })
            .collect()
    }

    fn head(entries: &[ChainEntry]) -> Vec<HeadPoint> {
        let last = entries.last().unwrap();
        vec![HeadPoint {
            sequence: last.sequence,
            hash: last.hash.clone(),
            path: last.path.clone(),
        }]
    }

    fn kinds(analysis: &Analysis) -> Vec<(TrailFindingKind, String)> {
        analysis
            .findings
            .iter()
            .chain(&analysis.dangling_findings)
            .map(|f| (f.kind, f.path.clone().unwrap_or_default()))
            .collect()
    }

    #[test]
    fn an_intact_chain_has_no_findings() {
        let entries = chain(5);
        let analysis = analyze(&entries, &head(&entries));
        assert!(analysis.findings.is_empty(), "{:?}", analysis.findings);
        assert_eq!(analysis.tips, vec![4]);
    }

    #[test]
    fn a_deleted_middle_record_is_located_once() {
        let mut entries = chain(5);
        let heads = head(&entries);
        entries.remove(2);
        let analysis = analyze(&entries, &heads);
        assert_eq!(
            kinds(&analysis),
            vec![(
                TrailFindingKind::Deleted,
                "f/0004-r.misc.prompt.md".to_string()
            )]
        );
        assert!(analysis.findings[0].message.contains("#3"));
        assert!(analysis.findings[0].message.contains("0002"));
    }

    #[test]
    fn truncation_at_the_end_is_reported_against_the_head() {
        let mut entries = chain(5);
        let heads = head(&entries);
        entries.truncate(3);
        let analysis = analyze(&entries, &heads);
        assert_eq!(
            kinds(&analysis),
            vec![(
                TrailFindingKind::Truncated,
                "f/0005-r.misc.prompt.md".to_string()
            )]
        );
        assert!(analysis.findings[0].message.contains("#4–#5"));
    }

    #[test]
    fn a_rehashed_edit_is_pinned_on_the_edited_record() {
        let mut entries = chain(5);
        let heads = head(&entries);
        entries[2].hash = "forged".to_string();
        let analysis = analyze(&entries, &heads);
        assert_eq!(
            kinds(&analysis),
            vec![(
                TrailFindingKind::Edited,
                "f/0003-r.misc.prompt.md".to_string()
            )]
        );
    }

    #[test]
    fn damage_to_chain_fields_is_reported_once_on_the_damaged_record() {
        for field in ["prev", "hash", "sequence"] {
            let mut entries = chain(5);
            let heads = head(&entries);
            let e = &mut entries[2];
            e.damage = Some(Damage::Edited);
            match field {
                "prev" => e.prev = Some("garbled".to_string()),
                "hash" => e.hash = "garbled".to_string(),
                _ => e.sequence = 9,
            }
            let analysis = analyze(&entries, &heads);
            assert_eq!(
                kinds(&analysis),
                vec![(
                    TrailFindingKind::Edited,
                    "f/0003-r.misc.prompt.md".to_string()
                )],
                "{field}"
            );
        }
    }

    #[test]
    fn an_extra_branch_is_dangling_until_relinked() {
        let mut entries = chain(3);
        let heads = head(&entries);
        entries.push(ChainEntry {
            path: "f/0004-b.misc.prompt.md".to_string(),
            sequence: 3,
            prev: Some("h2".to_string()),
            merges: Vec::new(),
            hash: "b3".to_string(),
            damage: None,
            home: None,
        });
        let analysis = analyze(&entries, &heads);
        assert_eq!(
            kinds(&analysis),
            vec![(
                TrailFindingKind::Inserted,
                "f/0004-b.misc.prompt.md".to_string()
            )]
        );
        assert_eq!(analysis.dangling, vec![3]);
        entries.push(ChainEntry {
            path: "general/0001-relink.general.prompt.md".to_string(),
            sequence: 4,
            prev: Some("h3".to_string()),
            merges: vec!["b3".to_string()],
            hash: "m4".to_string(),
            damage: None,
            home: None,
        });
        let relinked = head(&entries);
        let analysis = analyze(&entries, &relinked);
        assert!(analysis.findings.is_empty(), "{:?}", analysis.findings);
    }

    #[test]
    fn content_hash_ignores_only_the_hash_value() {
        let text = format!("---\nid: 0001\naigen:\n  hash: sha256:{ZEROS}\n---\n\nbody\n");
        let mut sealed = text.clone();
        let hash = seal(&mut sealed).unwrap();
        assert_eq!(content_hash(&sealed).as_deref(), Some(hash.as_str()));
        assert_eq!(content_hash(&text).as_deref(), Some(hash.as_str()));
        let edited = sealed.replace("body", "bodx");
        assert_ne!(content_hash(&edited).as_deref(), Some(hash.as_str()));
        assert_eq!(content_hash("---\nid: 1\n---\n"), None);
    }
}
