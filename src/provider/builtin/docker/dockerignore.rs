//! The context filter of one Dockerfile, `<Dockerfile>.dockerignore`.
//!
//! The build context is the repository root. For a service in a subdirectory the filter starts
//! with `*` and lets only that directory back in, so no other service, no infrastructure file and
//! no PHR ever reaches the daemon; then, inside it, it drops what an image must not hold (VCS
//! data, `.env` files and keys) or does not need (dependencies installed on the host, caches,
//! build output, tests). What the Dockerfile copies from outside that directory (local path
//! dependencies, the package manager's configuration, a workspace's lockfile) is let back in
//! by name, and so are the runtime assets and embedded directories a pattern would drop.

use super::service_dir;
use crate::detect::embed_dir;
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
    let kept = kept_inside(facts);
    if !kept.is_empty() {
        out.push_str("\n# Read at run time or compiled in, though the patterns above match them\n");
        for path in kept {
            out.push_str(&format!("!{path}\n"));
        }
    }
    out
}

/// Inside the service, the runtime assets and embedded directories an exclusion above would
/// drop (`build/`, `dist/`, `out/`), from the repository root.
fn kept_inside(facts: &Facts<'_>) -> Vec<String> {
    let inputs = &facts.service.inputs;
    let excluded: Vec<&str> = EXCLUDED
        .iter()
        .flat_map(|(_, patterns)| patterns.iter())
        .filter_map(|p| p.strip_prefix("**/"))
        .filter(|p| !p.contains(['*', '[']))
        .collect();
    let within = |path: &str| match service_dir(facts) {
        Some(dir) => format!("{dir}/{path}"),
        None => path.to_string(),
    };
    let mut kept: Vec<String> = Vec::new();
    let embeds = inputs.embedded.iter().map(|e| embed_dir(&e.value));
    let assets = inputs
        .runtime_assets
        .iter()
        .map(|a| a.value.trim_end_matches('/').to_string());
    // Files the start command and the steps before it name (`uwsgi --ini docker/uwsgi.ini`).
    let service = facts.service;
    let named = std::iter::once(&service.start_command.value)
        .chain(service.prestart.iter().map(|step| &step.value))
        .flat_map(|argv| argv.iter().skip(1))
        .filter(|word| {
            word.contains('/')
                && !word.contains(char::is_whitespace)
                && !word.starts_with(['-', '/', '$'])
                && !word.contains(['*', '?', '=', ':'])
        })
        .map(|word| word.trim_start_matches("./").to_string());
    for path in embeds.chain(assets).chain(named) {
        let first = path.split('/').next().unwrap_or_default();
        let dropped = path.split('/').any(|part| excluded.contains(&part))
            || (service_dir(facts).is_none() && PROJECT_FOLDERS.contains(&first));
        let path = within(&path);
        if dropped && !path.is_empty() && !kept.contains(&path) {
            kept.push(path);
        }
    }
    kept
}
