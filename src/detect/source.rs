//! The files of one service, read once, and the "line of a match" helpers that give every
//! detected value its `file:line`.
//!
//! [`ServiceDir`] is what the walk hands to an ecosystem: the service's directory and the list of
//! files under it. Ecosystems read what they need through it ([`ServiceDir::read`],
//! [`ServiceDir::sources`]) and get [`ServiceFile`]s, whose `sourced` and `find` methods turn a
//! byte offset or a regex match into a value with its origin.

use crate::fsutil::normalize_relative;
use std::path::PathBuf;

use regex::{Captures, Regex};

use super::comments::{self, Syntax};
use super::model::{FileProblem, Origin, Sourced};
use crate::line_index::line_column;

/// Source files larger than this are skipped: they are generated or minified, not read by hand.
const MAX_SOURCE_BYTES: u64 = 1024 * 1024;

/// A file of a service, read: its text and where it lives.
#[derive(Debug, Clone)]
pub(super) struct ServiceFile {
    /// The path relative to the project root, with `/` separators (used in origins).
    pub path: String,
    /// The path relative to the service directory, with `/` separators.
    pub rel: String,
    pub text: String,
}

impl ServiceFile {
    /// 1-based line of a byte offset.
    pub(super) fn line_at(&self, offset: usize) -> usize {
        line_column(&self.text, offset).0
    }

    /// The origin of a byte offset.
    pub(super) fn origin(&self, offset: usize) -> Origin {
        Origin::file(&self.path, self.line_at(offset))
    }

    /// A value found at a byte offset.
    pub(super) fn sourced<T>(&self, value: T, offset: usize) -> Sourced<T> {
        Sourced::new(value, self.origin(offset))
    }

    /// The first match of `re`, with the captures.
    pub(super) fn find<'t>(&'t self, re: &Regex) -> Option<Captures<'t>> {
        re.captures(&self.text)
    }

    /// The first match of `re`: the text of its first capture group that took part, and the
    /// origin of that capture.
    pub(super) fn find_sourced(&self, re: &Regex) -> Option<Sourced<String>> {
        re.captures_iter(&self.text).find_map(|caps| {
            let group = first_group(&caps)?;
            Some(self.sourced(group.as_str().to_string(), group.start()))
        })
    }

    /// The first line that is neither blank nor a `#` comment, trimmed, with its origin: what
    /// one-value files (`.python-version`, `.nvmrc`, `rust-toolchain`) hold.
    pub(super) fn first_line(&self) -> Option<Sourced<&str>> {
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            let at = offset;
            offset += line.len();
            let trimmed = line.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Some(self.sourced(trimmed, at));
            }
        }
        None
    }

    /// The same file with its comments blanked out (offsets and lines unchanged).
    pub(super) fn blanked(&self, syntax: Syntax) -> ServiceFile {
        ServiceFile {
            path: self.path.clone(),
            rel: self.rel.clone(),
            text: comments::blank(&self.text, syntax),
        }
    }

    /// What kind of file this is, by its name.
    pub(super) fn kind(&self) -> FileKind {
        FileKind::of(&self.rel)
    }

    /// The file's name without its directories.
    pub(super) fn name(&self) -> &str {
        self.rel.rsplit('/').next().unwrap_or(&self.rel)
    }
}

/// The kinds of file detection reads, each with patterns of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FileKind {
    Python,
    JavaScript,
    Go,
    Rust,
    Java,
    /// Spring's `application.properties` / `application.yml` and other YAML.
    SpringConfig,
    /// `.env.example` and its cousins.
    EnvExample,
    Other,
}

impl FileKind {
    /// The kind of a file, from its path.
    pub(super) fn of(rel: &str) -> Self {
        if is_env_example(rel) {
            Self::EnvExample
        } else if has_extension(rel, &["py"]) {
            Self::Python
        } else if has_extension(rel, JS_EXTENSIONS) {
            Self::JavaScript
        } else if has_extension(rel, &["go"]) {
            Self::Go
        } else if has_extension(rel, &["rs"]) {
            Self::Rust
        } else if has_extension(rel, &["java", "kt"]) {
            Self::Java
        } else if has_extension(rel, &["properties", "yml", "yaml"]) {
            Self::SpringConfig
        } else {
            Self::Other
        }
    }
}

