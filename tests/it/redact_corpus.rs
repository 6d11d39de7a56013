//! The redaction corpus: more than fifty shapes of secrets, in prompts, responses, file lists,
//! titles, labels and error texts, must not leak through anything aigen writes or prints (the
//! record, `--format json`, exports, the HTML report, error messages); and ordinary
//! infrastructure text must come out unchanged.
//!
//! Secret values are assembled at run time from a seeded generator, so this file holds no
//! token-shaped literal.

use std::borrow::Cow;

use crate::support::phr::{Project, fixtures, stderr, stdout};
use crate::support::secret_values::{Gen, assert_none_leaked};
use aigen::secrets::Redactor;

/// One shape: a text holding a secret, and the secret that must vanish from it.
struct Case {
    name: &'static str,
    text: String,
    secret: String,
}

fn pem(g: &mut Gen, kind: &str) -> String {
    let body: Vec<String> = (0..6).map(|_| g.b64(64)).collect();
    format!(
        "-----BEGIN {kind}PRIVATE KEY-----\n{}\n-----END {kind}PRIVATE KEY-----",
        body.join("\n")
    )
}

/// The value of the environment variable used for the `env-secret` case.
const ENV_NAME: &str = "TODO_SERVICE_TOKEN";

fn corpus() -> Vec<Case> {
    let mut g = Gen(0x5eed_1234_abcd_ef01);
    let mut cases = Vec::new();
    let mut case = |name: &'static str, text: String, secret: String| {
        cases.push(Case { name, text, secret });
    };
    let s = format!("{}{}", "sk-", g.alnum(48));
    case("openai legacy key", format!("OPENAI key is {s} now"), s);
    let s = format!("{}{}", "sk-proj-", g.url64(100));
    case("openai project key", format!("use {s}"), s);
    let s = format!("{}{}", "sk-svcacct-", g.url64(64));
    case("openai service account key", format!("key: {s}"), s);
    let s = format!("{}{}", "sk-ant-api03-", g.url64(90));
    case("anthropic key", format!("ANTHROPIC {s} end"), s);
    let s = format!("{}{}", "gh", "p_") + &g.alnum(36);
    case("github classic pat", format!("git clone with {s}"), s);
    let s = format!("{}{}", "gh", "o_") + &g.alnum(36);
    case("github oauth token", format!("oauth {s}"), s);
    let s = format!("{}{}", "gh", "s_") + &g.alnum(36);
    case("github app token", format!("({s})"), s);
    let s = format!("{}{}_{}", "github_", "pat_", g.alnum(22)) + "_" + &g.alnum(59);
    case("github fine-grained pat", format!("token {s}."), s);
    let s = format!("{}{}", "glpat-", g.url64(20));
    case("gitlab pat", format!("GITLAB: {s}"), s);
    let s = format!("{}{}", "gldt-", g.url64(24));
    case("gitlab deploy token", format!("deploy {s}"), s);
    let s = format!(
        "{}-{}-{}-{}",
        "xoxb",
        g.pick("0123456789", 12),
        g.pick("0123456789", 12),
        g.alnum(24)
    );
    case("slack bot token", format!("slack {s}"), s);
    let s = format!("{}-{}-{}", "xoxp", g.pick("0123456789", 11), g.alnum(32));
    case("slack user token", format!("user {s}"), s);
    let s = g.alnum(24);
    case(
        "slack webhook",
        format!(
            "post to https://hooks.slack.com/services/T{}/B{}/{s} please",
            g.upper(8),
            g.upper(8)
        ),
        s,
    );
    let s = format!("{}{}", "AKIA", g.upper(16));
    case("aws access key", format!("aws_access_key_id = {s}"), s);
    let s = format!("{}{}", "ASIA", g.upper(16));
    case("aws session key id", format!("id {s}"), s);
    let s = g.b64(40);
    case(
        "aws secret in credentials file",
        format!("[default]\naws_secret_access_key = {s}\n"),
        s,
    );
    let s = g.b64(40);
    case("aws secret in env", format!("AWS_SECRET_ACCESS_KEY={s}"), s);
    let s = format!("eyJ{}.eyJ{}.{}", g.url64(30), g.url64(60), g.url64(43));
    case("jwt", format!("the token {s} expires"), s);
    let s = format!("eyJ{}.eyJ{}.{}", g.url64(20), g.url64(40), g.url64(43));
    case("jwt bearer", format!("Authorization: Bearer {s}"), s);
    let s = format!("{}.{}", g.alnum(20), g.hex(16));
    case(
        "opaque bearer",
        format!("curl -H 'Authorization: Bearer {s}' api"),
        s,
    );
    let s = format!("{}==", g.b64(30));
    case("basic auth header", format!("Authorization: Basic {s}"), s);
    let s = pem(&mut g, "RSA ");
    case("rsa private key", format!("key file:\n{s}\nend"), s);
    let s = pem(&mut g, "OPENSSH ");
    case("openssh private key", format!("~/.ssh/id_ed25519:\n{s}"), s);
    let s = pem(&mut g, "EC ");
    case(
        "ec key in a yaml block",
        format!("tls.key: |\n  {}\n", s.replace('\n', "\n  ")),
        s.lines().nth(2).unwrap().to_string(),
    );
    let s = pem(&mut g, "");
    case(
        "private key escaped in json",
        format!(
            "{{\"type\": \"service_account\", \"private_key\": \"{}\"}}",
            s.replace('\n', "\\n")
        ),
        s.lines().nth(3).unwrap().to_string(),
    );
    let s = g.alnum(14);
    case(
        "postgres url",
        format!("DATABASE_URL=postgresql://todo:{s}@db.internal:5432/todo"),
        s,
    );
    let s = g.alnum(12);
    case("mysql url", format!("mysql://root:{s}@mysql:3306/app"), s);
    let s = g.alnum(16);
    case(
        "redis url without user",
        format!("REDIS_URL=redis://:{s}@cache:6379/0"),
        s,
    );
    let s = g.alnum(18);
    case(
        "mongodb srv url",
        format!("mongodb+srv://app:{s}@cluster0.x.mongodb.net/db"),
        s,
    );
    let s = format!("{}@{}", g.alnum(6), g.alnum(6));
    case(
        "amqp url with @ in password",
        format!("amqp://guest:{s}@rabbit:5672"),
        s,
    );
    let s = format!("{}{}", "gh", "p_") + &g.alnum(36);
    case(
        "git remote with token",
        format!("https://x-access-token:{s}@github.com/org/repo.git"),
        s,
    );
    let s = g.alnum(20);
    case(
        "dotenv password",
        format!("DB_PASSWORD={s}\nDB_USER=todo"),
        s,
    );
    let s = g.alnum(32);
    case("shell export", format!("export API_KEY=\"{s}\""), s);
    let s = g.alnum(28);
    case(
        "json token",
        format!("{{\"token\": \"{s}\", \"user\": \"a\"}}"),
        s,
    );
    let s = format!("{} {}", g.alnum(10), g.alnum(10));
    case(
        "yaml password with spaces",
        format!("database:\n  password: {s}\n  user: todo\n"),
        s,
    );
    let s = g.alnum(24);
    case(
        "yaml client secret single-quoted",
        format!("client_secret: '{s}'"),
        s,
    );
    let s = g.alnum(50);
    case("python secret key", format!("SECRET_KEY = '{s}'"), s);
    let s = g.b64(44);
    case("nextauth secret", format!("NEXTAUTH_SECRET={s}"), s);
    let s = g.alnum(32);
    case("better auth secret", format!("BETTER_AUTH_SECRET: {s}"), s);
    let s = g.hex(64);
    case("jwt secret key", format!("JWT_SECRET_KEY: \"{s}\""), s);
    let s = g.alnum(16);
    case("cli password flag", format!("psql --password {s} -h db"), s);
    let s = g.alnum(30);
    case(
        "cli token flag with =",
        format!("gh auth login --with-token={s}"),
        s,
    );
    let s = g.alnum(26);
    case("dockerfile env space form", format!("ENV API_TOKEN {s}"), s);
    let s = g.alnum(26);
    case("dockerfile arg default", format!("ARG GITHUB_TOKEN={s}"), s);
    let s = g.alnum(18);
    case(
        "kubernetes env pair",
        format!("env:\n  - name: DATABASE_PASSWORD\n    value: \"{s}\"\n"),
        s,
    );
    let s = g.alnum(18);
    case(
        "compose environment list",
        format!("environment:\n  - POSTGRES_PASSWORD={s}\n"),
        s,
    );
    let s = g.alnum(18);
    case(
        "kubectl from-literal",
        format!("kubectl create secret generic db --from-literal=password={s}"),
        s,
    );
    let s = g.b64(24);
    case(
        "k8s secret data",
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  url: {s}\n"),
        s,
    );
    let s = g.alnum(22);
    case(
        "k8s secret stringData",
        format!("kind: Secret\napiVersion: v1\nstringData:\n  OPENAI_BASE: {s}\n"),
        s,
    );
    let s = g.b64(32);
    case(
        "k8s secret json",
        format!("{{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"data\":{{\"auth\":\"{s}\"}}}}"),
        s,
    );
    let s = format!("{}{}", "AIza", g.url64(35));
    case("google api key", format!("GOOGLE key {s}"), s);
    let s = format!("{}{}", "sk_live_", g.alnum(24));
    case("stripe secret key", format!("stripe {s}"), s);
    let s = format!("{}{}", "whsec_", g.alnum(32));
    case("stripe webhook secret", format!("webhook {s}"), s);
    let s = format!("{}{}", "hf_", g.alnum(34));
    case("hugging face token", format!("HF {s}"), s);
    let s = format!("{}{}", "npm_", g.alnum(36));
    case(
        "npm token",
        format!("//registry.npmjs.org/:_authToken={s}"),
        s,
    );
    let s = g.alnum(32);
    case(
        "url query api key",
        format!("GET https://api.example.com/v1?api_key={s}&q=1"),
        s,
    );
    let s = g.alnum(32);
    case("api key header", format!("X-Api-Key: {s}"), s);
    let s = g.alnum(24);
    case("toml password", format!("[db]\npassword = \"{s}\"\n"), s);
    let s = g.b64(64);
    case(
        "azure connection string",
        format!(
            "DefaultEndpointsProtocol=https;AccountName=todo;AccountKey={s};EndpointSuffix=core.windows.net"
        ),
        s,
    );
    let s = g.alnum(24);
    case(
        "js object api key",
        format!("const client = new Client({{ apiKey: \"{s}\" }});"),
        s,
    );
    let s = g.alnum(24);
    case("passphrase", format!("SSH_PASSPHRASE={s}"), s);
    let s = env_secret_value();
    case(
        "env-secret exact value",
        format!("the service answered with {s} in its log"),
        s,
    );
    cases
}

