//! Steps before a Node server that its production image cannot run: a step that runs a
//! `package.json` script (`npm run migration:run`, `yarn seed`, `pnpm run db:migrate`) whose
//! command, followed through the scripts it runs in turn, starts a program only a development
//! dependency provides (`env-cmd`, `ts-node`). The production image installs the runtime
//! dependencies alone, so such a step would fail in every pod before the server starts; it is
//! left out of the steps and said why, for the user to run it from a development image.

use serde_json::Value;

use super::declared::command;
use super::model::{Sourced, Undetermined};
use super::source::ServiceDir;

/// How many scripts deep a script's command is followed (`migration:run` → `typeorm`).
const MAX_DEPTH: usize = 8;

/// Removes from `steps` those that need a development dependency of the `package.json` in
/// `dir`, and says which and why.
pub(super) fn leave_out_development_steps(
    dir: &ServiceDir,
    steps: &mut Vec<Sourced<Vec<String>>>,
) -> Vec<Undetermined> {
    let Some(package) = dir
        .read("package.json")
        .ok()
        .and_then(|file| serde_json::from_str::<Value>(&file.text).ok())
    else {
        return Vec::new();
    };
    let mut left_out = Vec::new();
    steps.retain(|step| {
        let Some(program) = development_program(&package, &step.value, 0) else {
            return true;
        };
        left_out.push(Undetermined {
            fact: "prestart",
            reason: format!(
                "`{}` ({}) runs {program}, a development dependency the production image \
                 does not install: it is left out; run it from an image with the development \
                 dependencies",
                step.value.join(" "),
                step.origin
            ),
        });
        false
    });
    left_out
}

/// The program only a development dependency provides that `argv` starts, directly or through
/// the scripts it runs.
fn development_program(package: &Value, argv: &[String], depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    if let Some(script) = script_run(argv) {
        let text = package.get("scripts")?.get(script)?.as_str()?;
        return command::steps(text)
            .into_iter()
            .find_map(|step| development_program(package, &command::split(step), depth + 1));
    }
    let mut words = argv.iter().map(String::as_str);
    let mut program = words.next()?;
    if program == "npx" {
        program = words.find(|w| !w.starts_with('-'))?;
    }
    let program = program.rsplit('/').next().unwrap_or(program);
    let provided_by = |section: &str| {
        package
            .get(section)
            .and_then(Value::as_object)
            .is_some_and(|deps| deps.keys().any(|name| provides(name, program)))
    };
    (provided_by("devDependencies") && !provided_by("dependencies")).then(|| program.to_string())
}

/// The script a package manager is told to run: `npm run X`, `npm run-script X`, `yarn X`,
/// `yarn run X`, `pnpm run X`, `pnpm X`, `bun run X`.
fn script_run(argv: &[String]) -> Option<&str> {
    let words: Vec<&str> = argv
        .iter()
        .map(String::as_str)
        .filter(|w| !w.starts_with('-'))
        .collect();
    match words.as_slice() {
        [
            "npm" | "pnpm" | "yarn" | "bun",
            "run" | "run-script",
            script,
            ..,
        ] => Some(script),
        ["yarn" | "pnpm", script, ..] if !matches!(*script, "install" | "add" | "exec") => {
            Some(script)
        }
        _ => None,
    }
}

/// True when the package `name` provides the program `program`: its name, or the last part of
/// a scoped name (`@scope/tool`).
fn provides(name: &str, program: &str) -> bool {
    name == program || name.rsplit('/').next() == Some(program)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(text: &str) -> Vec<String> {
        command::split(text)
    }

    #[test]
    fn scripts_are_followed_to_the_program_they_start() {
        let package = serde_json::json!({
            "scripts": {
                "typeorm": "env-cmd -- ts-node ./node_modules/typeorm/cli.js",
                "migration:run": "npm run typeorm -- migration:run",
                "migrate": "knex migrate:latest",
                "loop": "npm run loop"
            },
            "dependencies": { "knex": "3", "typeorm": "0.3" },
            "devDependencies": { "env-cmd": "11", "ts-node": "10", "knex": "3" }
        });
        let program = |text: &str| development_program(&package, &argv(text), 0);
        assert_eq!(program("npm run migration:run").as_deref(), Some("env-cmd"));
        assert_eq!(program("npx ts-node seed.ts").as_deref(), Some("ts-node"));
        assert_eq!(program("npm run migrate"), None);
        assert_eq!(program("yarn migrate"), None);
        assert_eq!(program("node dist/migrate.js"), None);
        assert_eq!(program("npm run loop"), None);
        assert_eq!(program("npm run missing"), None);
    }
}
