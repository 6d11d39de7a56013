//! Running a built image and judging it: started as its non-root user, with a read-only root
//! filesystem and a tmpfs for each writable mount the manifests give it (a volume of the run
//! when steps run before the server, [`super::prestart`], which must share them), no network, all
//! capabilities dropped, the settings of [`RunSettings`]; then watched until it is judged or the
//! time is up. Judged healthy when the process stays up, something listens on the declared port
//! (HTTP and gRPC services), the image's HEALTHCHECK turns healthy (run every second, with the
//! judging window as its start period), and the liveness path answers below 400; the readiness
//! path's answer is recorded as the application gives it. A worker (no port) is judged by staying
//! up and by its HEALTHCHECK, if it has one. The container (and a probe helper) is removed at the
//! end, whatever happened.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::models::{ContainerCreateBody, HealthConfig, HealthStatusEnum, HostConfig};
use futures_util::StreamExt;

use super::prestart::{self, RunVolumes};
use super::probe::Prober;
use super::run_settings::RunSettings;
use super::verdict::{ProbeResult, RunReport, RunVerdict};
use super::{Engine, SERVICE_LABEL, engine_error};
use crate::detect::ServiceKind;
use crate::error::{Error, Result};
use crate::secrets::Redactor;

/// Log lines kept for the report.
const LOG_TAIL: usize = 40;
/// How long a worker must stay up.
const WORKER_SETTLE: Duration = Duration::from_secs(5);

/// One image to run.
pub(crate) struct RunRequest<'a> {
    pub service: &'a str,
    /// The image ID or tag.
    pub image: &'a str,
    pub kind: ServiceKind,
    pub port: Option<u16>,
    pub liveness: Option<&'a str>,
    pub readiness: Option<&'a str>,
    pub settings: &'a RunSettings,
    /// The container whose network namespace it joins (its peers', [`super::peers`]); `None`:
    /// no network at all.
    pub network: Option<&'a str>,
    /// What [`super::peers`] started beside it, one line a peer.
    pub peers: Vec<String>,
    /// Images a probe helper may be made from when the image has no tool to probe with (the
    /// bases of its Dockerfile's stages).
    pub helper_images: Vec<String>,
    /// Give up judging after this long.
    pub timeout: Duration,
    pub redactor: &'a Redactor,
}

