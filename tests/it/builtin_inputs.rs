//! The builtin Dockerfiles follow what detection found beyond the manifest (`inputs`): cgo for
//! `go-sqlite3` on a Debian builder and runtime, runtime assets next to the binary, a UI the Go
//! binary embeds built in a Node stage (or the build stopped naming the `//go:embed` line), a UI
//! a sibling package's build writes into a Python service built with Bun and copied over its
//! source,
//! local `replace` modules in the build context, corepack and the package manager's
//! configuration before a Node install, no `node_modules` copy for a package without
//! dependencies, compilers for native Node modules, OpenSSL for `openssl-sys`, a placeholder for
//! every binary `Cargo.toml` declares, the files the project's own Dockerfile copies in from
//! elsewhere in the repository, the data directories an app writes created for the runtime
//! user and mounted from `emptyDir`s in the Deployment and the chart, browser downloads
//! (puppeteer, cypress) turned off where packages install, the protobuf compiler for a build
//! script that runs `protoc`, Node's release from the project's own Dockerfile. Each on a sample
//! app of our own under `tests/fixtures/detect/`, and hadolint (every rule on) on all of them.

use std::path::PathBuf;

use crate::support::builtin::StrictHadolint;
use crate::support::example::Project;
use crate::support::files::repo_path;

/// A copy of the detection fixture `name`.
fn fixture(name: &str) -> Project {
    Project::copy_of(&repo_path(&format!("tests/fixtures/detect/{name}")), name)
}

/// The Dockerfile of `service` and its ignore file, generated for the fixture `name`.
fn generated(name: &str, service: &str) -> (String, String) {
    let project = fixture(name);
    let path = format!("docker/{service}.Dockerfile");
    (
        project.builtin_file(&path),
        project.builtin_file(&format!("{path}.dockerignore")),
    )
}

/// The lines of `text` that start with `prefix`, trimmed.
fn lines<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with(prefix))
        .collect()
}

/// The text of the stage named `name` (from its `FROM` to the next).
fn stage<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text
        .find(&format!(" AS {name}\n"))
        .unwrap_or_else(|| panic!("no stage {name} in\n{text}"));
    let rest = &text[start..];
    let end = rest[1..].find("\nFROM ").map_or(rest.len(), |at| at + 1);
    &rest[..end]
}

#[test]
fn go_sqlite3_turns_cgo_on_with_a_debian_builder_and_the_assets_follow_the_binary() {
    let (file, _) = generated("go-root-beside-subfolders", "go-root-beside-subfolders");
    assert_eq!(
        lines(&file, "FROM "),
        [
            "FROM node:22-slim AS ui-1",
            "FROM golang:1.24-trixie AS builder",
            "FROM debian:trixie-slim AS runtime"
        ],
        "{file}"
    );
    // ui/ (set aside: its Vite build writes ../static/editor) is built for the server, which
    // serves static/ from its working directory.
    assert!(
        stage(&file, "builder").contains("COPY --from=ui-1 /src/static/editor ./static/editor\n"),
        "{file}"
    );
    assert!(file.contains("ENV CGO_ENABLED=1\n"), "{file}");
    assert!(!file.contains("CGO_ENABLED=0"), "{file}");
    // Read at run time from the working directory: next to the binary, in /app.
    let runtime = stage(&file, "runtime");
    assert!(runtime.contains("WORKDIR /app\n"), "{runtime}");
    for asset in ["static", "templates"] {
        assert!(
            runtime.contains(&format!(
                "COPY --from=builder --chown=10001:10001 /src/{asset} /app/{asset}\n"
            )),
            "{asset} in\n{runtime}"
        );
    }
}

#[test]
fn a_static_go_binary_stays_static_and_copies_only_itself() {
    let (file, _) = generated("go-gin", "go-gin");
    assert!(file.contains("ENV CGO_ENABLED=0\n"), "{file}");
    assert_eq!(
        lines(&file, "COPY --from=builder"),
        ["COPY --from=builder --chown=10001:10001 /out/server /app/server"]
    );
}

