//! Redaction throughput for `bench/history.sh`: `redact_speed <clean fixture dir>` builds about
//! 8 MB of ordinary infrastructure text from the files in the directory and times
//! `Redactor::redact` on it as it is (nothing to redact, but full of names that make the rules
//! look closer), with a secret planted every ~100 lines, and without the lines that name secrets
//! at all (the single-pass fast path). Prints one Markdown table row per case. Time is the
//! thread's CPU time, so other work on a shared machine does not skew the figures.

use std::process::ExitCode;

use aigen::secrets::Redactor;

const TARGET: usize = 8 * 1024 * 1024;

/// The CPU time this thread has used, in seconds.
fn cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the kernel knows.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

fn throughput(redactor: &Redactor, text: &str) -> (f64, usize) {
    // One warm-up pass compiles the patterns; then the best of three.
    let mut markers = redactor.redact(text).matches("[REDACTED:").count();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let start = cpu();
        let out = redactor.redact(text);
        best = best.min(cpu() - start);
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
    // The same text without the lines that name secrets, keys, tokens or connection URLs at all:
    // what most prose and code looks like, where the single RegexSet pass finds nothing to do.
    let stems = [
        "secret",
        "token",
        "pass",
        "pwd",
        "key",
        "credential",
        "private",
        "bearer",
        "basic",
        "://",
        "url",
        "uri",
    ];
    let plain: String = clean
        .split_inclusive('\n')
        .filter(|line| {
            let lower = line.to_ascii_lowercase();
            !stems.iter().any(|s| lower.contains(s))
        })
        .collect();
    let redactor = Redactor::new(&["an-exact-secret-value-42"]);
    println!("| text | size (MB) | throughput (MB/s) | markers |");
    println!("|---|---:|---:|---:|");
    for (name, text) in [
        (
            "infrastructure text naming secrets (secretKeyRef, ${API_KEY}, ...), none present",
            &clean,
        ),
        ("the same with a real secret every ~100 lines", &dirty),
        ("text that names no secret at all", &plain),
    ] {
        let (speed, markers) = throughput(&redactor, text);
        println!(
            "| {name} | {:.1} | {speed:.0} | {markers} |",
            text.len() as f64 / (1024.0 * 1024.0)
        );
    }
    ExitCode::SUCCESS
}
