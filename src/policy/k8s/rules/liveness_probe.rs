//! `AG-K005`: every long-running container has a liveness probe on the configured path.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::probe::{ProbeParams, check_probe};
use crate::policy::k8s::set::Item;
use crate::policy::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks that every container of a Deployment, StatefulSet, DaemonSet, ReplicaSet or Pod
    /// has a `livenessProbe`, and, when the constitution names the path the service answers
    /// health on (its `health_path`, else `probes.liveness.path`: `/health` in the Phase IV
    /// preset), that the probe is an HTTP GET on that path. Without a path any handler passes:
    /// a `tcpSocket` check of the port for an app that serves no health route, a `grpc` check
    /// for a gRPC server. Jobs, CronJobs and workers (`role: worker`, which serve no port) are
    /// not checked.
    ///
    /// ## Why is this bad?
    /// Without a liveness probe a process that hangs (deadlock, exhausted pool) keeps its pod
    /// Running forever and keeps receiving traffic; the kubelet restarts only what it can see
    /// failing. A probe on another path than the one the application implements for it either
    /// fails constantly (restart loop) or checks nothing.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: backend
    ///     livenessProbe:
    ///       tcpSocket: { port: 8000 }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: backend
    ///     livenessProbe:
    ///       httpGet: { path: /health, port: http }
    ///       initialDelaySeconds: 10
    ///       periodSeconds: 30
    /// ```
    ///
    /// ## Options
    /// - `path`: the path to probe, over the constitution's; per service, set the service's
    ///   `health_path` instead.
    ///
    /// ## References
    /// checkov `CKV_K8S_8`, Polaris `livenessProbeMissing`, kube-linter `no-liveness-probe`,
    /// kube-score `pod-probes`.
    pub(crate) const RULE = {
        code: "AG-K005",
        name: "liveness-probe",
        target: Kubernetes,
        severity: Error,
        summary: "containers have a liveness probe, an HTTP GET on the configured path when there is one",
        aliases: [
            Checkov("CKV_K8S_8"),
            Polaris("livenessProbeMissing"),
            KubeLinter("no-liveness-probe"),
            KubeScore("pod-probes"),
        ],
        params: ProbeParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    check_probe(cx, item, &RULE, "livenessProbe", |p| p.liveness);
}
