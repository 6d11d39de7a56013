//! The builtin Dockerfiles: hadolint with every rule on reports nothing for any stack, and each
//! file has the properties the constitution asks for.

use std::path::{Path, PathBuf};

use crate::support::builtin::{
    StrictHadolint, every_stack, seed_backend, seed_frontend_chatbot, seed_frontend_web,
    write_files,
};
use aigen::detect::Service;
use aigen::provider::builtin::{GeneratedFile, Params, dockerfile};

fn dockerfile_of(service: &Service) -> GeneratedFile {
    dockerfile_with(service, &Params::default())
}

/// The Dockerfile generated for `service` with `params`.
fn dockerfile_with(service: &Service, params: &Params) -> GeneratedFile {
    dockerfile(service, params)
        .into_iter()
        .find(|f| f.path.ends_with(".Dockerfile"))
        .expect("a Dockerfile")
}

/// The Dockerfile's text for the stack named `name` in [`every_stack`].
fn stack_dockerfile(name: &str) -> String {
    let stacks = every_stack();
    let service = stacks.iter().find(|s| s.name == name).unwrap();
    dockerfile_of(service).content
}

/// Writes `files` under `root` and returns the paths of the Dockerfiles among them.
fn write_dockerfiles(root: &Path, files: &[GeneratedFile]) -> Vec<PathBuf> {
    write_files(root, files);
    files
        .iter()
        .filter(|f| f.path.ends_with(".Dockerfile"))
        .map(|f| root.join(&f.path))
        .collect()
}

fn ignore_of(service: &Service) -> GeneratedFile {
    dockerfile(service, &Params::default())
        .into_iter()
        .find(|f| f.path.ends_with(".dockerignore"))
        .expect("a .dockerignore")
}

#[test]
fn hadolint_with_every_rule_on_reports_nothing_for_any_stack() {
    let hadolint = StrictHadolint::new();
    let dir = tempfile::tempdir().unwrap();
    let services = every_stack();
    let files: Vec<GeneratedFile> = services
        .iter()
        .flat_map(|s| dockerfile(s, &Params::default()))
        .collect();
    let dockerfiles = write_dockerfiles(dir.path(), &files);
    assert_eq!(dockerfiles.len(), services.len());
    let (code, stdout, stderr) = hadolint.check(&dockerfiles);
    assert!(
        stdout.trim().is_empty() && code == 0,
        "hadolint found problems (exit {code}):\n{stdout}{stderr}"
    );
}

#[test]
fn the_strict_configuration_does_catch_a_missing_healthcheck() {
    // Guards the test above: with this configuration hadolint reports DL3057.
    let hadolint = StrictHadolint::new();
    let dir = tempfile::tempdir().unwrap();
    let text = dockerfile_of(&seed_backend()).content;
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("HEALTHCHECK") && !l.trim_start().starts_with("CMD [\"python\""))
        .map(|l| format!("{l}\n"))
        .collect();
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, without).unwrap();
    let (code, stdout, _) = hadolint.check([&path]);
    assert_ne!(code, 0);
    assert!(stdout.contains("DL3057"), "{stdout}");
}

/// The instructions of a Dockerfile, continuation lines joined, comments dropped.
fn instructions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => current.push_str(part),
            None => {
                current.push_str(trimmed);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    out
}

fn final_stage(text: &str) -> Vec<String> {
    let all = instructions(text);
    let start = all.iter().rposition(|i| i.starts_with("FROM ")).unwrap();
    all[start..].to_vec()
}

