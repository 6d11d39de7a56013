//! `AG-D017`: pip install keeps no download cache.

use crate::policy::dockerfile::ast::Instruction;
use crate::policy::dockerfile::checker::{Checker, Vars};
use crate::policy::dockerfile::shell::{Command, ShellWord};
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that `pip install` (also `pip3`, `pip3.13`, `python -m pip`) runs with
    /// `--no-cache-dir`, unless pip's cache is off otherwise:
    /// - `PIP_NO_CACHE_DIR` is set by `ENV` or `ARG` in the stage, exported earlier in the same
    ///   `RUN` (`export PIP_NO_CACHE_DIR=1 && pip install ...`) or set on the command
    ///   (`PIP_NO_CACHE_DIR=1 pip install ...`). pip takes any boolean it knows as "no cache",
    ///   `0`, `false` and `off` included (it has done so since pip 19 for backward
    ///   compatibility; checked with pip 23.2 and 26.3): those pass. An empty value is ignored
    ///   by pip and does not pass; any other value makes pip stop with "invalid truth value",
    ///   which is reported as such.
    /// - The `RUN` mounts a cache or a tmpfs (`--mount=type=cache` or `--mount=type=tmpfs`)
    ///   over pip's cache: `/root/.cache/pip` or a directory holding it, another user's
    ///   `~/.cache/pip`, or the stage's `PIP_CACHE_DIR`.
    ///
    /// `pipx install` and `pipenv install` are other tools with caches of their own and are not
    /// checked.
    ///
    /// ## Why is this bad?
    /// pip keeps every downloaded wheel in `~/.cache/pip`; in an image that cache is dead
    /// weight, often larger than the installed packages.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// # or
    /// ENV PIP_NO_CACHE_DIR=1
    /// RUN pip install -r requirements.txt
    /// # or, with BuildKit, keep the cache between builds and out of the image:
    /// RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3042`, which takes only true values of `PIP_NO_CACHE_DIR` (and so reports
    /// `PIP_NO_CACHE_DIR=off`, with which pip keeps no cache) and does not count tmpfs mounts.
    pub(crate) const RULE = {
        code: "AG-D017",
        name: "pip-no-cache-dir",
        target: Dockerfile,
        severity: Warning,
        summary: "`pip install` uses `--no-cache-dir`",
        aliases: [Hadolint("DL3042")],
        params: NoParams,
    };
}

/// The variable that turns pip's cache off.
const NO_CACHE_DIR: &str = "PIP_NO_CACHE_DIR";

/// True for the programs that are pip itself: `pip`, `pip3`, `pip3.13` (not `pipx` or
/// `pipenv`, which are other tools).
fn is_pip(program: &str) -> bool {
    program
        .strip_prefix("pip")
        .is_some_and(|version| version.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// True for `pip install`, `pip3.13 install` and `python -m pip install`.
fn is_pip_install(command: &Command) -> bool {
    let Some(program) = command.program() else {
        return false;
    };
    let args = command.args();
    if is_pip(program) {
        return command.subcommand().is_some_and(|w| w.value == "install");
    }
    program.starts_with("python")
        && args.len() >= 3
        && args[0].value == "-m"
        && args[1].value == "pip"
        && args[2].value == "install"
}

/// What a value of `PIP_NO_CACHE_DIR` does to pip. pip reads any boolean it knows (`1`,
/// `true`, `on`, `yes`, `0`, `false`, `off`, `no`, ...) as "no cache", false values included
/// (kept that way for backward compatibility, see `_handle_no_cache_dir` in pip's
/// `cmdoptions.py`); it ignores an empty value and stops with "invalid truth value" on any
/// other.
#[derive(Debug, Clone, PartialEq, Eq)]
enum NoCacheDir {
    /// The cache is off (or the value is not known here: a variable).
    Off,
    /// The variable is unset or empty: pip keeps its cache.
    Unset,
    /// pip refuses the value.
    Rejected(String),
}

impl NoCacheDir {
    fn of(value: Option<&str>) -> Self {
        const BOOLEANS: [&str; 12] = [
            "y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0",
        ];
        match value {
            None => Self::Off,
            Some("") => Self::Unset,
            Some(v) if v.contains('$') || BOOLEANS.contains(&v.to_ascii_lowercase().as_str()) => {
                Self::Off
            }
            Some(v) => Self::Rejected(v.to_string()),
        }
    }
}

/// The value the last `NAME=value` among `words` gives to `name`.
fn assigned<'w>(words: &'w [ShellWord], name: &str) -> Option<&'w str> {
    words.iter().rev().find_map(|w| {
        w.value
            .split_once('=')
            .filter(|(key, _)| *key == name)
            .map(|(_, value)| value)
    })
}

/// The value a command is run with for `name`: `NAME=value` before its program or after
/// `env`.
fn inline_value<'c>(command: &'c Command, name: &str) -> Option<&'c str> {
    let program_at = command.words.len() - command.effective_words().len();
    assigned(&command.words[..program_at], name)
}

