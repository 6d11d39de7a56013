//! Base images by language, version and family: the one table both `aigen init` (which writes
//! the choice into the constitution it derives) and the builtin generator (for a service the
//! constitution gives no images) read, so the two cannot drift apart.
//!
//! The release comes from the version the project pins ([`crate::version::Requirement`]), else the
//! default below. The family is Debian slim unless the project or `init --family alpine` asks
//! for Alpine:
//!
//! | language | build stage | runtime stage |
//! |---|---|---|
//! | Python | `python:<3.x>-slim` | the same image (the venv's interpreter path holds) |
//! | Node | `node:<major>-slim` | the same image |
//! | Go | `golang:<1.x>` | `debian:bookworm-slim` (a static binary; bash checks health) |
//! | Go with cgo (`go-sqlite3`) | `golang:<1.x>-trixie` (`-bookworm` before 1.24), in either family | `debian:trixie-slim` (`bookworm`; the glibc it links) |
//! | Rust | `rust:<1.x>-slim-bookworm` | `debian:bookworm-slim` (the same glibc) |
//! | Java, Maven | `maven:3-eclipse-temurin-<release>` | `eclipse-temurin:<release>-jre` |
//! | Java, Gradle | `eclipse-temurin:<release>-jdk` with the project's `gradlew`, else `gradle:8-jdk<release>` | `eclipse-temurin:<release>-jre` |
//!
//! Alpine swaps each for its `-alpine` variant and the Go and Rust runtimes for `alpine:3.22`.
//! Java releases round up to the next long-term release that has images (8, 11, 17, 21, 25).

use std::fmt;

use crate::detect::{Language, PackageManager, Service, SystemNeed};
use crate::version::{Requirement, Version};

/// The family of base images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Family {
    /// Debian's slim images: glibc, bash, apt (the default).
    #[default]
    Debian,
    /// Alpine: musl, busybox, apk; smaller.
    Alpine,
}

impl Family {}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Debian => "debian",
            Self::Alpine => "alpine",
        })
    }
}

/// The images of a service's Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageImages {
    /// Every build stage's image.
    pub build: String,
    /// The final stage's image.
    pub runtime: String,
}

impl StageImages {
    /// The same image for building and running (Python's venv, Node's `node_modules`).
    fn same(image: String) -> Self {
        Self {
            build: image.clone(),
            runtime: image,
        }
    }
}

/// The images chosen for a service, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Choice {
    pub images: StageImages,
    /// The language release built for (`3.13`, `22`, `1.24`, `21`).
    pub release: String,
    /// Whether the release follows the project's pin (else it is aigen's default).
    pub pinned: bool,
    /// Why an older Python than the default (or than the newest the project allows) was
    /// chosen: a pin with no wheel for a newer one.
    pub wheels: Option<String>,
}

/// Default releases: current, supported, and available as official images.
pub(crate) const PYTHON: &str = "3.13";
pub(crate) const NODE: &str = "22";
/// The Bun release line of the stages that build with Bun.
const BUN: &str = "1";
pub(crate) const GO: &str = "1.24";
pub(crate) const RUST: &str = "1.88";
pub(crate) const JAVA: &str = "21";

/// Releases a range may resolve to, oldest first.
const PYTHON_KNOWN: &[&str] = &["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"];
const NODE_KNOWN: &[&str] = &["18", "20", "22", "24"];
const GO_KNOWN: &[&str] = &["1.22", "1.23", "1.24", "1.25", "1.26"];
const RUST_KNOWN: &[&str] = &[];
/// Java releases with Temurin images: the long-term ones.
const JAVA_LTS: &[u32] = &[8, 11, 17, 21, 25];

/// The Alpine release of the Go and Rust runtimes.
const ALPINE: &str = "alpine:3.22";
/// The Debian release of the Go and Rust runtimes (the Rust builder's, for glibc).
const DEBIAN_RUNTIME: &str = "debian:bookworm-slim";
/// The Debian release of a Go build that links the C library, and of its runtime: the current
/// one (trixie) for the Go releases that have images on it (1.24 and later), else the one
/// before (bookworm), which the older releases were last published on.
fn cgo_debian(go: &str) -> &'static str {
    let first_on_trixie = Version::parse("1.24").expect("a version");
    match Version::parse(go) {
        Some(go) if !go.at_least(&first_on_trixie) => "bookworm",
        _ => "trixie",
    }
}

