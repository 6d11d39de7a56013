//! One answer to "is this a secret", and redaction that remembers, through the binary.
//!
//! - The shared table of names (`tests/fixtures/secrets/names.txt`) and a table of values go
//!   through `aigen detect`, AG-D010 (`aigen lint` of a Dockerfile), AG-K015 (`aigen lint` of a
//!   Deployment) and redaction (`aigen history add`): each must give the table's answer, so they
//!   can never disagree again.
//! - The redaction bar: a record whose prompt gives twelve secrets away by their context and
//!   whose response echoes each bare value holds none of them, in the file or in anything
//!   `aigen history` shows of it (`show`, `list`, `--format json`, `export`, the HTML report);
//!   nor does an exchange made by `aigen ask` with the openai provider, against a server on
//!   loopback that streams the values back split across chunks, nor a generation whose model
//!   echoes the value of a secret variable the project reads.
//!
//! Secret values are made at run time ([`Gen`]); none is written in this file.

use std::path::Path;

use aigen::provider::builtin::GeneratedFile;
use aigen::provider::builtin::render_answer;

use crate::support::command::{Run, aigen_command};
use crate::support::example::{KEY, Project};
use crate::support::files::{repo_path, write_file};
use crate::support::provider::{answering, event_stream, sse, v1};
use crate::support::secret_values::{Gen, assert_none_leaked};

/// One row of a table: what is checked, and whether it is a secret.
struct Row {
    text: String,
    secret: bool,
}

/// The shared table of names.
fn names() -> Vec<Row> {
    let table = std::fs::read_to_string(repo_path("tests/fixtures/secrets/names.txt")).unwrap();
    table
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (name, verdict) = (fields.next()?, fields.next()?);
            assert!(
                verdict == "secret" || verdict == "plain",
                "names.txt: `{line}`"
            );
            Some(Row {
                text: name.to_string(),
                secret: verdict == "secret",
            })
        })
        .collect()
}

/// A value for the `i`th name: looks like key material (so a bare `KEY` counts), has no known
/// shape (so only the name decides), and differs from every other.
fn value_of_name(i: usize) -> String {
    format!("Zx9q-{i:03}-Lm2Rt7vW3kP")
}

/// Values that are secrets by their shape alone, and values that are not.
fn values() -> Vec<Row> {
    let mut g = Gen(0x7ab1_e5ec_4e75_0001);
    let secret = |text: String| Row { text, secret: true };
    let plain = |text: &str| Row {
        text: text.to_string(),
        secret: false,
    };
    vec![
        secret(format!("sk-proj-{}", g.url64(48))),
        secret(format!("sk-ant-api03-{}", g.url64(40))),
        secret(format!("ghp_{}", g.alnum(36))),
        secret(format!("glpat-{}", g.alnum(20))),
        secret(format!("xoxb-{}-{}", g.hex(12), g.alnum(24))),
        secret(format!(
            "https://hooks.slack.com/services/T{}/B{}/{}",
            g.upper(10),
            g.upper(10),
            g.alnum(24)
        )),
        secret(format!("AKIA{}", g.upper(16))),
        secret(format!("AIza{}", g.url64(35))),
        secret(format!("sk_live_{}", g.alnum(24))),
        secret(format!("hf_{}", g.alnum(34))),
        secret(format!(
            "eyJhbGciOiJIUzI1NiJ9.eyJ{}.{}",
            g.url64(40),
            g.url64(43)
        )),
        secret(format!(
            "postgresql://todo:{}@db.internal:5432/todo",
            g.alnum(16)
        )),
        plain("info"),
        plain("3600"),
        plain("https://api.example.com/v1"),
        plain("postgresql://db.internal:5432/todo"),
        plain("postgresql://todo:<password>@db.internal:5432/todo"),
        plain("${DB_PASSWORD}"),
        plain("changeme"),
        plain("sk-abc123"),
        plain("kubernetes.io/hostname"),
    ]
}