/// The value given to `TODO_SERVICE_TOKEN` for the exact-value case.
fn env_secret_value() -> String {
    Gen(0xfeed_beef_0000_0042).alnum(30)
}

fn assert_no_leaks(what: &str, output: &str, cases: &[Case]) {
    let secrets = cases.iter().map(|c| (c.name, c.secret.as_str()));
    assert_none_leaked(what, output, secrets);
}

#[test]
fn the_corpus_has_more_than_fifty_shapes_and_the_library_redacts_each_whole() {
    let cases = corpus();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    let redactor = Redactor::new(&[env_secret_value()]);
    for case in &cases {
        let out = redactor.redact(&case.text);
        assert!(out.contains("[REDACTED:"), "{}: {out}", case.name);
        assert_no_leaks(case.name, &out, std::slice::from_ref(case));
        assert_eq!(
            redactor.redact(&out),
            out,
            "{}: redacting twice changes nothing",
            case.name
        );
    }
}

#[test]
fn kinds_are_named_in_the_markers() {
    let redactor = Redactor::new(&[env_secret_value()]);
    let cases = corpus();
    let kind_of = |name: &str| {
        let case = cases.iter().find(|c| c.name == name).unwrap();
        redactor.redact(&case.text).into_owned()
    };
    for (name, kind) in [
        ("openai legacy key", "openai-key"),
        ("anthropic key", "anthropic-key"),
        ("github classic pat", "github-token"),
        ("gitlab pat", "gitlab-token"),
        ("slack bot token", "slack-token"),
        ("aws access key", "aws-access-key"),
        ("aws secret in credentials file", "aws-secret-key"),
        ("jwt", "jwt"),
        ("rsa private key", "private-key"),
        ("postgres url", "url-password"),
        ("dotenv password", "secret-assignment"),
        ("k8s secret data", "k8s-secret-data"),
        ("env-secret exact value", "env-secret"),
    ] {
        let out = kind_of(name);
        assert!(out.contains(&format!("[REDACTED:{kind}]")), "{name}: {out}");
    }
    let url = kind_of("postgres url");
    assert!(
        url.contains("postgresql://todo:[REDACTED:url-password]@db.internal:5432/todo"),
        "{url}"
    );
}

