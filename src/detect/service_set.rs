//! Which directories are services, and why the others are not.
//!
//! [`plan`] works from file names alone. Every directory with a manifest is a candidate, the
//! repository root included, whatever its subdirectories hold; a candidate under a directory of
//! tests, examples, documentation, scripts or fixtures ([`ASIDE`]) is set aside; a directory
//! holding a stack aigen cannot generate for (C#, Ruby, PHP, Elixir, C++) or only a Dockerfile
//! is listed with its reason. Each candidate's files are its own: a nested candidate's subtree
//! belongs to the nested one, as a nested Go module or npm package does.
//!
//! The ecosystems then describe each candidate and say whether it runs a program ([`Described`]);
//! [`resolve`] decides, parents before children: a candidate that runs nothing is part of the
//! service around it, the root of a workspace, or a library; a user interface inside a service
//! is built into it.

use std::collections::BTreeSet;

use super::model::{Origin, Service, SkipReason, Skipped};
use super::source::ServiceDir;
use super::walk::{self, MANIFESTS};

/// Directory names whose contents are not part of what is deployed: tests, examples,
/// documentation, scripts, fixtures.
pub(super) const ASIDE: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "e2e",
    "integration-tests",
    "cypress",
    "playwright",
    "extra",
    "extras",
    "example",
    "examples",
    "sample",
    "samples",
    "docs",
    "doc",
    "documentation",
    "scripts",
    "fixtures",
    "testdata",
    "benchmarks",
    "bench",
    "hack",
    "contrib",
];

/// Files that mark a stack aigen cannot generate for: a file name, or an extension after `.`.
const UNSUPPORTED: &[(&str, &str)] = &[
    (".csproj", "C# (.NET)"),
    (".fsproj", "F# (.NET)"),
    (".vbproj", "Visual Basic (.NET)"),
    ("Gemfile", "Ruby"),
    ("composer.json", "PHP"),
    ("mix.exs", "Elixir"),
    ("CMakeLists.txt", "C++"),
];

/// The Dockerfile names a directory may hold.
const DOCKERFILES: &[&str] = &["Dockerfile", "Containerfile"];

/// What aigen generates for, as the reasons say it.
const SUPPORTED: &str = "aigen generates for Python, Node.js, Go, Rust and Java";

/// The candidates and what was set aside by name.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// Directories with a manifest, parents before children.
    pub candidates: Vec<ServiceDir>,
    pub skipped: Vec<Skipped>,
    /// Directories with only a Dockerfile under a root that has a manifest: set aside only when
    /// the root is not a service, else they package it.
    pub under_root: Vec<Skipped>,
    /// Candidates whose only manifest is a `package.json` beside a stack aigen cannot generate
    /// for (a Rails app's assets): that stack is their reason when the package runs nothing.
    pub paired: Vec<Skipped>,
}

/// A candidate described by its ecosystem.
#[derive(Debug)]
pub(super) struct Described {
    pub service: Service,
    /// Evidence that it runs a program (a server, a worker): where it shows; or why there is
    /// none, in a sentence.
    pub runs: Result<Origin, String>,
    /// Set when the ecosystem can tell it is not a service, whatever runs.
    pub verdict: Option<Verdict>,
    /// A user interface bundle (a single-page app): inside another service, it is built into it.
    pub ui_bundle: bool,
    /// The root of a workspace (uv, npm, pnpm, yarn, bun, Cargo).
    pub workspace_root: bool,
    /// What its build writes into another directory of the project, for the service there.
    pub builds_into: Option<super::built_ui::Output>,
}

impl Described {
    /// A candidate that is no workspace root and no user interface bundle, with no verdict of
    /// its ecosystem: whether it is a service depends on `runs` alone.
    pub(super) fn program(service: Service, runs: Result<Origin, String>) -> Self {
        Self {
            service,
            runs,
            verdict: None,
            ui_bundle: false,
            workspace_root: false,
            builds_into: None,
        }
    }
}

/// Why a candidate is not a service, as its ecosystem tells.
#[derive(Debug, Clone)]
pub(super) struct Verdict {
    pub reason: SkipReason,
    pub detail: String,
    pub origin: Origin,
}

impl Verdict {
    pub(super) fn new(reason: SkipReason, detail: impl Into<String>, origin: Origin) -> Self {
        Self {
            reason,
            detail: detail.into(),
            origin,
        }
    }
}

