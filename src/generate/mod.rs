//! Generation: prompt rendering, artifact extraction, the lint-guided loop, the builtin generator.
//!
//! [`prompt`] renders the templates; [`extract`] takes the files out of a provider's answer and
//! refuses anything unsafe; [`builtin`] is the offline generator that answers from the Service
//! model.

pub mod builtin;
pub mod constitution_text;
pub mod extract;
pub mod jobs;
pub mod params;
pub mod pipeline;
pub mod prompt;
