//! The directories a service writes at run time (its SQLite file, uploads, keys), which a
//! read-only root file system must leave writable. Each comes from what the project says, with
//! its `file:line`, in this order:
//!
//! - the value of a data directory's variable (`DATA_DIR`, `*_DATA_DIR`, `DATADIR`,
//!   `*_DATA_DIRECTORY`): the one the project's Dockerfile, compose file or manifests give it,
//!   else the code's own default (`os.getenv("DATA_DIR", "data")`, clap's
//!   `default_value = "microbin_data"`, the string that ends `process.env.DATA_DIR || … ||
//!   "./data/"`);
//! - a data directory flag: the value the start command passes (`--data-dir /srv/data`), else
//!   the flag's default in the code (argparse `add_argument("--data-dir", default="data")`, Go
//!   `flag.String("data-dir", "data", …)` and cobra's `StringVar`/`StringVarP`, a clap field
//!   `data_dir` with `default_value = "data"`);
//! - the directory of a SQLite file the Go code names as a default (`Connection:
//!   "data/gotify.db"` in a configuration's defaults is `data`), outside `_test.go` files;
//! - a directory Python code creates with a literal path (`os.mkdir('logs')`), and the directory
//!   of a SQLite file it names under a base directory (`os.path.join(BASE_DIR, "data",
//!   "db.sqlite3")`, `BASE_DIR / "data" / "db.sqlite3"`: `data`);
//! - the upload directory JavaScript code gives multer, which creates it when the app starts
//!   (`diskStorage({ destination: './files' })`, `multer({ dest: 'uploads/' })`);
//! - `/data`, where a SQLite default Python code puts in a directory of the code is moved
//!   ([`move_sqlite_defaults`]);
//! - the `VOLUME`s of the project's Dockerfile;
//! - what its compose file mounts into the service's container, writable: named and anonymous
//!   volumes, `tmpfs`, and bind mounts of a host directory the repository does not hold
//!   (`./data:/app/data`). A bind mount of code or configuration the repository holds is a
//!   development setup, not data; a read-only mount is not written.
//!
//! Paths are as the app sees them: relative to its working directory (a container path under
//! the project's Dockerfile `WORKDIR` is made relative to it), else absolute. Never a data
//! directory: the working directory itself or anything above it, a system directory (`/etc`,
//! `/usr`, `/tmp`, which is writable anyway), dependency and build output directories
//! (`node_modules`, `target`), or a directory whose files the source holds (a mount would hide
//! them; a `.gitkeep` or a README alone does not count). A directory inside another one found
//! is covered by it.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::declared::Declared;
use super::declared::compose::MountSource;
use super::model::{Service, Sourced};
use super::regex;
use super::source::{FileKind, ServiceDir, ServiceFile};
use crate::fsutil::normalize_relative;
use crate::line_index::char_start;

/// A flag that names a data directory: `--data-dir`, `--datadir`, `--data-directory`.
const FLAG: &str = r"data[-_]?dir(?:ectory)?";

/// argparse: `add_argument("--data-dir", ..., default="data")`.
static PYTHON_FLAG: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r#"add_argument\(\s*(?:["']-\w["']\s*,\s*)?["']--{FLAG}["'][^)]*?\bdefault\s*=\s*["']([^"'\n]+)["']"#
    ))
});

/// Go's `flag.String("data-dir", "data", …)`, `flag.StringVar(&dir, "data-dir", "data", …)` and
/// cobra's `StringVarP(&dir, "data-dir", "d", "data", …)`.
static GO_FLAG: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r#"\.String(?:Var)?P?\(\s*(?:&[\w.]+\s*,\s*)?"{FLAG}"\s*,\s*(?:"\w"\s*,\s*)?"([^"\n]+)""#
    ))
});

/// clap: a field `data_dir` whose attribute gives `default_value = "data"`.
static RUST_FLAG: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"#\[(?:arg|clap)\([^\]]*?\bdefault_value\s*=\s*"([^"\n]+)"[^\]]*\)\]\s*(?:pub(?:\([\w:]+\))?\s+)?data_?dir(?:ectory)?\s*:"#,
    )
});

