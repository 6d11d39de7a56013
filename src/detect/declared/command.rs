//! Command lines as projects write them (a Dockerfile's `CMD`, a compose `command`, a Procfile
//! line, a `package.json` script): split into words, the server picked out of chained steps,
//! development servers told apart, and the port and health path a command names.

use std::sync::LazyLock;

use regex::Regex;

use super::super::regex;

/// Splits a shell command line into words: quotes and backslashes as a POSIX shell reads them,
/// no expansion.
pub(crate) fn split(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for n in chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                    word.push(n);
                }
            }
            '"' => {
                in_word = true;
                while let Some(n) = chars.next() {
                    match n {
                        '"' => break,
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                word.push(escaped);
                            }
                        }
                        _ => word.push(n),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(escaped) = chars.next() {
                    word.push(escaped);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            _ => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The steps of a chained shell command (`a && b; c || d`), in order, trimmed, the empty ones
/// left out. Operators inside quotes do not split.
pub(crate) fn steps(text: &str) -> Vec<&str> {
    let mut steps = Vec::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < bytes.len() {
        let (at, c) = bytes[i];
        let next_is = |n: char| bytes.get(i + 1).is_some_and(|(_, next)| *next == n);
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                ';' => {
                    steps.push(&text[start..at]);
                    start = at + 1;
                }
                '&' | '|' if next_is(c) => {
                    steps.push(&text[start..at]);
                    start = at + 2;
                    i += 1;
                }
                _ => {}
            },
        }
        i += 1;
    }
    steps.push(&text[start..]);
    steps
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The step of a chained shell command that starts the server: the last of `a && b; c`, the
/// steps before it being preparation (migrations, compiling assets).
pub(crate) fn server_step(text: &str) -> &str {
    steps(text).last().copied().unwrap_or("")
}

/// The steps a chained shell command runs before its server that prepare the data the server
/// needs ([`is_schema_step`]), as argv; other preparation (compiling assets, `echo`) is left out.
pub(crate) fn schema_steps(text: &str) -> Vec<Vec<String>> {
    let steps = steps(text);
    let before = steps.len().saturating_sub(1);
    steps[..before]
        .iter()
        .map(|step| step_argv(step))
        .filter(|argv| is_schema_step(argv))
        .collect()
}

/// True when a command migrates or initialises the database schema: a word names a migration
/// (`migrate`, `db:migrate`, `migrate:latest`, `migration:run`), `upgrade` or `push`
/// follows `db` or `alembic` (`flask db upgrade`, `alembic upgrade head`, `prisma db push`), or
/// a word is `initdb`, `init-db`, `init_db`, `createdb`, `create-db` or `create_db`; never
/// what only prints or waits (`echo`, `printf`, `sleep`, `test`).
pub(crate) fn is_schema_step(argv: &[String]) -> bool {
    if is_idle(argv) {
        return false;
    }
    let lower: Vec<String> = argv.iter().map(|w| w.to_ascii_lowercase()).collect();
    let names = |w: &str| {
        w.contains("migrat")
            || matches!(
                w,
                "initdb" | "init-db" | "init_db" | "createdb" | "create-db" | "create_db"
            )
    };
    let named = lower
        .iter()
        .filter(|w| !w.starts_with('-'))
        .any(|w| names(w.rsplit([':', '/']).next().unwrap_or(w)) || names(w));
    let upgrade = lower.windows(2).any(|pair| {
        matches!(pair[0].rsplit('/').next(), Some("db" | "alembic"))
            && matches!(pair[1].as_str(), "upgrade" | "push")
    });
    named || upgrade
}

/// True for a step that only prints, waits or tests (`echo`, `printf`, `sleep`, `true`, `test`,
/// `[`), or is empty: in a container of its own it changes nothing. Through `sh -c`, the same of
/// its script's program, unless the script pipes that output into another (`echo '' > .env` is
/// idle, `echo 'CREATE …' | psql` is not).
pub(crate) fn is_idle(argv: &[String]) -> bool {
    if let Some(script) = shell_script(argv) {
        return steps(script)
            .iter()
            .all(|step| !needs_shell_for_more_than_output(step) && is_idle(&argv_of(step)));
    }
    argv.first().is_none_or(|p| {
        matches!(
            p.as_str(),
            "echo" | "printf" | "sleep" | "true" | ":" | "test" | "["
        )
    })
}

/// A command as argv: the server step of a shell line, split, with a leading `exec` and
/// variable assignments (`PORT=3000 node app.js`) dropped.
pub(crate) fn argv(text: &str) -> Vec<String> {
    argv_of(server_step(text))
}

/// Every step of a chained shell command as argv (a Procfile's `release` line runs them all).
pub(crate) fn steps_argv(text: &str) -> Vec<Vec<String>> {
    steps(text).into_iter().map(step_argv).collect()
}

/// One step of its own as argv: through `sh -c` when only a shell can run it (a pipe, a
/// redirection, a command substitution: `yes | python manage.py migrate`), else its words.
fn step_argv(step: &str) -> Vec<String> {
    if needs_shell(step) {
        vec!["sh".to_string(), "-c".to_string(), step.to_string()]
    } else {
        argv_of(step)
    }
}

/// True when a step does more through the shell than send its output to a file: a pipe, a
/// command substitution (`echo 'CREATE …' | psql` is not idle, `echo '' > .env` is).
fn needs_shell_for_more_than_output(step: &str) -> bool {
    needs_shell(&step.replace(['>', '<'], " "))
}

/// True when a step uses what only a shell does, outside quotes: a pipe, a redirection, a
/// backquote or `$(`.
fn needs_shell(step: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for c in step.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '`' || (c == '(' && previous == '$') => return true,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '|' | '<' | '>' | '`' => return true,
                '(' if previous == '$' => return true,
                _ => {}
            },
        }
        previous = c;
    }
    false
}

