//! A `Procfile`: one process type per line (`web: gunicorn app:app`, `worker: rq worker`),
//! as Heroku and its followers read it.

use super::super::model::Sourced;
use super::super::source::ServiceFile;

/// One process type and its command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Process {
    /// The process type (`web`, `worker`, `release`).
    pub kind: String,
    /// The command line, as written.
    pub command: Sourced<String>,
}

/// The processes of a Procfile, in order.
pub(crate) fn parse(file: &ServiceFile) -> Vec<Process> {
    let mut processes = Vec::new();
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            continue;
        }
        let Some((kind, command)) = trimmed.split_once(':') else {
            continue;
        };
        let kind = kind.trim();
        let valid = !kind.is_empty()
            && kind
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if valid && !command.trim().is_empty() {
            processes.push(Process {
                kind: kind.to_string(),
                command: file.sourced(command.trim().to_string(), at),
            });
        }
    }
    processes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::in_memory;

    #[test]
    fn process_types_are_read() {
        let file = in_memory(
            "Procfile",
            "# processes\nweb: gunicorn app:app --bind :$PORT\nworker: rq worker tasks\n\nrelease: flask db upgrade\n",
        );
        let processes = parse(&file);
        let kinds: Vec<&str> = processes.iter().map(|p| p.kind.as_str()).collect();
        assert_eq!(kinds, ["web", "worker", "release"]);
        assert_eq!(processes[1].command.value, "rq worker tasks");
        assert_eq!(processes[1].command.origin.to_string(), "Procfile:3");
    }
}
