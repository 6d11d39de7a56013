//! Cluster apply: approved manifests reach a Kubernetes cluster by server-side apply, after a
//! server dry run whose diff a person reviewed.
//!
//! The flow, and where each step lives:
//!
//! 1. [`Manifests::load`] (or [`Manifests::add_text`] for staged content) reads the objects,
//!    refusing documents without `apiVersion`, `kind` or `metadata.name` and setting aside
//!    Secrets from `*.example` files ([`manifest`]).
//! 2. [`Cluster::connect`] picks the kubeconfig, context and namespace the way kubectl does
//!    ([`connect`]).
//! 3. [`Cluster::plan`] orders the objects ([`order`]), dry-runs each apply on the server and
//!    gives a [`Change`] per object with the live and proposed YAML, bookkeeping removed and
//!    Secret values masked, ready for [`crate::apply::diff::unified`] ([`plan`]). Custom
//!    resources whose CustomResourceDefinition comes in the same apply are planned from the
//!    definition ([`crd`]).
//! 4. [`crate::apply::review::Reviewer::review_plan`] shows each [`Change::diff`] and asks (see
//!    [`crate::apply::approve`]).
//! 5. [`Cluster::apply`] applies the approved changes in order as field manager `aigen` (a custom
//!    resource once its new definition is established) and reports what was applied and, if it
//!    stopped, what was not ([`apply`]); [`ClusterApply`] is its record ([`record`]).
//! 6. [`Cluster::wait_for_rollouts`] waits for Deployments, StatefulSets and DaemonSets to
//!    become ready ([`rollout`]).
//!
//! Every failed request becomes an error that names the object, the context and what to do
//! ([`errors`]). The functions are async (kube is); a command runs them on a Tokio runtime.
//!
//! ```no_run
//! use aigen::apply::cluster::{Cluster, ConnectOptions, Manifests, PlanOptions, RolloutOptions};
//! # async fn example() -> aigen::Result<()> {
//! let manifests = Manifests::load(&["k8s".into()])?;
//! let cluster = Cluster::connect(&ConnectOptions::new(None, None, Some("todo".into()))).await?;
//! let plan = cluster.plan(&manifests, PlanOptions::default()).await?;
//! for change in plan.pending() {
//!     println!("{}", change.diff());
//! }
//! let report = cluster.apply(plan.pending()).await.into_result()?;
//! let applied: Vec<_> = report.applied.iter().map(|a| a.object.clone()).collect();
//! cluster
//!     .wait_for_rollouts(&applied, RolloutOptions::default(), |r| eprintln!("{r}"))
//!     .await?;
//! # Ok(())
//! # }
//! ```

pub(crate) mod apply;
pub(crate) mod connect;
pub(crate) mod crd;
mod errors;
pub(crate) mod manifest;
pub(crate) mod normalize;
pub(crate) mod object;
pub(crate) mod order;
pub(crate) mod plan;
pub(crate) mod record;
pub(crate) mod rollout;

pub use apply::{Applied, ApplyReport, Failure};
pub use connect::{Cluster, ConnectOptions, Endpoint};
pub use manifest::{Manifest, Manifests, ObjectKey, Skipped, Source};
pub use object::ObjectRef;
pub use plan::{Action, Change, FIELD_MANAGER, Plan, PlanOptions};
pub(crate) use record::ClusterApply;
pub use rollout::{Condition, Rollout, RolloutOptions};
