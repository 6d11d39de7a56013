//! Crashes: `aigen history add` is killed with SIGKILL at random moments, hundreds of times.
//! After every kill each record file is whole (it parses and matches its own hash), the head
//! file is readable, and `aigen history verify` stays clean: a crash leaves the whole record or
//! nothing. Temporary files may remain; they are named `.aigen-tmp-*` and never read as records.

#![cfg(unix)]

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::support::phr::Project;
use aigen::phr::{chain, record};

/// A small deterministic generator (xorshift), seeded from the clock and printed, so a failure
/// can be replayed with `AIGEN_CRASH_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn add_command(project: &Project, n: usize) -> Command {
    let mut cmd = project.command();
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let stage: &[&str] = if n.is_multiple_of(3) {
        &["--stage", "general"]
    } else {
        &["--stage", "green", "--feature", "003-k8s-deployment"]
    };
    cmd.args(["history", "add", "--title"])
        .arg(format!("attempt {n}"))
        .args(stage)
        .args(["--prompt"])
        .arg(format!(
            "prompt of attempt {n}\n{}",
            "a line of the prompt\n".repeat(200)
        ))
        .args(["--response", "response"]);
    cmd
}

/// Every record file parses and matches its hash; the head file is JSON.
fn assert_whole(project: &Project, context: &str) -> usize {
    let files = project.record_files();
    for rel in &files {
        let text = std::fs::read_to_string(project.trail().join(rel))
            .unwrap_or_else(|e| panic!("{context}: {rel}: {e}"));
        let parsed = record::parse(&text).unwrap_or_else(|e| panic!("{context}: {rel}: {e}"));
        let declared = &parsed.chain().expect("chained").hash;
        assert_eq!(
            chain::content_hash(&text).as_ref(),
            Some(declared),
            "{context}: {rel} is partial"
        );
    }
    let head = project.trail().join(".aigen/head.json");
    if head.exists() {
        let text = std::fs::read_to_string(&head).unwrap();
        serde_json::from_str::<serde_json::Value>(&text)
            .unwrap_or_else(|e| panic!("{context}: head.json is partial: {e}: {text}"));
    }
    files.len()
}

#[test]
fn sigkill_at_random_moments_leaves_whole_records_or_none() {
    let project = Project::new();
    let seed = std::env::var("AIGEN_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("AIGEN_CRASH_SEED={seed}");
    let mut rng = Rng(seed);

    // How long an add takes here, so kills land across all of it. Other tests share the
    // machine, so that changes during the run: the range of delays follows it, narrowing by a
    // fifth when an add finished before its kill and widening by a twentieth when the kill
    // landed, which keeps about four kills in five, spread over the whole add.
    let mut durations = Vec::new();
    for n in 0..5 {
        let start = Instant::now();
        assert!(add_command(&project, n).status().unwrap().success());
        durations.push(start.elapsed());
    }
    durations.sort();
    let typical = durations[2].as_micros().max(1000) as u64;
    let mut range = typical + typical / 4;

    let mut killed = 0;
    let mut finished = 5;
    let mut attempt = 5;
    while killed < 200 {
        assert!(attempt < 1000, "could not kill 200 adds mid-way");
        let mut child = add_command(&project, attempt).spawn().unwrap();
        let delay = rng.next() % range;
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.signal() == Some(9) {
            killed += 1;
            range += range / 20;
        } else {
            assert!(status.success(), "attempt {attempt} failed on its own");
            finished += 1;
            range = (range - range / 5).max(1000);
        }
        let context = format!("attempt {attempt} (seed {seed}, delay {delay}µs)");
        let count = assert_whole(&project, &context);
        assert!(
            count >= finished,
            "{context}: a finished add lost its record"
        );
        if attempt % 25 == 0 {
            let (code, report) = project.verify_json();
            assert_eq!(code, 0, "{context}: {report:#}");
        }
        attempt += 1;
    }

    // After all that, an ordinary add still works and the whole trail verifies clean.
    assert!(add_command(&project, attempt).status().unwrap().success());
    let count = assert_whole(&project, "final");
    let (code, report) = project.verify_json();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        0,
        "{report:#}"
    );
    assert_eq!(report["chained"].as_u64().unwrap() as usize, count);
    println!(
        "{killed} adds killed, {} finished, {count} records, {} temporary files left",
        finished + 1,
        leftover_temps(&project)
    );
}

fn leftover_temps(project: &Project) -> usize {
    walk(&project.trail())
        .iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".aigen-tmp-"))
        })
        .count()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.filter_map(|e| e.ok()) {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}