#[test]
fn an_embedded_ui_is_built_in_a_node_stage_and_a_local_module_is_in_the_context() {
    let (file, ignore) = generated("go-embed-ui", "server");
    let ui = stage(&file, "ui-1");
    assert!(file.contains("FROM node:22-slim AS ui-1\n"), "{file}");
    assert!(
        file.contains(
            "# ui/build (server/main.go:15) comes from the `build` script of server/ui/package.json"
        ),
        "names the //go:embed line: {file}"
    );
    assert!(ui.contains("WORKDIR /src/server/ui\n"), "{ui}");
    assert!(
        ui.contains("COPY server/ui/package.json server/ui/package-lock.json ./\n"),
        "{ui}"
    );
    assert!(ui.contains("RUN npm ci\n"), "{ui}");
    assert!(ui.contains("COPY server/ui/ ./\n"), "{ui}");
    assert!(ui.contains("RUN npm run build\n"), "{ui}");
    let builder = stage(&file, "builder");
    // The repository's layout, so go.mod's `replace => ../greeting` resolves.
    assert!(builder.contains("WORKDIR /src/server\n"), "{builder}");
    let download = builder.find("RUN go mod download").unwrap();
    let module = builder
        .find("COPY greeting/ /src/greeting/\n")
        .unwrap_or_else(|| panic!("{builder}"));
    assert!(
        module < download,
        "the module before the download: {builder}"
    );
    let source = builder.find("COPY server/ ./\n").unwrap();
    let embed = builder
        .find("COPY --from=ui-1 /src/server/ui/build ./ui/build\n")
        .unwrap_or_else(|| panic!("{builder}"));
    let compile = builder.find("go build").unwrap();
    assert!(source < embed && embed < compile, "{builder}");
    let runtime = stage(&file, "runtime");
    assert!(
        runtime.contains(
            "COPY --from=builder --chown=10001:10001 /src/server/migrations /app/migrations\n"
        ),
        "{runtime}"
    );
    // The context filter lets the module beside the service through, and the embedded
    // directory a `**/build` pattern would drop when it is committed.
    let allowed = lines(&ignore, "!");
    assert_eq!(
        allowed,
        ["!server", "!greeting", "!server/ui/build"],
        "{ignore}"
    );
}

#[test]
fn a_ui_built_into_a_python_service_is_built_with_bun_and_copied_over_the_source() {
    let (file, ignore) = generated("python-served-ui", "api");
    assert_eq!(
        lines(&file, "FROM "),
        [
            "FROM oven/bun:1-slim AS ui-1",
            "FROM python:3.13-slim AS builder",
            "FROM python:3.13-slim AS runtime"
        ],
        "{file}"
    );
    assert!(
        file.contains("# app/ui (web/vite.config.js:4) comes from the `build` script of web/package.json\n# (web/package.json:5)"),
        "names the outDir and the build script: {file}"
    );
    let ui = stage(&file, "ui-1");
    // The bun workspace laid out as in the repository: its root's manifest and lockfile, then
    // the member's manifest, the install, the member's source and its build.
    let order: Vec<usize> = [
        "WORKDIR /src/web\n",
        "COPY package.json bun.lock /src/\n",
        "COPY web/package.json ./\n",
        "RUN bun install\n",
        "COPY web/ ./\n",
        "RUN bun run build\n",
    ]
    .iter()
    .map(|step| ui.find(step).unwrap_or_else(|| panic!("{step} in\n{ui}")))
    .collect();
    assert!(order.is_sorted(), "{ui}");
    // The other members are not copied: the lockfile lists them, so it is not enforced.
    assert!(!ui.contains("--frozen-lockfile"), "{ui}");
    let runtime = stage(&file, "runtime");
    let source = runtime
        .find("COPY --chown=10001:10001 api/ ./\n")
        .unwrap_or_else(|| panic!("{runtime}"));
    let built = runtime
        .find("COPY --from=ui-1 --chown=10001:10001 /src/api/app/ui ./app/ui\n")
        .unwrap_or_else(|| panic!("{runtime}"));
    assert!(source < built, "the UI over the source: {runtime}");
    assert!(!stage(&file, "builder").contains("ui-1"), "{file}");
    assert_eq!(
        lines(&ignore, "!"),
        ["!api", "!bun.lock", "!package.json", "!web"],
        "{ignore}"
    );
}

