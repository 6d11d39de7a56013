//! `aigen detect` end to end: the binary runs on copies of the fixtures in
//! `tests/fixtures/detect/`, one per ecosystem and framework plus broken manifests and a
//! monorepo, and every value and its `file:line` source is checked through the JSON output.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::command::{Run, run_in};
use crate::support::files::copy_committed;
use serde_json::Value;
use tempfile::TempDir;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/detect")
}

/// A copy of a fixture in a fresh directory (so no `aigen.toml` above it is found), under its
/// own name (so a service at the root is named after the fixture).
pub(crate) fn copy_fixture(name: &str) -> (TempDir, PathBuf) {
    copy_named(&fixtures(), name)
}

/// A copy of the directory `name` of `root` in a fresh directory, under its own name.
pub(crate) fn copy_named(root: &Path, name: &str) -> (TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join(name);
    copy_committed(&root.join(name), &dir);
    (temp, dir)
}

/// `aigen detect --format json` in `dir`: the run, and its report (null when stdout is not
/// JSON, so that the exit code and stderr are what a failing check shows).
pub(crate) fn detect_json(dir: &Path) -> (Run, Value) {
    let run = run_in(dir, &["detect", "--format", "json"]);
    let json = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run, json)
}

/// [`detect_json`], checked: exit 0, and every `file:line` source names a line of a real file.
pub(crate) fn detect_ok(dir: &Path) -> Value {
    let (run, json) = detect_json(dir);
    assert_eq!(run.code, 0, "{}", run.stderr);
    check_sources(dir, &json);
    json
}

/// [`detect_ok`], with no problems reported either.
pub(crate) fn detect_clean(dir: &Path) -> Value {
    let json = detect_ok(dir);
    assert_eq!(problems(&json), Vec::<String>::new());
    json
}

/// `value @ source` of a `{"value": ..., "source": ...}` object, or `-` when absent.
pub(crate) fn sourced(field: &Value, show: impl Fn(&Value) -> String) -> String {
    if field.is_null() {
        return "-".to_string();
    }
    let source = field["source"].as_str().expect("every value has a source");
    format!("{} @ {source}", show(&field["value"]))
}

pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(" "),
        Value::Null => "-".to_string(),
        other => other.to_string(),
    }
}

/// One service, one line per fact, read from the JSON output.
pub(crate) fn describe(service: &Value) -> String {
    let framework = |f: &Value| {
        format!(
            "{} version={} major={} standalone={}",
            text(&f["kind"]),
            text(&f["version"]),
            text(&f["major"]),
            text(&f["standalone"])
        )
    };
    let mut lines = vec![
        format!(
            "{} ({}, {})",
            text(&service["name"]),
            text(&service["path"]),
            text(&service["manifest"])
        ),
        format!("class: {}", sourced(&service["class"], text)),
        format!("language: {}", sourced(&service["language"], text)),
        format!("version: {}", sourced(&service["language_version"], text)),
        format!("framework: {}", sourced(&service["framework"], framework)),
        format!("packages: {}", sourced(&service["package_manager"], text)),
        format!("lockfile: {}", sourced(&service["lockfile"], text)),
        format!("start: {}", sourced(&service["start_command"], text)),
        format!("build: {}", sourced(&service["build_command"], text)),
        format!("entrypoint: {}", sourced(&service["entrypoint"], text)),
        format!("port: {}", sourced(&service["port"], text)),
        format!("health: {}", sourced(&service["health_path"], text)),
        format!("readiness: {}", sourced(&service["readiness_path"], text)),
    ];
    for var in service["env"].as_array().expect("env is a list") {
        let kind = if var["secret"].as_bool().unwrap() {
            "secret"
        } else {
            "plain"
        };
        lines.push(format!(
            "env: {} {kind} @ {}",
            text(&var["name"]),
            text(&var["source"])
        ));
    }
    lines.join("\n")
}

/// The directories set aside, each with its reason and source.
pub(crate) fn skipped(json: &Value) -> Vec<String> {
    json["skipped"]
        .as_array()
        .expect("skipped is a list")
        .iter()
        .map(|s| {
            format!(
                "{} {} @ {}",
                text(&s["path"]),
                text(&s["reason"]),
                text(&s["source"])
            )
        })
        .collect()
}

