//! The trail on disk: [`Store::append`] numbers, chains and writes a record; [`Store::records`]
//! and [`Store::find`] read them back.
//!
//! Layout under the history root (`history/prompts` by default):
//!
//! ```text
//! <feature>/NNNN-<slug>.<stage>.prompt.md    records, routed by stage (see naming.rs)
//! general/ constitution/                     the two feature-less routes
//! .aigen/head.json                           the chain head (commit it)
//! .aigen/ids.json                            per-directory ID cache (local, git-ignored)
//! .aigen/lock                                the append lock (local, git-ignored)
//! ```
//!
//! An append holds an exclusive lock on `.aigen/lock` from reading the head to writing it back,
//! so concurrent aigen processes get distinct IDs and a linear chain. Every file is written to a
//! temporary file (`.aigen-tmp-*`, never taken for a record) that is flushed and renamed into
//! place, and the directory is flushed after the rename. The order of the writes (pending head,
//! record, head) makes a crash at any point leave either the whole record or nothing; see
//! `head.rs`. Neither the head nor the ID cache needs a rescan of the trail, so an append costs
//! the same on a trail of ten records or a hundred thousand.

use std::fs::{self, File, OpenOptions};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::chain::{placeholder, seal};
use super::git::{git_branch, git_user};
use super::head::{self, HEAD_FILE, Head, HeadState, Tip};
use super::ids::{IDS_FILE, IdCache};
use super::naming::{RECORD_SUFFIX, format_id, id_number, parse_file_name, record_file_name};
use super::new::{Context, NewRecord, Prepared, prepare};
use super::record::{Chain, Record, Surface, parse, parse_front, render};
use crate::error::{Error, Location, Result};
use crate::fsutil;
use crate::secrets::Redactor;

/// The state directory's name under the history root.
pub(crate) const STATE_DIR: &str = ".aigen";
const LOCK_FILE: &str = "lock";
const STATE_GITIGNORE: &str =
    "# Local to each clone: the append lock and the ID cache.\nlock\nids.json\n";

/// What [`Store::append`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appended {
    /// The record's file.
    pub path: PathBuf,
    /// Its ID (`0004`).
    pub id: String,
    /// `<routing dir>/<id>`, the form other records refer to it by.
    pub reference: String,
    /// Its place in the chain.
    pub sequence: u64,
    /// Its hash.
    pub hash: String,
}

/// A record file of the trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFile {
    /// Relative to the history root, with `/` separators.
    pub rel: String,
    /// The routing directory it is in.
    pub dir: String,
    /// The file name.
    pub name: String,
    pub path: PathBuf,
}

/// A record read from the trail.
#[derive(Debug, Clone)]
pub struct Entry {
    pub file: RecordFile,
    pub record: Record,
}

impl Entry {
    /// `<routing dir>/<id>`.
    pub fn reference(&self) -> String {
        format!("{}/{}", self.file.dir, self.record.id)
    }
}

/// Every record of a trail that could be read, and the files that could not.
#[derive(Debug, Default)]
pub struct Trail {
    pub entries: Vec<Entry>,
    pub problems: Vec<(RecordFile, Error)>,
}

/// A trail of PHRs under a history root.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    redactor: Redactor,
    surface: Surface,
    sync: bool,
}

/// A held lock on the state directory; released when dropped.
#[derive(Debug)]
pub(crate) struct Lock {
    _file: File,
}

/// How a new record joins the chain.
pub(crate) enum Parents {
    /// After the head, as every append does.
    Head,
    /// After `primary`, joining `merges` (a relink).
    Merge {
        primary: Tip,
        merges: Vec<String>,
        sequence: u64,
    },
}

impl Store {
    /// The trail under `history_root` (which need not exist yet). Records are redacted with
    /// [`Redactor::from_environment`] unless [`Store::with_redactor`] says otherwise.
    pub fn open(history_root: &Path) -> Result<Store> {
        if history_root.exists() && !history_root.is_dir() {
            return Err(Error::usage(format!(
                "history root `{}` is not a directory",
                history_root.display()
            )));
        }
        Ok(Store {
            root: history_root.to_path_buf(),
            redactor: Redactor::from_environment(),
            surface: Surface::Agent,
            sync: true,
        })
    }

    /// Uses this redactor for what is appended.
    pub fn with_redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// Records what is appended as made on this surface (`aigen mcp` and its client); the
    /// command line's `agent` unless told otherwise.
    pub fn with_surface(mut self, surface: Surface) -> Self {
        self.surface = surface;
        self
    }

