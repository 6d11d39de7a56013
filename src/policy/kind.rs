//! Which files aigen lints, and as what: [`FileKind`] from a file's name and content, and the
//! service a file belongs to ([`service_for_path`]).
//!
//! Dockerfiles are recognised by name (`Dockerfile`, `Containerfile`, `*.Dockerfile`,
//! `Dockerfile.*`); Kubernetes manifests by content (YAML with top-level `apiVersion` and
//! `kind`). A file of another name whose first instruction is `FROM` or `ARG` is a Dockerfile when
//! it is named explicitly or linted from memory.

use std::path::Path;

use super::constitution::Constitution;
use crate::line_index::char_start;

/// Whether the walker picks up Kubernetes manifests. Off until the Kubernetes rules are wired
/// into [`super::lint_text_as`], so manifests are not counted as linted while nothing checks them.
pub(crate) const KUBERNETES_ENABLED: bool = true;

/// What kind of file a path holds, as far as linting goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A Dockerfile or Containerfile.
    Dockerfile,
    /// YAML with Kubernetes objects.
    Kubernetes,
    /// Anything else: not linted.
    Other,
}

impl FileKind {
    /// The kind a file name alone says, or `None` when the content must decide.
    pub(crate) fn from_name(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        if is_dockerfile_name(name) {
            return Some(Self::Dockerfile);
        }
        let lower = name.to_ascii_lowercase();
        // `secret.yaml.example` templates are manifests too: their Secrets count as existing.
        let yaml = lower.strip_suffix(".example").unwrap_or(&lower);
        if yaml.ends_with(".yaml") || yaml.ends_with(".yml") || lower.ends_with(".json") {
            return None;
        }
        Some(Self::Other)
    }

    /// The kind of a file from its name, then its content.
    pub(crate) fn detect(path: &Path, text: &str) -> Self {
        match Self::from_name(path) {
            Some(Self::Other) | None => Self::from_content(text),
            Some(kind) => kind,
        }
    }

    /// The kind content alone says: Kubernetes YAML, a Dockerfile, or other.
    pub(crate) fn from_content(text: &str) -> Self {
        if looks_like_kubernetes(text) {
            Self::Kubernetes
        } else if looks_like_dockerfile(text) {
            Self::Dockerfile
        } else {
            Self::Other
        }
    }
}

/// Why a file is not linted; [`classify`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SkipReason {
    /// It holds NUL bytes: an image, an archive, a compiled file (even one named `dockerfile.png`).
    Binary,
    /// A manifest that is not UTF-8 text (Kubernetes' decoder refuses it too).
    NotUtf8,
    /// YAML without top-level `apiVersion` and `kind`: values files, CI configuration, ...
    NotKubernetesYaml,
    /// JSON without `apiVersion` and `kind`: `package.json`, `tsconfig.json`, ...
    NotKubernetesJson,
    /// Neither its name nor its content says Dockerfile, manifest or chart.
    Unknown,
    /// Nothing but whitespace.
    Empty,
}

impl SkipReason {
    /// The reason as a phrase: "skipped: {reason}".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Binary => "a binary file (it holds NUL bytes)",
            Self::NotUtf8 => "YAML or JSON that is not UTF-8 text",
            Self::NotKubernetesYaml => "YAML without top-level `apiVersion` and `kind`",
            Self::NotKubernetesJson => "JSON that is not a Kubernetes object",
            Self::Unknown => "not a Dockerfile, a Kubernetes manifest or a Helm chart",
            Self::Empty => "an empty file",
        }
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many bytes at the start of a file are looked at for a NUL byte, as git does to tell
/// binary files from text.
const BINARY_SNIFF: usize = 8000;

/// What a file's bytes (byte-order mark removed) will be linted as, or why they are skipped:
/// binary content first (whatever the name), then what the name says (`name_kind`, from
/// [`FileKind::from_name`]), then the content.
pub(crate) fn classify(
    path: &Path,
    name_kind: Option<FileKind>,
    bytes: &[u8],
) -> Result<FileKind, SkipReason> {
    if bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0) {
        // Under a Dockerfile's own name (`Dockerfile`, `api.Dockerfile`) binary content is a
        // broken Dockerfile, reported as such; `Dockerfile.png` is an image.
        let named = path.file_name().and_then(|n| n.to_str());
        return match name_kind {
            Some(FileKind::Dockerfile) if named.is_some_and(is_own_dockerfile_name) => {
                Ok(FileKind::Dockerfile)
            }
            _ => Err(SkipReason::Binary),
        };
    }
    if let Some(kind @ (FileKind::Dockerfile | FileKind::Kubernetes)) = name_kind {
        return Ok(kind);
    }
    let (kind, utf8) = match std::str::from_utf8(bytes) {
        Ok(text) => (FileKind::from_content(text), true),
        Err(_) => (
            FileKind::from_content(&String::from_utf8_lossy(bytes)),
            false,
        ),
    };
    match kind {
        FileKind::Kubernetes if !utf8 => Err(SkipReason::NotUtf8),
        FileKind::Dockerfile | FileKind::Kubernetes => Ok(kind),
        FileKind::Other => Err(unlintable(path, bytes)),
    }
}

