//! System packages for the native dependencies of Go, Node and Rust services: which stage
//! installs what a [`SystemNeed`] asks for, and the `RUN` that says which dependency wants it.
//! The Debian packages and their pins are [`super::system_packages`]'s (one table with Python's);
//! on Alpine, `apk add --no-cache` with the table below.
//!
//! | need | build (Alpine) | runtime (Alpine) |
//! |---|---|---|
//! | c-compiler, cgo | `build-base` | |
//! | python (node-gyp) | `python3 make g++` | |
//! | openssl | `pkgconf openssl-dev` | `libssl3` |
//! | perl (vendored OpenSSL) | `perl make` | |
//! | libpq | `libpq-dev` | `libpq` |
//! | mysqlclient | `mariadb-dev` | `mariadb-connector-c` |
//! | pcre | `pcre2-dev` | `pcre2` |
//! | git | `git` | |
//! | protoc | `protobuf-dev` | |
//! | postgres-server | `postgresql` | |
//!
//! A toolchain image that already carries a package (the Rust and Go builders have `gcc`) is
//! told so through `present`, which leaves it out.

use super::file::Step;
use super::system_packages::{Release, SystemPackages, apt_step};
use crate::detect::{NativeDependency, SystemNeed};

/// Which stage packages are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Build,
    Runtime,
}

/// The Alpine packages `need` asks of a stage (the Debian ones are
/// [`super::system_packages`]'s, pinned to the image's release).
fn alpine_packages(need: SystemNeed, phase: Phase) -> &'static [&'static str] {
    use Phase::{Build, Runtime};
    use SystemNeed::*;
    match (need, phase) {
        (CCompiler | Cgo, Build) => &["build-base"],
        (Python, Build) => &["python3", "make", "g++"],
        (Openssl, Build) => &["pkgconf", "openssl-dev"],
        (Openssl, Runtime) => &["libssl3"],
        (Perl, Build) => &["perl", "make"],
        (Libpq, Build) => &["libpq-dev"],
        (Libpq, Runtime) => &["libpq"],
        (Mysqlclient, Build) => &["mariadb-dev"],
        (Mysqlclient, Runtime) => &["mariadb-connector-c"],
        (Pcre, Build) => &["pcre2-dev"],
        (Pcre, Runtime) => &["pcre2"],
        (Git, Build) => &["git"],
        (Protoc, Build) => &["protobuf-dev"],
        (PostgresServer, Build) => &["postgresql"],
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
    let wanted: Vec<String> = match Release::of_image(image) {
        Some(release) => {
            let packages = SystemPackages::for_needs(needs.iter().copied(), release);
            match phase {
                Phase::Build => packages.build,
                Phase::Runtime => packages.runtime,
            }
        }
        None => needs
            .iter()
            .flat_map(|n| alpine_packages(*n, phase).iter().map(|p| p.to_string()))
            .collect(),
    };
    let mut wanted: Vec<String> = wanted
        .into_iter()
        .filter(|p| !present.contains(&p.split('=').next().unwrap_or(p)))
        .collect();
    wanted.sort();
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
    let run = match apt_step(&wanted) {
        Some(step) if !super::is_alpine(image) => step,
        _ => Step::Run(vec![format!("apk add --no-cache {}", wanted.join(" "))]),
    };
    vec![Step::comment(&why), run]
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
            "apt-get install -y --no-install-recommends libssl-dev=3.0.* pkg-config=1.8.*"
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
        let present = ["gcc", "g++", "make", "libc6-dev"];
        assert!(install(&needs, &deps, Phase::Build, "rust:1.88-slim", &present).is_empty());
        assert!(install(&needs, &deps, Phase::Runtime, "debian:bookworm-slim", &[]).is_empty());
    }
}