    /// Turns flushing to disk off or on. Off is for tests and benchmarks that build large
    /// trails quickly; a power loss may then lose or tear records. aigen's commands never turn it
    /// off.
    pub fn set_sync(&mut self, sync: bool) {
        self.sync = sync;
    }

    /// The history root.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The redactor records are written with.
    pub(crate) fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The state directory (`.aigen/` under the root).
    pub(crate) fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    /// The head file's path.
    pub(crate) fn head_path(&self) -> PathBuf {
        self.state_dir().join(HEAD_FILE)
    }

    /// Reads the head file.
    pub(crate) fn head(&self) -> Result<HeadState> {
        head::read(&self.head_path())
    }

    fn open_lock(&self, create: bool) -> Result<Option<File>> {
        let state = self.state_dir();
        if create && !state.is_dir() {
            fs::create_dir_all(&state).map_err(|e| Error::io("create directory", &state, e))?;
            write_replace(
                &state.join(".gitignore"),
                STATE_GITIGNORE.as_bytes(),
                self.sync,
            )?;
        }
        let path = state.join(LOCK_FILE);
        match OpenOptions::new()
            .read(true)
            .write(true)
            .create(create)
            .truncate(false)
            .open(&path)
        {
            Ok(file) => Ok(Some(file)),
            Err(e)
                if !create
                    && matches!(e.kind(), ErrorKind::NotFound | ErrorKind::PermissionDenied) =>
            {
                Ok(None)
            }
            Err(e) => Err(Error::io("open the lock file", &path, e)),
        }
    }

    /// Takes the exclusive append lock, waiting for other writers.
    pub(crate) fn lock(&self) -> Result<Lock> {
        let path = self.state_dir().join(LOCK_FILE);
        let Some(file) = self.open_lock(true)? else {
            return Err(Error::usage(format!("cannot open `{}`", path.display())));
        };
        fs4::FileExt::lock(&file).map_err(|e| Error::io("lock", &path, e))?;
        Ok(Lock { _file: file })
    }

    /// Takes the lock shared (readers see no half-finished append), when the trail has one.
    pub(crate) fn lock_shared(&self) -> Result<Option<Lock>> {
        let path = self.state_dir().join(LOCK_FILE);
        let Some(file) = self.open_lock(false)? else {
            return Ok(None);
        };
        fs4::FileExt::lock_shared(&file).map_err(|e| Error::io("lock", &path, e))?;
        Ok(Some(Lock { _file: file }))
    }

    /// Redacts, numbers, chains and writes a record.
    pub fn append(&self, record: NewRecord) -> Result<Appended> {
        let prepared = self.prepare(record)?;
        let _lock = self.lock()?;
        self.append_locked(prepared, Parents::Head)
    }

    pub(crate) fn prepare(&self, record: NewRecord) -> Result<Prepared> {
        let root = self.root.clone();
        let root_for_user = self.root.clone();
        let branch = move || git_branch(&root);
        let user = move || git_user(&root_for_user);
        prepare(
            record,
            &Context {
                redactor: &self.redactor,
                surface: &self.surface,
                now: chrono::Local::now(),
                branch: &branch,
                user: &user,
            },
        )
    }

    /// Reads the head for writing: a conflict or unreadable head stops the append, a pending
    /// write left by a crash is settled.
    fn head_for_append(&self) -> Result<Head> {
        let path = self.head_path();
        let mut head = match head::read(&path)? {
            HeadState::Missing => Head {
                format: 1,
                ..Head::default()
            },
            HeadState::Found(head) => head,
            HeadState::Conflict(_) => {
                return Err(Error::usage_with_hint(
                    format!("`{}` has a merge conflict", path.display()),
                    "run `aigen history verify --relink` to join the merged trails",
                ));
            }
            HeadState::Unreadable(message) => {
                return Err(Error::input(Location::file(&path), message));
            }
        };
        if let Some(pending) = head.pending.take() {
            if head::landed(&self.root, &pending) {
                head.last = Some(pending);
            } else {
                let dir = fsutil::parent_dir(&self.root.join(&pending.path)).to_path_buf();
                remove_temp_files(&dir);
                remove_temp_files(&self.state_dir());
            }
        }
        Ok(head)
    }

