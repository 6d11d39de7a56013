//! The [`Checker`] every Dockerfile rule gets: the parsed file, its [`Model`], the file's
//! context (constitution, service), the `.dockerignore` that goes with it, and the way to report.
//!
//! The driver ([`super::lint_with`]) sets the rule being run before calling its check, so a rule
//! reports with [`Checker::report`] and reads its parameters with [`Checker::params`] without
//! naming itself.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use super::ast::{Dockerfile, Instruction, Keyword, Logical, Word};
use super::dockerignore::Dockerignore;
use super::model::{Model, substitute};
use super::shell::{self, Command};
use crate::policy::constitution::RuleSetting;
use crate::policy::context::FileContext;
use crate::policy::finding::{Finding, Reported};
use crate::policy::registry::Rule;

/// The shell code of a RUN instruction, split into commands, with the map to the source.
#[derive(Debug, Clone)]
pub(crate) struct Script {
    pub commands: Vec<Command>,
    map: Logical,
}

impl Script {
    /// The source range of a range in the script.
    pub(crate) fn source_range(&self, range: Range<usize>) -> Range<usize> {
        self.map.source_range(range)
    }

    /// The source range of a command's program and subcommand (`apt-get install`), or of the
    /// program alone when it has no subcommand.
    pub(crate) fn head_range(&self, command: &Command) -> Range<usize> {
        let words = command.effective_words();
        let Some(first) = words.first() else {
            return self.source_range(command.range());
        };
        let end = command
            .subcommand()
            .map_or(first.range.end, |sub| sub.range.end);
        self.source_range(first.range.start..end)
    }

    /// The commands running `program` (base name).
    pub(crate) fn running<'s>(
        &'s self,
        program: &'s str,
    ) -> impl Iterator<Item = &'s Command> + 's {
        self.commands
            .iter()
            .filter(move |c| c.program() == Some(program))
    }
}

/// Shells whose heredoc input is a script.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

/// The scripts of a RUN instruction: its shell-form command line (or exec-form words as one
/// command) and the heredoc bodies that run as shell scripts.
pub(crate) fn scripts(instruction: &Instruction, source: &str) -> Vec<Script> {
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

/// The scripts of every RUN of a file, read once and shared by the rules (keyed by the
/// instruction's start offset).
#[derive(Debug, Default)]
pub(crate) struct ScriptIndex(HashMap<usize, Vec<Script>>);

impl ScriptIndex {
    /// Reads the scripts of every RUN instruction.
    pub(crate) fn new(file: &Dockerfile, source: &str) -> Self {
        Self(
            file.instructions
                .iter()
                .filter(|i| i.keyword == Keyword::Run)
                .map(|i| (i.keyword_range.start, scripts(i, source)))
                .collect(),
        )
    }

    /// The scripts of an instruction (none for other instructions).
    pub(crate) fn of(&self, instruction: &Instruction) -> &[Script] {
        self.0
            .get(&instruction.keyword_range.start)
            .map_or(&[], Vec::as_slice)
    }
}

/// The most findings one rule keeps for one file, so a pathological file cannot fill memory
/// (the rest are counted in one last finding). Reports show fewer: see
/// [`crate::policy::finding::cap_per_code`], applied after suppressions.
pub(crate) const MAX_FINDINGS_PER_RULE: usize = 10_000;

/// Variables (`ARG`, `ENV`) by name, with their values where known.
pub(crate) type Vars = Vec<(String, Option<String>)>;

/// What a Dockerfile rule works with.
pub(crate) struct Checker<'a> {
    vars: RefCell<HashMap<usize, Rc<Vars>>>,
    pub file: &'a Dockerfile,
    pub model: &'a Model,
    pub cx: &'a FileContext<'a>,
    pub dockerignore: &'a Dockerignore,
    scripts: &'a ScriptIndex,
    rule: Option<(&'static Rule, &'a RuleSetting)>,
    findings: Vec<Finding>,
    /// Findings of the current rule so far, and how many were dropped over the limit.
    reported: usize,
    dropped: usize,
}

impl<'a> Checker<'a> {
    /// A checker over a parsed file.
    pub(crate) fn new(
        file: &'a Dockerfile,
        model: &'a Model,
        cx: &'a FileContext<'a>,
        dockerignore: &'a Dockerignore,
        scripts: &'a ScriptIndex,
    ) -> Self {
        Self {
            vars: RefCell::default(),
            file,
            model,
            cx,
            dockerignore,
            scripts,
            rule: None,
            findings: Vec::new(),
            reported: 0,
            dropped: 0,
        }
    }

    /// Makes `rule` the one that reports next.
    pub(crate) fn start(&mut self, rule: &'static Rule, setting: &'a RuleSetting) {
        self.finish_rule();
        self.rule = Some((rule, setting));
    }