/// Runs an image and judges it. An engine that fails is an error (exit 3); a container that
/// fails is a report.
pub(crate) fn run_image(engine: &Engine, request: &RunRequest<'_>) -> Result<RunReport> {
    let docker = engine.docker();
    let image = engine
        .block_on(docker.inspect_image(request.image))
        .map_err(|e| engine_error(format!("image {} cannot be read: {e}", request.image)))?;
    let config = image.config.unwrap_or_default();
    let user = request
        .settings
        .user
        .clone()
        .or(config.user.filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "0".to_string());
    let healthcheck = config
        .healthcheck
        .filter(|h| {
            h.test
                .as_ref()
                .is_some_and(|t| t.first().is_some_and(|w| w != "NONE"))
        })
        .map(|h| HealthConfig {
            test: h.test,
            interval: Some(1_000_000_000),
            timeout: h.timeout.or(Some(3_000_000_000)),
            retries: h.retries.or(Some(3)),
            start_period: Some(request.timeout.as_nanos() as i64),
            start_interval: None,
        });
    let has_healthcheck = healthcheck.is_some();
    let workdir = config
        .working_dir
        .clone()
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| "/".to_string());
    let mounts = tmpfs_mounts(&request.settings.writable, &workdir, &user);
    let writable: Vec<String> = mounts.iter().map(|(path, _)| path.clone()).collect();
    // Steps before the server write what it reads: the writable paths are volumes they share,
    // where a tmpfs would die with each step's container.
    let steps = &request.settings.prestart;
    let volumes = match steps.is_empty() {
        true => None,
        false => Some(
            engine
                .block_on(RunVolumes::create(docker, request.service, &writable))
                .map_err(engine_error)?,
        ),
    };
    let tmpfs: HashMap<String, String> = match volumes {
        Some(_) => HashMap::new(),
        None => mounts.into_iter().collect(),
    };
    let body = ContainerCreateBody {
        image: Some(request.image.to_string()),
        env: Some(request.settings.env_strings()),
        user: Some(user.clone()),
        healthcheck,
        labels: Some(HashMap::from([(
            SERVICE_LABEL.to_string(),
            request.service.to_string(),
        )])),
        host_config: Some(HostConfig {
            network_mode: Some(
                request
                    .network
                    .map_or_else(|| "none".to_string(), |c| format!("container:{c}")),
            ),
            readonly_rootfs: Some(true),
            tmpfs: Some(tmpfs),
            mounts: volumes.as_ref().map(|v| v.mounts.clone()),
            cap_drop: Some(vec!["ALL".to_string()]),
            security_opt: Some(vec!["no-new-privileges".to_string()]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let started = Instant::now();
    let mut report = RunReport {
        verdict: RunVerdict::NotStarted,
        kind: request.kind.to_string(),
        user: user.clone(),
        healthy_after_ms: None,
        healthcheck: if has_healthcheck { "starting" } else { "none" }.to_string(),
        listening: None,
        probes: Vec::new(),
        probed_with: "nothing".to_string(),
        exit_code: None,
        problems: Vec::new(),
        throwaway_secrets: request.settings.throwaway_names(),
        writable,
        peers: request.peers.clone(),
        prestart: Vec::new(),
        logs: Vec::new(),
        duration_ms: 0,
    };
    if user == "0" || user == "root" || user.starts_with("0:") || user.starts_with("root:") {
        report
            .problems
            .push("the image runs as root and the manifests name no other user".to_string());
    }
    let mut cleanup: Vec<String> = Vec::new();
    let judged = engine.block_on(async {
        if !steps.is_empty() {
            // A step's container is in `cleanup` while it exists: Ctrl-C mid-step removes it
            // (and then the volumes it shares) with the rest.
            let running = prestart::run_steps(
                docker,
                &body,
                steps,
                request.timeout,
                request.redactor,
                &mut cleanup,
            );
            tokio::select! {
                ran = running => report.prestart = ran,
                _ = tokio::signal::ctrl_c() => return Err(Error::Interrupted),
            }
            if let Some(failed) = report.prestart.last().filter(|s| s.exit_code != Some(0)) {
                report.verdict = RunVerdict::Exited;
                report.exit_code = failed.exit_code;
                report.problems.push(format!(
                    "`{}`, run before the server, failed: {}; the server was not started",
                    failed.command,
                    failed.problem.as_deref().unwrap_or("it did not exit 0")
                ));
                report.logs = failed.logs.clone();
                return Ok(None);
            }
        }
        let created = super::create_container(docker, body).await.map_err(|e| {
            engine_error(format!(
                "the container of {} cannot be created: {e}",
                request.service
            ))
        })?;
        cleanup.push(created.clone());
        if let Err(error) = super::start_container(docker, &created).await {
            report.problems.push(format!(
                "it could not be started: {}",
                request.redactor.redact_string(&error.to_string())
            ));
            return Ok::<_, Error>(Some(created));
        }
        let judging = judge(
            docker,
            &created,
            request,
            has_healthcheck,
            &mut report,
            &mut cleanup,
            started,
        );
        tokio::select! {
            () = judging => {}
            _ = tokio::signal::ctrl_c() => return Err(Error::Interrupted),
        }
        Ok(Some(created))
    });
    let container = judged.as_ref().ok().cloned().flatten();
    if let Some(container) = &container {
        report.logs = engine.block_on(logs(docker, container, request.redactor));
    }
    for id in cleanup.iter().rev() {
        engine.block_on(super::remove_container(docker, id));
    }
    if let Some(volumes) = &volumes {
        engine.block_on(volumes.remove(docker));
    }
    judged?;
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// Watches the container until it is judged, or the time is up.
async fn judge(
    docker: &Docker,
    container: &str,
    request: &RunRequest<'_>,
    has_healthcheck: bool,
    report: &mut RunReport,
    cleanup: &mut Vec<String>,
    started: Instant,
) {
    let deadline = started + request.timeout;
    let needs_port = matches!(request.kind, ServiceKind::Http | ServiceKind::Grpc);
    let port = request.port.filter(|_| needs_port);
    if needs_port && port.is_none() {
        report.problems.push(format!(
            "no port is declared for this {} service",
            request.kind
        ));
    }
    let mut prober: Option<Prober> = None;
    let mut looked_for_prober = false;
    let mut live = port.is_none();
    let mut healthy = !has_healthcheck;
    loop {
        let state = docker
            .inspect_container(
                container,
                None::<bollard::query_parameters::InspectContainerOptions>,
            )
            .await
            .ok()
            .and_then(|c| c.state);
        let Some(state) = state else {
            report
                .problems
                .push("the engine lost the container".to_string());
            return;
        };
        if state.running != Some(true) {
            report.verdict = RunVerdict::Exited;
            report.exit_code = state.exit_code;
            let oom = if state.oom_killed == Some(true) {
                " (killed: out of memory)"
            } else {
                ""
            };
            report.problems.push(format!(
                "the process exited with code {}{oom} {} after the start",
                state.exit_code.unwrap_or(-1),
                super::seconds(started.elapsed())
            ));
            return;
        }
        if let Some(health) = state.health.and_then(|h| h.status) {
            report.healthcheck = match health {
                HealthStatusEnum::HEALTHY => "healthy",
                HealthStatusEnum::UNHEALTHY => "unhealthy",
                HealthStatusEnum::STARTING => "starting",
                _ => "none",
            }
            .to_string();
            if health == HealthStatusEnum::UNHEALTHY {
                report.verdict = RunVerdict::Unhealthy;
                report
                    .problems
                    .push("its HEALTHCHECK turned unhealthy".to_string());
                return;
            }
            healthy = health == HealthStatusEnum::HEALTHY || healthy;
        }
        if let Some(port) = port
            && !live
        {
            if !looked_for_prober {
                looked_for_prober = true;
                prober = find_prober(docker, container, request, cleanup, report).await;
            }
            if let Some(prober) = &prober {
                live = match (request.kind, request.liveness) {
                    (ServiceKind::Http, Some(path)) => prober
                        .http_status(docker, port, path)
                        .await
                        .is_some_and(|s| s < 400),
                    (ServiceKind::Http, None) => {
                        prober.http_status(docker, port, "/").await.is_some()
                    }
                    _ => prober.listens(docker, port).await,
                };
            } else if healthy && has_healthcheck {
                // Nothing to probe with: the HEALTHCHECK is the only judge.
                live = true;
            }
        }
        let settled = port.is_some() || started.elapsed() >= WORKER_SETTLE;
        if live && healthy && settled {
            report.healthy_after_ms = Some(started.elapsed().as_millis() as u64);
            break;
        }
        if Instant::now() >= deadline {
            report.verdict = RunVerdict::Unhealthy;
            if !healthy {
                report.problems.push(format!(
                    "its HEALTHCHECK did not turn healthy within {} s",
                    request.timeout.as_secs()
                ));
            }
            if !live {
                report
                    .problems
                    .push(match (request.kind, request.liveness, port) {
                        (ServiceKind::Http, Some(path), Some(port)) => format!(
                            "{path} on port {port} did not answer below 400 within {} s",
                            request.timeout.as_secs()
                        ),
                        (_, _, Some(port)) => format!(
                            "nothing listened on port {port} within {} s",
                            request.timeout.as_secs()
                        ),
                        _ => "it could not be probed".to_string(),
                    });
            }
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // The answers as they are once it is up, and whether it stays up.
    if let (Some(port), Some(prober)) = (port, &prober) {
        report.listening = Some(prober.listens(docker, port).await || live);
        if request.kind == ServiceKind::Http {
            for (probe, path) in [
                ("liveness", request.liveness),
                ("readiness", request.readiness),
            ] {
                if let Some(path) = path {
                    report.probes.push(ProbeResult {
                        probe: probe.to_string(),
                        path: path.to_string(),
                        status: prober.http_status(docker, port, path).await,
                    });
                }
            }
        }
    } else if port.is_some() {
        report.listening = Some(live);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let running = docker
        .inspect_container(
            container,
            None::<bollard::query_parameters::InspectContainerOptions>,
        )
        .await
        .ok()
        .and_then(|c| c.state)
        .and_then(|s| s.running)
        == Some(true);
    if !running {
        report.verdict = RunVerdict::Exited;
        report.healthy_after_ms = None;
        report
            .problems
            .push("the process did not stay up".to_string());
    } else if report.verdict == RunVerdict::NotStarted && report.problems.is_empty() {
        report.verdict = RunVerdict::Healthy;
    } else if report.verdict == RunVerdict::NotStarted {
        report.verdict = RunVerdict::Unhealthy;
        report.healthy_after_ms = None;
    }
}

/// A prober in the container, else in a helper container sharing its network namespace.
async fn find_prober(
    docker: &Docker,
    container: &str,
    request: &RunRequest<'_>,
    cleanup: &mut Vec<String>,
    report: &mut RunReport,
) -> Option<Prober> {
    if let Some(prober) = Prober::find(docker, container).await {
        report.probed_with = prober.describe(false);
        return Some(prober);
    }
    for image in &request.helper_images {
        let body = ContainerCreateBody {
            image: Some(image.clone()),
            entrypoint: Some(vec!["sh".into(), "-c".into(), "sleep 600".into()]),
            cmd: Some(Vec::new()),
            host_config: Some(HostConfig {
                network_mode: Some(format!("container:{container}")),
                ..Default::default()
            }),
            ..Default::default()
        };
        let Ok(helper) = super::create_container(docker, body).await else {
            continue;
        };
        cleanup.push(helper.clone());
        if super::start_container(docker, &helper).await.is_err() {
            continue;
        }
        if let Some(prober) = Prober::find(docker, &helper).await {
            report.probed_with = format!("{} (image {image})", prober.describe(true));
            return Some(prober);
        }
    }
    report.probed_with =
        "its HEALTHCHECK only: no image at hand has Python, Node.js, wget or curl".to_string();
    None
}

/// The end of the container's logs, each line redacted.
pub(super) async fn logs(docker: &Docker, container: &str, redactor: &Redactor) -> Vec<String> {
    let options = bollard::query_parameters::LogsOptions {
        stdout: true,
        stderr: true,
        tail: LOG_TAIL.to_string(),
        ..Default::default()
    };
    let mut stream = docker.logs(container, Some(options));
    let mut text = String::new();
    while let Some(Ok(chunk)) = stream.next().await {
        text.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
    }
    let text = redactor.redact_string(&text);
    text.lines().map(str::to_string).collect()
}

/// A tmpfs for each writable path (a relative one under the image's working directory
/// `workdir`), world-writable as a cluster's `emptyDir` is, and owned by the container's user
/// when it is numeric (`uid` or `uid:gid`), as a pod's `fsGroup` makes it.
fn tmpfs_mounts(writable: &[String], workdir: &str, user: &str) -> Vec<(String, String)> {
    let owner = match numeric_ids(user) {
        Some((uid, Some(gid))) => format!(",uid={uid},gid={gid}"),
        Some((uid, None)) => format!(",uid={uid}"),
        None => String::new(),
    };
    writable
        .iter()
        .map(|path| {
            (
                crate::fsutil::container_path(path, workdir),
                format!("rw,nosuid,nodev,mode=1777,size=256m{owner}"),
            )
        })
        .collect()
}

/// The numeric ids of a container user as written: `10001:10001` → uid and gid, `10001` and
/// `10001:staff` → the uid alone; `None` when the user is a name (`app`, `app:10001`).
fn numeric_ids(user: &str) -> Option<(&str, Option<&str>)> {
    let is_id = |id: &&str| id.parse::<u32>().is_ok();
    let (uid, gid) = match user.split_once(':') {
        Some((uid, gid)) => (uid, Some(gid)),
        None => (user, None),
    };
    Some((Some(uid).filter(is_id)?, gid.filter(is_id)))
}

#[cfg(test)]
mod tmpfs_tests {
    use super::{numeric_ids, tmpfs_mounts};

    #[test]
    fn only_numeric_ids_are_read_from_the_user() {
        assert_eq!(numeric_ids("10001:10001"), Some(("10001", Some("10001"))));
        assert_eq!(numeric_ids("10001"), Some(("10001", None)));
        assert_eq!(numeric_ids("10001:staff"), Some(("10001", None)));
        assert_eq!(numeric_ids("app"), None);
        assert_eq!(numeric_ids("app:10001"), None);
        assert_eq!(numeric_ids(""), None);
    }

    #[test]
    fn relative_paths_land_in_the_working_directory_owned_by_the_user() {
        let mounts = tmpfs_mounts(&["/tmp".into(), "data".into()], "/app", "10001:10001");
        assert_eq!(
            mounts,
            [
                (
                    "/tmp".to_string(),
                    "rw,nosuid,nodev,mode=1777,size=256m,uid=10001,gid=10001".to_string()
                ),
                (
                    "/app/data".to_string(),
                    "rw,nosuid,nodev,mode=1777,size=256m,uid=10001,gid=10001".to_string()
                ),
            ]
        );
        let named = tmpfs_mounts(&["data".into()], "/", "app");
        assert_eq!(named[0].0, "/data");
        assert_eq!(named[0].1, "rw,nosuid,nodev,mode=1777,size=256m");
    }
}
