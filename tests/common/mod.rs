//! Pieces every group of integration tests needs, included by each support module
//! (`tests/*_support/mod.rs`) with `#[path = "../common/mod.rs"] mod common;` and re-exported
//! from there, so a test file keeps importing from its own support module.
//!
//! Start with [`copy_tree`] (fixture directories into temporary projects) and [`write_file`].

#![allow(dead_code)]

use std::path::Path;

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
