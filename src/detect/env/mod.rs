//! The environment variables a service's code reads, and which of them are secrets.
//!
//! [`collect`] looks at each file with the patterns of its language (`os.getenv("X")`,
//! `process.env.X`, `os.Getenv("X")`, `env::var("X")`, `System.getenv("X")`, `${X}` in Spring
//! properties, pydantic `BaseSettings` fields) and at the names listed in `.env.example`.
//! Go code may read through the project's own helper functions ([`helpers`]).
//! A read may give a fallback ([`fallback`]; a settings field's default is one): a variable
//! every read of which has one is optional, and the first plain string among them is the value
//! the project gives it; for a data directory's variable ([`super::data_dirs::is_data_dir_name`])
//! read with a JavaScript `||` chain, the plain string that ends the chain is
//! (`process.env.DATA_DIR || args.dir || "./data/"`). Whether a variable's value belongs in a Secret is decided from its name
//! alone, by [`crate::secrets::is_secret_name`]; a secret never gets a value ([`publishable`]).

mod fallback;
mod helpers;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::data_dirs::is_data_dir_name;
use super::dotenv;
use super::model::{EnvVar, Origin, Sourced, secret_shape};
use super::regex;
use super::source::{FileKind, ServiceFile, is_env_example};
use crate::secrets::{is_placeholder, is_secret_name, shape_of};
use fallback::Fallback;
use helpers::Helpers;

/// One read of a variable in a file.
struct Read {
    name: String,
    /// Byte offset of the name.
    offset: usize,
    /// The fallback it gives, if any.
    fallback: Option<Fallback>,
}

/// What the reads of one variable say, gathered over the files.
struct Reads {
    /// The first read.
    origin: Origin,
    /// Every read in code gives a fallback.
    optional: bool,
    /// The first plain string given as a fallback, where it is given.
    value: Option<Sourced<String>>,
}

/// The variables read in `files`, each once with its first location, sorted by name. Code wins
/// over `.env.example` for the location, because that is where the value is used; a name only
/// `.env.example` lists is taken as required.
pub(super) fn collect(files: &[ServiceFile]) -> Vec<EnvVar> {
    let mut found: BTreeMap<String, Reads> = BTreeMap::new();
    let helpers = Helpers::find(files);
    let (examples, code): (Vec<&ServiceFile>, Vec<&ServiceFile>) =
        files.iter().partition(|f| is_env_example(&f.rel));
    for file in &code {
        for read in reads_in(file, &helpers) {
            let origin = file.origin(read.offset);
            let data_dir = is_data_dir_name(&read.name);
            let name_length = read.name.len();
            let reads = found.entry(read.name).or_insert_with(|| Reads {
                origin: origin.clone(),
                optional: true,
                value: None,
            });
            match read.fallback {
                None => reads.optional = false,
                Some(Some(literal)) if reads.value.is_none() => {
                    reads.value = Some(file.sourced(literal.text, literal.offset));
                }
                Some(None) if reads.value.is_none() && data_dir => {
                    let after = read.offset + name_length;
                    if file.kind() == FileKind::JavaScript
                        && let Some((text, at)) = fallback::chain_end(&file.text[after..])
                    {
                        reads.value = Some(file.sourced(text, after + at));
                    }
                }
                Some(_) => {}
            }
        }
    }
    // What each example file gives each secret, in the files' order.
    let mut examples_give: BTreeMap<String, Vec<Option<Sourced<String>>>> = BTreeMap::new();
    for file in &examples {
        let lines = dotenv::lines(&file.text);
        for read in reads_in(file, &helpers) {
            if is_secret_name(&read.name) {
                let number = file.line_at(read.offset);
                let given = lines
                    .iter()
                    .find(|l| l.number == number && l.name == read.name && !l.value.is_empty())
                    .map(|l| Sourced::new(l.value.to_string(), file.origin(read.offset)));
                examples_give
                    .entry(read.name.clone())
                    .or_default()
                    .push(given);
            }
            found.entry(read.name).or_insert_with(|| Reads {
                origin: file.origin(read.offset),
                optional: false,
                value: None,
            });
        }
    }
    // A secret's example value is never its value, but a connection string there says where
    // the app connects: its shape (`postgres://app:****@localhost/app`), when every example
    // file that lists the secret gives that same string (examples that disagree, or leave it
    // empty, as per-setup files do, say nothing).
    for (name, given) in examples_give {
        let Some(reads) = found.get_mut(&name).filter(|r| r.value.is_none()) else {
            continue;
        };
        let first = given.first().cloned().flatten();
        if let Some(first) = first.filter(|f| {
            given
                .iter()
                .all(|g| g.as_ref().is_some_and(|g| g.value == f.value))
                && crate::secrets::template::without_credentials(&f.value).is_some()
        }) {
            reads.value = Some(first);
        }
    }
    found
        .into_iter()
        .map(|(name, reads)| {
            let secret = is_secret_name(&name);
            EnvVar {
                secret,
                required: !reads.optional,
                shape: reads
                    .value
                    .as_ref()
                    .filter(|_| secret)
                    .and_then(secret_shape),
                value: reads.value.filter(|v| publishable(&name, secret, &v.value)),
                name,
                origin: reads.origin,
            }
        })
        .collect()
}