/// Why a file that is neither a Dockerfile nor a manifest is skipped, from its name and first
/// character.
fn unlintable(path: &Path, bytes: &[u8]) -> SkipReason {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = name.strip_suffix(".example").unwrap_or(&name);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_none() {
        return SkipReason::Empty;
    }
    if name.ends_with(".json")
        || (name.ends_with(".yaml") || name.ends_with(".yml")) && first == Some(&b'{')
    {
        SkipReason::NotKubernetesJson
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        SkipReason::NotKubernetesYaml
    } else {
        SkipReason::Unknown
    }
}

/// `Dockerfile`, `Containerfile`, `x.Dockerfile`, `Dockerfile.x` (any case of the stem), but not
/// `x.Dockerfile.dockerignore`.
pub(crate) fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".dockerignore") || lower.ends_with(".containerignore") {
        return false;
    }
    ["dockerfile", "containerfile"].iter().any(|stem| {
        if lower == *stem {
            return true;
        }
        if let Some(before) = lower.strip_suffix(stem)
            && before.ends_with('.')
        {
            return true;
        }
        match lower
            .strip_prefix(stem)
            .and_then(|rest| rest.strip_prefix('.'))
        {
            Some(rest) => {
                let extension = rest.rsplit('.').next().unwrap_or(rest);
                !rest.is_empty() && !NOT_DOCKERFILE_EXTENSIONS.contains(&extension)
            }
            None => false,
        }
    })
}

/// `Dockerfile`, `Containerfile`, `x.Dockerfile`: names that are a Dockerfile's whatever follows,
/// unlike `Dockerfile.<anything>`.
fn is_own_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["dockerfile", "containerfile"]
        .iter()
        .any(|stem| lower == *stem || lower.ends_with(&format!(".{stem}")))
}

/// Extensions that make `Dockerfile.<ext>` something else: documentation, data, backups.
const NOT_DOCKERFILE_EXTENSIONS: &[&str] = &[
    "md", "markdown", "txt", "rst", "adoc", "html", "json", "yaml", "yml", "toml", "sh", "py",
    "orig", "rej", "bak", "swp", "lock", "j2", "tpl", "tmpl", "template",
];

/// True when the text holds a Kubernetes object: some line starts (at column 1) with
/// `apiVersion:` and some with `kind:`, or, when the text names both keys elsewhere (flow style
/// after `---`, JSON, a document behind a tag), a document of it is a mapping with both.
pub(crate) fn looks_like_kubernetes(text: &str) -> bool {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    if text.trim_start().starts_with(['{', '[']) && looks_like_json_object(text) {
        return true;
    }
    let mut api_version = false;
    let mut kind = false;
    for line in text.lines().take(2000) {
        api_version |= line.starts_with("apiVersion:");
        kind |= line.starts_with("kind:");
        if api_version && kind {
            return true;
        }
    }
    text.contains("apiVersion")
        && text.contains("kind")
        && super::k8s::yaml_tree::load(text)
            .documents
            .iter()
            .any(|document| {
                let root = &document.root;
                root.get("apiVersion").is_some() && root.get("kind").is_some()
            })
}

/// The byte-order mark some editors put first in a UTF-8 file; every reader of a manifest or a
/// Dockerfile (go-yaml, BuildKit, hadolint) skips it.
pub(crate) const BOM: char = '\u{feff}';

/// True for JSON (or flow-style YAML) holding a Kubernetes object: `apiVersion` and `kind` are
/// keys of it (quoted, as JSON writes them).
fn looks_like_json_object(text: &str) -> bool {
    let head = &text[..char_start(text, 1 << 20)];
    ["apiVersion", "kind"].iter().all(|key| {
        [format!("\"{key}\""), format!("{key}:")]
            .iter()
            .any(|quoted| head.contains(quoted.as_str()))
    })
}

/// True when the first line that is not blank or a comment is a `FROM` or `ARG` instruction.
pub(crate) fn looks_like_dockerfile(text: &str) -> bool {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    text.lines()
        .map(str::trim_start)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .is_some_and(|line| {
            let word = line.split_whitespace().next().unwrap_or("");
            word.eq_ignore_ascii_case("FROM") || word.eq_ignore_ascii_case("ARG")
        })
}

