//! Compiling a JSON schema into the compact [`Schema`] validation walks.
//!
//! Two kinds of JSON schema come here: the definitions `k8s-openapi` generates for the built-in
//! types (through its `schemars` implementations: `$ref`s to named definitions, `type`,
//! `properties`, `required`, `additionalProperties`, `items`, `x-kubernetes-int-or-string`,
//! descriptions), and the `openAPIV3Schema` of a CustomResourceDefinition (the same keywords,
//! inline, plus `enum`, `nullable`, `x-kubernetes-preserve-unknown-fields` and the combinators
//! `allOf`/`anyOf`/`oneOf`, which validation does not follow: such a node accepts anything).
//!
//! An object with `properties` is closed unless it says otherwise (`additionalProperties`,
//! `x-kubernetes-preserve-unknown-fields`): the API server's strict field validation rejects a
//! field its Go type does not have, and so does `kubectl apply --validate=strict` for a custom
//! resource. An object with neither properties nor additional properties is free-form.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::enums;
use super::model::{ANY, Extra, ObjectShape, Schema, Shape, ShapeId, field_order};

/// The definition `k8s-openapi` names resource quantities with.
const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";

/// Compiles JSON schemas into one arena, resolving `$ref`s to `definitions` (each definition
/// compiled once, recursive ones included).
pub(super) struct Compiler<'d> {
    schema: Schema,
    definitions: &'d Map<String, Value>,
    compiled: HashMap<String, ShapeId>,
}

impl<'d> Compiler<'d> {
    /// A compiler resolving `#/$defs/<name>` references in `definitions`.
    pub(super) fn new(definitions: &'d Map<String, Value>) -> Self {
        Self {
            schema: Schema::new(),
            definitions,
            compiled: HashMap::new(),
        }
    }

    /// Compiles one schema; its shape's id.
    pub(super) fn compile(&mut self, value: &Value) -> ShapeId {
        self.node(value, "")
    }

    /// The arena.
    pub(super) fn finish(self) -> Schema {
        self.schema
    }

    fn node(&mut self, value: &Value, name: &str) -> ShapeId {
        let Some(map) = value.as_object() else {
            // `true` (or anything that is not an object) accepts everything.
            return ANY;
        };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            return self.reference(reference);
        }
        let shape = self.shape(map, name);
        self.schema.push(shape)
    }

    fn reference(&mut self, reference: &str) -> ShapeId {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        if let Some(&id) = self.compiled.get(name) {
            return id;
        }
        if name == QUANTITY {
            let id = self.schema.push(Shape::Quantity);
            self.compiled.insert(name.to_string(), id);
            return id;
        }
        let Some(definition) = self.definitions.get(name).and_then(Value::as_object) else {
            return ANY;
        };
        // Reserve the id first: the definition may refer to itself (JSONSchemaProps).
        let id = self.schema.push(Shape::Any);
        self.compiled.insert(name.to_string(), id);
        let short = name.rsplit('.').next().unwrap_or(name);
        let shape = self.shape(definition, short);
        self.schema.set(id, shape);
        id
    }

    fn shape(&mut self, map: &Map<String, Value>, name: &str) -> Shape {
        let flag = |key: &str| map.get(key).and_then(Value::as_bool) == Some(true);
        if flag("x-kubernetes-int-or-string") {
            return Shape::IntOrString;
        }
        if ["allOf", "anyOf", "oneOf", "not"]
            .iter()
            .any(|k| map.contains_key(*k))
        {
            return Shape::Any;
        }
        let preserve = flag("x-kubernetes-preserve-unknown-fields");
        match type_of(map) {
            Some("object") | None if map.contains_key("properties") => {
                self.object(map, name, preserve)
            }
            Some("object") => match map.get("additionalProperties") {
                Some(values @ Value::Object(_)) => Shape::Map(self.node(values, "")),
                _ => Shape::Any,
            },
            Some("array") => {
                let items = map.get("items").map_or(ANY, |items| self.node(items, ""));
                Shape::Array(items)
            }
            Some("string") => Shape::String(string_values(map)),
            Some("integer") => Shape::Integer {
                bits: if map.get("format").and_then(Value::as_str) == Some("int32") {
                    32
                } else {
                    64
                },
            },
            Some("number") => Shape::Number,
            Some("boolean") => Shape::Boolean,
            _ => Shape::Any,
        }
    }

    fn object(&mut self, map: &Map<String, Value>, name: &str, preserve: bool) -> Shape {
        let mut fields: Vec<(Box<str>, ShapeId)> = Vec::new();
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            for (field, schema) in properties {
                let id = self.node(schema, "");
                fields.push((field.as_str().into(), id));
            }
        }
        fields.sort_by(|a, b| field_order(&a.0, &b.0));
        let required = map
            .get("required")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .map(Into::into)
                    .collect()
            })
            .unwrap_or_default();
        let extra = if preserve {
            Extra::Anything
        } else {
            match map.get("additionalProperties") {
                Some(Value::Bool(true)) => Extra::Anything,
                Some(values @ Value::Object(_)) => Extra::Values(self.node(values, "")),
                _ => Extra::Nothing,
            }
        };
        Shape::Object(Box::new(ObjectShape {
            name: name.into(),
            fields: fields.into_boxed_slice(),
            required,
            extra,
        }))
    }
}