/// `argv` with a program in a virtualenv's `bin` given by its name (`/venv/bin/python` →
/// `python`): the path is the project's own image's, and the generated images put their
/// environment's `bin` first on `PATH`.
pub(crate) fn program_on_path(mut argv: Vec<String>) -> Vec<String> {
    if let Some(program) = argv.first_mut()
        && let Some((dir, name)) = program.rsplit_once("/bin/")
        && dir
            .rsplit('/')
            .next()
            .is_some_and(|env| matches!(env, "venv" | ".venv" | "virtualenv" | "env" | ".env"))
        && !name.is_empty()
        && !name.contains('/')
    {
        *program = name.to_string();
    }
    argv
}

/// The script a shell is given to run (`sh -c "a && b"`), when `argv` is one.
pub(crate) fn shell_script(argv: &[String]) -> Option<&str> {
    let program = argv.first()?;
    let program = program.rsplit('/').next().unwrap_or(program);
    let shell = matches!(program, "sh" | "bash" | "ash" | "dash");
    (shell && argv.get(1).is_some_and(|w| w == "-c"))
        .then(|| argv.get(2).map(String::as_str))
        .flatten()
}

/// One step as argv, a leading `exec` and variable assignments dropped.
fn argv_of(step: &str) -> Vec<String> {
    let mut words = split(step);
    while words
        .first()
        .is_some_and(|w| w == "exec" || is_assignment(w))
    {
        words.remove(0);
    }
    words
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// True for a command that runs a development server or a watcher, which no production image
/// should: `manage.py runserver`, `flask run`, `next dev`, `vite`, `nodemon`, `--reload`, and
/// `make` targets, which hide what they run.
pub(crate) fn is_development(argv: &[String]) -> bool {
    let Some(program) = argv.first() else {
        return false;
    };
    let program = program.rsplit('/').next().unwrap_or(program);
    let has = |word: &str| argv.iter().any(|w| w == word);
    let second = argv.get(1).map(String::as_str);
    match program {
        "make" | "nodemon" | "ts-node-dev" | "tsx" | "air" | "watchexec" | "webpack-dev-server" => {
            true
        }
        "vite" => !matches!(second, Some("preview" | "build")),
        "next" | "nuxt" | "astro" => second == Some("dev"),
        "flask" => second == Some("run"),
        "fastapi" => second == Some("dev"),
        "react-scripts" | "ng" => matches!(second, Some("start" | "serve")),
        "npm" | "yarn" | "pnpm" | "bun" => {
            let script = if second == Some("run") {
                argv.get(2).map(String::as_str)
            } else {
                second
            };
            matches!(script, Some("dev" | "develop" | "watch" | "serve"))
        }
        _ => has("runserver") || has("--reload") || has("--watch"),
    }
}

static PORT_FLAG: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"^(?:--port|-p|--http-port|--listen-port|--server\.port|--bind|-b|--http|--http-socket|--socket|--listen|--host-port|-port)(?:=(.+))?$",
    )
});
static ADDRESS_PORT: LazyLock<Regex> = LazyLock::new(|| regex(r"^(?:[\w.\-\[\]:]*:)?(\d{2,5})$"));

