//! Generation: jobs, prompt rendering, artifact extraction and the lint-guided loop.
//!
//! [`jobs`] says what to generate for which services; [`prompt`] renders the templates;
//! [`pipeline`] runs a job against a provider, round after round, until the files lint clean;
//! [`extract`] takes the files out of a provider's answer and refuses anything unsafe;
//! [`builtin_params`] turns the constitution into the builtin generator's parameters.

pub mod builtin_params;
pub(crate) mod constitution_text;
pub(crate) mod extract;
pub(crate) mod jobs;
pub mod pipeline;
pub(crate) mod prompt;
