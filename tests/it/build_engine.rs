//! `aigen build`, `aigen verify` and `--verify` against a real Docker Engine (the one `.ci/run`
//! starts, with the stand-in base images of `.ci/engine.sh`): the example's three images built
//! from the builtin generator's output and judged healthy, one sample application per stack the
//! builtin generator writes for, a migration run before its server in a container of its own,
//! a failing Dockerfile from a model fixed in round 2 from the build log, a build cancelled at
//! its timeout, no engine at all, and the `apk` of the alpine-like stand-ins.
//!
//! The tests that need the engine are ignored by default (they show as ignored, never as passed)
//! and run with `--ignored`, as `.ci/run` does with `AIGEN_TEST_DOCKER=1`; run that way without
//! an engine, they fail and say how to start one.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::command::Run;
use crate::support::engine::{aigen_in, docker, hex_secrets, host};
use crate::support::example::{KEY, Project, assert_absent, assert_only_in_project_file};
use crate::support::files::repo_path;
use crate::support::provider::{answering_once_then, event_stream, sse, v1};
use aigen::provider::builtin::{GeneratedFile, render_answer};

/// `aigen verify --all --format json` in the project against the engine at `host`: the run,
/// and the builds and runs of its report by service.
fn verify_all(project: &Project, host: &str) -> (Run, BTreeMap<String, Value>) {
    let run = Run::of(aigen_in(project.root(), host).args(["verify", "--all", "--format", "json"]));
    let images = images(&run.json());
    (run, images)
}

/// The builds and runs of `aigen verify --format json`, by service.
fn images(report: &Value) -> BTreeMap<String, Value> {
    report["images"]
        .as_array()
        .expect("a list of images")
        .iter()
        .map(|image| {
            (
                image["service"].as_str().unwrap().to_string(),
                image.clone(),
            )
        })
        .collect()
}

/// Removes the images a verify built (by ID).
fn remove_images(host: &str, images: &BTreeMap<String, Value>) {
    for image in images.values() {
        if let Some(id) = image["build"]["image_id"].as_str() {
            Run::of(docker(host).args(["rmi", "--force", id]));
        }
    }
}

/// The status a probed path answered.
fn probe(image: &Value, path: &str) -> Option<u64> {
    image["run"]["probes"]
        .as_array()?
        .iter()
        .find(|p| p["path"] == path)?["status"]
        .as_u64()
}

/// A line per image: what it is, its size beside the constitution's limit (marked when measured
/// on a stand-in base image), its build time and how long it took to be healthy.
fn table(images: &BTreeMap<String, Value>) -> String {
    let mut text = String::new();
    for (service, image) in images {
        let build = &image["build"];
        let size = build["size_bytes"].as_f64().unwrap_or(0.0) / 1e6;
        let limit = image["limit"].as_str().unwrap_or("none");
        let stand_in = if build["stand_in"] == true {
            " (stand-in size)"
        } else {
            ""
        };
        text.push_str(&format!(
            "{service:<18} {size:>5.0} MB{stand_in:<16} limit {limit:<6} built in {:>6.1} s, {}\n",
            build["duration_ms"].as_f64().unwrap_or(0.0) / 1000.0,
            image["summary"].as_str().unwrap_or(""),
        ));
    }
    text
}

/// The words of a list file of `.ci/standins`, line by line, without `#` comments.
fn listed_words(file: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(repo_path(file)).unwrap();
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .map(|line| line.split_whitespace().map(str::to_string).collect())
        .filter(|words: &Vec<String>| !words.is_empty())
        .collect()
}

