//! The `*` patterns the constitution writes: allowed base images (`python:3.13-*`,
//! `gcr.io/distroless/*`) matched like image references, and file names (`*.pem`).

use super::model::normalize_reference;
use crate::image_reference::ImageReference;

/// Whether a (normalized) image reference matches an allowed-image pattern.
pub(crate) fn image_matches(pattern: &str, image: &str) -> bool {
    let pattern = normalize_reference(pattern);
    let wanted = ImageReference::parse(&pattern);
    if wanted.digest.is_some() {
        return glob_match(&pattern, image);
    }
    let image = ImageReference::parse(image);
    if glob_match(&pattern, image.without_digest()) {
        return true;
    }
    // A pattern without a tag matches every tag of the repository.
    wanted.tag.is_none() && glob_match(&pattern, image.repository)
}

/// `*` matches any run of characters; everything else matches itself.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let (Some(first_star), Some(last_star)) = (pattern.find('*'), pattern.rfind('*')) else {
        return pattern == text;
    };
    let (first, last) = (&pattern[..first_star], &pattern[last_star + 1..]);
    if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    if first_star < last_star {
        for part in pattern[first_star + 1..last_star].split('*') {
            match rest.find(part) {
                Some(i) => rest = &rest[i + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_like_references() {
        assert!(image_matches("python:3.13-slim", "python:3.13-slim"));
        assert!(image_matches("python", "python:3.12"));
        assert!(image_matches(
            "gcr.io/distroless/*",
            "gcr.io/distroless/python3:nonroot"
        ));
        assert!(image_matches("node:20-*", "node:20-alpine"));
        assert!(!image_matches("node:20-alpine", "node:20"));
        assert!(!image_matches(
            "python:3.13-slim",
            "python:3.13-slim-bookworm"
        ));
        assert!(!image_matches(
            "python:3.13-slim@sha256:aa",
            "python:3.13-slim@sha256:bb"
        ));
    }
}
