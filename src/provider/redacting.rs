//! A [`Sink`] that redacts streamed text before passing it on, so a secret a model or tool
//! echoes never reaches the terminal.
//!
//! Text is passed on a line at a time, each line redacted whole. A PEM block (`-----BEGIN ...`
//! to `-----END ...`) is held back until it ends and redacted as one piece, since no single line
//! of it looks like a secret. Whatever is left when the request ends goes out in
//! [`RedactingSink::flush`].

use super::sink::{Event, Sink};
use crate::phr::Redactor;

/// Redacts text events line by line before handing them to `inner`.
pub struct RedactingSink<'a> {
    inner: &'a mut (dyn Sink + Send),
    redactor: &'a Redactor,
    pending: String,
}

impl<'a> RedactingSink<'a> {
    pub fn new(inner: &'a mut (dyn Sink + Send), redactor: &'a Redactor) -> Self {
        Self {
            inner,
            redactor,
            pending: String::new(),
        }
    }

    /// Passes on what is still held back, redacted. Call it when the request is over.
    pub fn flush(&mut self) {
        if !self.pending.is_empty() {
            let text = std::mem::take(&mut self.pending);
            let redacted = self.redactor.redact_string(&text);
            self.inner.event(Event::Text(&redacted));
        }
    }

    /// The end of the text that can be passed on now: complete lines, but not an open PEM block.
    fn releasable(&self) -> usize {
        let Some(last_newline) = self.pending.rfind('\n') else {
            return 0;
        };
        let complete = &self.pending[..=last_newline];
        match (complete.rfind("-----BEGIN "), complete.rfind("-----END ")) {
            (Some(begin), end) if end.is_none_or(|end| end < begin) => {
                complete[..begin].rfind('\n').map_or(0, |i| i + 1)
            }
            _ => last_newline + 1,
        }
    }
}

impl Sink for RedactingSink<'_> {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Text(text) => {
                self.pending.push_str(text);
                let end = self.releasable();
                if end > 0 {
                    let ready: String = self.pending.drain(..end).collect();
                    let redacted = self.redactor.redact_string(&ready);
                    self.inner.event(Event::Text(&redacted));
                }
            }
            other => self.inner.event(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pieces: &[&str]) -> String {
        let mut out = String::new();
        let redactor = Redactor::builtin();
        {
            let mut collect = |event: Event<'_>| {
                if let Event::Text(t) = event {
                    out.push_str(t);
                }
            };
            let mut sink = RedactingSink::new(&mut collect, &redactor);
            for piece in pieces {
                sink.event(Event::Text(piece));
            }
            sink.flush();
        }
        out
    }

    #[test]
    fn a_key_split_across_pieces_is_redacted_whole() {
        let out = run(&[
            "export OPENAI_API_KEY=sk-proj-",
            "abcdefghijklmnop",
            "qrstuvwx1234\nok\n",
        ]);
        assert!(!out.contains("abcdefghijklmnop"), "{out}");
        assert!(out.ends_with("ok\n"));
    }

    #[test]
    fn pem_blocks_are_held_until_they_end() {
        let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
        let out = run(&[
            "key:\n-----BEGIN PRIVATE KEY-----\n",
            body,
            "\n-----END PRIVATE KEY-----\ndone\n",
        ]);
        assert!(!out.contains(body), "{out}");
        assert!(
            out.starts_with("key:\n") && out.ends_with("done\n"),
            "{out}"
        );
    }
}
