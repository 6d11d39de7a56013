//! Staging, review and apply: the only way anything aigen generates is written.
//!
//! [`staging`] keeps generated artifacts with their hashes until a person approves them.

pub mod staging;
