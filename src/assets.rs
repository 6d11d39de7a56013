//! Files shipped inside the binary: the constitution presets and the default prompt templates.
//! `aigen init` writes them into a repository; files there override these.

/// The Phase IV preset: the Todo application's constitution (`aigen init --preset phase-iv`).
pub const PHASE_IV: &str = include_str!("../policies/presets/phase-iv.yaml");

/// The baseline preset: general practice with no service-specific value (`aigen init --preset
/// baseline`, and what a command uses in a tree without a constitution).
pub const BASELINE: &str = include_str!("../policies/presets/baseline.yaml");

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
