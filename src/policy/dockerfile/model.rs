//! What a Dockerfile means beyond its syntax: its build stages, their base images (with global
//! `ARG` defaults substituted), which stage each `FROM` builds on, and which stages end up in
//! the final image.
//!
//! Rules read the [`Model`] rather than walking instructions themselves: "the final stage",
//! "the USER in effect", "the images a FROM names" are answered here once.

use std::ops::Range;

use super::ast::{Dockerfile, Instruction, Keyword, Word};
use crate::dockerfile_syntax::expand::{Dialect, expand};

/// The stages of a Dockerfile.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    /// Global `ARG`s (before the first FROM): name and default.
    pub global_args: Vec<(String, Option<String>)>,
    pub stages: Vec<Stage>,
}

/// One build stage: a FROM and the instructions up to the next FROM.
#[derive(Debug, Clone)]
pub(crate) struct Stage {
    pub index: usize,
    /// Index of the FROM instruction in [`Dockerfile::instructions`].
    pub from: usize,
    /// The image it starts from.
    pub image: Image,
    /// `AS <name>`.
    pub name: Option<Word>,
    /// Indices of the instructions after the FROM, up to the next FROM.
    pub body: Range<usize>,
}

/// What a FROM builds on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Base {
    /// `scratch`: nothing.
    Scratch,
    /// An earlier stage, by index.
    Stage(usize),
    /// An image from a registry.
    External,
}

/// An image reference in a FROM, as written and as resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Image {
    /// As written.
    pub text: String,
    /// With global ARG defaults substituted.
    pub resolved: String,
    /// Where it is written.
    pub range: Range<usize>,
    /// True when a variable in it has no default, so `resolved` is not the real image.
    pub unresolved: bool,
    pub base: Base,
    /// Registry host, when the reference names one (`ghcr.io`, `localhost:5000`).
    pub registry: Option<String>,
    /// The repository path without registry, tag and digest (`python`, `library/python`).
    pub repository: String,
    pub tag: Option<String>,
    /// `sha256:...`
    pub digest: Option<String>,
}

impl Image {
    /// Parses a reference (after substitution) into its parts.
    fn parse(text: &str, resolved: String, range: Range<usize>, unresolved: bool) -> Self {
        let (name, digest) = match resolved.split_once('@') {
            Some((name, digest)) => (name.to_string(), Some(digest.to_string())),
            None => (resolved.clone(), None),
        };
        let (name, tag) = match name.rfind(':') {
            Some(colon) if !name[colon..].contains('/') => (
                name[..colon].to_string(),
                Some(name[colon + 1..].to_string()),
            ),
            _ => (name, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_string()), rest.to_string())
            }
            _ => (None, name),
        };
        let base = if repository.eq_ignore_ascii_case("scratch") && registry.is_none() {
            Base::Scratch
        } else {
            Base::External
        };
        Self {
            text: text.to_string(),
            resolved,
            range,
            unresolved,
            base,
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// The reference without a Docker Hub registry prefix (`docker.io/library/python:3` →
    /// `python:3`), for matching against patterns.
    pub(crate) fn normalized(&self) -> String {
        normalize_reference(&self.resolved)
    }
}

/// Drops `docker.io/`, `index.docker.io/`, `registry-1.docker.io/` and then `library/`.
pub(crate) fn normalize_reference(reference: &str) -> String {
    let mut rest = reference;
    for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
        if let Some(stripped) = rest.strip_prefix(prefix) {
            rest = stripped;
            break;
        }
    }
    rest.strip_prefix("library/").unwrap_or(rest).to_string()
}

impl Model {
    /// Builds the model of a parsed file.
    pub(crate) fn new(file: &Dockerfile) -> Self {
        let mut global_args = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        for (index, instruction) in file.instructions.iter().enumerate() {
            match instruction.keyword {
                Keyword::Arg if stages.is_empty() => {
                    for word in &instruction.words {
                        let (name, default) = match word.value.split_once('=') {
                            Some((name, value)) => (name.to_string(), Some(value.to_string())),
                            None => (word.value.clone(), None),
                        };
                        global_args.push((name, default));
                    }
                }
                Keyword::From => {
                    if let Some(last) = stages.last_mut() {
                        last.body.end = index;
                    }
                    let image_word = instruction.words.first();
                    let text = image_word.map_or("", |w| w.value.as_str());
                    let range =
                        image_word.map_or(instruction.keyword_range.clone(), |w| w.range.clone());
                    let (resolved, unresolved) = substitute(text, &global_args);
                    let mut image = Image::parse(text, resolved, range, unresolved);
                    if let Some(earlier) = stages.iter().find(|s| {
                        s.name
                            .as_ref()
                            .is_some_and(|n| n.value.eq_ignore_ascii_case(&image.resolved))
                    }) {
                        image.base = Base::Stage(earlier.index);
                    }
                    let name = match instruction.words.get(1..3) {
                        Some([as_word, name]) if as_word.value.eq_ignore_ascii_case("AS") => {
                            Some(name.clone())
                        }
                        _ => None,
                    };
                    stages.push(Stage {
                        index: stages.len(),
                        from: index,
                        image,
                        name,
                        body: index + 1..file.instructions.len(),
                    });
                }
                _ => {}
            }
        }
        Self {
            global_args,
            stages,
        }
    }

