//! A Dockerfile as data, and its text.
//!
//! The stack modules describe stages and steps; [`Dockerfile::render`] writes them out in one
//! consistent style: the BuildKit syntax and check directives first, upper-case instructions,
//! `FROM image AS name`, `ENV key=value`, exec-form JSON for `CMD` and `HEALTHCHECK`, long `RUN`
//! commands split on `&&`.

use crate::provider::builtin::quote;

/// A whole Dockerfile.
#[derive(Debug, Clone)]
pub(crate) struct Dockerfile {
    /// Comment lines under the directives: what the file builds and how to build it.
    pub header: String,
    pub stages: Vec<Stage>,
}

/// One build stage.
#[derive(Debug, Clone)]
pub(crate) struct Stage {
    /// What the stage is for, written above its `FROM`.
    pub comment: String,
    pub image: String,
    pub name: String,
    pub steps: Vec<Step>,
}

/// One instruction (or comment) of a stage.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    Comment(String),
    Workdir(String),
    Env(Vec<(String, String)>),
    Copy(Copy),
    /// Commands run in one layer, joined with `&&`.
    Run(Vec<String>),
    /// `USER uid:gid`.
    User(String),
    Expose(u16),
    /// `HEALTHCHECK NONE`: the stage is never run as a container.
    NoHealthcheck,
    Healthcheck {
        interval_seconds: u32,
        timeout_seconds: u32,
        retries: u32,
        command: Vec<String>,
    },
    Cmd(Vec<String>),
}

/// A `COPY` instruction.
#[derive(Debug, Clone, Default)]
pub(crate) struct Copy {
    /// `--from=<stage>`.
    pub from: Option<String>,
    /// `--chown=<uid>:<gid>`.
    pub chown: Option<String>,
    pub sources: Vec<String>,
    pub dest: String,
}

impl Copy {
    /// Copies `sources` from the build context to `dest`.
    pub(crate) fn context(sources: &[&str], dest: &str) -> Self {
        Self {
            sources: sources.iter().map(|s| s.to_string()).collect(),
            dest: dest.to_string(),
            ..Self::default()
        }
    }

    /// Copies `source` from the stage `stage` to `dest`.
    pub(crate) fn stage(stage: &str, source: &str, dest: &str) -> Self {
        Self {
            from: Some(stage.to_string()),
            sources: vec![source.to_string()],
            dest: dest.to_string(),
            ..Self::default()
        }
    }

    /// The same copy, owned by `owner` (`uid:gid`).
    pub(crate) fn owned_by(mut self, owner: &str) -> Self {
        self.chown = Some(owner.to_string());
        self
    }
}

impl Stage {
    /// A stage `name` on `image`.
    pub(crate) fn new(name: &str, image: &str, comment: &str) -> Self {
        Self {
            comment: comment.to_string(),
            image: image.to_string(),
            name: name.to_string(),
            steps: Vec::new(),
        }
    }

