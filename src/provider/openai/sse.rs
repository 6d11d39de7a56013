//! A server-sent events decoder: bytes in as they arrive, whole events out.
//!
//! Only what chat completion streams use: `data:` lines (joined with `\n` when an event has
//! several), `event:` names, `:` comments, and a blank line ending each event. Lines end in `\n`
//! or `\r\n`. Bytes are buffered until a line is complete, so a chunk boundary inside a line or
//! inside a multi-byte character is harmless.

/// One event of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The `event:` field, empty when the event had none.
    pub name: String,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
}

/// Decodes a byte stream into events.
#[derive(Debug, Default)]
pub(crate) struct SseDecoder {
    buffer: Vec<u8>,
    name: String,
    data: Option<String>,
}

/// A line of the stream was not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NotUtf8 {
    /// The offending line, decoded lossily, for the error message.
    pub line: String,
}

impl SseDecoder {
    /// A decoder at the start of a stream.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes; returns the events they complete, in order.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, NotUtf8> {
        self.buffer.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut consumed = 0;
        while let Some(end) = self.buffer[consumed..].iter().position(|&b| b == b'\n') {
            let line_end = consumed + end;
            let mut line = &self.buffer[consumed..line_end];
            if let Some(stripped) = line.strip_suffix(b"\r") {
                line = stripped;
            }
            let line = match std::str::from_utf8(line) {
                Ok(line) => line.to_string(),
                Err(_) => {
                    return Err(NotUtf8 {
                        line: String::from_utf8_lossy(line).into_owned(),
                    });
                }
            };
            consumed = line_end + 1;
            if let Some(event) = self.line(&line) {
                events.push(event);
            }
        }
        self.buffer.drain(..consumed);
        Ok(events)
    }

    /// Ends the stream: an event whose closing blank line never came is still returned, since
    /// some servers close the connection right after their last `data:` line.
    pub(crate) fn finish(&mut self) -> Result<Option<SseEvent>, NotUtf8> {
        // `push` consumed every complete line: what is left is one line without its end.
        let rest = std::mem::take(&mut self.buffer);
        let line = std::str::from_utf8(&rest).map_err(|_| NotUtf8 {
            line: String::from_utf8_lossy(&rest).into_owned(),
        })?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !line.is_empty() {
            self.line(line);
        }
        Ok(self.dispatch())
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            },
            "event" => self.name = value.to_string(),
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let name = std::mem::take(&mut self.name);
        self.data.take().map(|data| SseEvent { name, data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(events: &[SseEvent]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn events_split_anywhere_come_out_whole() {
        let stream =
            "data: {\"a\":1}\n\n: keep-alive\n\ndata: {\"b\":\"é\"}\r\n\r\ndata: [DONE]\n\n";
        let bytes = stream.as_bytes();
        for split in 0..bytes.len() {
            let mut decoder = SseDecoder::new();
            let mut events = decoder.push(&bytes[..split]).unwrap();
            events.extend(decoder.push(&bytes[split..]).unwrap());
            assert_eq!(
                data(&events),
                ["{\"a\":1}", "{\"b\":\"é\"}", "[DONE]"],
                "split at {split}"
            );
            assert_eq!(decoder.finish().unwrap(), None);
        }
    }

    #[test]
    fn multi_line_data_and_event_names() {
        let mut decoder = SseDecoder::new();
        let events = decoder
            .push(b"event: error\ndata: line one\ndata:line two\n\n")
            .unwrap();
        assert_eq!(
            events,
            [SseEvent {
                name: "error".into(),
                data: "line one\nline two".into()
            }]
        );
    }

    #[test]
    fn an_unterminated_last_event_is_kept_at_the_end() {
        let mut decoder = SseDecoder::new();
        assert!(decoder.push(b"data: [DONE]").unwrap().is_empty());
        assert_eq!(decoder.finish().unwrap().unwrap().data, "[DONE]");
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let mut decoder = SseDecoder::new();
        assert!(decoder.push(b"data: \xff\xfe\n").is_err());
    }
}