#[test]
fn a_ui_built_into_a_python_service_with_npm_runs_a_frozen_install_on_node() {
    let project = fixture("python-served-ui");
    std::fs::remove_file(project.path("bun.lock")).unwrap();
    std::fs::remove_file(project.path("package.json")).unwrap();
    project.write(
        "web/package-lock.json",
        "{\"lockfileVersion\": 3, \"packages\": {}}\n",
    );
    let file = project.builtin_file("docker/api.Dockerfile");
    let ui = stage(&file, "ui-1");
    assert!(file.contains("FROM node:22-slim AS ui-1\n"), "{file}");
    assert!(
        ui.contains("COPY web/package.json web/package-lock.json ./\n"),
        "{ui}"
    );
    assert!(ui.contains("RUN npm ci\n"), "{ui}");
    assert!(ui.contains("RUN npm run build\n"), "{ui}");
}

#[test]
fn a_ui_built_into_a_node_rust_or_java_service_lands_where_its_build_writes() {
    // (fixture, where the UI's Vite build writes, the stage that receives it, the copy)
    for (name, out, receiver, copy) in [
        (
            "node-express",
            "../public",
            "runtime",
            "COPY --from=ui-1 --chown=10001:10001 /src/public ./public\n",
        ),
        (
            "rust-axum",
            "../assets",
            "builder",
            "COPY --from=ui-1 /src/assets ./assets\n",
        ),
        (
            "java-maven",
            "../src/main/resources/static",
            "builder",
            "COPY --from=ui-1 /src/src/main/resources/static ./src/main/resources/static\n",
        ),
    ] {
        let project = fixture(name);
        project.write(
            "web/package.json",
            "{\n  \"name\": \"web\",\n  \"private\": true,\n  \"scripts\": { \"build\": \"vite build\" },\n  \"devDependencies\": { \"vite\": \"^7.1.0\" }\n}\n",
        );
        project.write(
            "web/vite.config.js",
            &format!("export default {{ build: {{ outDir: \"{out}\" }} }};\n"),
        );
        let file = project.builtin_file(&format!("docker/{name}.Dockerfile"));
        assert_eq!(
            lines(&file, "FROM ")[0],
            "FROM node:22-slim AS ui-1",
            "{file}"
        );
        let ui = stage(&file, "ui-1");
        assert!(ui.contains("COPY web/package.json ./\n"), "{ui}");
        assert!(ui.contains("RUN npm install\n"), "{ui}");
        assert!(ui.contains("RUN npm run build\n"), "{ui}");
        let stage = stage(&file, receiver);
        let source = stage
            .find(" . ./\n")
            .unwrap_or_else(|| panic!("{name}: no source copy in\n{stage}"));
        let built = stage
            .find(copy)
            .unwrap_or_else(|| panic!("{name}: {copy} in\n{stage}"));
        assert!(source < built, "{name}: the UI after the source: {stage}");
        if receiver == "builder" {
            let compile = stage
                .find("cargo build --release --locked --bin")
                .or_else(|| stage.find("mvn -B -q package"))
                .unwrap_or_else(|| panic!("{stage}"));
            assert!(built < compile, "{name}: before the compile: {stage}");
        }
    }
}

#[test]
fn an_embed_nothing_here_builds_stops_the_build_naming_the_line() {
    let project = fixture("go-embed-ui");
    std::fs::remove_file(project.path("server/ui/package.json")).unwrap();
    let file = project.builtin_file("docker/server.Dockerfile");
    assert!(!file.contains("AS ui-1"), "{file}");
    let builder = stage(&file, "builder");
    assert!(
        builder.contains("# server/main.go:15 needs ui/build, which the source does not hold"),
        "{builder}"
    );
    assert!(
        builder.contains(
            "RUN test -e ui/build || { echo 'ui/build is missing: server/main.go:15 needs it; build it before the image' >&2; exit 1; }\n"
        ),
        "{builder}"
    );
    assert!(
        builder.find("RUN test -e ui/build").unwrap() < builder.find("go build").unwrap(),
        "{builder}"
    );
}

