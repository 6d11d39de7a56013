//! The [`Checker`] every Dockerfile rule gets: the parsed file, its [`Model`], the file's
//! context (constitution, service), the `.dockerignore` that goes with it, and the way to report.
//!
//! The driver ([`super::lint_with`]) sets the rule being run before calling its check, so a rule
//! reports with [`Checker::report`] and reads its parameters with [`Checker::params`] without
//! naming itself.

use std::ops::Range;
use std::path::PathBuf;

use super::ast::{Dockerfile, Instruction, Keyword, Logical};
use super::model::Model;
use super::shell::{self, Command};
use crate::policy::constitution::RuleSetting;
use crate::policy::context::FileContext;
use crate::policy::finding::Finding;
use crate::policy::registry::Rule;

/// The `.dockerignore` of a Dockerfile's build context, as far as it was looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dockerignore {
    /// Not looked for (text linted from memory without one).
    NotChecked,
    /// Looked for and not found; `expected` is where it should be.
    Missing { expected: PathBuf },
    /// Found: its display path and text.
    Found { path: PathBuf, text: String },
}

/// The shell code of a RUN instruction, split into commands, with the map to the source.
#[derive(Debug, Clone)]
pub struct Script {
    pub commands: Vec<Command>,
    map: Logical,
}

impl Script {
    /// The source range of a range in the script.
    pub fn source_range(&self, range: Range<usize>) -> Range<usize> {
        self.map.source_range(range)
    }

    /// True when some command's output is piped into another.
    pub fn has_pipe(&self) -> bool {
        self.commands.iter().any(|c| c.joint == shell::Joint::Pipe)
    }

    /// The commands running `program` (base name).
    pub fn running<'s>(&'s self, program: &'s str) -> impl Iterator<Item = &'s Command> + 's {
        self.commands
            .iter()
            .filter(move |c| c.program() == Some(program))
    }
}

/// Shells whose heredoc input is a script.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

/// The scripts of a RUN instruction: its shell-form command line (or exec-form words as one
/// command) and the heredoc bodies that run as shell scripts.
pub fn scripts(instruction: &Instruction, source: &str) -> Vec<Script> {
    let mut scripts = Vec::new();
    if let Some(Ok(words)) = &instruction.exec {
        let command = Command {
            words: words
                .iter()
                .map(|w| shell::ShellWord {
                    value: w.value.clone(),
                    range: w.range.clone(),
                })
                .collect(),
            joint: shell::Joint::Sequence,
        };
        scripts.push(Script {
            commands: vec![command],
            map: Logical::contiguous("", 0),
        });
        return scripts;
    }
    let line = instruction.command();
    let commands = shell::parse(&line.text);
    let runs_heredoc = commands
        .first()
        .and_then(|c| c.program())
        .is_none_or(|program| SHELLS.contains(&program));
    scripts.push(Script {
        commands,
        map: line,
    });
    if runs_heredoc {
        for heredoc in &instruction.heredocs {
            let body = source.get(heredoc.body.clone()).unwrap_or("");
            scripts.push(Script {
                commands: shell::parse(body),
                map: Logical::contiguous(body, heredoc.body.start),
            });
        }
    }
    scripts
}

/// What a Dockerfile rule works with.
pub struct Checker<'a> {
    pub file: &'a Dockerfile,
    pub model: &'a Model,
    pub cx: &'a FileContext<'a>,
    pub dockerignore: &'a Dockerignore,
    rule: Option<(&'static Rule, &'a RuleSetting)>,
    findings: Vec<Finding>,
}

/// A finding just reported, to add a help line to.
pub struct Reported<'c>(Option<&'c mut Finding>);

impl Reported<'_> {
    /// Adds the help line: what to do, in the imperative.
    pub fn help(self, text: impl Into<String>) {
        if let Some(finding) = self.0 {
            finding.help = Some(text.into());
        }
    }
}

impl<'a> Checker<'a> {
    /// A checker over a parsed file.
    pub fn new(
        file: &'a Dockerfile,
        model: &'a Model,
        cx: &'a FileContext<'a>,
        dockerignore: &'a Dockerignore,
    ) -> Self {
        Self {
            file,
            model,
            cx,
            dockerignore,
            rule: None,
            findings: Vec::new(),
        }
    }

    /// Makes `rule` the one that reports next.
    pub fn start(&mut self, rule: &'static Rule, setting: &'a RuleSetting) {
        self.rule = Some((rule, setting));
    }

