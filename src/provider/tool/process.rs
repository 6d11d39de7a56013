//! Running a tool as a child process: a deadline, a cap on what it prints, and nothing left
//! behind.
//!
//! The child runs in a process group of its own (so Ctrl-C in the terminal reaches aigen, not the
//! tool, and aigen decides what happens), with stdin closed unless the prompt goes there, and the
//! environment passed through. Its stdout is read as it comes and handed to a callback; its
//! stderr is kept (the first 64 KiB) for error messages. On timeout, interrupt or a stdout past
//! the cap, the whole group gets SIGTERM, then SIGKILL after a short grace, and the child is
//! reaped. When the child exits by itself, whatever it left running in its group is killed too.

use std::io;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};
use tokio::time::Instant;

use crate::provider::cancel::CancellationToken;

/// How much stderr is kept for messages.
const STDERR_CAP: usize = 64 * 1024;
/// How long a group has between SIGTERM and SIGKILL.
const TERMINATE_GRACE: Duration = Duration::from_secs(2);
/// How long aigen keeps reading output after the child has exited (a helper that escaped its
/// process group may hold the pipe open).
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// What to run.
#[derive(Debug, Clone)]
pub(crate) struct Spec<'a> {
    pub program: &'a str,
    pub args: &'a [String],
    /// Written to the child's stdin, which is then closed; `None` leaves stdin closed.
    pub stdin: Option<&'a str>,
    /// Set in the child's environment on top of aigen's own.
    pub env: &'a [(String, String)],
    pub cwd: &'a Path,
    pub timeout: Duration,
    /// The most of stdout that is kept; past it the child is stopped.
    pub cap: usize,
}

/// A child that ran to its end.
#[derive(Debug)]
pub(crate) struct Finished {
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub status: ExitStatus,
    /// Stdout went past the cap: `stdout` holds the first `cap` bytes and the child was stopped.
    pub truncated: bool,
}

/// Why a child did not run to its end.
#[derive(Debug)]
pub(crate) enum Stopped {
    /// It could not be started.
    Spawn(io::Error),
    /// Its output could not be read.
    Read(io::Error),
    /// It ran past the timeout and was stopped; `stdout` is what it printed until then.
    Timeout { stdout: Vec<u8>, stderr: String },
    /// The request was cancelled and the child stopped.
    Interrupted { stdout: Vec<u8> },
}