/// The names of the services found, in report order.
pub(crate) fn service_names(json: &Value) -> Vec<String> {
    json["services"]
        .as_array()
        .expect("services is a list")
        .iter()
        .map(|s| text(&s["name"]))
        .collect()
}

fn describe_all(json: &Value) -> Vec<String> {
    json["services"]
        .as_array()
        .expect("services is a list")
        .iter()
        .map(describe)
        .collect()
}

pub(crate) fn problems(json: &Value) -> Vec<String> {
    json["problems"]
        .as_array()
        .expect("problems is a list")
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{}: {}",
                text(&p["path"]),
                text(&p["line"]),
                text(&p["column"]),
                text(&p["message"])
            )
        })
        .collect()
}

/// Every `file:line` source in the output names an existing file with that many lines.
fn check_sources(root: &Path, value: &Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(source)) = map.get("source") {
                if source.starts_with("convention: ") {
                    // A program's documented default, named.
                } else if let Some((file, line)) = source.rsplit_once(':') {
                    let line: usize = line.parse().unwrap();
                    let text = fs::read_to_string(root.join(file))
                        .unwrap_or_else(|e| panic!("source {source}: {e}"));
                    assert!(
                        line >= 1 && line <= text.lines().count().max(1),
                        "source {source} is past the end of the file"
                    );
                } else {
                    assert!(source == "default" || source == "aigen.toml", "{source}");
                }
            }
            map.values().for_each(|v| check_sources(root, v));
        }
        Value::Array(items) => items.iter().for_each(|v| check_sources(root, v)),
        _ => {}
    }
}

/// Detects one fixture and checks its only service, with no problems.
fn assert_single(name: &str, expected: &str) {
    let (_temp, dir) = copy_fixture(name);
    let json = detect_clean(&dir);
    assert_eq!(describe_all(&json), vec![expected.to_string()]);
}

#[test]
fn fastapi_with_uv_and_pydantic_settings() {
    assert_single(
        "python-fastapi",
        "python-fastapi (., pyproject.toml)
class: backend @ pyproject.toml:7
language: python @ pyproject.toml:1
version: 3.13 @ .python-version:1
framework: fastapi version=>=0.115,<1 major=0 standalone=- @ pyproject.toml:7
packages: uv @ uv.lock:1
lockfile: uv.lock @ uv.lock:1
start: uvicorn src.api.main:app --host 0.0.0.0 --port 8000 @ src/api/main.py:8
build: -
entrypoint: src.api.main:app @ src/api/main.py:8
port: 8000 @ convention: uvicorn's default port
health: /healthz @ src/api/main.py:11
readiness: /readyz @ src/api/main.py:16
env: LOG_LEVEL plain @ .env.example:3
env: ORDERS_DATABASE_URL secret @ src/api/settings.py:9
env: ORDERS_PAGE_SIZE plain @ src/api/settings.py:10
env: REDIS_URL secret @ src/api/settings.py:13
env: STRIPE_API_KEY secret @ src/api/settings.py:14",
    );
}

#[test]
fn flask_with_requirements_txt() {
    assert_single(
        "python-flask",
        "python-flask (., requirements.txt)
class: backend @ requirements.txt:2
language: python @ requirements.txt:1
version: -
framework: flask version===3.0.3 major=3 standalone=- @ requirements.txt:2
packages: pip @ requirements.txt:1
lockfile: requirements.txt @ requirements.txt:1
start: gunicorn --bind 0.0.0.0:5000 app:app @ app.py:5
build: -
entrypoint: app:app @ app.py:5
port: 5000 @ app.py:16
health: /health @ app.py:10
readiness: -
env: SECRET_KEY secret @ app.py:6
env: UPLOAD_DIR plain @ app.py:7",
    );
}

