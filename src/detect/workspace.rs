//! Workspaces: a service that is a member of a uv, npm, Yarn, pnpm or Bun workspace installs
//! from the lockfile at the workspace's root, with the package manager that owns it. The
//! workspace root is found by looking up from the service for the manifest that lists it among
//! its members (`[tool.uv.workspace] members`, `workspaces` in `package.json`,
//! `pnpm-workspace.yaml`).

use std::path::Path;

use super::manifest::{TomlDoc, parse_json};
use super::model::{FileProblem, PackageManager, Sourced, Workspace};
use super::source::{ServiceDir, ServiceFile};

/// The lockfiles of Node workspaces and the manager that owns each.
const NODE_LOCKS: &[(&str, PackageManager)] = &[
    ("bun.lock", PackageManager::Bun),
    ("bun.lockb", PackageManager::Bun),
    ("pnpm-lock.yaml", PackageManager::Pnpm),
    ("yarn.lock", PackageManager::Yarn),
    ("package-lock.json", PackageManager::Npm),
];

/// The lockfile of the Node package in `at` (relative to the service; `` or `.` for the
/// service's own directory): its name and the package manager that writes it.
pub(super) fn node_lock_in(dir: &ServiceDir, at: &str) -> Option<(&'static str, PackageManager)> {
    NODE_LOCKS
        .iter()
        .find(|(lock, _)| dir.has(&join(at, lock)))
        .copied()
}

/// The uv workspace `dir` is a member of.
pub(super) fn python(dir: &ServiceDir, problems: &mut Vec<FileProblem>) -> Option<Workspace> {
    ancestors(&dir.path).into_iter().find_map(|root| {
        let file = read(&dir.root, &join(&root, "pyproject.toml"))?;
        let doc = TomlDoc::parse(&file).map_err(|p| problems.push(p)).ok()?;
        let members = doc.get(&["tool", "uv", "workspace", "members"])?;
        let patterns: Vec<String> = members
            .get_ref()
            .as_array()?
            .iter()
            .filter_map(|m| m.get_ref().as_str().map(str::to_string))
            .collect();
        if !is_member(&dir.path, &root, &patterns) {
            return None;
        }
        let lock = join(&root, "uv.lock");
        let lockfile = dir
            .root
            .join(&lock)
            .is_file()
            .then(|| Sourced::at(lock, file.path.clone(), 1));
        Some(Workspace {
            root: root.clone(),
            manager: doc.sourced(PackageManager::Uv, members),
            lockfile: lockfile.map(|l| {
                Sourced::new(
                    l.value,
                    super::model::Origin::file(join(&root, "uv.lock"), 1),
                )
            }),
        })
    })
}

/// The npm, Yarn, pnpm or Bun workspace `dir` is a member of.
pub(super) fn node(dir: &ServiceDir, problems: &mut Vec<FileProblem>) -> Option<Workspace> {
    ancestors(&dir.path).into_iter().find_map(|root| {
        let (patterns, declared_by) = node_members(dir, &root, problems)?;
        if !is_member(&dir.path, &root, &patterns) {
            return None;
        }
        let (lock, manager) = NODE_LOCKS
            .iter()
            .find(|(lock, _)| dir.root.join(join(&root, lock)).is_file())
            .map(|(lock, manager)| (Some(join(&root, lock)), *manager))
            .unwrap_or((None, PackageManager::Npm));
        let manager = match &lock {
            Some(lock) => Sourced::at(manager, lock.clone(), 1),
            None => declared_by.map(|_| manager),
        };
        Some(Workspace {
            root: root.clone(),
            manager,
            lockfile: lock.map(|l| Sourced::at(l.clone(), l, 1)),
        })
    })
}

