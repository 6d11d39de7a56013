//! Port numbers and port names as the API server validates them (`IsValidPortNum` and
//! `IsValidPortName` of Kubernetes' validation package): the OpenAPI schema only says "integer"
//! or "int-or-string", so these limits are checked here, for the rules that own each field.

/// Why a port number is rejected: it is outside 1..65535.
pub(crate) fn number_problem(number: i64) -> Option<String> {
    (!(1..=65535).contains(&number)).then(|| format!("{number} is not a port number (1 to 65535)"))
}

/// Why a port number in an `int32` field (`containerPort`, `hostPort`, a Service's `port`)
/// is rejected; a number that does not fit in 32 bits is the schema's (`AG-K031`) and is not
/// reported again.
pub(crate) fn int32_number_problem(number: i64) -> Option<String> {
    i32::try_from(number)
        .ok()
        .and_then(|_| number_problem(number))
}

/// Why a port name is rejected: an IANA service name has at most 15 characters, only
/// lowercase letters, digits and `-`, at least one letter, and no `-` at either end or twice
/// in a row.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    let problem = if name.len() > 15 {
        format!(
            "has {} characters; a port name has at most 15",
            name.chars().count()
        )
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        "may hold only lowercase letters, digits and `-`".to_string()
    } else if !name.bytes().any(|b| b.is_ascii_lowercase()) {
        "holds no letter".to_string()
    } else if name.starts_with('-') || name.ends_with('-') {
        "begins or ends with `-`".to_string()
    } else if name.contains("--") {
        "holds `--`".to_string()
    } else {
        return None;
    };
    Some(format!("port name `{name}` {problem}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_follow_the_api_server() {
        assert!(number_problem(1).is_none() && number_problem(65535).is_none());
        assert!(number_problem(0).is_some() && number_problem(123_456).is_some());
        assert!(number_problem(1 << 40).is_some() && int32_number_problem(1 << 40).is_none());
        assert!(int32_number_problem(70_000).is_some());
        for good in ["http", "metrics-9090", "a", "h2c", "abcdefghijklmno"] {
            assert_eq!(name_problem(good), None, "{good}");
        }
        for bad in [
            "abcdefghijklmnop",
            "HTTP",
            "8080",
            "-http",
            "http-",
            "my--port",
            "a_b",
            "",
        ] {
            assert!(name_problem(bad).is_some(), "{bad}");
        }
    }
}
