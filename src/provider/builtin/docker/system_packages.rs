//! The Debian packages native dependencies need: what the build stage installs to compile them
//! and what the runtime stage installs to run them, for the Debian release the base image rests
//! on.
//!
//! Every package is pinned to its release's upstream version (`libpq-dev=17.*`): a security
//! update of that release still installs, a different major never does silently, and the pin is
//! what hadolint's DL3008 asks for. The versions are those of Debian's archive (the `Packages`
//! files of trixie and bookworm); a package whose version moves within a release keeps matching.

use super::file::Step;
use crate::detect::SystemNeed;

/// A Debian release an image is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Release {
    /// Debian 12.
    Bookworm,
    /// Debian 13, what the official `python`, `node`, `golang` and `rust` images rest on unless
    /// their tag names another release.
    Trixie,
}

impl Release {
    /// The release of a Debian-based image, from its tag; `None` for an image without apt
    /// (Alpine, distroless).
    pub(crate) fn of_image(image: &str) -> Option<Self> {
        if image.contains("alpine") || image.contains("distroless") {
            None
        } else if image.contains("bookworm") || image.starts_with("debian:12") {
            Some(Self::Bookworm)
        } else {
            Some(Self::Trixie)
        }
    }
}

/// A package and its version pattern on trixie and on bookworm.
struct Package {
    trixie: (&'static str, &'static str),
    bookworm: (&'static str, &'static str),
}

impl Package {
    const fn same(name: &'static str, trixie: &'static str, bookworm: &'static str) -> Self {
        Self {
            trixie: (name, trixie),
            bookworm: (name, bookworm),
        }
    }

    fn pinned(&self, release: Release) -> String {
        let (name, version) = match release {
            Release::Trixie => self.trixie,
            Release::Bookworm => self.bookworm,
        };
        format!("{name}={version}")
    }
}

const GCC: Package = Package::same("gcc", "4:14.*", "4:12.*");
const GXX: Package = Package::same("g++", "4:14.*", "4:12.*");
const MAKE: Package = Package::same("make", "4.4.*", "4.3-*");
const LIBC_DEV: Package = Package::same("libc6-dev", "2.41-*", "2.36-*");
const PKG_CONFIG: Package = Package::same("pkg-config", "1.8.*", "1.8.*");
const LIBSSL_DEV: Package = Package::same("libssl-dev", "3.5.*", "3.0.*");
const LIBSSL: Package = Package {
    trixie: ("libssl3t64", "3.5.*"),
    bookworm: ("libssl3", "3.0.*"),
};
const PERL: Package = Package::same("perl", "5.40.*", "5.36.*");
const LIBPQ_DEV: Package = Package::same("libpq-dev", "17.*", "15.*");
const LIBPQ: Package = Package::same("libpq5", "17.*", "15.*");
const MYSQL_DEV: Package = Package::same("default-libmysqlclient-dev", "1.1.*", "1.1.*");
const MARIADB: Package = Package::same("libmariadb3", "1:11.8.*", "1:10.11.*");
const PCRE_DEV: Package = Package::same("libpcre2-dev", "10.46-*", "10.42-*");
const PCRE: Package = Package::same("libpcre2-8-0", "10.46-*", "10.42-*");
const PYTHON: Package = Package::same("python3", "3.13.*", "3.11.*");
const GIT: Package = Package::same("git", "1:2.47.*", "1:2.39.*");
const PROTOC: Package = Package::same("protobuf-compiler", "3.21.12-*", "3.21.12-*");
const POSTGRES_SERVER: Package = Package::same("postgresql", "17+*", "15+*");
const PROTOBUF_DEV: Package = Package::same("libprotobuf-dev", "3.21.12-*", "3.21.12-*");

