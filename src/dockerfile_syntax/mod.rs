//! The Dockerfile grammar: [`parser::parse`] turns text into an [`ast::Dockerfile`] with the
//! exact byte range of every instruction, flag and word.
//!
//! The lint rules (`policy::dockerfile`) and detection (which reads the `CMD`, `EXPOSE` and
//! `HEALTHCHECK` a project's own Dockerfile declares) both read Dockerfiles through it.

pub(crate) mod ast;
pub(crate) mod expand;
pub(crate) mod parser;
mod words;
