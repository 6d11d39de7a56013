//! Where a service's build inputs sit in the build context (the repository root) and where they
//! land in the image, whose working directory `/app` is the service directory: every stack copies
//! an input to the place its installer looks for it (`-r requirements/prod.txt` from `/app`,
//! `-e ../lib` from `/app`), and the context filter lets through those outside the service
//! directory.

use crate::detect::{BuildInputs, PackageManager, Service, Workspace};
use crate::fsutil::normalize_relative;

/// The service directory relative to the repository root, `.` for the root.
pub(crate) fn service_dir(service: &Service) -> String {
    normalize_relative(&service.path)
}

/// A path given relative to the service directory `dir`, relative to the repository root
/// instead.
pub(crate) fn from_service(dir: &str, rel: &str) -> String {
    normalize_relative(&format!("{dir}/{rel}"))
}

/// Where a path relative to the repository root lands in an image whose working directory
/// (`/app`) is the service directory, so that the installer finds it by the relative path the
/// project uses: `../common/base.txt` from `/app` is `/common/base.txt` (above `/` is `/`).
pub(crate) fn in_image(dir: &str, root_rel: &str) -> String {
    // The path as the installer names it from the service directory: up to the folder both share,
    // then down.
    let dir: Vec<&str> = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let target: Vec<&str> = root_rel
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let shared = dir.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec!["app"];
    for _ in shared..dir.len() {
        parts.pop();
    }
    parts.extend(&target[shared..]);
    format!("/{}", parts.join("/"))
}

/// Whether a path relative to the repository root lies inside the service directory `dir`.
fn inside(dir: &str, root_rel: &str) -> bool {
    dir == "." || root_rel == dir || root_rel.starts_with(&format!("{dir}/"))
}

/// What the build reads from outside the service directory, relative to the repository root:
/// requirement files included from a parent folder, local path dependencies, configuration files
/// of the package manager, the workspace's manifest and lockfile, the files the project's
/// own Dockerfile copies in from elsewhere, and the package (with its workspace's manifest and
/// lockfile) that builds a user interface the service receives. The context filter must let each of them through.
pub(crate) fn outside_service(dir: &str, inputs: &BuildInputs) -> Vec<String> {
    let mut paths: Vec<String> = inputs
        .requirement_files
        .iter()
        .map(|f| from_service(dir, &f.value))
        .chain(
            inputs
                .local_paths
                .iter()
                .chain(&inputs.config_files)
                .map(|p| normalize_relative(&p.value)),
        )
        .collect();
    paths.extend(
        inputs
            .imported_files
            .iter()
            .map(|f| normalize_relative(&f.value.path)),
    );
    if let Some(workspace) = &inputs.workspace {
        paths.extend(workspace_manifests(workspace));
        paths.extend(
            workspace
                .lockfile
                .iter()
                .map(|l| normalize_relative(&l.value)),
        );
    }
    for producer in inputs.built_ui.iter().filter_map(|ui| ui.producer.as_ref()) {
        paths.push(producer.dir.clone());
        paths.extend(producer.lockfile.iter().cloned());
        if let Some(root) = &producer.workspace_root {
            paths.push(from_service(root, "package.json"));
            if producer.manager == PackageManager::Pnpm {
                paths.push(from_service(root, "pnpm-workspace.yaml"));
            }
        }
    }
    paths.retain(|p| p != "." && !p.starts_with("..") && !inside(dir, p));
    paths.sort();
    paths.dedup();
    paths
}

/// The files at a workspace's root that list its members, relative to the repository root: what
/// the package manager reads, with the lockfile, before it installs a member.
pub(crate) fn workspace_manifests(workspace: &Workspace) -> Vec<String> {
    let names: &[&str] = match workspace.manager.value {
        PackageManager::Uv => &["pyproject.toml"],
        PackageManager::Pnpm => &["package.json", "pnpm-workspace.yaml"],
        _ => &["package.json"],
    };
    names
        .iter()
        .map(|name| from_service(&workspace.root, name))
        .collect()
}

/// The service directory relative to its workspace's root (`backend` in a workspace at `.`).
pub(crate) fn member_path(service: &Service, workspace: &Workspace) -> String {
    let dir = service_dir(service);
    let root = normalize_relative(&workspace.root);
    if root == "." {
        return dir;
    }
    dir.strip_prefix(&format!("{root}/"))
        .map_or(dir.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Sourced;

    fn inputs() -> BuildInputs {
        BuildInputs {
            requirement_files: vec![
                Sourced::default_value("requirements/prod.txt".into()),
                Sourced::default_value("../common/base.txt".into()),
            ],
            local_paths: vec![Sourced::default_value("libs/shared".into())],
            ..BuildInputs::default()
        }
    }

    #[test]
    fn paths_land_where_the_installer_looks_from_app() {
        let nested = "services/api";
        assert_eq!(
            in_image(nested, "services/api/requirements.txt"),
            "/app/requirements.txt"
        );
        assert_eq!(
            in_image(nested, "services/common/base.txt"),
            "/common/base.txt"
        );
        assert_eq!(in_image(nested, "libs/shared"), "/libs/shared");
        assert_eq!(in_image(".", "libs/shared"), "/app/libs/shared");
    }

    #[test]
    fn only_what_lies_outside_the_service_directory_is_let_through() {
        assert_eq!(
            outside_service("services/api", &inputs()),
            ["libs/shared", "services/common/base.txt"]
        );
        assert_eq!(outside_service(".", &inputs()), Vec::<String>::new());
    }
}
