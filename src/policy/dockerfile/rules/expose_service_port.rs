//! `AG-D008`: the image exposes its service's port, and only valid ports.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::dockerfile::model::substitute;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks the `EXPOSE` instructions of the final stage (and the stages it builds on):
    /// every port is a valid port number with an optional lowercase `/tcp`, `/udp` or `/sctp`,
    /// SSH (22) is not exposed, and, for a Dockerfile of a known service (named
    /// `docker/<service>.Dockerfile` or living in the service's directory), the service's port
    /// from the constitution is exposed and no other.
    ///
    /// ## Why is this bad?
    /// The Kubernetes Service, the probes and the `containerPort` are all generated from the
    /// constitution's port. An image that listens elsewhere gives a Service that routes nowhere
    /// and probes that fail. An invalid port fails the build; port 22 suggests an SSH server in
    /// the container.
    ///
    /// ## Example
    /// ```dockerfile
    /// # docker/backend.Dockerfile (the constitution says 8000)
    /// EXPOSE 80
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// EXPOSE 8000
    /// ```
    ///
    /// ## Options
    /// None; the ports come from the constitution's `services`.
    ///
    /// ## References
    /// hadolint `DL3011` (valid port range); checkov `CKV_DOCKER_1` (port 22); BuildKit
    /// `ExposeInvalidFormat`, `ExposeProtoCasing`.
    pub(crate) const RULE = {
        code: "AG-D008",
        name: "expose-service-port",
        target: Dockerfile,
        severity: Error,
        summary: "the final stage exposes the service's port, and only valid ports",
        aliases: [Hadolint("DL3011"), Checkov("CKV_DOCKER_1"), BuildKit("ExposeInvalidFormat"), BuildKit("ExposeProtoCasing")],
        params: NoParams,
    };
}

/// Checks each exposed port.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let Some(last) = checker.model.final_stage() else {
        return;
    };
    let service = checker.cx.service;
    let expected = service.and_then(|name| checker.cx.constitution.service(name)?.port);
    let mut exposed_expected = false;
    let mut first_expose = None;
    let lineage: Vec<usize> = checker
        .model
        .lineage(last)
        .iter()
        .map(|s| s.index)
        .collect();
    for stage_index in lineage {
        let vars = checker.stage_vars(stage_index);
        let stage = &checker.model.stages[stage_index];
        let exposes: Vec<_> = checker
            .model
            .body(checker.file, stage)
            .iter()
            .filter(|i| i.keyword == Keyword::Expose)
            .collect();
        for instruction in exposes {
            first_expose.get_or_insert(instruction.keyword_range.clone());
            for word in &instruction.words {
                let (value, unresolved) = substitute(&word.value, &vars);
                if unresolved {
                    continue;
                }
                let range = word.range.clone();
                let (ports, protocol) = match value.split_once('/') {
                    Some((ports, protocol)) => (ports, Some(protocol)),
                    None => (value.as_str(), None),
                };
                if let Some(protocol) = protocol
                    && !matches!(protocol, "tcp" | "udp" | "sctp")
                {
                    let message = if matches!(
                        protocol.to_ascii_lowercase().as_str(),
                        "tcp" | "udp" | "sctp"
                    ) {
                        format!("`EXPOSE {value}` writes the protocol in upper case")
                    } else {
                        format!("`EXPOSE {value}` names an unknown protocol `{protocol}`")
                    };
                    checker
                        .report(range.clone(), message)
                        .help("write `/tcp`, `/udp` or `/sctp`");
                    continue;
                }
                let Some((low, high)) = port_range(ports) else {
                    checker
                        .report(range, format!("`EXPOSE {value}` is not a valid port"))
                        .help("write a port number from 0 to 65535 (host mappings such as `80:80` belong to `docker run`)");
                    continue;
                };
                if (low..=high).contains(&22) {
                    checker
                        .report(range.clone(), "the image exposes SSH port 22")
                        .help("remove SSH from the image; use `kubectl exec` or `docker exec` instead");
                    continue;
                }
                match expected {
                    Some(port) if (low..=high).contains(&u32::from(port)) => {
                        exposed_expected = true
                    }
                    Some(port) => {
                        checker
                            .report(
                                range,
                                format!(
                                    "`EXPOSE {value}` is not the port of service `{}` ({port})",
                                    service.unwrap_or_default()
                                ),
                            )
                            .help(format!(
                                "expose {port}, the port the constitution gives the service"
                            ));
                    }
                    None => {}
                }
            }
        }
    }
    if let (Some(port), false) = (expected, exposed_expected) {
        let range = first_expose.unwrap_or_else(|| {
            let from = &checker.file.instructions[last.from];
            from.keyword_range.start..last.image.range.end
        });
        checker
            .report(
                range,
                format!(
                    "the image does not expose port {port} of service `{}`",
                    service.unwrap_or_default()
                ),
            )
            .help(format!("add `EXPOSE {port}`"));
    }
}

/// `8000` or `8000-8010` as a range of valid ports.
fn port_range(text: &str) -> Option<(u32, u32)> {
    let parse = |s: &str| -> Option<u32> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<u32>().ok().filter(|p| *p <= 65535)
    };
    match text.split_once('-') {
        Some((low, high)) => {
            let (low, high) = (parse(low)?, parse(high)?);
            (low <= high).then_some((low, high))
        }
        None => parse(text).map(|p| (p, p)),
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{
        catches, catches_at, messages, passes, passes_at,
    };

    #[test]
    fn ports_are_valid() {
        catches(
            "AG-D008",
            "FROM a:1\nEXPOSE 80:80 70000 8000/TCP 22 9000/udp\n",
            &[(2, 8), (2, 14), (2, 20), (2, 29)],
        );
        passes("AG-D008", "FROM a:1\nEXPOSE 8000 3000-3001/tcp $PORT\n");
    }

    #[test]
    fn the_service_port_is_exposed_and_no_other() {
        let path = "docker/backend.Dockerfile";
        catches_at("AG-D008", path, "FROM a:1\nEXPOSE 80\n", &[(2, 1), (2, 8)]);
        catches_at("AG-D008", path, "FROM a:1\nCMD x\n", &[(1, 1)]);
        passes_at(
            "AG-D008",
            path,
            "ARG PORT=8000\nFROM a:1 AS base\nEXPOSE ${PORT}\nFROM base\n",
        );
        assert_eq!(
            messages(
                "AG-D008",
                "frontend-chatbot/Dockerfile",
                "FROM a:1\nEXPOSE 3000\n"
            ),
            vec![
                "`EXPOSE 3000` is not the port of service `frontend-chatbot` (3001)",
                "the image does not expose port 3001 of service `frontend-chatbot`",
            ]
        );
    }
}
