//! Secret values made at run time from a seeded generator, so that no file of the repository
//! holds a token-shaped literal (which secret scanners would flag) and every run sees the same
//! values.

/// Deterministic text of a given alphabet (xorshift).
pub struct Gen(pub u64);

impl Gen {
    pub fn pick(&mut self, alphabet: &str, len: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..len)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                chars[(self.0 % chars.len() as u64) as usize]
            })
            .collect()
    }

    pub fn alnum(&mut self, len: usize) -> String {
        self.pick(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            len,
        )
    }

    pub fn upper(&mut self, len: usize) -> String {
        self.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", len)
    }

    pub fn b64(&mut self, len: usize) -> String {
        self.pick(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            len,
        )
    }

    pub fn url64(&mut self, len: usize) -> String {
        self.pick(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
            len,
        )
    }

    pub fn hex(&mut self, len: usize) -> String {
        self.pick("0123456789abcdef", len)
    }
}

/// The windows of 8 characters of `secret` (without blanks) that show in `output`: empty when no
/// part of it leaked.
fn leaked_windows(output: &str, secret: &str) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    let width = 8.min(chars.len());
    let mut found = Vec::new();
    for start in 0..=chars.len() - width {
        let window: String = chars[start..start + width].iter().collect();
        if window.trim().len() == width && output.contains(&window) {
            found.push(window);
        }
    }
    found
}

/// Fails naming each `(what, secret)` of which some part shows in `output`.
pub fn assert_none_leaked<'a>(
    place: &str,
    output: &str,
    secrets: impl IntoIterator<Item = (&'a str, &'a str)>,
) {
    let leaked: Vec<String> = secrets
        .into_iter()
        .filter_map(|(what, secret)| {
            let found = leaked_windows(output, secret);
            (!found.is_empty()).then(|| format!("{what}: {:?}", &found[..found.len().min(3)]))
        })
        .collect();
    assert!(leaked.is_empty(), "{place} leaks:\n{}", leaked.join("\n"));
}