#[test]
fn yarn_berry_is_provided_by_corepack_with_its_configuration_before_the_install() {
    let project = fixture("node-yarn-berry");
    let manifest = std::fs::read_to_string(project.path("package.json")).unwrap();
    project.write(
        "package.json",
        &manifest.replace(
            "\"main\": \"server.mjs\",",
            "\"main\": \"server.mjs\",\n  \"dependencies\": { \"ms\": \"^2.1.3\" },",
        ),
    );
    let file = project.builtin_file("docker/node-yarn-berry.Dockerfile");
    let copy_manifest = file.find("COPY package.json yarn.lock ./\n").unwrap();
    let rc = file.find("COPY .yarnrc.yml ./.yarnrc.yml\n").unwrap();
    let release = file
        .find("COPY .yarn/releases/yarn-3.6.1.cjs ./.yarn/releases/yarn-3.6.1.cjs\n")
        .unwrap_or_else(|| panic!("{file}"));
    let install = file
        .find("RUN corepack enable \\\n    && yarn install --immutable\n")
        .unwrap_or_else(|| panic!("{file}"));
    assert!(
        copy_manifest < rc && rc < release && release < install,
        "{file}"
    );
    assert!(file.contains("COREPACK_ENABLE_DOWNLOAD_PROMPT=0"), "{file}");
    // Yarn 1's flags are refused by Yarn 3.
    assert!(!file.contains("--frozen-lockfile"), "{file}");
    assert!(!file.contains("--production"), "{file}");
    assert!(
        file.contains("COPY --from=deps --chown=10001:10001 /app/node_modules ./node_modules\n"),
        "{file}"
    );
}

#[test]
fn pnpm_undeclared_is_the_release_its_lockfile_format_calls_for() {
    // corepack's newest pnpm would stop on dependencies' build scripts nobody allowed; the
    // lockfile's `lockfileVersion: '9.0'` is written by pnpm 9 and 10.
    let (file, _) = generated("node-pnpm-undeclared", "node-pnpm-undeclared");
    assert!(
        file.contains(
            "RUN corepack enable pnpm \\\n    && corepack prepare pnpm@10 --activate \\\n    && pnpm install --frozen-lockfile"
        ),
        "{file}"
    );
    // A declared release is corepack's to provide as declared.
    let (file, _) = generated("node-yarn-berry", "node-yarn-berry");
    assert!(!file.contains("corepack prepare"), "{file}");
}

#[test]
fn a_typescript_next_config_keeps_the_dev_dependencies_next_start_compiles_it_with() {
    let project = fixture("node-next-pages");
    std::fs::remove_file(project.path("next.config.js")).unwrap();
    project.write(
        "next.config.ts",
        "import type { NextConfig } from 'next';\n\nconst config: NextConfig = { reactStrictMode: true };\n\nexport default config;\n",
    );
    let file = project.builtin_file("docker/node-next-pages.Dockerfile");
    let builder = stage(&file, "builder");
    assert!(!builder.contains("prune"), "{builder}");
    assert!(builder.contains("next.config.ts"), "says why: {builder}");
    assert!(builder.contains("rm -rf .next/cache"), "{builder}");
    // With a JavaScript config the dev dependencies go.
    let (file, _) = generated("node-next-pages", "node-next-pages");
    assert!(file.contains("yarn install --production"), "{file}");
}

#[test]
fn yarn_berry_without_dependencies_installs_nothing() {
    let (file, _) = generated("node-yarn-berry", "node-yarn-berry");
    assert!(!file.contains("yarn install"), "{file}");
    assert!(!file.contains("node_modules"), "{file}");
}

#[test]
fn npmrc_settings_reach_npm_before_it_installs_and_the_file_stays_out() {
    let (file, _) = generated("node-express-mounts", "node-express-mounts");
    let setting = file
        .find("ENV npm_config_legacy_peer_deps=true\n")
        .unwrap_or_else(|| panic!("{file}"));
    let install = file.find("RUN npm install").unwrap();
    assert!(setting < install, "{file}");
    // The file may hold a registry token: it is never copied.
    assert!(!file.contains("COPY .npmrc"), "{file}");
}

#[test]
fn a_package_without_dependencies_gets_no_dependency_stage() {
    let (file, _) = generated("node-no-deps", "node-no-deps");
    assert_eq!(
        lines(&file, "FROM "),
        [
            "FROM node:22-slim AS source",
            "FROM node:22-slim AS runtime"
        ],
        "{file}"
    );
    assert!(!file.contains("node_modules"), "{file}");
    assert!(!file.contains("npm "), "{file}");
    assert!(
        file.contains("COPY --from=source --chown=10001:10001 /app ./\n"),
        "{file}"
    );
}

