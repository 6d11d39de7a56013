//! Prompt History Records: the audit trail of every AI exchange, approval and apply.
//!
//! Records are Markdown files in the Spec-Kit Plus PHR format under `history/prompts/`, so
//! existing tooling and reviewers read them as they are; aigen adds its own data under one
//! front-matter key, `aigen:`, including the fields of a hash chain that makes any edit,
//! deletion, insertion, reordering or truncation of the trail detectable.
//!
//! Where to start:
//! - writing: [`Store::open`] then [`Store::append`] with a [`NewRecord`];
//! - reading: [`Store::records`], [`Store::find`], and [`Record`] for the fields;
//! - checking: [`verify::verify`] (and [`relink::relink`] after merging branches);
//! - every text is redacted by the store's [`crate::secrets::Redactor`] before it is written;
//! - [`query`] (filters, search, stats, export) and [`report`] (the HTML page) serve
//!   `aigen history`.
//!
//! The modules, one concern each: [`naming`] (stages, routes, IDs, file names),
//! [`front_matter`] (reading front matter), [`record`] (render and parse), [`new`] (building a
//! record), [`chain`] (hashes and the chain analysis), [`head`] (the head file), [`store`]
//! (lock, atomic append, reading), [`ids`] (the ID cache), [`git`] (branch and user),
//! [`validate`] (the Spec-Kit format checks), [`verify`], [`relink`], [`query`],
//! [`report`].

pub mod chain;
pub mod front_matter;
pub(crate) mod git;
pub(crate) mod head;
pub(crate) mod ids;
pub(crate) mod naming;
pub(crate) mod new;
pub mod query;
pub mod record;
pub(crate) mod relink;
pub(crate) mod report;
pub(crate) mod store;
pub(crate) mod validate;
pub mod verify;

pub use naming::Stage;
pub use new::{NewRecord, Notes};
pub use record::{
    Artifact, Client, Links, Meta, Outcome, Record, Reference, Relation, Surface, Template, Tokens,
};
pub use store::{Appended, Entry, Store, Trail};
