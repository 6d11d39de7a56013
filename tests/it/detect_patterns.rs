//! `aigen detect` on the layouts of real projects, each reproduced by a small sample app of our
//! own under `tests/fixtures/detect/`: a Go server at the root beside subfolders with manifests
//! of their own, a Procfile with a web and a worker process, Express routers mounted under
//! prefixes, a plain `node:http` server installed with Yarn 3, a polyglot monorepo of gRPC
//! services with a compose file, and a service whose own Dockerfile copies a shared file in from
//! elsewhere in the repository.
//! Each test checks what a person reading the app sees: which directories are services and why
//! the others are not, the start command, the port, the health path, and where each was read.

use std::fs;

use serde_json::Value;

use crate::detect::{
    copy_fixture, detect_clean, detect_json, detect_ok, problems, service_names, skipped, sourced,
    text,
};
use crate::support::command::run_in;

/// `value @ source` of one fact of a service, or `-` when detection found none.
fn fact(service: &Value, field: &str) -> String {
    sourced(&service[field], text)
}

/// The service at `path` with `kind` (a worker shares its directory with the server).
fn service<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["services"]
        .as_array()
        .expect("services is a list")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no service `{name}` in {json}"))
}

/// `value @ source` of each item of a list of build inputs.
fn inputs(service: &Value, list: &str) -> Vec<String> {
    listed(&service["inputs"][list])
}

/// `value @ source` of each item of a list of sourced values.
fn listed(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| sourced(item, text))
        .collect()
}

#[test]
fn a_go_server_at_the_root_is_found_beside_subfolders_with_manifests() {
    let (_temp, dir) = copy_fixture("go-root-beside-subfolders");
    let json = detect_clean(&dir);
    assert_eq!(service_names(&json), ["go-root-beside-subfolders"]);
    let root = service(&json, "go-root-beside-subfolders");
    assert_eq!(text(&root["path"]), ".");
    // The Go manifest decides, not the UI's package.json in a subfolder.
    assert_eq!(text(&root["manifest"]), "go.mod");
    assert_eq!(fact(root, "kind"), "http @ main.go:7");
    // The constant the code falls back to when PORT is unset, not a guessed 8080.
    assert_eq!(fact(root, "port"), "5050 @ main.go:14");
    // The route joined to a base path keeps its literal.
    assert_eq!(fact(root, "health_path"), "/_healthz @ main.go:31");
    assert_eq!(fact(root, "start_command"), "./server @ main.go:18");
    // It renders templates: a front end, reachable from outside the cluster.
    assert_eq!(fact(root, "class"), "frontend @ main.go:16");
    assert_eq!(
        root["inputs"]["native"][0]["needs"],
        serde_json::json!(["cgo"]),
        "go-sqlite3 needs cgo"
    );
    assert_eq!(
        inputs(root, "runtime_assets"),
        [
            "static/ @ static/site.css:1",
            "templates/ @ templates/index.html:1"
        ]
    );
    assert_eq!(
        skipped(&json),
        [
            "extra/seed aside @ extra/seed/package.json:1",
            "scripts aside @ scripts/go.mod:1",
            "ui built-into-another @ ui/vite.config.js:1",
        ]
    );
}

#[test]
fn a_procfile_gives_the_web_command_and_a_worker_from_the_same_code() {
    let (_temp, dir) = copy_fixture("python-procfile-worker");
    let json = detect_clean(&dir);
    assert_eq!(
        service_names(&json),
        ["python-procfile-worker", "python-procfile-worker-worker"]
    );
    let web = service(&json, "python-procfile-worker");
    // The Procfile's web process, not the client script with a `__main__` guard.
    assert_eq!(
        fact(web, "start_command"),
        "gunicorn -b :5000 --access-logfile - notes:app @ Procfile:1"
    );
    assert_eq!(fact(web, "kind"), "http @ requirements/base.txt:1");
    assert_eq!(fact(web, "port"), "5000 @ Procfile:1");
    // The blueprint's route under the prefix it is registered with.
    assert_eq!(fact(web, "health_path"), "/ops/healthz @ notes/ops.py:6");
    // Every file pip reads, through `-r`.
    assert_eq!(
        inputs(web, "requirement_files"),
        [
            "requirements/prod.txt @ requirements.txt:1",
            "requirements/base.txt @ requirements/prod.txt:1"
        ]
    );

    let worker = service(&json, "python-procfile-worker-worker");
    assert_eq!(text(&worker["path"]), ".");
    assert_eq!(fact(worker, "kind"), "worker @ Procfile:2");
    assert_eq!(
        fact(worker, "start_command"),
        "rq worker notes-tasks @ Procfile:2"
    );
    // A worker has no port and no probe path.
    assert_eq!(fact(worker, "port"), "-");
    assert_eq!(fact(worker, "health_path"), "-");
    assert_eq!(worker["undetermined"], serde_json::json!([]));

    assert_eq!(
        skipped(&json),
        ["loadgen load-generator @ loadgen/requirements.txt:1"]
    );
}