    pub(crate) fn append_locked(&self, prepared: Prepared, parents: Parents) -> Result<Appended> {
        let Prepared {
            mut record,
            stage,
            route,
        } = prepared;
        let head_path = self.head_path();
        let mut head = match &parents {
            Parents::Head => self.head_for_append()?,
            // A relink has checked the trail and names the head itself; a conflicted head file
            // is replaced.
            Parents::Merge { primary, .. } => Head {
                format: 1,
                last: Some(primary.clone()),
                pending: None,
            },
        };
        let (sequence, prev, merges) = match parents {
            Parents::Head => match &head.last {
                Some(last) => (last.sequence + 1, Some(last.hash.clone()), Vec::new()),
                None => (1, None, Vec::new()),
            },
            Parents::Merge {
                primary,
                merges,
                sequence,
            } => (sequence, Some(primary.hash), merges),
        };
        let dir = self.root.join(&route);
        fs::create_dir_all(&dir).map_err(|e| Error::io("create directory", &dir, e))?;
        let ids_path = self.state_dir().join(IDS_FILE);
        let mut ids = IdCache::load(&ids_path);
        let mut number = ids.next(&route, &dir)?;
        let (name, hash) = loop {
            record.id = format_id(number);
            if let Some(meta) = record.aigen.as_mut() {
                meta.merges.clone_from(&merges);
                meta.chain = Some(Chain {
                    sequence,
                    prev: prev.clone(),
                    hash: placeholder(),
                });
            }
            let mut text = render(&record);
            let hash = seal(&mut text).ok_or_else(|| {
                Error::input(Location::file(&dir), "a rendered record has no hash line")
            })?;
            let name = record_file_name(&record.id, &record.title, stage);
            head.pending = Some(Tip {
                sequence,
                hash: hash.clone(),
                path: format!("{route}/{name}"),
            });
            head::write(&head_path, &head, self.sync)?;
            match write_new(&dir.join(&name), text.as_bytes(), self.sync) {
                Ok(true) => break (name, hash),
                Ok(false) => number += 1,
                Err(error) => {
                    head.pending = None;
                    let _ = head::write(&head_path, &head, self.sync);
                    return Err(error);
                }
            }
        };
        head.last = head.pending.take();
        head::write(&head_path, &head, self.sync)?;
        ids.set(&route, number, &dir);
        ids.save(&ids_path);
        Ok(Appended {
            path: dir.join(&name),
            reference: format!("{route}/{}", record.id),
            id: record.id,
            sequence,
            hash,
        })
    }

    /// The record files of the trail, or of one routing directory, sorted by directory, ID
    /// number and name. Hidden files (temporary files among them) are never records.
    pub(crate) fn files(&self, only_dir: Option<&str>) -> Result<Vec<RecordFile>> {
        let mut dirs: Vec<String> = match only_dir {
            Some(dir) => vec![dir.to_string()],
            None => match fs::read_dir(&self.root) {
                Ok(entries) => entries
                    .filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|name| !name.starts_with('.'))
                    .collect(),
                Err(e) if e.kind() == ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(Error::io("read directory", &self.root, e)),
            },
        };
        dirs.sort();
        let mut files = Vec::new();
        for dir in dirs {
            let path = self.root.join(&dir);
            let entries = match fs::read_dir(&path) {
                Ok(entries) => entries,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io("read directory", &path, e)),
            };
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| !name.starts_with('.') && name.ends_with(RECORD_SUFFIX))
                .collect();
            names.sort_by_cached_key(|name| {
                let number = parse_file_name(name).and_then(|p| p.number);
                (number.is_none(), number, name.clone())
            });
            files.extend(names.into_iter().map(|name| RecordFile {
                rel: format!("{dir}/{name}"),
                path: path.join(&name),
                dir: dir.clone(),
                name,
            }));
        }
        Ok(files)
    }

    /// Reads and parses every record (in parallel).
    pub fn records(&self) -> Result<Trail> {
        Ok(load(self.files(None)?, true))
    }

    /// Reads and parses the records of one routing directory.
    pub(crate) fn records_in(&self, dir: &str) -> Result<Trail> {
        Ok(load(self.files(Some(dir))?, true))
    }

    /// Reads the front matter of every record, or of one directory's: records without their
    /// prompt, response and notes (see [`parse_front`]), for listings over large trails.
    pub(crate) fn front_matter(&self, dir: Option<&str>) -> Result<Trail> {
        Ok(load(self.files(dir)?, false))
    }

    /// One record by ID (`0004`, unique across directories), `<dir>/<id>`
    /// (`003-k8s-deployment/0004`) or path (relative to the working directory or the history
    /// root).
    pub fn find(&self, key: &str) -> Result<Entry> {
        let key = key.trim();
        let as_path = Path::new(key);
        let candidates = [as_path.to_path_buf(), self.root.join(as_path)];
        if let Some(path) = candidates.iter().find(|p| p.is_file()) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let dir = path
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let file = RecordFile {
                rel: format!("{dir}/{name}"),
                dir,
                name,
                path: path.clone(),
            };
            return read_entry(file);
        }
        let (dir, id) = match key.rsplit_once('/') {
            Some((dir, id)) => (Some(dir), id),
            None => (None, key),
        };
        let wanted = id_number(id);
        let matches: Vec<RecordFile> = self
            .files(dir)?
            .into_iter()
            .filter(|f| match parse_file_name(&f.name) {
                Some(parts) => match (wanted, parts.number) {
                    (Some(a), Some(b)) => a == b,
                    _ => parts.prefix == id,
                },
                None => false,
            })
            .collect();
        match matches.len() {
            0 => Err(Error::usage_with_hint(
                format!("no record `{key}` in `{}`", self.root.display()),
                "give an ID (`0004`), `<feature>/<id>` or a path; `aigen history list` shows them",
            )),
            1 => read_entry(matches.into_iter().next().expect("one match")),
            _ => Err(Error::usage_with_hint(
                format!(
                    "`{key}` matches {} records: {}",
                    matches.len(),
                    matches
                        .iter()
                        .map(|f| f.rel.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "give `<feature>/<id>` or the path",
            )),
        }
    }
}

