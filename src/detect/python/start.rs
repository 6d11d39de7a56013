//! How a Python service starts when its project does not say: the application object
//! ([`entrypoint`]), the server the project installs for it ([`Server`]: gunicorn only when it is
//! a dependency; uvicorn, granian, uWSGI, hypercorn, waitress as installed), or the script that
//! runs itself ([`main_script`]: a server's, never a client's or a test's).

use std::sync::LazyLock;

use regex::Regex;

use super::super::argv;
use super::super::manifest::TomlDoc;
use super::super::model::{FrameworkKind, Origin, Sourced};
use super::super::regex;
use super::super::source::{ServiceDir, ServiceFile};
use super::dependencies::{Dependencies, Dependency};

/// A server program and the distribution that installs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Server {
    Uvicorn,
    FastapiCli,
    Gunicorn,
    Granian,
    Uwsgi,
    Hypercorn,
    Waitress,
}

impl Server {
    /// The servers that can serve an ASGI app, most usual first.
    const ASGI: &[Server] = &[
        Self::Uvicorn,
        Self::FastapiCli,
        Self::Granian,
        Self::Hypercorn,
    ];
    /// The servers that can serve a WSGI app, most usual first.
    const WSGI: &[Server] = &[Self::Gunicorn, Self::Uwsgi, Self::Granian, Self::Waitress];

    /// The dependency that installs it: `(distribution, needed extra)`.
    fn distributions(self) -> &'static [(&'static str, Option<&'static str>)] {
        match self {
            Self::Uvicorn => &[("uvicorn", None), ("fastapi", Some("standard"))],
            Self::FastapiCli => &[("fastapi-cli", None), ("fastapi", Some("standard"))],
            Self::Gunicorn => &[("gunicorn", None)],
            Self::Granian => &[("granian", None)],
            Self::Uwsgi => &[("uwsgi", None), ("pyuwsgi", None)],
            Self::Hypercorn => &[("hypercorn", None)],
            Self::Waitress => &[("waitress", None)],
        }
    }

    /// The port the program listens on when nothing tells it.
    fn default_port(self) -> (u16, &'static str) {
        match self {
            Self::Uvicorn => (8000, "uvicorn's default port"),
            Self::FastapiCli => (8000, "`fastapi run`'s default port"),
            Self::Gunicorn => (8000, "gunicorn's default port"),
            Self::Granian => (8000, "granian's default port"),
            Self::Hypercorn => (8000, "hypercorn's default port"),
            Self::Waitress => (8080, "waitress's default port"),
            Self::Uwsgi => (8000, "the port aigen binds uWSGI to"),
        }
    }

    /// The dependency that installs it in a production install, if any does.
    pub(super) fn installed_by(self, dependencies: &Dependencies) -> Option<&Dependency> {
        self.distributions().iter().find_map(|(name, extra)| {
            let found = dependencies.installed(name)?;
            let has_extra = extra.is_none_or(|e| {
                found.raw.replace(' ', "").contains(&format!("[{e}"))
                    || found.raw.contains(&format!(",{e}"))
            });
            has_extra.then_some(found)
        })
    }
}

/// The command that serves `entry` with `server` on `port`.
fn command(server: Server, entry: &str, port: u16, dir: &ServiceDir) -> Vec<String> {
    let port_text = port.to_string();
    let bind = format!("0.0.0.0:{port}");
    let wsgi_call = entry.ends_with("()");
    match server {
        Server::Uvicorn => {
            let mut words = argv(&[
                "uvicorn",
                entry.trim_end_matches("()"),
                "--host",
                "0.0.0.0",
                "--port",
                &port_text,
            ]);
            if wsgi_call {
                words.push("--factory".into());
            }
            words
        }
        Server::FastapiCli => argv(&["fastapi", "run", "--port", &port_text]),
        Server::Gunicorn => argv(&["gunicorn", "--bind", &bind, entry]),
        Server::Granian => {
            let interface = if entry.contains(".wsgi:") || entry.contains(":application") {
                "wsgi"
            } else {
                "asgi"
            };
            argv(&[
                "granian",
                "--interface",
                interface,
                "--host",
                "0.0.0.0",
                "--port",
                &port_text,
                entry,
            ])
        }
        Server::Hypercorn => argv(&["hypercorn", "--bind", &bind, entry]),
        Server::Waitress => argv(&["waitress-serve", &format!("--listen={bind}"), entry]),
        Server::Uwsgi => match uwsgi_ini(dir) {
            // A configuration that opens no socket of its own gets the one aigen binds:
            // without it uWSGI stops ("The -s/--socket option is missing").
            Some(ini) if !opens_socket(dir, &ini) => {
                argv(&["uwsgi", "--ini", &ini, "--http-socket", &bind])
            }
            Some(ini) => argv(&["uwsgi", "--ini", &ini]),
            None => argv(&[
                "uwsgi",
                "--http-socket",
                &bind,
                "--module",
                entry,
                "--master",
            ]),
        },
    }
}