#[test]
fn express_routers_mounted_under_prefixes_give_the_full_health_path() {
    let (_temp, dir) = copy_fixture("node-express-mounts");
    let json = detect_clean(&dir);
    assert_eq!(service_names(&json), ["node-express-mounts"]);
    let app = service(&json, "node-express-mounts");
    // `health.get('/')` in a router mounted at `/health` in a router mounted at `/api`.
    assert_eq!(
        fact(app, "health_path"),
        "/api/health @ src/routes/health.js:4"
    );
    // The server's own fallback, not the Playwright config's port.
    assert_eq!(fact(app, "port"), "3300 @ src/index.js:3");
    // The start script compiles styles first: it runs as the script, through npm.
    assert_eq!(fact(app, "start_command"), "npm start @ package.json:7");
    assert_eq!(fact(app, "entrypoint"), "src/index.js @ src/index.js:4");
    assert_eq!(fact(app, "language_version"), "24 @ .nvmrc:1");
    // npm reads .npmrc (legacy-peer-deps): its settings reach npm in the image, the file
    // (which may hold a token) does not.
    assert_eq!(inputs(app, "config_files"), Vec::<String>::new());
    assert_eq!(
        app["inputs"]["npm_settings"],
        serde_json::json!([{"value": ["legacy-peer-deps", "true"], "source": ".npmrc:1"}])
    );
    assert_eq!(
        skipped(&json),
        [
            "packages/emails email-templates @ packages/emails/package.json:5",
            "tests/e2e aside @ tests/e2e/package.json:1",
        ]
    );
}

