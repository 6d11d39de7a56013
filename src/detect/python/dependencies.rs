//! A Python service's declared dependencies, with the group each belongs to: `[project]`
//! dependencies and optional dependencies, `[dependency-groups]`, Poetry's dependencies and
//! groups, Pipfile's packages, and `requirements.txt` followed through its `-r` and `-c`
//! includes. Local path dependencies and the files pip reads are recorded for the build.

use std::sync::LazyLock;

use regex::Regex;

use super::super::manifest::{TomlDoc, dependency_spec};
use super::super::model::{FileProblem, Origin, Sourced};
use super::super::regex;
use super::super::source::{ServiceDir, ServiceFile};
use crate::fsutil::normalize_relative;

/// Groups that hold development tools, never installed in a production image.
const DEV_GROUPS: &[&str] = &[
    "dev",
    "develop",
    "development",
    "test",
    "tests",
    "testing",
    "lint",
    "linting",
    "docs",
    "doc",
    "typing",
    "types",
    "mypy",
    "style",
    "format",
    "ci",
    "local",
];

/// A declared dependency.
#[derive(Debug, Clone)]
pub(super) struct Dependency {
    /// The normalised name (`psycopg`, `python-dotenv`).
    pub name: String,
    /// The version requirement (`>=3.1`), empty when none.
    pub spec: String,
    /// The requirement as written, extras and source included (`psycopg[c]==3.2`).
    pub raw: String,
    /// The group, extra or Pipfile section it is declared in; `None` for the main dependencies.
    pub group: Option<String>,
    pub origin: Origin,
}

impl Dependency {
    /// True when a production install includes it: a main dependency, or one of a group that is
    /// not a development group (`prod`, an extra).
    pub(super) fn installed(&self) -> bool {
        self.group
            .as_deref()
            .is_none_or(|g| !DEV_GROUPS.contains(&g.to_ascii_lowercase().as_str()))
    }
}

/// What the manifests declare.
#[derive(Debug, Default)]
pub(super) struct Dependencies {
    pub list: Vec<Dependency>,
    /// Files pip reads besides `requirements.txt`, relative to the service directory.
    pub requirement_files: Vec<Sourced<String>>,
    /// Local path dependencies, relative to the project root.
    pub local_paths: Vec<Sourced<String>>,
}

impl Dependencies {
    /// The dependency of this name a production install includes.
    pub(super) fn installed(&self, name: &str) -> Option<&Dependency> {
        self.list.iter().find(|d| d.name == name && d.installed())
    }

    /// The dependency of this name, in any group.
    pub(super) fn any(&self, name: &str) -> Option<&Dependency> {
        self.list.iter().find(|d| d.name == name)
    }

    /// Adds the packages the project's own Dockerfile installs with pip that the manifests do
    /// not declare, as main dependencies; returns them, as written.
    pub(in crate::detect) fn add_pip_installs(
        &mut self,
        installs: &[Sourced<String>],
    ) -> Vec<Sourced<String>> {
        let mut added = Vec::new();
        for install in installs {
            let Some((name, spec)) = parse_requirement(&install.value) else {
                continue;
            };
            // Declared already, unless the Dockerfile asks for extras (`psycopg[c]`).
            if self.any(&name).is_some() && !install.value.contains('[') {
                continue;
            }
            self.list.push(Dependency {
                name,
                spec,
                raw: install.value.clone(),
                group: None,
                origin: install.origin.clone(),
            });
            added.push(install.clone());
        }
        added
    }
}

static REQUIREMENT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;#]*)"));

/// A PEP 508 requirement's name (normalised), extras and version requirement.
pub(super) fn parse_requirement(text: &str) -> Option<(String, String)> {
    let caps = REQUIREMENT.captures(text)?;
    let name = caps.get(1)?.as_str().to_ascii_lowercase().replace('_', "-");
    let spec = caps.get(3).map_or("", |m| m.as_str()).trim();
    let spec = if spec.starts_with('@') { "" } else { spec };
    Some((name, spec.to_string()))
}