/// The images for `service` in `family`.
pub(crate) fn choose(service: &Service, family: Family) -> Choice {
    let requirement = service.language_version.as_ref().and_then(|v| {
        // Cargo.toml's `rust-version` is the oldest toolchain the crate builds with, not a pin
        // (a `rust-toolchain` file is one): any newer release will do.
        let minimum =
            service.language.value == Language::Rust && v.origin.to_string().contains("Cargo.toml");
        if minimum {
            Requirement::parse(&format!(">={}", v.value))
        } else {
            Requirement::parse(&v.value)
        }
    });
    let pick = |precision: usize, default: &str, known: &[&str]| match &requirement {
        Some(requirement) => (requirement.pick(precision, default, known), true),
        None => (default.to_string(), false),
    };
    let alpine = family == Family::Alpine;
    let mut wheels = None;
    let (images, release, pinned) = match service.language.value {
        Language::Python => {
            let (mut v, pinned) = pick(2, PYTHON, PYTHON_KNOWN);
            if let Some((limited, why)) = wheel_limited(service, requirement.as_ref(), &v) {
                v = limited;
                wheels = Some(why);
            }
            let suffix = if alpine { "alpine" } else { "slim" };
            (StageImages::same(format!("python:{v}-{suffix}")), v, pinned)
        }
        Language::Node => {
            let (v, pinned) = pick(1, NODE, NODE_KNOWN);
            let suffix = if alpine { "alpine" } else { "slim" };
            (StageImages::same(format!("node:{v}-{suffix}")), v, pinned)
        }
        Language::Go => {
            let (v, pinned) = pick(2, GO, GO_KNOWN);
            let images = if needs_cgo(service) {
                // cgo links the C library: build on the runtime's Debian release, whatever the
                // family, so the binary finds the glibc it was linked against.
                let debian = cgo_debian(&v);
                StageImages {
                    build: format!("golang:{v}-{debian}"),
                    runtime: format!("debian:{debian}-slim"),
                }
            } else if alpine {
                StageImages {
                    build: format!("golang:{v}-alpine"),
                    runtime: ALPINE.into(),
                }
            } else {
                StageImages {
                    build: format!("golang:{v}"),
                    runtime: DEBIAN_RUNTIME.into(),
                }
            };
            (images, v, pinned)
        }
        Language::Rust => {
            let (v, pinned) = pick(2, RUST, RUST_KNOWN);
            let images = if alpine {
                StageImages {
                    build: format!("rust:{v}-alpine"),
                    runtime: ALPINE.into(),
                }
            } else {
                StageImages {
                    build: format!("rust:{v}-slim-bookworm"),
                    runtime: DEBIAN_RUNTIME.into(),
                }
            };
            (images, v, pinned)
        }
        Language::Java => {
            let (v, pinned) = pick(1, JAVA, &[]);
            let release = java_release(&v);
            let alpine = if alpine { "-alpine" } else { "" };
            let build = match service.package_manager.value {
                PackageManager::Gradle if has_gradle_wrapper(service) => {
                    format!("eclipse-temurin:{release}-jdk{alpine}")
                }
                PackageManager::Gradle => format!("gradle:8-jdk{release}{alpine}"),
                _ => format!("maven:3-eclipse-temurin-{release}{alpine}"),
            };
            let images = StageImages {
                build,
                runtime: format!("eclipse-temurin:{release}-jre{alpine}"),
            };
            (images, release.to_string(), pinned)
        }
    };
    Choice {
        images,
        release,
        pinned,
        wheels,
    }
}

