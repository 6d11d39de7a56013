//! Where a provider reports progress while it works: text as it streams in, retries, warnings.
//!
//! The caller passes a [`Sink`] to [`Provider::complete`](super::Provider::complete). Any
//! `FnMut(Event)` closure is a sink; [`TerminalSink`] is the one the CLI uses: a spinner until the
//! first token, then the text as it arrives, all on stderr so stdout stays for data.

use std::io::Write;
use std::time::Duration;

use indicatif::ProgressBar;

use crate::printer::{Printer, Verbosity};

/// Something a provider reports while a request runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// A piece of the answer, in order. Pieces joined are the response text.
    Text(&'a str),
    /// The request failed in a way worth retrying; the provider waits `wait`, then makes attempt
    /// `attempt` (2 for the first retry) of at most `max_attempts`.
    Retry {
        attempt: u32,
        max_attempts: u32,
        wait: Duration,
        reason: &'a str,
    },
    /// Something the user should know that does not stop the request (an ignored option, output
    /// cut at the cap).
    Warning(&'a str),
}

/// Receives [`Event`]s. Implemented for every `FnMut(Event)` closure.
pub trait Sink {
    /// Called for each event, on the task running the request.
    fn event(&mut self, event: Event<'_>);
}

impl<F: FnMut(Event<'_>)> Sink for F {
    fn event(&mut self, event: Event<'_>) {
        self(event)
    }
}

/// A sink that drops every event, for callers that only want the [`Response`](super::Response).
#[derive(Debug, Default, Clone, Copy)]
pub struct Discard;

impl Sink for Discard {
    fn event(&mut self, _event: Event<'_>) {}
}

/// The CLI's sink: a spinner on stderr until the first piece of text, then the text itself,
/// streamed to stderr as it arrives. Retries and warnings become `warning:` lines. In quiet mode
/// it shows nothing.
#[derive(Debug)]
pub struct TerminalSink {
    printer: Printer,
    spinner: Option<ProgressBar>,
    streamed: bool,
}

impl TerminalSink {
    /// A sink that shows `message` on a spinner (when the printer allows one) until text arrives.
    /// Pass `json = true` when stdout carries JSON, which turns the spinner off.
    pub(crate) fn new(printer: &Printer, message: impl Into<String>, json: bool) -> Self {
        Self {
            spinner: printer.spinner(message, json),
            printer: printer.clone(),
            streamed: false,
        }
    }

    /// Stops the spinner and ends the streamed text with a newline, if any was shown. Call it
    /// when the request is over, whatever its outcome.
    pub(crate) fn finish(&mut self) {
        self.stop_spinner();
        if self.streamed {
            eprintln!();
            self.streamed = false;
        }
    }

    fn stop_spinner(&mut self) {
        if let Some(spinner) = self.spinner.take() {
            spinner.finish_and_clear();
        }
    }

    fn show(&self) -> bool {
        self.printer.verbosity() >= Verbosity::Normal
    }
}

impl Sink for TerminalSink {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Text(text) => {
                self.stop_spinner();
                if self.show() && !text.is_empty() {
                    let mut stderr = std::io::stderr().lock();
                    // Progress output: a closed stderr must not fail the request.
                    let _ = stderr
                        .write_all(text.as_bytes())
                        .and_then(|()| stderr.flush());
                    self.streamed = !text.ends_with('\n');
                }
            }
            Event::Retry {
                attempt,
                max_attempts,
                wait,
                reason,
            } => {
                let line = format!(
                    "{reason}; retrying in {:.1} s (attempt {attempt} of {max_attempts})",
                    wait.as_secs_f64()
                );
                self.print_above_spinner(&line);
            }
            Event::Warning(text) => self.print_above_spinner(text),
        }
    }
}

impl TerminalSink {
    fn print_above_spinner(&mut self, line: &str) {
        if self.streamed {
            eprintln!();
            self.streamed = false;
        }
        match &self.spinner {
            Some(spinner) => spinner.suspend(|| self.printer.warn(line)),
            None => self.printer.warn(line),
        }
    }
}

impl Drop for TerminalSink {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closures_are_sinks() {
        let mut seen = String::new();
        let mut sink = |event: Event<'_>| {
            if let Event::Text(text) = event {
                seen.push_str(text);
            }
        };
        sink.event(Event::Text("a"));
        sink.event(Event::Warning("w"));
        sink.event(Event::Text("b"));
        assert_eq!(seen, "ab");
    }
}
