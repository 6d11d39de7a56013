//! The `builtin` provider: aigen's offline generator of Dockerfiles, `.dockerignore` files,
//! Kubernetes manifests and a Helm chart, written deterministically from the detected [`Service`]
//! model, and [`Builtin`], which puts it behind the same interface as the models ([`adapter`]).
//!
//! Generation uses the generator directly too: the files it would write are the targets a model
//! is asked for. Start with the three entry points, [`dockerfile`], [`manifests`] and [`helm_chart`] (and
//! [`generate_all`], which calls the three for a set of services). Each takes
//! the services and the [`Params`] (every number and name the output depends on, from the
//! project's constitution) and returns [`GeneratedFile`]s: paths relative to the project
//! root and their contents. Nothing here touches the file system; the same input always gives the
//! same bytes.
//!
//! Layout:
//! - [`adapter`]: [`Builtin`], answering a [`crate::provider::Request`] from its task;
//! - [`params`]: the numbers and names;
//! - `facts`: what is derived from one service and shared by all outputs (names, role and port,
//!   probe paths, base images, writable directories, image reference, nodePorts);
//! - [`images`]: base images by language, version and family (also what `aigen init` writes
//!   into the constitution it derives);
//! - `docker`: the Dockerfile model and one module per stack (Python, Node, Go, Rust, Java),
//!   the health checks, and the `.dockerignore`;
//! - `k8s`: one module per Kubernetes object; the same builders write the plain manifests and the
//!   chart's templates, so the two always agree;
//! - `helm`: the chart's files around those templates (Chart.yaml, values files, helpers, NOTES);
//! - `yaml` and `quote`: the writers that make every string come back as itself.

pub(crate) mod adapter;
mod docker;
mod facts;
mod helm;
pub mod images;
mod k8s;
pub(crate) mod params;
mod quote;
mod yaml_writer;

use serde::Serialize;

pub use adapter::{Builtin, MODEL, render_answer};
pub use docker::{dockerfile, supports};
pub use helm::helm_chart;
pub use k8s::manifests;
pub use params::Params;

use crate::detect::Service;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneratedFile {
    /// Relative to the project root, with `/` separators.
    pub path: String,
    /// The whole text; ends with a newline.
    pub content: String,
}

impl GeneratedFile {
    /// A file at `path` holding `content`.
    pub fn new(path: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            content: content.into(),
        }
    }
}

/// Every file for a set of services: each supported service's Dockerfile and `.dockerignore`,
/// the manifests and the chart.
pub fn generate_all(services: &[Service], params: &Params) -> Vec<GeneratedFile> {
    let mut files: Vec<GeneratedFile> = services
        .iter()
        .flat_map(|service| dockerfile(service, params))
        .collect();
    files.extend(manifests(services, params));
    files.extend(helm_chart(services, params));
    files
}
