//! Finding and linting the files of a run: [`lint_input`] is what `aigen lint` and the MCP
//! tool `lint` run, [`lint_paths`] what it and `aigen check` run on files. [`discover`] walks the given paths (honouring `.gitignore`, `.ignore` and the
//! constitution's `ignore` patterns) and picks the files and Helm charts aigen lints;
//! [`lint_files`] reads and lints the files in parallel, [`lint_charts`] the charts.
//!
//! Files named on the command line are always linted when their name or content says what they
//! are, and a file of a Helm chart lints its chart; files found by walking a directory are picked
//! by name (Dockerfiles) or, for YAML, by content.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::WalkBuilder;
use rayon::prelude::*;

use super::constitution::Constitution;
use super::dockerfile::dockerignore::DockerignoreFile;
use super::dockerfile::{self, Dockerignore};
use super::finding::{self, Finding};
use super::k8s;
use super::kind::{self, FileKind, SkipReason};
use super::source::Excerpts;
use crate::error::{Error, Result};
use crate::fsutil;

/// A file to lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Where to read it.
    pub path: PathBuf,
    /// How to show it: relative to the working directory where possible.
    pub display: PathBuf,
    /// What its name says it is; `None` when the content decides.
    pub kind: Option<FileKind>,
    /// Named on the command line (not found in a directory): when it cannot be linted, that
    /// is an error rather than a skip.
    pub explicit: bool,
}

/// The files found, and the paths that could not be walked.
#[derive(Debug, Default)]
pub struct Discovery {
    pub targets: Vec<Target>,
    /// Helm chart directories (`path` and `display` of the directory): linted as charts by
    /// [`super::helm::lint_chart`], their files not one by one.
    pub charts: Vec<Target>,
    /// Files found in directories whose names say they are neither Dockerfiles nor YAML or
    /// JSON: not read, not linted ([`list_files`] shows them).
    pub others: Vec<Target>,
    /// Files inside the charts (linted when the chart is rendered), with their chart's index
    /// in `charts`.
    pub in_charts: Vec<(Target, usize)>,
    pub errors: Vec<Error>,
}

/// Finds the files to lint under `paths` (relative to `cwd`). Patterns of the constitution's
/// `ignore` are matched against paths relative to `root`.
pub fn discover(
    paths: &[PathBuf],
    cwd: &Path,
    root: &Path,
    constitution: &Constitution,
) -> Discovery {
    let mut discovery = Discovery::default();
    let display = |path: &Path| fsutil::relative_to(path, cwd);
    for given in paths {
        let path = cwd.join(given);
        let metadata = match std::fs::metadata(&path) {
            Ok(metadata) => metadata,
            Err(error) => {
                discovery.errors.push(Error::io("read", given, error));
                continue;
            }
        };
        if metadata.is_file() {
            if let Some(chart) = enclosing_chart(&path, root) {
                discovery.charts.push(Target {
                    display: display(&chart),
                    path: chart,
                    kind: None,
                    explicit: true,
                });
                continue;
            }
            let kind = match FileKind::from_name(&path) {
                Some(FileKind::Other) => None,
                other => other,
            };
            discovery.targets.push(Target {
                display: display(&path),
                path,
                kind,
                explicit: true,
            });
            continue;
        }
        let (root, constitution) = (root.to_path_buf(), constitution.clone());
        let ignored = move |entry_path: &Path, is_dir: bool| {
            let relative = fsutil::relative_to(entry_path, &root);
            relative != entry_path && constitution.is_ignored(&relative, is_dir)
        };
        let walker = WalkBuilder::new(&path)
            .require_git(false)
            .filter_entry(move |entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                !ignored(entry.path(), is_dir)
            })
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    discovery.errors.push(Error::input(
                        crate::error::Location::file(given),
                        format!("cannot walk: {error}"),
                    ));
                    continue;
                }
            };
            // Files, and symlinks that are not directories (a broken link is reported when
            // it cannot be read).
            let is_file = entry
                .file_type()
                .is_some_and(|t| t.is_file() || (t.is_symlink() && !entry.path().is_dir()));
            if !is_file {
                continue;
            }
            if entry.file_name() == "Chart.yaml"
                && let Some(dir) = entry.path().parent()
            {
                discovery.charts.push(Target {
                    path: dir.to_path_buf(),
                    display: display(dir),
                    kind: None,
                    explicit: false,
                });
            }
            let (kind, lintable) = match FileKind::from_name(entry.path()) {
                Some(FileKind::Dockerfile) => (Some(FileKind::Dockerfile), true),
                None if kind::KUBERNETES_ENABLED => (None, true),
                other => (other, false),
            };
            let target = Target {
                display: display(entry.path()),
                path: entry.into_path(),
                kind,
                explicit: false,
            };
            if lintable {
                discovery.targets.push(target);
            } else {
                discovery.others.push(target);
            }
        }
    }
    discovery.targets.sort_by(|a, b| a.path.cmp(&b.path));
    discovery.targets.dedup_by(|a, b| a.path == b.path);
    keep_top_level_charts(&mut discovery);
    discovery
}