/// Extensions of JavaScript and TypeScript sources.
pub(super) const JS_EXTENSIONS: &[&str] = &["js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts"];

/// The first match of `re` (its first capture that took part) over several files, in order.
pub(super) fn find_in(files: &[ServiceFile], re: &Regex) -> Option<Sourced<String>> {
    files.iter().find_map(|file| file.find_sourced(re))
}

/// The first capture group of a match that took part in it (patterns with alternatives capture
/// in different groups).
fn first_group<'t>(caps: &Captures<'t>) -> Option<regex::Match<'t>> {
    caps.iter().skip(1).flatten().next()
}

/// A port found by `re` (its first capture that took part) over several files, when it is a
/// valid port number.
pub(super) fn find_port(files: &[ServiceFile], re: &Regex) -> Option<Sourced<u16>> {
    files.iter().find_map(|file| {
        re.captures_iter(&file.text).find_map(|caps| {
            let group = first_group(&caps)?;
            let port: u16 = group.as_str().parse().ok().filter(|p| *p > 0)?;
            Some(file.sourced(port, group.start()))
        })
    })
}

/// One service's directory and the files the walk found under it.
#[derive(Debug, Clone)]
pub(super) struct ServiceDir {
    /// The project root, absolute.
    pub root: PathBuf,
    /// The directory relative to the root, with `/` separators (`.` for the root itself).
    pub path: String,
    /// Files under the directory, relative to it, with `/` separators, sorted.
    pub files: Vec<String>,
}

impl ServiceDir {
    /// The absolute path of a file of the service.
    pub(super) fn absolute(&self, rel: &str) -> PathBuf {
        if self.path == "." {
            self.root.join(rel)
        } else {
            self.root.join(&self.path).join(rel)
        }
    }

