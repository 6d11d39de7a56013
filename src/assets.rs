//! Files shipped inside the binary: the Phase IV constitution preset and the default prompt
//! templates. `aigen init` writes them into a repository; files there override these.

/// The default constitution (`policies/constitution.yaml`).
pub const CONSTITUTION: &str = include_str!("../policies/constitution.yaml");

/// The default prompt templates, by file name under `prompts/`.
pub const PROMPTS: &[(&str, &str)] = &[
    ("dockerfile.md", include_str!("../prompts/dockerfile.md")),
    ("manifest.md", include_str!("../prompts/manifest.md")),
    ("helm.md", include_str!("../prompts/helm.md")),
    ("fix.md", include_str!("../prompts/fix.md")),
    ("review.md", include_str!("../prompts/review.md")),
];

/// The `.gitignore` written into the staging directory: staged files are reviewed, not committed.
pub const STAGING_GITIGNORE: &str = "\
# Staged artifacts wait here for `aigen apply`; they are not committed.
*
!.gitignore
";
