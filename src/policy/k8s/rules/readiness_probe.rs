//! `AG-K006`: every long-running container has a readiness probe on the configured path.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::probe::{ProbeParams, check_probe};
use crate::policy::k8s::set::Item;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that every container of a Deployment, StatefulSet, DaemonSet, ReplicaSet or Pod
    /// has a `readinessProbe`, and, when the constitution names the path the service answers
    /// readiness on (its `readiness_path`, else its `health_path`, else
    /// `probes.readiness.path`: `/ready` in the Phase IV preset), that the probe is an HTTP GET
    /// on that path. Without a path any handler passes: a `tcpSocket` check of the port for an
    /// app that serves no health route, a `grpc` check for a gRPC server. Jobs, CronJobs and
    /// workers (`role: worker`, which serve no port) are not checked.
    ///
    /// ## Why is this bad?
    /// Without a readiness probe a pod receives traffic the moment its process starts, before
    /// it has connected to its database or warmed up: every rollout and restart drops requests.
    /// Readiness must answer "can I serve now?", which is why the constitution keeps it on its
    /// own path, apart from liveness.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: frontend-web
    ///     livenessProbe:
    ///       httpGet: { path: /health, port: http }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: frontend-web
    ///     livenessProbe:
    ///       httpGet: { path: /health, port: http }
    ///     readinessProbe:
    ///       httpGet: { path: /ready, port: http }
    ///       initialDelaySeconds: 5
    ///       periodSeconds: 10
    /// ```
    ///
    /// ## Options
    /// - `path`: the path to probe, over the constitution's; per service, set the service's
    ///   `readiness_path` instead.
    ///
    /// ## References
    /// checkov `CKV_K8S_9`, Polaris `readinessProbeMissing`, kube-linter `no-readiness-probe`,
    /// kube-score `pod-probes`.
    pub(crate) const RULE = {
        code: "AG-K006",
        name: "readiness-probe",
        target: Kubernetes,
        severity: Error,
        summary: "containers have a readiness probe, an HTTP GET on the configured path when there is one",
        aliases: [
            Checkov("CKV_K8S_9"),
            Polaris("readinessProbeMissing"),
            KubeLinter("no-readiness-probe"),
            KubeScore("pod-probes"),
        ],
        params: ProbeParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    check_probe(cx, item, &RULE, "readinessProbe", |p| p.readiness);
}
