//! Generation: prompt rendering, artifact extraction, the lint-guided loop, the builtin generator.
//!
//! [`extract`] takes the files out of a provider's answer and refuses anything unsafe.

pub mod extract;
pub mod prompt;