#[test]
fn django_with_poetry() {
    assert_single(
        "python-django",
        "python-django (., pyproject.toml)
class: backend @ pyproject.toml:9
language: python @ pyproject.toml:1
version: 3.11 @ pyproject.toml:8
framework: django version=^5.0 major=5 standalone=- @ pyproject.toml:9
packages: poetry @ poetry.lock:1
lockfile: poetry.lock @ poetry.lock:1
start: gunicorn --bind 0.0.0.0:8000 shop.wsgi:application @ shop/wsgi.py:7
build: -
entrypoint: shop.wsgi:application @ shop/wsgi.py:7
port: 8000 @ convention: gunicorn's default port
health: /healthz/ @ shop/urls.py:12
readiness: /readyz/ @ shop/urls.py:13
env: DJANGO_ALLOWED_HOSTS plain @ shop/settings.py:7
env: DJANGO_DEBUG plain @ shop/settings.py:6
env: DJANGO_SECRET_KEY secret @ shop/settings.py:5
env: DJANGO_SETTINGS_MODULE plain @ manage.py:6
env: POSTGRES_HOST plain @ shop/settings.py:12
env: POSTGRES_PASSWORD secret @ shop/settings.py:13",
    );
}

#[test]
fn flask_factory_with_pipenv() {
    assert_single(
        "python-pipenv",
        "python-pipenv (., Pipfile)
class: backend @ Pipfile:7
language: python @ Pipfile:1
version: 3.12 @ Pipfile:14
framework: flask version=~=3.0 major=3 standalone=- @ Pipfile:7
packages: pipenv @ Pipfile.lock:1
lockfile: Pipfile.lock @ Pipfile.lock:1
start: gunicorn --bind 0.0.0.0:8000 app:create_app() @ app/__init__.py:6
build: -
entrypoint: app:create_app() @ app/__init__.py:6
port: 8000 @ convention: gunicorn's default port
health: /livez @ app/__init__.py:10
readiness: -
env: DATABASE_URI secret @ app/__init__.py:8",
    );
}

#[test]
fn nextjs_16_standalone_with_pnpm_and_app_routes() {
    assert_single(
        "node-next-standalone",
        "node-next-standalone (., package.json)
class: frontend @ package.json:15
language: node @ package.json:1
version: 20 @ package.json:12
framework: next.js version=^16.0.1 major=16 standalone=true @ package.json:15
packages: pnpm @ pnpm-lock.yaml:1
lockfile: pnpm-lock.yaml @ pnpm-lock.yaml:1
start: node server.js @ next.config.ts:6
build: pnpm run build @ package.json:7
entrypoint: -
port: 3000 @ convention: Next.js's default port
health: /shop/api/health @ app/api/health/route.ts:5
readiness: /shop/readyz @ app/(ops)/readyz/route.ts:1
env: AUTH_SECRET secret @ app/(ops)/readyz/route.ts:2
env: CATALOG_API_URL plain @ .env.example:3
env: NEXT_PUBLIC_STRIPE_KEY plain @ app/page.tsx:1",
    );
}

#[test]
fn nextjs_14_pages_router_with_yarn_and_port_in_start_script() {
    assert_single(
        "node-next-pages",
        "node-next-pages (., package.json)
class: frontend @ package.json:11
language: node @ package.json:1
version: 20 @ .nvmrc:1
framework: next.js version=14.2.5 major=14 standalone=false @ package.json:11
packages: yarn @ yarn.lock:1
lockfile: yarn.lock @ yarn.lock:1
start: yarn start @ package.json:8
build: yarn run build @ package.json:7
entrypoint: -
port: 3001 @ package.json:8
health: /api/health @ pages/api/health.ts:3
readiness: /api/ready @ pages/api/ready/index.ts:6
env: OPENAI_API_KEY secret @ pages/api/ready/index.ts:4",
    );
}

#[test]
fn express_with_npm() {
    assert_single(
        "node-express",
        "node-express (., package.json)
class: backend @ package.json:13
language: node @ package.json:1
version: 18 @ package.json:10
framework: express version=^4.19.2 major=4 standalone=- @ package.json:13
packages: npm @ package-lock.json:1
lockfile: package-lock.json @ package-lock.json:1
start: node src/server.js @ package.json:6
build: -
entrypoint: src/server.js @ src/server.js:17
port: 4000 @ src/server.js:5
health: /healthz @ src/server.js:10
readiness: /ready @ src/server.js:11
env: JWT_SECRET secret @ src/server.js:4
env: MONGODB_URI secret @ src/server.js:4
env: PORT plain @ src/server.js:5",
    );
}