    /// Adds the count of the current rule's dropped findings, if any.
    fn finish_rule(&mut self) {
        if let Some((rule, setting)) = self.rule
            && self.dropped > 0
        {
            let message = format!(
                "{} more findings of `{}` in this file are not shown",
                self.dropped, rule.code
            );
            self.findings.push(Finding::new(
                rule.code,
                setting.severity,
                self.cx.path,
                message,
            ));
        }
        self.reported = 0;
        self.dropped = 0;
    }

    /// The findings reported so far.
    pub(crate) fn into_findings(mut self) -> Vec<Finding> {
        self.finish_rule();
        self.findings
    }

    /// The source text.
    pub(crate) fn source(&self) -> &'a str {
        self.cx.source.text()
    }

    /// The parameters of the rule being run.
    pub(crate) fn params<P: 'static>(&self) -> &'a P {
        let (rule, setting) = self.rule.expect("a rule is started before its check runs");
        setting.params::<P>().unwrap_or_else(|| {
            panic!(
                "rule {} reads parameters of a type other than it declared",
                rule.code
            )
        })
    }

    /// Reports a finding of the rule being run at a source range.
    pub(crate) fn report(
        &mut self,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Reported<'_> {
        let span = self.cx.source.span(range);
        self.push(Some(span), message.into())
    }

    /// Reports a finding about the whole file.
    pub(crate) fn report_file(&mut self, message: impl Into<String>) -> Reported<'_> {
        self.push(None, message.into())
    }

    fn push(
        &mut self,
        span: Option<crate::policy::finding::Span>,
        message: String,
    ) -> Reported<'_> {
        let Some((rule, setting)) = self.rule else {
            return Reported::new(None);
        };
        if self.reported >= MAX_FINDINGS_PER_RULE {
            self.dropped += 1;
            return Reported::new(None);
        }
        self.reported += 1;
        let mut finding = Finding::new(rule.code, setting.severity, self.cx.path, message);
        if let Some(span) = span {
            finding = finding.at(span).with_excerpt(&self.cx.source);
        }
        self.findings.push(finding);
        Reported::new(self.findings.last_mut())
    }

    /// Every instruction with the keyword, ONBUILD triggers excluded.
    pub(crate) fn instructions(
        &self,
        keyword: Keyword,
    ) -> impl Iterator<Item = &'a Instruction> + 'a {
        self.file
            .instructions
            .iter()
            .filter(move |i| i.keyword == keyword)
    }

    /// The scripts of a RUN instruction (none for other instructions).
    pub(crate) fn scripts(&self, instruction: &Instruction) -> &'a [Script] {
        self.scripts.of(instruction)
    }

    /// Every RUN of the given stages (by index) with its scripts.
    pub(crate) fn runs_in(&self, stages: &[usize]) -> Vec<(&'a Instruction, &'a [Script])> {
        let scripts = self.scripts;
        stages
            .iter()
            .filter_map(|&i| self.model.stages.get(i))
            .flat_map(|stage| self.model.body(self.file, stage))
            .filter(|i| i.keyword == Keyword::Run)
            .map(|i| (i, scripts.of(i)))
            .collect()
    }

    /// Every command of every RUN in every stage, with the script it belongs to (for
    /// [`Script::head_range`] and [`Script::source_range`]).
    pub(crate) fn commands(&self) -> Vec<(&'a Script, &'a Command)> {
        self.runs_in(&self.all_stages())
            .into_iter()
            .flat_map(|(_, scripts)| scripts)
            .flat_map(|script| script.commands.iter().map(move |command| (script, command)))
            .collect()
    }

    /// The indices of every stage.
    pub(crate) fn all_stages(&self) -> Vec<usize> {
        (0..self.model.stages.len()).collect()
    }

    /// The indices of the stages that end up in the final image.
    pub(crate) fn final_stages(&self) -> Vec<usize> {
        self.model.final_lineage().iter().map(|s| s.index).collect()
    }

    /// The targets of the RUN's `--mount`s whose content never reaches the layer: `type=cache`
    /// and `type=tmpfs`.
    pub(crate) fn throwaway_mounts(instruction: &Instruction) -> Vec<&str> {
        instruction
            .flags
            .iter()
            .filter(|flag| flag.name == "mount")
            .filter_map(|flag| flag.value.as_deref())
            .filter_map(|value| {
                let options: Vec<&str> = value.split(',').map(str::trim).collect();
                let throwaway = options
                    .iter()
                    .any(|o| matches!(*o, "type=cache" | "type=tmpfs"));
                let target = options.iter().find_map(|o| {
                    o.strip_prefix("target=")
                        .or_else(|| o.strip_prefix("dst="))
                        .or_else(|| o.strip_prefix("destination="))
                });
                target
                    .filter(|_| throwaway)
                    .map(|t| t.trim_matches(|c| c == '"' || c == '\''))
            })
            .collect()
    }

    /// True when the RUN mounts a cache or a tmpfs over `dir` (at `dir` or at a directory
    /// holding it): what the RUN writes there stays out of the layer.
    pub(crate) fn mounts_over(instruction: &Instruction, dir: &str) -> bool {
        Self::throwaway_mounts(instruction)
            .into_iter()
            .any(|target| holds(target, dir))
    }

    /// The base images' names that a user name may come from (normalized references of the
    /// stage and the stages it builds on).
    pub(crate) fn base_images_of(&self, stage_index: usize) -> Vec<String> {
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
    /// ARG defaults first), for substituting variables. Worked out once per stage and file.
    pub(crate) fn stage_vars(&self, stage_index: usize) -> Rc<Vars> {
        if let Some(vars) = self.vars.borrow().get(&stage_index) {
            return Rc::clone(vars);
        }
        let vars = Rc::new(self.compute_stage_vars(stage_index));
        self.vars.borrow_mut().insert(stage_index, Rc::clone(&vars));
        vars
    }

    fn compute_stage_vars(&self, stage_index: usize) -> Vars {
        let mut vars = self.model.global_args.clone();
        let Some(stage) = self.model.stages.get(stage_index) else {
            return vars;
        };
        let mut lineage = self.model.lineage(stage);
        lineage.reverse();
        for stage in lineage {
            for instruction in self.model.body(self.file, stage) {
                let settings = match instruction.keyword {
                    Keyword::Arg | Keyword::Env => instruction.settings(self.source()),
                    _ => continue,
                };
                for setting in settings {
                    let value = match setting.value {
                        Some(value) => Some(value),
                        // `ARG X` re-declares a global ARG with its default.
                        None if instruction.keyword == Keyword::Arg => self
                            .model
                            .global_args
                            .iter()
                            .find(|(n, _)| *n == setting.name)
                            .and_then(|(_, v)| v.clone()),
                        // Not a valid ENV setting: nothing is set.
                        None => continue,
                    };
                    vars.push((setting.name, value));
                }
            }
        }
        vars
    }

    /// The last instruction with a keyword in effect at the end of a stage: the stage's own
    /// last one, else the nearest one of the stages it builds on.
    pub(crate) fn effective(
        &self,
        stage_index: usize,
        keyword: Keyword,
    ) -> Option<(usize, &'a Instruction)> {
        self.last_in_lineage(stage_index, keyword, 0)
    }

    /// The last instruction with a keyword in effect at the start of a stage: the nearest one
    /// of the stages it builds on (its own instructions not counted).
    pub(crate) fn inherited(
        &self,
        stage_index: usize,
        keyword: Keyword,
    ) -> Option<(usize, &'a Instruction)> {
        self.last_in_lineage(stage_index, keyword, 1)
    }

    /// The last instruction with a keyword in the lineage of a stage, nearest stage first,
    /// after skipping `skip` stages (the stage itself is the first).
    fn last_in_lineage(
        &self,
        stage_index: usize,
        keyword: Keyword,
        skip: usize,
    ) -> Option<(usize, &'a Instruction)> {
        let stage = self.model.stages.get(stage_index)?;
        self.model
            .lineage(stage)
            .into_iter()
            .skip(skip)
            .find_map(|stage| {
                self.model
                    .body(self.file, stage)
                    .iter()
                    .rev()
                    .find(|i| i.keyword == keyword)
                    .map(|instruction| (stage.index, instruction))
            })
    }

    /// The `USER` in effect at the end of the final stage, with variables substituted; `None`
    /// when there is no stage, no `USER`, or a `USER` without a value.
    pub(crate) fn final_user(&self) -> Option<FinalUser<'a>> {
        let last = self.model.final_stage()?;
        let (stage, user) = self.effective(last.index, Keyword::User)?;
        let word = user.words.first()?;
        let (value, unresolved) = substitute(&word.value, &self.stage_vars(stage));
        Some(FinalUser {
            stage,
            word,
            value,
            unresolved,
        })
    }
}

/// The user the final image runs as (see [`Checker::final_user`]).
pub(crate) struct FinalUser<'a> {
    /// The stage whose `USER` instruction it is (the final stage or one it builds on).
    pub stage: usize,
    /// The `USER` value as written.
    pub word: &'a Word,
    /// The value with the stage's variables substituted (`user` or `user:group`).
    pub value: String,
    /// True when a variable in it has no known value.
    pub unresolved: bool,
}

/// True when the directory `outer` is `dir` or holds it (`/var/lib/apt` holds
/// `/var/lib/apt/lists`, `/var/lib/aptitude` does not); trailing slashes do not count.
pub(crate) fn holds(outer: &str, dir: &str) -> bool {
    let outer = outer.trim_end_matches('/');
    let dir = dir.trim_end_matches('/');
    dir == outer
        || dir
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('/'))
}
