//! Redacting text that arrives in pieces (a model's streamed answer, a tool's output), so it can
//! be shown as it comes without a secret reaching the screen.
//!
//! A piece may end in the middle of a secret, and a secret may be recognised only by lines
//! before it (`password: |` and the lines under it, `kind: Secret` and its `data:`, `- name:
//! DB_PASSWORD` and the `value:` on the next line). So text is released a whole line at a time,
//! and each release is redacted together with the lines of the same document released before it
//! (back to the last `---` or code fence, at most [`WINDOW`] bytes): what is shown is the part of
//! the redacted document that was not shown yet. A value a rule finds is remembered by the
//! [`Redactor`] and masked in every later line. What a later line reveals about an earlier one
//! (a value first echoed bare, then given with its name) cannot be taken back from the screen; the
//! record, written when the answer is complete, is redacted whole.

use super::redactor::Redactor;

/// The most bytes of earlier lines redacted again with each new line.
pub(crate) const WINDOW: usize = 64 * 1024;

/// Redacts text that arrives in pieces.
pub(crate) struct StreamRedactor<'a> {
    redactor: &'a Redactor,
    /// The raw text released so far in the current document.
    window: String,
    /// What the redactor made of `window`.
    shown: String,
    /// Raw text not released yet: the end of a line.
    pending: String,
}

impl<'a> StreamRedactor<'a> {
    pub(crate) fn new(redactor: &'a Redactor) -> Self {
        Self {
            redactor,
            window: String::new(),
            shown: String::new(),
            pending: String::new(),
        }
    }

    /// Takes a piece; returns the redacted text that can be shown now (whole lines), possibly
    /// empty.
    pub(crate) fn push(&mut self, piece: &str) -> String {
        self.pending.push_str(piece);
        match self.pending.rfind('\n') {
            Some(last) => {
                let ready: String = self.pending.drain(..=last).collect();
                self.release(&ready)
            }
            None => String::new(),
        }
    }

    /// The rest, redacted: call it when the text is over.
    pub(crate) fn finish(&mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        let out = if rest.is_empty() {
            String::new()
        } else {
            self.release(&rest)
        };
        self.window.clear();
        self.shown.clear();
        out
    }

    fn release(&mut self, raw: &str) -> String {
        let mut out = String::new();
        // Line by line, so a document boundary inside `raw` starts a new window.
        for line in raw.split_inclusive('\n') {
            self.window.push_str(line);
            let redacted = self.redactor.redact_string(&self.window);
            match redacted.strip_prefix(self.shown.as_str()) {
                Some(new) => out.push_str(new),
                // The new line changed how earlier lines read: they are on screen already, so
                // the new line is shown redacted on its own.
                None => out.push_str(&self.redactor.redact(line)),
            }
            self.shown = redacted;
            if is_boundary(line) || self.window.len() > WINDOW {
                self.window.clear();
                self.shown.clear();
            }
        }
        out
    }
}

/// `---` and code fences: where one document ends and the next begins.
fn is_boundary(line: &str) -> bool {
    let t = line.trim();
    t == "---" || t.starts_with("```") || t.starts_with("~~~")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pieces: &[&str]) -> String {
        let redactor = Redactor::builtin();
        let mut stream = StreamRedactor::new(&redactor);
        let mut out: String = pieces.iter().map(|p| stream.push(p)).collect();
        out.push_str(&stream.finish());
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
    fn pem_blocks_are_masked_as_they_come() {
        let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
        let out = run(&[
            "key:\n-----BEGIN PRIVATE KEY-----\n",
            body,
            "\n",
            body,
            "\n-----END PRIVATE KEY-----\ndone\n",
        ]);
        assert!(!out.contains(body), "{out}");
        assert!(
            out.starts_with("key:\n") && out.ends_with("done\n"),
            "{out}"
        );
    }

    #[test]
    fn lines_that_are_secrets_because_of_earlier_lines_are_masked() {
        let out = run(&[
            "```yaml\napiVersion: v1\n",
            "kind: Secret\n",
            "data:\n",
            "  password: aHVudGVyMi1pcy1sb25n\n",
            "```\n",
            "- name: DB_PASSWORD\n",
            "  value: s3cr3t-value\n",
            "tls_key: |\n",
            "  Zx9q8Lm2Rt7vW3kP\n",
            "  Ab1Cd2Ef3Gh4Ij5K\n",
            "next: 1\n",
        ]);
        for secret in [
            "aHVudGVyMi1pcy1sb25n",
            "s3cr3t-value",
            "Zx9q8Lm2Rt7vW3kP",
            "Ab1Cd2Ef3Gh4Ij5K",
        ] {
            assert!(!out.contains(secret), "{secret}: {out}");
        }
        assert!(out.contains("kind: Secret\ndata:\n"), "{out}");
        assert!(out.ends_with("next: 1\n"), "{out}");
    }

    #[test]
    fn a_value_seen_earlier_is_masked_when_it_comes_back() {
        let redactor = Redactor::builtin();
        redactor.learn("token: Zx9q8Lm2Rt7vW3kP");
        let mut stream = StreamRedactor::new(&redactor);
        let mut out = stream.push("ok, I used Zx9q8L");
        out.push_str(&stream.push("m2Rt7vW3kP\n"));
        out.push_str(&stream.finish());
        assert_eq!(out, "ok, I used [REDACTED:secret-assignment]\n");
    }
}
