//! The answer format: Markdown with one fenced code block per file, its path in the info string
//! (```` ```yaml title=k8s/backend-deployment.yaml ````).
//!
//! It is what the prompts ask every provider for, what the builtin provider writes, and what
//! [`crate::generate::extract`] reads back; prompts fence repository content the same way. A block
//! always uses a fence longer than any run of backticks that starts a line of its content, so the
//! content cannot close it.

/// A fenced code block with `info` after the opening fence, using a fence longer than any run
/// of backticks that starts a line of `content`, so the content cannot close it.
pub(crate) fn fenced_block(info: &str, content: &str) -> String {
    let longest_run = content
        .lines()
        .map(|l| l.trim_start().chars().take_while(|c| *c == '`').count())
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest_run.max(2) + 1);
    let mut out = format!("{fence}{info}\n{content}");
    if !content.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

/// A file as an answer gives it: a block titled with its path, labelled with its language.
pub(crate) fn file_block(path: &str, content: &str) -> String {
    fenced_block(&format!("{} title={path}", language_of(path)), content)
}

/// The language label of a file's block, from its name.
fn language_of(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.ends_with(".dockerignore") || name == ".helmignore" {
        "gitignore"
    } else if name.ends_with("Dockerfile") || name.starts_with("Dockerfile.") {
        "dockerfile"
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        "yaml"
    } else if name.ends_with(".tpl") {
        "gotmpl"
    } else {
        "text"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_the_backticks_of_their_content() {
        assert_eq!(fenced_block("sh", "ls\n"), "```sh\nls\n```\n");
        assert!(fenced_block("md", "````\nx").starts_with("`````md\n````\nx\n`````"));
        assert_eq!(
            file_block("docker/api.Dockerfile", "FROM x\n"),
            "```dockerfile title=docker/api.Dockerfile\nFROM x\n```\n"
        );
    }
}
