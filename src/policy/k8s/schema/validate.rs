//! Walking an object's YAML tree beside its schema: every node that the API server's strict
//! decoding would reject is a [`Problem`], with the node it is about and the path to it
//! (`spec.template.spec.containers[0].imagePullPolcy`).
//!
//! A null (`key:`, `~`, `null`) is an unset field and always passes, as it does for the API
//! server. Scalars are typed as Kubernetes' YAML decoder types them: a plain `8000` is a number,
//! a quoted `"8000"` a string.

use std::fmt::{self, Write as _};

use super::catalog::Catalog;
use super::model::{Extra, ObjectShape, Schema, Shape, ShapeId};
use crate::policy::k8s::yaml_tree::{Data, Node};

/// What is wrong with a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A key the type has no field for.
    UnknownField,
    /// A value of the wrong type (a string where a number belongs, a list for an object).
    WrongType,
    /// A required field that is not set.
    Missing,
    /// A value outside the ones an enumerated field takes.
    NotAllowed,
}

/// One problem: its class, the node it is about and what to say.
#[derive(Debug, Clone)]
pub(crate) struct Problem<'n> {
    pub class: Class,
    /// The node to point at: the unknown key, the wrongly typed value, the key of the object
    /// that misses a field.
    pub node: &'n Node,
    pub message: String,
    /// A suggestion (`did you mean ...`), when there is one.
    pub help: Option<String>,
}

/// The problems of an object of a built-in kind; `None` when its `apiVersion` and `kind` have
/// no schema in the catalog.
pub(crate) fn problems<'n>(
    catalog: &Catalog,
    api_version: &str,
    kind: &str,
    object: &'n Node,
) -> Option<Vec<Problem<'n>>> {
    let root = catalog.root(api_version, kind)?;
    let mut walk = Walk {
        schema: catalog.schema(),
        path: Vec::new(),
        problems: Vec::new(),
    };
    let at = object.get("kind").unwrap_or(object);
    walk.node(root, object, at);
    Some(walk.problems)
}

/// One step of the path to a node.
#[derive(Debug, Clone, Copy)]
enum Step<'n> {
    Key(&'n str),
    Index(usize),
}

struct Walk<'s, 'n> {
    schema: &'s Schema,
    path: Vec<Step<'n>>,
    problems: Vec<Problem<'n>>,
}

/// The path to a node, for messages.
struct Path<'p, 'n>(&'p [Step<'n>]);

impl fmt::Display for Path<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(key) if index == 0 => f.write_str(key)?,
                Step::Key(key) => write!(f, ".{key}")?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