    /// Appends a step.
    pub(crate) fn step(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// Appends steps.
    pub(crate) fn steps(mut self, steps: impl IntoIterator<Item = Step>) -> Self {
        self.steps.extend(steps);
        self
    }
}

impl Step {
    /// `ENV` with the given pairs.
    pub(crate) fn env(pairs: &[(&str, &str)]) -> Self {
        Self::Env(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// A comment line.
    pub(crate) fn comment(text: &str) -> Self {
        Self::Comment(text.to_string())
    }

    /// `RUN` with commands joined by `&&`.
    pub(crate) fn run(commands: &[&str]) -> Self {
        Self::Run(commands.iter().map(|c| c.to_string()).collect())
    }

    /// `WORKDIR`.
    pub(crate) fn workdir(dir: &str) -> Self {
        Self::Workdir(dir.to_string())
    }
}

impl Dockerfile {
    /// The Dockerfile's text.
    pub(crate) fn render(&self) -> String {
        let mut out = String::from("# syntax=docker/dockerfile:1\n# check=error=true\n");
        for line in self.header.lines() {
            push_comment(&mut out, line);
        }
        for stage in &self.stages {
            out.push('\n');
            for line in stage.comment.lines() {
                push_comment(&mut out, line);
            }
            out.push_str(&format!("FROM {} AS {}\n", stage.image, stage.name));
            for step in &stage.steps {
                render_step(&mut out, step);
            }
        }
        out
    }
}

fn push_comment(out: &mut String, line: &str) {
    if line.is_empty() {
        out.push_str("#\n");
    } else {
        out.push_str(&format!("# {line}\n"));
    }
}

fn render_step(out: &mut String, step: &Step) {
    match step {
        Step::Comment(text) => text.lines().for_each(|line| push_comment(out, line)),
        Step::Workdir(dir) => out.push_str(&format!("WORKDIR {dir}\n")),
        Step::Env(pairs) => {
            let items: Vec<String> = pairs
                .iter()
                .map(|(key, value)| format!("{key}={}", env_value(value)))
                .collect();
            out.push_str(&format!("ENV {}\n", items.join(" \\\n    ")));
        }
        Step::Copy(copy) => out.push_str(&render_copy(copy)),
        Step::Run(commands) => {
            out.push_str(&format!("RUN {}\n", commands.join(" \\\n    && ")));
        }
        Step::User(user) => out.push_str(&format!("USER {user}\n")),
        Step::Expose(port) => out.push_str(&format!("EXPOSE {port}\n")),
        Step::NoHealthcheck => out.push_str("HEALTHCHECK NONE\n"),
        Step::Healthcheck {
            interval_seconds,
            timeout_seconds,
            retries,
            command,
        } => out.push_str(&format!(
            "HEALTHCHECK --interval={interval_seconds}s --timeout={timeout_seconds}s --retries={retries} \\\n    CMD {}\n",
            quote::json_array(command)
        )),
        Step::Cmd(argv) => out.push_str(&format!("CMD {}\n", quote::json_array(argv))),
    }
}

fn render_copy(copy: &Copy) -> String {
    let mut line = String::from("COPY");
    if let Some(from) = &copy.from {
        line.push_str(&format!(" --from={from}"));
    }
    if let Some(owner) = &copy.chown {
        line.push_str(&format!(" --chown={owner}"));
    }
    let mut paths = copy.sources.clone();
    paths.push(copy.dest.clone());
    if paths.iter().any(|p| p.chars().any(char::is_whitespace)) {
        line.push(' ');
        line.push_str(&quote::json_array(&paths));
    } else {
        for path in paths {
            line.push(' ');
            line.push_str(&path);
        }
    }
    line.push('\n');
    line
}

/// An `ENV` value: bare when it has no characters the Dockerfile parser treats specially, else
/// double-quoted (variables such as `$PATH` still expand inside).
fn env_value(value: &str) -> String {
    let bare = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=@+,".contains(c));
    if bare {
        value.to_string()
    } else {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_stages_and_steps() {
        let file = Dockerfile {
            header: "Builds x.".into(),
            stages: vec![
                Stage::new("builder", "python:3.13-slim", "Dependencies.")
                    .step(Step::workdir("/app"))
                    .step(Step::env(&[("A", "1"), ("PATH", "/opt/venv/bin:$PATH")]))
                    .step(Step::run(&["a", "b"])),
                Stage::new("runtime", "python:3.13-slim", "")
                    .step(Step::Copy(
                        Copy::stage("builder", "/opt/venv", "/opt/venv").owned_by("1000:1000"),
                    ))
                    .step(Step::Copy(Copy::context(&["my dir/"], "./")))
                    .step(Step::Cmd(vec!["run".into(), "it".into()])),
            ],
        };
        let expected = r#"# syntax=docker/dockerfile:1
# check=error=true
# Builds x.

# Dependencies.
FROM python:3.13-slim AS builder
WORKDIR /app
ENV A=1 \
    PATH="/opt/venv/bin:$PATH"
RUN a \
    && b

FROM python:3.13-slim AS runtime
COPY --from=builder --chown=1000:1000 /opt/venv /opt/venv
COPY ["my dir/", "./"]
CMD ["run", "it"]
"#;
        assert_eq!(file.render(), expected);
    }
}
