//! Loading manifests: multi-document YAML (or JSON) files into objects that remember where they
//! came from.
//!
//! [`Manifests::load`] reads files and directories the way `kubectl apply -f` does (a directory
//! contributes its `.yaml`, `.yml` and `.json` files, not its subdirectories);
//! [`Manifests::add_text`] takes text already in memory, such as a staged file whose hash was
//! checked. Every document must name `apiVersion`, `kind` and `metadata.name`; one that does not is
//! refused with its file, document number and line. `kind: List` documents are expanded into their
//! items. A `Secret` that comes from a `*.example` file is a template with placeholder values, so
//! it is set aside in [`Manifests::skipped`] and never sent to a cluster.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use serde_saphyr::Spanned;

#[cfg(test)]
use super::object::split_api_version;
use crate::error::{Error, Location, Result};
use crate::fsutil;

/// Where an object was written: its file, the document's number in the file (1-based, counting
/// documents that hold something) and the line the document starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub path: PathBuf,
    pub document: usize,
    pub line: usize,
    pub column: usize,
}

impl Source {
    /// The source as an error location.
    pub(crate) fn location(&self) -> Location {
        Location::at(&self.path, self.line, self.column)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} (document {})",
            self.path.display(),
            self.line,
            self.document
        )
    }
}

/// What an object is, as written in its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// `metadata.namespace` as written; `None` when the manifest leaves it to the apply.
    pub namespace: Option<String>,
}

impl ObjectKey {
    #[cfg(test)]
    /// The API group (empty for the core group).
    pub(crate) fn group(&self) -> &str {
        split_api_version(&self.api_version).0
    }