    /// A file of the service, relative to the project root (the form origins use).
    pub(super) fn display(&self, rel: &str) -> String {
        if self.path == "." {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.path)
        }
    }

    /// A path written relative to this directory (`../lib`), from the project root.
    pub(super) fn rooted(&self, rel: &str) -> String {
        if self.path == "." {
            normalize_relative(rel)
        } else {
            normalize_relative(&format!("{}/{rel}", self.path))
        }
    }

    /// A path relative to the project root, made relative to this directory when it is inside
    /// it (`backend/Dockerfile` in `backend` is `Dockerfile`).
    pub(super) fn relative(&self, from_root: &str) -> Option<String> {
        if self.path == "." {
            return Some(from_root.to_string());
        }
        from_root
            .strip_prefix(&self.path)
            .and_then(|rest| rest.strip_prefix('/'))
            .map(str::to_string)
    }

    /// The files under a directory of the service (`templates/`), relative to the service.
    pub(super) fn files_in<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.files.iter().filter(move |f| f.starts_with(&prefix))
    }

    /// True when the service has a file under `dir`.
    pub(super) fn has_dir(&self, dir: &str) -> bool {
        self.files_in(dir).next().is_some()
    }

    /// True when a file or directory exists at `rel`, relative to the project root (a path a
    /// Dockerfile whose context is the root names); never for a path that leaves the root.
    pub(super) fn root_has(&self, rel: &str) -> bool {
        if rel.split('/').any(|part| part == "..") {
            return false;
        }
        let rel = normalize_relative(rel);
        rel != "." && self.root.join(&rel).exists()
    }

    /// True when a file (not a directory) exists at `rel`, relative to the project root; never
    /// for a path that leaves the root.
    pub(super) fn root_has_file(&self, rel: &str) -> bool {
        self.root_has(rel) && self.root.join(normalize_relative(rel)).is_file()
    }

    /// True when the walk found this file in the service.
    pub(super) fn has(&self, rel: &str) -> bool {
        self.files.binary_search_by(|f| f.as_str().cmp(rel)).is_ok()
    }

    /// The first of `names` the service has.
    pub(super) fn first_of<'n>(&self, names: &[&'n str]) -> Option<&'n str> {
        names.iter().copied().find(|name| self.has(name))
    }

    /// The origin "line 1 of this file", for facts a file states by existing (a lockfile).
    pub(super) fn file_origin(&self, rel: &str) -> Origin {
        Origin::file(self.display(rel), 1)
    }

    /// The name of a file the service has, as a fact stated at its line 1 (a lockfile), or
    /// `None` when the walk did not find it.
    pub(super) fn present(&self, rel: &str) -> Option<Sourced<String>> {
        self.has(rel)
            .then(|| Sourced::new(rel.to_string(), self.file_origin(rel)))
    }

    /// Reads one file; an unreadable file becomes a [`FileProblem`], at the first byte that is not
    /// UTF-8 when that is the fault.
    pub(super) fn read(&self, rel: &str) -> Result<ServiceFile, FileProblem> {
        let bytes = std::fs::read(self.absolute(rel)).map_err(|e| self.unreadable(rel, &e))?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok(ServiceFile {
                path: self.display(rel),
                rel: rel.to_string(),
                text,
            }),
            Err(error) => {
                let valid = error.utf8_error().valid_up_to();
                let bytes = error.as_bytes();
                let before = String::from_utf8_lossy(&bytes[..valid]);
                let (line, column) = line_column(&before, valid);
                Err(FileProblem::at(
                    self.display(rel),
                    line,
                    column,
                    "cannot read the file: it is not UTF-8 text",
                ))
            }
        }
    }

    /// Reads a manifest when the service has it; one that exists but cannot be read is an error,
    /// because the service cannot be described without it.
    pub(super) fn read_optional(&self, rel: &str) -> Result<Option<ServiceFile>, FileProblem> {
        if self.has(rel) {
            self.read(rel).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Reads a file when the service has it; unreadable files are recorded in `problems`.
    pub(super) fn read_if_present(
        &self,
        rel: &str,
        problems: &mut Vec<FileProblem>,
    ) -> Option<ServiceFile> {
        if !self.has(rel) {
            return None;
        }
        self.read(rel).map_err(|p| problems.push(p)).ok()
    }

    fn unreadable(&self, rel: &str, error: &std::io::Error) -> FileProblem {
        FileProblem::new(self.display(rel), format!("cannot read the file: {error}"))
    }

    /// Reads the source files `wanted` selects (by path relative to the service), skipping very
    /// large ones and tests, with their comments blanked out. Files that are not UTF-8 are read
    /// lossily: only names and literals matter here. Unreadable files are recorded in `problems`.
    pub(super) fn sources(
        &self,
        wanted: impl Fn(&str) -> bool,
        problems: &mut Vec<FileProblem>,
    ) -> Vec<ServiceFile> {
        self.files
            .iter()
            .filter(|rel| wanted(rel) && !is_test_file(rel))
            .filter_map(|rel| {
                let path = self.absolute(rel);
                let result = std::fs::metadata(&path).and_then(|meta| {
                    if meta.len() > MAX_SOURCE_BYTES {
                        Ok(None)
                    } else {
                        std::fs::read(&path).map(Some)
                    }
                });
                match result {
                    Ok(Some(bytes)) => Some(ServiceFile {
                        path: self.display(rel),
                        rel: rel.clone(),
                        text: without_comments(rel, &String::from_utf8_lossy(&bytes)),
                    }),
                    Ok(None) => None,
                    Err(error) => {
                        problems.push(self.unreadable(rel, &error));
                        None
                    }
                }
            })
            .collect()
    }
}

/// A source text with its comments blanked, by the syntax of its kind of file.
fn without_comments(rel: &str, text: &str) -> String {
    let syntax = match FileKind::of(rel) {
        FileKind::Python => Syntax::Python,
        FileKind::JavaScript | FileKind::Go | FileKind::Rust | FileKind::Java => Syntax::CLike,
        FileKind::SpringConfig => Syntax::Config,
        FileKind::EnvExample | FileKind::Other => return text.to_string(),
    };
    comments::blank(text, syntax)
}

/// Configuration files of test runners and tools that sit beside the code (`playwright.config.ts`,
/// `vitest.config.ts`): their ports and variables are the tools', not the service's.
const TOOL_CONFIGS: &[&str] = &[
    "playwright.config.",
    "vitest.config.",
    "vitest.workspace.",
    "jest.config.",
    "jest.setup.",
    "cypress.config.",
    "karma.conf.",
    "wdio.conf.",
    "conftest.py",
    "locustfile.py",
    "noxfile.py",
    "setup.py",
];

/// True for test code, and for the code of a service's top-level directories of examples,
/// documentation and scripts: its routes, ports and variables are not the service's. (Deeper
/// down, such a name may be a package of the code: `com/example/`.)
pub(super) fn is_test_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let directories = rel.rsplit_once('/').map_or("", |(dir, _)| dir);
    let top = directories.split('/').next().unwrap_or_default();
    directories.split('/').any(|part| {
        matches!(
            part,
            "__mocks__" | "testdata" | "test" | "tests" | "__tests__" | "e2e"
        )
    }) || (!directories.is_empty()
        && super::service_set::ASIDE.contains(&top.to_ascii_lowercase().as_str()))
        || name.starts_with("test_")
        || name.ends_with("_test.go")
        || name.ends_with("_test.py")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.contains(".stories.")
        || TOOL_CONFIGS.iter().any(|tool| name.starts_with(tool))
}