/// A relative path to a SQLite file in a Go string literal: `"data/gotify.db"`, whose directory
/// the app creates the database in.
static GO_SQLITE_FILE: LazyLock<Regex> =
    LazyLock::new(|| regex(r#""((?:\./)?[\w.-]+(?:/[\w.-]+)*)/[\w.-]+\.(?:db|sqlite3?)""#));

/// A directory Python code creates at run time with a literal path: `os.mkdir('logs')`,
/// `os.makedirs("data/uploads", exist_ok=True)`.
static PYTHON_MKDIR: LazyLock<Regex> = LazyLock::new(|| {
    regex(r#"\bos\.(?:mkdir|makedirs)\(\s*["']((?:\./)?[\w.-]+(?:/[\w.-]+)*/?)["']"#)
});

/// The directory of a SQLite file Python code names under a base directory, its parts
/// literal: `os.path.join(BASE_DIR, "data", "db.sqlite3")`, `BASE_DIR / "data" / "db.sqlite3"`;
/// the parts between the base and the file captured, quotes and separators included.
static PYTHON_SQLITE_DIR: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?:os\.path\.join\(\s*[\w.]+(?:\([^()\n]*\))?\s*,\s*((?:["'][\w.-]+["']\s*,\s*)+)["'][\w.-]+\.(?:db|sqlite3?)["']\s*\)|\b[A-Z_][A-Z0-9_]*\s*/\s*((?:["'][\w.-]+["']\s*/\s*)+)["'][\w.-]+\.(?:db|sqlite3?)["'])"#,
    )
});

/// The directory multer stores uploads in, which it creates when the storage is made:
/// `diskStorage({ destination: './files' })`, `multer({ dest: 'uploads/' })`.
static JS_UPLOADS: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"\b(?:diskStorage|multer)\(\s*\{[^}]*?\b(?:destination|dest)\s*:\s*["'`]((?:\./)?[\w.-]+(?:/[\w.-]+)*/?)["'`]"#,
    )
});

/// A Python SQLite URL built in a directory of the code: `'sqlite:///' + os.path.join(basedir,
/// 'app.db')`, the file's name captured.
static PYTHON_SQLITE_JOIN: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"["']sqlite:///["']\s*\+\s*os\.path\.join\(\s*[\w.]+(?:\([^()\n]*\))?\s*,\s*["']([\w.-]+\.(?:db|sqlite3?))["']\s*\)"#,
    )
});

/// A read of a variable in Python: `os.environ.get('X'`, `os.getenv("X"`, `os.environ['X'`.
static PYTHON_READ: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\b(?:getenv|environ\.get|environ\[)\(?\s*["']([A-Za-z_]\w*)["']"#));

/// How far before a SQLite fallback the read it belongs to is looked for, in bytes.
const SQLITE_READ_REACH: usize = 400;

/// The data directory a SQLite default in the code's own directory is moved to: absolute, as
/// frameworks read a relative SQLite path against a directory of their own (Flask-SQLAlchemy
/// against the app's `instance/` folder, which it creates).
const SQLITE_DATA_DIR: &str = "/data";

/// The flag in a command line: `--data-dir /srv/data` or `--data-dir=/srv/data`.
static COMMAND_FLAG: LazyLock<Regex> = LazyLock::new(|| regex(&format!(r"^--{FLAG}(?:=(.+))?$")));

/// The last words of a variable that names a data directory.
const DATA_DIR_NAMES: &[&str] = &["DATA_DIR", "DATADIR", "DATA_DIRECTORY"];

/// Top-level directories of the file system that are the system's, not an app's data.
const SYSTEM_DIRS: &[&str] = &[
    "bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "proc", "root", "run", "sbin", "sys",
    "tmp", "usr",
];

/// Directories that hold dependencies, build output or tools' state, never an app's data.
const NOT_DATA: &[&str] = &[
    "node_modules",
    ".venv",
    "venv",
    "vendor",
    "dist",
    "build",
    "target",
    ".next",
    "__pycache__",
    ".git",
];

/// Files that keep an otherwise empty directory in a repository, or say what goes there.
const KEEP_FILES: &[&str] = &[
    ".gitkeep",
    ".keep",
    ".gitignore",
    "README",
    "README.md",
    "README.txt",
];

/// True when a variable's name says it holds a data directory (`DATA_DIR`, `MICROBIN_DATA_DIR`).
pub(super) fn is_data_dir_name(name: &str) -> bool {
    super::env::name_ends_with_word(name, DATA_DIR_NAMES)
}

/// The defaults the code gives its data directory flag (`--data-dir`), the directories of the
/// SQLite files Go code names (`"data/gotify.db"`), the directories Python code creates
/// (`os.mkdir('logs')`) and multer's upload directories in JavaScript code, each at its line.
pub(super) fn flag_defaults(files: &[ServiceFile]) -> Vec<Sourced<String>> {
    let mut found = Vec::new();
    for file in files {
        let created: Option<&Regex> = match file.kind() {
            FileKind::Go if !file.path.ends_with("_test.go") => Some(&GO_SQLITE_FILE),
            FileKind::Python => Some(&PYTHON_MKDIR),
            FileKind::JavaScript => Some(&JS_UPLOADS),
            _ => None,
        };
        if let Some(created) = created {
            for caps in created.captures_iter(&file.text) {
                if let Some(dir) = caps.get(1) {
                    found.push(file.sourced(dir.as_str().to_string(), dir.start()));
                }
            }
        }
        if file.kind() == FileKind::Python {
            for caps in PYTHON_SQLITE_DIR.captures_iter(&file.text) {
                if let Some(parts) = caps.get(1).or_else(|| caps.get(2)) {
                    let dir: Vec<&str> = parts
                        .as_str()
                        .split([',', '/'])
                        .map(|part| part.trim().trim_matches(['"', '\'']))
                        .filter(|part| !part.is_empty())
                        .collect();
                    found.push(file.sourced(dir.join("/"), parts.start()));
                }
            }
        }
        let pattern: &Regex = match file.kind() {
            FileKind::Python => &PYTHON_FLAG,
            FileKind::Go => &GO_FLAG,
            FileKind::Rust => &RUST_FLAG,
            _ => continue,
        };
        for caps in pattern.captures_iter(&file.text) {
            if let Some(value) = caps.get(1) {
                found.push(file.sourced(value.as_str().to_string(), value.start()));
            }
        }
    }
    found
}

/// A Python variable whose fallback puts a SQLite file in a directory of the code
/// (`os.environ.get('DATABASE_URL') or 'sqlite:///' + os.path.join(basedir, 'app.db')`): that
/// directory holds the code and stays read-only under a read-only root, so the file is moved to
/// the data directory `/data`. The variable gets the URL of the moved file
/// (`sqlite:////data/app.db`: its shape when it is a secret, else its value) and `/data` becomes
/// a data directory, both at the line of the fallback. A variable the project
/// gives a value keeps it (the value wins when the variables are merged).
pub(super) fn move_sqlite_defaults(service: &mut Service, files: &[ServiceFile]) {
    for file in files.iter().filter(|f| f.kind() == FileKind::Python) {
        for caps in PYTHON_SQLITE_JOIN.captures_iter(&file.text) {
            let (Some(whole), Some(name)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let from = char_start(&file.text, whole.start().saturating_sub(SQLITE_READ_REACH));
            let before = &file.text[from..whole.start()];
            // The read this fallback belongs to: the last one before it, in the same statement
            // (no blank line between).
            let Some(read) = PYTHON_READ.captures_iter(before).last() else {
                continue;
            };
            let (Some(read_end), Some(variable)) = (read.get(0), read.get(1)) else {
                continue;
            };
            if before[read_end.end()..].contains("\n\n") {
                continue;
            }
            let Some(var) = service
                .env
                .iter_mut()
                .find(|var| var.name == variable.as_str())
            else {
                continue;
            };
            let url = file.sourced(
                format!("sqlite:///{SQLITE_DATA_DIR}/{}", name.as_str()),
                whole.start(),
            );
            if var.secret {
                var.shape = var.shape.take().or(Some(url));
            } else {
                var.value = var.value.take().or(Some(url));
            }
            if !service.data_dirs.iter().any(|d| d.value == SQLITE_DATA_DIR) {
                service
                    .data_dirs
                    .push(file.sourced(SQLITE_DATA_DIR.to_string(), whole.start()));
            }
        }
    }
}

/// The value the start command gives the data directory flag, where it gives one.
fn command_flag(service: &Service) -> Option<Sourced<String>> {
    let argv = &service.start_command.value;
    argv.iter().enumerate().find_map(|(at, word)| {
        let caps = COMMAND_FLAG.captures(word)?;
        let value = match caps.get(1) {
            Some(value) => value.as_str().to_string(),
            None => argv.get(at + 1)?.clone(),
        };
        Some(Sourced::new(value, service.start_command.origin.clone()))
    })
}

/// The directories `service` (in `dir`, with what its project declares) writes at run time;
/// the service comes with the defaults of its data directory flag ([`flag_defaults`]) in its
/// `data_dirs`, which the start command's own value of the flag replaces.
pub(super) fn find(
    service: &Service,
    declared: &Declared,
    dir: &ServiceDir,
) -> Vec<Sourced<String>> {
    let mut candidates: Vec<Sourced<String>> = service
        .env
        .iter()
        .filter(|var| is_data_dir_name(&var.name))
        .filter_map(|var| var.value.clone())
        .collect();
    match command_flag(service) {
        Some(given) => candidates.push(given),
        None => candidates.extend(service.data_dirs.iter().cloned()),
    }
    if let Some(dockerfile) = &declared.dockerfile {
        candidates.extend(dockerfile.volumes.iter().cloned());
    }
    for mount in declared.mounts() {
        let holds_nothing = match &mount.source {
            MountSource::Volume => true,
            MountSource::Bind(host) => empty_on_host(dir, host),
        };
        if mount.read_only || !holds_nothing {
            continue;
        }
        let target = match &declared.dockerfile {
            Some(dockerfile) => dockerfile.in_workdir(&mount.target.value),
            None => mount.target.value.clone(),
        };
        candidates.push(Sourced::new(target, mount.target.origin.clone()));
    }
    let mut found: Vec<Sourced<String>> = Vec::new();
    for candidate in candidates {
        let Some(path) = normalize(&candidate.value).filter(|p| may_hold_data(p, dir)) else {
            continue;
        };
        if !found.iter().any(|f| f.value == path) {
            found.push(Sourced::new(path, candidate.origin));
        }
    }
    let paths: Vec<String> = found.iter().map(|f| f.value.clone()).collect();
    found.retain(|f| {
        !paths
            .iter()
            .any(|outer| *outer != f.value && Path::new(&f.value).starts_with(outer))
    });
    found
}

/// A path as written, made plain (`./data/` is `data`, `/var/lib//app/` is `/var/lib/app`);
/// `None` for the working directory itself, a path above it, or text that is not a plain path
/// (a variable, `~`, a glob, a Windows path).
fn normalize(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty()
        || text.starts_with('~')
        || text.contains(['$', '{', '}', '*', '?', '"', '\'', '\\', ':'])
        || text.contains(char::is_whitespace)
        || text.split('/').any(|part| part == "..")
    {
        return None;
    }
    let plain = normalize_relative(text);
    match (plain.as_str(), text.starts_with('/')) {
        (".", _) => None,
        (_, true) => Some(format!("/{plain}")),
        (_, false) => Some(plain),
    }
}

/// Whether a plain path may be a data directory of the service in `dir`.
fn may_hold_data(path: &str, dir: &ServiceDir) -> bool {
    if path.split('/').any(|part| NOT_DATA.contains(&part)) {
        return false;
    }
    match path.strip_prefix('/') {
        Some(absolute) => {
            let first = absolute.split('/').next().unwrap_or_default();
            let system = SYSTEM_DIRS.contains(&first)
                || absolute == "var"
                || absolute.starts_with("var/run")
                || absolute.starts_with("var/tmp");
            !system
        }
        None => !dir.has(path) && !holds_files(dir, path),
    }
}

/// Whether the source holds files under `path` (of the service) besides keep files.
fn holds_files(dir: &ServiceDir, path: &str) -> bool {
    dir.files_in(path).any(|file| {
        let name = file.rsplit('/').next().unwrap_or(file);
        !KEEP_FILES.contains(&name)
    })
}

/// Whether a bind mount's host path (relative to the project root, where the compose file is)
/// is a directory of the service the repository holds nothing in: one the app fills at run
/// time. A host path outside the service, or an absolute one, cannot be told: not counted;
/// nor can a name with an extension (`./config.ini`), a file the user writes before starting.
fn empty_on_host(dir: &ServiceDir, host: &str) -> bool {
    if host.starts_with(['/', '~']) || host.split('/').any(|part| part == "..") {
        return false;
    }
    let name = host
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(host);
    if name.trim_start_matches('.').contains('.') {
        return false;
    }
    let from_root = normalize_relative(host);
    match dir.relative(&from_root) {
        Some(rel) if rel != "." && !rel.is_empty() && !rel.starts_with("..") => {
            !dir.has(&rel) && !holds_files(dir, &rel)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(files: &[&str]) -> ServiceDir {
        ServiceDir {
            root: std::path::PathBuf::from("/nonexistent"),
            path: ".".into(),
            files: {
                let mut files: Vec<String> = files.iter().map(|f| f.to_string()).collect();
                files.sort();
                files
            },
        }
    }

    #[test]
    fn data_directory_variables() {
        assert!(is_data_dir_name("DATA_DIR"));
        assert!(is_data_dir_name("MICROBIN_DATA_DIR"));
        assert!(is_data_dir_name("APP_DATADIR"));
        assert!(!is_data_dir_name("METADATA_DIRTY"));
        assert!(!is_data_dir_name("DATA_DIRS_ALLOWED"));
        assert!(!is_data_dir_name("DATABASE_URL"));
    }

    #[test]
    fn sqlite_files_under_a_base_directory_in_python() {
        let files = [crate::detect::source::in_memory(
            "shop/settings.py",
            "DB = os.path.join(BASE_DIR, \"data\", \"db.sqlite3\")\nT = BASE_DIR / 'var' / 'q' / 'tasks.db'\nX = os.path.join(BASE_DIR, 'app.db')\n",
        )];
        let found: Vec<String> = flag_defaults(&files).into_iter().map(|d| d.value).collect();
        assert_eq!(found, ["data", "var/q"]);
    }

    #[test]
    fn flag_defaults_in_code() {
        let defaults = |rel: &str, text: &str| -> Vec<String> {
            flag_defaults(&[crate::detect::source::in_memory(rel, text)])
                .into_iter()
                .map(|d| d.value)
                .collect()
        };
        assert_eq!(
            defaults(
                "main.py",
                "parser.add_argument('--data-dir', help='where', default='var/data')"
            ),
            ["var/data"]
        );
        assert_eq!(
            defaults(
                "main.go",
                r#"dir := flag.String("data-dir", "./data", "where")"#
            ),
            ["./data"]
        );
        assert_eq!(
            defaults(
                "cmd.go",
                r#"cmd.Flags().StringVarP(&cfg.Dir, "datadir", "d", "store", "where")"#
            ),
            ["store"]
        );
        assert_eq!(
            defaults(
                "src/args.rs",
                "#[arg(long, default_value = \"files\")]\n    pub data_dir: String,"
            ),
            ["files"]
        );
        assert_eq!(
            defaults(
                "src/files/files.module.ts",
                "storage: diskStorage({\n  destination: './files',\n  filename: (r, f, cb) => cb(null, f.name),\n})"
            ),
            ["./files"]
        );
        assert_eq!(
            defaults("app.js", "const upload = multer({ dest: 'uploads/' });"),
            ["uploads/"]
        );
        // Another flag's default, or a data directory flag without one, is not it.
        assert!(defaults("main.go", r#"flag.String("addr", ":8080", "")"#).is_empty());
        assert!(defaults("main.py", "parser.add_argument('--data-dir')").is_empty());
        assert!(
            defaults(
                "src/args.rs",
                "#[arg(long, default_value = \"x\")]\n    pub cache_dir: String,"
            )
            .is_empty()
        );
    }

    #[test]
    fn paths_are_made_plain() {
        assert_eq!(normalize("./data/").as_deref(), Some("data"));
        assert_eq!(normalize("microbin_data").as_deref(), Some("microbin_data"));
        assert_eq!(normalize("/var/lib//app/").as_deref(), Some("/var/lib/app"));
        assert_eq!(normalize("."), None);
        assert_eq!(normalize("/"), None);
        assert_eq!(normalize("../shared"), None);
        assert_eq!(normalize("${HOME}/data"), None);
        assert_eq!(normalize("~/data"), None);
        assert_eq!(normalize("C:\\data"), None);
    }

    #[test]
    fn what_the_source_holds_or_the_system_owns_is_no_data() {
        let service = dir(&[
            "data/.gitkeep",
            "keys/README.md",
            "templates/index.html",
            "main.go",
            "db.sqlite",
        ]);
        assert!(may_hold_data("data", &service));
        assert!(may_hold_data("uploads", &service));
        assert!(may_hold_data("keys", &service));
        assert!(may_hold_data("/var/lib/app", &service));
        assert!(!may_hold_data("templates", &service));
        assert!(!may_hold_data("db.sqlite", &service));
        assert!(!may_hold_data("node_modules", &service));
        assert!(!may_hold_data("/app/node_modules", &service));
        assert!(!may_hold_data("/etc/app", &service));
        assert!(!may_hold_data("/tmp/cache", &service));
        assert!(!may_hold_data("/var/run/app", &service));
    }

    #[test]
    fn bind_mounts_of_what_the_repository_holds_are_not_data() {
        let service = dir(&["src/app.js", "config/app.yml", "data/.gitkeep"]);
        assert!(empty_on_host(&service, "./data"));
        assert!(empty_on_host(&service, "./uploads"));
        assert!(!empty_on_host(&service, "."));
        assert!(!empty_on_host(&service, "./src"));
        assert!(!empty_on_host(&service, "./config/app.yml"));
        // A file the user writes before starting, which the repository does not hold.
        assert!(!empty_on_host(&service, "./config.ini"));
        assert!(empty_on_host(&service, "./.state"));
        assert!(!empty_on_host(&service, "/srv/data"));
        assert!(!empty_on_host(&service, "../data"));
    }
}
