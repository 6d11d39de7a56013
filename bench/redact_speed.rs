//! Redaction throughput for `bench/history.sh`: `redact_speed <clean fixture dir>` builds about
//! 8 MB of ordinary infrastructure text from the files in the directory, times
//! `Redactor::redact` on it as it is (the common case: nothing to redact) and with a secret
//! planted every 4 KB, and prints one Markdown table row per case.

use std::process::ExitCode;
use std::time::Instant;

use aigen::phr::Redactor;

const TARGET: usize = 8 * 1024 * 1024;

fn throughput(redactor: &Redactor, text: &str) -> (f64, usize) {
    // One warm-up pass compiles the patterns; then the best of three.
    let mut markers = redactor.redact(text).matches("[REDACTED:").count();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let out = redactor.redact(text);
        best = best.min(start.elapsed().as_secs_f64());
        markers = out.matches("[REDACTED:").count();
    }
    (text.len() as f64 / (1024.0 * 1024.0) / best, markers)
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: redact_speed <directory of clean text files>");
        return ExitCode::from(2);
    };
    let mut sample = String::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("error: cannot read `{dir}`");
        return ExitCode::from(2);
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if let Ok(text) = std::fs::read_to_string(&path) {
            sample.push_str(&text);
            sample.push('\n');
        }
    }
    if sample.is_empty() {
        eprintln!("error: no text in `{dir}`");
        return ExitCode::from(2);
    }
    let mut clean = String::with_capacity(TARGET + sample.len());
    while clean.len() < TARGET {
        clean.push_str(&sample);
    }
    let secret = format!("DB_PASSWORD={}\n", "s3cr3tValue9".repeat(2));
    let mut dirty = String::with_capacity(clean.len() + clean.len() / 100);
    for (i, line) in clean.split_inclusive('\n').enumerate() {
        dirty.push_str(line);
        if i % 100 == 99 {
            dirty.push_str(&secret);
        }
    }
    let redactor = Redactor::new(&["an-exact-secret-value-42"]);
    println!("| text | size (MB) | throughput (MB/s) | markers |");
    println!("|---|---:|---:|---:|");
    for (name, text) in [
        ("infrastructure text, no secret", &clean),
        ("with a secret every ~100 lines", &dirty),
    ] {
        let (speed, markers) = throughput(&redactor, text);
        println!(
            "| {name} | {:.1} | {speed:.0} | {markers} |",
            text.len() as f64 / (1024.0 * 1024.0)
        );
    }
    ExitCode::SUCCESS
}