#[test]
fn nestjs_controllers_and_start_prod() {
    assert_single(
        "node-nestjs",
        "node-nestjs (., package.json)
class: backend @ package.json:11
language: node @ package.json:1
version: -
framework: nestjs version=^10.3.0 major=10 standalone=- @ package.json:11
packages: npm @ package-lock.json:1
lockfile: package-lock.json @ package-lock.json:1
start: node dist/main @ package.json:7
build: npm run build @ package.json:5
entrypoint: src/main.ts @ src/main.ts:5
port: 3100 @ src/main.ts:6
health: /health @ src/health/health.controller.ts:5
readiness: /health/ready @ src/health/health.controller.ts:10
env: DATABASE_URL secret @ src/health/health.controller.ts:12
env: PORT plain @ src/main.ts:6",
    );
}

#[test]
fn go_net_http_with_cmd_layout() {
    assert_single(
        "go-nethttp",
        "go-nethttp (., go.mod)
class: backend @ cmd/server/main.go:5
language: go @ go.mod:1
version: 1.22.4 @ go.mod:3
framework: net/http version=- major=- standalone=- @ cmd/server/main.go:5
packages: go @ go.mod:1
lockfile: -
start: ./server @ cmd/server/main.go:11
build: go build -o server ./cmd/server @ cmd/server/main.go:11
entrypoint: ./cmd/server @ cmd/server/main.go:11
port: 8081 @ cmd/server/main.go:14
health: /healthz @ cmd/server/main.go:18
readiness: /readyz @ cmd/server/main.go:21
env: DATABASE_URL secret @ internal/store/store.go:10
env: PGPASSWORD secret @ internal/store/store.go:14
env: PORT plain @ cmd/server/main.go:12",
    );
}

#[test]
fn go_gin() {
    assert_single(
        "go-gin",
        "go-gin (., go.mod)
class: backend @ go.mod:6
language: go @ go.mod:1
version: 1.21 @ go.mod:3
framework: gin version=v1.10.0 major=1 standalone=- @ go.mod:6
packages: go @ go.mod:1
lockfile: go.sum @ go.sum:1
start: ./server @ main.go:10
build: go build -o server . @ main.go:10
entrypoint: . @ main.go:10
port: 9090 @ main.go:16
health: /health @ main.go:13
readiness: /ready @ main.go:14
env: API_TOKEN secret @ main.go:11",
    );
}

#[test]
fn rust_axum() {
    assert_single(
        "rust-axum",
        "rust-axum (., Cargo.toml)
class: backend @ Cargo.toml:8
language: rust @ Cargo.toml:1
version: 1.80 @ Cargo.toml:5
framework: axum version=0.7.5 major=0 standalone=- @ Cargo.toml:8
packages: cargo @ Cargo.toml:1
lockfile: Cargo.lock @ Cargo.lock:1
start: ./target/release/ledger @ Cargo.toml:2
build: cargo build --release --locked @ Cargo.toml:1
entrypoint: src/main.rs @ src/main.rs:8
port: 3000 @ src/main.rs:15
health: /health @ src/main.rs:13
readiness: /ready @ src/main.rs:14
env: DATABASE_URL secret @ src/main.rs:9",
    );
}

#[test]
fn rust_actix_with_a_named_binary_and_pinned_toolchain() {
    assert_single(
        "rust-actix",
        "rust-actix (., Cargo.toml)
class: backend @ Cargo.toml:11
language: rust @ Cargo.toml:1
version: 1.79.0 @ rust-toolchain.toml:2
framework: actix-web version=4.8 major=4 standalone=- @ Cargo.toml:11
packages: cargo @ Cargo.toml:1
lockfile: -
start: ./target/release/sessions-api @ Cargo.toml:7
build: cargo build --release @ Cargo.toml:1
entrypoint: src/main.rs @ src/main.rs:9
port: 8081 @ src/main.rs:13
health: /healthz @ src/main.rs:3
readiness: -
env: SESSION_KEY secret @ src/main.rs:10",
    );
}

