//! The resources a client can read: the constitution (`aigen://constitution`), each record of
//! the trail (`aigen://history/<directory>/<id>`, the record file as written) and each staged
//! file (`aigen://staged/<target>`, its bytes as staged, refused if they changed since). Every
//! text is redacted; a URI that names nothing is a `resource not found` error.

use rmcp::ErrorData as McpError;
use rmcp::model::{
    ListResourceTemplatesResult, ListResourcesResult, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate,
};

use super::server::Shared;
use super::tools::writable;
use crate::error::Error;
use crate::fsutil;
use crate::phr::Store;
use crate::printer::error_text;
use crate::settings::{Flags, Settings};
use crate::staging::Staging;

/// The constitution.
pub(crate) const CONSTITUTION: &str = "aigen://constitution";
/// Records of the trail, by reference.
pub(crate) const HISTORY: &str = "aigen://history/";
/// Staged files, by target.
pub(crate) const STAGED: &str = "aigen://staged/";

/// Every resource there is now: the constitution, each record, each staged file.
pub(crate) fn list(shared: &Shared) -> Result<ListResourcesResult, McpError> {
    let settings = settings(shared)?;
    let mut resources = vec![
        Resource::new(CONSTITUTION, "constitution")
            .with_description("The constitution the project is linted against")
            .with_mime_type("application/yaml"),
    ];
    let store = Store::open(&settings.history_root()).map_err(|e| failure(shared, e))?;
    let trail = store.front_matter(None).map_err(|e| failure(shared, e))?;
    for entry in &trail.entries {
        let reference = entry.reference();
        resources.push(
            Resource::new(format!("{HISTORY}{reference}"), reference)
                .with_description(shared.redactor.redact_string(&entry.record.title))
                .with_mime_type("text/markdown"),
        );
    }
    let staging = Staging::new(settings.staging_dir());
    for entry in staging.entries().map_err(|e| failure(shared, e))? {
        resources.push(
            Resource::new(format!("{STAGED}{}", entry.target), entry.target.clone())
                .with_description(format!(
                    "staged for review (lint: {}; from {})",
                    entry.lint,
                    entry.record.as_deref().unwrap_or("no record")
                ))
                .with_mime_type("text/plain"),
        );
    }
    Ok(ListResourcesResult::with_all_items(resources))
}

/// The URI templates of records and staged files.
pub(crate) fn templates() -> ListResourceTemplatesResult {
    ListResourceTemplatesResult::with_all_items(vec![
        ResourceTemplate::new(format!("{HISTORY}{{reference}}"), "history record")
            .with_description("A record of the trail, by reference (`general/0001`)")
            .with_mime_type("text/markdown"),
        ResourceTemplate::new(format!("{STAGED}{{target}}"), "staged file")
            .with_description("A staged file, by the path it will be written to")
            .with_mime_type("text/plain"),
    ])
}

/// The text of one resource.
pub(crate) fn read(shared: &Shared, uri: &str) -> Result<ReadResourceResult, McpError> {
    let settings = settings(shared)?;
    let (text, mime) = if uri == CONSTITUTION {
        let constitution = crate::policy::Constitution::load_configured(&settings.policy)
            .map_err(|e| failure(shared, e))?;
        let text = constitution.text().map_err(|e| failure(shared, e))?;
        (text, "application/yaml")
    } else if let Some(reference) = uri.strip_prefix(HISTORY) {
        let store = Store::open(&settings.history_root()).map_err(|e| failure(shared, e))?;
        let entry = store
            .find(reference)
            .map_err(|e| not_found(shared, uri, e))?;
        let text = fsutil::read_to_string(&entry.file.path).map_err(|e| failure(shared, e))?;
        shared.redactor.learn(&text);
        (text, "text/markdown")
    } else if let Some(target) = uri.strip_prefix(STAGED) {
        let target = writable(target, &settings.root).map_err(|e| failure(shared, e))?;
        let staging = Staging::new(settings.staging_dir());
        let entries = staging
            .select(std::slice::from_ref(&target))
            .map_err(|e| not_found(shared, uri, e))?;
        let bytes = entries
            .first()
            .map(|entry| staging.read(entry))
            .transpose()
            .map_err(|e| failure(shared, e))?
            .unwrap_or_default();
        (String::from_utf8_lossy(&bytes).into_owned(), "text/plain")
    } else {
        return Err(McpError::resource_not_found(
            format!(
                "{uri}: no such resource (aigen's are {CONSTITUTION}, {HISTORY}<reference> and {STAGED}<target>)"
            ),
            None,
        ));
    };
    let text = shared.redactor.redact_string(&text);
    Ok(ReadResourceResult::new(vec![
        ResourceContents::text(text, uri).with_mime_type(mime),
    ]))
}

fn settings(shared: &Shared) -> Result<Settings, McpError> {
    shared
        .settings(&Flags::default())
        .map_err(|e| failure(shared, e))
}

/// An error reading a resource, with the command line's text, redacted.
fn failure(shared: &Shared, error: Error) -> McpError {
    McpError::invalid_params(text(shared, error), None)
}

fn not_found(shared: &Shared, uri: &str, error: Error) -> McpError {
    McpError::resource_not_found(format!("{uri}: {}", text(shared, error)), None)
}

fn text(shared: &Shared, error: Error) -> String {
    error_text(&shared.redactor.redact_error(error), false)
        .trim_end()
        .to_string()
}
