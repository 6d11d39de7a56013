//! Helpers shared by the cluster apply tests: the Kubernetes API stand-in
//! ([`fake_apiserver`]) and what a test does with a cluster, stand-in or real ([`cluster`]).

pub mod cluster;
pub mod fake_apiserver;
