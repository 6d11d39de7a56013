//! The policy engine: the constitution, findings, rules for Dockerfiles and Kubernetes objects.

pub mod k8s;