/// The outermost Helm chart a file belongs to: the highest directory with a `Chart.yaml` among
/// its parents, up to `root` when the file is under it. A template is not a manifest until its
/// chart renders it, so a file of a chart named on the command line (as a pre-commit hook names
/// the files of a commit) lints its chart.
fn enclosing_chart(file: &Path, root: &Path) -> Option<PathBuf> {
    let under_root = file.starts_with(root);
    let mut found = None;
    for dir in file.ancestors().skip(1) {
        if under_root && !dir.starts_with(root) {
            break;
        }
        if dir.join("Chart.yaml").is_file() {
            found = Some(dir.to_path_buf());
        }
    }
    found
}

/// Keeps the outermost charts (subcharts are rendered with their parent) and moves the files
/// inside charts from the file targets to `in_charts`: templates are not manifests until
/// rendered.
fn keep_top_level_charts(discovery: &mut Discovery) {
    let charts = &mut discovery.charts;
    charts.sort_by(|a, b| a.path.cmp(&b.path));
    charts.dedup_by(|a, b| a.path == b.path);
    let all: Vec<PathBuf> = charts.iter().map(|c| c.path.clone()).collect();
    charts.retain(|chart| {
        !all.iter()
            .any(|other| *other != chart.path && chart.path.starts_with(other))
    });
    let charts = &discovery.charts;
    let chart_of = |target: &Target| {
        charts
            .iter()
            .position(|chart| target.path.starts_with(&chart.path))
    };
    let mut in_charts = Vec::new();
    for list in [&mut discovery.targets, &mut discovery.others] {
        list.retain(|target| match chart_of(target) {
            Some(chart) => {
                in_charts.push((target.clone(), chart));
                false
            }
            None => true,
        });
    }
    in_charts.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    discovery.in_charts = in_charts;
}

/// What linting a set of files gave.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every finding, sorted, duplicates (one `.dockerignore` shared by several Dockerfiles)
    /// removed.
    pub findings: Vec<Finding>,
    /// Files linted.
    pub files: usize,
    /// Files that could not be read.
    pub errors: Vec<Error>,
    /// Files read and skipped (shown as given), and why: neither Dockerfiles nor manifests.
    pub skipped: Vec<(PathBuf, SkipReason)>,
    /// Helm charts linted (counted in `files` too), as findings show their directories.
    pub charts: Vec<PathBuf>,
}

/// Caches the `.dockerignore` files many Dockerfiles share, read and parsed once.
#[derive(Debug, Default)]
struct ReadCache(Mutex<HashMap<PathBuf, Option<Arc<DockerignoreFile>>>>);

impl ReadCache {
    fn read(&self, path: &Path) -> Option<Arc<DockerignoreFile>> {
        if let Ok(cache) = self.0.lock()
            && let Some(hit) = cache.get(path)
        {
            return hit.clone();
        }
        let text = dockerfile::dockerignore::read_file(path);
        if let Ok(mut cache) = self.0.lock() {
            cache.insert(path.to_path_buf(), text.clone());
        }
        text
    }
}

/// What one file gave.
enum FileResult {
    Linted(Vec<Finding>),
    /// A manifest through the first pass: linted with the other manifests of the run, so
    /// cross-object rules see them all.
    Manifest(k8s::Passed),
    Skipped(PathBuf, SkipReason),
    Failed(Error),
}

/// The `.dockerignore` found for each directory of Dockerfiles.
#[derive(Debug, Default)]
struct DirectoryCache(Mutex<HashMap<PathBuf, Dockerignore>>);