#[test]
fn a_native_node_module_gets_python_make_and_a_compiler_in_the_install_stage() {
    let project = fixture("node-no-deps");
    project.write(
        "package.json",
        r#"{
  "name": "clock",
  "private": true,
  "scripts": { "start": "node server.js" },
  "dependencies": { "better-sqlite3": "^11.1.2" }
}
"#,
    );
    let file = project.builtin_file("docker/node-no-deps.Dockerfile");
    let deps = stage(&file, "deps");
    assert!(
        deps.contains(
            "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends g++=4:14.* gcc=4:14.* libc6-dev=2.41-* make=4.4.* python3=3.13.* \\\n    && rm -rf /var/lib/apt/lists/*\n"
        ),
        "{deps}"
    );
    assert!(deps.contains("better-sqlite3"), "says why: {deps}");
    // node-gyp builds against the image's headers rather than downloading them.
    let env = deps.find("ENV npm_config_nodedir=/usr/local\n");
    let install = deps.find("RUN npm ");
    assert!(env.is_some() && env < install, "{deps}");
    assert!(!stage(&file, "runtime").contains("apt-get"), "{file}");
    assert!(!stage(&file, "runtime").contains("nodedir"), "{file}");
}

#[test]
fn openssl_sys_gets_headers_to_build_and_the_library_to_run() {
    let (file, _) = generated("rust-openssl", "rust-openssl");
    let builder = stage(&file, "builder");
    assert!(
        builder.contains(
            "apt-get install -y --no-install-recommends libssl-dev=3.0.* pkg-config=1.8.*"
        ),
        "{builder}"
    );
    let runtime = stage(&file, "runtime");
    assert!(
        runtime.contains("apt-get install -y --no-install-recommends libssl3=3.0.*"),
        "{runtime}"
    );
}

#[test]
fn a_vendored_openssl_needs_perl_to_build_and_nothing_to_run() {
    let project = fixture("rust-openssl");
    // `features = ["vendored"]` brings openssl-src into the lockfile.
    let lock = std::fs::read_to_string(project.path("Cargo.lock")).unwrap();
    project.write(
        "Cargo.lock",
        &format!("{lock}\n[[package]]\nname = \"openssl-src\"\nversion = \"300.3.1+3.3.1\"\n"),
    );
    let file = project.builtin_file("docker/rust-openssl.Dockerfile");
    let builder = stage(&file, "builder");
    assert!(
        builder.contains("apt-get install -y --no-install-recommends make=4.3-* perl=5.36.* \\\n"),
        "{builder}"
    );
    assert!(!file.contains("libssl"), "{file}");
}

#[test]
fn browser_downloads_are_turned_off_in_the_install_stage_only() {
    let (file, _) = generated("node-browser-downloads", "node-browser-downloads");
    let deps = stage(&file, "deps");
    let env = deps
        .find("ENV PUPPETEER_SKIP_DOWNLOAD=1 \\\n    PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \\\n    CYPRESS_INSTALL_BINARY=0\n")
        .unwrap_or_else(|| panic!("{deps}"));
    let install = deps.find("RUN npm ci").unwrap();
    assert!(env < install, "{deps}");
    let runtime = stage(&file, "runtime");
    assert!(
        !runtime.contains("PUPPETEER") && !runtime.contains("CYPRESS"),
        "{runtime}"
    );
}

#[test]
fn an_embedded_ui_with_puppeteer_builds_without_its_browser() {
    let project = fixture("go-embed-ui");
    let package = project.read("server/ui/package.json");
    project.write(
        "server/ui/package.json",
        &package.replacen(
            "\"scripts\"",
            "\"devDependencies\": { \"puppeteer\": \"^24.1.0\" },\n  \"scripts\"",
            1,
        ),
    );
    let file = project.builtin_file("docker/server.Dockerfile");
    let ui = stage(&file, "ui-1");
    assert!(
        ui.contains(
            "ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0 \\\n    PUPPETEER_SKIP_DOWNLOAD=1 \\\n    PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1\n"
        ),
        "{ui}"
    );
    assert!(!stage(&file, "runtime").contains("PUPPETEER"), "{file}");
}

#[test]
fn the_projects_dockerfile_gives_node_its_release() {
    let (file, _) = generated("node-dockerfile-release", "node-dockerfile-release");
    assert_eq!(
        lines(&file, "FROM "),
        ["FROM node:20-slim AS deps", "FROM node:20-slim AS runtime"],
        "{file}"
    );
}

