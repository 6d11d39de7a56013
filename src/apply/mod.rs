//! Staging, review and apply: the only way anything aigen generates is written.
//!
//! [`crate::staging`] keeps generated artifacts with their hashes until a person approves them; [`diff`]
//! shows what would change; [`approve`] asks (or, with `--yes`, does not).

pub mod approve;
pub mod cluster;
pub(crate) mod diff;
pub(crate) mod files;
pub mod review;
pub(crate) mod staged;
pub(crate) mod trace;
