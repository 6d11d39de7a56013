//! System packages for native dependencies: what a [`SystemNeed`] asks of the build stage and
//! of the runtime stage, by image family, and the `RUN` that installs them.
//!
//! | need | build (Debian) | runtime (Debian) | build (Alpine) | runtime (Alpine) |
//! |---|---|---|---|---|
//! | c-compiler | `gcc g++ make` | | `build-base` | |
//! | python (node-gyp) | `python3` | | `python3` | |
//! | openssl | `pkg-config libssl-dev` | `libssl3` | `pkgconf openssl-dev` | `libssl3` |
//! | perl (vendored OpenSSL) | `perl make` | | `perl make` | |
//! | libpq | `libpq-dev` | `libpq5` | `libpq-dev` | `libpq` |
//! | mysqlclient | `default-libmysqlclient-dev` | `libmariadb3` | `mariadb-dev` | `mariadb-connector-c` |
//! | pcre | `libpcre2-dev` | `libpcre2-8-0` | `pcre2-dev` | `pcre2` |
//! | git | `git` | | `git` | |
//!
//! Cgo needs a C compiler the Go builder already has, and a glibc the runtime already has (see
//! [`crate::provider::builtin::images`]): nothing to install. A toolchain image that already
//! carries a need (the Rust and Go builders have `gcc`) is told so through `present`.

use super::file::Step;
use crate::detect::{NativeDependency, SystemNeed};

/// Which stage packages are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Build,
    Runtime,
}

/// The packages `need` asks of a stage on a Debian (`alpine` false) or Alpine image.
fn packages(need: SystemNeed, phase: Phase, alpine: bool) -> &'static [&'static str] {
    use Phase::{Build, Runtime};
    use SystemNeed::*;
    match (need, phase, alpine) {
        (CCompiler, Build, false) => &["gcc", "g++", "make"],
        (CCompiler, Build, true) => &["build-base"],
        (Python, Build, _) => &["python3"],
        (Openssl, Build, false) => &["pkg-config", "libssl-dev"],
        (Openssl, Build, true) => &["pkgconf", "openssl-dev"],
        (Openssl, Runtime, _) => &["libssl3"],
        (Perl, Build, _) => &["perl", "make"],
        (Libpq, Build, _) => &["libpq-dev"],
        (Libpq, Runtime, false) => &["libpq5"],
        (Libpq, Runtime, true) => &["libpq"],
        (Mysqlclient, Build, false) => &["default-libmysqlclient-dev"],
        (Mysqlclient, Build, true) => &["mariadb-dev"],
        (Mysqlclient, Runtime, false) => &["libmariadb3"],
        (Mysqlclient, Runtime, true) => &["mariadb-connector-c"],
        (Pcre, Build, false) => &["libpcre2-dev"],
        (Pcre, Build, true) => &["pcre2-dev"],
        (Pcre, Runtime, false) => &["libpcre2-8-0"],
        (Pcre, Runtime, true) => &["pcre2"],
        (Git, Build, _) => &["git"],
        _ => &[],
    }
}

/// The needs of `deps`, each once, in order, without those in `skip`.
pub(super) fn needs(deps: &[NativeDependency], skip: &[SystemNeed]) -> Vec<SystemNeed> {
    let mut all: Vec<SystemNeed> = deps
        .iter()
        .flat_map(|d| d.needs.iter().copied())
        .filter(|n| !skip.contains(n))
        .collect();
    all.sort();
    all.dedup();
    all
}

/// The comment and `RUN` that install what `needs` ask of a `phase` stage on `image`, minus the
/// packages the image already has (`present`); nothing when nothing is left to install.
pub(super) fn install(
    needs: &[SystemNeed],
    deps: &[NativeDependency],
    phase: Phase,
    image: &str,
    present: &[&str],
) -> Vec<Step> {
    let alpine = super::is_alpine(image);
    let mut wanted: Vec<&str> = needs
        .iter()
        .flat_map(|n| packages(*n, phase, alpine).iter().copied())
        .filter(|p| !present.contains(p))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return Vec::new();
    }
    let names: Vec<&str> = deps
        .iter()
        .filter(|d| d.needs.iter().any(|n| needs.contains(n)))
        .map(|d| d.name.as_str())
        .collect();
    let why = match phase {
        Phase::Build => format!("To build {}: {}.", names.join(", "), wanted.join(" ")),
        Phase::Runtime => format!(
            "What {} link at run time: {}.",
            names.join(", "),
            wanted.join(" ")
        ),
    };
    let run = if alpine {
        Step::Run(vec![format!("apk add --no-cache {}", wanted.join(" "))])
    } else {
        Step::Run(vec![
            "apt-get update".into(),
            format!(
                "apt-get install -y --no-install-recommends {}",
                wanted.join(" ")
            ),
            "rm -rf /var/lib/apt/lists/*".into(),
        ])
    };
    vec![
        Step::comment(&format!(
            "{why}\nUnpinned: the packages follow the base image's release."
        )),
        run,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Origin;

    fn dep(name: &str, needs: &[SystemNeed]) -> NativeDependency {
        NativeDependency {
            name: name.into(),
            needs: needs.to_vec(),
            origin: Origin::Default,
        }
    }

    #[test]
    fn openssl_headers_to_build_and_the_library_to_run() {
        let deps = [dep("openssl-sys", &[SystemNeed::Openssl])];
        let needs = needs(&deps, &[]);
        let build = install(&needs, &deps, Phase::Build, "rust:1.88-slim-bookworm", &[]);
        let Step::Run(commands) = &build[1] else {
            panic!("{build:?}")
        };
        assert_eq!(
            commands[1],
            "apt-get install -y --no-install-recommends libssl-dev pkg-config"
        );
        let runtime = install(&needs, &deps, Phase::Runtime, "alpine:3.22", &[]);
        let Step::Run(commands) = &runtime[1] else {
            panic!("{runtime:?}")
        };
        assert_eq!(commands[0], "apk add --no-cache libssl3");
    }

    #[test]
    fn what_the_image_has_is_not_installed() {
        let deps = [dep("libsqlite3-sys", &[SystemNeed::CCompiler])];
        let needs = needs(&deps, &[]);
        let present = ["gcc", "g++", "make"];
        assert!(install(&needs, &deps, Phase::Build, "rust:1.88-slim", &present).is_empty());
        assert!(install(&needs, &deps, Phase::Runtime, "debian:bookworm-slim", &[]).is_empty());
    }
}