    #[cfg(test)]
    /// The version part of `apiVersion`.
    pub(crate) fn version(&self) -> &str {
        split_api_version(&self.api_version).1
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(namespace) => write!(f, "{} {namespace}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// One object from a manifest file.
#[derive(Clone)]
pub struct Manifest {
    key: ObjectKey,
    source: Source,
    object: Value,
}

impl Manifest {
    /// What the object is.
    pub(crate) fn key(&self) -> &ObjectKey {
        &self.key
    }

    /// Where it was written.
    pub(crate) fn source(&self) -> &Source {
        &self.source
    }

    /// The object as written. For a `Secret` this holds real values: never print it.
    pub(crate) fn object(&self) -> &Value {
        &self.object
    }
}

// Hand-written so that a Secret's values cannot reach a log line through `{:?}`.
impl fmt::Debug for Manifest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Manifest")
            .field("key", &self.key)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// An object that was read but will not be applied, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub key: ObjectKey,
    pub source: Source,
    pub reason: String,
}

/// The objects to apply, in the order they were read, and the ones set aside.
#[derive(Debug, Clone, Default)]
pub struct Manifests {
    pub objects: Vec<Manifest>,
    pub skipped: Vec<Skipped>,
}

const MANIFEST_EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

impl Manifests {
    /// Reads manifest files, and the manifest files directly inside directories (sorted by name).
    pub fn load(paths: &[PathBuf]) -> Result<Self> {
        let mut manifests = Self::default();
        for path in paths {
            if path.is_dir() {
                for file in manifest_files_in(path)? {
                    manifests.add_file(&file)?;
                }
            } else {
                manifests.add_file(path)?;
            }
        }
        Ok(manifests)
    }

    /// Reads one file.
    pub(crate) fn add_file(&mut self, path: &Path) -> Result<()> {
        let text = fsutil::read_to_string(path)?;
        self.add_text(path, &text)
    }

    /// Parses manifest text that was read from `path` (used for locations and the `*.example`
    /// rule). Nothing is added when any document is refused.
    pub(crate) fn add_text(&mut self, path: &Path, text: &str) -> Result<()> {
        let documents: Vec<Spanned<Value>> = serde_saphyr::from_multiple(text).map_err(|e| {
            let location = e.location().map_or_else(
                || Location::file(path),
                |l| Location::at(path, l.line() as usize, l.column() as usize),
            );
            // Without the snippet: the offending line may hold a Secret's value.
            Error::input(location, format!("not valid YAML: {}", e.without_snippet()))
        })?;
        let example = is_example(path);
        let mut objects = Vec::new();
        let mut skipped = Vec::new();
        for (index, document) in documents.into_iter().enumerate() {
            let source = Source {
                path: path.to_path_buf(),
                document: index + 1,
                line: document.referenced.line() as usize,
                column: document.referenced.column() as usize,
            };
            for object in expand_list(document.value, &source)? {
                let key = object_key(&object, &source)?;
                if example && key.kind == "Secret" {
                    skipped.push(Skipped {
                        key,
                        source: source.clone(),
                        reason: "a Secret from a `*.example` file is a template with placeholder values; create the real Secret yourself".to_string(),
                    });
                } else {
                    objects.push(Manifest {
                        key,
                        source: source.clone(),
                        object,
                    });
                }
            }
        }
        self.objects.extend(objects);
        self.skipped.extend(skipped);
        Ok(())
    }

    /// Refuses the same object written twice: the second apply would silently win.
    pub(crate) fn check_duplicates(&self) -> Result<()> {
        let mut seen: HashMap<&ObjectKey, &Source> = HashMap::new();
        for manifest in &self.objects {
            if let Some(first) = seen.insert(&manifest.key, &manifest.source) {
                return Err(Error::input(
                    manifest.source.location(),
                    format!(
                        "{} is also defined at {first}; keep one of them",
                        manifest.key
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn manifest_files_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("read directory", dir, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| Error::io("read directory", dir, e))?
            .path();
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| MANIFEST_EXTENSIONS.contains(&e));
        if wanted && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn is_example(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".example"))
}

/// A `kind: List` document stands for its items.
fn expand_list(document: Value, source: &Source) -> Result<Vec<Value>> {
    let is_list = document.get("kind").and_then(Value::as_str) == Some("List");
    if !is_list {
        return Ok(vec![document]);
    }
    match document.get("items") {
        Some(Value::Array(items)) => Ok(items.clone()),
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(_) => Err(Error::input(
            source.location(),
            format!(
                "document {}: `items` of a List must be a sequence",
                source.document
            ),
        )),
    }
}

fn object_key(object: &Value, source: &Source) -> Result<ObjectKey> {
    let refuse = |what: &str| {
        Error::input(
            source.location(),
            format!(
                "document {} is not a Kubernetes object: {what}",
                source.document
            ),
        )
    };
    if !object.is_object() {
        return Err(refuse(
            "expected a mapping with apiVersion, kind and metadata",
        ));
    }
    // Missing, or present but not a non-empty string: each gets its own words.
    let text = |value: Option<&Value>, field: &str, missing: &str| match value {
        None | Some(Value::Null) => Err(refuse(&format!("`{field}` is missing{missing}"))),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(_) => Err(refuse(&format!("`{field}` must be a non-empty string"))),
    };
    let api_version = text(object.get("apiVersion"), "apiVersion", "")?;
    let kind = text(object.get("kind"), "kind", "")?;
    let metadata = object.get("metadata");
    let name = text(
        metadata.and_then(|m| m.get("name")),
        "metadata.name",
        " (server-side apply needs a name; `generateName` is not enough)",
    )?;
    let namespace = match metadata.and_then(|m| m.get("namespace")) {
        None | Some(Value::Null) => None,
        value => Some(text(value, "metadata.namespace", "")?),
    };
    Ok(ObjectKey {
        api_version,
        kind,
        name,
        namespace,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str, text: &str) -> Result<Manifests> {
        let mut manifests = Manifests::default();
        manifests.add_text(Path::new(path), text)?;
        Ok(manifests)
    }

    #[test]
    fn documents_keep_their_file_number_and_line() {
        let text = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: shop}
---
# a comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: b
";
        let manifests = parse("k8s/app.yaml", text).unwrap();
        let keys: Vec<String> = manifests
            .objects
            .iter()
            .map(|m| m.key().to_string())
            .collect();
        assert_eq!(keys, ["ConfigMap shop/a", "Deployment b"]);
        let second = manifests.objects[1].source();
        assert_eq!(second.document, 2);
        assert_eq!(second.line, 6);
        assert_eq!(manifests.objects[1].key().group(), "apps");
        assert_eq!(manifests.objects[0].key().version(), "v1");
    }

    #[test]
    fn a_document_without_a_name_is_refused_with_its_place() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  labels: {}\n";
        let error = parse("svc.yaml", text).unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("svc.yaml:5:1: document 2"), "{message}");
        assert!(message.contains("metadata.name"), "{message}");
    }

    #[test]
    fn missing_kind_and_api_version_are_named() {
        let error = parse("a.yaml", "kind: ConfigMap\nmetadata: {name: a}\n").unwrap_err();
        assert!(error.to_string().contains("`apiVersion` is missing"));
        let error = parse("a.yaml", "apiVersion: v1\nmetadata: {name: a}\n").unwrap_err();
        assert!(error.to_string().contains("`kind` is missing"));
        let error = parse("a.yaml", "apiVersion: v1\nkind: 3\nmetadata: {name: a}\n").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`kind` must be a non-empty string")
        );
        let error = parse("a.yaml", "- just\n- a list\n").unwrap_err();
        assert!(error.to_string().contains("expected a mapping"));
    }

    #[test]
    fn broken_yaml_names_the_place_without_echoing_the_line() {
        let text = "apiVersion: v1\nkind: Secret\nstringData:\n  password: \"hunter2-secret\n";
        let error = parse("secret.yaml", text).unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("secret.yaml:"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[test]
    fn secrets_from_example_files_are_set_aside() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: change-me}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
        let manifests = parse("k8s/secret.yaml.example", text).unwrap();
        assert_eq!(manifests.objects.len(), 1);
        assert_eq!(manifests.objects[0].key().kind, "ConfigMap");
        assert_eq!(manifests.skipped.len(), 1);
        assert_eq!(manifests.skipped[0].key.to_string(), "Secret db");
        assert!(!format!("{manifests:?}").contains("change-me"));

        let real = parse("k8s/secret.yaml", text).unwrap();
        assert_eq!(real.objects.len(), 2);
        assert!(!format!("{real:?}").contains("change-me"));
    }

    #[test]
    fn lists_are_expanded_and_duplicates_refused() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n";
        let manifests = parse("list.yaml", text).unwrap();
        assert_eq!(manifests.objects.len(), 2);
        let error = manifests.check_duplicates().unwrap_err();
        assert!(
            error
                .to_string()
                .contains("ConfigMap a is also defined at list.yaml:1")
        );
    }

    #[test]
    fn directories_contribute_their_manifest_files_only() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("b.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
        )
        .unwrap();
        fs::write(
            dir.path().join("a.yml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        )
        .unwrap();
        fs::write(dir.path().join("notes.md"), "# not a manifest\n").unwrap();
        let manifests = Manifests::load(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<&str> = manifests
            .objects
            .iter()
            .map(|m| m.key().name.as_str())
            .collect();
        assert_eq!(names, ["a", "b"]);
    }
}
