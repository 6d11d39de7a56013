//! Variables read through the project's own Go helper functions: a function that passes one of
//! its parameters to `os.Getenv` or `os.LookupEnv` reads the variable its callers name
//! (`mustMapEnv(&addr, "CART_SERVICE_ADDR")`), and when it returns another of its parameters,
//! that parameter is the fallback (`getEnv("LOG_LEVEL", "info")` with
//! `func getEnv(key, fallback string) string { ...; return fallback }`).
//!
//! [`Helpers::find`] reads the helpers of every Go file of a service, since a helper declared in
//! one file is called from the others of its package; [`Helpers::reads`] finds the calls in one
//! file whose key argument is a string literal.

use std::sync::LazyLock;

use regex::Regex;

use super::super::regex;
use super::super::source::{FileKind, ServiceFile};
use super::Read;
use super::fallback::{Literal, arguments, string_literal};

/// A helper function that reads a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Helper {
    name: String,
    /// The position of the parameter that names the variable.
    key: usize,
    /// The position of the parameter it returns when the variable is unset, if any.
    fallback: Option<usize>,
}

/// The helpers of a service.
#[derive(Debug, Clone, Default)]
pub(super) struct Helpers(Vec<Helper>);

/// `func name(params)` and `func (r *T) name(params)`.
static FUNC: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?m)^func\s+(?:\([^)]*\)\s*)?(\w+)\s*\(([^)]*)\)"));

/// A read of a variable named by an identifier.
static READ_OF_PARAMETER: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\bos\.(?:Getenv|LookupEnv)\(\s*(\w+)\s*\)"));

static RETURN: LazyLock<Regex> = LazyLock::new(|| regex(r"\breturn\s+(\w+)\s*(?:\n|;|$)"));

impl Helpers {
    /// The helpers declared in the Go files among `files`.
    pub(super) fn find(files: &[ServiceFile]) -> Self {
        let mut helpers = Vec::new();
        for file in files.iter().filter(|f| f.kind() == FileKind::Go) {
            for caps in FUNC.captures_iter(&file.text) {
                let (Some(name), Some(params), Some(whole)) =
                    (caps.get(1), caps.get(2), caps.get(0))
                else {
                    continue;
                };
                let params = parameter_names(params.as_str());
                let body_end = file.text[whole.end()..]
                    .find("\n}")
                    .map_or(file.text.len(), |at| whole.end() + at);
                let body = &file.text[whole.end()..body_end];
                let position = |ident: &str| params.iter().position(|p| p == ident);
                let Some(key) = READ_OF_PARAMETER
                    .captures_iter(body)
                    .find_map(|c| position(c.get(1)?.as_str()))
                else {
                    continue;
                };
                let fallback = RETURN
                    .captures_iter(body)
                    .filter_map(|c| position(c.get(1)?.as_str()))
                    .find(|p| *p != key);
                helpers.push(Helper {
                    name: name.as_str().to_string(),
                    key,
                    fallback,
                });
            }
        }
        Self(helpers)
    }

    /// The variables `file` reads by calling a helper with a string literal as the key.
    pub(super) fn reads(&self, file: &ServiceFile) -> Vec<Read> {
        if file.kind() != FileKind::Go {
            return Vec::new();
        }
        let mut reads = Vec::new();
        for helper in &self.0 {
            let call = format!("{}(", helper.name);
            let mut from = 0;
            while let Some(found) = file.text[from..].find(&call) {
                let start = from + found;
                from = start + call.len();
                let before = &file.text[..start];
                let own_name = before.ends_with(|c: char| c.is_alphanumeric() || c == '_');
                if own_name || before.trim_end().ends_with("func") || before.ends_with(") ") {
                    continue;
                }
                let Some(args) = arguments(&file.text[from..]) else {
                    continue;
                };
                let Some(key) = args.get(helper.key) else {
                    continue;
                };
                let text = &file.text;
                let Some((name, at)) = string_literal(text, key.trim(), &['"', '`']) else {
                    continue;
                };
                if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    continue;
                }
                let fallback = helper.fallback.map(|index| {
                    let expression = args.get(index).map_or("", |a| a.trim());
                    string_literal(text, expression, &['"', '`'])
                        .map(|(text, offset)| Literal { text, offset })
                });
                reads.push(Read {
                    name,
                    offset: at,
                    fallback,
                });
            }
        }
        reads
    }
}

/// The names of a Go parameter list: `key, fallback string, n int` gives `key`, `fallback`,
/// `n`; `target *string, key string` gives `target`, `key`.
fn parameter_names(params: &str) -> Vec<String> {
    params
        .split(',')
        .filter_map(|p| p.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::file;
    use super::*;

    #[test]
    fn helpers_declared_in_one_file_read_what_another_names() {
        let util = file(
            "env.go",
            "package main\n\n\
             func mustMapEnv(target *string, key string) {\n\
             \tv, ok := os.LookupEnv(key)\n\
             \tif !ok {\n\t\tpanic(key)\n\t}\n\t*target = v\n}\n\n\
             func getEnv(key, fallback string) string {\n\
             \tif value, ok := os.LookupEnv(key); ok {\n\t\treturn value\n\t}\n\
             \treturn fallback\n}\n\n\
             func (c *Config) load() {\n\tc.port = getEnv(\"PORT\", \"8080\")\n}\n",
        );
        let main = file(
            "main.go",
            "package main\n\nfunc main() {\n\
             \tmustMapEnv(&addr, \"CART_ADDR\")\n\
             \tlevel := getEnv(\"LOG_LEVEL\", defaultLevel)\n\
             \tname := getEnv(`SERVICE_NAME`, \"checkout\")\n}\n",
        );
        let helpers = Helpers::find(&[util.clone(), main.clone()]);
        let shown = |f: &ServiceFile| -> Vec<String> {
            helpers
                .reads(f)
                .into_iter()
                .map(|r| {
                    let fallback = match &r.fallback {
                        None => "required".to_string(),
                        Some(None) => "fallback".to_string(),
                        Some(Some(l)) => {
                            assert!(f.text[l.offset..].starts_with(&l.text));
                            format!("= {}", l.text)
                        }
                    };
                    assert!(f.text[r.offset..].starts_with(&r.name));
                    format!("{} {fallback}", r.name)
                })
                .collect()
        };
        assert_eq!(
            shown(&main),
            [
                "CART_ADDR required",
                "LOG_LEVEL fallback",
                "SERVICE_NAME = checkout"
            ]
        );
        assert_eq!(shown(&util), ["PORT = 8080"]);
    }
}