/// What a need installs: (build stage, runtime stage).
fn packages_of(need: SystemNeed) -> (&'static [&'static Package], &'static [&'static Package]) {
    match need {
        SystemNeed::CCompiler => (&[&GCC, &GXX, &MAKE, &LIBC_DEV], &[]),
        SystemNeed::Cgo => (&[&GCC, &LIBC_DEV], &[]),
        SystemNeed::Openssl => (&[&PKG_CONFIG, &LIBSSL_DEV], &[&LIBSSL]),
        SystemNeed::Perl => (&[&PERL, &MAKE], &[]),
        SystemNeed::Libpq => (&[&LIBPQ_DEV], &[&LIBPQ]),
        SystemNeed::Mysqlclient => (&[&MYSQL_DEV, &PKG_CONFIG], &[&MARIADB]),
        SystemNeed::Pcre => (&[&PCRE_DEV], &[&PCRE]),
        SystemNeed::Python => (&[&PYTHON, &MAKE, &GXX], &[]),
        SystemNeed::Git => (&[&GIT], &[]),
        SystemNeed::Protoc => (&[&PROTOC, &PROTOBUF_DEV], &[]),
        SystemNeed::PostgresServer => (&[&POSTGRES_SERVER], &[]),
    }
}

/// The packages the build and runtime stages install, each once and sorted.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct SystemPackages {
    pub build: Vec<String>,
    pub runtime: Vec<String>,
}

impl SystemPackages {
    /// The packages `needs` call for on `release`.
    pub(crate) fn for_needs(needs: impl IntoIterator<Item = SystemNeed>, release: Release) -> Self {
        let mut packages = Self::default();
        for need in needs {
            let (build, runtime) = packages_of(need);
            packages
                .build
                .extend(build.iter().map(|p| p.pinned(release)));
            packages
                .runtime
                .extend(runtime.iter().map(|p| p.pinned(release)));
        }
        for list in [&mut packages.build, &mut packages.runtime] {
            list.sort();
            list.dedup();
        }
        packages
    }
}

/// The commands that install `packages` with apt and leave no package lists in the layer;
/// nothing when there is nothing to install.
pub(crate) fn apt_install(packages: &[String]) -> Vec<String> {
    if packages.is_empty() {
        return Vec::new();
    }
    vec![
        "apt-get update".into(),
        format!(
            "apt-get install -y --no-install-recommends {}",
            packages.join(" ")
        ),
        "rm -rf /var/lib/apt/lists/*".into(),
    ]
}

/// A `RUN` of [`apt_install`], or `None` when there is nothing to install.
pub(crate) fn apt_step(packages: &[String]) -> Option<Step> {
    let commands = apt_install(packages);
    (!commands.is_empty()).then_some(Step::Run(commands))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_release_comes_from_the_tag() {
        assert_eq!(Release::of_image("python:3.13-slim"), Some(Release::Trixie));
        assert_eq!(
            Release::of_image("rust:1.88-slim-bookworm"),
            Some(Release::Bookworm)
        );
        assert_eq!(Release::of_image("node:22-alpine"), None);
        assert_eq!(Release::of_image("gcr.io/distroless/cc-debian12"), None);
    }

    #[test]
    fn needs_become_pinned_packages_once_each() {
        let packages = SystemPackages::for_needs(
            [SystemNeed::Libpq, SystemNeed::CCompiler, SystemNeed::Cgo],
            Release::Trixie,
        );
        assert_eq!(
            packages.build,
            [
                "g++=4:14.*",
                "gcc=4:14.*",
                "libc6-dev=2.41-*",
                "libpq-dev=17.*",
                "make=4.4.*"
            ]
        );
        assert_eq!(packages.runtime, ["libpq5=17.*"]);
        let openssl = SystemPackages::for_needs([SystemNeed::Openssl], Release::Bookworm);
        assert_eq!(openssl.runtime, ["libssl3=3.0.*"]);
    }

    #[test]
    fn nothing_to_install_is_no_step() {
        assert!(apt_step(&[]).is_none());
        assert_eq!(
            apt_install(&["git=1:2.47.*".into()])[1],
            "apt-get install -y --no-install-recommends git=1:2.47.*"
        );
    }
}