/// The port a command line passes its server (`--port 8000`, `-b 0.0.0.0:5000`,
/// `--bind=:8080`, `--http :9090`), when it is a number rather than a variable.
pub(crate) fn port(argv: &[String]) -> Option<u16> {
    let mut words = argv.iter().skip(1);
    while let Some(word) = words.next() {
        let Some(caps) = PORT_FLAG.captures(word) else {
            continue;
        };
        let value = match caps.get(1) {
            Some(inline) => inline.as_str(),
            None => match words.next() {
                Some(next) => next.as_str(),
                None => break,
            },
        };
        if let Some(port) = ADDRESS_PORT
            .captures(value)
            .and_then(|c| c.get(1)?.as_str().parse::<u16>().ok())
            .filter(|p| *p > 0)
        {
            return Some(port);
        }
    }
    None
}

/// Programs a command line may run a server through (`opentelemetry-instrument python x.py`).
const WRAPPERS: &[&str] = &[
    "opentelemetry-instrument",
    "ddtrace-run",
    "newrelic-admin",
    "run-program",
    "dumb-init",
    "tini",
    "--",
];

/// The port a server program listens on when its command line names none (`fastapi run`,
/// uvicorn, gunicorn, hypercorn and granian listen on 8000, as does Django's `runserver`;
/// waitress on 8080; `next start` on 3000; `flask run` on 5000), and which convention says so.
pub(crate) fn default_port(argv: &[String]) -> Option<(u16, &'static str)> {
    let mut words = argv
        .iter()
        .map(String::as_str)
        .skip_while(|w| WRAPPERS.contains(w));
    let mut program = words.next()?;
    if program.starts_with("python") {
        match words.next()? {
            "-m" => program = words.next()?,
            "manage.py" => {
                return words
                    .next()
                    .filter(|w| *w == "runserver")
                    .map(|_| (8000, "Django's runserver default port"));
            }
            _ => return None,
        }
    }
    let second = words.next();
    Some(match program.rsplit('/').next()? {
        "uvicorn" => (8000, "uvicorn's default port"),
        "gunicorn" => (8000, "gunicorn's default port"),
        "hypercorn" => (8000, "hypercorn's default port"),
        "granian" => (8000, "granian's default port"),
        "waitress-serve" => (8080, "waitress's default port"),
        "fastapi" if second == Some("run") => (8000, "`fastapi run`'s default port"),
        "flask" if second == Some("run") => (5000, "`flask run`'s default port"),
        "next" if second == Some("start") => (3000, "Next.js's default port"),
        _ => return None,
    })
}