    /// The last stage: the image `docker build` produces by default.
    pub(crate) fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The stage with a name (any case) or a numeric index written as text.
    pub(crate) fn stage_named(&self, name: &str) -> Option<&Stage> {
        if let Ok(index) = name.parse::<usize>() {
            return self.stages.get(index);
        }
        self.stages.iter().find(|s| {
            s.name
                .as_ref()
                .is_some_and(|n| n.value.eq_ignore_ascii_case(name))
        })
    }

    /// A stage and the stages it builds on, nearest first.
    pub(crate) fn lineage<'m>(&'m self, stage: &'m Stage) -> Vec<&'m Stage> {
        let mut chain = vec![];
        let mut current = Some(stage);
        while let Some(s) = current {
            if chain.iter().any(|c: &&Stage| c.index == s.index) {
                break;
            }
            chain.push(s);
            current = match s.image.base {
                Base::Stage(i) if i < s.index => self.stages.get(i),
                _ => None,
            };
        }
        chain
    }

    /// The stages whose filesystem ends up in the final image (the final stage and the stages
    /// it builds on).
    pub(crate) fn final_lineage(&self) -> Vec<&Stage> {
        self.final_stage()
            .map(|stage| self.lineage(stage))
            .unwrap_or_default()
    }

    /// The stage an instruction index belongs to.
    pub(crate) fn stage_of(&self, instruction: usize) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|s| s.from == instruction || s.body.contains(&instruction))
    }

    /// The instructions of a stage (after its FROM).
    pub(crate) fn body<'f>(&self, file: &'f Dockerfile, stage: &Stage) -> &'f [Instruction] {
        file.instructions.get(stage.body.clone()).unwrap_or(&[])
    }
}

/// True for `root`, `0`, `root:<group>` and `0:<group>`.
pub(crate) fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user);
    name == "root" || name == "0"
}

/// Substitutes `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME-default}` from ARG defaults.
/// Returns the text and whether some variable had no value.
pub(crate) fn substitute(text: &str, args: &[(String, Option<String>)]) -> (String, bool) {
    let lookup = |name: &str| {
        args.iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.clone())
    };
    expand(text, Dialect::Dockerfile, &lookup)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::dockerfile::parser::parse;

    #[test]
    fn stages_know_their_images_and_names() {
        let file = parse(
            "ARG PY=3.13\nFROM docker.io/library/python:${PY}-slim AS build\nRUN x\n\
             FROM build AS test\nFROM ghcr.io/org/app@sha256:abc\nUSER 1000\n",
        );
        let model = Model::new(&file);
        assert_eq!(model.stages.len(), 3);
        let build = &model.stages[0];
        assert_eq!(build.image.resolved, "docker.io/library/python:3.13-slim");
        assert_eq!(build.image.normalized(), "python:3.13-slim");
        assert_eq!(build.image.tag.as_deref(), Some("3.13-slim"));
        assert_eq!(build.body, 2..3);
        assert_eq!(model.stages[1].image.base, Base::Stage(0));
        let last = model.final_stage().unwrap();
        assert_eq!(last.image.registry.as_deref(), Some("ghcr.io"));
        assert_eq!(last.image.digest.as_deref(), Some("sha256:abc"));
        assert_eq!(last.image.tag, None);
        assert_eq!(model.lineage(&model.stages[1]).len(), 2);
        assert_eq!(model.stage_named("TEST").map(|s| s.index), Some(1));
        assert_eq!(model.stage_named("0").map(|s| s.index), Some(0));
    }

    #[test]
    fn substitution_uses_defaults_and_reports_unknowns() {
        let args = vec![
            ("A".to_string(), Some("1".to_string())),
            ("B".to_string(), None),
        ];
        assert_eq!(substitute("x:$A", &args), ("x:1".into(), false));
        assert_eq!(substitute("x:${B:-2}", &args), ("x:2".into(), false));
        assert_eq!(substitute("x:${B}", &args), ("x:".into(), true));
        assert_eq!(substitute("x:$", &args), ("x:$".into(), false));
        assert_eq!(substitute("x:${A", &args), ("x:${A".into(), true));
    }

    #[test]
    fn registry_ports_are_not_tags() {
        let file = parse("FROM localhost:5000/app\n");
        let image = &Model::new(&file).stages[0].image;
        assert_eq!(image.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(image.repository, "app");
        assert_eq!(image.tag, None);
    }
}
