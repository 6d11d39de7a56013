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

pub mod apply;
pub mod generate;
pub mod history;
pub mod inspect;

/// Every tool; the writing ones are removed when the server does not allow them.
pub fn router() -> ToolRouter<Server> {
    Server::inspect_router()
        + Server::history_router()
        + Server::generate_router()
        + Server::apply_router()
}

/// The output schema of a tool: `T`'s JSON schema, without the `format` of integers
/// (`uint`, `uint32`), which JSON Schema does not define and validators warn about.
pub fn output_schema<T: JsonSchema + std::any::Any>() -> Arc<JsonObject> {
    let mut schema = (*rmcp::handler::server::tool::schema_for_output::<T>()).clone();
    strip_integer_formats(&mut schema);
    Arc::new(schema)
}

fn strip_integer_formats(object: &mut JsonObject) {
    let integer = object.get("type").is_some_and(|t| match t {
        serde_json::Value::String(t) => t == "integer",
        serde_json::Value::Array(types) => types.iter().any(|t| t == "integer"),
        _ => false,
    });
    if integer {
        object.remove("format");
    }
    for value in object.values_mut() {
        strip_values(value);
    }
}

fn strip_values(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(object) => strip_integer_formats(object),
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_values),
        _ => {}
    }
}

/// A path a client named for reading, checked to stay inside the project root
/// ([`fsutil::check_read`]) and made absolute.
pub fn readable(path: &str, root: &std::path::Path) -> Result<PathBuf> {
    fsutil::check_read(path, root).map_err(|why| outside(path, why))?;
    Ok(root.join(path))
}

/// A target a client named for writing, checked as every write checks it
/// ([`fsutil::check_target`]).
pub fn writable(path: &str, root: &std::path::Path) -> Result<String> {
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
