//! Kubernetes Secrets: the values under `data` (base64) and `stringData` are secrets whatever
//! their keys are called. They are replaced wherever a Secret appears in free text (a prompt, a
//! response, a staged manifest: [`text`]) and in the objects diffed before a cluster apply
//! ([`diff`]), where a change still shows without either value.

pub mod diff;
pub(crate) mod text;

use base64::Engine;

pub(crate) use text::redact_secret_data;

/// Decodes standard base64 (as Secret `data` is written), ignoring line breaks; `None` when it is
/// not base64 or not UTF-8 text.
pub(crate) fn decode_base64(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::decode_base64;

    #[test]
    fn base64_decodes_secret_data() {
        assert_eq!(decode_base64("Y2hhbmdlbWU=").as_deref(), Some("changeme"));
        assert_eq!(
            decode_base64("aGVsbG8g\nd29ybGQ=").as_deref(),
            Some("hello world")
        );
        assert_eq!(decode_base64("YQ==").as_deref(), Some("a"));
        assert_eq!(decode_base64("not base64!"), None);
        assert_eq!(decode_base64("YQ==YQ"), None);
    }
}
