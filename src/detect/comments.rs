//! Blanking out comments, so that a route, a variable or `output: 'standalone'` mentioned in a
//! comment is not taken for code.
//!
//! [`blank`] replaces every byte of every comment with a space and keeps newlines, so byte
//! offsets and line numbers in the result are those of the original text. The lexers are small:
//! they know strings well enough not to take `"http://x"` or `"#fff"` for a comment, and no more.

/// How a language writes comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Syntax {
    /// `//` and `/* */`, strings in `"`, `'` and `` ` `` (JavaScript, Go, Rust, Java, Gradle).
    CLike,
    /// `#` to the end of the line, strings in quotes and triple quotes (Python).
    Python,
    /// `#` at the start of a line or after a space (YAML, properties).
    Config,
    /// `<!-- -->` (XML).
    Xml,
}

/// `text` with its comments replaced by spaces.
pub(super) fn blank(text: &str, syntax: Syntax) -> String {
    let mut out = text.as_bytes().to_vec();
    match syntax {
        Syntax::CLike => c_like(text.as_bytes(), &mut out),
        Syntax::Python => python(text.as_bytes(), &mut out),
        Syntax::Config => config(text.as_bytes(), &mut out),
        Syntax::Xml => xml(text.as_bytes(), &mut out),
    }
    // Only whole characters inside comments were replaced, by ASCII spaces.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Blanks `out[start..end]`, keeping newlines.
fn clear(out: &mut [u8], start: usize, end: usize) {
    for byte in &mut out[start..end] {
        if *byte != b'\n' {
            *byte = b' ';
        }
    }
}

/// The end of a string opened by `quote` at `start`: after the closing quote, or at the end of
/// the line for quotes that cannot span lines (so a Rust lifetime does not swallow the file).
fn string_end(bytes: &[u8], start: usize, quote: &[u8], multiline: bool) -> usize {
    let mut i = start + quote.len();
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i..].starts_with(quote) {
            return i + quote.len();
        }
        if bytes[i] == b'\n' && !multiline {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

fn find_from(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    find_from(bytes, from, b"\n").unwrap_or(bytes.len())
}

fn c_like(bytes: &[u8], out: &mut [u8]) {
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'/')) => {
                let end = line_end(bytes, i);
                clear(out, i, end);
                i = end;
            }
            (b'/', Some(b'*')) => {
                let end = find_from(bytes, i + 2, b"*/").map_or(bytes.len(), |e| e + 2);
                clear(out, i, end);
                i = end;
            }
            (b'`', _) => i = string_end(bytes, i, b"`", true),
            (b'"' | b'\'', _) => i = string_end(bytes, i, &bytes[i..=i], false),
            _ => i += 1,
        }
    }
}

fn python(bytes: &[u8], out: &mut [u8]) {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                let end = line_end(bytes, i);
                clear(out, i, end);
                i = end;
            }
            b'"' | b'\'' => {
                let triple = [bytes[i]; 3];
                i = if bytes[i..].starts_with(&triple) {
                    string_end(bytes, i, &triple, true)
                } else {
                    string_end(bytes, i, &bytes[i..=i], false)
                };
            }
            _ => i += 1,
        }
    }
}

fn config(bytes: &[u8], out: &mut [u8]) {
    let mut i = 0;
    while i < bytes.len() {
        let starts_comment = bytes[i] == b'#'
            && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n'))
            || (bytes[i] == b'!' && (i == 0 || bytes[i - 1] == b'\n'));
        if starts_comment {
            let end = line_end(bytes, i);
            clear(out, i, end);
            i = end;
        } else {
            i += 1;
        }
    }
}

fn xml(bytes: &[u8], out: &mut [u8]) {
    let mut i = 0;
    while let Some(start) = find_from(bytes, i, b"<!--") {
        let end = find_from(bytes, start + 4, b"-->").map_or(bytes.len(), |e| e + 3);
        clear(out, start, end);
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_like_comments_go_strings_stay() {
        let text = "// output: 'standalone'\nconst u = \"http://x\"; /* a\nb */ x // y\n";
        let blanked = blank(text, Syntax::CLike);
        assert_eq!(blanked.len(), text.len());
        assert!(!blanked.contains("standalone"));
        assert!(blanked.contains("\"http://x\""));
        assert_eq!(blanked.lines().count(), text.lines().count());
        assert!(blanked.contains(" x "));
        assert!(!blanked.contains('y'));
    }

    #[test]
    fn rust_lifetimes_do_not_hide_code() {
        let text = "fn f<'a>(x: &'a str) {}\n// env::var(\"A\")\nenv::var(\"B\")\n";
        let blanked = blank(text, Syntax::CLike);
        assert!(!blanked.contains("\"A\""));
        assert!(blanked.contains("\"B\""));
    }

    #[test]
    fn python_comments_and_strings() {
        let text = "x = \"#fff\"  # os.getenv('A')\ns = '''\n# not a comment\n'''\n";
        let blanked = blank(text, Syntax::Python);
        assert!(blanked.contains("\"#fff\""));
        assert!(!blanked.contains("getenv"));
        assert!(blanked.contains("# not a comment"));
    }

    #[test]
    fn config_and_xml_comments() {
        let blanked = blank(
            "# server.port=1\nserver.port=2 # x\nurl=a#b\n",
            Syntax::Config,
        );
        assert_eq!(blanked, "               \nserver.port=2    \nurl=a#b\n");
        let blanked = blank("<a><!-- <b>\n</b> --></a>", Syntax::Xml);
        assert_eq!(
            blanked,
            format!("<a>{}\n{}</a>", " ".repeat(8), " ".repeat(8))
        );
        let blanked = blank("naïve // ünï", Syntax::CLike);
        assert_eq!(
            (blanked.trim_end(), blanked.len()),
            ("naïve", "naïve // ünï".len())
        );
    }
}
