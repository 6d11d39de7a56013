//! `AG-D005`: the final user exists in the image.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::policy::dockerfile::ast::Keyword;
use crate::policy::dockerfile::checker::Checker;
use crate::policy::dockerfile::model::is_root;
use crate::policy::dockerfile::patterns::image_matches;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that the user named by the final `USER` exists: it is a numeric UID, or a `RUN`
    /// of the final stage (or a stage it builds on) creates it with `useradd`, `adduser` or
    /// `addgroup`, or the base image is known to have it (`node` in `node:*` images, `nonroot`
    /// in distroless images, `nobody` everywhere).
    ///
    /// ## Why is this bad?
    /// `USER appuser` with no `appuser` in `/etc/passwd` builds fine and fails at start with
    /// `unable to find user appuser`, in the cluster, not on the author's machine.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// USER appuser
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.13-slim
    /// RUN useradd --create-home --uid 1000 appuser
    /// USER appuser
    /// ```
    /// or `USER 1000`.
    ///
    /// ## Options
    /// - `known_users` (list, default `["nobody", "daemon"]`): users every base image has.
    /// - `image_users` (map of image pattern to users, default `node` → `node`,
    ///   `gcr.io/distroless/*` → `nonroot`): users that images matching a pattern have.
    ///
    /// ## References
    /// hadolint `DL3066` (non-numeric user may not resolve); checkov `CKV_DOCKER_3`.
    pub(crate) const RULE = {
        code: "AG-D005",
        name: "user-exists",
        target: Dockerfile,
        severity: Error,
        summary: "the final `USER` is a UID or a user the image creates or has",
        aliases: [Hadolint("DL3066")],
        params: Params,
    };
}

/// Parameters of `AG-D005`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Params {
    pub known_users: Vec<String>,
    pub image_users: BTreeMap<String, Vec<String>>,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            known_users: vec!["nobody".into(), "daemon".into()],
            image_users: BTreeMap::from([
                ("node".into(), vec!["node".into()]),
                ("gcr.io/distroless/*".into(), vec!["nonroot".into()]),
            ]),
        }
    }
}

/// Programs that create users or groups.
const CREATORS: &[&str] = &["useradd", "adduser", "addgroup", "groupadd"];

/// Looks for the final user's creation.
pub(crate) fn check(checker: &mut Checker<'_>) {
    let Some(user) = checker.final_user() else {
        return;
    };
    let (stage, word) = (user.stage, user.word);
    let name = user
        .value
        .split(':')
        .next()
        .unwrap_or(&user.value)
        .to_string();
    if user.unresolved || is_root(&name) || name.bytes().all(|b| b.is_ascii_digit()) {
        return;
    }
    let params = checker.params::<Params>();
    if params.known_users.contains(&name) {
        return;
    }
    let images = checker.base_images_of(stage);
    let known_in_image = params.image_users.iter().any(|(pattern, users)| {
        users.contains(&name) && images.iter().any(|image| image_matches(pattern, image))
    });
    if known_in_image {
        return;
    }
    let lineage = match checker.model.stages.get(stage) {
        Some(s) => checker.model.lineage(s),
        None => Vec::new(),
    };
    for stage in lineage {
        for instruction in checker.model.body(checker.file, stage) {
            if instruction.keyword != Keyword::Run {
                continue;
            }
            for script in checker.scripts(instruction) {
                let created = script.commands.iter().any(|command| {
                    command.program().is_some_and(|p| CREATORS.contains(&p))
                        && command.has_arg(&name)
                });
                if created {
                    return;
                }
            }
        }
    }
    checker
        .report(
            word.range.clone(),
            format!("`USER {name}` names a user the image does not create"),
        )
        .help(format!(
            "create it first (`RUN useradd --uid 1000 {name}`), or use a numeric UID"
        ));
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn users_must_be_created_numeric_or_known() {
        catches(
            "AG-D005",
            "FROM python:3.13-slim\nUSER appuser\n",
            &[(2, 6)],
        );
        catches("AG-D005", "FROM python:3.13-slim\nUSER node\n", &[(2, 6)]);
        passes(
            "AG-D005",
            "FROM python:3.13-slim\nRUN groupadd -r app && useradd -r -g app appuser\nUSER appuser:app\n",
        );
        passes("AG-D005", "FROM node:20-alpine\nUSER node\n");
        passes(
            "AG-D005",
            "FROM alpine:3.20 AS base\nRUN adduser -D -u 1001 web\nFROM base\nUSER web\n",
        );
        passes("AG-D005", "FROM a:1\nUSER 10001:10001\n");
        passes("AG-D005", "FROM a:1\nUSER nobody\n");
        passes(
            "AG-D005",
            "FROM gcr.io/distroless/python3-debian12:nonroot\nUSER nonroot\n",
        );
    }
}