    /// The findings reported so far.
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// The source text.
    pub fn source(&self) -> &'a str {
        self.cx.source.text()
    }

    /// The text of a source range.
    pub fn text(&self, range: Range<usize>) -> &'a str {
        self.source().get(range).unwrap_or("")
    }

    /// The parameters of the rule being run.
    pub fn params<P: 'static>(&self) -> &'a P {
        let (rule, setting) = self.rule.expect("a rule is started before its check runs");
        setting.params::<P>().unwrap_or_else(|| {
            panic!(
                "rule {} reads parameters of a type other than it declared",
                rule.code
            )
        })
    }

    /// Reports a finding of the rule being run at a source range.
    pub fn report(&mut self, range: Range<usize>, message: impl Into<String>) -> Reported<'_> {
        let span = self.cx.source.span(range);
        self.push(Some(span), message.into())
    }

    /// Reports a finding about the whole file.
    pub fn report_file(&mut self, message: impl Into<String>) -> Reported<'_> {
        self.push(None, message.into())
    }

    /// Reports a finding about another file (the `.dockerignore`), as a whole.
    pub fn report_other_file(&mut self, path: PathBuf, message: impl Into<String>) -> Reported<'_> {
        let reported = self.push(None, message.into());
        match reported.0 {
            Some(finding) => {
                finding.path = path;
                Reported(Some(finding))
            }
            None => Reported(None),
        }
    }

    fn push(
        &mut self,
        span: Option<crate::policy::finding::Span>,
        message: String,
    ) -> Reported<'_> {
        let Some((rule, setting)) = self.rule else {
            return Reported(None);
        };
        let mut finding = Finding::new(rule.code, setting.severity, self.cx.path, message);
        if let Some(span) = span {
            finding = finding.at(span).with_excerpt(&self.cx.source);
        }
        self.findings.push(finding);
        Reported(self.findings.last_mut())
    }

    /// The instructions of the final stage (empty when there is no stage).
    pub fn final_body(&self) -> &'a [Instruction] {
        match self.model.final_stage() {
            Some(stage) => self.model.body(self.file, stage),
            None => &[],
        }
    }

    /// Every instruction with the keyword, ONBUILD triggers excluded.
    pub fn instructions(&self, keyword: Keyword) -> impl Iterator<Item = &'a Instruction> + 'a {
        self.file
            .instructions
            .iter()
            .filter(move |i| i.keyword == keyword)
    }

    /// The scripts of a RUN instruction.
    pub fn scripts(&self, instruction: &Instruction) -> Vec<Script> {
        scripts(instruction, self.source())
    }

    /// Every RUN instruction (index, instruction) with its scripts.
    pub fn runs(&self) -> Vec<(usize, &'a Instruction, Vec<Script>)> {
        self.file
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.keyword == Keyword::Run)
            .map(|(index, i)| (index, i, self.scripts(i)))
            .collect()
    }

    /// The base images' names that a user name may come from (normalized references of the
    /// stage and the stages it builds on).
    pub fn base_images_of(&self, stage_index: usize) -> Vec<String> {
        let Some(stage) = self.model.stages.get(stage_index) else {
            return Vec::new();
        };
        self.model
            .lineage(stage)
            .iter()
            .map(|s| s.image.normalized())
            .collect()
    }
}

impl<'a> Checker<'a> {
    /// The `ARG` and `ENV` values visible at the end of a stage (its lineage included, global
    /// ARG defaults first), for substituting variables.
    pub fn stage_vars(&self, stage_index: usize) -> Vec<(String, Option<String>)> {
        let mut vars = self.model.global_args.clone();
        let Some(stage) = self.model.stages.get(stage_index) else {
            return vars;
        };
        let mut lineage = self.model.lineage(stage);
        lineage.reverse();
        for stage in lineage {
            for instruction in self.model.body(self.file, stage) {
                match instruction.keyword {
                    Keyword::Arg => {
                        for word in &instruction.words {
                            let (name, value) = match word.value.split_once('=') {
                                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                                None => {
                                    // `ARG X` re-declares a global ARG with its default.
                                    let inherited = self
                                        .model
                                        .global_args
                                        .iter()
                                        .find(|(n, _)| *n == word.value)
                                        .and_then(|(_, v)| v.clone());
                                    (word.value.clone(), inherited)
                                }
                            };
                            vars.push((name, value));
                        }
                    }
                    Keyword::Env => vars.extend(env_pairs(instruction)),
                    _ => {}
                }
            }
        }
        vars
    }

    /// The last instruction with a keyword in effect at the end of a stage: the stage's own
    /// last one, else the nearest one of the stages it builds on.
    pub fn effective(
        &self,
        stage_index: usize,
        keyword: Keyword,
    ) -> Option<(usize, &'a Instruction)> {
        let stage = self.model.stages.get(stage_index)?;
        for stage in self.model.lineage(stage) {
            let found = self
                .model
                .body(self.file, stage)
                .iter()
                .rev()
                .find(|i| i.keyword == keyword);
            if let Some(instruction) = found {
                return Some((stage.index, instruction));
            }
        }
        None
    }
}

/// The `(name, value)` pairs of an ENV instruction (`ENV A=1 B=2` or the legacy `ENV A 1`).
pub fn env_pairs(instruction: &Instruction) -> Vec<(String, Option<String>)> {
    let words = &instruction.words;
    match words.first() {
        Some(first) if !first.value.contains('=') => {
            let value = words[1..]
                .iter()
                .map(|w| w.value.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            vec![(first.value.clone(), Some(value))]
        }
        _ => words
            .iter()
            .filter_map(|w| w.value.split_once('='))
            .map(|(n, v)| (n.to_string(), Some(v.to_string())))
            .collect(),
    }
}
