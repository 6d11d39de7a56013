//! Generation: prompt rendering, artifact extraction, the lint-guided loop, the builtin generator.

pub mod builtin;