/// True for a switch's value (`true`, `false`, `yes`, `no`, any case): a stand-in where a
/// secret is expected, but the setting itself for a plain variable (`MAIL_SECURE=false`).
fn is_switch(value: &str) -> bool {
    ["true", "false", "yes", "no"]
        .iter()
        .any(|word| value.trim().eq_ignore_ascii_case(word))
}

/// True when a variable's name (any case) is one of `words` or ends with `_` and one of them:
/// `DATA_DIR` and `MICROBIN_DATA_DIR` for `DATA_DIR`.
pub(crate) fn name_ends_with_word(name: &str, words: &[&str]) -> bool {
    let upper = name.to_ascii_uppercase();
    words.iter().any(|word| {
        upper
            .strip_suffix(word)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with('_'))
    })
}

/// Whether a value the project gives the variable `name` may be written into generated
/// configuration: never for a secret, nor a value shaped like a credential or a placeholder,
/// nor a stand-in that repeats the variable's name for a script to replace (`REGION_VAL`,
/// `<REGION>`), nor the path of a file compose mounts from its `secrets:`
/// (`/run/secrets/db_password`), which the cluster's pods do not have.
pub(super) fn publishable(name: &str, secret: bool, value: &str) -> bool {
    !secret
        && shape_of(value).is_none()
        && !is_placeholder(value)
        && !value.contains(name)
        && !value.starts_with("/run/secrets/")
}

/// Whether a value the project sets for the variable `name` (its default configuration, its
/// Dockerfile `ENV`, compose `environment`, its manifests) may be written into generated
/// configuration: as [`publishable`], and a switch's `true` or `false` is a setting too
/// (`MAIL_SECURE=false`). A default in the code is not one: the app keeps its own.
pub(super) fn publishable_setting(name: &str, secret: bool, value: &str) -> bool {
    publishable(name, secret, value) || (!secret && is_switch(value))
}

static PYTHON: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        regex(
            r#"\b(?:os\.)?(?:getenv|environ\.get|environ\.setdefault)\(\s*["']([A-Za-z_]\w*)["']"#,
        ),
        regex(r#"\b(?:os\.)?environ\[\s*["']([A-Za-z_]\w*)["']\s*\]"#),
        // django-environ and environs: env("X"), env.str("X"), env.bool("X", ...)
        regex(r#"\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']"#),
    ]
});

static JAVASCRIPT: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        regex(r"\bprocess\.env\.([A-Za-z_]\w*)"),
        regex(r#"\bprocess\.env\[\s*["'`]([A-Za-z_]\w*)["'`]\s*\]"#),
        regex(r"\bimport\.meta\.env\.([A-Za-z_]\w*)"),
    ]
});

static GO: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        regex(r#"\bos\.(?:Getenv|LookupEnv)\(\s*"([A-Za-z_]\w*)""#),
        // A struct field filled from a variable by its tag: `env:"X"` (configor,
        // caarlos0/env), from the tag's opening backtick.
        regex(r#"`[^`\n]*?\benv:"([A-Za-z_]\w*)""#),
    ]
});

static RUST: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        regex(r#"\b(?:env|dotenvy|dotenv)::var(?:_os)?\(\s*"([A-Za-z_]\w*)""#),
        // clap arguments bound to a variable: #[arg(long, env = "X")]
        regex(r#"\benv\s*=\s*"([A-Z][A-Z0-9_]*)""#),
    ]
});

static JAVA: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        regex(r#"\bSystem\.getenv\(\s*"([A-Za-z_]\w*)""#),
        regex(r"\$\{([A-Z][A-Z0-9_]*)(?::[^}]*)?\}"),
    ]
});

static SPRING_PROPERTIES: LazyLock<Vec<Regex>> =
    LazyLock::new(|| vec![regex(r"\$\{([A-Z][A-Z0-9_]*)(?::[^}]*)?\}")]);

