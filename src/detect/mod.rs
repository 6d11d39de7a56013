//! Stack detection: finds the services of a repository and builds the [`Service`] model that every
//! generator works from.
//!
//! A service is a directory with a manifest (`pyproject.toml`, `requirements.txt`, `Pipfile`,
//! `package.json`, `go.mod`, `Cargo.toml`, `pom.xml`, `build.gradle`). Each ecosystem has a module
//! of its own; each fact carries its [`Origin`]. A manifest that cannot be read becomes a
//! [`Problem`] and the other services are still detected.

use std::path::Path;

use crate::config::Config;

mod model;

pub use model::{
    Detection, EnvVar, Framework, FrameworkKind, Language, Origin, PackageManager, Problem,
    Service, ServiceClass, Sourced,
};

/// Detects the services under `root`, with the services declared in `config` taking precedence.
pub fn detect(root: &Path, config: &Config) -> Detection {
    let _ = (root, config);
    Detection::default()
}