/// `.ci/run` builds only the stand-ins listed in `.ci/standins/test-images.txt`
/// (`engine.sh images --list`): every image the builtin Dockerfiles of the example and the
/// sample applications start from is there, and every tag there is one `images.tsv` builds.
#[test]
fn the_stand_ins_ci_builds_are_the_ones_the_tests_build_on() {
    let listed: Vec<String> = listed_words(".ci/standins/test-images.txt")
        .into_iter()
        .flatten()
        .collect();
    // images.tsv: recipe, parent, arguments, then the tags.
    let built: Vec<String> = listed_words(".ci/standins/images.tsv")
        .into_iter()
        .flat_map(|words| words.into_iter().skip(3))
        .collect();
    for tag in &listed {
        assert!(
            built.contains(tag),
            "{tag} (test-images.txt) is not a tag of images.tsv"
        );
    }
    let mut projects = vec![
        Project::todo_app(),
        Project::copy_of(&repo_path("tests/fixtures/apps"), "apps"),
    ];
    projects.extend(INPUT_FIXTURES.map(|(name, _)| detect_fixture(name)));
    let mut bases = Vec::new();
    for project in &projects {
        for file in project.builtin_files() {
            if file.path.ends_with(".Dockerfile") {
                bases.extend(aigen::engine::verify::stage_images(&file.content));
            }
        }
    }
    bases.sort();
    bases.dedup();
    assert!(bases.len() >= 6, "{bases:?}");
    for base in &bases {
        assert!(
            listed.contains(base),
            "{base} is not in .ci/standins/test-images.txt"
        );
    }
}

/// The alpine-like stand-ins' `apk` (docs/engine.md, "What cannot be real here"): the Alpine
/// names the builtin generator installs become Debian's packages, said on stderr, and any other
/// name or a version pin fails naming it rather than installing something else.
#[test]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
fn the_alpine_stand_ins_apk_installs_debian_packages_for_alpine_names_and_refuses_others() {
    let host = host();
    let script = "apk add --no-cache build-base python3 && make --version | head -n 1 \
                  && python3 --version; \
                  apk add --no-cache not-an-alpine-package; echo \"unknown: $?\"; \
                  apk add --no-cache curl=8.5.0-r0; echo \"pinned: $?\"";
    let run = Run::of(docker(&host).args([
        "run",
        "--rm",
        "--network",
        "host",
        "node:20-alpine",
        "sh",
        "-c",
        script,
    ]))
    .expect(0);
    let all = run.all();
    assert!(
        all.contains(
            "apk (stand-in): Alpine's build-base python3 as Debian's build-essential python3"
        ),
        "{all}"
    );
    assert!(all.contains("GNU Make"), "{all}");
    assert!(all.contains("Python 3."), "{all}");
    assert!(
        all.contains("no Debian package stands in for Alpine's not-an-alpine-package")
            && all.contains("unknown: 1"),
        "{all}"
    );
    assert!(
        all.contains("version pins are not supported: curl=8.5.0-r0") && all.contains("pinned: 1"),
        "{all}"
    );
}