/// Reads and lints the targets in parallel. Dockerfiles are linted one by one; manifests are
/// linted together ([`super::lint_manifests`]).
pub fn lint_files(
    targets: &[Target],
    root: &Path,
    cwd: &Path,
    excerpts: Excerpts,
    constitution: &Constitution,
) -> Outcome {
    let cache = ReadCache::default();
    let directories = DirectoryCache::default();
    let results: Vec<FileResult> = targets
        .par_iter()
        .map(|target| match std::fs::read(&target.path) {
            Err(error) => FileResult::Failed(Error::io("read", &target.display, error)),
            Ok(bytes) => {
                let read = |p: &Path| cache.read(p);
                let display = |p: &Path| fsutil::relative_to(p, cwd);
                let lookup = |path: &Path| {
                    use dockerfile::dockerignore::{find_in_directories, own_file, read_file};
                    if let Some(own) = own_file(path)
                        && let Some(file) = read_file(&own)
                    {
                        return Dockerignore::Found {
                            path: display(&own),
                            file,
                        };
                    }
                    let dir = fsutil::parent_dir(path);
                    if let Ok(known) = directories.0.lock()
                        && let Some(found) = known.get(dir)
                    {
                        return found.clone();
                    }
                    let found = find_in_directories(dir, root, &read, &display);
                    if let Ok(mut known) = directories.0.lock() {
                        known.insert(dir.to_path_buf(), found.clone());
                    }
                    found
                };
                lint_bytes(target, bytes, excerpts, constitution, &lookup)
            }
        })
        .collect();
    collect(results, constitution)
}

/// Lints text read from stdin, shown as `name`. The `.dockerignore` is looked for around
/// `cwd/name` when a name is given.
pub(crate) fn lint_stdin(
    bytes: Vec<u8>,
    name: Option<&str>,
    cwd: &Path,
    root: &Path,
    excerpts: Excerpts,
    constitution: &Constitution,
) -> Outcome {
    let display = PathBuf::from(name.unwrap_or("<stdin>"));
    let target = Target {
        path: cwd.join(&display),
        kind: name.and_then(|n| match FileKind::from_name(Path::new(n)) {
            Some(FileKind::Other) => None,
            other => other,
        }),
        display,
        explicit: false,
    };
    let read = |p: &Path| dockerfile::dockerignore::read_file(p);
    let show = |p: &Path| fsutil::relative_to(p, cwd);
    let lookup = |path: &Path| {
        if name.is_some() {
            dockerfile::dockerignore::find(path, root, &read, &show)
        } else {
            Dockerignore::NotChecked
        }
    };
    collect(
        vec![lint_bytes(&target, bytes, excerpts, constitution, &lookup)],
        constitution,
    )
}

/// Gathers per-file results into an outcome, linting the manifests together.
fn collect(results: Vec<FileResult>, constitution: &Constitution) -> Outcome {
    let mut outcome = Outcome::default();
    let mut manifests = Vec::new();
    for result in results {
        match result {
            FileResult::Linted(findings) => {
                outcome.files += 1;
                outcome.findings.extend(findings);
            }
            FileResult::Manifest(passed) => manifests.push(passed),
            FileResult::Skipped(path, reason) => outcome.skipped.push((path, reason)),
            FileResult::Failed(error) => outcome.errors.push(error),
        }
    }
    // Each file's findings are sorted where it was linted, and files come in path order; only
    // manifests, linted together, need a sort to merge in.
    if !manifests.is_empty() {
        outcome.files += manifests.len();
        // On a worker of the pool, like the first pass: glibc gives each thread its own arena,
        // so the index and findings reuse the room the first pass's trees left there instead of
        // growing the calling thread's arena.
        let findings = rayon::scope(|_| k8s::lint_passed(manifests, constitution));
        if outcome.findings.is_empty() {
            outcome.findings = findings;
        } else {
            outcome.findings.extend(findings);
            finding::sort_if_needed(&mut outcome.findings);
        }
    }
    outcome.findings.dedup();
    outcome
}