#[test]
fn spring_boot_with_maven_and_actuator() {
    assert_single(
        "java-maven",
        "java-maven (., pom.xml)
class: backend @ pom.xml:6
language: java @ pom.xml:1
version: 21 @ pom.xml:14
framework: spring-boot version=3.3.1 major=3 standalone=- @ pom.xml:6
packages: maven @ pom.xml:1
lockfile: -
start: java -jar app.jar @ pom.xml:6
build: ./mvnw -B package -DskipTests @ pom.xml:1
entrypoint: com.example.orders.OrdersApplication @ src/main/java/com/example/orders/OrdersApplication.java:6
port: 8081 @ src/main/resources/application.properties:2
health: /actuator/health @ pom.xml:23
readiness: /actuator/health/readiness @ pom.xml:23
env: DATABASE_URL secret @ src/main/resources/application.properties:3
env: DB_PASSWORD secret @ src/main/resources/application.properties:4
env: PORT plain @ src/main/resources/application.properties:2
env: STRIPE_API_KEY secret @ src/main/java/com/example/orders/PaymentClient.java:7",
    );
}

#[test]
fn spring_boot_with_gradle_and_yaml_config() {
    assert_single(
        "java-gradle",
        "java-gradle (., build.gradle)
class: backend @ build.gradle:3
language: java @ build.gradle:1
version: 17 @ build.gradle:12
framework: spring-boot version=3.2.5 major=3 standalone=- @ build.gradle:3
packages: gradle @ build.gradle:1
lockfile: -
start: java -jar app.jar @ build.gradle:3
build: ./gradlew bootJar @ build.gradle:1
entrypoint: com.example.notify.NotifyApplication @ src/main/java/com/example/notify/NotifyApplication.java:6
port: 9000 @ src/main/resources/application.yml:8
health: /healthz @ src/main/java/com/example/notify/ProbeController.java:8
readiness: /readyz @ src/main/java/com/example/notify/ProbeController.java:13
env: SMTP_PASSWORD secret @ src/main/resources/application.yml:5",
    );
}

#[test]
fn monorepo_services_are_the_shallowest_manifest_directories() {
    let (_temp, dir) = copy_fixture("monorepo");
    // Dependency, build and ignored directories hold manifests that are not services.
    for skipped in [
        "node_modules/left-pad/package.json",
        "web/node_modules/vite/package.json",
        ".venv/lib/pyproject.toml",
        "env/pyvenv.cfg",
        "env/pyproject.toml",
        "dist/package.json",
        "legacy/package.json",
    ] {
        let path = dir.join(skipped);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "{\"name\": \"x\"}\n").unwrap();
    }
    let json = detect_clean(&dir);
    let names: Vec<(String, String)> = json["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (text(&s["name"]), text(&s["path"])))
        .collect();
    assert_eq!(
        names,
        [
            ("api", "services/api"),
            ("web", "web"),
            ("worker", "services/worker"),
        ]
        .map(|(n, p)| (n.to_string(), p.to_string()))
    );
    // The root only holds the workspace; `jobs/worker` exports a value and starts nothing;
    // `services/api/tools` is a package of tools.
    assert_eq!(
        skipped(&json),
        [
            ". workspace-root @ package.json:1",
            "jobs/worker library @ jobs/worker/package.json:1",
            "services/api/tools tooling @ services/api/tools/package.json:1",
        ]
    );
    let described = describe_all(&json);
    assert_eq!(
        described[0],
        "api (services/api, requirements.txt)
class: backend @ services/api/requirements.txt:1
language: python @ services/api/requirements.txt:1
version: -
framework: fastapi version===0.111.0 major=0 standalone=- @ services/api/requirements.txt:1
packages: pip @ services/api/requirements.txt:1
lockfile: requirements.txt @ services/api/requirements.txt:1
start: uvicorn main:app --host 0.0.0.0 --port 8000 @ services/api/main.py:5
build: -
entrypoint: main:app @ services/api/main.py:5
port: 8000 @ convention: uvicorn's default port
health: /health @ services/api/main.py:9
readiness: -
env: QUEUE_URL plain @ services/api/main.py:6"
    );
    assert_eq!(
        described[1],
        "web (web, package.json)
class: frontend @ web/package.json:6
language: node @ web/package.json:1
version: -
framework: -
packages: npm @ package.json:4
lockfile: -
start:  @ default
build: npm run build @ web/package.json:4
entrypoint: -
port: -
health: -
readiness: -
env: VITE_API_URL plain @ web/src/main.tsx:1"
    );
}