/// A project with one Python service that reads every variable, a Dockerfile that sets each,
/// and a Deployment that gives each as a literal value.
fn table_project(settings: &[(String, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_file(&root.join("svc/requirements.txt"), "flask==3.0.0\n");
    let mut code = String::from("import os\n\n");
    let mut dockerfile = String::from("FROM python:3.13-slim\n");
    let mut env = String::new();
    for (i, (name, value)) in settings.iter().enumerate() {
        code.push_str(&format!("v{i} = os.getenv(\"{name}\")\n"));
        dockerfile.push_str(&format!("ENV {name}=\"{value}\"\n"));
        env.push_str(&format!(
            "            - name: {name}\n              value: \"{value}\"\n"
        ));
    }
    write_file(&root.join("svc/app.py"), code);
    write_file(&root.join("Dockerfile"), dockerfile);
    write_file(
        &root.join("deploy.yaml"),
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc\nspec:\n  selector:\n    matchLabels: {{ app: svc }}\n  template:\n    metadata:\n      labels: {{ app: svc }}\n    spec:\n      containers:\n        - name: svc\n          image: svc:1.0.0\n          env:\n{env}"
        ),
    );
    dir
}

fn aigen_in(dir: &Path, args: &[&str]) -> Run {
    let mut command = aigen_command();
    command.current_dir(dir).args(args);
    Run::of(&mut command)
}

/// The findings of `aigen lint <file> --format json` with `code`, as (line, message).
fn findings(dir: &Path, file: &str, code: &str) -> Vec<(u64, String)> {
    let run = aigen_in(dir, &["lint", file, "--format", "json"]);
    assert!(run.code <= 1, "lint {file}: {}", run.all());
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// What AG-D010 and AG-K015 say of each setting of a [`table_project`].
fn rule_answers(root: &Path, settings: &[(String, String)]) -> Vec<(&'static str, Vec<bool>)> {
    // `ENV` of the i-th setting is on line i + 2.
    let dockerfile = findings(root, "Dockerfile", "AG-D010");
    let d010 = (0..settings.len())
        .map(|i| dockerfile.iter().any(|(line, _)| *line == i as u64 + 2))
        .collect();
    let manifest = findings(root, "deploy.yaml", "AG-K015");
    let k015 = settings
        .iter()
        .map(|(name, _)| {
            let prefix = format!("env `{name}` ");
            manifest
                .iter()
                .any(|(_, message)| message.starts_with(&prefix))
        })
        .collect();
    vec![("AG-D010", d010), ("AG-K015", k015)]
}

/// The text of the one record `aigen history add` wrote in `dir`.
fn added_record(dir: &Path, prompt: &str) -> String {
    let run = aigen_in(
        dir,
        &[
            "history",
            "add",
            "--title",
            "table",
            "--stage",
            "general",
            &format!("--prompt={prompt}"),
            "--response=ok",
        ],
    )
    .expect(0);
    std::fs::read_to_string(dir.join(run.stdout.trim())).unwrap()
}

/// Answers per row, from each consumer; a mismatch names the row and the consumer.
fn disagreements(rows: &[Row], answers: &[(&str, Vec<bool>)], shown: impl Fn(usize) -> String) {
    let mut wrong = Vec::new();
    for (consumer, said) in answers {
        for (i, row) in rows.iter().enumerate() {
            if said[i] != row.secret {
                wrong.push(format!(
                    "{consumer} says {} for {}",
                    if said[i] { "secret" } else { "plain" },
                    shown(i)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn detection_the_dockerfile_and_kubernetes_rules_and_redaction_agree_on_every_name() {
    let rows = names();
    assert!(rows.len() > 50, "{} names", rows.len());
    let settings: Vec<(String, String)> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| (row.text.clone(), value_of_name(i)))
        .collect();
    let dir = table_project(&settings);
    let root = dir.path();

    let detection = aigen_in(root, &["detect", "--format", "json"])
        .expect(0)
        .json();
    let env = detection["services"][0]["env"].as_array().unwrap();
    let detected: Vec<bool> = rows
        .iter()
        .map(|row| {
            let var = env.iter().find(|v| v["name"] == row.text.as_str());
            var.unwrap_or_else(|| panic!("{} not detected", row.text))["secret"]
                .as_bool()
                .unwrap()
        })
        .collect();

    let prompt: String = settings
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    let record = added_record(root, &prompt);
    let redacted: Vec<bool> = settings
        .iter()
        .map(|(_, value)| !record.contains(value.as_str()))
        .collect();

    let mut answers = vec![("detection", detected)];
    answers.extend(rule_answers(root, &settings));
    answers.push(("redaction", redacted));
    disagreements(&rows, &answers, |i| format!("`{}`", rows[i].text));
}

#[test]
fn the_dockerfile_and_kubernetes_rules_and_redaction_agree_on_every_value() {
    let rows = values();
    // Under names that say nothing, so only the value decides.
    let settings: Vec<(String, String)> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| (format!("SETTING_{i:02}"), row.text.clone()))
        .collect();
    let dir = table_project(&settings);
    let root = dir.path();

    // Bare, one a line, with nothing around them that says secret.
    let prompt: String = rows.iter().map(|row| format!("- {}\n", row.text)).collect();
    let record = added_record(root, &prompt);
    let redacted: Vec<bool> = rows
        .iter()
        .map(|row| !record.contains(&format!("- {}\n", row.text)))
        .collect();

    let mut answers = rule_answers(root, &settings);
    answers.push(("redaction", redacted));
    disagreements(&rows, &answers, |i| {
        format!("value {i} ({} characters)", rows[i].text.len())
    });
}

/// One secret given away by its context, the value a model echoes bare, and the part of it that
/// must then vanish everywhere (the value, but for a URL its random part).
struct Given {
    what: &'static str,
    context: String,
    value: String,
    secret: String,
}

impl Given {
    fn new(what: &'static str, context: String, value: String) -> Self {
        Self {
            what,
            context,
            secret: value.clone(),
            value,
        }
    }
}

/// Twelve secrets, each in the context that shows it is one.
fn twelve(g: &mut Gen) -> Vec<Given> {
    let aws = g.b64(40);
    let token = g.alnum(32);
    let password = format!("{}-{}", g.alnum(10), g.hex(6));
    let auth = g.alnum(32);
    let bearer = format!("{}.{}", g.url64(24), g.hex(16));
    let pem = [g.b64(64), g.b64(64), g.b64(40)];
    let github = format!("ghp_{}", g.alnum(36));
    let openai = format!("sk-proj-{}", g.url64(48));
    let jwt = format!("eyJhbGciOiJIUzI1NiJ9.eyJ{}.{}", g.url64(40), g.url64(43));
    let webhook = g.alnum(24);
    let slack = format!(
        "https://hooks.slack.com/services/T{}/B{}/{webhook}",
        g.upper(10),
        g.upper(10)
    );
    let stripe = format!("sk_live_{}", g.alnum(24));
    let basic = format!("{}{}", g.alnum(12), g.hex(4));
    vec![
        Given::new(
            "aws secret access key",
            format!("aws_secret_access_key = {aws}"),
            aws,
        ),
        Given::new("token", format!("token: {token}"), token),
        Given::new(
            "password in a database URL",
            format!("DATABASE_URL=postgresql://todo:{password}@ep-cool.neon.tech:5432/todo"),
            password,
        ),
        Given::new(
            "BETTER_AUTH_SECRET",
            format!("BETTER_AUTH_SECRET: \"{auth}\""),
            auth,
        ),
        Given::new(
            "bearer header",
            format!("curl -H 'Authorization: Bearer {bearer}' https://api.internal/v1"),
            bearer,
        ),
        Given::new(
            "private key block",
            format!(
                "-----BEGIN RSA PRIVATE KEY-----\n{}\n{}\n{}\n-----END RSA PRIVATE KEY-----",
                pem[0], pem[1], pem[2]
            ),
            pem[1].clone(),
        ),
        Given::new("GitHub token", format!("GITHUB_TOKEN={github}"), github),
        Given::new(
            "OpenAI key",
            format!("export OPENAI_API_KEY={openai}"),
            openai,
        ),
        Given::new("JWT", format!("session cookie: {jwt}"), jwt),
        Given {
            secret: webhook,
            ..Given::new("Slack webhook", format!("notify: {slack}"), slack)
        },
        Given::new("Stripe key", format!("STRIPE_SECRET_KEY={stripe}"), stripe),
        Given::new(
            "basic auth in a URL",
            format!("pull from https://deploy:{basic}@registry.example.com/v2/todo"),
            basic,
        ),
    ]
}

/// The prompt (each secret in its context) and the response (each value bare).
fn exchange(given: &[Given]) -> (String, String) {
    let prompt: String = given
        .iter()
        .map(|g| format!("{}\n", g.context))
        .collect::<String>();
    let response: String = given
        .iter()
        .map(|g| format!("ok, I used {} for the {}.\n", g.value, g.what))
        .collect();
    (
        format!("Deploy the todo app with these settings:\n\n{prompt}"),
        response,
    )
}

/// Fails naming every value of `given` that shows in `text`.
fn assert_none_shows(place: &str, text: &str, given: &[Given]) {
    assert_none_leaked(
        place,
        text,
        given.iter().map(|g| (g.what, g.secret.as_str())),
    );
}

/// Everything `aigen history` shows of the trail in `root`, by what it is, and the record files.
fn everything_shown(root: &Path, reference: &str) -> Vec<(String, String)> {
    let mut shown = Vec::new();
    for args in [
        vec!["show", reference],
        vec!["show", reference, "--format", "json"],
        vec!["list"],
        vec!["list", "--format", "json"],
        vec!["search", "ok"],
        vec!["export", "--format", "json"],
        vec!["export", "--format", "jsonl"],
        vec!["export", "--format", "csv"],
        vec!["export", "--format", "md"],
    ] {
        let mut full = vec!["history"];
        full.extend(&args);
        let run = aigen_in(root, &full);
        assert!(run.code <= 1, "{args:?}: {}", run.all());
        shown.push((format!("history {}", args.join(" ")), run.all()));
    }
    let report = root.join("report.html");
    aigen_in(root, &["history", "report", "--html", "report.html"]).expect(0);
    shown.push((
        "the HTML report".to_string(),
        std::fs::read_to_string(&report).unwrap(),
    ));
    for file in walk(&root.join("history")) {
        shown.push((
            file.display().to_string(),
            std::fs::read_to_string(&file).unwrap(),
        ));
    }
    shown
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn twelve_secrets_given_in_context_and_echoed_bare_show_nowhere() {
    let given = twelve(&mut Gen(0xba5e_ba11_0012_0012));
    let (prompt, response) = exchange(&given);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let added = aigen_in(
        root,
        &[
            "history",
            "add",
            "--title",
            "deploy",
            "--stage",
            "general",
            &format!("--prompt={prompt}"),
            &format!("--response={response}"),
            "--format",
            "json",
        ],
    )
    .expect(0);
    assert_none_shows("history add", &added.all(), &given);
    let reference = added.json()["reference"].as_str().unwrap().to_string();
    // The same exchange the other way round: the values come first, bare, and their context
    // after them.
    let swapped = aigen_in(
        root,
        &[
            "history",
            "add",
            "--title",
            "swapped",
            "--stage",
            "general",
            &format!("--prompt={response}"),
            &format!("--response={prompt}"),
        ],
    )
    .expect(0);
    assert_none_shows("history add (swapped)", &swapped.all(), &given);

    let shown = everything_shown(root, &reference);
    for (place, text) in &shown {
        assert_none_shows(place, text, &given);
    }
    // What is left is still the exchange: the words around the values, and a marker for each.
    let (_, record) = shown
        .iter()
        .find(|(place, _)| place.ends_with(".general.prompt.md") && !place.contains("swapped"))
        .unwrap();
    assert!(record.contains("ok, I used [REDACTED:"), "{record}");
    assert!(record.matches("[REDACTED:").count() >= 24, "{record}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_streamed_by_a_model_keeps_the_prompts_secrets_out_of_every_output() {
    let given = twelve(&mut Gen(0x0a1_5eed_0012_0024));
    let (prompt, response) = exchange(&given);
    // Every value arrives split across two chunks.
    let mut pieces: Vec<String> = Vec::new();
    for line in response.split_inclusive('\n') {
        let cut = line.len() / 2;
        let cut = (cut..line.len())
            .find(|c| line.is_char_boundary(*c))
            .unwrap();
        pieces.push(line[..cut].to_string());
        pieces.push(line[cut..].to_string());
    }
    let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
    let server = answering(event_stream(sse(&pieces))).await;
    let project = Project::todo_app();
    let base = v1(&server);
    for format in [None, Some("json")] {
        let mut command = project.aigen();
        command
            .args(["ask", "--tool", "openai", "--base-url", &base, &prompt])
            .env("OPENAI_API_KEY", KEY);
        if let Some(format) = format {
            command.args(["--format", format]);
        }
        let run = Run::of(&mut command).expect(0);
        assert_none_shows(&format!("ask {format:?}"), &run.all(), &given);
        if format.is_none() {
            assert!(
                run.stdout.contains("ok, I used [REDACTED:"),
                "{}",
                run.stdout
            );
        }
    }
    let records = project.records();
    assert_eq!(records.len(), 2);
    let reference = records[0].reference();
    for (place, text) in everything_shown(project.root(), &reference) {
        assert_none_shows(&place, &text, &given);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_generation_stages_and_records_none_of_the_secrets_its_model_echoes() {
    let mut g = Gen(0x6e4e_7a7e_0012_0036);
    let given = twelve(&mut g);
    let project = Project::todo_app();
    // The project's own prompt for Dockerfiles quotes settings that hold secrets.
    let (_, builtin) = aigen::assets::PROMPTS
        .iter()
        .find(|(name, _)| *name == "dockerfile.md")
        .unwrap();
    let contexts: String = given.iter().map(|g| format!("{}\n", g.context)).collect();
    project.write(
        "prompts/dockerfile.md",
        &format!("{builtin}\nThe deployment's settings:\n\n{contexts}"),
    );
    // The backend reads BETTER_AUTH_SECRET; its value is in aigen's environment.
    let auth = g.alnum(40);
    let mut echoed = given;
    echoed.push(Given::new(
        "BETTER_AUTH_SECRET of the environment",
        String::new(),
        auth.clone(),
    ));
    echoed.push(Given::new(
        "API key of the environment",
        String::new(),
        KEY.to_string(),
    ));
    // The model echoes every value, in its words and as comments of the Dockerfile.
    let comments: String = echoed
        .iter()
        .map(|g| format!("# {} {}\n", g.what.replace(' ', "-"), g.value))
        .collect();
    let files: Vec<GeneratedFile> = project
        .builtin_files()
        .into_iter()
        .filter(|f| f.path.starts_with("docker/backend."))
        .map(|f| {
            if f.path.ends_with("Dockerfile") {
                GeneratedFile::new(&f.path, format!("{}{comments}", f.content))
            } else {
                f
            }
        })
        .collect();
    let (_, prose) = exchange(&echoed);
    let answer = format!("{prose}\n{}", render_answer(&files));
    let pieces: Vec<&str> = answer.split_inclusive('\n').collect();
    let server = answering(event_stream(sse(&pieces))).await;

    let mut command = project.openai_backend_dockerfile(&v1(&server));
    command
        .args(["--model", "test-model"])
        .env("BETTER_AUTH_SECRET", &auth);
    let run = Run::of(&mut command);
    assert!(run.code <= 1, "{}", run.all());
    assert_none_shows("dockerfile", &run.all(), &echoed);
    let staged = project.staged_text("docker/backend.Dockerfile");
    assert!(staged.contains("[REDACTED:"), "{staged}");
    for file in walk(&project.path("generated")) {
        let text = std::fs::read_to_string(&file).unwrap();
        assert_none_shows(&file.display().to_string(), &text, &echoed);
    }
    let reference = project.records()[0].reference();
    for (place, text) in everything_shown(project.root(), &reference) {
        assert_none_shows(&place, &text, &echoed);
    }
}