/// Lints one file's bytes (a manifest is handed back to be linted with the others).
fn lint_bytes(
    target: &Target,
    bytes: Vec<u8>,
    excerpts: Excerpts,
    constitution: &Constitution,
    dockerignore: &dyn Fn(&Path) -> Dockerignore,
) -> FileResult {
    let bytes = without_bom(bytes);
    let kind = match kind::classify(&target.path, target.kind, &bytes) {
        Ok(kind) => kind,
        Err(reason) if target.explicit => {
            return FileResult::Failed(Error::input(
                crate::error::Location::file(&target.display),
                format!("cannot lint this file: {reason}"),
            ));
        }
        Err(reason) => return FileResult::Skipped(target.display.clone(), reason),
    };
    match kind {
        FileKind::Dockerfile => {
            let (text, warning) = match String::from_utf8(bytes) {
                Ok(text) => (text, None),
                Err(error) => {
                    let bytes = error.into_bytes();
                    match dockerfile::not_utf8(&target.display, &bytes, constitution) {
                        dockerfile::NotUtf8::InComments { text, warning } => (text, warning),
                        dockerfile::NotUtf8::Rejected(findings) => {
                            return FileResult::Linted(findings);
                        }
                    }
                }
            };
            let service = kind::service_for_path(&target.path, constitution);
            let ignore = dockerignore(&target.path);
            let mut findings = dockerfile::lint_with(
                &target.display,
                &text,
                constitution,
                service.as_deref(),
                &ignore,
            );
            findings.extend(warning);
            findings.sort_by(Finding::report_order);
            FileResult::Linted(findings)
        }
        FileKind::Kubernetes => match String::from_utf8(bytes) {
            Ok(text) => FileResult::Manifest(k8s::first_pass(
                target.display.clone(),
                text,
                excerpts,
                constitution,
            )),
            Err(_) => FileResult::Skipped(target.display.clone(), SkipReason::NotUtf8),
        },
        FileKind::Other => FileResult::Skipped(target.display.clone(), SkipReason::Unknown),
    }
}

/// The bytes without a leading UTF-8 byte-order mark: it is not part of the text, for any
/// reader of these files.
fn without_bom(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.starts_with("\u{feff}".as_bytes()) {
        bytes.drain(..kind::BOM.len_utf8());
    }
    bytes
}

/// Lints everything under `paths` (relative to `cwd`): the Dockerfiles and manifests one by one
/// and together ([`lint_files`]), each Helm chart rendered with `chart`'s options
/// ([`lint_charts`]). Findings show paths relative to `cwd`, sorted; the paths that could not be
/// walked come first among the errors.
pub(crate) fn lint_paths(
    paths: &[PathBuf],
    cwd: &Path,
    root: &Path,
    chart: &super::helm::ChartOptions,
    excerpts: Excerpts,
    constitution: &Constitution,
) -> Outcome {
    // Every manifest's first pass validates against the schemas of the built-in kinds: they are
    // compiled on an idle worker while the files are found, not by the first file to need them.
    rayon::spawn(|| {
        k8s::schema::catalog();
    });
    let discovery = discover(paths, cwd, root, constitution);
    let mut outcome = lint_files(&discovery.targets, root, cwd, excerpts, constitution);
    if !discovery.charts.is_empty() {
        let charts = lint_charts(&discovery.charts, cwd, chart, constitution);
        outcome.files += discovery.charts.len();
        outcome.charts = discovery.charts.iter().map(|c| c.display.clone()).collect();
        outcome.findings.extend(charts);
        outcome.findings.sort_by(Finding::report_order);
    }
    let mut errors = discovery.errors;
    errors.append(&mut outcome.errors);
    outcome.errors = errors;
    outcome
}

/// What a lint run reads: files and directories, or one text (stdin, or content an MCP client
/// passed) linted as a file of the given name.
#[derive(Debug, Clone)]
pub(crate) enum Input<'a> {
    /// Files and directories, relative to the working directory; none means the project root.
    Paths(&'a [PathBuf]),
    /// One text, shown as `name` (which also picks its kind and finds its `.dockerignore`).
    Text {
        bytes: Vec<u8>,
        name: Option<&'a str>,
    },
}