#[test]
fn a_protoc_build_script_gets_the_protobuf_compiler_in_the_builder_only() {
    let (file, _) = generated("rust-protoc", "rust-protoc");
    let builder = stage(&file, "builder");
    let apt = builder
        .find("apt-get install -y --no-install-recommends libprotobuf-dev=3.21.12-* protobuf-compiler=3.21.12-*")
        .unwrap_or_else(|| panic!("{builder}"));
    // Before the dependency build, whose build scripts (a dependency's too) run protoc.
    let dependencies = builder.find("cargo build").unwrap();
    assert!(apt < dependencies, "{builder}");
    assert!(!stage(&file, "runtime").contains("apt-get"), "{file}");
}

#[test]
fn checked_queries_build_against_a_throwaway_database_with_the_migrations_applied() {
    let (file, _) = generated("rust-sqlx-checked", "rust-sqlx-checked");
    let builder = stage(&file, "builder");
    assert!(
        builder.contains("apt-get install -y --no-install-recommends postgresql=15+*"),
        "{builder}"
    );
    // The dependency build needs no database; the service's build runs between its start and
    // its stop, after the migrations in sqlx's order.
    let start = builder
        .find("pg_ctl -D /tmp/query-check-db -o")
        .expect("a start");
    let migrate = builder
        .find("-f migrations/1_shelves.sql -f migrations/2_books.up.sql -f migrations/10_book_shelf.sql")
        .unwrap_or_else(|| panic!("{builder}"));
    let build = builder
        .find("DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres cargo build --release --locked --bin shelf")
        .unwrap_or_else(|| panic!("{builder}"));
    let stop = builder.find("-m fast -w stop").expect("a stop");
    assert!(builder.find("cargo build").unwrap() < start, "{builder}");
    assert!(
        start < migrate && migrate < build && build < stop,
        "{builder}"
    );
    assert!(!builder.contains(".down.sql"), "{builder}");
    let runtime = stage(&file, "runtime");
    assert!(!runtime.contains("postgres"), "{runtime}");
}

#[test]
fn what_the_projects_dockerfile_installs_beside_its_requirements_is_installed_in_the_same_layer() {
    let (file, _) = generated("python-uwsgi-extras", "python-uwsgi-extras");
    let builder = stage(&file, "builder");
    assert!(
        builder.contains(
            "RUN pip install --no-cache-dir -r requirements.txt \\\n    && pip install --no-cache-dir uwsgi==2.0.30"
        ),
        "{builder}"
    );
    let runtime = stage(&file, "runtime");
    assert!(runtime.contains("VIRTUAL_ENV=/opt/venv"), "{runtime}");
    assert!(
        runtime.contains(r#"CMD ["uwsgi", "--ini", "docker/uwsgi.ini", "--chdir", "."]"#),
        "{runtime}"
    );
}

/// The volume mounts and volumes of a rendered Deployment (manifest or chart template):
/// `name mountPath` and `name emptyDir` lines, in order.
fn mounts_and_volumes(text: &str) -> (Vec<String>, Vec<String>) {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut mounts = Vec::new();
    let mut volumes = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let Some(name) = line.strip_prefix("- name: ") else {
            continue;
        };
        match lines.get(at + 1) {
            Some(next) if next.starts_with("mountPath: ") => {
                mounts.push(format!("{name} {}", &next["mountPath: ".len()..]));
            }
            Some(next) if next.starts_with("emptyDir:") => volumes.push(format!("{name} emptyDir")),
            _ => {}
        }
    }
    (mounts, volumes)
}

#[test]
fn a_data_directory_is_made_for_the_runtime_user_and_mounted_from_an_empty_dir() {
    let project = fixture("node-data-dir");
    let dockerfile = project.builtin_file("docker/node-data-dir.Dockerfile");
    let runtime = stage(&dockerfile, "runtime");
    // Made and owned by the runtime user before the switch to it, so the image also runs
    // without the mount.
    let made = runtime
        .find("RUN mkdir -p /app/data \\\n    && chown 10001:10001 /app/data\n")
        .unwrap_or_else(|| panic!("{dockerfile}"));
    assert!(
        made < runtime.find("USER 10001:10001").unwrap(),
        "{dockerfile}"
    );
    // The variable's value and the compose mount say the same directory: one volume.
    for path in [
        "k8s/node-data-dir-deployment.yaml",
        "helm-charts/node-data-dir/templates/node-data-dir-deployment.yaml",
    ] {
        let text = project.builtin_file(path);
        let (mounts, volumes) = mounts_and_volumes(&text);
        assert_eq!(mounts, ["tmp /tmp", "data /app/data"], "{path}:\n{text}");
        assert_eq!(
            volumes,
            ["tmp emptyDir", "data emptyDir"],
            "{path}:\n{text}"
        );
        assert!(
            text.contains("# Data the app writes: /app/data (volume `data`).")
                && text.contains("replace it with a persistentVolumeClaim."),
            "the emptyDir is stated as such: {text}"
        );
    }
    let manifest = project.builtin_file("k8s/node-data-dir-deployment.yaml");
    assert!(
        manifest.contains("readOnlyRootFilesystem: true"),
        "{manifest}"
    );
    let values = project.builtin_file("helm-charts/node-data-dir/values.yaml");
    assert!(values.contains("readOnlyRootFilesystem: true"), "{values}");
}