static ENV_EXAMPLE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![regex(
        r"(?m)^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=",
    )]
});

static JS_DESTRUCTURE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?:const|let|var)\s*\{([^}]*)\}\s*=\s*process\.env\b"));

static IDENTIFIER: LazyLock<Regex> = LazyLock::new(|| regex(r"^\s*([A-Za-z_]\w*)"));

/// The patterns that find variable reads in a kind of file.
fn patterns(kind: FileKind) -> &'static [Regex] {
    match kind {
        FileKind::Python => &PYTHON,
        FileKind::JavaScript => &JAVASCRIPT,
        FileKind::Go => &GO,
        FileKind::Rust => &RUST,
        FileKind::Java => &JAVA,
        FileKind::SpringConfig => &SPRING_PROPERTIES,
        FileKind::EnvExample => &ENV_EXAMPLE,
        FileKind::Other => &[],
    }
}
/// The reads of variables in a file, in the order they come, the calls of the service's own
/// helpers included.
fn reads_in(file: &ServiceFile, helpers: &Helpers) -> Vec<Read> {
    let kind = file.kind();
    let mut reads: Vec<Read> = patterns(kind)
        .iter()
        .flat_map(|re| re.captures_iter(&file.text))
        .filter_map(|caps| {
            let (whole, name) = (caps.get(0)?, caps.get(1)?);
            Some(Read {
                name: name.as_str().to_string(),
                offset: name.start(),
                fallback: fallback::of(kind, &file.text, whole.start(), whole.end()),
            })
        })
        .collect();
    match kind {
        FileKind::JavaScript => reads.extend(destructured(file)),
        FileKind::Python => reads.extend(settings_fields(file).into_iter().map(|field| Read {
            name: field.name,
            offset: field.offset,
            fallback: field.default.map(|default| {
                default.map(|text| fallback::Literal {
                    text,
                    offset: field.offset,
                })
            }),
        })),
        FileKind::Go => reads.extend(helpers.reads(file)),
        _ => {}
    }
    reads.sort_by_key(|read| read.offset);
    reads
}

