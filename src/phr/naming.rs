//! Where a record lives and what it is called: stages, their routing directories, slugs, IDs and
//! file names, as Spec-Kit Plus defines them.
//!
//! A record of stage `constitution` lives in `constitution/`, one of stage `general` in
//! `general/`, and every other stage in the directory of its feature. Its file is named
//! `<ID>-<slug>.<stage>.prompt.md`, where the ID is a per-directory number zero-padded to four
//! digits. [`record_file_name`] and [`route_dir`] are the two functions everything else calls.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The file-name suffix every record has.
pub(crate) const RECORD_SUFFIX: &str = ".prompt.md";

/// The longest slug aigen puts in a file name, so names stay well under file-system limits.
pub(crate) const MAX_SLUG_LEN: usize = 60;

/// What a record's exchange was for, as Spec-Kit Plus names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// The project's constitution.
    Constitution,
    /// A feature specification.
    Spec,
    /// Architecture and plan.
    Plan,
    /// Task breakdown.
    Tasks,
    /// Debugging, failing tests.
    Red,
    /// Implementation, passing tests.
    Green,
    /// Clean-up.
    Refactor,
    /// Explanations and documentation.
    Explainer,
    /// Other work on a feature.
    Misc,
    /// Not tied to a feature.
    General,
}

impl Stage {
    /// The stage of aigen's own exchanges (generation, review, approval, apply): `misc`, work
    /// on the feature, when there is one; `general` without.
    pub(crate) fn of_work(feature: Option<&str>) -> Self {
        if feature.is_some() {
            Self::Misc
        } else {
            Self::General
        }
    }

    /// Every stage, in the order Spec-Kit Plus lists them.
    pub(crate) const ALL: [Stage; 10] = [
        Stage::Constitution,
        Stage::Spec,
        Stage::Plan,
        Stage::Tasks,
        Stage::Red,
        Stage::Green,
        Stage::Refactor,
        Stage::Explainer,
        Stage::Misc,
        Stage::General,
    ];

    /// The stage's name as written in front matter and file names.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Constitution => "constitution",
            Self::Spec => "spec",
            Self::Plan => "plan",
            Self::Tasks => "tasks",
            Self::Red => "red",
            Self::Green => "green",
            Self::Refactor => "refactor",
            Self::Explainer => "explainer",
            Self::Misc => "misc",
            Self::General => "general",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of a stage name that is not one of the ten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStage(pub String);

impl fmt::Display for UnknownStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
        write!(
            f,
            "unknown stage `{}` (expected one of: {})",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownStage {}

impl FromStr for Stage {
    type Err = UnknownStage;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim();
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownStage(text.to_string()))
    }
}

/// The directory (under the history root) that records of `stage` are filed in, or `None` when
/// the stage needs a feature and there is none. A feature of `none` counts as no feature.
pub(crate) fn route_dir(stage: Stage, feature: Option<&str>) -> Option<String> {
    match stage {
        Stage::Constitution => Some("constitution".to_string()),
        Stage::General => Some("general".to_string()),
        _ => feature
            .map(str::trim)
            .filter(|f| !f.is_empty() && *f != "none")
            .map(str::to_string),
    }
}

/// The slug of a title: lowercase, every character outside `[a-z0-9]` becomes `-`, runs of `-`
/// collapse and leading or trailing `-` go. Slugs are cut at [`MAX_SLUG_LEN`] (at a `-` when one
/// is near) and an empty slug becomes `record`.
pub(crate) fn slug(title: &str) -> String {
    let mut slug = String::with_capacity(title.len().min(MAX_SLUG_LEN + 8));
    for c in title.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    if slug.len() > MAX_SLUG_LEN {
        let cut = match slug[..MAX_SLUG_LEN].rfind('-') {
            Some(dash) if dash >= MAX_SLUG_LEN / 2 => dash,
            _ => MAX_SLUG_LEN,
        };
        slug.truncate(cut);
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        slug.push_str("record");
    }
    slug
}

/// An ID as aigen writes it: zero-padded to four digits.
pub(crate) fn format_id(number: u64) -> String {
    format!("{number:04}")
}

/// The file name of a record: `<ID>-<slug>.<stage>.prompt.md`.
pub(crate) fn record_file_name(id: &str, title: &str, stage: Stage) -> String {
    format!("{id}-{}.{}{RECORD_SUFFIX}", slug(title), stage.as_str())
}

/// The parts of a record's file name: the ID prefix (everything before the first `-`), its
/// number when it is all digits, and the stage named before `.prompt.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileName<'a> {
    pub prefix: &'a str,
    pub number: Option<u64>,
    pub stage: Option<&'a str>,
}

/// Splits a record file name, or `None` when it does not end in `.prompt.md`.
pub(crate) fn parse_file_name(name: &str) -> Option<FileName<'_>> {
    let stem = name.strip_suffix(RECORD_SUFFIX)?;
    let prefix = stem.split(['-', '.']).next().unwrap_or(stem);
    let number = if !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit()) {
        prefix.parse().ok()
    } else {
        None
    };
    let stage = stem.rsplit_once('.').map(|(_, stage)| stage);
    Some(FileName {
        prefix,
        number,
        stage,
    })
}

/// The number of an ID as written in front matter (`0004`, `39`, `"001"`), when it is one.
pub(crate) fn id_number(id: &str) -> Option<u64> {
    let id = id.trim();
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        id.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_spec_kit_rules() {
        assert_eq!(
            slug("Generate the backend Dockerfile!"),
            "generate-the-backend-dockerfile"
        );
        assert_eq!(slug("  --Hello__World--  "), "hello-world");
        assert_eq!(slug("Déployer l'app"), "d-ployer-l-app");
        assert_eq!(slug("!!!"), "record");
        let long = slug(&"word ".repeat(40));
        assert!(long.len() <= MAX_SLUG_LEN && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn stages_route_to_their_directories() {
        assert_eq!(
            route_dir(Stage::Green, Some("003-k8s-deployment")).as_deref(),
            Some("003-k8s-deployment")
        );
        assert_eq!(
            route_dir(Stage::General, Some("x")).as_deref(),
            Some("general")
        );
        assert_eq!(
            route_dir(Stage::Constitution, None).as_deref(),
            Some("constitution")
        );
        assert_eq!(route_dir(Stage::Misc, None), None);
        assert_eq!(route_dir(Stage::Misc, Some("none")), None);
    }

    #[test]
    fn stage_names_parse_and_unknown_ones_say_what_is_allowed() {
        assert_eq!("Green".parse::<Stage>(), Ok(Stage::Green));
        let err = "blue".parse::<Stage>().unwrap_err().to_string();
        assert!(err.contains("blue") && err.contains("explainer"), "{err}");
    }

    #[test]
    fn file_names_split_into_their_parts() {
        let name = record_file_name("0004", "Deploy it", Stage::Green);
        assert_eq!(name, "0004-deploy-it.green.prompt.md");
        let parts = parse_file_name(&name).unwrap();
        assert_eq!(parts.prefix, "0004");
        assert_eq!(parts.number, Some(4));
        assert_eq!(parts.stage, Some("green"));
        let odd = parse_file_name("3-create-todo-app-tasks.tasks.prompt.md").unwrap();
        assert_eq!((odd.prefix, odd.number), ("3", Some(3)));
        assert!(parse_file_name("README.md").is_none());
        assert_eq!(id_number("039"), Some(39));
        assert_eq!(id_number("3-create"), None);
    }
}
