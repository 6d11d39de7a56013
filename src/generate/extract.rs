//! Artifact extraction: the files a provider's answer contains, and the checks they pass before
//! anything else looks at them.
//!
//! An answer is Markdown. Each fenced code block is a candidate file; its name comes from the info
//! string (```` ```yaml title=k8s/backend-deployment.yaml ````, `path=`, `file=`, or
//! `yaml:k8s/x.yaml`) or from the line just above the block (`**k8s/x.yaml**`, `` `x.yaml` ``,
//! `File: x.yaml`). When exactly one file is expected, one unnamed block is that file.
//!
//! Nothing the model says may write outside the targets it was asked for: absolute names, `..`,
//! names not among the expected targets and paths that pass through a symlink out of the project
//! are errors, as are answers with no usable file, a block cut off before its closing fence, and a
//! block of the wrong kind (YAML where a Dockerfile was expected). Start at [`extract`].

use std::fmt;
use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::fsutil::{UnsafeTarget, check_lexically, escapes_through_symlink};
use crate::staging::Artifact;

/// What the caller asked for: the files that may be produced.
#[derive(Debug, Clone, Default)]
pub(crate) struct Expected {
    /// Exact target paths (relative to the project root).
    pub targets: Vec<String>,
    /// Directories any file under which may be produced (a Helm chart's directory).
    pub directories: Vec<String>,
    /// Files the answer may add although they were not asked for (the `.dockerignore` a reviewed
    /// Dockerfile lacks). They never stand in for an unnamed block.
    pub optional: Vec<String>,
}

impl Expected {
    /// Exactly these files.
    pub(crate) fn files(targets: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            targets: targets.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    fn allows(&self, path: &str) -> bool {
        self.targets.iter().chain(&self.optional).any(|t| t == path)
            || self
                .directories
                .iter()
                .any(|d| path.starts_with(&format!("{}/", d.trim_end_matches('/'))))
    }
}

/// Why an answer could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExtractError {
    /// No fenced block could be matched to an expected file.
    NoArtifact { expected: Vec<String> },
    /// A block is not closed: the answer was cut off.
    Truncated { line: usize },
    /// A block names an absolute path.
    AbsolutePath { path: String, line: usize },
    /// A block names a path with `..`.
    ParentPath { path: String, line: usize },
    /// A block names a file that was not asked for.
    NotATarget { path: String, line: usize },
    /// A block's path goes through a symlink, or is one, that leads out of the project.
    Symlink { path: String, line: usize },
    /// A block's content is not the kind of file its target needs.
    WrongKind {
        path: String,
        line: usize,
        expected: &'static str,
        reason: String,
    },
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoArtifact { expected } => write!(
                f,
                "the answer has no usable file (expected a fenced code block for {})",
                expected.join(", ")
            ),
            Self::Truncated { line } => write!(
                f,
                "the answer was cut off: the code block opened at line {line} is never closed"
            ),
            Self::AbsolutePath { path, line } => write!(
                f,
                "line {line}: refusing `{path}`: absolute paths are never written"
            ),
            Self::ParentPath { path, line } => write!(
                f,
                "line {line}: refusing `{path}`: paths with `..` are never written"
            ),
            Self::NotATarget { path, line } => write!(
                f,
                "line {line}: refusing `{path}`: it is not one of the files that were asked for"
            ),
            Self::Symlink { path, line } => write!(
                f,
                "line {line}: refusing `{path}`: it goes through a symlink that leads outside the project"
            ),
            Self::WrongKind {
                path,
                line,
                expected,
                reason,
            } => write!(
                f,
                "line {line}: `{path}` should be {expected}, but {reason}"
            ),
        }
    }
}

impl std::error::Error for ExtractError {}

/// A fenced code block of the answer.
#[derive(Debug)]
struct Block {
    /// The info string after the opening fence.
    info: String,
    content: String,
    /// 1-based line of the opening fence.
    line: usize,
    /// The text before the block, to find a file name written above it.
    preceding_line: Option<String>,
}