/// True when the RUN mounts a cache or a tmpfs over pip's cache: `/root/.cache/pip`, another
/// user's `~/.cache/pip` (or `~/.cache`), or the stage's `PIP_CACHE_DIR`.
fn pip_cache_mounted(instruction: &Instruction, vars: &Vars) -> bool {
    let cache_dir = vars
        .iter()
        .rev()
        .find(|(name, _)| name == "PIP_CACHE_DIR")
        .and_then(|(_, value)| value.as_deref());
    Checker::mounts_over(instruction, "/root/.cache/pip")
        || cache_dir.is_some_and(|dir| Checker::mounts_over(instruction, dir))
        || Checker::throwaway_mounts(instruction).iter().any(|target| {
            let target = target.trim_end_matches('/');
            target.ends_with("/.cache/pip") || target.ends_with("/.cache")
        })
}

/// Checks every pip install.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for stage in checker.all_stages() {
        let vars = checker.stage_vars(stage);
        let in_stage = vars
            .iter()
            .rev()
            .find(|(name, _)| name == NO_CACHE_DIR)
            .map(|(_, value)| NoCacheDir::of(value.as_deref()))
            .unwrap_or(NoCacheDir::Unset);
        for (instruction, scripts) in checker.runs_in(&[stage]) {
            if pip_cache_mounted(instruction, &vars) {
                continue;
            }
            for script in scripts {
                let mut exported = in_stage.clone();
                for command in &script.commands {
                    match command.program() {
                        Some("export") => {
                            if let Some(value) = assigned(command.args(), NO_CACHE_DIR) {
                                exported = NoCacheDir::of(Some(value));
                            }
                            continue;
                        }
                        Some("unset") if command.has_arg(NO_CACHE_DIR) => {
                            exported = NoCacheDir::Unset;
                            continue;
                        }
                        _ if !is_pip_install(command) => continue,
                        _ => {}
                    }
                    let setting = inline_value(command, NO_CACHE_DIR)
                        .map_or_else(|| exported.clone(), |v| NoCacheDir::of(Some(v)));
                    if setting == NoCacheDir::Off || command.has_option("--no-cache-dir", None) {
                        continue;
                    }
                    let words = command.effective_words();
                    let end = words
                        .iter()
                        .find(|w| w.value == "install")
                        .map_or(words[0].range.end, |w| w.range.end);
                    let range = script.source_range(words[0].range.start..end);
                    match setting {
                        NoCacheDir::Rejected(value) => checker
                            .report(
                                range,
                                format!(
                                    "pip rejects `{NO_CACHE_DIR}={value}` (\"invalid truth \
                                     value\"): `pip install` stops"
                                ),
                            )
                            .help(format!("set `{NO_CACHE_DIR}=1`, or pass `--no-cache-dir`")),
                        _ => checker
                            .report(range, "`pip install` without `--no-cache-dir`")
                            .help(
                                "add `--no-cache-dir`, or set `ENV PIP_NO_CACHE_DIR=1` in the stage",
                            ),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn pip_keeps_no_cache() {
        catches(
            "AG-D017",
            "FROM python:3\nRUN pip install -r r.txt && python -m pip install x\n",
            &[(2, 5), (2, 29)],
        );
        passes(
            "AG-D017",
            "FROM python:3\nRUN pip install --no-cache-dir -r r.txt\n",
        );
        passes(
            "AG-D017",
            "FROM python:3\nENV PIP_NO_CACHE_DIR=1\nRUN pip install x\n",
        );
        passes(
            "AG-D017",
            "FROM python:3\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n",
        );
    }

    #[test]
    fn pip_no_cache_dir_counts_as_pip_reads_it() {
        for value in ["1", "true", "On", "0", "false", "off", "no"] {
            passes(
                "AG-D017",
                &format!("FROM python:3\nENV PIP_NO_CACHE_DIR={value}\nRUN pip install x\n"),
            );
        }
        passes(
            "AG-D017",
            "FROM python:3\nRUN PIP_NO_CACHE_DIR=1 pip install x && env PIP_NO_CACHE_DIR=1 pip3 install y\n\
             RUN export PIP_NO_CACHE_DIR=1; pip install x\n\
             RUN pipx install black && pipenv install\n",
        );
        catches(
            "AG-D017",
            "FROM python:3\nENV PIP_NO_CACHE_DIR=\nRUN pip install x\n\
             RUN PIP_NO_CACHE_DIR=maybe pip install x\n\
             RUN export PIP_NO_CACHE_DIR=1 && unset PIP_NO_CACHE_DIR && pip install x\n",
            &[(3, 5), (4, 28), (5, 60)],
        );
    }

    #[test]
    fn a_cache_or_tmpfs_mount_over_the_cache_passes() {
        passes(
            "AG-D017",
            "FROM python:3\nRUN --mount=type=tmpfs,target=/root/.cache pip install x\n\
             RUN --mount=type=cache,target=/home/app/.cache/pip pip install x\n\
             ENV PIP_CACHE_DIR=/pip\nRUN --mount=type=cache,target=/pip pip install x\n",
        );
        catches(
            "AG-D017",
            "FROM python:3\nRUN --mount=type=bind,target=/root/.cache/pip pip install x\n",
            &[(2, 47)],
        );
    }
}