/// A uWSGI configuration file of the service (`uwsgi.ini`, `etc/uwsgi.ini`).
fn uwsgi_ini(dir: &ServiceDir) -> Option<String> {
    dir.files
        .iter()
        .find(|f| f.rsplit('/').next() == Some("uwsgi.ini"))
        .cloned()
}

/// A uWSGI command whose configuration changes to an absolute directory (`chdir =
/// /opt/healthchecks`, where the project's own image keeps the code) made to stay where the
/// image starts it: the configuration loaded with `--ini` (a positional file is loaded after
/// every option, so it would win) and `--chdir .` after it. Any other command as it is.
pub(super) fn uwsgi_in_place(dir: &ServiceDir, argv: Vec<String>) -> Vec<String> {
    if argv.first().map(|p| p.rsplit('/').next().unwrap_or(p)) != Some("uwsgi") {
        return argv;
    }
    let mut ini = None;
    let mut rest = Vec::new();
    let mut words = argv.iter().skip(1);
    while let Some(word) = words.next() {
        if word == "--ini" {
            ini = words.next().cloned();
        } else if ini.is_none() && word.ends_with(".ini") && !word.starts_with('-') {
            ini = Some(word.clone());
        } else {
            rest.push(word.clone());
        }
    }
    let Some(ini) = ini else {
        return argv;
    };
    let moves = dir.read(ini.trim_start_matches("./")).is_ok_and(|file| {
        file.text.lines().any(|line| {
            line.split_once('=')
                .is_some_and(|(key, value)| key.trim() == "chdir" && value.trim().starts_with('/'))
        })
    });
    if !moves {
        return argv;
    }
    let mut command = vec!["uwsgi".to_string(), "--ini".to_string(), ini];
    command.extend(rest);
    command.extend(["--chdir".to_string(), ".".to_string()]);
    command
}

/// True when the uWSGI configuration `ini` opens a socket (`http-socket`, `http`, `socket`, …),
/// or cannot be read (then it is left as it is).
fn opens_socket(dir: &ServiceDir, ini: &str) -> bool {
    const SOCKETS: &[&str] = &[
        "http-socket",
        "http",
        "https",
        "http11-socket",
        "socket",
        "uwsgi-socket",
        "fastcgi-socket",
        "shared-socket",
    ];
    let Ok(file) = dir.read(ini) else {
        return true;
    };
    file.text.lines().any(|line| {
        line.split_once('=').is_some_and(|(key, _)| {
            let key = key.trim();
            SOCKETS.contains(&key)
        })
    })
}

/// The start the framework's conventions give, with the server the project installs: the
/// command, the port it binds when the project names none, and the dependency group the server
/// comes from when it is not a main dependency.
pub(super) struct Conventional {
    pub command: Sourced<Vec<String>>,
    pub port: Option<Sourced<u16>>,
    pub group: Option<Sourced<String>>,
}

