//! Pieces every group of integration tests needs, included by each support module
//! (`tests/*_support/mod.rs`) with `#[path = "../common/mod.rs"] mod common;` and re-exported
//! from there, so a test file keeps importing from its own support module.
//!
//! Start with [`aigen_command`] (the binary with a clean environment), then [`copy_tree`]
//! (fixture directories into temporary projects) and [`write_file`].

#![allow(dead_code)]

use std::path::Path;

/// The `aigen` binary with none of the caller's settings that would change what it does or
/// what it redacts: aigen's own variables, OpenAI's, the kubeconfig, the editor, Spec-Kit's
/// feature, and any variable whose name says it holds a secret; and without colour.
pub fn aigen_command() -> std::process::Command {
    use assert_cmd::cargo::CommandCargoExt;
    let mut command = std::process::Command::cargo_bin("aigen").unwrap();
    for name in aigen::env_vars::ALL_AIGEN.iter().chain(&[
        aigen::env_vars::OPENAI_API_KEY,
        aigen::env_vars::OPENAI_BASE_URL,
        aigen::env_vars::KUBECONFIG,
        aigen::env_vars::SPECIFY_FEATURE,
        aigen::env_vars::EDITOR,
        "VISUAL",
    ]) {
        command.env_remove(name);
    }
    for (name, _) in std::env::vars() {
        if aigen::phr::redact::rules::name_says_secret(&name) || name.starts_with("SPECIFY") {
            command.env_remove(name);
        }
    }
    command.env("NO_COLOR", "1");
    command
}

/// Copies the directory tree `from` into `to`, hidden files included, creating `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Writes `content` to `path`, creating its parent directories.
pub fn write_file(path: &Path, content: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}