#[test]
fn a_polyglot_monorepo_lists_what_it_cannot_generate_for_and_finds_grpc_servers() {
    let (_temp, dir) = copy_fixture("polyglot-grpc");
    let json = detect_clean(&dir);
    assert_eq!(service_names(&json), ["checkout", "email"]);

    let checkout = service(&json, "checkout");
    // Registering the gRPC health service makes it a gRPC server: no HTTP probe path.
    assert_eq!(
        fact(checkout, "kind"),
        "grpc @ services/checkout/main.go:24"
    );
    assert_eq!(fact(checkout, "health_path"), "-");
    // compose sets PORT, which the code reads before its `defaultPort` constant.
    assert_eq!(fact(checkout, "port"), "5050 @ compose.yaml:5");
    assert_eq!(
        checkout["depends_on"],
        serde_json::json!([{"value": {"name": "db", "image": "postgres:16"}, "source": "compose.yaml:8"}])
    );
    let database = env_var(checkout, "DATABASE_URL");
    // A secret keeps the line the project sets it on, never its value: only its shape, the
    // password masked, which a run fills with a throwaway password.
    assert_eq!(database["secret"], true);
    assert_eq!(database["source"], "compose.yaml:6");
    assert!(database.get("value").is_none_or(Value::is_null));
    assert_eq!(
        sourced(&database["shape"], text),
        "postgres://shop:****@db/shop?sslmode=disable @ compose.yaml:6"
    );

    let email = service(&json, "email");
    assert_eq!(
        fact(email, "kind"),
        "grpc @ services/email/email_server.py:10"
    );
    // compose's command, not the client script beside the server.
    assert_eq!(
        fact(email, "start_command"),
        "python email_server.py @ compose.yaml:11"
    );
    assert_eq!(
        fact(email, "port"),
        "8080 @ services/email/email_server.py:9"
    );
    // The configuration file compose mounts from elsewhere in the repository goes into the
    // image, at the path the app reads it from.
    assert_eq!(
        email["inputs"]["imported_files"],
        serde_json::json!([{
            "value": {"path": "telemetry.yaml", "dest": "/etc/email/telemetry.yaml"},
            "source": "compose.yaml:13"
        }])
    );

    // Nothing is dropped silently: each directory aigen will not generate for says why.
    assert_eq!(
        skipped(&json),
        [
            "proxy dockerfile-only @ proxy/Dockerfile:1",
            "services/cart unsupported @ services/cart/cart.csproj:1",
        ]
    );
    let text = run_in(&dir, &["detect"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains("not services")
            && text.stdout.contains("C# (.NET): aigen generates for"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("DATABASE_URL (secret) = postgres://shop:****@db/shop?sslmode=disable"),
        "{}",
        text.stdout
    );
    // The password compose gives is shown nowhere.
    let json_text = run_in(&dir, &["detect", "--format", "json"]).stdout;
    for shown in [&text.stdout, &text.stderr, &json_text] {
        assert!(!shown.contains("shop-dev-7f3a9c"), "{shown}");
    }
}

#[test]
fn a_file_the_projects_dockerfile_copies_in_from_elsewhere_is_a_build_input() {
    let (_temp, dir) = copy_fixture("node-shared-proto");
    let json = detect_clean(&dir);
    assert_eq!(service_names(&json), ["quote"]);
    let quote = service(&json, "quote");
    // The Dockerfile's context is the repository root (compose.yaml): `./proto/quote.proto` is
    // outside the service, its own `./services/quote/server.js` is not.
    assert_eq!(
        quote["inputs"]["imported_files"],
        serde_json::json!([{
            "value": {"path": "proto/quote.proto", "dest": "quote.proto"},
            "source": "services/quote/Dockerfile:6"
        }])
    );
    let text = run_in(&dir, &["detect"]);
    assert!(
        text.stdout
            .contains("imports     proto/quote.proto -> quote.proto"),
        "{}",
        text.stdout
    );
}

#[test]
fn aigen_toml_brings_a_set_aside_directory_back_and_excludes_a_service() {
    let (_temp, dir) = copy_fixture("polyglot-grpc");
    fs::write(
        dir.join("aigen.toml"),
        "[detect]\ninclude = [\"services/cart\"]\nexclude = [\"email\", \"services/email\"]\n",
    )
    .unwrap();
    let (run, json) = detect_json(&dir);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(service_names(&json), ["checkout"]);
    // C# cannot be described, whatever aigen.toml says; an exclude that matches nothing is named.
    assert_eq!(
        problems(&json),
        [
            "aigen.toml:-:-: [detect] include: `services/cart` cannot be described: C# (.NET): \
             aigen generates for Python, Node.js, Go, Rust and Java",
            "aigen.toml:-:-: [detect] exclude: no service in `email`",
        ]
    );
    assert!(
        skipped(&json).contains(&"services/email excluded @ aigen.toml".to_string()),
        "{:?}",
        skipped(&json)
    );

    let (_temp, dir) = copy_fixture("node-express-mounts");
    fs::write(
        dir.join("aigen.toml"),
        "[detect]\ninclude = [\"tests/e2e\"]\n",
    )
    .unwrap();
    let json = detect_ok(&dir);
    assert_eq!(service_names(&json), ["e2e", "node-express-mounts"]);
}

#[test]
fn after_init_the_project_files_stay_the_source_of_what_aigen_toml_repeats() {
    let (_temp, dir) = copy_fixture("python-procfile-worker");
    let init = run_in(&dir, &["init"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let config = fs::read_to_string(dir.join("aigen.toml")).unwrap();
    assert!(
        config.contains("role = \"worker\"")
            && config.contains("command = [\"rq\", \"worker\", \"notes-tasks\"]"),
        "{config}"
    );
    let json = detect_ok(&dir);
    assert_eq!(
        service_names(&json),
        ["python-procfile-worker", "python-procfile-worker-worker"]
    );
    let web = service(&json, "python-procfile-worker");
    assert_eq!(fact(web, "port"), "5000 @ Procfile:1");
    let worker = service(&json, "python-procfile-worker-worker");
    assert_eq!(fact(worker, "kind"), "worker @ Procfile:2");
    assert_eq!(
        fact(worker, "start_command"),
        "rq worker notes-tasks @ Procfile:2"
    );

    // A value aigen.toml changes is the config's.
    fs::write(
        dir.join("aigen.toml"),
        config.replacen("port = 5000", "port = 5001", 1),
    )
    .unwrap();
    let json = detect_ok(&dir);
    assert_eq!(
        fact(service(&json, "python-procfile-worker"), "port"),
        "5001 @ aigen.toml"
    );
}

#[test]
fn yarn_berry_is_pinned_with_its_release_and_a_plain_http_server_is_read() {
    let (_temp, dir) = copy_fixture("node-yarn-berry");
    let json = detect_clean(&dir);
    let app = service(&json, "node-yarn-berry");
    assert_eq!(fact(app, "package_manager"), "yarn @ package.json:4");
    // `packageManager` pins Yarn 3: corepack needs the version, and Yarn its .yarnrc.yml and
    // the release that file names.
    assert_eq!(
        sourced(&app["inputs"]["package_manager_version"], text),
        "yarn@3.6.1 @ package.json:4"
    );
    assert_eq!(
        inputs(app, "config_files"),
        [
            ".yarnrc.yml @ .yarnrc.yml:1",
            ".yarn/releases/yarn-3.6.1.cjs @ .yarn/releases/yarn-3.6.1.cjs:1"
        ]
    );
    assert_eq!(fact(app, "language_version"), "22 @ package.json:6");
    // `main` exists, so it is what runs; the port is the code's fallback, not a guessed 3000.
    assert_eq!(
        fact(app, "start_command"),
        "node server.mjs @ package.json:5"
    );
    assert_eq!(fact(app, "port"), "8081 @ server.mjs:3");
    assert_eq!(fact(app, "health_path"), "/livez @ server.mjs:5");
}

#[test]
fn a_python_script_with_no_web_framework_and_no_port_is_a_worker() {
    let (_temp, dir) = copy_fixture("python-script-worker");
    let json = detect_clean(&dir);
    let worker = service(&json, "python-script-worker");
    // Nothing in the project serves HTTP or gRPC, and no port is named: the script that runs
    // itself is the process, and it serves nothing, so no probe path and no port are claimed.
    assert_eq!(fact(worker, "kind"), "worker @ poller.py:24");
    assert_eq!(
        fact(worker, "start_command"),
        "python poller.py @ poller.py:24"
    );
    assert_eq!(fact(worker, "port"), "-");
    assert_eq!(fact(worker, "health_path"), "-");
}

/// The variable `name` of a service.
fn env_var<'a>(service: &'a Value, name: &str) -> &'a Value {
    service["env"]
        .as_array()
        .expect("env is a list")
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {service:#}"))
}

/// `path @ source` of each directory a service writes at run time.
fn data_dirs(service: &Value) -> Vec<String> {
    listed(&service["data_dirs"])
}

#[test]
fn the_directories_an_app_writes_come_from_its_variables_flags_dockerfile_and_compose_file() {
    // The code's own default for DATA_DIR (the string that ends an `||` chain) and the compose
    // file's bind mount of a host directory the repository does not hold; the read-only mount,
    // the bind mount of a source file and the anonymous `node_modules` volume are not data, and
    // neither is what the tests and the seed script under `scripts/` write.
    let (_temp, dir) = copy_fixture("node-data-dir");
    let json = detect_clean(&dir);
    let node = service(&json, "node-data-dir");
    assert_eq!(
        data_dirs(node),
        ["data @ lib/store.js:6", "/app/data @ compose.yaml:8"]
    );
    let shown = run_in(&dir, &["detect"]).expect(0).stdout;
    assert!(
        shown.contains("writes      ./data/") && shown.contains("writes      /app/data/"),
        "{shown}"
    );

    // clap's `default_value` of a data directory's variable, and the Dockerfile's VOLUMEs: the
    // one under its WORKDIR is the same directory, relative; the other stays absolute.
    let (_temp, dir) = copy_fixture("rust-data-dir");
    let json = detect_clean(&dir);
    let rust = service(&json, "rust-data-dir");
    assert_eq!(
        data_dirs(rust),
        [
            "pastebox_data @ src/main.rs:10",
            "/var/cache/pastebox @ Dockerfile:10"
        ]
    );
    // clap gives the variables their defaults: neither is required any more.
    let env = rust["env"].as_array().unwrap();
    assert!(env.iter().all(|v| v["required"] == false), "{env:#?}");

    // The Dockerfile's ENV gives the variable its value (and its VOLUME says the same); the
    // compose file's named volume and tmpfs under the Dockerfile's WORKDIR are relative. The
    // seed set the compose file mounts from the checkout is source, not data.
    // A data directory flag: its default in the code, unless the start command gives it.
    let (_temp, dir) = copy_fixture("go-data-dir");
    let json = detect_clean(&dir);
    assert_eq!(
        data_dirs(service(&json, "go-data-dir")),
        ["notes-data @ main.go:13"]
    );
    fs::write(
        dir.join("compose.yaml"),
        "services:\n  notes:\n    build: .\n    command: [\"./server\", \"--data-dir\", \"/var/lib/notes\"]\n",
    )
    .unwrap();
    let json = detect_clean(&dir);
    assert_eq!(
        data_dirs(service(&json, "go-data-dir")),
        ["/var/lib/notes @ compose.yaml:4"]
    );

    // The SQLite file a configuration's defaults name: its directory, which also holds the
    // plugins directory beside it.
    let (_temp, dir) = copy_fixture("go-sqlite-default");
    let json = detect_clean(&dir);
    assert_eq!(
        data_dirs(service(&json, "go-sqlite-default")),
        ["data @ config.go:19"]
    );

    let (_temp, dir) = copy_fixture("python-data-dir");
    let json = detect_clean(&dir);
    let python = service(&json, "python-data-dir");
    assert_eq!(
        data_dirs(python),
        [
            "/var/lib/wall @ Dockerfile:7",
            "thumbnails @ docker-compose.yml:9",
            "cache @ docker-compose.yml:11"
        ]
    );
}

#[test]
fn an_sqlite_default_beside_the_code_moves_to_a_data_directory_and_a_local_redis_is_a_peer() {
    let (_temp, dir) = copy_fixture("python-sqlite-default");
    let json = detect_clean(&dir);
    let notes = service(&json, "python-sqlite-default");
    // The directory the code creates, and `/data` for the SQLite file its default puts beside
    // the code (read-only under a read-only root).
    assert_eq!(
        data_dirs(notes),
        ["logs @ server.py:45", "/data @ config.py:11"]
    );
    let env = |name: &str| env_var(notes, name);
    // DATABASE_URL stays a secret without a value; its shape is the moved file.
    let database = env("DATABASE_URL");
    assert!(database.get("value").is_none_or(Value::is_null));
    assert_eq!(
        sourced(&database["shape"], text),
        "sqlite:////data/notes.db @ config.py:11"
    );
    // No compose file: the Redis the code's default names on the local host is the peer.
    assert_eq!(
        notes["depends_on"],
        serde_json::json!([{"value": {"name": "redis", "image": "redis"}, "source": "config.py:13"}])
    );
    let shown = run_in(&dir, &["detect"]).expect(0).stdout;
    assert!(
        shown.contains("writes      /data/") && shown.contains("depends on  redis (redis)"),
        "{shown}"
    );

    // A compose file that names the peers wins over the code's defaults.
    fs::write(
        dir.join("compose.yaml"),
        "services:\n  notes:\n    build: .\n    depends_on: [queue]\n  queue:\n    image: valkey/valkey:8\n",
    )
    .unwrap();
    let json = detect_clean(&dir);
    assert_eq!(
        service(&json, "python-sqlite-default")["depends_on"],
        serde_json::json!([{"value": {"name": "queue", "image": "valkey/valkey:8"}, "source": "compose.yaml:4"}])
    );
}

#[test]
fn a_compose_example_that_runs_the_published_image_gives_its_environment_and_peers() {
    // No compose file at the root: the example under contrib/docker-compose/ runs the project's
    // published image; its environment and its peer are the service's.
    let (_temp, dir) = copy_fixture("node-compose-example");
    let json = detect_clean(&dir);
    let reader = service(&json, "node-compose-example");
    assert_eq!(
        reader["depends_on"],
        serde_json::json!([{"value": {"name": "db", "image": "postgres:17"}, "source": "contrib/docker-compose/basic.yml:7"}])
    );
    let env = |name: &str| env_var(reader, name);
    assert_eq!(
        sourced(&env("RUN_MIGRATIONS")["value"], text),
        "1 @ contrib/docker-compose/basic.yml:10"
    );
    assert_eq!(
        sourced(&env("DATABASE_URL")["shape"], text),
        "postgres://reader:****@db/reader?sslmode=disable @ contrib/docker-compose/basic.yml:9"
    );
    // A secret the project gives a value is one the app expects: required, though no code of
    // the service reads it; its value is never shown.
    let admin = env("ADMIN_PASSWORD");
    assert_eq!(
        (admin["secret"].clone(), admin["required"].clone()),
        (true.into(), true.into())
    );
    let shown = run_in(&dir, &["detect", "--format", "json"]).stdout;
    for password in ["reader-pw-91c2", "admin-pw-5b7e"] {
        assert!(!shown.contains(password), "{shown}");
    }
}

#[test]
fn struct_tags_give_variables_and_loopback_listen_addresses_open_to_all_interfaces() {
    // Each field of the configuration is read from the variable its tag names, with the tag's
    // default; the listen addresses default to the loopback, which a container's server cannot
    // be reached on: they get the wildcard of their family, said to be the convention.
    let (_temp, dir) = copy_fixture("go-listen-loopback");
    let json = detect_clean(&dir);
    let stopwatch = service(&json, "go-listen-loopback");
    assert_eq!(fact(stopwatch, "port"), "4100 @ config.go:12");
    let values: Vec<String> = stopwatch["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{} = {}", text(&v["name"]), sourced(&v["value"], text)))
        .collect();
    let opened = "convention: a server in a container listens on all its interfaces, not the \
                  loopback its default names";
    assert_eq!(
        values,
        [
            "PORT = 4100 @ config.go:12".to_string(),
            format!("STOPWATCH_LISTEN_IPV4 = 0.0.0.0 @ {opened}"),
            format!("STOPWATCH_LISTEN_IPV6 = :: @ {opened}"),
        ]
    );
    // An address the project gives that is not the loopback stays.
    fs::write(
        dir.join("Dockerfile"),
        "FROM golang:1.23\nENV STOPWATCH_LISTEN_IPV4=10.1.2.3\n",
    )
    .unwrap();
    let json = detect_clean(&dir);
    let ipv4 = env_var(
        service(&json, "go-listen-loopback"),
        "STOPWATCH_LISTEN_IPV4",
    );
    assert_eq!(sourced(&ipv4["value"], text), "10.1.2.3 @ Dockerfile:2");
}

#[test]
fn no_other_fixture_or_sample_app_writes_a_data_directory() {
    let roots = [
        crate::support::files::repo_path("tests/fixtures/detect"),
        crate::support::files::repo_path("tests/fixtures/apps"),
    ];
    let mut writing = Vec::new();
    for root in roots {
        for entry in fs::read_dir(&root).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().to_string();
            if !entry.file_type().unwrap().is_dir() || name == "broken" {
                continue;
            }
            let (_temp, dir) = crate::detect::copy_named(&root, &name);
            let (_, json) = crate::detect::detect_json(&dir);
            for service in json["services"].as_array().into_iter().flatten() {
                if !data_dirs(service).is_empty() {
                    writing.push(format!("{name}/{}", text(&service["name"])));
                }
            }
        }
    }
    writing.sort();
    assert_eq!(
        writing,
        [
            "go-data-dir/go-data-dir",
            "go-sqlite-default/go-sqlite-default",
            "node-data-dir/node-data-dir",
            "node-migrate/node-migrate",
            "python-data-dir/python-data-dir",
            "python-sqlite-default/python-sqlite-default",
            "python-uwsgi-extras/python-uwsgi-extras",
            "rust-data-dir/rust-data-dir"
        ]
    );
}

#[test]
fn the_steps_a_project_runs_before_its_server_are_found_with_their_lines() {
    // `CMD npm run migrate && npm start`: the migration is a step of its own, and the start
    // script is followed to the file it runs, with the flag it passes.
    let (_temp, dir) = copy_fixture("node-migrate");
    let json = detect_clean(&dir);
    let node = service(&json, "node-migrate");
    assert_eq!(
        listed(&node["prestart"]),
        ["npm run migrate @ Dockerfile:8"]
    );
    assert_eq!(
        fact(node, "start_command"),
        "node server.js --production @ package.json:5"
    );
    assert_eq!(data_dirs(node), ["/var/lib/notes @ compose.yaml:9"]);
    let shown = run_in(&dir, &["detect"]).expect(0).stdout;
    assert!(
        shown.contains("prestart    npm run migrate") && shown.contains("Dockerfile:8"),
        "{shown}"
    );

    // A Procfile's `release` process runs first, then the migration its `web` line chains before
    // the server; compiling translations is not a schema step and stays out.
    let (_temp, dir) = copy_fixture("python-release-pins");
    let json = detect_clean(&dir);
    let python = service(&json, "python-release-pins");
    assert_eq!(
        listed(&python["prestart"]),
        [
            "flask seed-admin @ Procfile:1",
            "flask db upgrade @ Procfile:2"
        ]
    );
    assert_eq!(
        fact(python, "start_command"),
        "gunicorn -b :5000 app:app @ Procfile:2"
    );

    // A step only a shell can run goes through `sh -c` (run as words, `yes` would print its
    // arguments for ever), and a program the project's own image keeps in a virtualenv is
    // called by its name: the generated image's environment is first on PATH.
    fs::write(
        dir.join("Procfile"),
        "release: yes \"yes\" | flask db upgrade\nweb: gunicorn -b :5000 app:app\n",
    )
    .unwrap();
    fs::write(
        dir.join("Dockerfile"),
        "FROM python:3.11-slim\nENTRYPOINT [\"./entrypoint.sh\"]\nCMD [\"gunicorn\", \"-b\", \":5000\", \"app:app\"]\n",
    )
    .unwrap();
    fs::write(
        dir.join("entrypoint.sh"),
        "#!/bin/sh\nset -e\n/venv/bin/alembic upgrade head\nexec \"$@\"\n",
    )
    .unwrap();
    let json = detect_clean(&dir);
    let python = service(&json, "python-release-pins");
    assert_eq!(
        python["prestart"][0]["value"],
        serde_json::json!(["sh", "-c", "yes \"yes\" | flask db upgrade"])
    );
    assert_eq!(
        python["prestart"][1]["value"],
        serde_json::json!(["alembic", "upgrade", "head"])
    );
    assert_eq!(python["prestart"].as_array().unwrap().len(), 2);
}

#[test]
fn pins_of_compiled_packages_without_wheels_for_newer_pythons_say_which_python_installs_them() {
    // greenlet==3.0.1 and psycopg2-binary==2.9.9 stop at 3.12, multidict==6.0.4 at 3.11: the
    // oldest decides, named with its line.
    let (_temp, dir) = copy_fixture("python-release-pins");
    let json = detect_clean(&dir);
    let limit = &service(&json, "python-release-pins")["inputs"]["wheels_up_to"];
    assert_eq!(limit["release"], "3.11", "{limit:#}");
    assert_eq!(limit["next"], "3.12", "{limit:#}");
    assert_eq!(
        sourced(&limit["pin"], text),
        "multidict==6.0.4 @ requirements.txt:5"
    );
    let shown = run_in(&dir, &["detect"]).expect(0).stdout;
    assert!(
        shown.contains("wheels      python <= 3.11 (multidict==6.0.4 has no wheel for 3.12)"),
        "{shown}"
    );
}

#[test]
fn browser_downloads_are_read_from_the_manifest_and_the_lockfile() {
    let (_temp, dir) = copy_fixture("node-browser-downloads");
    let json = detect_clean(&dir);
    let app = service(&json, "node-browser-downloads");
    // cypress is a devDependency; puppeteer comes only with jest-puppeteer, in the lockfile.
    assert_eq!(
        inputs(app, "install_downloads"),
        [
            "puppeteer @ package-lock.json:33",
            "cypress @ package.json:13"
        ]
    );
}

#[test]
fn node_follows_the_release_of_the_projects_own_dockerfile_unless_the_package_pins_one() {
    let (_temp, dir) = copy_fixture("node-dockerfile-release");
    let json = detect_clean(&dir);
    let app = service(&json, "node-dockerfile-release");
    // `FROM --platform=… docker.io/library/node:${NODE_RELEASE}-alpine` with the ARG's default.
    assert_eq!(fact(app, "language_version"), "20.11.1 @ Dockerfile:3");
    fs::write(dir.join(".nvmrc"), "22\n").unwrap();
    let json = detect_clean(&dir);
    let app = service(&json, "node-dockerfile-release");
    assert_eq!(fact(app, "language_version"), "22 @ .nvmrc:1");
}

#[test]
fn a_build_script_that_runs_protoc_is_a_native_need() {
    let (_temp, dir) = copy_fixture("rust-protoc");
    let json = detect_clean(&dir);
    let app = service(&json, "rust-protoc");
    let native: Vec<String> = app["inputs"]["native"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|n| format!("{} {} @ {}", n["name"], n["needs"], n["source"]))
        .collect();
    assert_eq!(native.len(), 1, "{native:?}");
    assert!(
        native[0].starts_with("\"prost-build\" [\"protoc\"] @ \"Cargo.lock:"),
        "{native:?}"
    );
}

#[test]
fn queries_checked_at_compile_time_without_offline_data_need_a_database_in_the_build() {
    let (_temp, dir) = copy_fixture("rust-sqlx-checked");
    let json = detect_clean(&dir);
    let app = service(&json, "rust-sqlx-checked");
    // sqlx's numeric order (10 after 2), without the `.down.sql` half.
    assert_eq!(
        app["inputs"]["query_checks"],
        serde_json::json!({
            "value": {"migrations": [
                "migrations/1_shelves.sql",
                "migrations/2_books.up.sql",
                "migrations/10_book_shelf.sql"
            ]},
            "source": "src/main.rs:12"
        })
    );
    let native: Vec<String> = app["inputs"]["native"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|n| format!("{} {} @ {}", n["name"], n["needs"], n["source"]))
        .collect();
    assert!(
        native.contains(&"\"sqlx-macros\" [\"postgres-server\"] @ \"src/main.rs:12\"".to_string()),
        "{native:?}"
    );
    // The example's connection string gives the secret its shape (never its value), and the
    // PostgreSQL it names on the local host is a peer.
    let database = env_var(app, "DATABASE_URL");
    assert!(database.get("value").is_none_or(Value::is_null));
    assert_eq!(
        sourced(&database["shape"], text),
        "postgres://shelf:****@localhost/shelf @ .env.example:2"
    );
    assert_eq!(
        app["depends_on"],
        serde_json::json!([{"value": {"name": "postgres", "image": "postgres"}, "source": ".env.example:2"}])
    );

    // Offline query data (sqlx 0.7 on keeps it in `.sqlx/`) needs no database.
    fs::create_dir(dir.join(".sqlx")).unwrap();
    fs::write(dir.join(".sqlx/query-0a1b.json"), "{}\n").unwrap();
    let json = detect_clean(&dir);
    let app = service(&json, "rust-sqlx-checked");
    assert!(app["inputs"].get("query_checks").is_none(), "{app:#}");
    let native = app["inputs"]["native"].to_string();
    assert!(!native.contains("postgres-server"), "{native}");
}

#[test]
fn the_example_settings_its_dockerfile_copies_to_dotenv_are_the_default_configuration() {
    // The project's Dockerfile makes `env-example-postgres` the app's `.env`: its values are the
    // ones the project gives (the port among them), the compose service its host names is a
    // peer, an empty value leaves the variable optional, and its secrets stay secrets whose
    // example values are never shown. The other example file only lists names.
    let (_temp, dir) = copy_fixture("node-default-env");
    let json = detect_clean(&dir);
    let ledger = service(&json, "node-default-env");
    assert_eq!(fact(ledger, "port"), "3700 @ env-example-postgres:2");
    let value = |name: &str| sourced(&env_var(ledger, name)["value"], text);
    assert_eq!(value("DB_TYPE"), "postgres @ env-example-postgres:3");
    assert_eq!(value("DB_HOST"), "postgres @ env-example-postgres:4");
    assert_eq!(value("DB_USERNAME"), "ledger @ env-example-postgres:5");
    assert_eq!(value("LEDGER_TITLE"), "-");
    assert_eq!(
        text(&env_var(ledger, "LEDGER_TITLE")["source"]),
        "env-example-memory:4"
    );
    // Named by DB_HOST, not by DB_TYPE, whose value is the same word.
    assert_eq!(
        ledger["depends_on"],
        serde_json::json!([{"value": {"name": "postgres", "image": "postgres:17"}, "source": "env-example-postgres:4"}])
    );
    for name in ["DB_PASSWORD", "SESSION_SECRET"] {
        let var = env_var(ledger, name);
        assert_eq!(var["secret"], true, "{var}");
        assert_eq!(var["value"], Value::Null, "{var}");
    }
    let url = env_var(ledger, "DB_URL");
    assert_eq!(
        (url["secret"].clone(), url["required"].clone()),
        (true.into(), false.into())
    );
    let shown =
        run_in(&dir, &["detect", "--format", "json"]).stdout + &run_in(&dir, &["detect"]).stdout;
    for example in ["example-pw-4c1d", "example-session-8e2a"] {
        assert!(!shown.contains(example), "{shown}");
    }
}

#[test]
fn a_node_step_before_the_server_that_needs_a_development_dependency_is_left_out_and_said() {
    // The release line empties `.env` (a shell redirect, nothing in a container of its own) and
    // runs a migration through `ts-node`, which only `devDependencies` installs: neither is a
    // step of the production image's pods, and `detect` says why the migration is not.
    let (_temp, dir) = copy_fixture("node-default-env");
    fs::write(
        dir.join("package.json"),
        r#"{
  "name": "ledger",
  "private": true,
  "scripts": {
    "start": "node server.js",
    "typeorm": "ts-node ./node_modules/typeorm/cli.js",
    "migration:run": "npm run typeorm -- migration:run"
  },
  "devDependencies": { "ts-node": "10.9.2" }
}
"#,
    )
    .unwrap();
    fs::write(
        dir.join("Procfile"),
        "web: npm start\nrelease: echo '' > .env && npm run migration:run\n",
    )
    .unwrap();
    let json = detect_clean(&dir);
    let ledger = service(&json, "node-default-env");
    assert_eq!(ledger["prestart"], serde_json::json!([]));
    let undetermined: Vec<String> = ledger["undetermined"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| format!("{}: {}", text(&u["fact"]), text(&u["reason"])))
        .collect();
    assert!(
        undetermined.iter().any(|u| u.starts_with(
            "prestart: `npm run migration:run` (Procfile:2) runs ts-node, a development dependency"
        )),
        "{undetermined:?}"
    );
}