/// Reads every manifest the service has.
pub(super) fn read(
    dir: &ServiceDir,
    pyproject: Option<&TomlDoc<'_>>,
    pipfile: Option<&TomlDoc<'_>>,
    requirements: Option<&ServiceFile>,
    problems: &mut Vec<FileProblem>,
) -> Dependencies {
    let mut found = Dependencies::default();
    if let Some(doc) = pyproject {
        pyproject_dependencies(dir, doc, &mut found);
    }
    if let Some(doc) = pipfile {
        table(doc, &["packages"], None, &mut found);
        table(doc, &["dev-packages"], Some("dev"), &mut found);
    }
    if let Some(file) = requirements {
        let mut seen = vec![file.rel.clone()];
        requirements_file(dir, file, &mut seen, &mut found, problems);
    }
    found
}

fn pyproject_dependencies(dir: &ServiceDir, doc: &TomlDoc<'_>, found: &mut Dependencies) {
    let array = |path: &[&str], group: Option<&str>, found: &mut Dependencies| {
        let Some(items) = doc.get(path).and_then(|v| v.get_ref().as_array()) else {
            return;
        };
        for item in items {
            let Some(raw) = item.get_ref().as_str() else {
                continue;
            };
            if let Some((name, spec)) = parse_requirement(raw) {
                found.list.push(Dependency {
                    name,
                    spec,
                    raw: raw.to_string(),
                    group: group.map(str::to_string),
                    origin: doc.sourced((), item).origin,
                });
            }
        }
    };
    array(&["project", "dependencies"], None, found);
    for section in ["optional-dependencies"] {
        if let Some(groups) = doc.table(&["project", section]) {
            for (name, _) in groups.iter() {
                array(
                    &["project", section, name.get_ref()],
                    Some(name.get_ref()),
                    found,
                );
            }
        }
    }
    if let Some(groups) = doc.table(&["dependency-groups"]) {
        for (name, _) in groups.iter() {
            array(
                &["dependency-groups", name.get_ref()],
                Some(name.get_ref()),
                found,
            );
        }
    }
    table(doc, &["tool", "poetry", "dependencies"], None, found);
    table(
        doc,
        &["tool", "poetry", "dev-dependencies"],
        Some("dev"),
        found,
    );
    if let Some(groups) = doc.table(&["tool", "poetry", "group"]) {
        for (name, _) in groups.iter() {
            table(
                doc,
                &["tool", "poetry", "group", name.get_ref(), "dependencies"],
                Some(name.get_ref()),
                found,
            );
        }
    }
    // Local sources: uv's `[tool.uv.sources] lib = { path = "../lib" }`, Poetry's
    // `lib = { path = "../lib" }`.
    for path in [
        &["tool", "uv", "sources"][..],
        &["tool", "poetry", "dependencies"][..],
    ] {
        let Some(sources) = doc.table(path) else {
            continue;
        };
        for (_, value) in sources.iter() {
            if let Some(local) = value
                .get_ref()
                .get("path")
                .and_then(|p| p.get_ref().as_str())
            {
                found
                    .local_paths
                    .push(doc.sourced(rooted(dir, "", local), value));
            }
        }
    }
}

/// A table of `name = "spec"` or `name = { version = "spec" }` (Poetry, Pipfile).
fn table(doc: &TomlDoc<'_>, path: &[&str], group: Option<&str>, found: &mut Dependencies) {
    let Some(entries) = doc.table(path) else {
        return;
    };
    for (key, value) in entries.iter() {
        let name = key.get_ref().to_ascii_lowercase().replace('_', "-");
        if name == "python" {
            continue;
        }
        let spec = match dependency_spec(value) {
            None | Some("*") => String::new(),
            Some(spec) => spec.to_string(),
        };
        let extras = value
            .get_ref()
            .get("extras")
            .and_then(|e| e.get_ref().as_array())
            .map(|items| {
                let names: Vec<&str> = items.iter().filter_map(|i| i.get_ref().as_str()).collect();
                format!("[{}]", names.join(","))
            })
            .unwrap_or_default();
        let git = value.get_ref().get("git").map_or("", |_| " @ git+");
        found.list.push(Dependency {
            raw: format!("{name}{extras}{spec}{git}"),
            name,
            spec,
            group: group.map(str::to_string),
            origin: doc.file.origin(key.span().start),
        });
    }
}