/// The candidates among `files` (as [`walk::list_files`] gives them) and what is set aside.
pub(super) fn plan(root: &std::path::Path, files: &[String]) -> Plan {
    let mut manifest_dirs: BTreeSet<&str> = BTreeSet::new();
    let mut markers: Vec<(&str, &'static str, &str)> = Vec::new();
    let mut dockerfile_dirs: BTreeSet<&str> = BTreeSet::new();
    for file in files {
        let (dir, name) = split(file);
        if MANIFESTS.contains(&name) {
            manifest_dirs.insert(dir);
        }
        if DOCKERFILES.contains(&name) {
            dockerfile_dirs.insert(dir);
        }
        let stack = UNSUPPORTED.iter().find(|(marker, _)| {
            name == *marker || (marker.starts_with('.') && name.ends_with(marker))
        });
        if let Some((_, stack)) = stack {
            markers.push((dir, stack, file));
        }
    }

    let mut plan = Plan::default();
    let mut aside_dirs: Vec<&str> = Vec::new();
    let mut by_depth: Vec<&str> = manifest_dirs.iter().copied().collect();
    by_depth.sort_by_key(|dir| (depth(dir), *dir));
    for dir in by_depth {
        if let Some(part) = aside_part(dir) {
            if !aside_dirs.iter().any(|a| inside(dir, a)) {
                aside_dirs.push(dir);
                plan.skipped.push(Skipped {
                    path: dir.to_string(),
                    reason: SkipReason::Aside,
                    detail: format!("under `{part}/`: not part of what is deployed"),
                    origin: Origin::file(first_manifest(files, dir), 1),
                });
            }
            continue;
        }
        let only_package_json = !MANIFESTS
            .iter()
            .any(|m| *m != "package.json" && has(files, &join(dir, m)));
        let marked = markers.iter().find(|(d, _, _)| *d == dir);
        if let (true, Some((_, stack, file))) = (only_package_json, marked) {
            // A Ruby, PHP or .NET app keeps its front-end assets' package.json beside its own
            // manifest: unless the package runs a server of its own, the app is what is
            // deployed, and aigen cannot generate for it.
            plan.paired.push(unsupported(dir, stack, file));
        }
        plan.candidates.push(walk::service_dir(root, files, dir));
    }

    // Stacks aigen cannot generate for, outside every candidate but the root (whose own
    // subtree ends where theirs begins), the shallowest of each branch.
    let candidate_dirs: Vec<String> = plan.candidates.iter().map(|c| c.path.clone()).collect();
    let in_candidate = |dir: &str| {
        candidate_dirs
            .iter()
            .any(|c| c == dir || (c != "." && inside(dir, c)))
    };
    markers.sort_by_key(|(dir, _, _)| (depth(dir), *dir));
    let mut marker_dirs: Vec<&str> = plan
        .paired
        .iter()
        .filter_map(|s| manifest_dirs.get(s.path.as_str()).copied())
        .collect();
    for (dir, stack, file) in &markers {
        if aside_part(dir).is_some()
            || in_candidate(dir)
            || marker_dirs.iter().any(|m| *m == *dir || inside(dir, m))
        {
            continue;
        }
        marker_dirs.push(dir);
        plan.skipped.push(unsupported(dir, stack, file));
    }

    // Directories with only a Dockerfile, outside every candidate and stack.
    for dir in dockerfile_dirs {
        if aside_part(dir).is_some()
            || in_candidate(dir)
            || manifest_dirs.contains(dir)
            || marker_dirs.iter().any(|m| *m == dir || inside(dir, m))
        {
            continue;
        }
        let file = DOCKERFILES
            .iter()
            .map(|name| join(dir, name))
            .find(|path| has(files, path))
            .unwrap_or_else(|| join(dir, "Dockerfile"));
        let skipped = Skipped {
            path: dir.to_string(),
            reason: SkipReason::DockerfileOnly,
            detail: "only a Dockerfile, no manifest of an application: the project builds it \
                     from its own Dockerfile"
                .to_string(),
            origin: Origin::file(file, 1),
        };
        // Inside the root's tree, a Dockerfile may be the root service's own packaging
        // (`docker/Dockerfile`): that is told once the root is known to be a service.
        if candidate_dirs.iter().any(|c| c == ".") {
            plan.under_root.push(skipped);
        } else {
            plan.skipped.push(skipped);
        }
    }

    // Each candidate's files stop where a nested package of its own ecosystem, or a stack
    // aigen cannot generate for, begins: a nested Go module's files are not the root module's,
    // but the Go files beside a nested `package.json` are.
    let nested: Vec<(String, Option<Family>)> = candidate_dirs
        .iter()
        .map(|d| (d.clone(), families(files, d)))
        .flat_map(|(d, fams)| fams.into_iter().map(move |f| (d.clone(), Some(f))))
        .chain(marker_dirs.iter().map(|d| (d.to_string(), None)))
        .collect();
    for candidate in &mut plan.candidates {
        let own = candidate.path.clone();
        let family = manifest_of(candidate).map(Family::of);
        let below: Vec<String> = nested
            .iter()
            .filter(|(d, _)| *d != own && (own == "." || inside(d, &own)))
            .filter(|(_, f)| f.is_none() || *f == family)
            .map(|(d, _)| {
                let rel = if own == "." {
                    d.clone()
                } else {
                    d[own.len() + 1..].to_string()
                };
                format!("{rel}/")
            })
            .collect();
        candidate
            .files
            .retain(|f| !below.iter().any(|prefix| f.starts_with(prefix.as_str())));
    }
    plan
}

/// The ecosystems manifests belong to: a directory's files stop at a nested manifest of its own
/// ecosystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Python,
    Node,
    Go,
    Rust,
    Java,
}