/// The lint `aigen lint` and the MCP tool `lint` run: the input, with Helm charts rendered with
/// the `values` file (relative to `cwd`; an error when it does not exist).
pub(crate) fn lint_input(
    input: Input<'_>,
    cwd: &Path,
    root: &Path,
    values: Option<&Path>,
    excerpts: Excerpts,
    constitution: &Constitution,
) -> Result<Outcome> {
    match input {
        Input::Text { bytes, name } => {
            Ok(lint_stdin(bytes, name, cwd, root, excerpts, constitution))
        }
        Input::Paths(paths) => {
            let values = match values {
                Some(values) if !cwd.join(values).is_file() => {
                    return Err(Error::usage(format!(
                        "values file `{}` does not exist",
                        values.display()
                    )));
                }
                values => values.map(|v| cwd.join(v)),
            };
            let chart = super::helm::ChartOptions { values, helm: None };
            let root_only = [root.to_path_buf()];
            let paths = if paths.is_empty() {
                &root_only[..]
            } else {
                paths
            };
            Ok(lint_paths(paths, cwd, root, &chart, excerpts, constitution))
        }
    }
}

/// Lints Helm charts in parallel ([`super::helm::lint_chart`]); findings show paths relative to
/// `cwd`, like the files'.
pub(crate) fn lint_charts(
    charts: &[Target],
    cwd: &Path,
    options: &super::helm::ChartOptions,
    constitution: &Constitution,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = charts
        .par_iter()
        .flat_map_iter(|chart| super::helm::lint_chart(&chart.path, options, constitution))
        .map(|mut finding| {
            finding.path = fsutil::relative_to(&finding.path, cwd);
            finding
        })
        .collect();
    findings.sort_by(Finding::report_order);
    findings
}

/// One line of `aigen lint --list-files`: a file discovery saw, and what it will be linted as or
/// why it is not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Listed {
    /// The path, as findings would show it.
    pub path: String,
    /// `dockerfile`, `manifest`, `chart`, `chart-file` (linted when its chart is rendered),
    /// `skipped`, or `error` (named on the command line and not lintable, or unreadable).
    pub kind: &'static str,
    /// The chart of a `chart-file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// Why a file is `skipped` or an `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl std::fmt::Display for Listed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match (self.kind, &self.chart, &self.reason) {
            ("dockerfile", ..) => "Dockerfile".to_string(),
            ("manifest", ..) => "Kubernetes manifest".to_string(),
            ("chart", ..) => "Helm chart".to_string(),
            ("chart-file", Some(chart), _) => format!("part of the Helm chart `{chart}`"),
            (kind, _, Some(reason)) => format!("{kind}: {reason}"),
            (kind, ..) => kind.to_string(),
        };
        write!(f, "{}  {what}", self.path)
    }
}

/// What every file discovery saw will be linted as, or why it is skipped: the same decision
/// [`lint_files`] takes (the files are read and sniffed), without linting. Sorted by path.
pub(crate) fn list_files(discovery: &Discovery) -> Vec<Listed> {
    let show = |path: &Path| fsutil::slash_path(path);
    let listed = |path: &Path, kind: &'static str, reason: Option<String>| Listed {
        path: show(path),
        kind,
        chart: None,
        reason,
    };
    let mut out: Vec<Listed> = discovery
        .targets
        .par_iter()
        .map(|target| {
            let bytes = match std::fs::read(&target.path) {
                Ok(bytes) => without_bom(bytes),
                Err(error) => {
                    let error = Error::io("read", &target.display, error);
                    return listed(&target.display, "error", Some(error.to_string()));
                }
            };
            match kind::classify(&target.path, target.kind, &bytes) {
                Ok(FileKind::Dockerfile) => listed(&target.display, "dockerfile", None),
                Ok(_) => listed(&target.display, "manifest", None),
                Err(reason) => {
                    let kind = if target.explicit { "error" } else { "skipped" };
                    listed(&target.display, kind, Some(reason.to_string()))
                }
            }
        })
        .collect();
    for chart in &discovery.charts {
        out.push(listed(&chart.display, "chart", None));
    }
    for (file, chart) in &discovery.in_charts {
        out.push(Listed {
            chart: discovery.charts.get(*chart).map(|c| show(&c.display)),
            ..listed(&file.display, "chart-file", None)
        });
    }
    for other in &discovery.others {
        let reason = format!("{} (by its name; not read)", SkipReason::Unknown);
        out.push(listed(&other.display, "skipped", Some(reason)));
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Reads all of stdin.
pub(crate) fn read_stdin() -> Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", "<stdin>", e))?;
    Ok(bytes)
}