/// The lines of a requirements file, following `-r` and `-c` into the files they name.
fn requirements_file(
    dir: &ServiceDir,
    file: &ServiceFile,
    seen: &mut Vec<String>,
    found: &mut Dependencies,
    problems: &mut Vec<FileProblem>,
) {
    let base = file.rel.rsplit_once('/').map_or("", |(d, _)| d);
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let trimmed = line.split(" #").next().unwrap_or("").trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let option = ["-r", "--requirement", "-c", "--constraint"]
            .iter()
            .find_map(|flag| {
                let rest = trimmed.strip_prefix(flag)?;
                (rest.starts_with([' ', '='])).then(|| rest.trim_start_matches(['=', ' ']).trim())
            });
        if let Some(included) = option {
            let rel = join(base, included);
            if seen.contains(&rel) {
                continue;
            }
            seen.push(rel.clone());
            found.requirement_files.push(file.sourced(rel.clone(), at));
            match dir.read_optional(&rel) {
                Ok(Some(next)) => requirements_file(dir, &next, seen, found, problems),
                Ok(None) => problems.push(FileProblem::at(
                    &file.path,
                    file.line_at(at),
                    1,
                    format!("`{included}` is included but the service has no such file"),
                )),
                Err(problem) => problems.push(problem),
            }
            continue;
        }
        let editable = trimmed
            .strip_prefix("-e ")
            .or_else(|| trimmed.strip_prefix("--editable "))
            .map(str::trim);
        let path = editable.or_else(|| {
            (trimmed.starts_with("./")
                || trimmed.starts_with("../")
                || trimmed.starts_with("file:"))
            .then_some(trimmed)
        });
        if let Some(path) = path {
            if !path.contains("://") || path.starts_with("file:") {
                let local = path.trim_start_matches("file:").trim_start_matches("//");
                found
                    .local_paths
                    .push(file.sourced(rooted(dir, base, local), at));
            }
            continue;
        }
        if trimmed.starts_with('-') {
            continue;
        }
        if let Some((name, spec)) = parse_requirement(trimmed) {
            if let Some((_, local)) = trimmed.split_once("@ file:") {
                let local = local.trim().trim_start_matches("//");
                found
                    .local_paths
                    .push(file.sourced(rooted(dir, base, local), at));
            }
            found.list.push(Dependency {
                name,
                spec,
                raw: trimmed.to_string(),
                group: None,
                origin: file.origin(at),
            });
        }
    }
}

/// `path` relative to `base` inside the service, as a path from the service directory.
fn join(base: &str, path: &str) -> String {
    let joined = normalize_relative(&format!("{base}/{path}"));
    if joined == "." { String::new() } else { joined }
}

/// A local path written in a file under `base` of the service, relative to the project root.
fn rooted(dir: &ServiceDir, base: &str, path: &str) -> String {
    dir.rooted(&format!("{base}/{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_are_parsed() {
        assert_eq!(
            parse_requirement("FastAPI[standard]>=0.115 ; python_version>'3'"),
            Some(("fastapi".into(), ">=0.115".into()))
        );
        assert_eq!(
            parse_requirement("python_dotenv"),
            Some(("python-dotenv".into(), String::new()))
        );
        assert_eq!(
            parse_requirement("django-push @ git+https://example.org/x.git"),
            Some(("django-push".into(), String::new()))
        );
    }

    #[test]
    fn paths_join() {
        assert_eq!(join("requirements", "base.txt"), "requirements/base.txt");
        assert_eq!(join("", "requirements/prod.txt"), "requirements/prod.txt");
        assert_eq!(join("a/b", "../c.txt"), "a/c.txt");
    }
}