/// The member patterns of a Node workspace rooted at `root`: `pnpm-workspace.yaml`'s
/// `packages`, else `package.json`'s `workspaces` (a list, or `{ packages: [...] }`).
fn node_members(
    dir: &ServiceDir,
    root: &str,
    problems: &mut Vec<FileProblem>,
) -> Option<(Vec<String>, Sourced<()>)> {
    if let Some(file) = read(&dir.root, &join(root, "pnpm-workspace.yaml")) {
        let mut patterns = Vec::new();
        let mut in_packages = false;
        for line in file.text.lines() {
            if !line.starts_with([' ', '\t', '-']) {
                in_packages = line.trim_end() == "packages:";
                continue;
            }
            if in_packages && let Some(item) = line.trim().strip_prefix('-') {
                patterns.push(item.trim().trim_matches(['"', '\'']).to_string());
            }
        }
        return Some((patterns, Sourced::at((), file.path.clone(), 1)));
    }
    let file = read(&dir.root, &join(root, "package.json"))?;
    let json = parse_json(&file).map_err(|p| problems.push(p)).ok()?;
    let workspaces = json.get("workspaces")?;
    let list = workspaces
        .as_array()
        .or_else(|| workspaces.get("packages")?.as_array())?;
    let patterns = list
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let line = super::manifest::json_line(&file.text, &["workspaces"]).unwrap_or(1);
    Some((patterns, Sourced::at((), file.path.clone(), line)))
}

/// The directories above `path`, nearest first (`a/b` gives `a`, `.`).
fn ancestors(path: &str) -> Vec<String> {
    if path == "." {
        return Vec::new();
    }
    let parts: Vec<&str> = path.split('/').collect();
    (0..parts.len())
        .rev()
        .map(|n| {
            if n == 0 {
                ".".to_string()
            } else {
                parts[..n].join("/")
            }
        })
        .collect()
}

/// True when `path` matches one of a workspace's member patterns (`backend`, `packages/*`,
/// `apps/**`), which are relative to its root; `!pattern` excludes.
fn is_member(path: &str, root: &str, patterns: &[String]) -> bool {
    let relative = if root == "." {
        path.to_string()
    } else {
        match path.strip_prefix(root).and_then(|r| r.strip_prefix('/')) {
            Some(rest) => rest.to_string(),
            None => return false,
        }
    };
    let excluded = patterns
        .iter()
        .filter_map(|p| p.strip_prefix('!'))
        .any(|p| glob(p.trim_start_matches("./"), &relative));
    !excluded
        && patterns
            .iter()
            .filter(|p| !p.starts_with('!'))
            .any(|p| glob(p.trim_start_matches("./").trim_end_matches('/'), &relative))
}

/// A path glob: `*` matches within one segment, `**` any number of segments.
fn glob(pattern: &str, path: &str) -> bool {
    fn segments(pattern: &[&str], path: &[&str]) -> bool {
        match (pattern.split_first(), path.split_first()) {
            (None, None) => true,
            (Some((&"**", rest)), _) => {
                segments(rest, path) || (!path.is_empty() && segments(pattern, &path[1..]))
            }
            (Some((p, rest)), Some((s, tail))) => segment(p, s) && segments(rest, tail),
            _ => false,
        }
    }
    fn segment(pattern: &str, text: &str) -> bool {
        match pattern.split_once('*') {
            None => pattern == text,
            Some((before, after)) => {
                text.len() >= before.len() + after.len()
                    && text.starts_with(before)
                    && text.ends_with(after)
            }
        }
    }
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    segments(&pattern, &path)
}

/// `name` in the relative directory `dir` (`` or `.` for the directory the path starts from).
pub(super) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir == "." {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// A file of the project by its path from the root, when it exists and is text.
fn read(root: &Path, rel: &str) -> Option<ServiceFile> {
    let text = std::fs::read_to_string(root.join(rel)).ok()?;
    Some(ServiceFile {
        path: rel.to_string(),
        rel: rel.to_string(),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_match_globs() {
        let patterns = vec!["frontend".to_string(), "packages/*".to_string()];
        assert!(is_member("frontend", ".", &patterns));
        assert!(is_member("packages/emails", ".", &patterns));
        assert!(!is_member("packages/a/b", ".", &patterns));
        assert!(!is_member("backend", ".", &patterns));
        assert!(is_member("apps/web", "apps", &["web".to_string()]));
        assert!(glob("apps/**", "apps/a/b"));
        assert!(!is_member(
            "packages/x",
            ".",
            &["packages/*".into(), "!packages/x".into()]
        ));
    }

    #[test]
    fn ancestors_nearest_first() {
        assert_eq!(ancestors("a/b/c"), ["a/b", "a", "."]);
        assert!(ancestors(".").is_empty());
    }
}