#[test]
fn a_root_of_tools_alone_is_not_a_service() {
    let (_temp, dir) = copy_fixture("monorepo");
    fs::remove_dir_all(dir.join("services")).unwrap();
    fs::remove_dir_all(dir.join("web")).unwrap();
    fs::remove_dir_all(dir.join("jobs")).unwrap();
    let (run, json) = detect_json(&dir);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(json["services"].as_array().unwrap().is_empty());
    assert_eq!(skipped(&json), [". workspace-root @ package.json:1"]);
}

#[test]
fn broken_manifests_are_reported_and_the_rest_is_detected() {
    let (_temp, dir) = copy_fixture("broken");
    let (run, json) = detect_json(&dir);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(service_names(&json), ["good"]);
    assert_eq!(
        problems(&json),
        [
            "bad-cargo/Cargo.toml:4:1: invalid TOML: duplicate key",
            "bad-gradle/build.gradle:1:9: `{` is never closed",
            "bad-json/package.json:5:3: invalid JSON: trailing comma",
            "bad-pom/pom.xml:6:3: `</dependencies>` closes `<dependency>` opened at line 4",
            "bad-toml/pyproject.toml:3:26: invalid TOML: invalid basic string, expected `\"`",
            "bad-utf8/requirements.txt:2:1: cannot read the file: it is not UTF-8 text",
            "no-module/go.mod:1:1: no `module` directive: go.mod must start by naming its module",
        ]
    );
    assert!(
        run.stderr
            .contains("warning: bad-json/package.json:5:3: invalid JSON: trailing comma"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_manifest_is_a_problem_without_a_line() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("repo");
    fs::create_dir_all(dir.join("web")).unwrap();
    std::os::unix::fs::symlink("gone.json", dir.join("web/package.json")).unwrap();
    fs::create_dir_all(dir.join("api")).unwrap();
    fs::write(dir.join("api/go.mod"), "module api\n\ngo 1.22\n").unwrap();
    fs::write(dir.join("api/main.go"), "package main\n\nfunc main() {}\n").unwrap();
    let (run, json) = detect_json(&dir);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(json["services"][0]["name"], "api");
    let problem = &json["problems"][0];
    assert_eq!(problem["path"], "web/package.json");
    assert!(problem["line"].is_null());
    assert!(
        text(&problem["message"]).starts_with("cannot read the file:"),
        "{problem}"
    );
}

#[test]
fn nothing_but_broken_manifests_is_an_input_error() {
    let temp = tempfile::tempdir().unwrap();
    fs::write(temp.path().join("package.json"), "{ \"name\": ").unwrap();
    let (run, json) = detect_json(temp.path());
    assert_eq!(run.code, 2);
    assert_eq!(json["services"], Value::Array(Vec::new()));
    assert_eq!(
        json["problems"][0]["path"], "package.json",
        "{}",
        run.stdout
    );
}

#[test]
fn an_empty_directory_has_no_services() {
    let temp = tempfile::tempdir().unwrap();
    let run = run_in(temp.path(), &["detect"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("no services found"),
        "{}",
        run.stdout
    );
}

#[test]
fn services_declared_in_aigen_toml_win() {
    let (_temp, dir) = copy_fixture("config-override");
    let json = detect_ok(&dir);
    assert_eq!(
        describe_all(&json),
        ["api (backend, requirements.txt)
class: frontend @ aigen.toml
language: python @ backend/requirements.txt:1
version: -
framework: fastapi version===0.111.0 major=0 standalone=- @ backend/requirements.txt:1
packages: pip @ backend/requirements.txt:1
lockfile: requirements.txt @ backend/requirements.txt:1
start: uvicorn main:app --host 0.0.0.0 --port 8000 @ backend/main.py:3
build: -
entrypoint: main:app @ backend/main.py:3
port: 9999 @ aigen.toml
health: /status @ aigen.toml
readiness: /ready @ backend/main.py:11"]
    );
    assert_eq!(
        problems(&json),
        [
            "aigen.toml:-:-: service `ghost`: path `missing` is not a directory",
            "aigen.toml:-:-: service `notes`: no manifest in `notes` (looked for pyproject.toml, \
             requirements.txt, Pipfile, package.json, go.mod, Cargo.toml, pom.xml, build.gradle, \
             build.gradle.kts)",
        ]
    );
}

#[test]
fn a_ui_whose_build_writes_into_a_python_service_is_built_for_it() {
    let (_temp, dir) = copy_fixture("python-served-ui");
    let expected = serde_json::json!([{
        "path": {"value": "app/ui", "source": "web/vite.config.js:4"},
        "producer": {
            "dir": "web",
            "manager": "bun",
            "lockfile": "bun.lock",
            "workspace_root": ".",
            "source": "web/package.json:5"
        }
    }]);
    let json = detect_clean(&dir);
    let names: Vec<&str> = json["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["api"]);
    assert_eq!(json["services"][0]["inputs"]["built_ui"], expected);
    let web = json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == "web")
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(web["reason"], "built-into-another");

    // Declared services (as `aigen init` writes them) still receive it.
    fs::write(
        dir.join("aigen.toml"),
        "[[services]]\nname = \"api\"\npath = \"api\"\n",
    )
    .unwrap();
    let json = detect_clean(&dir);
    assert_eq!(json["services"][0]["inputs"]["built_ui"], expected);

    // Built on the host already: the source holds it, nothing is to be built.
    fs::create_dir_all(dir.join("api/app/ui")).unwrap();
    fs::write(dir.join("api/app/ui/index.html"), "<h1>Shop</h1>\n").unwrap();
    let json = detect_clean(&dir);
    assert!(
        json["services"][0]["inputs"]["built_ui"].is_null(),
        "{json}"
    );
}

#[test]
fn json_values_carry_their_source() {
    let (_temp, dir) = copy_fixture("go-gin");
    let (_, json) = detect_json(&dir);
    let service = &json["services"][0];
    assert_eq!(
        service["port"],
        serde_json::json!({"value": 9090, "source": "main.go:16"})
    );
    assert_eq!(
        service["framework"],
        serde_json::json!({
            "value": {"kind": "gin", "version": "v1.10.0", "major": 1},
            "source": "go.mod:6"
        })
    );
    assert_eq!(
        service["env"][0],
        serde_json::json!({"name": "API_TOKEN", "secret": true, "required": true, "source": "main.go:11"})
    );
    assert!(service["entrypoint"].is_object());
    assert_eq!(json["problems"], Value::Array(Vec::new()));
}

#[test]
fn text_output_shows_each_fact_with_its_source() {
    let (_temp, dir) = copy_fixture("python-fastapi");
    let run = run_in(&dir, &["detect"]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "python-fastapi (., pyproject.toml)");
    let row = |label: &str| {
        lines
            .iter()
            .find(|l| l.trim_start().starts_with(label))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    assert_eq!(
        row("framework"),
        "framework fastapi >=0.115,<1 pyproject.toml:7"
    );
    assert_eq!(row("port"), "port 8000 convention: uvicorn's default port");
    assert_eq!(row("health"), "health /healthz src/api/main.py:11");
    assert!(run.stdout.contains("STRIPE_API_KEY (secret)"));
}

/// The line a `file:line` source points at.
fn source_line(root: &Path, source: &Value) -> String {
    let source = source.as_str().expect("a source");
    let (file, line) = source.rsplit_once(':').expect("a file:line source");
    let text = fs::read_to_string(root.join(file)).unwrap();
    text.lines()
        .nth(line.parse::<usize>().unwrap() - 1)
        .unwrap_or_else(|| panic!("{source} is past the end of the file"))
        .to_string()
}

/// Checks a value, and that the line its source points at says it.
fn assert_fact(root: &Path, field: &Value, value: Value, evidence: &str) {
    assert_eq!(field["value"], value, "{field}");
    let line = source_line(root, &field["source"]);
    assert!(
        line.to_lowercase().contains(&evidence.to_lowercase()),
        "{} points at `{line}`, which does not say `{evidence}`",
        field["source"]
    );
}

#[test]
fn the_todo_example_has_its_three_services() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("todo-app");
    copy_committed(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/todo-app"),
        &dir,
    );
    let json = detect_clean(&dir);
    assert_eq!(
        service_names(&json),
        ["backend", "frontend-chatbot", "frontend-web"]
    );
    let service = |name: &str| {
        json["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()
            .clone()
    };
    let env = |service: &Value, name: &str| {
        service["env"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not detected"))
            .clone()
    };
    let fact =
        |field: &Value, value: Value, evidence: &str| assert_fact(&dir, field, value, evidence);
    let secret = |service: &Value, name: &str, secret: bool| {
        let var = env(service, name);
        assert_eq!(var["secret"], secret, "{var}");
        let line = source_line(&dir, &var["source"]);
        assert!(line.contains(name), "{var} points at `{line}`");
    };

    let backend = service("backend");
    assert_eq!(backend["path"], "backend");
    fact(&backend["class"], "backend".into(), "fastapi");
    fact(&backend["language"], "python".into(), "");
    fact(&backend["language_version"], "3.13".into(), "3.13");
    assert_eq!(backend["framework"]["value"]["kind"], "fastapi");
    fact(&backend["port"], 8000.into(), "8000");
    fact(
        &backend["start_command"],
        serde_json::json!([
            "uvicorn",
            "src.api.main:app",
            "--host",
            "0.0.0.0",
            "--port",
            "8000"
        ]),
        "FastAPI(",
    );
    fact(
        &backend["entrypoint"],
        "src.api.main:app".into(),
        "app = FastAPI(",
    );
    fact(&backend["health_path"], "/health".into(), "\"/health\"");
    fact(&backend["readiness_path"], "/ready".into(), "\"/ready\"");
    for (name, is_secret) in [
        ("DATABASE_URL", true),
        ("OPENAI_API_KEY", true),
        ("BETTER_AUTH_SECRET", true),
        ("CORS_ORIGINS", false),
        ("LOG_LEVEL", false),
    ] {
        secret(&backend, name, is_secret);
    }

    let web = service("frontend-web");
    fact(&web["class"], "frontend".into(), "\"next\"");
    assert_eq!(web["framework"]["value"]["kind"], "next.js");
    assert_eq!(web["framework"]["value"]["major"], 16);
    assert_eq!(web["framework"]["value"]["standalone"], true);
    fact(&web["port"], 3000.into(), "3000");
    fact(
        &web["start_command"],
        serde_json::json!(["node", "server.js"]),
        "standalone",
    );
    fact(&web["health_path"], "/health".into(), "export");
    assert!(text(&web["health_path"]["source"]).starts_with("frontend-web/app/health/route."));
    fact(&web["readiness_path"], "/ready".into(), "export");
    assert!(text(&web["readiness_path"]["source"]).starts_with("frontend-web/app/ready/route."));
    secret(&web, "NEXT_PUBLIC_API_URL", false);
    secret(&web, "BETTER_AUTH_SECRET", true);

    let chatbot = service("frontend-chatbot");
    fact(&chatbot["class"], "frontend".into(), "\"next\"");
    assert_eq!(chatbot["framework"]["value"]["kind"], "next.js");
    assert_eq!(chatbot["framework"]["value"]["major"], 14);
    assert_eq!(chatbot["framework"]["value"]["standalone"], false);
    fact(&chatbot["port"], 3001.into(), "3001");
    fact(
        &chatbot["start_command"],
        serde_json::json!(["npm", "start"]),
        "next start",
    );
    fact(&chatbot["health_path"], "/health".into(), "export");
    fact(&chatbot["readiness_path"], "/ready".into(), "export");
    secret(&chatbot, "NEXT_PUBLIC_API_URL", false);
    secret(&chatbot, "OPENAI_API_KEY", true);
}
