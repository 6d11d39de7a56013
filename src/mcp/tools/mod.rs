//! The tools, one file per group: what they take (a struct per tool, its JSON schema the
//! tool's input schema, unknown fields refused), what they give (a struct per tool for the
//! output schema) and the work, which calls what the command line calls.
//!
//! - [`inspect`]: `detect`, `lint`, `explain_rule`, `list_rules`, `constitution`, `check`,
//!   `staged` (read-only);
//! - [`history`]: `history_list`, `history_show`, `history_verify` (read-only);
//! - [`generate`]: `generate_dockerfile`, `generate_manifests`, `generate_chart`, `review`
//!   (they write only under `generated/` and to the trail);
//! - [`apply`]: `apply`, `apply_cluster` (with `--allow-apply` only, each call confirmed).

use std::path::PathBuf;
use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::JsonObject;
use schemars::JsonSchema;

use super::server::Server;
use crate::error::{Error, Result};
use crate::fsutil::{self, UnsafeTarget};

pub(crate) mod apply;
pub(crate) mod generate;
pub(crate) mod history;
pub(crate) mod inspect;

/// Every tool; the writing ones are removed when the server does not allow them.
pub(crate) fn router() -> ToolRouter<Server> {
    Server::inspect_router()
        + Server::history_router()
        + Server::generate_router()
        + Server::apply_router()
}

/// A JSON object, for output fields whose shape is the command line's JSON (detection, records,
/// job reports): declared as an object, not left open.
pub(crate) type Object = serde_json::Map<String, serde_json::Value>;

/// `value` as a JSON object (what `--format json` prints for it).
pub(crate) fn object(value: &impl serde::Serialize) -> Result<Object> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(object)) => Ok(object),
        Ok(other) => Err(Error::usage(format!("expected a JSON object, got {other}"))),
        Err(e) => Err(Error::usage(format!("cannot encode JSON: {e}"))),
    }
}

/// The input schema of a tool: `T`'s JSON schema, made portable ([`portable`]).
pub(crate) fn input_schema<T: JsonSchema + std::any::Any>() -> Arc<JsonObject> {
    // The argument types are structs, so their schemas are objects; a unit test builds every
    // tool's schema.
    let schema = rmcp::handler::server::tool::schema_for_input::<T>()
        .unwrap_or_else(|e| panic!("the input schema of {}: {e}", std::any::type_name::<T>()));
    Arc::new(portable((*schema).clone()))
}

/// The output schema of a tool: `T`'s JSON schema, made portable ([`portable`]).
pub(crate) fn output_schema<T: JsonSchema + std::any::Any>() -> Arc<JsonObject> {
    let schema = rmcp::handler::server::tool::schema_for_output::<T>();
    Arc::new(portable((*schema).clone()))
}

/// A schema in the form every client reads (the MCP Inspector's `--strict` check): a nullable
/// field is `anyOf: [{"type": T, ...}, {"type": "null"}]` rather than `"type": [T, "null"]`,
/// and integers carry no `format` (`uint`, `uint32`), which JSON Schema does not define.
pub(crate) fn portable(mut schema: JsonObject) -> JsonObject {
    rewrite(&mut schema);
    schema
}

/// Keywords that describe a property rather than constrain its value; they stay outside the
/// `anyOf` of a nullable one.
const ANNOTATIONS: [&str; 5] = ["description", "title", "default", "examples", "deprecated"];

fn rewrite(object: &mut JsonObject) {
    let nullable = match object.get("type") {
        Some(serde_json::Value::Array(types)) if types.len() == 2 => {
            let mut others = types.iter().filter(|t| *t != "null");
            match (others.next(), others.next()) {
                (Some(other), None) => Some(other.clone()),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some(kind) = nullable {
        object.remove("type");
        let mut branch = JsonObject::new();
        branch.insert("type".into(), kind);
        let moved: Vec<String> = object
            .keys()
            .filter(|k| !ANNOTATIONS.contains(&k.as_str()))
            .cloned()
            .collect();
        for key in moved {
            if let Some(value) = object.remove(&key) {
                branch.insert(key, value);
            }
        }
        object.insert(
            "anyOf".into(),
            serde_json::json!([branch, { "type": "null" }]),
        );
    }
    if object.get("type").is_some_and(|t| t == "integer") {
        object.remove("format");
    }
    for value in object.values_mut() {
        rewrite_value(value);
    }
}

fn rewrite_value(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(object) => rewrite(object),
        serde_json::Value::Array(items) => items.iter_mut().for_each(rewrite_value),
        _ => {}
    }
}

/// A path a client named for reading, checked to stay inside the project root
/// ([`fsutil::check_read`]) and made absolute.
pub(crate) fn readable(path: &str, root: &std::path::Path) -> Result<PathBuf> {
    fsutil::check_read(path, root).map_err(|why| outside(path, why))?;
    Ok(root.join(path))
}

/// A target a client named for writing, checked as every write checks it
/// ([`fsutil::check_target`]).
pub(crate) fn writable(path: &str, root: &std::path::Path) -> Result<String> {
    fsutil::check_target(path, root).map_err(|why| outside(path, why))?;
    Ok(path.to_string())
}

fn outside(path: &str, why: UnsafeTarget) -> Error {
    let why = match why {
        UnsafeTarget::Absolute => "it is absolute",
        UnsafeTarget::Parent => "it has a `..` component",
        UnsafeTarget::Symlink => "it leads outside the project through a symlink",
    };
    Error::usage_with_hint(
        format!("`{path}` is refused: {why}; only paths inside the project are read or written"),
        "name files relative to the project root, without `..`",
    )
}