/// Takes the expected files out of `answer`. `root` is the project root, used to refuse paths
/// that go through symlinks leading outside it.
pub(crate) fn extract(
    answer: &str,
    expected: &Expected,
    root: &Path,
) -> Result<Vec<Artifact>, ExtractError> {
    let blocks = fenced_blocks(answer)?;
    let mut artifacts: Vec<(Artifact, usize)> = Vec::new();
    let mut unnamed: Vec<&Block> = Vec::new();
    for block in &blocks {
        match block_path(block) {
            Some(path) => {
                let path = check_path(&path, block.line, expected, root)?;
                push(&mut artifacts, path, block);
            }
            None => unnamed.push(block),
        }
    }
    if artifacts.is_empty() {
        // One expected file and one block: the block is that file. Otherwise the language tag may
        // single out one expected file (a `dockerfile` block when one Dockerfile is expected).
        let single = match (expected.targets.as_slice(), unnamed.as_slice()) {
            ([target], [block]) => Some((target.clone(), *block)),
            _ => None,
        };
        let chosen: Vec<(String, &Block)> = match single {
            Some(pair) => vec![pair],
            None => unnamed
                .iter()
                .filter_map(|block| by_language(block, expected).map(|t| (t, *block)))
                .collect(),
        };
        for (target, block) in chosen {
            let path = check_path(&target, block.line, expected, root)?;
            push(&mut artifacts, path, block);
        }
    }
    if artifacts.is_empty() {
        return Err(ExtractError::NoArtifact {
            expected: expected
                .targets
                .iter()
                .cloned()
                .chain(expected.directories.iter().map(|d| format!("{d}/...")))
                .collect(),
        });
    }
    for (artifact, line) in &artifacts {
        check_kind(artifact, *line)?;
    }
    Ok(artifacts.into_iter().map(|(a, _)| a).collect())
}

/// Adds a block as an artifact; a later block for the same path replaces an earlier one, as a
/// model that repeats a file means its last version.
fn push(artifacts: &mut Vec<(Artifact, usize)>, path: String, block: &Block) {
    let mut content = block.content.clone();
    if !content.ends_with('\n') {
        content.push('\n');
    }
    artifacts.retain(|(a, _)| a.path != path);
    artifacts.push((Artifact { path, content }, block.line));
}

fn fenced_blocks(answer: &str) -> Result<Vec<Block>, ExtractError> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for (event, range) in Parser::new(answer).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let line = answer[..range.start].matches('\n').count() + 1;
                if !is_closed(&answer[range.clone()]) {
                    return Err(ExtractError::Truncated { line });
                }
                current = Some(Block {
                    info: info.trim().to_string(),
                    content: String::new(),
                    line,
                    preceding_line: answer[..range.start]
                        .lines()
                        .rev()
                        .find(|l| !l.trim().is_empty())
                        .map(str::to_string),
                });
            }
            Event::Text(text) => {
                if let Some(block) = current.as_mut() {
                    block.content.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    Ok(blocks)
}

/// Whether a fenced block's source ends with a closing fence as long as its opening one.
fn is_closed(source: &str) -> bool {
    let mut lines = source.lines();
    let Some(opening) = lines.next().map(str::trim_start) else {
        return false;
    };
    let fence_char = opening.chars().next().unwrap_or('`');
    let fence_len = opening.chars().take_while(|c| *c == fence_char).count();
    let Some(last) = source.lines().rev().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    if source.lines().filter(|l| !l.trim().is_empty()).count() < 2 {
        return false;
    }
    let last = last.trim();
    last.chars().all(|c| c == fence_char) && last.len() >= fence_len
}

const NAME_KEYS: &[&str] = &["title", "file", "filename", "path", "name"];

/// The file name a block gives itself, in its info string or on the line above it.
fn block_path(block: &Block) -> Option<String> {
    let mut tokens = block.info.split_whitespace();
    if let Some(first) = tokens.next()
        && let Some((_, path)) = first.split_once(':')
        && looks_like_path(path)
    {
        return Some(path.to_string());
    }
    for token in block.info.split_whitespace() {
        if let Some((key, value)) = token.split_once('=')
            && NAME_KEYS.contains(&key.to_ascii_lowercase().as_str())
        {
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            if !value.is_empty() {
                return Some(value.to_string());
            }
        }
    }
    let above = block.preceding_line.as_deref()?.trim();
    let above = above
        .trim_start_matches('#')
        .trim()
        .trim_start_matches(|c: char| c == '-' || c == '*' || c.is_ascii_digit() || c == '.')
        .trim();
    let above = ["File:", "file:", "Path:", "path:", "Filename:"]
        .iter()
        .find_map(|p| above.strip_prefix(p))
        .unwrap_or(above)
        .trim()
        .trim_end_matches(':')
        .trim_matches(|c| c == '*' || c == '`' || c == '"')
        .trim();
    (looks_like_path(above) && !above.contains(' ')).then(|| above.to_string())
}

fn looks_like_path(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/~\\".contains(c))
        && (text.contains('.') || text.contains('/') || text.ends_with("Dockerfile"))
}

/// The expected target an unnamed block's language singles out, if exactly one fits.
fn by_language(block: &Block, expected: &Expected) -> Option<String> {
    let language = block
        .info
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let fits = |target: &String| match language.as_str() {
        "dockerfile" | "docker" | "containerfile" => is_dockerfile(target),
        "dockerignore" | "gitignore" | "ignore" => target.ends_with(".dockerignore"),
        "yaml" | "yml" => target.ends_with(".yaml") || target.ends_with(".yml"),
        _ => false,
    };
    let mut candidates = expected.targets.iter().filter(|t| fits(t));
    match (candidates.next(), candidates.next()) {
        (Some(only), None) => Some(only.clone()),
        _ => None,
    }
}

/// Normalises a block's path and refuses the unsafe ones.
fn check_path(
    raw: &str,
    line: usize,
    expected: &Expected,
    root: &Path,
) -> Result<String, ExtractError> {
    let raw = raw.replace('\\', "/");
    match check_lexically(&raw) {
        Err(UnsafeTarget::Absolute) => return Err(ExtractError::AbsolutePath { path: raw, line }),
        Err(_) => return Err(ExtractError::ParentPath { path: raw, line }),
        Ok(()) => {}
    }
    let normal: Vec<&str> = raw
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let normal = normal.join("/");
    if !expected.allows(&normal) {
        return Err(ExtractError::NotATarget { path: normal, line });
    }
    if escapes_through_symlink(root, &normal) {
        return Err(ExtractError::Symlink { path: normal, line });
    }
    Ok(normal)
}

fn is_dockerfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "Dockerfile"
        || name == "Containerfile"
        || name.ends_with(".Dockerfile")
        || name.starts_with("Dockerfile.")
}

