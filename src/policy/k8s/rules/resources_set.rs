//! `AG-K003`: every container sets CPU and memory requests and limits.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::resources::{RESOURCES, SECTIONS, amount};
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that every container and init container of a workload sets `requests` and
    /// `limits` for both `cpu` and `memory`, that each is a valid Kubernetes quantity (`250m`,
    /// `0.5`, `512Mi`, `1G`), and that no request exceeds its limit.
    ///
    /// ## Why is this bad?
    /// Without requests the scheduler packs pods blindly and the cluster overcommits; without
    /// limits one leaking container starves its neighbours. A request above its limit is
    /// rejected by the API server at apply time.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: backend
    ///     image: todo/backend:1.0.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: backend
    ///     image: todo/backend:1.0.0
    ///     resources:
    ///       requests: { cpu: 250m, memory: 256Mi }
    ///       limits: { cpu: 500m, memory: 512Mi }
    /// ```
    ///
    /// ## Options
    /// None. `AG-K004` checks the amounts against the service's class.
    ///
    /// ## References
    /// kube-linter `unset-cpu-requirements`, `unset-memory-requirements`; checkov `CKV_K8S_10`,
    /// `CKV_K8S_11`, `CKV_K8S_12`, `CKV_K8S_13`; Polaris `cpuRequestsMissing`,
    /// `cpuLimitsMissing`, `memoryRequestsMissing`, `memoryLimitsMissing`; kube-score
    /// `container-resources`.
    pub(crate) const RULE = {
        code: "AG-K003",
        name: "resources-set",
        target: Kubernetes,
        severity: Error,
        summary: "containers set cpu and memory requests and limits",
        aliases: [
            KubeLinter("unset-cpu-requirements"),
            KubeLinter("unset-memory-requirements"),
            Checkov("CKV_K8S_10"),
            Checkov("CKV_K8S_11"),
            Checkov("CKV_K8S_12"),
            Checkov("CKV_K8S_13"),
            Polaris("cpuRequestsMissing"),
            Polaris("cpuLimitsMissing"),
            Polaris("memoryRequestsMissing"),
            Polaris("memoryLimitsMissing"),
            KubeScore("container-resources"),
        ],
        params: NoParams,
    };
}

pub(crate) fn check(cx: &mut Checker<'_, '_>, item: &Item<'_>) {
    let Some(spec) = item.object.pod_spec() else {
        return;
    };
    for container in spec.containers() {
        let mut missing = Vec::new();
        for section in SECTIONS {
            for resource in RESOURCES {
                match amount(&container, section, resource) {
                    None => missing.push(format!("`{section}.{resource}`")),
                    Some(amount) => {
                        if let Err(error) = &amount.value {
                            cx.report(
                                &RULE,
                                item,
                                amount.node,
                                format!("`{resource}: {}` is {error}", amount.text()),
                            )
                            .help(format!(
                                "write the {resource} amount like `250m` or `256Mi`"
                            ));
                        }
                    }
                }
            }
        }
        if !missing.is_empty() {
            cx.report(
                &RULE,
                item,
                container.anchor(),
                format!(
                    "container `{}` sets no {}",
                    container.name,
                    missing.join(", ")
                ),
            )
            .help("set `resources.requests` and `resources.limits` for `cpu` and `memory`");
        }
        for resource in RESOURCES {
            let (Some(request), Some(limit)) = (
                amount(&container, "requests", resource),
                amount(&container, "limits", resource),
            ) else {
                continue;
            };
            if let (Ok(r), Ok(l)) = (&request.value, &limit.value)
                && r > l
            {
                cx.report(
                    &RULE,
                    item,
                    request.node,
                    format!(
                        "`requests.{resource}: {}` is above `limits.{resource}: {}`",
                        request.text(),
                        limit.text()
                    ),
                )
                .help("a request cannot exceed its limit; lower the request or raise the limit");
            }
        }
    }
}
