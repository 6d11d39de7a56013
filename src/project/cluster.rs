//! Applying the project's manifests to a cluster, as `aigen apply --cluster` and the MCP tool
//! `apply_cluster` do it: [`Project::plan_cluster`] loads the manifests (default: the manifests
//! directory), connects and plans by server dry run; the caller has the changes approved its own
//! way (a reviewer at the terminal, elicitation through MCP); [`ClusterPlan::apply`] applies the
//! approved ones and appends the record of the apply, whether it finished or not.

use std::path::PathBuf;

use super::Project;
use crate::apply::cluster::{
    ApplyReport, Change, Cluster, ClusterApply, ConnectOptions, Endpoint, Manifests, Plan,
    PlanOptions,
};
use crate::error::Result;
use crate::fsutil;

/// A plan made against a cluster, with what it is made from.
pub(crate) struct ClusterPlan {
    pub cluster: Cluster,
    pub endpoint: Endpoint,
    /// The manifest files and directories, absolute.
    pub paths: Vec<PathBuf>,
    pub manifests: Manifests,
    pub plan: Plan,
}

/// What an apply did and the record it appended.
pub(crate) struct ClusterOutcome {
    pub report: ApplyReport,
    /// `<dir>/<id>` of the record.
    pub record: String,
}

impl Project {
    /// Loads the manifests under `paths` (relative to the working directory; default: the
    /// manifests directory), connects the way kubectl does and plans every object by server dry
    /// run.
    pub(crate) async fn plan_cluster(
        &self,
        paths: &[PathBuf],
        connect: &ConnectOptions,
        options: PlanOptions,
    ) -> Result<ClusterPlan> {
        let settings = &self.settings;
        let paths: Vec<PathBuf> = if paths.is_empty() {
            vec![settings.in_root(self.params.manifest_dir())]
        } else {
            paths.iter().map(|p| settings.cwd.join(p)).collect()
        };
        let manifests = Manifests::load(&paths)?;
        let cluster = Cluster::connect(connect).await?;
        let endpoint = cluster.endpoint().clone();
        let plan = cluster.plan(&manifests, options).await?;
        Ok(ClusterPlan {
            cluster,
            endpoint,
            paths,
            manifests,
            plan,
        })
    }
}

impl ClusterPlan {
    /// Applies the approved changes in order and appends the record of the apply to the
    /// project's trail, under its feature, with `command_line`. An apply that stopped part way
    /// is recorded too; [`ApplyReport::into_result`] turns it into the error.
    pub(crate) async fn apply(
        &self,
        project: &Project,
        approved: &[&Change],
        command_line: String,
    ) -> Result<ClusterOutcome> {
        let report = self.cluster.apply(approved.iter().copied()).await;
        let root = &project.settings.root;
        let files = self
            .paths
            .iter()
            .map(|p| fsutil::slash_path(&fsutil::relative_to(p, root)))
            .collect();
        let record = ClusterApply {
            endpoint: &self.endpoint,
            approved,
            report: &report,
            files,
        }
        .record(project.settings.feature.clone(), command_line);
        let appended = project.store.append(record)?;
        Ok(ClusterOutcome {
            report,
            record: appended.reference,
        })
    }
}