/// `const { A, B: b, C = "x" } = process.env`.
fn destructured(file: &ServiceFile) -> Vec<Read> {
    JS_DESTRUCTURE
        .captures_iter(&file.text)
        .filter_map(|caps| caps.get(1))
        .flat_map(|list| {
            let mut offset = list.start();
            list.as_str()
                .split(',')
                .filter_map(|item| {
                    let at = offset;
                    offset += item.len() + 1;
                    let name = IDENTIFIER.captures(item)?.get(1)?;
                    Some(Read {
                        name: name.as_str().to_string(),
                        offset: at + name.start(),
                        fallback: fallback::destructured(&item[name.end()..], at + name.end()),
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

static SETTINGS_CLASS: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?m)^class\s+\w+\s*\([^)]*\bBaseSettings\b[^)]*\)\s*:"));
static FIELD: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^([ \t]+)([A-Za-z_]\w*)\s*:\s*[^=\s][^=]*(?:=.*)?$"));
static ENV_PREFIX: LazyLock<Regex> = LazyLock::new(|| regex(r#"\benv_prefix\s*=\s*["'](\w*)["']"#));
static ALIAS: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"\b(?:validation_alias|alias|env)\s*=\s*["'](\w+)["']"#));

/// A field of a pydantic `BaseSettings` class.
struct SettingsField {
    /// The variable it is read from.
    name: String,
    offset: usize,
    /// `None` when the field has no default (the app refuses to start without the variable);
    /// else the default when it is a plain literal (`= "/api/v1"`, `= 8000`), `Some(None)` for
    /// any other default (`= None`, `= 60 * 24`, `= Field(default=...)`).
    default: Option<Option<String>>,
}

/// The default a field's declaration gives after its `=`, as [`SettingsField::default`] holds it.
fn field_default(line: &str) -> Option<Option<String>> {
    let (_, default) = line.split_once('=')?;
    let default = default.split(" #").next().unwrap_or_default().trim();
    // `Field(...)`, `Field(alias="X")`: no default, the variable is required.
    if default.is_empty() || (default.starts_with("Field(") && !default.contains("default")) {
        return None;
    }
    let quoted = ['"', '\''].iter().find_map(|q| {
        default
            .strip_prefix(*q)?
            .strip_suffix(*q)
            .filter(|inner| !inner.contains(*q))
    });
    let literal = quoted.map(str::to_string).or_else(|| {
        let number = default.parse::<f64>().is_ok();
        (number || matches!(default, "True" | "False")).then(|| default.to_string())
    });
    Some(literal.filter(|v| !v.is_empty()))
}

/// The fields of pydantic `BaseSettings` classes: each is read from the variable of its name
/// (upper-cased, after the class's `env_prefix`), or from its alias.
fn settings_fields(file: &ServiceFile) -> Vec<SettingsField> {
    let mut names = Vec::new();
    for class in SETTINGS_CLASS.find_iter(&file.text) {
        let body_start = class.end();
        let body_end = class_end(&file.text, body_start);
        let body = &file.text[body_start..body_end];
        let prefix = ENV_PREFIX
            .captures(body)
            .and_then(|c| c.get(1))
            .map_or(String::new(), |m| m.as_str().to_ascii_uppercase());
        let mut indent: Option<&str> = None;
        let mut offset = body_start;
        for line in body.split_inclusive('\n') {
            let at = offset;
            offset += line.len();
            let Some(caps) = FIELD.captures(line.trim_end()) else {
                continue;
            };
            let (Some(this_indent), Some(field)) = (caps.get(1), caps.get(2)) else {
                continue;
            };
            // Only the class's own level: nested `class Config:` bodies are deeper.
            let level = *indent.get_or_insert(this_indent.as_str());
            if this_indent.as_str() != level
                || field.as_str().starts_with('_')
                || field.as_str() == "model_config"
            {
                continue;
            }
            let name = match ALIAS.captures(line).and_then(|c| c.get(1)) {
                Some(alias) => alias.as_str().to_string(),
                None => format!("{prefix}{}", field.as_str().to_ascii_uppercase()),
            };
            // What follows the annotation: `NAME: str = "x"` (the annotation itself may hold
            // `=` only inside brackets, which pydantic types do not).
            let declaration = &line[field.end()..];
            let default = match declaration.split_once(':') {
                Some((_, rest)) => field_default(rest),
                None => None,
            };
            names.push(SettingsField {
                name,
                offset: at + field.start(),
                default,
            });
        }
    }
    names
}

/// Where a class body that starts at `start` ends: at the next line that is neither blank nor
/// indented.
fn class_end(text: &str, start: usize) -> usize {
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        let first_line = offset == start;
        if !first_line && !line.trim().is_empty() && !line.starts_with([' ', '\t']) {
            return offset;
        }
        offset += line.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of the service `svc`, for the tests of this module and its children.
    pub(super) fn file(rel: &str, text: &str) -> ServiceFile {
        ServiceFile {
            path: format!("svc/{rel}"),
            rel: rel.into(),
            text: text.into(),
        }
    }

    fn names(files: &[ServiceFile]) -> Vec<(String, bool, String)> {
        collect(files)
            .into_iter()
            .map(|v| (v.name, v.secret, v.origin.to_string()))
            .collect()
    }

    #[test]
    fn python_reads_and_settings_fields() {
        let text = "import os\n\
            DB = os.environ[\"DATABASE_URL\"]\n\
            key = os.getenv('OPENAI_API_KEY')\n\
            from os import environ\n\
            origins = environ.get(\"CORS_ORIGINS\", \"*\")\n\
            \n\
            class Settings(BaseSettings):\n\
            \x20   model_config = SettingsConfigDict(env_prefix=\"app_\")\n\
            \x20   debug: bool = False\n\
            \x20   secret: str = Field(alias=\"BETTER_AUTH_SECRET\")\n\
            \x20   class Config:\n\
            \x20       extra: str = \"ignore\"\n\
            \n\
            other: int = 1\n";
        assert_eq!(
            names(&[file("main.py", text)]),
            vec![
                ("APP_DEBUG".into(), false, "svc/main.py:9".into()),
                ("BETTER_AUTH_SECRET".into(), true, "svc/main.py:10".into()),
                ("CORS_ORIGINS".into(), false, "svc/main.py:5".into()),
                ("DATABASE_URL".into(), true, "svc/main.py:2".into()),
                ("OPENAI_API_KEY".into(), true, "svc/main.py:3".into()),
            ]
        );
    }

    #[test]
    fn settings_fields_with_a_default_are_optional() {
        let text = "class Settings(BaseSettings):\n\
            \x20   API_V1_STR: str = \"/api/v1\"\n\
            \x20   PORT: int = 8000  # the server's\n\
            \x20   SENTRY_DSN: HttpUrl | None = None\n\
            \x20   EXPIRE_MINUTES: int = 60 * 24\n\
            \x20   SECRET_KEY: str = \"changethis\"\n\
            \x20   POSTGRES_SERVER: str\n\
            \x20   TOKEN: str = Field(alias=\"API_TOKEN\")\n\
            \x20   LIMIT: int = Field(default=10)\n";
        let vars = collect(&[file("config.py", text)]);
        let shown: Vec<(&str, bool, Option<&str>)> = vars
            .iter()
            .map(|v| {
                let value = v.value.as_ref().map(|s| s.value.as_str());
                (v.name.as_str(), v.required, value)
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                ("API_TOKEN", true, None),
                ("API_V1_STR", false, Some("/api/v1")),
                ("EXPIRE_MINUTES", false, None),
                ("LIMIT", false, None),
                ("PORT", false, Some("8000")),
                ("POSTGRES_SERVER", true, None),
                // A secret's default is never carried into the configuration.
                ("SECRET_KEY", false, None),
                ("SENTRY_DSN", false, None),
            ]
        );
    }

    #[test]
    fn stand_ins_and_secrets_are_not_values() {
        assert!(publishable("REGION", false, "us-central1"));
        assert!(!publishable("REGION", false, "REGION_VAL"));
        assert!(!publishable("REGION", false, "<REGION>"));
        assert!(!publishable("API_TOKEN", true, "abc"));
        assert!(!publishable("STRIPE", false, "changeme"));
        assert!(!publishable("DEBUG", false, "True"));
        assert!(publishable_setting("MAIL_SECURE", false, "false"));
        assert!(publishable_setting("DEBUG", false, "True"));
        assert!(!publishable_setting("API_TOKEN", true, "true"));
        assert!(!publishable(
            "APP_DB_PASSWORD_FILE",
            false,
            "/run/secrets/db_password"
        ));
    }

    #[test]
    fn javascript_reads() {
        let text = "const a = process.env.NEXT_PUBLIC_API_URL;\n\
            const b = process.env[\"AUTH_SECRET\"];\n\
            const {\n  REDIS_URL,\n  LOG_LEVEL = 'info',\n} = process.env;\n";
        assert_eq!(
            names(&[file("app/page.tsx", text)]),
            vec![
                ("AUTH_SECRET".into(), true, "svc/app/page.tsx:2".into()),
                ("LOG_LEVEL".into(), false, "svc/app/page.tsx:5".into()),
                (
                    "NEXT_PUBLIC_API_URL".into(),
                    false,
                    "svc/app/page.tsx:1".into()
                ),
                ("REDIS_URL".into(), true, "svc/app/page.tsx:4".into()),
            ]
        );
    }

    #[test]
    fn examples_give_a_secret_its_shape_only_when_they_agree() {
        let one = collect(&[file(
            ".env.example",
            "DATABASE_URL=postgres://shelf:{password}@localhost/shelf\n",
        )]);
        assert_eq!(
            one[0].shape.as_ref().map(|s| s.value.as_str()),
            Some("postgres://shelf:****@localhost/shelf")
        );
        assert!(one[0].value.is_none());
        let disagree = collect(&[
            file("env-example-relational", "DATABASE_URL=\n"),
            file(
                "env-example-document",
                "DATABASE_URL=mongodb://mongo:27017\n",
            ),
        ]);
        assert!(disagree[0].shape.is_none(), "{disagree:?}");
    }

    #[test]
    fn code_location_wins_over_env_example() {
        let files = [
            file(".env.example", "# comment\nAPI_TOKEN=\nexport EXTRA=1\n"),
            file(
                "main.go",
                "package main\nvar t = os.Getenv(\"API_TOKEN\")\n",
            ),
        ];
        assert_eq!(
            names(&files),
            vec![
                ("API_TOKEN".into(), true, "svc/main.go:2".into()),
                ("EXTRA".into(), false, "svc/.env.example:3".into()),
            ]
        );
    }

    #[test]
    fn rust_java_and_spring_reads() {
        let files = [
            file("src/main.rs", "let t = std::env::var(\"API_TOKEN\");\n"),
            file("App.java", "String k = System.getenv(\"STRIPE_KEY\");\n"),
            file(
                "application.properties",
                "spring.datasource.password=${DB_PASSWORD:}\nx=${spring.y}\n",
            ),
        ];
        let found: Vec<String> = collect(&files).into_iter().map(|v| v.name).collect();
        assert_eq!(found, vec!["API_TOKEN", "DB_PASSWORD", "STRIPE_KEY"]);
    }
}
