//! Image references as Dockerfiles, compose files and manifests write them
//! (`localhost:5000/team/app:1.2@sha256:…`), split into their parts: the repository (registry
//! and path), its name (the last path segment), the tag and the digest.
//!
//! The split follows the reference grammar of the distribution project: the digest is what
//! follows `@`, the tag what follows the last `:` of the last path segment (so the port of
//! `registry:5000/x` is no tag), and the first path segment is a registry when it has a `.` or a
//! `:` or is `localhost`. Nothing is validated: a reference is split however it is written.

/// An image reference split into its parts, borrowed from the text it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ImageReference<'a> {
    /// Everything before the tag and the digest: `localhost:5000/team/app`.
    pub(crate) repository: &'a str,
    /// What follows the last `:` of the last path segment: `1.2`.
    pub(crate) tag: Option<&'a str>,
    /// What follows `@`: `sha256:…`.
    pub(crate) digest: Option<&'a str>,
    /// The reference without its digest: `localhost:5000/team/app:1.2`.
    named: &'a str,
}

impl<'a> ImageReference<'a> {
    /// Splits `reference`; every reference has at least a repository (perhaps empty).
    pub(crate) fn parse(reference: &'a str) -> Self {
        let (named, digest) = match reference.split_once('@') {
            Some((named, digest)) => (named, Some(digest)),
            None => (reference, None),
        };
        let (repository, tag) = match named.rsplit_once(':') {
            Some((repository, tag)) if !tag.contains('/') => (repository, Some(tag)),
            _ => (named, None),
        };
        Self {
            repository,
            tag,
            digest,
            named,
        }
    }

    /// The reference as written, without its digest: `localhost:5000/team/app:1.2`.
    pub(crate) fn without_digest(&self) -> &'a str {
        self.named
    }

    /// The registry the repository names, when its first segment is one: `localhost:5000`,
    /// `gcr.io`; `None` for Docker Hub's short names (`postgres`, `library/node`).
    pub(crate) fn registry(&self) -> Option<&'a str> {
        let (first, _) = self.repository.split_once('/')?;
        (first.contains(['.', ':']) || first == "localhost").then_some(first)
    }

    /// The repository's path without its registry: `team/app`.
    pub(crate) fn path(&self) -> &'a str {
        match self.registry() {
            Some(registry) => &self.repository[registry.len() + 1..],
            None => self.repository,
        }
    }

    /// The last segment of the path: `app`.
    pub(crate) fn name(&self) -> &'a str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(self.repository)
    }

    /// The name Docker Hub knows the image by (`node` for `docker.io/library/node` and
    /// `library/node`, `bitnami/redis` for `docker.io/bitnami/redis`); `None` for an image of
    /// another registry.
    pub(crate) fn docker_hub_name(&self) -> Option<&'a str> {
        let path = match self.registry() {
            None => self.repository,
            Some("docker.io") => self.path(),
            Some(_) => return None,
        };
        Some(path.strip_prefix("library/").unwrap_or(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_reference_has_every_part() {
        let r = ImageReference::parse("localhost:5000/a/b:1.2@sha256:0123abcd");
        assert_eq!(r.repository, "localhost:5000/a/b");
        assert_eq!(r.registry(), Some("localhost:5000"));
        assert_eq!(r.path(), "a/b");
        assert_eq!(r.name(), "b");
        assert_eq!(r.tag, Some("1.2"));
        assert_eq!(r.digest, Some("sha256:0123abcd"));
        assert_eq!(r.without_digest(), "localhost:5000/a/b:1.2");
        assert_eq!(r.docker_hub_name(), None);
    }

    #[test]
    fn a_short_name_is_all_repository() {
        let r = ImageReference::parse("postgres");
        assert_eq!(r.repository, "postgres");
        assert_eq!(r.registry(), None);
        assert_eq!(r.path(), "postgres");
        assert_eq!(r.name(), "postgres");
        assert_eq!((r.tag, r.digest), (None, None));
        assert_eq!(r.docker_hub_name(), Some("postgres"));
    }

    #[test]
    fn library_images_are_docker_hub_names() {
        let r = ImageReference::parse("library/node:20-slim");
        assert_eq!(r.registry(), None);
        assert_eq!(r.path(), "library/node");
        assert_eq!(r.name(), "node");
        assert_eq!(r.tag, Some("20-slim"));
        assert_eq!(r.docker_hub_name(), Some("node"));
        let r = ImageReference::parse("docker.io/library/node:20.20.2-alpine@sha256:ff");
        assert_eq!(r.registry(), Some("docker.io"));
        assert_eq!(r.docker_hub_name(), Some("node"));
        assert_eq!(r.tag, Some("20.20.2-alpine"));
        let r = ImageReference::parse("bitnami/postgresql:16");
        assert_eq!(r.registry(), None);
        assert_eq!(r.docker_hub_name(), Some("bitnami/postgresql"));
    }

    #[test]
    fn a_port_is_not_a_tag() {
        let r = ImageReference::parse("registry:5000/x");
        assert_eq!(r.repository, "registry:5000/x");
        assert_eq!(r.registry(), Some("registry:5000"));
        assert_eq!(r.path(), "x");
        assert_eq!(r.name(), "x");
        assert_eq!(r.tag, None);
        let r = ImageReference::parse("gcr.io/distroless/static@sha256:aa");
        assert_eq!(r.registry(), Some("gcr.io"));
        assert_eq!(r.name(), "static");
        assert_eq!((r.tag, r.digest), (None, Some("sha256:aa")));
    }

    #[test]
    fn odd_references_still_split() {
        let r = ImageReference::parse("");
        assert_eq!((r.repository, r.name(), r.tag), ("", "", None));
        let r = ImageReference::parse("app:");
        assert_eq!((r.name(), r.tag), ("app", Some("")));
        let r = ImageReference::parse(":v1");
        assert_eq!((r.name(), r.tag), ("", Some("v1")));
    }
}