/// The conventional start of a framework's app: the first server the project installs that can
/// serve it; without one, the most usual server, as a guess.
pub(super) fn conventional(
    kind: FrameworkKind,
    entry: Option<&Sourced<String>>,
    port: Option<u16>,
    dependencies: &Dependencies,
    dir: &ServiceDir,
) -> Conventional {
    let (servers, fallback_entry) = match kind {
        FrameworkKind::FastApi => (Server::ASGI, "main:app"),
        FrameworkKind::Django => (Server::WSGI, "config.wsgi:application"),
        _ => (Server::WSGI, "app:app"),
    };
    let installed = servers
        .iter()
        .find_map(|server| Some((*server, server.installed_by(dependencies)?)));
    let server = installed.map_or(servers[0], |(s, _)| s);
    let (default_port, why) = server.default_port();
    let port_value = port.unwrap_or(default_port);
    let entry_text = entry.map_or(fallback_entry, |e| e.value.as_str());
    let words = command(server, entry_text, port_value, dir);
    let origin = match (installed, entry) {
        (Some(_), Some(entry)) => entry.origin.clone(),
        (Some((_, dependency)), None) => dependency.origin.clone(),
        (None, _) => Origin::Default,
    };
    Conventional {
        command: Sourced::new(words, origin),
        port: (port.is_none() && installed.is_some())
            .then(|| Sourced::convention(default_port, why)),
        group: installed.and_then(|(_, d)| Some(Sourced::new(d.group.clone()?, d.origin.clone()))),
    }
}