/// The service a file belongs to: a file named after it (`docker/backend.Dockerfile`,
/// `Dockerfile.backend`, `k8s/backend-deployment.yaml`), else the nearest directory named after
/// it (`backend/Dockerfile`). Only services of the constitution count; the longest name wins.
pub fn service_for_path(path: &Path, constitution: &Constitution) -> Option<String> {
    let known = |name: &str| constitution.services.contains_key(name);
    let file_name = path.file_name()?.to_str()?;
    let lower = file_name.to_ascii_lowercase();
    for suffix in [".dockerfile", ".containerfile"] {
        if let Some(stem) = lower.strip_suffix(suffix) {
            let stem = &file_name[..stem.len()];
            if known(stem) {
                return Some(stem.to_string());
            }
        }
    }
    for prefix in ["dockerfile.", "containerfile."] {
        if lower.starts_with(prefix) {
            let rest = &file_name[prefix.len()..];
            if known(rest) {
                return Some(rest.to_string());
            }
        }
    }
    if !is_dockerfile_name(file_name) {
        let stem = file_name.split('.').next().unwrap_or(file_name);
        let best = constitution
            .services
            .keys()
            .filter(|service| {
                stem == service.as_str()
                    || stem
                        .strip_prefix(service.as_str())
                        .is_some_and(|rest| rest.starts_with(['-', '_']))
            })
            .max_by_key(|service| service.len());
        if let Some(service) = best {
            return Some(service.clone());
        }
    }
    path.parent()?
        .ancestors()
        .filter_map(|dir| dir.file_name()?.to_str())
        .find(|dir| known(dir))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfiles_are_known_by_name() {
        for name in [
            "Dockerfile",
            "backend.Dockerfile",
            "Dockerfile.prod",
            "Containerfile",
            "web.dockerfile",
        ] {
            assert!(is_dockerfile_name(name), "{name}");
        }
        for name in [
            "Dockerfile.dockerignore",
            "backend.Dockerfile.dockerignore",
            "docker.md",
        ] {
            assert!(!is_dockerfile_name(name), "{name}");
        }
    }

    #[test]
    fn content_decides_for_yaml_and_unknown_names() {
        let manifest = "# x\napiVersion: v1\nkind: Service\n";
        assert_eq!(
            FileKind::detect(Path::new("svc.yaml"), manifest),
            FileKind::Kubernetes
        );
        assert_eq!(
            FileKind::detect(Path::new("values.yaml"), "a: 1\n"),
            FileKind::Other
        );
        let dockerfile = "# syntax=docker/dockerfile:1\n\nARG V=1\nFROM x:$V\n";
        assert_eq!(
            FileKind::detect(Path::new("build"), dockerfile),
            FileKind::Dockerfile
        );
        assert_eq!(
            FileKind::detect(Path::new("notes.txt"), "hello\n"),
            FileKind::Other
        );
    }

    #[test]
    fn content_decides_what_is_skipped_and_why() {
        use FileKind::{Dockerfile, Kubernetes};
        use SkipReason::*;
        let cases: [(&str, &[u8], Result<FileKind, SkipReason>); 12] = [
            ("dockerfile.png", b"\x89PNG\r\n\x1a\n\0\0", Err(Binary)),
            ("api.Dockerfile", b"FROM x\0", Ok(Dockerfile)),
            ("Dockerfile", b"# caf\xe9\nFROM x:1\n", Ok(Dockerfile)),
            ("build", b"# caf\xe9\nFROM x:1\n", Ok(Dockerfile)),
            ("package.json", b"{\"name\": \"x\"}", Err(NotKubernetesJson)),
            (
                "pod.json",
                b"{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}",
                Ok(Kubernetes),
            ),
            ("values.yaml", b"a: 1\n", Err(NotKubernetesYaml)),
            (
                "pod.yaml",
                b"apiVersion: v1\nkind: Pod\n# \xe9\n",
                Err(NotUtf8),
            ),
            ("notes.txt", b"hello\n", Err(Unknown)),
            ("secret.json", b"\n", Err(Empty)),
            (
                "flow.yaml",
                b"# a Pod\n---\n{apiVersion: v1, kind: Pod}\n",
                Ok(Kubernetes),
            ),
            (
                "tagged.yaml",
                b"--- !!map\n  apiVersion: v1\n  kind: Pod\n",
                Ok(Kubernetes),
            ),
        ];
        for (name, bytes, expected) in cases {
            let path = Path::new(name);
            assert_eq!(
                classify(path, FileKind::from_name(path), bytes),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn services_come_from_names_then_directories() {
        let constitution = Constitution::preset().unwrap();
        let service = |p: &str| service_for_path(Path::new(p), &constitution);
        assert_eq!(
            service("docker/backend.Dockerfile").as_deref(),
            Some("backend")
        );
        assert_eq!(
            service("Dockerfile.frontend-web").as_deref(),
            Some("frontend-web")
        );
        assert_eq!(
            service("apps/frontend-chatbot/Dockerfile").as_deref(),
            Some("frontend-chatbot")
        );
        assert_eq!(
            service("k8s/frontend-web-service.yaml").as_deref(),
            Some("frontend-web")
        );
        assert_eq!(service("docker/tools.Dockerfile"), None);
    }
}
