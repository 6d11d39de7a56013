//! `AG-D024`: `--from` names an earlier stage.

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks `COPY --from=<stage>` and `RUN --mount=...,from=<stage>`: the name or index must
    /// be a stage defined earlier in the file, and not the stage itself. Values that look like
    /// image references (`nginx:1.27`, `ghcr.io/org/tool`) are images and are allowed.
    ///
    /// ## Why is this bad?
    /// A misspelt stage name is taken for an image on Docker Hub: the build pulls (or fails to
    /// pull) `docker.io/library/biulder` instead of using the stage. Referencing the stage
    /// itself or a later one is an error.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-alpine AS builder
    /// FROM node:20-alpine
    /// COPY --from=biulder /app/dist ./dist
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// COPY --from=builder /app/dist ./dist
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3022`, `DL3023`.
    pub(crate) const RULE = {
        code: "AG-D024",
        name: "copy-from-stage",
        target: Dockerfile,
        severity: Error,
        summary: "`--from` names an earlier stage (or an image reference)",
        aliases: [Hadolint("DL3022"), Hadolint("DL3023")],
        params: NoParams,
    };
}

fn looks_like_image(value: &str) -> bool {
    value.contains([':', '/', '.', '@'])
}

/// Checks every `--from`.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for (index, instruction) in checker.file.instructions.iter().enumerate() {
        let Some(current) = checker.model.stage_of(index).map(|s| s.index) else {
            continue;
        };
        let references: Vec<(String, std::ops::Range<usize>)> = match instruction.keyword {
            Keyword::Copy | Keyword::Add => instruction
                .flag("from")
                .and_then(|f| f.value.clone().map(|v| (v, f.range.clone())))
                .into_iter()
                .collect(),
            Keyword::Run => instruction
                .flags
                .iter()
                .filter(|f| f.name == "mount")
                .filter_map(|f| {
                    let value = f.value.as_deref()?;
                    let from = value.split(',').find_map(|p| p.strip_prefix("from="))?;
                    Some((from.to_string(), f.range.clone()))
                })
                .collect(),
            _ => continue,
        };
        for (reference, range) in references {
            if reference.contains('$') {
                continue;
            }
            match checker.model.stage_named(&reference) {
                Some(stage) if stage.index == current => {
                    checker
                        .report(
                            range,
                            format!("`--from={reference}` copies from its own stage"),
                        )
                        .help("copy from an earlier stage");
                }
                Some(stage) if stage.index > current => {
                    checker
                        .report(range, format!("`--from={reference}` names a later stage"))
                        .help("define the stage before the one that copies from it");
                }
                Some(_) => {}
                None if looks_like_image(&reference) => {}
                None => {
                    let names: Vec<String> = checker.model.stages[..current]
                        .iter()
                        .filter_map(|s| s.name.as_ref().map(|n| format!("`{}`", n.value)))
                        .collect();
                    let reported = checker.report(
                        range,
                        format!("`--from={reference}` names no stage of this file"),
                    );
                    if names.is_empty() {
                        reported.help("name the stage to copy from with `FROM <image> AS <name>`");
                    } else {
                        reported.help(format!("use one of {}", names.join(", ")));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn references_name_earlier_stages() {
        catches(
            "AG-D024",
            "FROM a:1 AS builder\nFROM a:1 AS final\nCOPY --from=biulder /a /b\nCOPY --from=final /a /b\nCOPY --from=5 /a /b\nRUN --mount=type=bind,from=nope,target=/x true\n",
            &[(3, 6), (4, 6), (5, 6), (6, 5)],
        );
        passes(
            "AG-D024",
            "FROM a:1 AS builder\nFROM a:1\nCOPY --from=builder /a /b\nCOPY --from=0 /a /b\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\n",
        );
    }
}
