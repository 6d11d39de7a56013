//! `AG-K105`: the requests of all replicas fit in the configured share of the cluster.

use crate::policy::k8s::check::Checker;
use crate::policy::k8s::quantity::Quantity;
use crate::policy::k8s::resources::pod_request;
use crate::policy::k8s::set::Item;
use crate::policy::registry::{NoParams, declare_rule};

declare_rule! {
    /// ## What it does
    /// Adds up, across all files linted together, the CPU and memory requests of every pod the
    /// workloads run (requests of a pod × its replicas, a Job's parallelism, one pod for a Pod,
    /// a CronJob or a DaemonSet on a single-node cluster) and checks that the totals stay
    /// within the constitution's `cluster.max_request_share` of `cluster.cpu` and
    /// `cluster.memory` (70 % of 4 CPU / 8 GiB in the Phase IV preset). A container without
    /// requests counts with its limits, as Kubernetes defaults them; init containers count as
    /// the scheduler counts them. The message gives the arithmetic.
    ///
    /// ## Why is this bad?
    /// Requests are reserved, used or not. Once they pass the cluster's allocatable capacity,
    /// new pods stay Pending: a rollout (which surges extra pods) or a second replica cannot
    /// be scheduled. The headroom the constitution keeps is for system pods, surges and
    /// add-ons such as metrics-server.
    ///
    /// ## Example
    /// Three services with 2 replicas each, each container requesting `cpu: "1"`: 6 CPU
    /// requested on a 4-CPU Minikube.
    ///
    /// ## Use instead
    /// Requests that fit: 2 × 250m + 4 × 100m = 0.9 CPU, under 2.8 CPU.
    ///
    /// ## Options
    /// None; the numbers are the constitution's `cluster` section.
    pub(crate) const RULE = {
        code: "AG-K105",
        name: "cluster-request-share",
        target: Kubernetes,
        severity: Error,
        summary: "requests of all replicas stay within the configured share of the cluster",
        aliases: [],
        params: NoParams,
    };
}

/// One workload's share of the total.
struct Share<'s, 'a> {
    item: &'s Item<'a>,
    pods: i64,
    cpu: Quantity,
    memory: Quantity,
}

pub(crate) fn check(cx: &mut Checker<'_, '_>) {
    let set = cx.set;
    let Some(cluster) = set.constitution.cluster.as_ref() else {
        return;
    };
    let (Ok(cpu), Ok(memory)) = (
        Quantity::parse(&cluster.cpu),
        Quantity::parse(&cluster.memory),
    ) else {
        return;
    };
    let share = cluster.max_request_share;
    let shares: Vec<Share<'_, '_>> = set
        .workloads()
        .filter_map(|item| {
            let spec = item.object.pod_spec()?;
            let pods = item.object.pod_count();
            Some(Share {
                item,
                pods,
                cpu: pod_request(&spec, "cpu").times(pods),
                memory: pod_request(&spec, "memory").times(pods),
            })
        })
        .collect();
    let total_cpu = shares
        .iter()
        .fold(Quantity::ZERO, |t, s| t.saturating_add(s.cpu));
    let total_memory = shares
        .iter()
        .fold(Quantity::ZERO, |t, s| t.saturating_add(s.memory));
    let pods: i64 = shares.iter().map(|s| s.pods).sum();
    let (cpu_limit, memory_limit) = (cpu.share(share), memory.share(share));
    let cpu_over = total_cpu > cpu_limit;
    let memory_over = total_memory > memory_limit;
    if !cpu_over && !memory_over {
        return;
    }
    // The finding goes to the workload that asks for the most of what is over.
    let Some(largest) = shares
        .iter()
        .max_by_key(|s| if cpu_over { s.cpu } else { s.memory })
    else {
        return;
    };
    let percent = (share * 100.0).round();
    let message = format!(
        "requests total {} CPU / {} over {pods} pods; limit {} CPU ({percent}% of {}) / {} \
         ({percent}% of {})",
        total_cpu.cpu_display(),
        total_memory.memory_display(),
        cpu_limit.cpu_display(),
        cpu.cpu_display(),
        memory_limit.memory_display(),
        memory.memory_display(),
    );
    let biggest = if cpu_over {
        format!("{} CPU", largest.cpu.cpu_display())
    } else {
        largest.memory.memory_display()
    };
    cx.report(&RULE, largest.item, largest.item.anchor(), message)
        .help(format!(
            "lower requests or replicas (`{}` asks for the most: {biggest} over {} pods), or \
             size the cluster up in the constitution's `cluster` section",
            largest.item.object.display(),
            largest.pods
        ));
}