/// Refuses content that is plainly not what the target needs.
fn check_kind(artifact: &Artifact, line: usize) -> Result<(), ExtractError> {
    let path = &artifact.path;
    let content = &artifact.content;
    let wrong = |expected: &'static str, reason: &str| ExtractError::WrongKind {
        path: path.clone(),
        line,
        expected,
        reason: reason.to_string(),
    };
    if path.ends_with(".dockerignore") {
        if has_instruction(content, "FROM") || content.contains("apiVersion:") {
            return Err(wrong(
                "a .dockerignore file",
                "the block holds a Dockerfile or a manifest",
            ));
        }
    } else if is_dockerfile(path) {
        if !has_instruction(content, "FROM") {
            return Err(wrong("a Dockerfile", "the block has no FROM instruction"));
        }
    } else if (path.ends_with(".yaml") || path.ends_with(".yml")) && !path.contains("/templates/") {
        if has_instruction(content, "FROM") && !content.contains(':') {
            return Err(wrong("YAML", "the block holds a Dockerfile"));
        }
        if let Err(error) = <saphyr::Yaml as saphyr::LoadableYamlNode>::load_from_str(content) {
            return Err(wrong("YAML", &format!("it does not parse: {error}")));
        }
    }
    Ok(())
}

/// Whether a line of `content` starts with the Dockerfile instruction `keyword`.
fn has_instruction(content: &str, keyword: &str) -> bool {
    content.lines().any(|line| {
        let line = line.trim_start();
        line.len() > keyword.len()
            && line[..keyword.len()].eq_ignore_ascii_case(keyword)
            && line[keyword.len()..].starts_with(char::is_whitespace)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::builtin::{GeneratedFile, render_answer};

    fn root() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    const DOCKERFILE: &str = "FROM python:3.13-slim\nCMD [\"python\"]\n";

    #[test]
    fn named_blocks_in_info_strings_and_above() {
        let answer = format!(
            "Here you go.\n\n```dockerfile title=docker/api.Dockerfile\n{DOCKERFILE}```\n\n**docker/api.Dockerfile.dockerignore**\n```\n.git\n```\n"
        );
        let expected = Expected::files([
            "docker/api.Dockerfile",
            "docker/api.Dockerfile.dockerignore",
        ]);
        let root = root();
        let files = extract(&answer, &expected, root.path()).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].path, "docker/api.Dockerfile");
        assert_eq!(files[0].content, DOCKERFILE);
        assert_eq!(files[1].content, ".git\n");
    }

    #[test]
    fn one_block_for_one_expected_file() {
        let answer = format!("```\n{DOCKERFILE}```\n");
        let root = root();
        let files = extract(&answer, &Expected::files(["Dockerfile"]), root.path()).unwrap();
        assert_eq!(files[0].path, "Dockerfile");
    }

    #[test]
    fn language_picks_the_single_fitting_target() {
        let answer = format!("```dockerfile\n{DOCKERFILE}```\n\n```text\nnotes\n```\n");
        let expected = Expected::files(["d/x.Dockerfile", "d/x.Dockerfile.dockerignore"]);
        let root = root();
        let files = extract(&answer, &expected, root.path()).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, "d/x.Dockerfile");
    }

    #[test]
    fn unsafe_and_unexpected_paths_are_refused() {
        let root = root();
        let expected = Expected::files(["k8s/a.yaml"]);
        let cases = [
            ("/etc/passwd", "absolute"),
            ("../outside.yaml", ".."),
            ("k8s/other.yaml", "not one of the files"),
        ];
        for (path, needle) in cases {
            let answer = format!("```yaml title={path}\na: 1\n```\n");
            let error = extract(&answer, &expected, root.path()).unwrap_err();
            assert!(error.to_string().contains(needle), "{path}: {error}");
        }
    }

    #[test]
    fn truncated_answers_are_refused() {
        let answer = "```yaml title=k8s/a.yaml\napiVersion: v1\nkind: Service\n";
        let root = root();
        let error = extract(answer, &Expected::files(["k8s/a.yaml"]), root.path()).unwrap_err();
        assert_eq!(error, ExtractError::Truncated { line: 1 });
    }

    #[test]
    fn wrong_kinds_are_refused() {
        let root = root();
        let answer = "```dockerfile title=Dockerfile\napiVersion: v1\nkind: Pod\n```\n";
        let error = extract(answer, &Expected::files(["Dockerfile"]), root.path()).unwrap_err();
        assert!(matches!(error, ExtractError::WrongKind { .. }), "{error}");
        let answer = "```yaml title=k8s/a.yaml\nkey: [unclosed\n```\n";
        let error = extract(answer, &Expected::files(["k8s/a.yaml"]), root.path()).unwrap_err();
        assert!(error.to_string().contains("does not parse"), "{error}");
    }

    #[test]
    fn no_block_is_no_artifact() {
        let root = root();
        let error = extract(
            "I cannot help with that.",
            &Expected::files(["Dockerfile"]),
            root.path(),
        )
        .unwrap_err();
        assert!(matches!(error, ExtractError::NoArtifact { .. }));
    }

    #[test]
    fn optional_files_are_allowed_but_never_stand_in_for_an_unnamed_block() {
        let root = root();
        let expected = Expected {
            optional: vec!["docker/.dockerignore".into()],
            ..Expected::files(["docker/api.Dockerfile"])
        };
        let unnamed = "```\nFROM python:3.13-slim\n```\n";
        let files = extract(unnamed, &expected, root.path()).unwrap();
        assert_eq!(files[0].path, "docker/api.Dockerfile");
        let named = "```dockerfile title=docker/api.Dockerfile\nFROM python:3.13-slim\n```\n\
                     ```gitignore title=docker/.dockerignore\n.git\n```\n";
        let files = extract(named, &expected, root.path()).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[1].path, "docker/.dockerignore");
    }

    #[test]
    fn chart_directories_allow_any_file_under_them() {
        let root = root();
        let expected = Expected {
            optional: Vec::new(),
            targets: vec![],
            directories: vec!["helm-charts/app".into()],
        };
        let answer = "```yaml title=helm-charts/app/templates/x.yaml\n{{ .Values.x }}\n```\n";
        let files = extract(answer, &expected, root.path()).unwrap();
        assert_eq!(files[0].path, "helm-charts/app/templates/x.yaml");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_project_are_refused() {
        let root = root();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("k8s")).unwrap();
        let answer = "```yaml title=k8s/a.yaml\na: 1\n```\n";
        let error = extract(answer, &Expected::files(["k8s/a.yaml"]), root.path()).unwrap_err();
        assert!(matches!(error, ExtractError::Symlink { .. }), "{error}");
    }

    #[test]
    fn longer_fences_hold_shorter_ones() {
        let root = root();
        let answer = "````markdown title=docs/a.md\n```sh\nls\n```\n````\n";
        let files = extract(answer, &Expected::files(["docs/a.md"]), root.path()).unwrap();
        assert_eq!(files[0].content, "```sh\nls\n```\n");
    }

    #[test]
    fn builtin_answers_round_trip_through_extraction() {
        let files = vec![
            GeneratedFile::new("docker/api.Dockerfile", "FROM python:3.13-slim\n"),
            GeneratedFile::new("docker/api.Dockerfile.dockerignore", ".git\n"),
            GeneratedFile::new("docs/x.md", "```sh\nls\n```\n"),
        ];
        let answer = render_answer(&files);
        let expected = Expected::files(files.iter().map(|f| f.path.clone()));
        let root = tempfile::tempdir().unwrap();
        let extracted = extract(&answer, &expected, root.path()).unwrap();
        let back: Vec<_> = extracted
            .into_iter()
            .map(|a| GeneratedFile::new(a.path, a.content))
            .collect();
        assert_eq!(back, files);
    }
}
