//! What a record says about where it was written: the git branch and user, as Spec-Kit Plus
//! fills `branch:` and `user:`. Both are best effort; `unknown` is written when git says nothing.

use std::fs;
use std::path::Path;

/// The current git branch of the repository holding `dir`, read from `.git/HEAD`.
pub(crate) fn git_branch(dir: &Path) -> Option<String> {
    for ancestor in dir.ancestors() {
        let dot_git = ancestor.join(".git");
        let git_dir = if dot_git.is_dir() {
            dot_git
        } else if dot_git.is_file() {
            let text = fs::read_to_string(&dot_git).ok()?;
            let target = text.trim().strip_prefix("gitdir:")?.trim();
            ancestor.join(target)
        } else {
            continue;
        };
        let head = fs::read_to_string(git_dir.join("HEAD")).ok()?;
        let head = head.trim();
        return Some(match head.strip_prefix("ref: refs/heads/") {
            Some(branch) => branch.to_string(),
            None => head.chars().take(12).collect(),
        });
    }
    None
}

/// `git config user.name`, run in `dir`.
pub(crate) fn git_user(dir: &Path) -> Option<String> {
    let existing = dir.ancestors().find(|d| d.is_dir())?;
    let output = std::process::Command::new("git")
        .args(["config", "user.name"])
        .current_dir(existing)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let name = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (output.status.success() && !name.is_empty()).then_some(name)
}
