//! All terminal output goes through a [`Printer`].
//!
//! Data (what a command was asked for: a report, JSON) goes to stdout and is never suppressed;
//! status lines, warnings and progress go to stderr and follow `--quiet` / `--verbose`. Colour
//! follows `--color` and `NO_COLOR`; spinners appear only on a terminal, never in quiet or verbose
//! mode, never in JSON mode and never in tests (where stderr is a pipe).

use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use console::Style;
use indicatif::{ProgressBar, ProgressStyle};

use crate::env_vars;
use crate::error::{Error, Result};

/// How much aigen says on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// Status lines and warnings.
    Normal,
    /// Also details of what is being done.
    Verbose,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream, given whether it is a terminal and whether `NO_COLOR` is set.
    pub(crate) fn enabled(self, is_terminal: bool, no_color: bool) -> bool {
        match self {
            Self::Always => true,
            Self::Never => false,
            Self::Auto => is_terminal && !no_color,
        }
    }
}

/// The kinds of emphasis aigen uses; each maps to one style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Error,
    Warning,
    Success,
    Info,
    Emphasis,
    Dim,
}

impl Tone {
    fn style(self) -> Style {
        match self {
            Self::Error => Style::new().red().bold(),
            Self::Warning => Style::new().yellow().bold(),
            Self::Success => Style::new().green(),
            Self::Info => Style::new().cyan(),
            Self::Emphasis => Style::new().bold(),
            Self::Dim => Style::new().dim(),
        }
    }
}

/// Writes everything aigen shows.
#[derive(Debug, Clone)]
pub struct Printer {
    verbosity: Verbosity,
    stdout_color: bool,
    stderr_color: bool,
    stderr_terminal: bool,
}

impl Printer {
    /// A printer for the real terminal.
    pub fn new(verbosity: Verbosity, color: ColorChoice) -> Self {
        let no_color = std::env::var_os(env_vars::NO_COLOR).is_some_and(|v| !v.is_empty());
        let stderr_terminal = io::stderr().is_terminal();
        Self {
            verbosity,
            stdout_color: color.enabled(io::stdout().is_terminal(), no_color),
            stderr_color: color.enabled(stderr_terminal, no_color),
            stderr_terminal,
        }
    }

    /// The verbosity chosen on the command line.
    pub(crate) fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    /// Whether text written to stdout may carry colour.
    pub(crate) fn stdout_color(&self) -> bool {
        self.stdout_color
    }

    /// `text` in the given tone, for stdout.
    pub(crate) fn paint(&self, tone: Tone, text: impl Display) -> String {
        paint(self.stdout_color, tone, text)
    }

    /// `text` in the given tone, for stderr.
    pub(crate) fn paint_err(&self, tone: Tone, text: impl Display) -> String {
        paint(self.stderr_color, tone, text)
    }

    /// Writes data to stdout. A closed pipe is reported as an I/O error that
    /// [`Error::is_broken_pipe`] recognises.
    pub(crate) fn out(&self, text: impl Display) -> Result<()> {
        let mut stdout = io::stdout().lock();
        writeln!(stdout, "{text}")
            .and_then(|()| stdout.flush())
            .map_err(|e| Error::io("write", "<stdout>", e))
    }

    /// Writes `value` to stdout as pretty-printed JSON (the `--format json` of every command).
    /// The document is written as it is encoded, never held whole: a lint report on a large tree
    /// is megabytes.
    pub(crate) fn out_json(&self, value: &impl serde::Serialize) -> Result<()> {
        let mut stdout = io::BufWriter::new(io::stdout().lock());
        serde_json::to_writer_pretty(&mut stdout, value)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(stdout))
            .and_then(|()| stdout.flush())
            .map_err(|e| Error::io("write", "<stdout>", e))
    }

    /// Writes data to stdout without a trailing newline (for streamed text).
    pub(crate) fn out_raw(&self, text: &str) -> Result<()> {
        let mut stdout = io::stdout().lock();
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| Error::io("write", "<stdout>", e))
    }

    /// A status line on stderr, unless quiet.
    pub(crate) fn status(&self, text: impl Display) {
        if self.verbosity >= Verbosity::Normal {
            eprintln!("{text}");
        }
    }

    /// A detail on stderr, only when verbose.
    pub(crate) fn verbose(&self, text: impl Display) {
        if self.verbosity >= Verbosity::Verbose {
            eprintln!("{}", self.paint_err(Tone::Dim, text));
        }
    }

    /// `warning: ...` on stderr, unless quiet.
    pub(crate) fn warn(&self, text: impl Display) {
        if self.verbosity >= Verbosity::Normal {
            eprintln!("{}: {text}", self.paint_err(Tone::Warning, "warning"));
        }
    }

    /// `error: ...` on stderr, with the hint when there is one. Always shown.
    pub(crate) fn error(&self, error: &Error) {
        eprint!("{}", error_text(error, self.stderr_color));
    }

    /// A spinner on stderr while something slow runs, or `None` where one would be noise:
    /// not a terminal, quiet or verbose mode, or the caller prints JSON.
    pub(crate) fn spinner(&self, message: impl Into<String>, json: bool) -> Option<ProgressBar> {
        if !self.stderr_terminal || json || self.verbosity != Verbosity::Normal {
            return None;
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            bar.set_style(style);
        }
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(100));
        Some(bar)
    }
}

/// An error as aigen prints it: `error: ...` and, on the next line, `  hint: ...` when there is
/// one; coloured when `color`. The MCP server's tool errors carry the same text.
pub(crate) fn error_text(error: &Error, color: bool) -> String {
    let mut text = format!("{}: {error}\n", paint(color, Tone::Error, "error"));
    if let Some(hint) = error.hint() {
        text.push_str(&format!("  {}: {hint}\n", paint(color, Tone::Info, "hint")));
    }
    text
}

fn paint(enabled: bool, tone: Tone, text: impl Display) -> String {
    tone.style()
        .force_styling(enabled)
        .apply_to(text.to_string())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_colour_needs_a_terminal_and_no_no_color() {
        assert!(ColorChoice::Auto.enabled(true, false));
        assert!(!ColorChoice::Auto.enabled(true, true));
        assert!(!ColorChoice::Auto.enabled(false, false));
        assert!(ColorChoice::Always.enabled(false, true));
        assert!(!ColorChoice::Never.enabled(true, false));
    }

    #[test]
    fn painting_without_colour_leaves_text_alone() {
        assert_eq!(paint(false, Tone::Error, "x"), "x");
        assert_ne!(paint(true, Tone::Error, "x"), "x");
    }
}
