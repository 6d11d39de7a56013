//! `AG-D018`: Node dependencies install from the lockfile.

use crate::policy::dockerfile::checker::Checker;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that Node dependencies are installed exactly as the lockfile says: `npm ci`
    /// rather than `npm install` (when it installs the project's dependencies, not named
    /// packages), `yarn install --frozen-lockfile` (or `--immutable`), and
    /// `pnpm install --frozen-lockfile`.
    ///
    /// ## Why is this bad?
    /// `npm install` resolves version ranges again and may rewrite the lockfile, so two builds of
    /// the same commit can ship different dependencies. The constitution asks for pinned
    /// dependencies.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY package.json package-lock.json ./
    /// RUN npm install
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// hadolint `DL3016` pins named npm packages; this rule covers the project install.
    pub(crate) const RULE = {
        code: "AG-D018",
        name: "lockfile-install",
        target: Dockerfile,
        severity: Warning,
        summary: "Node dependencies install from the lockfile (`npm ci`, frozen lockfiles)",
        aliases: [],
        params: NoParams,
    };
}

/// Checks npm, yarn and pnpm installs.
pub(crate) fn check(checker: &mut Checker<'_>) {
    for (script, command) in checker.commands() {
        let (message, help) = match command.program() {
            Some("npm")
                if command
                    .subcommand()
                    .is_some_and(|w| matches!(w.value.as_str(), "install" | "i" | "add"))
                    && command.operands().is_empty() =>
            {
                (
                    "`npm install` resolves versions again instead of using the lockfile",
                    "use `npm ci`",
                )
            }
            Some("yarn")
                if command.subcommand().is_none_or(|w| w.value == "install")
                    && !command.has_option("--frozen-lockfile", None)
                    && !command.has_option("--immutable", None) =>
            {
                (
                    "`yarn install` may change the lockfile",
                    "add `--frozen-lockfile` (`--immutable` on Yarn 2+)",
                )
            }
            Some("pnpm")
                if command
                    .subcommand()
                    .is_some_and(|w| matches!(w.value.as_str(), "install" | "i"))
                    && !command.has_option("--frozen-lockfile", None) =>
            {
                (
                    "`pnpm install` may change the lockfile",
                    "add `--frozen-lockfile`",
                )
            }
            _ => continue,
        };
        checker
            .report(script.head_range(command), message)
            .help(help);
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::dockerfile::test_support::{catches, passes};

    #[test]
    fn installs_follow_the_lockfile() {
        catches(
            "AG-D018",
            "FROM node:20\nRUN npm install\nRUN yarn && pnpm i\n",
            &[(2, 5), (3, 5), (3, 13)],
        );
        passes(
            "AG-D018",
            "FROM node:20\nRUN npm ci && npm install -g pnpm@9\nRUN yarn install --frozen-lockfile && yarn build\nRUN pnpm install --frozen-lockfile\n",
        );
    }
}
