//! Kubernetes manifests against the constitution.
//!
//! [`yaml`] loads manifests into span-preserving trees.
pub mod quantity;
pub mod yaml;