/// The newest Python at or below `picked` that the project's pins of compiled packages have
/// wheels for ([`crate::detect::WheelLimit`]), and why, when that is older than `picked` and the
/// project names no exact version; the releases its requirement allows come first, as
/// [`Requirement::pick`] chooses among them.
fn wheel_limited(
    service: &Service,
    requirement: Option<&Requirement>,
    picked: &str,
) -> Option<(String, String)> {
    let limit = service.inputs.wheels_up_to.as_ref()?;
    let ceiling = Version::parse(&limit.release)?;
    if Version::parse(picked)?.at_least(&Version::parse(&limit.next)?) {
        let known: Vec<&str> = PYTHON_KNOWN
            .iter()
            .copied()
            .filter(|k| Version::parse(k).is_some_and(|v| ceiling.at_least(&v)))
            .collect();
        let release = match requirement {
            Some(requirement) => requirement.pick(2, &limit.release, &known),
            None => limit.release.clone(),
        };
        // An exact pin of the project's own wins over the table.
        if Version::parse(&release).is_some_and(|r| !ceiling.at_least(&r)) {
            return None;
        }
        let why = format!(
            "`{}` ({}) has no wheel for Python {}",
            limit.pin.value, limit.pin.origin, limit.next
        );
        return Some((release, why));
    }
    None
}

/// The Node image of a build stage that is not a Node service's own (a UI a Go binary embeds).
pub(crate) fn node_image(family: Family) -> String {
    match family {
        Family::Debian => format!("node:{NODE}-slim"),
        Family::Alpine => format!("node:{NODE}-alpine"),
    }
}

/// The image of a stage that builds a user interface with `manager`: Bun's for Bun (a
/// `bun.lock`), Node.js's for npm, pnpm and Yarn.
pub(crate) fn ui_build_image(manager: PackageManager, family: Family) -> String {
    match (manager, family) {
        (PackageManager::Bun, Family::Debian) => format!("oven/bun:{BUN}-slim"),
        (PackageManager::Bun, Family::Alpine) => format!("oven/bun:{BUN}-alpine"),
        _ => node_image(family),
    }
}

/// The images of a service's helper build stages, besides its own build and runtime images: the
/// Node.js or Bun image of each stage that builds a user interface it embeds or serves.
pub(crate) fn helper_images(service: &Service, family: Family) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for producer in service
        .inputs
        .built_ui
        .iter()
        .filter_map(|ui| ui.producer.as_ref())
    {
        let image = ui_build_image(producer.manager, family);
        if !found.contains(&image) {
            found.push(image);
        }
    }
    found
}

/// Whether a Go service has a dependency that needs cgo (`go-sqlite3`).
pub(crate) fn needs_cgo(service: &Service) -> bool {
    service
        .inputs
        .native
        .iter()
        .any(|n| n.needs.contains(&SystemNeed::Cgo))
}

/// The long-term Java release that runs code written for `release` (`1.8` is 8; 19 runs on 21).
fn java_release(release: &str) -> u32 {
    let version = Version::parse(release);
    let feature = match &version {
        Some(v) if v.major() == 1 => v
            .truncated(2)
            .rsplit('.')
            .next()
            .and_then(|m| m.parse().ok()),
        Some(v) => Some(v.major()),
        None => None,
    }
    .unwrap_or(21);
    JAVA_LTS
        .iter()
        .copied()
        .find(|lts| *lts >= feature)
        .unwrap_or(feature)
}

/// Whether the Gradle project builds with its own wrapper (`gradlew`), which detection reports
/// as the build command.
fn has_gradle_wrapper(service: &Service) -> bool {
    service
        .build_command
        .as_ref()
        .and_then(|c| c.value.first())
        .is_some_and(|program| program.ends_with("gradlew"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_releases_round_up_to_a_long_term_one() {
        assert_eq!(java_release("1.8"), 8);
        assert_eq!(java_release("17"), 17);
        assert_eq!(java_release("19"), 21);
        assert_eq!(java_release("22"), 25);
    }

    #[test]
    fn cgo_builds_rest_on_a_debian_release_their_go_has_images_for() {
        // golang:1.21-trixie was never published: 1.21 to 1.23 were last built on bookworm.
        assert_eq!(cgo_debian("1.21"), "bookworm");
        assert_eq!(cgo_debian("1.23"), "bookworm");
        assert_eq!(cgo_debian("1.24"), "trixie");
        assert_eq!(cgo_debian("1.26"), "trixie");
    }
}