impl Family {
    fn of(manifest: &str) -> Self {
        match manifest {
            "pyproject.toml" | "requirements.txt" | "Pipfile" => Self::Python,
            "package.json" => Self::Node,
            "go.mod" => Self::Go,
            "Cargo.toml" => Self::Rust,
            _ => Self::Java,
        }
    }
}

/// The ecosystems of the manifests in `dir`.
fn families(files: &[String], dir: &str) -> Vec<Family> {
    let mut found: Vec<Family> = MANIFESTS
        .iter()
        .filter(|m| has(files, &join(dir, m)))
        .map(|m| Family::of(m))
        .collect();
    found.dedup();
    found
}

/// The manifest that decides a directory's ecosystem: the first of [`MANIFESTS`], except that a
/// `package.json` of front-end or build tools gives way to a compiled language's manifest beside
/// it (a Go server with its UI's `package.json`).
pub(super) fn manifest_of(dir: &ServiceDir) -> Option<&'static str> {
    let first = dir.first_of(MANIFESTS)?;
    if first != "package.json" {
        return Some(first);
    }
    let other = MANIFESTS
        .iter()
        .copied()
        .find(|m| *m != "package.json" && dir.has(m));
    match other {
        Some(other) if !super::node::is_server_package(dir) => Some(other),
        _ => Some(first),
    }
}

/// Decides which described candidates are services, parents before children.
pub(super) fn resolve(
    mut described: Vec<Described>,
    paired: &[Skipped],
) -> (Vec<Service>, Vec<Skipped>) {
    described.sort_by_key(|d| (depth(&d.service.path), d.service.path.clone()));
    let mut services: Vec<Service> = Vec::new();
    let mut skipped = Vec::new();
    for candidate in described {
        let path = candidate.service.path.clone();
        let origin = Origin::file(join(&path, &candidate.service.manifest), 1);
        let enclosing = services
            .iter()
            .filter(|s| s.path == "." || inside(&path, &s.path))
            .map(|s| s.path.clone())
            .max_by_key(|p| p.len());
        let skip = |reason: SkipReason, detail: String, origin: Origin| Skipped {
            path: path.clone(),
            reason,
            detail,
            origin,
        };
        let other_stack = paired.iter().find(|p| p.path == path);
        let runs_nothing = candidate.runs.is_err()
            || candidate
                .verdict
                .as_ref()
                .is_some_and(|v| matches!(v.reason, SkipReason::Tooling | SkipReason::Library));
        if let (Some(stack), true) = (other_stack, runs_nothing) {
            skipped.push(stack.clone());
            continue;
        }
        if let Some(verdict) = candidate.verdict {
            skipped.push(skip(verdict.reason, verdict.detail, verdict.origin));
            continue;
        }
        if let (true, Some(parent)) = (candidate.ui_bundle, &enclosing) {
            skipped.push(skip(
                SkipReason::BuiltIntoAnother,
                format!(
                    "a user interface inside the service in `{parent}`, which builds and serves it"
                ),
                origin,
            ));
            continue;
        }
        match candidate.runs {
            Ok(_) => services.push(candidate.service),
            Err(why) => {
                let (reason, detail) = match (&enclosing, candidate.workspace_root) {
                    (Some(parent), _) => (
                        SkipReason::BuiltIntoAnother,
                        format!(
                            "inside the service in `{parent}` and runs nothing of its own ({why}): part of that service"
                        ),
                    ),
                    (None, true) => (
                        SkipReason::WorkspaceRoot,
                        format!("the root of a workspace whose members are the services ({why})"),
                    ),
                    (None, false) => (SkipReason::Library, format!("no program to run: {why}")),
                };
                skipped.push(skip(reason, detail, origin));
            }
        }
    }
    (services, skipped)
}