#[test]
fn ordinary_infrastructure_text_is_left_alone() {
    let redactor = Redactor::builtin();
    let dir = fixtures().join("redaction/clean");
    let mut checked = 0;
    let mut all = String::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        all.push_str(&text);
        all.push('\n');
        let out = redactor.redact(&text);
        assert!(
            matches!(out, Cow::Borrowed(_)),
            "{} changed:\n{}",
            path.display(),
            similar_lines(&text, &out)
        );
        checked += 1;
    }
    assert!(checked >= 8, "{checked} clean fixtures");
    // Pasted one after another, as in a prompt that quotes several files.
    let out = redactor.redact(&all);
    assert!(
        matches!(out, Cow::Borrowed(_)),
        "the fixtures pasted together changed:\n{}",
        similar_lines(&all, &out)
    );
}

fn similar_lines(a: &str, b: &str) -> String {
    a.lines()
        .zip(b.lines())
        .filter(|(x, y)| x != y)
        .map(|(x, y)| format!("- {x}\n+ {y}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn nothing_the_binary_writes_or_prints_leaks_a_secret() {
    let cases = corpus();
    let project = Project::new();
    let everything: String = cases
        .iter()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    let single_tokens: Vec<&Case> = cases
        .iter()
        .filter(|c| !c.text.contains(char::is_whitespace) && c.text.len() < 300)
        .collect();
    let run = |args: &[&str]| {
        project
            .aigen()
            .env(ENV_NAME, env_secret_value())
            .arg("history")
            .args(args)
            .output()
            .unwrap()
    };

    // The prompt comes on stdin, the response inline; secrets also in the title, a label,
    // the file list and test lines.
    let title = format!("Deploy with {}", cases[0].secret);
    let mut args: Vec<String> = vec![
        "add".into(),
        "--title".into(),
        title,
        "--stage".into(),
        "green".into(),
        "--feature".into(),
        "003-k8s-deployment".into(),
        "--label".into(),
        cases[4].secret.clone(),
        "--prompt-file".into(),
        "-".into(),
        "--response".into(),
        everything.clone(),
        "--test".into(),
        cases[31].text.clone(),
    ];
    for case in &single_tokens {
        args.push("--file".into());
        args.push(case.text.clone());
    }
    let output = project
        .aigen()
        .env(ENV_NAME, env_secret_value())
        .arg("history")
        .args(&args)
        .args(["--format", "json"])
        .write_stdin(everything.clone())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_no_leaks("add --format json", &stdout(&output), &cases);

    // A hand-written record with the same secrets, which aigen did not redact on the way in.
    std::fs::create_dir_all(project.trail().join("general")).unwrap();
    std::fs::write(
        project.trail().join("general/0042-by-hand.general.prompt.md"),
        format!(
            "---\nid: 0042\ntitle: by hand\nstage: general\ndate: 2026-01-01\nsurface: agent\nmodel: unspecified\nfeature: none\nbranch: main\nuser: unknown\ncommand: /sp.phr\nlabels: []\nlinks:\n  spec: null\n  ticket: null\n  adr: null\n  pr: null\nfiles:\n - none\ntests:\n - none\n---\n\n## Prompt\n\n{everything}\n\n## Response snapshot\n\n{everything}\n"
        ),
    )
    .unwrap();

    let files = project.record_files();
    let written = std::fs::read_to_string(project.trail().join(&files[0])).unwrap();
    assert!(files[0].starts_with("003-k8s-deployment/"), "{files:?}");
    assert_no_leaks("the record file", &written, &cases);
    assert!(written.contains("[REDACTED:"));

    for args in [
        vec!["show", "003-k8s-deployment/0001"],
        vec!["show", "003-k8s-deployment/0001", "--format", "json"],
        vec!["show", "general/0042"],
        vec!["show", "general/0042", "--format", "json"],
        vec!["list"],
        vec!["list", "--format", "json"],
        vec!["search", "service"],
        vec!["search", "service", "--format", "json"],
        vec!["export", "--format", "json"],
        vec!["export", "--format", "jsonl"],
        vec!["export", "--format", "csv"],
        vec!["export", "--format", "md"],
        vec!["stats", "--format", "json"],
        vec!["verify", "--format", "json"],
    ] {
        let output = run(&args);
        assert!(
            output.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_no_leaks(&format!("{args:?} stdout"), &stdout(&output), &cases);
        assert_no_leaks(&format!("{args:?} stderr"), &stderr(&output), &cases);
    }

    let report = project.path().join("report.html");
    let output = run(&["report", "--html", report.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_no_leaks(
        "the HTML report",
        &std::fs::read_to_string(&report).unwrap(),
        &cases,
    );

    // Error texts: a record key and a file path made of secrets.
    for case in &single_tokens {
        let output = run(&["show", &case.text]);
        assert_eq!(output.status.code(), Some(2), "{}", case.name);
        assert_no_leaks(
            &format!("error of show {}", case.name),
            &stderr(&output),
            &cases,
        );
        let output = run(&[
            "add",
            "--title",
            "t",
            "--stage",
            "general",
            "--prompt-file",
            &case.text,
            "--response",
            "r",
        ]);
        assert_eq!(output.status.code(), Some(2), "{}", case.name);
        assert_no_leaks(
            &format!("error of --prompt-file {}", case.name),
            &stderr(&output),
            &cases,
        );
    }
}
