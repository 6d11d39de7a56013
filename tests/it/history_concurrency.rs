//! Concurrent appends: 16 processes each run `aigen history add` 50 times at once; every record
//! lands whole, with an ID of its own and a place in one linear chain.

use crate::support::command::aigen_command;
use crate::support::phr::{Project, stderr, stdout};
use std::collections::HashSet;

#[test]
fn sixteen_processes_times_fifty_adds_give_800_unique_chained_records() {
    let project = Project::new();
    let workers: Vec<_> = (0..16)
        .map(|p| {
            let dir = project.path().to_path_buf();
            std::thread::spawn(move || {
                for i in 0..50 {
                    let mut cmd = aigen_command();
                    cmd.current_dir(&dir);
                    cmd.args(["history", "add", "--title"])
                        .arg(format!("process {p} record {i}"))
                        .args(["--prompt", "concurrent prompt", "--response", "ok"]);
                    if p % 2 == 0 {
                        cmd.args(["--stage", "general"]);
                    } else {
                        cmd.args(["--stage", "green", "--feature", "003-k8s-deployment"]);
                    }
                    let output = cmd.output().unwrap();
                    assert!(
                        output.status.success(),
                        "process {p} record {i}: {}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }

    let output = project.history(&["list", "--format", "json", "--sort", "sequence"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let list: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(list.len(), 800);
    let references: HashSet<&str> = list
        .iter()
        .map(|r| r["reference"].as_str().unwrap())
        .collect();
    assert_eq!(references.len(), 800, "every record has an ID of its own");
    let sequences: Vec<u64> = list
        .iter()
        .map(|r| r["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(sequences, (1..=800).collect::<Vec<_>>());
    let titles: HashSet<&str> = list.iter().map(|r| r["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 800, "no record was lost or written twice");

    let (code, report) = project.verify_json();
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["chained"], 800);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
}
