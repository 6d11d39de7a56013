//! The per-directory ID cache, `<history root>/.aigen/ids.json`: how an append finds the next
//! ID without listing a directory that may hold a hundred thousand records.
//!
//! It keeps the last ID given out per routing directory with the directory's modification time
//! at that moment. While the time is unchanged nobody else has added a file, and the next ID is
//! one more; when it changed (a hand-written record, a git checkout, a crash) the directory is
//! listed once again. It is a cache: local to a clone (git-ignored), rebuilt when lost.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::naming::parse_file_name;
use super::store::{remove_temp_files, write_replace};
use crate::error::{Error, Result};

/// The cache file's name inside the state directory.
pub(crate) const IDS_FILE: &str = "ids.json";

/// The last ID given out per routing directory, and the directory's modification time then.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct IdCache {
    dirs: BTreeMap<String, DirIds>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct DirIds {
    last: u64,
    mtime_ns: u64,
}

fn mtime_ns(dir: &Path) -> Option<u64> {
    let modified = fs::metadata(dir).ok()?.modified().ok()?;
    let nanos = modified.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    u64::try_from(nanos).ok()
}

impl IdCache {
    pub(crate) fn load(path: &Path) -> Self {
        fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    pub(crate) fn save(&self, path: &Path) {
        if let Ok(text) = serde_json::to_string(self) {
            // A cache: losing it only costs one directory listing.
            let _ = write_replace(path, text.as_bytes(), false);
        }
    }

    /// The next ID number for a routing directory.
    pub(crate) fn next(&self, route: &str, dir: &Path) -> Result<u64> {
        let cached = self.dirs.get(route).copied();
        if let (Some(cached), Some(now)) = (cached, mtime_ns(dir))
            && cached.mtime_ns == now
        {
            return Ok(cached.last + 1);
        }
        remove_temp_files(dir);
        let listed = fs::read_dir(dir)
            .map_err(|e| Error::io("read directory", dir, e))?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter_map(|name| parse_file_name(&name).and_then(|p| p.number))
            .max()
            .unwrap_or(0);
        Ok(listed.max(cached.map_or(0, |c| c.last)) + 1)
    }

    pub(crate) fn set(&mut self, route: &str, last: u64, dir: &Path) {
        if let Some(mtime_ns) = mtime_ns(dir) {
            self.dirs
                .insert(route.to_string(), DirIds { last, mtime_ns });
        }
    }
}