fn unsupported(dir: &str, stack: &str, file: &str) -> Skipped {
    Skipped {
        path: dir.to_string(),
        reason: SkipReason::Unsupported,
        detail: format!("{stack}: {SUPPORTED}"),
        origin: Origin::file(file, 1),
    }
}

/// The first path component of `dir` that names an aside directory.
fn aside_part(dir: &str) -> Option<&str> {
    if dir == "." {
        return None;
    }
    dir.split('/')
        .find(|part| ASIDE.contains(&part.to_ascii_lowercase().as_str()))
}

/// True when `dir` is strictly inside `parent` (`.` holds everything but itself).
pub(super) fn inside(dir: &str, parent: &str) -> bool {
    if parent == "." {
        return dir != ".";
    }
    dir.strip_prefix(parent)
        .is_some_and(|rest| rest.starts_with('/'))
}

fn depth(dir: &str) -> usize {
    if dir == "." {
        0
    } else {
        dir.matches('/').count() + 1
    }
}

fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or((".", path))
}

fn join(dir: &str, name: &str) -> String {
    if dir == "." {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn has(files: &[String], path: &str) -> bool {
    files.binary_search_by(|f| f.as_str().cmp(path)).is_ok()
}

fn first_manifest(files: &[String], dir: &str) -> String {
    MANIFESTS
        .iter()
        .map(|m| join(dir, m))
        .find(|p| has(files, p))
        .unwrap_or_else(|| dir.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(files: &[&str]) -> Plan {
        let mut files: Vec<String> = files.iter().map(|f| f.to_string()).collect();
        files.sort();
        plan(std::path::Path::new("/nowhere"), &files)
    }

    fn paths(plan: &Plan) -> Vec<&str> {
        plan.candidates.iter().map(|c| c.path.as_str()).collect()
    }

    fn skipped(plan: &Plan) -> Vec<(String, SkipReason)> {
        plan.skipped
            .iter()
            .map(|s| (s.path.clone(), s.reason))
            .collect()
    }

    #[test]
    fn the_root_stays_a_candidate_beside_subfolders() {
        let plan = plan_of(&[
            "go.mod",
            "main.go",
            "tools/gen/go.mod",
            "tools/gen/main.go",
            "ui/package.json",
            "ui/src/app.tsx",
        ]);
        assert_eq!(paths(&plan), [".", "ui", "tools/gen"]);
        // The root's files stop where a nested Go module begins; a nested package of another
        // ecosystem (a UI the server may embed) stays part of the root's files.
        assert_eq!(
            plan.candidates[0].files,
            ["go.mod", "main.go", "ui/package.json", "ui/src/app.tsx"]
        );
    }

    #[test]
    fn aside_directories_are_listed_not_described() {
        let plan = plan_of(&[
            "package.json",
            "extra/tool/package.json",
            "extra/tool/sub/package.json",
            "tests/e2e/package.json",
        ]);
        assert_eq!(paths(&plan), ["."]);
        assert_eq!(
            skipped(&plan),
            [
                ("extra/tool".to_string(), SkipReason::Aside),
                ("tests/e2e".to_string(), SkipReason::Aside)
            ]
        );
    }

    #[test]
    fn unsupported_stacks_and_dockerfile_only_directories_are_listed() {
        let plan = plan_of(&[
            "api/go.mod",
            "cart/src/cart.csproj",
            "cart/src/Dockerfile",
            "cart/tests/cart.tests.csproj",
            "shop/Gemfile",
            "shop/package.json",
            "proxy/Dockerfile",
            "api/docker/Dockerfile",
        ]);
        // The package.json beside the Gemfile is described: it may run a server of its own.
        assert_eq!(paths(&plan), ["api", "shop"]);
        assert_eq!(plan.paired[0].path, "shop");
        assert_eq!(
            skipped(&plan),
            [
                ("cart/src".to_string(), SkipReason::Unsupported),
                ("proxy".to_string(), SkipReason::DockerfileOnly),
            ]
        );
    }
}