/// Runs `spec`, passing each piece of stdout to `on_stdout` as it arrives.
pub(crate) async fn run(
    spec: &Spec<'_>,
    on_stdout: &mut (dyn FnMut(&[u8]) + Send),
    cancel: &CancellationToken,
) -> Result<Finished, Stopped> {
    let mut command = Command::new(spec.program);
    command
        .args(spec.args)
        .current_dir(spec.cwd)
        .envs(spec.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(if spec.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command.spawn().map_err(Stopped::Spawn)?;
    let group = Group::of(&child);
    // Should this future be dropped half-way, the group goes with it.
    let _guard = KillOnDrop(group);

    if let (Some(text), Some(mut stdin)) = (spec.stdin, child.stdin.take()) {
        let bytes = text.as_bytes().to_vec();
        // A tool that stops reading early closes the pipe; that is its business, not an error.
        tokio::spawn(async move {
            let _ = stdin.write_all(&bytes).await;
        });
    }
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let stderr_task = child.stderr.take().map(|mut pipe| {
        let kept = Arc::clone(&stderr);
        tokio::spawn(async move {
            let mut buf = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                if let Ok(mut kept) = kept.lock() {
                    let room = STDERR_CAP.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
            }
        })
    });
    let stderr_text = |task: Option<tokio::task::JoinHandle<()>>| {
        if let Some(task) = task {
            task.abort();
        }
        let kept = stderr.lock().map(|kept| kept.clone()).unwrap_or_default();
        String::from_utf8_lossy(&kept).into_owned()
    };

    let mut stdout_pipe = child.stdout.take();
    let mut stdout = Vec::new();
    let mut truncated = false;
    let mut status = None;
    let mut deadline = Instant::now() + spec.timeout;
    let mut buf = vec![0u8; 16 * 1024];
    while stdout_pipe.is_some() || status.is_none() {
        tokio::select! {
            biased;
            () = cancel.cancelled() => {
                group.terminate(&mut child).await;
                stderr_text(stderr_task);
                return Err(Stopped::Interrupted { stdout });
            }
            () = tokio::time::sleep_until(deadline) => {
                if status.is_some() {
                    // Exited, but something it started still holds stdout open: stop reading.
                    break;
                }
                group.terminate(&mut child).await;
                let stderr = stderr_text(stderr_task);
                return Err(Stopped::Timeout { stdout, stderr });
            }
            exited = child.wait(), if status.is_none() => {
                let exited = match exited {
                    Ok(exited) => exited,
                    Err(error) => {
                        group.terminate(&mut child).await;
                        stderr_text(stderr_task);
                        return Err(Stopped::Read(error));
                    }
                };
                status = Some(exited);
                group.kill();
                deadline = deadline.min(Instant::now() + DRAIN_GRACE);
            }
            read = read_some(&mut stdout_pipe, &mut buf), if stdout_pipe.is_some() => {
                match read {
                    Ok(0) => stdout_pipe = None,
                    Ok(n) => {
                        let room = spec.cap.saturating_sub(stdout.len());
                        let kept = &buf[..n.min(room)];
                        stdout.extend_from_slice(kept);
                        on_stdout(kept);
                        if n > room {
                            truncated = true;
                            stdout_pipe = None;
                            if status.is_none() {
                                group.terminate(&mut child).await;
                                status = child.try_wait().ok().flatten();
                            }
                        }
                    }
                    Err(error) => {
                        group.terminate(&mut child).await;
                        stderr_text(stderr_task);
                        return Err(Stopped::Read(error));
                    }
                }
            }
        }
    }
    let status = match status {
        Some(status) => status,
        // Only reachable after truncation, where the child was already reaped.
        None => child.wait().await.map_err(Stopped::Read)?,
    };
    let mut stderr_task = stderr_task;
    if let Some(task) = stderr_task.as_mut() {
        // The group is gone, so stderr ends, unless a helper escaped it: then stop waiting.
        let _ = tokio::time::timeout(DRAIN_GRACE, task).await;
    }
    Ok(Finished {
        stdout,
        stderr: stderr_text(stderr_task),
        status,
        truncated,
    })
}

async fn read_some(
    pipe: &mut Option<tokio::process::ChildStdout>,
    buf: &mut [u8],
) -> io::Result<usize> {
    match pipe {
        Some(pipe) => pipe.read(buf).await,
        None => Ok(0),
    }
}

/// The child's process group.
#[derive(Debug, Clone, Copy)]
struct Group {
    #[cfg(unix)]
    id: Option<i32>,
}

impl Group {
    fn of(child: &Child) -> Self {
        Self {
            #[cfg(unix)]
            id: child.id().and_then(|id| i32::try_from(id).ok()),
        }
    }

    /// SIGKILL to every process left in the group; nothing if none is.
    fn kill(self) {
        #[cfg(unix)]
        self.signal(libc::SIGKILL);
    }

    #[cfg(unix)]
    fn signal(self, signal: libc::c_int) {
        if let Some(id) = self.id
            && id > 1
        {
            // SAFETY: kill(2) with a negative pid signals a process group; it touches no memory.
            // The group is the one the child leads (process_group(0)), never aigen's own.
            unsafe {
                libc::kill(-id, signal);
            }
        }
    }

    /// Stops the child and its group: SIGTERM, then SIGKILL after a grace; reaps the child.
    async fn terminate(self, child: &mut Child) {
        #[cfg(unix)]
        {
            self.signal(libc::SIGTERM);
            if tokio::time::timeout(TERMINATE_GRACE, child.wait())
                .await
                .is_err()
            {
                self.signal(libc::SIGKILL);
                let _ = child.wait().await;
            }
            self.kill();
        }
        #[cfg(not(unix))]
        {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }
}

/// Kills what is left of a process group when dropped.
struct KillOnDrop(Group);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.0.kill();
    }
}

/// Turns pieces of bytes into text without splitting a character across two pieces.
#[derive(Debug, Default)]
pub(crate) struct Utf8Pieces {
    pending: Vec<u8>,
}

impl Utf8Pieces {
    /// The text `bytes` complete; an unfinished character waits for the next piece. Invalid
    /// bytes become U+FFFD, as `String::from_utf8_lossy` makes them.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let mut text = String::new();
        let mut rest: &[u8] = &self.pending;
        loop {
            match std::str::from_utf8(rest) {
                Ok(valid) => {
                    text.push_str(valid);
                    rest = &[];
                    break;
                }
                Err(error) => {
                    let (valid, after) = rest.split_at(error.valid_up_to());
                    // Checked just above: the prefix is valid UTF-8.
                    text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                    match error.error_len() {
                        Some(bad) => {
                            text.push(char::REPLACEMENT_CHARACTER);
                            rest = &after[bad..];
                        }
                        None => {
                            rest = after;
                            break;
                        }
                    }
                }
            }
        }
        self.pending = rest.to_vec();
        text
    }

    /// What is left at the end: an unfinished character, as U+FFFD.
    pub(crate) fn finish(&mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        String::from_utf8_lossy(&rest).into_owned()
    }
}

/// How a process ended, in words: `exited with status 2`, `was killed by signal 9`.
pub(crate) fn describe(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exited with status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("was killed by signal {signal}");
        }
    }
    format!("ended with {status}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_split_across_pieces_come_out_whole() {
        let text = "é — ✓ 🚀 done";
        let bytes = text.as_bytes();
        for split in 0..bytes.len() {
            let mut pieces = Utf8Pieces::default();
            let mut out = pieces.push(&bytes[..split]);
            out.push_str(&pieces.push(&bytes[split..]));
            out.push_str(&pieces.finish());
            assert_eq!(out, text, "split at {split}");
        }
    }

    #[test]
    fn invalid_bytes_become_replacement_characters_like_lossy_decoding() {
        let bytes = b"ok \xff then \xe2\x82";
        let mut pieces = Utf8Pieces::default();
        let mut out = pieces.push(bytes);
        out.push_str(&pieces.finish());
        assert_eq!(out, String::from_utf8_lossy(bytes));
    }
}