#[test]
fn every_stack_meets_the_constitution() {
    for service in every_stack() {
        let file = dockerfile_of(&service);
        let text = &file.content;
        let name = &service.name;
        assert!(text.ends_with('\n'), "{name}");
        assert_eq!(file.path, format!("docker/{name}.Dockerfile"));
        let all = instructions(text);
        let froms = all.iter().filter(|i| i.starts_with("FROM ")).count();
        assert!(froms >= 2, "{name}: not multi-stage");
        assert!(
            all.iter()
                .filter(|i| i.starts_with("FROM "))
                .all(|i| i.contains(':') && !i.contains(":latest")),
            "{name}: unpinned base"
        );
        assert!(!all.iter().any(|i| i.starts_with("ARG ")), "{name}: ARG");
        let port = service
            .port
            .as_ref()
            .expect("every test service has a port")
            .value;
        let last = final_stage(text);
        let users: Vec<_> = last.iter().filter(|i| i.starts_with("USER ")).collect();
        assert_eq!(users, [&"USER 10001:10001".to_string()], "{name}");
        assert!(last.contains(&format!("EXPOSE {}", port)), "{name}");
        let health = last
            .iter()
            .find(|i| i.starts_with("HEALTHCHECK "))
            .unwrap_or_else(|| panic!("{name}: no HEALTHCHECK"));
        assert!(
            health.contains("--interval=30s --timeout=3s --retries=3"),
            "{name}: {health}"
        );
        assert!(
            health.contains("CMD ["),
            "{name}: HEALTHCHECK not exec form"
        );
        // The health path found in the code, else the port alone: never a path the app may
        // not serve.
        match &service.health_path {
            Some(path) => assert!(
                health.contains(&format!("127.0.0.1:{port}{}", path.value))
                    || (health.contains(&format!("/dev/tcp/127.0.0.1/{port}"))
                        && health.contains(&path.value)),
                "{name}: {health}"
            ),
            None => assert!(
                health.contains(&port.to_string()) && !health.contains("http://"),
                "{name}: {health}"
            ),
        }
        let cmd = last
            .iter()
            .find(|i| i.starts_with("CMD "))
            .unwrap_or_else(|| panic!("{name}: no CMD"));
        let argv: Vec<String> =
            serde_json::from_str(&cmd[4..]).unwrap_or_else(|e| panic!("{name}: CMD not JSON: {e}"));
        assert!(!argv.is_empty());
        // Everything the final stage copies belongs to the runtime user, except the CA bundle.
        for copy in last.iter().filter(|i| i.starts_with("COPY ")) {
            assert!(
                copy.contains("--chown=10001:10001") || copy.contains("ca-certificates"),
                "{name}: {copy}"
            );
        }
        // Lockfile before source: the first COPY of the whole service directory comes after a
        // COPY of the lockfile, and after the dependency install.
        if let Some(lock) = &service.lockfile {
            let lock_copy = all
                .iter()
                .position(|i| i.starts_with("COPY ") && i.contains(&lock.value))
                .unwrap_or_else(|| panic!("{name}: lockfile not copied"));
            let source_copy = all
                .iter()
                .position(|i| {
                    i.starts_with("COPY ")
                        && (i.ends_with(" ./")
                            && (i.contains(&format!(" {}/ ", service.path)) || i.contains(" . ")))
                })
                .unwrap_or_else(|| panic!("{name}: source not copied"));
            assert!(
                lock_copy < source_copy,
                "{name}: source copied before the lockfile"
            );
        }
        match service.language.value {
            aigen::detect::Language::Python => {
                assert!(
                    all.iter()
                        .all(|i| !i.starts_with("FROM ") || i.starts_with("FROM python:")),
                    "{name}"
                );
                assert!(
                    text.contains("PYTHONDONTWRITEBYTECODE=1")
                        && text.contains("PYTHONUNBUFFERED=1"),
                    "{name}"
                );
                let checker = if service.health_path.is_some() {
                    "urllib.request"
                } else {
                    "socket.create_connection"
                };
                assert!(health.contains(checker), "{name}: {health}");
            }
            aigen::detect::Language::Node => {
                assert!(
                    all.iter()
                        .all(|i| !i.starts_with("FROM ") || i.starts_with("FROM node:")),
                    "{name}"
                );
                assert!(
                    last.iter().any(|i| i.contains("NODE_ENV=production")),
                    "{name}"
                );
                assert!(health.contains("[\"node\""), "{name}: {health}");
            }
            aigen::detect::Language::Go => {
                assert!(text.contains("CGO_ENABLED=0"), "{name}");
                assert!(text.contains("go mod download"), "{name}");
            }
            aigen::detect::Language::Rust => {
                assert!(text.contains("cargo build --release --locked"), "{name}");
            }
            aigen::detect::Language::Java => unreachable!(),
        }
    }
}