#[test]
fn without_an_engine_build_and_verify_exit_3_with_how_to_start_one() {
    let project = Project::todo_app();
    let nowhere = project.scratch().join("no-engine.sock");
    let host = format!("unix://{}", nowhere.display());
    for args in [
        vec!["build", "--all"],
        vec!["verify", "backend"],
        vec!["dockerfile", "backend", "--provider", "builtin", "--verify"],
        vec!["check", "--images"],
    ] {
        let run = Run::of(aigen_in(project.root(), &host).args(&args)).expect(3);
        assert!(
            run.stderr.contains("no Docker Engine answers at")
                && run.stderr.contains(&host)
                && run.stderr.contains("hint:")
                && run.stderr.contains("DOCKER_HOST"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // Nothing was generated, staged or recorded before the engine was asked for.
    assert!(!project.path("generated/index.json").exists());
    assert!(project.records().is_empty());
}

#[test]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
fn the_examples_three_images_build_from_builtin_output_and_become_healthy() {
    let host = host();
    let project = Project::todo_app();
    project
        .run(&["generate", "--provider", "builtin", "--yes"])
        .expect(0);
    let (run, images) = verify_all(&project, &host);
    println!(
        "The example's images (builtin output; classic builder; sizes on stand-in base images are not the official images' sizes):\n{}",
        table(&images)
    );
    assert_eq!(images.len(), 3, "{images:#?}");
    for (service, image) in &images {
        let build = &image["build"];
        assert_eq!(build["built"], true, "{service}: {image:#}");
        assert_eq!(build["stand_in"], true, "{service} rests on a stand-in");
        assert!(build["image_id"].as_str().unwrap().starts_with("sha256:"));
        assert_eq!(
            build["ignore_file"],
            format!("docker/{service}.Dockerfile.dockerignore"),
            "the Dockerfile's own ignore file filters the context"
        );
        let run = &image["run"];
        assert_eq!(run["verdict"], "healthy", "{service}: {image:#}");
        assert_eq!(run["user"], "1000:1000");
        assert_eq!(run["healthcheck"], "healthy");
        assert_eq!(run["listening"], true);
        assert_eq!(probe(image, "/health"), Some(200), "{service}");
        // /ready answers as the application decides; each answered something.
        assert!(probe(image, "/ready").is_some(), "{service}: {image:#}");
    }
    // The backend is ready once DATABASE_URL is set, and it got a throwaway value.
    assert_eq!(probe(&images["backend"], "/ready"), Some(200));
    let secrets = images["backend"]["run"]["throwaway_secrets"].to_string();
    assert!(secrets.contains("DATABASE_URL"), "{secrets}");
    // Sizes are judged against the constitution: the chatbot keeps its whole node_modules and is
    // above the front end's 300 MB, on the stand-in as it would be on the official image.
    let chatbot = &images["frontend-chatbot"];
    assert_eq!(chatbot["limit"], "300MB");
    assert!(
        chatbot["findings"].to_string().contains("AG-D101"),
        "{chatbot:#}"
    );
    assert_eq!(images["backend"]["limit"], "500MB");
    assert_eq!(images["backend"]["findings"], serde_json::json!([]));
    assert_eq!(run.code, 1, "an image above its size limit fails the run");

    // Each image is a record with its ID, size and verdict; no throwaway value anywhere.
    let records: Vec<_> = project
        .records()
        .into_iter()
        .filter(|r| r.record.labels.contains(&"build".to_string()))
        .collect();
    assert_eq!(records.len(), 3);
    for entry in &records {
        let text = std::fs::read_to_string(&entry.file.path).unwrap();
        assert!(text.contains("\"image_id\": \"sha256:"), "{text}");
        assert!(text.contains("\"size_bytes\""), "{text}");
        assert!(text.contains("\"verdict\": \"healthy\""), "{text}");
        assert_eq!(hex_secrets(&text), Vec::<String>::new());
    }
    assert_eq!(hex_secrets(&run.all()), Vec::<String>::new());

    // The same in text: sizes beside the limits, marked as stand-in sizes.
    let text = Run::of(aigen_in(project.root(), &host).args(["build", "backend"])).expect(0);
    assert!(
        text.stdout.contains("(limit 500MB), stand-in size"),
        "{}",
        text.stdout
    );
}

#[test]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
fn a_sample_application_of_every_builtin_stack_builds_and_becomes_healthy() {
    let host = host();
    let project = Project::copy_of(&repo_path("tests/fixtures/apps"), "apps");
    // Staged, not applied: the builtin output for Go and Rust uses base images the preset
    // constitution does not list, and staged Dockerfiles are what `aigen build` builds first.
    project
        .run(&["dockerfile", "--all", "--provider", "builtin"])
        .expect(1);
    let (run, images) = verify_all(&project, &host);
    println!(
        "One application per stack (tests/fixtures/apps; dependencies installed from PyPI, npm, the Go module proxy and crates.io inside the builds):\n{}",
        table(&images)
    );
    println!(
        "Not built here: Gradle, whose distributions (services.gradle.org) cannot be downloaded on these machines."
    );
    let expected = [
        ("go-http", "/healthz"),
        ("node-npm", "/health"),
        ("node-pnpm", "/healthz"),
        ("py-pip", "/health"),
        ("py-poetry", "/health"),
        ("py-uv", "/healthz"),
        // `-r`/`-c` includes in a subfolder, served by waitress from the Procfile, on a
        // blueprint mounted under /api.
        ("py-includes", "/api/healthz"),
        // psycopg2 built from source: a C compiler and libpq's headers to build, libpq to run.
        ("py-native", "/health"),
        ("py-procfile", "/health"),
    ];
    for (service, health) in expected {
        let image = &images[service];
        assert_eq!(image["build"]["source"], "staged");
        assert_eq!(image["run"]["verdict"], "healthy", "{service}: {image:#}");
        assert_eq!(probe(image, health), Some(200), "{service}: {image:#}");
    }
    // The Procfile's worker serves no port: it is healthy when it stays up.
    let worker = &images["py-procfile-worker"];
    assert_eq!(worker["run"]["verdict"], "healthy", "{worker:#}");
    assert_eq!(worker["run"]["probes"], serde_json::json!([]), "{worker:#}");
    // The Spring Boot service (Maven) has no actuator: it listens on its port.
    let java = &images["java-spring-maven"];
    assert_eq!(java["run"]["verdict"], "healthy", "{java:#}");
    assert_eq!(java["run"]["listening"], true);
    // The Rust service declares no health path: something answers HTTP on its port.
    let rust = &images["rust-http"];
    assert_eq!(rust["run"]["verdict"], "healthy", "{rust:#}");
    assert_eq!(rust["run"]["listening"], true);
    let run = run.expect(0);
    // py-pip prints the secret it was given; the value is masked wherever aigen shows it.
    let pip_logs = images["py-pip"]["run"]["logs"].to_string();
    assert!(pip_logs.contains("queue token:"), "{pip_logs}");
    assert_eq!(hex_secrets(&run.all()), Vec::<String>::new());
    for entry in project.records() {
        let text = std::fs::read_to_string(&entry.file.path).unwrap();
        assert_eq!(
            hex_secrets(&text),
            Vec::<String>::new(),
            "{}",
            entry.file.path.display()
        );
    }
}

/// The detection fixtures whose images build here in reasonable time, with their service: each
/// needs something beyond its manifest (an embedded UI built by a Node stage, a local module and
/// migrations read at start; a server that, like gRPC, says nothing to an HTTP/1 request, judged
/// from a helper whose wget is GNU's; no dependencies at all; a shared file from elsewhere in
/// the repository read at start; OpenSSL; a second binary with a path of its own; a data
/// directory written at start under the read-only root; a UI a sibling package of a Bun
/// workspace builds into a Python service, which refuses to start without it).
/// go-root-beside-subfolders (cgo with go-sqlite3) builds and becomes healthy too, but compiling
/// SQLite takes minutes on a loaded machine, so it is not built here.
const INPUT_FIXTURES: [(&str, &str); 8] = [
    ("go-embed-ui", "server"),
    ("python-served-ui", "api"),
    ("go-preface-server", "go-preface-server"),
    ("node-no-deps", "node-no-deps"),
    ("node-shared-proto", "quote"),
    ("rust-openssl", "rust-openssl"),
    ("node-data-dir", "node-data-dir"),
    ("rust-second-bin", "rust-second-bin"),
];

/// A copy of a detection fixture.
fn detect_fixture(name: &str) -> Project {
    Project::copy_of(&repo_path(&format!("tests/fixtures/detect/{name}")), name)
}

/// A copy of the detection fixture `name` with the builtin generator's files applied, verified
/// against the engine at `host` (see [`verify_all`]).
fn verify_fixture(name: &str, host: &str) -> (Run, BTreeMap<String, Value>) {
    let project = detect_fixture(name);
    project
        .run(&["generate", "--provider", "builtin", "--yes"])
        .expect(0);
    verify_all(&project, host)
}

/// What `docker <list> --quiet --filter label=<label>` still lists (volumes, containers).
fn left_behind(host: &str, list: &[&str], label: &str) -> String {
    let filter = format!("label={label}");
    let run = Run::of(
        docker(host)
            .args(list)
            .args(["--quiet", "--filter", &filter]),
    );
    run.stdout.trim().to_string()
}

#[test]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
fn detect_fixtures_that_need_more_than_their_manifest_build_and_become_healthy() {
    let host = host();
    let mut rows = String::new();
    for (fixture, service) in INPUT_FIXTURES {
        let (_, images) = verify_fixture(fixture, &host);
        rows.push_str(&table(&images));
        let image = &images[service];
        assert_eq!(image["build"]["built"], true, "{fixture}: {image:#}");
        assert_eq!(image["run"]["verdict"], "healthy", "{fixture}: {image:#}");
        if fixture == "python-served-ui" {
            // Its start stops when app/ui is missing: healthy means the UI stage's output is there.
            assert_eq!(probe(image, "/healthz"), Some(200), "{image:#}");
        }
        if fixture == "node-data-dir" {
            // It writes ./data/ at start and at every health check: healthy only because verify
            // mounts what the Deployment mounts there, as the cluster will.
            assert_eq!(
                image["run"]["writable"],
                serde_json::json!(["/tmp", "/app/data"]),
                "{image:#}"
            );
            assert_eq!(probe(image, "/healthz"), Some(200), "{image:#}");
        }
        remove_images(&host, &images);
    }
    println!("Detection fixtures built from builtin output:\n{rows}");
}

#[test]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
fn steps_before_the_server_run_first_in_containers_of_their_own_sharing_its_data_directory() {
    // The server refuses to start without the schema its migration writes in /var/lib/notes:
    // healthy only when the step ran first and its write reached the server's container.
    let host = host();
    let (_, images) = verify_fixture("node-migrate", &host);
    let image = &images["node-migrate"];
    remove_images(&host, &images);
    assert_eq!(image["build"]["built"], true, "{image:#}");
    assert_eq!(image["run"]["verdict"], "healthy", "{image:#}");
    let steps = image["run"]["prestart"].as_array().expect("steps ran");
    assert_eq!(steps.len(), 1, "{image:#}");
    assert_eq!(steps[0]["command"], "npm run migrate", "{image:#}");
    assert_eq!(steps[0]["exit_code"], 0, "{image:#}");
    assert_eq!(
        image["run"]["writable"],
        serde_json::json!(["/tmp", "/var/lib/notes"]),
        "{image:#}"
    );
    assert_eq!(probe(image, "/healthz"), Some(200), "{image:#}");
    // The run's volumes are gone with it.
    let left = left_behind(&host, &["volume", "ls"], "org.aigen.service=node-migrate");
    assert_eq!(left, "", "volumes left behind");
}

#[test]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
fn a_postgres_peer_named_in_compose_runs_beside_the_service_and_is_removed_after() {
    // The ledger exits 1 unless it logs in to PostgreSQL at db:5432 as the user and database its
    // compose file names: healthy only when verify started the peer and the service reached it.
    let host = host();
    let (run, images) = verify_fixture("node-postgres-peer", &host);
    let image = &images["node-postgres-peer"];
    remove_images(&host, &images);
    assert_eq!(image["build"]["built"], true, "{image:#}");
    assert_eq!(
        image["run"]["verdict"], "healthy",
        "{}\n{image:#}",
        run.stderr
    );
    let peers = image["run"]["peers"].as_array().expect("peers started");
    assert_eq!(peers.len(), 1, "{image:#}");
    let peer = peers[0].as_str().unwrap();
    assert!(peer.starts_with("db: postgres:17"), "{peer}");
    assert!(peer.contains("ready after"), "{peer}");
    let logs = image["run"]["logs"].to_string();
    assert!(
        logs.contains("logged in to ledger on db as ledger"),
        "{logs}"
    );
    // The peer is gone with the run.
    let left = left_behind(
        &host,
        &["ps", "--all"],
        "org.aigen.service=node-postgres-peer (peer db)",
    );
    assert_eq!(left, "", "peer containers left behind");
}

/// Generates the builtin files of `project`, verifies every service and removes the images it
/// built; asserts that `service` became healthy, and returns the verify run and its image.
fn healthy_after_verify(project: &Project, host: &str, service: &str) -> (Run, Value) {
    project
        .run(&["generate", "--provider", "builtin", "--yes"])
        .expect(0);
    let (run, images) = verify_all(project, host);
    remove_images(host, &images);
    let image = images[service].clone();
    assert_eq!(
        image["run"]["verdict"], "healthy",
        "{}\n{image:#}",
        run.stderr
    );
    (run, image)
}

#[test]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
fn a_secret_connection_url_keeps_its_shape_in_the_run_and_reaches_the_peer() {
    // The ledger's compose file gives it a DATABASE_URL with a password: a secret, so the run
    // makes its own password up, in the same URL, and the ledger logs in to the peer as the
    // URL's user to its database. A random URL would point nowhere and the ledger would exit 1.
    let host = host();
    let project = detect_fixture("node-postgres-peer");
    std::fs::write(
        project.root().join("compose.yaml"),
        "services:\n  ledger:\n    build: .\n    environment:\n      PORT: \"3600\"\n      \
         DATABASE_URL: postgres://books:${BOOKS_DB_PASSWORD:-books-dev-4e1f7a}@db/books\n    \
         depends_on: [db]\n  db:\n    image: postgres:17\n",
    )
    .unwrap();
    let (run, image) = healthy_after_verify(&project, &host, "node-postgres-peer");
    let logs = image["run"]["logs"].to_string();
    assert!(logs.contains("logged in to books on db as books"), "{logs}");
    // Neither the project's password nor the one the run made up is shown or written (but in
    // the project's own compose file).
    assert_absent(
        "books-dev-4e1f7a",
        &[("stdout", &run.stdout), ("stderr", &run.stderr)],
    );
    assert_eq!(hex_secrets(&run.stdout), Vec::<String>::new());
    assert_eq!(hex_secrets(&run.stderr), Vec::<String>::new());
    assert_only_in_project_file(&project, "books-dev-4e1f7a", Some("compose.yaml"));
}

#[test]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
fn the_default_configuration_its_dockerfile_copies_to_dotenv_starts_the_app_with_its_peer() {
    // The ledger validates its settings at start (DB_TYPE, SESSION_SECRET) and logs in to the
    // PostgreSQL its DB_HOST names, on APP_PORT: nothing but the example settings file its own
    // Dockerfile copies to `.env` says so. Healthy only when those values reach the run, the
    // compose service the host names runs as its peer, and its secrets get values of the run's
    // own, never the example's.
    let host = host();
    let project = detect_fixture("node-default-env");
    let (run, image) = healthy_after_verify(&project, &host, "node-default-env");
    let peers = image["run"]["peers"].as_array().expect("peers started");
    assert!(
        peers[0]
            .as_str()
            .unwrap()
            .starts_with("postgres: postgres:17"),
        "{image:#}"
    );
    let logs = image["run"]["logs"].to_string();
    assert!(
        logs.contains("ledger: postgres store ledger on postgres as ledger"),
        "{logs}"
    );
    assert!(logs.contains("ledger on 3700"), "{logs}");
    for example in ["example-pw-4c1d", "example-session-8e2a"] {
        assert_absent(example, &[("stdout", &run.stdout), ("stderr", &run.stderr)]);
        assert_only_in_project_file(&project, example, Some("env-example-postgres"));
    }
}

#[test]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
fn an_sqlite_default_beside_the_code_and_a_local_redis_default_run_as_detected() {
    // The notes service writes its SQLite file where its default puts it (beside the code, which
    // is read-only) unless DATABASE_URL says otherwise, creates logs/, and pings the Redis of
    // the local host: healthy only with the file moved to /data, logs/ writable and the Redis
    // peer its default names running beside it.
    let host = host();
    let project = detect_fixture("python-sqlite-default");
    let (_, image) = healthy_after_verify(&project, &host, "python-sqlite-default");
    let peers = image["run"]["peers"].to_string();
    assert!(peers.contains("redis: redis"), "{peers}");
    let logs = image["run"]["logs"].to_string();
    assert!(
        logs.contains("notes in /data/notes.db, queue at localhost:6379"),
        "{logs}"
    );
}

#[test]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
fn queries_checked_at_compile_time_build_against_a_throwaway_database_and_run_on_the_peer() {
    // sqlx's query! macros fail to compile without a database that has the tables; the builder
    // runs one with the migrations applied. At run time the PostgreSQL .env.example names on the
    // local host is the peer, the app applies its migrations itself, and /healthz answers 200
    // only once the migrated table does.
    let host = host();
    let project = detect_fixture("rust-sqlx-checked");
    let (run, image) = healthy_after_verify(&project, &host, "rust-sqlx-checked");
    let peers = image["run"]["peers"].to_string();
    assert!(peers.contains("postgres"), "{peers}");
    let logs = image["run"]["logs"].to_string();
    assert!(logs.contains("shelf: migrated, serving on 8080"), "{logs}");
    // The runtime image has no HTTP client for verify's probes: its HEALTHCHECK (bash speaking
    // HTTP/1.0 to /healthz, 2xx only) is the judge.
    let dockerfile =
        std::fs::read_to_string(project.root().join("docker/rust-sqlx-checked.Dockerfile"))
            .unwrap();
    assert!(
        dockerfile.contains("HTTP/1.0") && dockerfile.contains("'/healthz'"),
        "{dockerfile}"
    );
    assert_eq!(image["run"]["healthcheck"], "healthy", "{image:#}");
    assert_eq!(hex_secrets(&run.stdout), Vec::<String>::new());
}

#[test]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
fn a_server_the_projects_dockerfile_installs_runs_from_its_configuration_where_the_image_starts_it()
{
    // uWSGI is not in the requirement file, its configuration changes to /opt/notes, and the
    // notes' SQLite file is written under data/: healthy only with uWSGI installed, the
    // directory kept, and data/ writable.
    let host = host();
    let project = detect_fixture("python-uwsgi-extras");
    let (_, image) = healthy_after_verify(&project, &host, "python-uwsgi-extras");
    assert_eq!(probe(&image, "/healthz"), Some(200), "{image:#}");
    let writable = image["run"]["writable"].to_string();
    assert!(writable.contains("/app/data"), "{writable}");
}

#[test]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
fn a_server_that_defaults_to_the_loopback_listens_on_the_wildcards_detection_gives_it() {
    // The stopwatch listens on its IPv4 and IPv6 addresses, by default the loopback, and stops
    // when a listener fails: healthy when it runs with the wildcards (one dual-stack listener),
    // which also holds in a run without IPv6 on its loopback.
    let host = host();
    let project = detect_fixture("go-listen-loopback");
    let (_, image) = healthy_after_verify(&project, &host, "go-listen-loopback");
    let logs = image["run"]["logs"].to_string();
    assert!(logs.contains("listening on [::]:4100"), "{logs}");
    assert!(!logs.contains("listening on 0.0.0.0"), "{logs}");
}

const DOCKERFILE: &str = "docker/backend.Dockerfile";
const DOCKERIGNORE: &str = "docker/backend.Dockerfile.dockerignore";

/// The builtin Dockerfile of the backend as a model would answer it, with `edit` applied.
fn answer(project: &Project, edit: impl Fn(String) -> String) -> String {
    let files = vec![
        GeneratedFile::new(DOCKERFILE, edit(project.builtin_file(DOCKERFILE))),
        GeneratedFile::new(DOCKERIGNORE, project.builtin_file(DOCKERIGNORE)),
    ];
    render_answer(&files)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
async fn a_copy_of_a_missing_file_is_fixed_in_round_two_from_the_build_log() {
    let host = tokio::task::spawn_blocking(host).await.unwrap();
    let project = Project::todo_app();
    let broken = answer(&project, |text| {
        text.replace(
            "COPY backend/requirements.txt ./",
            "COPY backend/requirements-prod.txt ./",
        )
    });
    assert!(broken.contains("requirements-prod.txt"));
    let fixed = answer(&project, |text| text);
    let server = answering_once_then(
        event_stream(sse(&[broken.as_str()])),
        event_stream(sse(&[fixed.as_str()])),
    )
    .await;
    let mut command = project.openai_backend_dockerfile(&v1(&server));
    command.env("DOCKER_HOST", &host).args([
        "--model",
        "test-model",
        "--verify",
        "--format",
        "json",
    ]);
    let run = tokio::task::spawn_blocking(move || Run::of(&mut command))
        .await
        .unwrap()
        .expect(0);
    let job = &run.json()["jobs"][0];
    assert_eq!(job["rounds"], 2, "{job:#}");
    assert_eq!(job["status"], "clean");

    // The fix prompt carried the failing step and the build log.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let body: Value = serde_json::from_slice(&requests[1].body).unwrap();
    let prompt = body["messages"].to_string();
    assert!(prompt.contains("AG-D102"), "{prompt}");
    assert!(prompt.contains("requirements-prod.txt"), "{prompt}");
    assert!(
        prompt.contains("the end of the build log"),
        "the log excerpt goes back: {prompt}"
    );

    // Both rounds are records; the first says it did not build, the second that it did.
    let records = project.records();
    assert_eq!(records.len(), 2);
    let tests: Vec<String> = records.iter().map(|r| r.record.tests.join("\n")).collect();
    assert!(
        tests[0].contains("aigen verify docker/backend.Dockerfile: builds: no"),
        "{}",
        tests[0]
    );
    assert!(
        tests[1].contains("aigen verify docker/backend.Dockerfile: builds: yes")
            && tests[1].contains("healthy after"),
        "{}",
        tests[1]
    );
    let index = project.read("generated/index.json");
    assert!(index.contains("\"verified\": \"builds: yes"), "{index}");
    assert!(!run.all().contains(KEY));
}

#[test]
#[ignore = "needs a Docker Engine with the stand-ins: run with --ignored, AIGEN_TEST_DOCKER=1 and DOCKER_HOST (docs/testing.md); .ci/run does"]
fn a_build_past_its_timeout_is_cancelled_and_its_partial_image_removed() {
    let host = host();
    let project = Project::todo_app();
    // A step of its own before the slow one, so the build has a partial image to leave.
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    project.write(
        DOCKERFILE,
        &format!("FROM debian:trixie-slim\nRUN echo {nonce} > /nonce\nRUN sleep 300\n"),
    );
    let run = Run::of(aigen_in(project.root(), &host).args([
        "build",
        "backend",
        "--timeout",
        "20",
        "--format",
        "json",
    ]))
    .expect(1);
    let report = run.json();
    let build = &report["images"][0]["build"];
    assert_eq!(build["cancelled"], true, "{report:#}");
    assert_eq!(build["built"], false);
    assert!(
        build["duration_ms"].as_u64().unwrap() < 120_000,
        "cancelled, not waited out: {build:#}"
    );
    let removed = build["removed_image"]
        .as_str()
        .expect("a partial image removed");
    let inspect = docker(&host)
        .args(["image", "inspect", removed])
        .output()
        .unwrap();
    assert!(!inspect.status.success(), "{removed} is still there");
    assert!(
        report["images"][0]["findings"]
            .to_string()
            .contains("AG-D102")
    );
}