impl<'n> Walk<'_, 'n> {
    /// Checks `node` against shape `id`; `at` is where a missing field is reported (the key
    /// holding the node).
    fn node(&mut self, id: ShapeId, node: &'n Node, at: &'n Node) {
        if node.is_null() {
            return;
        }
        match self.schema.get(id) {
            Shape::Any => {}
            Shape::Object(object) => match &node.data {
                Data::Map(entries) => {
                    for entry in entries.iter() {
                        self.field(
                            object,
                            entry.key.as_str().unwrap_or(""),
                            &entry.key,
                            &entry.value,
                        );
                    }
                    self.required(object, node, at);
                }
                _ => self.wrong_type(node, "an object"),
            },
            Shape::Map(values) => match &node.data {
                Data::Map(entries) => {
                    for entry in entries.iter() {
                        self.path.push(Step::Key(entry.key.as_str().unwrap_or("")));
                        self.node(*values, &entry.value, &entry.key);
                        self.path.pop();
                    }
                }
                _ => self.wrong_type(node, "an object"),
            },
            Shape::Array(items) => match &node.data {
                Data::Seq(list) => {
                    for (index, item) in list.iter().enumerate() {
                        self.path.push(Step::Index(index));
                        self.node(*items, item, item);
                        self.path.pop();
                    }
                }
                _ => self.wrong_type(node, "a list"),
            },
            Shape::String(values) => match node.as_string() {
                None => self.wrong_type(node, "a string"),
                Some(text) => {
                    if let Some(values) = values
                        && !values.iter().any(|value| &**value == text)
                    {
                        self.not_allowed(node, text, values);
                    }
                }
            },
            Shape::Integer { bits } => match node.as_int() {
                Some(value) if *bits == 32 && i32::try_from(value).is_err() => {
                    let message = format!(
                        "`{}` is {value}, more than a 32-bit integer holds",
                        Path(&self.path)
                    );
                    self.push(Class::WrongType, node, message, None);
                }
                Some(_) => {}
                None => self.wrong_type(node, "an integer"),
            },
            Shape::Number => {
                if node.as_f64().is_none() {
                    self.wrong_type(node, "a number");
                }
            }
            Shape::Boolean => {
                if node.as_bool().is_none() {
                    self.wrong_type(node, "`true` or `false`");
                }
            }
            Shape::IntOrString => {
                if !matches!(node.data, Data::Scalar(_)) || node.as_bool().is_some() {
                    self.wrong_type(node, "an integer or a string");
                }
            }
            Shape::Quantity => {
                if !matches!(node.data, Data::Scalar(_)) || node.as_bool().is_some() {
                    self.wrong_type(node, "a quantity (`250m`, `1Gi`, `2`)");
                }
            }
        }
    }

    /// Checks one key of an object and its value.
    fn field(&mut self, object: &ObjectShape, key: &'n str, key_node: &'n Node, value: &'n Node) {
        self.path.push(Step::Key(key));
        match (object.field(key), object.extra) {
            (Some(id), _) => self.node(id, value, key_node),
            (None, Extra::Anything) => {}
            (None, Extra::Values(id)) => self.node(id, value, key_node),
            (None, Extra::Nothing) => {
                let owner = if object.name.is_empty() {
                    String::new()
                } else {
                    format!(" of {}", object.name)
                };
                let message = format!("`{}` is not a field{owner}", Path(&self.path));
                let help = closest(key, object.field_names())
                    .map(|name| format!("did you mean `{name}`?"));
                self.push(Class::UnknownField, key_node, message, help);
            }
        }
        self.path.pop();
    }

    /// Reports the required fields an object does not set.
    fn required(&mut self, object: &ObjectShape, node: &'n Node, at: &'n Node) {
        for field in object.required.iter() {
            if node.get(field).is_none() {
                let mut message = String::from("`");
                if !self.path.is_empty() {
                    let _ = write!(message, "{}.", Path(&self.path));
                }
                let _ = write!(message, "{field}` is required");
                if !object.name.is_empty() {
                    let _ = write!(message, " in {}", object.name);
                }
                self.push(Class::Missing, at, message, None);
            }
        }
    }

    fn wrong_type(&mut self, node: &'n Node, expected: &str) {
        let message = format!(
            "`{}` is {}; {expected} is expected here",
            Path(&self.path),
            described(node)
        );
        self.push(Class::WrongType, node, message, None);
    }

    fn not_allowed(&mut self, node: &'n Node, text: &str, values: &[Box<str>]) {
        let shown: String = text.chars().take(40).collect();
        let listed: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        let message = format!(
            "`{}` is `{shown}`, not one of {}",
            Path(&self.path),
            listed.join(", ")
        );
        let help = closest(text, values.iter().map(|v| &**v))
            .map(|value| format!("did you mean `{value}`?"));
        self.push(Class::NotAllowed, node, message, help);
    }

    fn push(&mut self, class: Class, node: &'n Node, message: String, help: Option<String>) {
        self.problems.push(Problem {
            class,
            node,
            message,
            help,
        });
    }
}

/// What a node is, in words (`a list`, `the string "8000"`).
fn described(node: &Node) -> String {
    match &node.data {
        Data::Map(_) => "an object".into(),
        Data::Seq(_) => "a list".into(),
        Data::Scalar(scalar) => {
            let text: String = scalar.text().chars().take(40).collect();
            if !scalar.plain() || node.as_string().is_some() {
                format!("the string `{text:?}`")
            } else if node.as_bool().is_some() {
                format!("the boolean `{text}`")
            } else {
                format!("the number `{text}`")
            }
        }
    }
}

/// The candidate nearest to `word`: the same but for case, or within two edits (one for short
/// words).
pub(crate) fn closest<'c>(
    word: &str,
    candidates: impl Iterator<Item = &'c str>,
) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .map(|candidate| {
            let distance = if candidate.to_ascii_lowercase() == lower {
                0
            } else {
                strsim::damerau_levenshtein(word, candidate)
            };
            (distance, candidate)
        })
        .filter(|&(distance, candidate)| distance <= if candidate.len() > 5 { 2 } else { 1 })
        .min()
        .map(|(_, candidate)| candidate)
}