#[test]
fn data_directories_outside_the_working_directory_keep_their_path() {
    let project = fixture("python-data-dir");
    let dockerfile = project.builtin_file("docker/python-data-dir.Dockerfile");
    assert!(
        dockerfile.contains(
            "RUN mkdir -p /var/lib/wall /app/thumbnails /app/cache \\\n    && chown 10001:10001 /var/lib/wall /app/thumbnails /app/cache\n"
        ),
        "{dockerfile}"
    );
    let deployment = project.builtin_file("k8s/python-data-dir-deployment.yaml");
    let (mounts, volumes) = mounts_and_volumes(&deployment);
    assert_eq!(
        mounts,
        [
            "tmp /tmp",
            "var-lib-wall /var/lib/wall",
            "thumbnails /app/thumbnails",
            "cache /app/cache"
        ]
    );
    assert_eq!(volumes.len(), 4, "{deployment}");
    // An app that writes nothing gets /tmp alone, and no data comment.
    let plain = fixture("node-no-deps").builtin_file("k8s/node-no-deps-deployment.yaml");
    assert_eq!(mounts_and_volumes(&plain).0, ["tmp /tmp"]);
    assert!(!plain.contains("Data the app writes"), "{plain}");
}

#[test]
fn a_file_the_projects_dockerfile_copies_in_from_elsewhere_follows_into_the_image() {
    let (file, ignore) = generated("node-shared-proto", "quote");
    let runtime = stage(&file, "runtime");
    let source = runtime
        .find("COPY --from=source --chown=10001:10001 /app ./\n")
        .unwrap_or_else(|| panic!("{runtime}"));
    let shared = runtime
        .find(
            "# From elsewhere in the repository, where the project's container has it \
             (services/quote/Dockerfile:6).\n\
             COPY --chown=10001:10001 proto/quote.proto quote.proto\n",
        )
        .unwrap_or_else(|| panic!("{runtime}"));
    // After the service's own files, to the place the project's image has it.
    assert!(source < shared, "{runtime}");
    assert_eq!(
        lines(&ignore, "!"),
        ["!services/quote", "!proto/quote.proto"],
        "{ignore}"
    );
}

#[test]
fn every_binary_cargo_toml_declares_gets_a_placeholder_for_the_dependency_build() {
    let (file, _) = generated("rust-second-bin", "rust-second-bin");
    let builder = stage(&file, "builder");
    assert!(
        builder.contains(
            "RUN mkdir src \\\n    && echo 'fn main() {}' > src/main.rs \\\n    \
             && echo 'fn main() {}' > src/probe.rs \\\n    && cargo build --release --locked \\\n    \
             && rm -rf src\n"
        ),
        "{builder}"
    );
    assert!(
        builder.contains("RUN touch src/main.rs src/probe.rs \\\n    && cargo build --release --locked --bin tally"),
        "{builder}"
    );
}