#[test]
fn what_a_dockerfile_installs_beside_its_requirements_and_a_uwsgi_configuration_elsewhere_are_followed()
 {
    // The project's Dockerfile installs uWSGI beside its requirement file and starts it with a
    // configuration that changes to the directory its own image keeps the code in; the SQLite
    // file sits under `data/` of the code's base directory.
    let (_temp, dir) = copy_fixture("python-uwsgi-extras");
    let json = detect_clean(&dir);
    let app = service(&json, "python-uwsgi-extras");
    assert_eq!(
        inputs(app, "extra_packages"),
        ["uwsgi==2.0.30 @ docker/Dockerfile:5"]
    );
    assert_eq!(
        fact(app, "start_command"),
        "uwsgi --ini docker/uwsgi.ini --chdir . @ docker/Dockerfile:9"
    );
    assert_eq!(data_dirs(app), ["data @ notes/__init__.py:10"]);
    let native = app["inputs"]["native"].to_string();
    assert!(native.contains("\"uwsgi\""), "{native}");
    let shown = run_in(&dir, &["detect"]).expect(0).stdout;
    assert!(shown.contains("installs    uwsgi==2.0.30"), "{shown}");
}

#[test]
fn a_spring_context_path_prefixes_every_route_the_actuator_included() {
    let (_temp, dir) = copy_fixture("java-maven");
    let properties = dir.join("src/main/resources/application.properties");
    let mut text = fs::read_to_string(&properties).unwrap();
    text.push_str("server.servlet.context-path=/orders/\n");
    fs::write(&properties, text).unwrap();
    let json = detect_clean(&dir);
    let app = service(&json, "java-maven");
    assert_eq!(
        fact(app, "health_path"),
        "/orders/actuator/health @ pom.xml:23"
    );
    assert_eq!(
        fact(app, "readiness_path"),
        "/orders/actuator/health/readiness @ pom.xml:23"
    );
}
