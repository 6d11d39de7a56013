//! The context filter of one Dockerfile, `<Dockerfile>.dockerignore`.
//!
//! The build context is the repository root. For a service in a subdirectory the filter starts
//! with `*` and lets only that directory back in, so no other service, no infrastructure file and
//! no PHR ever reaches the daemon; then, inside it, it drops what an image must not hold (VCS
//! data, `.env` files and keys) or does not need (dependencies installed on the host, caches,
//! build output, tests).

use crate::provider::builtin::facts::Facts;

/// Excluded inside the service directory, whatever the stack.
const EXCLUDED: &[(&str, &[&str])] = &[
    (
        "Version control",
        &["**/.git", "**/.gitignore", "**/.gitattributes"],
    ),
    (
        "Secrets: configuration comes from the environment at run time",
        &["**/.env", "**/.env.*", "**/*.pem", "**/*.key"],
    ),
    (
        "Dependencies installed on the host: the image installs its own from the lockfile",
        &[
            "**/node_modules",
            "**/.venv",
            "**/venv",
            "**/.pnpm-store",
            "**/.yarn/cache",
        ],
    ),
    (
        "Caches and build output",
        &[
            "**/__pycache__",
            "**/*.py[cod]",
            "**/.pytest_cache",
            "**/.mypy_cache",
            "**/.ruff_cache",
            "**/.tox",
            "**/.next",
            "**/.turbo",
            "**/.cache",
            "**/dist",
            "**/build",
            "**/out",
            "**/target",
            "**/coverage",
            "**/htmlcov",
            "**/.coverage",
        ],
    ),
    (
        "Tests",
        &[
            "**/tests",
            "**/__tests__",
            "**/*.test.*",
            "**/*.spec.*",
            "**/*_test.go",
            "**/test_*.py",
            "**/*_test.py",
            "**/conftest.py",
        ],
    ),
    (
        "Editors, logs and container files",
        &[
            "**/.idea",
            "**/.vscode",
            "**/.DS_Store",
            "**/*.log",
            "**/Dockerfile*",
            "**/*.Dockerfile",
            "**/.dockerignore",
            "**/compose*.y*ml",
            "**/docker-compose*.y*ml",
        ],
    ),
];

/// At the repository root: infrastructure and records that never belong in an image.
const PROJECT_FOLDERS: &[&str] = &[
    "docker",
    "k8s",
    "helm-charts",
    "history",
    "generated",
    "prompts",
    "policies",
    "specs",
    ".specify",
    "aigen.toml",
];

/// The `.dockerignore` text for the service, next to the Dockerfile at `dockerfile`.
pub(super) fn render(facts: &Facts<'_>, dockerfile: &str) -> String {
    let mut out = format!(
        "# Build context filter for {dockerfile}: BuildKit reads <Dockerfile>.dockerignore before the\n\
         # context's own .dockerignore. The context is the repository root.\n"
    );
    let dir = facts.service.path.trim_matches('/');
    let dir = dir.strip_prefix("./").unwrap_or(dir);
    if dir.is_empty() || dir == "." {
        out.push_str("\n# Project folders that never belong in the image\n");
        for folder in PROJECT_FOLDERS {
            out.push_str(folder);
            out.push('\n');
        }
    } else {
        out.push_str(&format!(
            "\n# Only the service's own directory is sent\n*\n!{dir}\n"
        ));
        let outside = super::inputs::outside_service(dir, &facts.service.inputs);
        if !outside.is_empty() {
            out.push_str("\n# What its build reads from outside it\n");
            for path in outside {
                out.push_str(&format!("!{path}\n"));
            }
        }
    }
    for (comment, patterns) in EXCLUDED {
        out.push_str(&format!("\n# {comment}\n"));
        for pattern in *patterns {
            out.push_str(pattern);
            out.push('\n');
        }
    }
    out
}
