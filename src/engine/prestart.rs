//! The steps a service runs before its server (migrations, schema set-up: a pod's init
//! containers), run as a pod runs them: each in a container of the same image, with the same
//! environment, user and hardening, one after the other, each to completion; a step that fails
//! stops the run. Their writes must reach the server, as an `emptyDir` shared by a pod's
//! containers carries them, and a tmpfs dies with its container: each writable path is then a
//! volume made for this run and removed after it. A fresh volume takes the content, owner and
//! mode of the image's directory it is mounted over (the data directories the generated image
//! creates and gives to its user); a directory the image lacks is created root's.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::SERVICE_LABEL;
use super::run::logs;
use super::verdict::StepReport;
use crate::secrets::Redactor;
use bollard::Docker;
use bollard::errors::Error as BollardError;
use bollard::models::{ContainerCreateBody, Mount, MountType, VolumeCreateRequest};
use futures_util::StreamExt;

/// The volumes of one run, one per writable path.
pub(crate) struct RunVolumes {
    names: Vec<String>,
    /// The mounts of the volumes, for every container of the run.
    pub mounts: Vec<Mount>,
}

impl RunVolumes {
    /// Makes a volume for each of `paths` (absolute), labelled with the service; those made
    /// before an error are removed.
    pub(crate) async fn create(
        docker: &Docker,
        service: &str,
        paths: &[String],
    ) -> Result<Self, String> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut volumes = Self {
            names: Vec::new(),
            mounts: Vec::new(),
        };
        for (i, path) in paths.iter().enumerate() {
            let name = format!("aigen-verify-{service}-{stamp}-{i}");
            let request = VolumeCreateRequest {
                name: Some(name.clone()),
                labels: Some(HashMap::from([(
                    SERVICE_LABEL.to_string(),
                    service.to_string(),
                )])),
                ..Default::default()
            };
            if let Err(error) = docker.create_volume(request).await {
                volumes.remove(docker).await;
                return Err(format!("a volume for {path} cannot be created: {error}"));
            }
            volumes.names.push(name.clone());
            volumes.mounts.push(Mount {
                target: Some(path.clone()),
                source: Some(name),
                typ: Some(MountType::VOLUME),
                ..Default::default()
            });
        }
        Ok(volumes)
    }

    /// Removes the volumes (their containers must be gone).
    pub(crate) async fn remove(&self, docker: &Docker) {
        for name in &self.names {
            let options = bollard::query_parameters::RemoveVolumeOptions { force: true };
            let _ = docker.remove_volume(name, Some(options)).await;
        }
    }
}

/// Runs `steps` in order, each in a container made from `body` with the step as its command
/// (as a pod's `command` replaces the image's entrypoint and arguments), until one fails or
/// outlasts `timeout`. Returns what each did; the last is the one that failed, if one did.
/// The container of the step under way is in `containers` while it exists, so a caller that
/// drops this future (Ctrl-C) can still remove it.
pub(crate) async fn run_steps(
    docker: &Docker,
    body: &ContainerCreateBody,
    steps: &[Vec<String>],
    timeout: Duration,
    redactor: &Redactor,
    containers: &mut Vec<String>,
) -> Vec<StepReport> {
    let mut reports = Vec::new();
    for step in steps {
        let report = run_step(docker, body, step, timeout, redactor, containers).await;
        let failed = report.exit_code != Some(0);
        reports.push(report);
        if failed {
            break;
        }
    }
    reports
}

/// Waits until the container stops; its exit code, `None` when the engine lost it.
async fn exit_code(docker: &Docker, id: &str) -> Option<i64> {
    loop {
        let waited = docker
            .wait_container(id, None::<bollard::query_parameters::WaitContainerOptions>)
            .next()
            .await;
        match waited {
            Some(Ok(response)) => return Some(response.status_code),
            // bollard turns a non-zero exit into an error that carries the code.
            Some(Err(BollardError::DockerContainerWaitError { code, .. })) => return Some(code),
            // An engine that answers only when the container stops outlasts the client's
            // request timeout; the container still runs, so wait again.
            Some(Err(BollardError::RequestTimeoutError)) => {}
            _ => return None,
        }
    }
}

async fn run_step(
    docker: &Docker,
    body: &ContainerCreateBody,
    step: &[String],
    timeout: Duration,
    redactor: &Redactor,
    containers: &mut Vec<String>,
) -> StepReport {
    let started = Instant::now();
    let mut report = StepReport {
        command: redactor.redact_string(&step.join(" ")),
        exit_code: None,
        problem: None,
        logs: Vec::new(),
        duration_ms: 0,
    };
    let body = ContainerCreateBody {
        entrypoint: Some(step.to_vec()),
        cmd: None,
        healthcheck: None,
        ..body.clone()
    };
    let id = match super::create_container(docker, body).await {
        Ok(id) => id,
        Err(error) => {
            report.problem = Some(format!("it could not be created: {error}"));
            return report;
        }
    };
    containers.push(id.clone());
    match super::start_container(docker, &id).await {
        Err(error) => {
            report.problem = Some(format!(
                "it could not be started: {}",
                redactor.redact_string(&error.to_string())
            ));
        }
        Ok(()) => {
            let left = timeout.saturating_sub(started.elapsed());
            match tokio::time::timeout(left, exit_code(docker, &id)).await {
                Ok(code) => report.exit_code = code,
                Err(_) => {
                    report.problem = Some(format!(
                        "it was still running after {} s",
                        timeout.as_secs()
                    ));
                }
            }
        }
    }
    if report.exit_code != Some(0) {
        report.logs = logs(docker, &id, redactor).await;
        if report.problem.is_none() {
            let code = report
                .exit_code
                .map_or_else(|| "no code".to_string(), |c| format!("code {c}"));
            report.problem = Some(format!("it exited with {code}"));
        }
    }
    super::remove_container(docker, &id).await;
    containers.retain(|container| *container != id);
    report.duration_ms = started.elapsed().as_millis() as u64;
    report
}
