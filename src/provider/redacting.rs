//! A [`Sink`] that redacts streamed text before passing it on, so a secret a model or tool
//! echoes never reaches the terminal. How text arriving in pieces is redacted is
//! [`StreamRedactor`]'s business; this adapter feeds it the text events, and redacts the text of
//! warnings and retry notices (which may quote a server) on their own.

use super::sink::{Event, Sink};
use crate::secrets::{Redactor, StreamRedactor};

/// Redacts text events before handing them to `inner`.
pub(crate) struct RedactingSink<'a> {
    inner: &'a mut (dyn Sink + Send),
    redactor: &'a Redactor,
    stream: StreamRedactor<'a>,
}

impl<'a> RedactingSink<'a> {
    pub(crate) fn new(inner: &'a mut (dyn Sink + Send), redactor: &'a Redactor) -> Self {
        Self {
            inner,
            redactor,
            stream: StreamRedactor::new(redactor),
        }
    }

    /// Passes on what is still held back, redacted. Call it when the request is over.
    pub(crate) fn flush(&mut self) {
        let rest = self.stream.finish();
        if !rest.is_empty() {
            self.inner.event(Event::Text(&rest));
        }
    }
}

impl Sink for RedactingSink<'_> {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Text(text) => {
                let ready = self.stream.push(text);
                if !ready.is_empty() {
                    self.inner.event(Event::Text(&ready));
                }
            }
            Event::Warning(text) => self
                .inner
                .event(Event::Warning(&self.redactor.redact(text))),
            Event::Retry {
                attempt,
                max_attempts,
                wait,
                reason,
            } => self.inner.event(Event::Retry {
                attempt,
                max_attempts,
                wait,
                reason: &self.redactor.redact(reason),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_events_are_redacted_and_others_pass() {
        let redactor = Redactor::builtin();
        let mut texts = String::new();
        let mut others = 0;
        {
            let mut collect = |event: Event<'_>| match event {
                Event::Text(t) => texts.push_str(t),
                _ => others += 1,
            };
            let mut sink = RedactingSink::new(&mut collect, &redactor);
            sink.event(Event::Text("DB_PASSWORD=Zx9q8Lm2"));
            sink.event(Event::Warning("output cut at the cap"));
            sink.event(Event::Text("Rt7v\nok"));
            sink.flush();
        }
        assert_eq!(texts, "DB_PASSWORD=[REDACTED:secret-assignment]\nok");
        assert_eq!(others, 1);
    }
}
