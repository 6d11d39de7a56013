//! A small YAML writer for the manifests, values files and chart templates the generator emits.
//!
//! Objects are built as [`Yaml`] trees and written in the block style `kubectl` users read every
//! day: two-space indentation, sequence items indented under their key, comments above the entry
//! they explain. Strings are written as [`crate::yaml_scalar`] says: plain when YAML readers
//! read them back as the same string, double-quoted otherwise, so `"1.0"`, `"true"` or `"on"`
//! never turn into a number or a boolean. Writing cannot fail: a tree always has a text.
//!
//! Two node kinds exist for Helm templates only: [`Yaml::Raw`] (a template expression written as
//! is) and [`Yaml::Block`] (an expression that renders a whole block, written as
//! `{{- toYaml ... | nindent N }}` with the right `N`).

use crate::yaml_scalar::scalar;

/// One YAML node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Yaml {
    Str(String),
    Int(i64),
    Bool(bool),
    Map(Map),
    Seq(Vec<Yaml>),
    /// Written verbatim where a scalar would be (`{{ $svc.replicas }}`).
    Raw(String),
    /// A Helm expression that renders a block (`toYaml $svc.resources`), written on the line
    /// below its key.
    Block(String),
}

/// A mapping that keeps its keys in insertion order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Map {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    key: String,
    value: Yaml,
    comment: Option<String>,
}

impl Map {
    /// An empty mapping.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds an entry.
    pub(crate) fn with(mut self, key: &str, value: impl Into<Yaml>) -> Self {
        self.push(key, value);
        self
    }

    /// Adds an entry with a comment written above it.
    pub(crate) fn with_comment(mut self, key: &str, comment: &str, value: impl Into<Yaml>) -> Self {
        self.entries.push(Entry {
            key: key.to_string(),
            value: value.into(),
            comment: Some(comment.to_string()),
        });
        self
    }

    /// Adds an entry, with a comment above it when `comment` is `Some`.
    pub(crate) fn with_comment_opt(
        self,
        key: &str,
        comment: Option<String>,
        value: impl Into<Yaml>,
    ) -> Self {
        match comment {
            Some(comment) => self.with_comment(key, &comment, value),
            None => self.with(key, value),
        }
    }

    /// Adds an entry when `value` is `Some`.
    pub(crate) fn with_opt(self, key: &str, value: Option<impl Into<Yaml>>) -> Self {
        match value {
            Some(value) => self.with(key, value),
            None => self,
        }
    }

    /// Adds an entry in place.
    pub(crate) fn push(&mut self, key: &str, value: impl Into<Yaml>) {
        self.entries.push(Entry {
            key: key.to_string(),
            value: value.into(),
            comment: None,
        });
    }

    /// Whether the mapping has no entries.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl From<&str> for Yaml {
    fn from(value: &str) -> Self {
        Self::Str(value.to_string())
    }
}

impl From<String> for Yaml {
    fn from(value: String) -> Self {
        Self::Str(value)
    }
}

impl From<&String> for Yaml {
    fn from(value: &String) -> Self {
        Self::Str(value.clone())
    }
}

impl From<u32> for Yaml {
    fn from(value: u32) -> Self {
        Self::Int(i64::from(value))
    }
}

impl From<u16> for Yaml {
    fn from(value: u16) -> Self {
        Self::Int(i64::from(value))
    }
}

impl From<bool> for Yaml {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<Map> for Yaml {
    fn from(value: Map) -> Self {
        Self::Map(value)
    }
}

impl From<Vec<Yaml>> for Yaml {
    fn from(value: Vec<Yaml>) -> Self {
        Self::Seq(value)
    }
}

/// A whole document: `header` as comment lines (may be empty), then the node.
pub(crate) fn document(header: &str, node: &Yaml) -> String {
    let mut out = String::new();
    comment_lines(&mut out, header, 0);
    match node {
        Yaml::Map(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Yaml::Seq(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        other => {
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
    out
}

fn comment_lines(out: &mut String, text: &str, indent: usize) {
    for line in text.lines() {
        push_indent(out, indent);
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn write_map(out: &mut String, map: &Map, indent: usize) {
    for entry in &map.entries {
        if let Some(comment) = &entry.comment {
            comment_lines(out, comment, indent);
        }
        push_indent(out, indent);
        out.push_str(&scalar(&entry.key));
        out.push(':');
        write_value(out, &entry.value, indent);
    }
}

/// Writes what follows `key:` (or `-`): a scalar on the same line, or a block below.
fn write_value(out: &mut String, value: &Yaml, indent: usize) {
    match value {
        Yaml::Map(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, indent + 2);
        }
        Yaml::Seq(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, indent + 2);
        }
        Yaml::Block(expr) => {
            out.push('\n');
            push_indent(out, indent + 2);
            out.push_str(&format!("{{{{- {expr} | nindent {} }}}}\n", indent + 2));
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, items: &[Yaml], indent: usize) {
    for item in items {
        match item {
            Yaml::Map(map) if !map.is_empty() => {
                // A comment on the item's first entry goes above the dash; the first entry's
                // line then carries the dash in place of its indentation.
                let mut map = map.clone();
                if let Some(comment) = map.entries[0].comment.take() {
                    comment_lines(out, &comment, indent);
                }
                let mut block = String::new();
                write_map(&mut block, &map, indent + 2);
                push_indent(out, indent);
                out.push_str("- ");
                out.push_str(&block[indent + 2..]);
            }
            Yaml::Seq(inner) if !inner.is_empty() => {
                let mut block = String::new();
                write_seq(&mut block, inner, indent + 2);
                push_indent(out, indent);
                out.push_str("- ");
                out.push_str(&block[indent + 2..]);
            }
            other => {
                push_indent(out, indent);
                out.push('-');
                write_value(out, other, indent);
            }
        }
    }
}

/// A node that fits on one line.
fn inline(node: &Yaml) -> String {
    match node {
        Yaml::Str(text) => scalar(text).into_owned(),
        Yaml::Int(value) => value.to_string(),
        Yaml::Bool(value) => value.to_string(),
        Yaml::Raw(text) => text.clone(),
        Yaml::Map(_) => "{}".to_string(),
        Yaml::Seq(_) => "[]".to_string(),
        Yaml::Block(expr) => format!("{{{{ {expr} }}}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_kubectl_style_blocks() {
        let node = Yaml::Map(
            Map::new()
                .with("apiVersion", "v1")
                .with_comment(
                    "spec",
                    "The pod.",
                    Map::new().with(
                        "containers",
                        vec![Yaml::Map(
                            Map::new()
                                .with("name", "web")
                                .with("args", vec![Yaml::from("a"), Yaml::from("b c")])
                                .with(
                                    "ports",
                                    vec![Yaml::Map(Map::new().with("containerPort", 3000u16))],
                                ),
                        )],
                    ),
                )
                .with("empty", Map::new())
                .with("none", Vec::<Yaml>::new()),
        );
        let text = document("Header.", &node);
        let expected = "\
# Header.
apiVersion: v1
# The pod.
spec:
  containers:
    - name: web
      args:
        - a
        - b c
      ports:
        - containerPort: 3000
empty: {}
none: []
";
        assert_eq!(text, expected);
    }

    #[test]
    fn block_expressions_get_their_indentation() {
        let node = Yaml::Map(Map::new().with(
            "spec",
            Map::new().with("resources", Yaml::Block("toYaml $svc.resources".into())),
        ));
        assert_eq!(
            document("", &node),
            "spec:\n  resources:\n    {{- toYaml $svc.resources | nindent 4 }}\n"
        );
    }
}