/// True when `rel` ends with one of the extensions (without dots).
pub(super) fn has_extension(rel: &str, extensions: &[&str]) -> bool {
    rel.rsplit_once('.')
        .is_some_and(|(_, ext)| extensions.iter().any(|e| ext.eq_ignore_ascii_case(e)))
}

/// The `.env.example`-style files that list the variables a service expects: `.env.example`,
/// `.env.sample`, `.env.template`, `.env.dist`, `env.example`, and the variants a project keeps
/// one of per setup (`.env.example.local`, `env-example-relational`, `.env.sample-docker`).
pub(super) fn is_env_example(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.strip_prefix('.').unwrap_or(name);
    [
        "env.example",
        "env.sample",
        "env.template",
        "env.dist",
        "env-example",
        "env-sample",
    ]
    .iter()
    .any(|base| {
        stem.strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-', '_']))
    }) && !has_extension(
        name,
        &["js", "ts", "py", "go", "rs", "json", "md", "yml", "yaml"],
    )
}

/// A file of a service at the project root, for the ecosystems' tests.
#[cfg(test)]
pub(super) fn in_memory(rel: &str, text: &str) -> ServiceFile {
    ServiceFile {
        path: rel.into(),
        rel: rel.into(),
        text: text.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> ServiceFile {
        ServiceFile {
            path: "svc/a.py".into(),
            rel: "a.py".into(),
            text: text.into(),
        }
    }

    #[test]
    fn example_settings_files_go_by_several_names() {
        for name in [
            ".env.example",
            "svc/.env.sample",
            ".env.dist",
            "env.example",
            ".env.example.local",
            "env-example-relational",
            "env-sample_docker",
        ] {
            assert!(is_env_example(name), "{name}");
        }
        for name in [
            ".env",
            "env.example.ts",
            "environment.ts",
            "env-examples.md",
            ".envrc",
        ] {
            assert!(!is_env_example(name), "{name}");
        }
    }

    #[test]
    fn matches_get_their_line() {
        let re = Regex::new(r"port=(\d+)").unwrap();
        let f = file("a\nb\nrun(port=8001)\n");
        let found = f.find_sourced(&re).unwrap();
        assert_eq!(found.value, "8001");
        assert_eq!(found.origin.to_string(), "svc/a.py:3");
        assert_eq!(find_port(&[f], &re).unwrap().value, 8001);
    }

    #[test]
    fn invalid_ports_are_skipped() {
        let re = Regex::new(r"port=(\d+)").unwrap();
        assert!(find_port(&[file("port=99999 port=0")], &re).is_none());
    }

    #[test]
    fn paths_are_normalised() {
        assert_eq!(normalize_relative("./src/ad/"), "src/ad");
        assert_eq!(normalize_relative("./"), ".");
        assert_eq!(normalize_relative("a/../b/Dockerfile"), "b/Dockerfile");
    }

    #[test]
    fn test_files_are_recognised() {
        assert!(is_test_file("tests/test_api.py"));
        assert!(is_test_file("src/app.spec.ts"));
        assert!(is_test_file("main_test.go"));
        assert!(!is_test_file("src/api/main.py"));
        assert!(!is_test_file("src/latest.py"));
        assert!(is_test_file("playwright.config.ts"));
        assert!(is_test_file("extra/healthcheck.js"));
        assert!(is_test_file("scripts/seed.py"));
        assert!(!is_test_file("src/main/java/com/example/App.java"));
    }
}