static LOCAL_URL: LazyLock<Regex> = LazyLock::new(|| {
    regex(r#"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::[\w${}]+)?(/[^\s"'|;&)]*)?"#)
});

/// The path a health-check command asks for (`curl -f http://localhost:8080/healthz`), when it
/// asks a local HTTP URL: `/` when the URL has no path.
pub(crate) fn health_path(text: &str) -> Option<String> {
    let caps = LOCAL_URL.captures(text)?;
    Some(caps.get(1).map_or("/", |m| m.as_str()).to_string())
}

/// True when a health-check command uses the gRPC health protocol.
pub(crate) fn is_grpc_check(text: &str) -> bool {
    text.contains("grpc_health_probe") || text.contains("grpc-health-probe")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_step_only_a_shell_can_run_goes_through_sh() {
        assert_eq!(
            steps_argv(r#"yes "yes" | python manage.py migrate && echo done"#),
            [
                words(&["sh", "-c", r#"yes "yes" | python manage.py migrate"#]),
                words(&["echo", "done"]),
            ]
        );
        for step in ["a > log", "a $(b)", "a `b`", "a \"$(b)\"", "a < in"] {
            assert!(needs_shell(step), "{step}");
        }
        for step in ["a 'x|y'", "a \"x > y\"", "a '$(b)'", "flask db upgrade"] {
            assert!(!needs_shell(step), "{step}");
        }
        assert!(is_schema_step(
            &steps_argv("yes | python manage.py migrate")[0]
        ));
    }

    #[test]
    fn a_shell_script_is_idle_only_when_every_step_only_prints() {
        let sh = |script: &str| words(&["sh", "-c", script]);
        assert!(is_idle(&sh("echo '' > .env")));
        assert!(is_idle(&sh("echo start; sleep 1")));
        assert!(!is_idle(&sh("echo Migrating && python manage.py migrate")));
        assert!(!is_idle(&sh("echo 'CREATE DATABASE x' | psql")));
    }

    #[test]
    fn a_virtualenv_program_is_called_by_its_name() {
        assert_eq!(
            program_on_path(words(&["/venv/bin/python", "manage.py", "migrate"])),
            words(&["python", "manage.py", "migrate"])
        );
        assert_eq!(
            program_on_path(words(&["/app/.venv/bin/alembic", "upgrade"])),
            words(&["alembic", "upgrade"])
        );
        assert_eq!(
            program_on_path(words(&["/usr/local/bin/python", "x.py"])),
            words(&["/usr/local/bin/python", "x.py"])
        );
    }

    #[test]
    fn splitting_follows_the_shell() {
        assert_eq!(
            split(r#"locust --host="http://${X}" -u 'a b' c\ d"#),
            words(&["locust", "--host=http://${X}", "-u", "a b", "c d"])
        );
    }

    #[test]
    fn the_server_is_the_last_step() {
        assert_eq!(
            server_step("flask db upgrade; flask translate compile; gunicorn app:app"),
            "gunicorn app:app"
        );
        assert_eq!(server_step("npm run migrate && npm start"), "npm start");
        assert_eq!(server_step("echo 'a; b'"), "echo 'a; b'");
        assert_eq!(
            argv("exec PORT=80 node server.js"),
            words(&["node", "server.js"])
        );
    }

    #[test]
    fn schema_steps_are_the_migrations_before_the_server() {
        assert_eq!(
            schema_steps("flask db upgrade; flask translate compile; gunicorn app:app"),
            [words(&["flask", "db", "upgrade"])]
        );
        assert_eq!(
            schema_steps("npm run migrate && npm start"),
            [words(&["npm", "run", "migrate"])]
        );
        assert_eq!(
            schema_steps(
                "python manage.py migrate --noinput && python manage.py collectstatic && gunicorn x.wsgi"
            ),
            [words(&["python", "manage.py", "migrate", "--noinput"])]
        );
        assert!(schema_steps("npm start").is_empty());
        assert!(schema_steps("echo 'migrate; now' && npm start").is_empty());
        assert!(is_schema_step(&words(&[
            "npx", "prisma", "migrate", "deploy"
        ])));
        assert!(is_schema_step(&words(&["npx", "prisma", "db", "push"])));
        assert!(is_schema_step(&words(&["alembic", "upgrade", "head"])));
        assert!(is_schema_step(&words(&["yarn", "db:migrate"])));
        assert!(is_schema_step(&words(&["./bin/initdb"])));
        assert!(!is_schema_step(&words(&["flask", "translate", "compile"])));
        assert!(!is_schema_step(&words(&[
            "pip",
            "install",
            "--upgrade",
            "pip"
        ])));
    }

    #[test]
    fn development_servers() {
        assert!(is_development(&words(&[
            "python",
            "manage.py",
            "runserver"
        ])));
        assert!(is_development(&words(&["npm", "run", "dev"])));
        assert!(is_development(&words(&["vite"])));
        assert!(is_development(&words(&["make", "run"])));
        assert!(!is_development(&words(&["vite", "preview"])));
        assert!(!is_development(&words(&["gunicorn", "app:app"])));
        assert!(!is_development(&words(&["npm", "start"])));
    }

    #[test]
    fn ports_of_command_lines() {
        let port = |line: &str| port(&split(line));
        assert_eq!(port("gunicorn -b :5000 app:app"), Some(5000));
        assert_eq!(port("gunicorn app:app -b 0.0.0.0:80 --workers 4"), Some(80));
        assert_eq!(port("uvicorn main:app --port=8080"), Some(8080));
        assert_eq!(port("uwsgi --http :9090"), Some(9090));
        assert_eq!(port("gunicorn -b :$PORT app:app"), None);
        assert_eq!(port("node server.js"), None);
    }

    #[test]
    fn server_programs_have_default_ports() {
        assert_eq!(
            default_port(&words(&["fastapi", "run", "--workers", "4"])).map(|p| p.0),
            Some(8000)
        );
        assert_eq!(
            default_port(&words(&["python", "-m", "gunicorn", "app:app"])).map(|p| p.0),
            Some(8000)
        );
        assert_eq!(default_port(&words(&["npx", "next", "start"])), None);
        assert_eq!(default_port(&words(&["node", "server.js"])), None);
    }

    #[test]
    fn health_check_urls() {
        assert_eq!(
            health_path("curl --fail http://localhost:$PORT/health || exit 1").as_deref(),
            Some("/health")
        );
        assert_eq!(
            health_path("wget -qO- http://127.0.0.1:8080").as_deref(),
            Some("/")
        );
        assert_eq!(health_path("pgrep k6"), None);
        assert!(is_grpc_check("/bin/grpc_health_probe -addr=:5050"));
    }
}