/// The `type` of a schema (the first that is not `null` when it lists several).
fn type_of(map: &Map<String, Value>) -> Option<&str> {
    match map.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
    }
}

/// The values of an enumerated string: `enum` (custom resources), else the description's list.
fn string_values(map: &Map<String, Value>) -> Option<Box<[Box<str>]>> {
    if let Some(list) = map.get("enum").and_then(Value::as_array) {
        let values: Vec<Box<str>> = list
            .iter()
            .filter_map(Value::as_str)
            .map(Into::into)
            .collect();
        return (!values.is_empty()).then(|| values.into_boxed_slice());
    }
    let description = map.get("description").and_then(Value::as_str)?;
    enums::from_description(description)
        .map(|values| values.into_iter().map(String::into_boxed_str).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn definitions_compile_once_and_may_refer_to_themselves() {
        let definitions = json!({
            "io.x.Node": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/io.x.Node"}},
                    "size": {"$ref": "#/$defs/io.k8s.apimachinery.pkg.api.resource.Quantity"},
                    "port": {"x-kubernetes-int-or-string": true},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "raw": {"type": "object"}
                },
                "required": ["name"]
            }
        });
        let definitions = definitions.as_object().unwrap();
        let mut compiler = Compiler::new(definitions);
        let root = compiler.compile(&json!({"$ref": "#/$defs/io.x.Node"}));
        let again = compiler.compile(&json!({"$ref": "#/$defs/io.x.Node"}));
        assert_eq!(root, again);
        let schema = compiler.finish();
        let Shape::Object(object) = schema.get(root) else {
            panic!("{:?}", schema.get(root));
        };
        assert_eq!(&*object.name, "Node");
        assert_eq!(&*object.required, [Box::<str>::from("name")]);
        let children = object.field("children").unwrap();
        assert_eq!(schema.get(children), &Shape::Array(root));
        let field = |name: &str| schema.get(object.field(name).unwrap());
        assert_eq!(field("size"), &Shape::Quantity);
        assert_eq!(field("port"), &Shape::IntOrString);
        assert!(matches!(field("labels"), Shape::Map(_)));
        assert_eq!(field("raw"), &Shape::Any);
    }

    #[test]
    fn custom_resource_schemas_keep_their_keywords() {
        let definitions = Map::new();
        let mut compiler = Compiler::new(&definitions);
        let root = compiler.compile(&json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": true,
                    "properties": {"size": {"type": "integer", "format": "int32"}}
                },
                "mode": {"type": "string", "enum": ["fast", "safe"]},
                "either": {"anyOf": [{"type": "integer"}, {"type": "string"}]}
            }
        }));
        let schema = compiler.finish();
        let Shape::Object(object) = schema.get(root) else {
            panic!();
        };
        let Shape::Object(spec) = schema.get(object.field("spec").unwrap()) else {
            panic!();
        };
        assert_eq!(spec.extra, Extra::Anything);
        assert_eq!(
            schema.get(spec.field("size").unwrap()),
            &Shape::Integer { bits: 32 }
        );
        assert_eq!(
            schema.get(object.field("mode").unwrap()),
            &Shape::String(Some(vec!["fast".into(), "safe".into()].into()))
        );
        assert_eq!(schema.get(object.field("either").unwrap()), &Shape::Any);
    }
}