/// Reads files in parallel, keeping their order.
pub(crate) fn read_all<T: Send>(
    files: &[RecordFile],
    f: impl Fn(&RecordFile, Result<Vec<u8>>) -> T + Sync + Send,
) -> Vec<T> {
    files
        .par_iter()
        .map(|file| {
            f(
                file,
                fs::read(&file.path).map_err(|e| Error::io("read", &file.path, e)),
            )
        })
        .collect()
}

/// The text of a record file, which must be UTF-8.
pub(crate) fn utf8(file: &RecordFile, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| Error::input(Location::file(&file.path), "not UTF-8 text"))
}

fn load(files: Vec<RecordFile>, with_body: bool) -> Trail {
    let results = read_all(&files, |file, bytes| {
        let text = bytes.and_then(|bytes| utf8(file, bytes))?;
        if with_body {
            parse_at(&file.path, &text)
        } else {
            parse_front(&text)
                .map_err(|e| Error::input(Location::at(&file.path, e.line, e.column), e.message))
        }
    });
    let mut trail = Trail::default();
    for (file, result) in files.into_iter().zip(results) {
        match result {
            Ok(record) => trail.entries.push(Entry { file, record }),
            Err(error) => trail.problems.push((file, error)),
        }
    }
    trail
}

/// Parses record text, with errors located in `path`.
pub(crate) fn parse_at(path: &Path, text: &str) -> Result<Record> {
    parse(text).map_err(|e| Error::input(Location::at(path, e.line, e.column), e.message))
}

fn read_entry(file: RecordFile) -> Result<Entry> {
    let text = fsutil::read_to_string(&file.path)?;
    let record = parse_at(&file.path, &text)?;
    Ok(Entry { file, record })
}

/// Writes a new file atomically; `Ok(false)` when a file of that name already exists.
fn write_new(path: &Path, contents: &[u8], sync: bool) -> Result<bool> {
    let dir = fsutil::parent_dir(path);
    let temp = fsutil::temp_file(dir, contents, sync)?;
    match temp.persist_noclobber(path) {
        Ok(_) => {}
        Err(e) if e.error.kind() == ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(Error::io("write", path, e.error)),
    }
    if sync {
        fsutil::sync_dir(dir)?;
    }
    Ok(true)
}

/// Replaces a file atomically: flushed like [`fsutil::write_atomic`] when `sync`, by rename
/// alone otherwise (for caches, and for trails built with [`Store::set_sync`] off).
pub(crate) fn write_replace(path: &Path, contents: &[u8], sync: bool) -> Result<()> {
    let dir = fsutil::parent_dir(path);
    fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    let temp = fsutil::temp_file(dir, contents, sync)?;
    temp.persist(path)
        .map_err(|e| Error::io("replace", path, e.error))?;
    if sync {
        fsutil::sync_dir(dir)?;
    }
    Ok(())
}

/// Removes temporary files a crashed writer left in `dir`. Only called under the lock, when no
/// other writer can be using one.
pub(crate) fn remove_temp_files(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.filter_map(|e| e.ok()) {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(fsutil::TEMP_PREFIX)
            {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}