static FASTAPI_APP: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?m)^(\w+)\s*(?::\s*[\w.\[\]]+\s*)?=\s*(?:fastapi\.)?FastAPI\("));
static FLASK_APP: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?m)^(\w+)\s*(?::\s*[\w.\[\]]+\s*)?=\s*(?:(?:flask\.)?Flask\(|create_app\(|make_app\()")
});
static APP_FACTORY: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?m)^def\s+(create_app|make_app)\s*\("));
static DJANGO_WSGI: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?m)^(application)\s*=\s*get_wsgi_application\("));

/// The application object the server loads: `module:variable`, from `[tool.fastapi]`'s
/// `entrypoint`, else found where it is created.
pub(super) fn entrypoint(
    kind: FrameworkKind,
    sources: &[ServiceFile],
    pyproject: Option<&TomlDoc<'_>>,
) -> Option<Sourced<String>> {
    if kind == FrameworkKind::FastApi
        && let Some(declared) =
            pyproject.and_then(|doc| doc.string(&["tool", "fastapi", "entrypoint"]))
    {
        return Some(declared);
    }
    let mut candidates: Vec<&ServiceFile> = sources.iter().filter(|f| !is_client(f)).collect();
    // Conventional entry files first, then shallow before deep.
    candidates.sort_by_key(|file| {
        let conventional = matches!(
            file.name(),
            "main.py" | "app.py" | "server.py" | "asgi.py" | "wsgi.py" | "__init__.py"
        );
        (!conventional, file.rel.matches('/').count())
    });
    let object = |re: &Regex| {
        candidates.iter().find_map(|file| {
            let name = file.find(re)?.get(1)?;
            let value = format!("{}:{}", module_path(&file.rel), name.as_str());
            Some(file.sourced(value, name.start()))
        })
    };
    match kind {
        FrameworkKind::FastApi => object(&FASTAPI_APP),
        FrameworkKind::Flask => object(&FLASK_APP).or_else(|| {
            candidates
                .iter()
                .filter(|f| f.text.contains("Flask("))
                .find_map(|file| {
                    let name = file.find(&APP_FACTORY)?.get(1)?;
                    let value = format!("{}:{}()", module_path(&file.rel), name.as_str());
                    Some(file.sourced(value, name.start()))
                })
        }),
        FrameworkKind::Django => object(&DJANGO_WSGI),
        _ => None,
    }
}

/// `src/api/main.py` as a module path: `src.api.main` (a package's `__init__.py` is the package).
pub(super) fn module_path(rel: &str) -> String {
    let without = rel.trim_end_matches(".py");
    let without = without.strip_suffix("/__init__").unwrap_or(without);
    without.replace('/', ".")
}

static MAIN_GUARD: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"(?m)^if\s+__name__\s*==\s*["']__main__["']"#));
static STARTS_SERVER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\bgrpc(?:\.aio)?\.server\(|\.serve_forever\(|\buvicorn\.run\(|\bweb\.run_app\(|\.run\([^)]*\bport\b|\bserve\(|\.start\(\)\s*\n[^\n]*wait_for_termination|\bstart_servers?\(|\.launch\(",
    )
});

/// True for a program that talks to a server rather than being one: a client or a test.
pub(super) fn is_client(file: &ServiceFile) -> bool {
    let name = file.name().to_ascii_lowercase();
    name.contains("client") || name.starts_with("test") || name.contains("locust")
}

/// The script that runs the service by itself: among the files with a `__main__` guard (clients
/// and tests left out), one that starts a server first, then one named like a server or an entry
/// point, then the shallowest.
pub(super) fn main_script(sources: &[ServiceFile]) -> Option<Sourced<Vec<String>>> {
    let mut scripts: Vec<(&ServiceFile, usize)> = sources
        .iter()
        .filter(|f| !is_client(f) && f.kind() == super::super::source::FileKind::Python)
        .filter_map(|f| Some((f, f.find(&MAIN_GUARD)?.get(0)?.start())))
        .collect();
    scripts.sort_by_key(|(file, _)| {
        let name = file.name();
        let named = name.contains("server")
            || matches!(
                name,
                "main.py" | "app.py" | "run.py" | "__main__.py" | "wsgi.py" | "asgi.py"
            );
        (
            !STARTS_SERVER.is_match(&file.text),
            !named,
            file.rel.matches('/').count(),
            file.rel.clone(),
        )
    });
    let (file, at) = scripts.first()?;
    Some(file.sourced(argv(&["python", &file.rel]), *at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::in_memory as file;

    #[test]
    fn the_server_script_wins_over_a_client() {
        let files = [
            file(
                "email_client.py",
                "import grpc\ndef send(): ...\nif __name__ == '__main__':\n    send()\n",
            ),
            file(
                "email_server.py",
                "def start():\n    server = grpc.server(pool)\n    server.start()\nif __name__ == '__main__':\n    start()\n",
            ),
        ];
        let script = main_script(&files).unwrap();
        assert_eq!(script.value, ["python", "email_server.py"]);
        assert_eq!(script.origin.to_string(), "email_server.py:4");
    }

    #[test]
    fn a_uwsgi_configuration_without_a_socket_gets_the_one_aigen_binds() {
        let root = tempfile::tempdir().unwrap();
        let dir = ServiceDir {
            root: root.path().to_path_buf(),
            path: ".".into(),
            files: vec!["uwsgi.ini".into()],
        };
        let write = |text: &str| std::fs::write(root.path().join("uwsgi.ini"), text).unwrap();
        write("[uwsgi]\nmodule = shop.wsgi:application\nprocesses = 2\n");
        let started = command(Server::Uwsgi, "shop.wsgi:application", 8000, &dir);
        assert_eq!(
            started,
            [
                "uwsgi",
                "--ini",
                "uwsgi.ini",
                "--http-socket",
                "0.0.0.0:8000"
            ]
        );
        write("[uwsgi]\nhttp-socket = :9000\nmodule = shop.wsgi:application\n");
        let started = command(Server::Uwsgi, "shop.wsgi:application", 8000, &dir);
        assert_eq!(started, ["uwsgi", "--ini", "uwsgi.ini"]);
    }

    #[test]
    fn a_uwsgi_configuration_that_changes_directory_stays_where_the_image_starts() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("docker")).unwrap();
        let dir = ServiceDir {
            root: root.path().to_path_buf(),
            path: ".".into(),
            files: vec!["docker/uwsgi.ini".into()],
        };
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        std::fs::write(
            root.path().join("docker/uwsgi.ini"),
            "[uwsgi]\nchdir = /opt/shop\nmodule = shop.wsgi:application\n",
        )
        .unwrap();
        assert_eq!(
            uwsgi_in_place(&dir, words(&["uwsgi", "docker/uwsgi.ini"])),
            ["uwsgi", "--ini", "docker/uwsgi.ini", "--chdir", "."]
        );
        std::fs::write(
            root.path().join("docker/uwsgi.ini"),
            "[uwsgi]\nmodule = shop.wsgi:application\n",
        )
        .unwrap();
        assert_eq!(
            uwsgi_in_place(&dir, words(&["uwsgi", "docker/uwsgi.ini"])),
            ["uwsgi", "docker/uwsgi.ini"]
        );
        assert_eq!(
            uwsgi_in_place(&dir, words(&["gunicorn", "app:app"])),
            ["gunicorn", "app:app"]
        );
    }

    #[test]
    fn module_paths() {
        assert_eq!(module_path("src/api/main.py"), "src.api.main");
        assert_eq!(module_path("app/__init__.py"), "app");
        assert_eq!(module_path("main.py"), "main");
    }
}
