//! User interfaces built into another service: a package whose build writes its output into
//! another directory of the project (Vite's `outDir: "../backend/app/frontend"`) is set aside,
//! and the service that directory belongs to receives the output as a [`BuiltUi`] with the
//! package as its producer, so that its image builds the interface before it copies the source.

use std::path::Path;

use super::model::{BuiltUi, Service, Sourced, UiProducer};
use super::service_set::inside;

/// A package's build output that lands outside the package: where, and what builds it.
#[derive(Debug, Clone)]
pub(super) struct Output {
    /// The directory the build writes, relative to the project root (`backend/app/frontend`),
    /// with the line that says so.
    pub dir: Sourced<String>,
    /// The package that builds it; `None` when it has no `build` script.
    pub producer: Option<UiProducer>,
}

impl Output {
    /// The output of the Node package `service` (just described) whose build writes to `out`
    /// (as its configuration spells it, relative to the package); `None` when `out` leaves the
    /// project.
    pub(super) fn of_package(service: &Service, out: Sourced<String>) -> Option<Self> {
        let dir = project_path(&service.path, &out.value)?;
        let inputs = &service.inputs;
        let workspace = inputs.workspace.as_ref();
        let lockfile = match &service.lockfile {
            Some(lock) => Some(super::workspace::join(&service.path, &lock.value)),
            None => workspace.and_then(|w| w.lockfile.as_ref().map(|l| l.value.clone())),
        };
        let producer = service.build_command.as_ref().map(|build| UiProducer {
            dir: service.path.clone(),
            manager: service.package_manager.value,
            lockfile,
            workspace_root: workspace.map(|w| w.root.clone()),
            downloads: inputs.install_downloads.clone(),
            origin: build.origin.clone(),
        });
        Some(Self {
            dir: Sourced::new(dir, out.origin),
            producer,
        })
    }
}

/// Gives each output to the service whose directory holds it (the deepest), unless the source
/// already holds it: a directory that service serves but that only the build creates.
pub(super) fn attach(root: &Path, outputs: &[Output], services: &mut [Service]) {
    for output in outputs {
        let dir = &output.dir.value;
        if root.join(dir).exists() {
            continue;
        }
        let owner = services
            .iter_mut()
            .filter(|s| s.path == "." || inside(dir, &s.path))
            .max_by_key(|s| if s.path == "." { 0 } else { s.path.len() });
        let Some(service) = owner else { continue };
        let path = if service.path == "." {
            dir.clone()
        } else {
            dir[service.path.len() + 1..].to_string()
        };
        let built = &mut service.inputs.built_ui;
        match built.iter_mut().find(|b| b.path.value == path) {
            Some(known) => {
                if known.producer.is_none() {
                    known.producer.clone_from(&output.producer);
                }
            }
            None => built.push(BuiltUi {
                path: Sourced::new(path, output.dir.origin.clone()),
                producer: output.producer.clone(),
            }),
        }
    }
}

/// `rel` (relative to the directory `base`, itself relative to the project root) as a path from
/// the project root, with `.` and `..` resolved; `None` when it leaves the project or names the
/// root itself.
fn project_path(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if base == "." {
        Vec::new()
    } else {
        base.split('/').collect()
    };
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::project_path;

    #[test]
    fn paths_resolve_from_the_package() {
        assert_eq!(
            project_path("frontend", "../backend/app/frontend").as_deref(),
            Some("backend/app/frontend")
        );
        assert_eq!(
            project_path("web/ui", "../../server/static").as_deref(),
            Some("server/static")
        );
        assert_eq!(project_path(".", "./dist").as_deref(), Some("dist"));
        assert_eq!(project_path("frontend", "../../elsewhere"), None);
        assert_eq!(project_path("frontend", ".."), None);
    }
}