#[test]
fn python_installs_from_the_lockfile_with_each_tool() {
    let text = dockerfile_of(&seed_backend()).content;
    assert!(
        text.contains(
            "COPY backend/requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("COPY --chown=10001:10001 backend/ ./\n"),
        "{text}"
    );
    assert!(
        text.contains(
            r#"CMD ["uvicorn", "src.api.main:app", "--host", "0.0.0.0", "--port", "8000"]"#
        ),
        "{text}"
    );
    let uv = stack_dockerfile("flask-uv");
    assert!(
        uv.contains("COPY services/flask-uv/pyproject.toml services/flask-uv/uv.lock ./"),
        "{uv}"
    );
    assert!(
        uv.contains("uv sync --frozen --no-dev --no-install-project"),
        "{uv}"
    );
    assert!(
        uv.contains(r#""gunicorn", "--bind", "0.0.0.0:5000""#),
        "{uv}"
    );
    let poetry = stack_dockerfile("django-poetry");
    assert!(
        poetry.contains("poetry install --only main --no-root"),
        "{poetry}"
    );
    assert!(poetry.contains(r#""mysite.wsgi:application"]"#), "{poetry}");
    assert!(poetry.contains("http://127.0.0.1:8000/healthz"), "{poetry}");
    let pipenv = stack_dockerfile("fastapi-pipenv");
    assert!(pipenv.contains("pipenv sync"), "{pipenv}");
    let nolock = stack_dockerfile("fastapi-nolock");
    assert!(nolock.contains("pip install --no-cache-dir ."), "{nolock}");
    assert!(nolock.contains(r#""app.main:app""#), "{nolock}");
}

#[test]
fn next_standalone_copies_only_the_server_output() {
    let text = dockerfile_of(&seed_frontend_web()).content;
    for line in [
        "COPY --from=builder --chown=10001:10001 /app/.next/standalone ./",
        "COPY --from=builder --chown=10001:10001 /app/.next/static ./.next/static",
        "COPY --from=builder --chown=10001:10001 /app/public ./public",
        r#"CMD ["node", "server.js"]"#,
        "HOSTNAME=0.0.0.0",
        "PORT=3000",
        "NEXT_TELEMETRY_DISABLED=1",
        "RUN npm ci\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

#[test]
fn next_without_standalone_prunes_dev_dependencies_and_runs_next_start() {
    let text = dockerfile_of(&seed_frontend_chatbot()).content;
    assert!(
        text.contains(
            "npm run build \\\n    && npm prune --omit=dev \\\n    && rm -rf .next/cache\n"
        ),
        "{text}"
    );
    assert!(text.contains(r#"CMD ["node", "node_modules/next/dist/bin/next", "start", "--hostname", "0.0.0.0", "--port", "3001"]"#), "{text}");
    assert!(!text.contains("server.js"), "{text}");
}

#[test]
fn express_without_a_build_installs_production_dependencies_only() {
    let text = stack_dockerfile("express-api");
    assert!(text.contains("RUN npm ci --omit=dev\n"), "{text}");
    assert!(text.contains(r#"CMD ["node", "src/server.js"]"#), "{text}");
    let ts = stack_dockerfile("express-ts-yarn");
    assert!(ts.contains("yarn install --frozen-lockfile"), "{ts}");
    assert!(ts.contains(r#"CMD ["node", "dist/index.js"]"#), "{ts}");
    let nest = stack_dockerfile("nest-pnpm");
    assert!(
        nest.contains("pnpm install --frozen-lockfile") && nest.contains("pnpm prune --prod"),
        "{nest}"
    );
    assert!(nest.contains(r#"CMD ["node", "dist/main.js"]"#), "{nest}");
}

#[test]
fn go_and_rust_build_the_right_target() {
    let go = stack_dockerfile("go-nethttp");
    assert!(go.contains("FROM golang:1.22 AS builder"), "{go}");
    assert!(go.contains("-o /out/server .\n"), "{go}");
    let gin = stack_dockerfile("go-gin");
    // No `go` line in this service's go.mod: aigen's default release.
    assert!(gin.contains("FROM golang:1.24 AS builder"), "{gin}");
    assert!(gin.contains("-o /out/server ./cmd/server\n"), "{gin}");
    let axum = stack_dockerfile("rust-axum");
    assert!(axum.contains("--bin axum-api"), "{axum}");
    assert!(
        axum.contains("FROM debian:bookworm-slim AS runtime"),
        "{axum}"
    );
    let actix = stack_dockerfile("rust-actix");
    assert!(actix.contains("--bin actix_server"), "{actix}");
}

#[test]
fn the_dockerignore_sends_only_the_service_and_drops_what_must_not_ship() {
    let file = ignore_of(&seed_backend());
    assert_eq!(file.path, "docker/backend.Dockerfile.dockerignore");
    let lines: Vec<&str> = file
        .content
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    assert_eq!(&lines[..2], ["*", "!backend"]);
    for pattern in [
        "**/.git",
        "**/node_modules",
        "**/.env",
        "**/.env.*",
        "**/tests",
        "**/__pycache__",
        "**/.next",
        "**/dist",
    ] {
        assert!(lines.contains(&pattern), "missing {pattern}");
    }
    // A service at the repository root keeps the context but drops the project's own folders.
    let mut root = seed_backend();
    root.path = ".".into();
    let root_ignore = ignore_of(&root).content;
    assert!(!root_ignore.lines().any(|l| l == "*"));
    for folder in ["history", "generated", "k8s", "helm-charts", "docker"] {
        assert!(root_ignore.lines().any(|l| l == folder), "missing {folder}");
    }
    let text = dockerfile_of(&root).content;
    assert!(text.contains("COPY requirements.txt ./"), "{text}");
    assert!(text.contains("COPY --chown=10001:10001 . ./"), "{text}");
}

#[test]
fn generation_is_deterministic_and_params_drive_the_output() {
    let backend = seed_backend();
    assert_eq!(
        dockerfile(&backend, &Params::default()),
        dockerfile(&backend, &Params::default())
    );
    let mut params = Params::default();
    params.user.uid = 20001;
    params.user.gid = 20001;
    params.healthcheck.interval_seconds = 15;
    params.base_images.python = Some("python:3.12-slim".into());
    let text = dockerfile_with(&backend, &params).content;
    assert!(text.contains("USER 20001:20001"), "{text}");
    assert!(text.contains("--interval=15s"), "{text}");
    assert!(text.contains("FROM python:3.12-slim AS runtime"), "{text}");
    // Node images have uid 1000 as `node`; another uid gets a user of its own.
    let web = dockerfile_with(&seed_frontend_web(), &params).content;
    assert!(
        web.contains("useradd --system --no-log-init --uid 20001 --gid 20001"),
        "{web}"
    );
    params.base_images.family = aigen::provider::builtin::images::Family::Alpine;
    let web = dockerfile_with(&seed_frontend_web(), &params).content;
    assert!(web.contains("FROM node:22-alpine AS runtime"), "{web}");
    assert!(
        web.contains("adduser -S -D -H -h /app -s /sbin/nologin -u 20001 -G app app"),
        "{web}"
    );
}

#[test]
fn java_builds_with_maven_and_runs_on_a_jre() {
    let mut service = seed_backend();
    service.language.value = aigen::detect::Language::Java;
    service.package_manager.value = aigen::detect::PackageManager::Maven;
    service.lockfile = None;
    assert!(aigen::provider::builtin::supports(&service));
    let text = dockerfile_of(&service).content;
    assert!(
        text.contains("FROM maven:3-eclipse-temurin-21 AS builder"),
        "{text}"
    );
    assert!(
        text.contains("FROM eclipse-temurin:21-jre AS runtime"),
        "{text}"
    );
}

#[test]
fn odd_paths_and_names_stay_quoted_and_lint_clean() {
    let hadolint = StrictHadolint::new();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for mut service in every_stack() {
        service.path = format!("odd dir/{}", service.path);
        service.health_path = Some(aigen::detect::Sourced::at(
            "/it's $HOME \"ok\"".to_string(),
            "main",
            1,
        ));
        let generated = dockerfile(&service, &Params::default());
        let text = &generated
            .iter()
            .find(|f| f.path.ends_with(".Dockerfile"))
            .unwrap()
            .content;
        for instruction in instructions(text) {
            if let Some(json) = instruction
                .strip_prefix("CMD ")
                .or_else(|| instruction.split_once(" CMD ").map(|(_, j)| j))
            {
                let argv: Vec<String> = serde_json::from_str(json)
                    .unwrap_or_else(|e| panic!("{}: {e}: {json}", service.name));
                let joined = argv.join(" ");
                assert!(
                    !joined.contains('\'') || !joined.contains("it's"),
                    "{}: unescaped path in {joined}",
                    service.name
                );
            }
        }
        assert!(
            text.contains("/it%27s%20%24HOME%20%22ok%22"),
            "{}:\n{text}",
            service.name
        );
        assert!(
            text.contains(r#"COPY ["odd dir/"#),
            "{}:\n{text}",
            service.name
        );
        files.extend(generated);
    }
    let dockerfiles = write_dockerfiles(dir.path(), &files);
    let (code, stdout, stderr) = hadolint.check(&dockerfiles);
    assert!(
        stdout.trim().is_empty() && code == 0,
        "hadolint (exit {code}):\n{stdout}{stderr}"
    );
}