#[test]
fn hadolint_with_every_rule_on_reports_nothing_for_the_input_fixtures() {
    let hadolint = StrictHadolint::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    for (name, service) in [
        ("go-root-beside-subfolders", "go-root-beside-subfolders"),
        ("go-embed-ui", "server"),
        ("python-served-ui", "api"),
        ("node-yarn-berry", "node-yarn-berry"),
        ("node-express-mounts", "node-express-mounts"),
        ("node-no-deps", "node-no-deps"),
        ("node-data-dir", "node-data-dir"),
        ("node-migrate", "node-migrate"),
        ("python-data-dir", "python-data-dir"),
        ("python-release-pins", "python-release-pins"),
        ("node-shared-proto", "quote"),
        ("node-pnpm-undeclared", "node-pnpm-undeclared"),
        ("rust-openssl", "rust-openssl"),
        ("rust-second-bin", "rust-second-bin"),
        ("node-browser-downloads", "node-browser-downloads"),
        ("node-dockerfile-release", "node-dockerfile-release"),
        ("rust-protoc", "rust-protoc"),
        ("rust-sqlx-checked", "rust-sqlx-checked"),
        ("python-uwsgi-extras", "python-uwsgi-extras"),
    ] {
        let (file, _) = generated(name, service);
        let path = dir.path().join(format!("{name}.Dockerfile"));
        std::fs::write(&path, file).unwrap();
        paths.push(path);
    }
    let (code, stdout, stderr) = hadolint.check(&paths);
    assert!(
        stdout.trim().is_empty() && code == 0,
        "hadolint found problems (exit {code}):\n{stdout}{stderr}"
    );
}

/// The YAML block of `text` that starts at the line `key:` (indented as written) and ends before
/// the next line indented as much or less.
fn block<'a>(text: &'a str, key: &str) -> &'a str {
    let start = text
        .find(&format!("{key}:\n"))
        .unwrap_or_else(|| panic!("no {key} in\n{text}"));
    let line_start = text[..start].rfind('\n').map_or(0, |at| at + 1);
    let rest = &text[line_start..];
    let indent = rest.len() - rest.trim_start().len();
    let mut end = rest.len();
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        let depth = line.len() - line.trim_start().len();
        if i > 0
            && !line.trim().is_empty()
            && depth <= indent
            && !line.trim_start().starts_with('-')
        {
            end = offset;
            break;
        }
        offset += line.len();
    }
    &rest[..end]
}

#[test]
fn steps_before_the_server_become_init_containers_of_the_same_image_and_hardening() {
    let project = fixture("node-migrate");
    // The image still starts the server, with the flag its start script passes.
    let dockerfile = project.builtin_file("docker/node-migrate.Dockerfile");
    assert_eq!(
        lines(&dockerfile, "CMD ").last(),
        Some(&r#"CMD ["node", "server.js", "--production"]"#),
        "{dockerfile}"
    );
    for path in [
        "k8s/node-migrate-deployment.yaml",
        "helm-charts/node-migrate/templates/node-migrate-deployment.yaml",
    ] {
        let text = project.builtin_file(path);
        assert!(
            text.contains(
                "# Run to completion before the server starts, as the project does: `npm run migrate` (Dockerfile:8).\n"
            ),
            "{path}:\n{text}"
        );
        let init = block(&text, "      initContainers");
        let main = block(&text, "      containers");
        assert!(
            init.contains("- name: prestart-1\n")
                && init.contains(
                    "command:\n            - npm\n            - run\n            - migrate\n"
                ),
            "{path}:\n{init}"
        );
        // The same image, environment, security context and writable mounts as the server.
        assert_eq!(lines(init, "image:"), lines(main, "image:"), "{path}");
        for key in ["env", "securityContext", "volumeMounts"] {
            assert_eq!(
                block(init, &format!("          {key}")),
                block(main, &format!("          {key}")),
                "{path}: {key} differs\n{text}"
            );
        }
        let (mounts, _) = mounts_and_volumes(init);
        assert_eq!(
            mounts,
            ["tmp /tmp", "var-lib-notes /var/lib/notes"],
            "{path}:\n{init}"
        );
        assert!(
            !init.contains("Probe:") && !init.contains("ports:"),
            "{init}"
        );
    }
}

#[test]
fn pins_without_wheels_for_the_newest_python_get_the_newest_python_that_has_them() {
    let (dockerfile, _) = generated("python-release-pins", "python-release-pins");
    let froms = lines(&dockerfile, "FROM ");
    assert!(
        !froms.is_empty() && froms.iter().all(|f| f.starts_with("FROM python:3.11-slim")),
        "{dockerfile}"
    );
    let project = fixture("python-release-pins");
    let manifest = project.builtin_file("k8s/python-release-pins-deployment.yaml");
    let init = block(&manifest, "      initContainers");
    assert!(
        init.contains("- name: prestart-1\n          image:")
            && init.contains("- flask\n            - seed-admin\n")
            && init.contains("- name: prestart-2\n")
            && init.contains("- flask\n            - db\n            - upgrade\n"),
        "{manifest}"
    );
}
