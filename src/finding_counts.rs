//! [`FindingCounts`]: how many lint findings of each severity something has. One type for the
//! summary after a lint report, each staged file's entry in `generated/index.json` and the lint
//! line of a Prompt History Record; the policy engine counts findings into it
//! ([`crate::policy::Finding`]).

use std::fmt;

use serde::{Deserialize, Serialize};

/// How many findings of each severity a list holds: shown after a lint report, kept per staged
/// file in `generated/index.json` (`{"errors": 0, "warnings": 0, "infos": 0}`), and recorded in
/// a PHR as `lint_errors` / `lint_warnings` (a record does not keep infos: they read back as 0).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct FindingCounts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl FindingCounts {
    /// All findings counted.
    pub(crate) fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }

    /// True when nothing at all was found.
    pub fn is_clean(&self) -> bool {
        self.total() == 0
    }
}

/// `clean`, or the non-zero counts: `2 errors, 1 warning, 3 info`.
impl fmt::Display for FindingCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return f.write_str("clean");
        }
        let mut first = true;
        for (count, word) in [
            (self.errors, "error"),
            (self.warnings, "warning"),
            (self.infos, "info"),
        ] {
            if count == 0 {
                continue;
            }
            let plural = if count == 1 || word == "info" {
                ""
            } else {
                "s"
            };
            let separator = if first { "" } else { ", " };
            write!(f, "{separator}{count} {word}{plural}")?;
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_clean_or_name_what_was_found() {
        assert_eq!(FindingCounts::default().to_string(), "clean");
        let counts = FindingCounts {
            errors: 2,
            warnings: 1,
            infos: 0,
        };
        assert_eq!(counts.to_string(), "2 errors, 1 warning");
        assert!(!counts.is_clean());
    }

    #[test]
    fn the_staging_index_shape_is_kept() {
        let counts = FindingCounts {
            errors: 1,
            warnings: 2,
            infos: 3,
        };
        let json = serde_json::to_string(&counts).unwrap();
        assert_eq!(json, r#"{"errors":1,"warnings":2,"infos":3}"#);
        let read: FindingCounts = serde_json::from_str(&json).unwrap();
        assert_eq!(read, counts);
    }
}
