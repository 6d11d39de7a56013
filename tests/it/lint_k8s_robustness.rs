//! Hostile and odd input for the manifest loader and the Kubernetes rules: whatever comes in
//! ends in findings or nothing, never a panic, and within bounded memory (the loader's depth,
//! node and alias budgets).

use std::path::Path;

use aigen::policy::Finding;
use aigen::policy::constitution::Constitution;
use aigen::policy::k8s::yaml_tree;
use aigen::policy::k8s::{ManifestText, lint_documents};
use proptest::prelude::*;

fn lint(text: &str) -> Vec<Finding> {
    let constitution = Constitution::preset().unwrap();
    lint_documents(
        &[ManifestText::new(Path::new("input.yaml"), text)],
        &constitution,
    )
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code).collect()
}

#[test]
fn an_empty_file_has_no_finding() {
    assert!(lint("").is_empty());
    assert!(lint("\n\n# only comments\n---\n...\n").is_empty());
}

#[test]
fn binary_content_is_a_finding() {
    let bytes: Vec<u8> = (0u8..=255).cycle().take(4096).collect();
    let text = String::from_utf8_lossy(&bytes);
    let findings = lint(&text);
    assert_eq!(codes(&findings), ["AG-K000"]);
    assert_eq!(findings[0].line(), 1);
}

#[test]
fn deep_nesting_ends_in_a_finding() {
    for text in [
        "- ".repeat(300_000) + "x\n",
        "[".repeat(300_000),
        "{a: ".repeat(100_000),
        (0..5_000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect(),
    ] {
        let findings = lint(&text);
        assert_eq!(codes(&findings), ["AG-K000"], "{}", &text[..40]);
    }
    let findings = lint(&("- ".repeat(300_000) + "x\n"));
    assert!(
        findings[0].message.contains("nested deeper than 128"),
        "{}",
        findings[0].message
    );
}

/// `levels` anchors, each a list of `width` aliases to the previous one.
fn bomb(levels: usize, width: usize) -> String {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n");
    text.push_str("  l0: &l0 \"lol\"\n");
    for level in 1..=levels {
        let refs = vec![format!("*l{}", level - 1); width].join(",");
        text.push_str(&format!("  l{level}: &l{level} [{refs}]\n"));
    }
    text
}

#[test]
fn yaml_bombs_end_in_a_finding() {
    // 10^9 nodes if expanded, the "billion laughs".
    let findings = lint(&bomb(9, 10));
    assert_eq!(codes(&findings), ["AG-K000"]);
    assert!(findings[0].message.contains("aliases expand to more than"));
    // A wide, shallow one.
    let findings = lint(&bomb(2, 2_000));
    assert_eq!(codes(&findings), ["AG-K000"]);
    // Small alias use is fine.
    let loaded = yaml_tree::load(&bomb(3, 3));
    assert!(loaded.problems.is_empty());
}

#[test]
fn a_50_mb_file_ends_in_a_finding() {
    let document =
        std::fs::read_to_string("tests/fixtures/k8s/phase-iv/compliant/backend-deployment.yaml")
            .unwrap();
    let mut text = String::with_capacity(51 * 1024 * 1024);
    while text.len() < 50 * 1024 * 1024 {
        text.push_str("---\n");
        text.push_str(&document);
    }
    let findings = lint(&text);
    let budget: Vec<&Finding> = findings.iter().filter(|f| f.code == "AG-K000").collect();
    assert_eq!(budget.len(), 1);
    assert!(budget[0].message.contains("more than 1000000 YAML nodes"));
    // The documents before the budget ran out are complete and linted: across objects they
    // are one Deployment, defined again and again, without a PodDisruptionBudget.
    let across: Vec<&Finding> = findings
        .iter()
        .filter(|f| matches!(f.code, "AG-K103" | "AG-K106"))
        .collect();
    assert_eq!(across.len(), 2, "{across:?}");
    let copies: usize = across[1]
        .message
        .split(" and ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(copies > 1_000, "{}", across[1].message);
}

#[test]
fn a_50_mb_scalar_is_read_whole() {
    let text = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata:\n  blob: {}\n",
        "x".repeat(50 * 1024 * 1024)
    );
    let loaded = yaml_tree::load(&text);
    assert!(loaded.problems.is_empty());
    assert_eq!(loaded.documents.len(), 1);
    let blob = loaded.documents[0].root.path(&["data", "blob"]).unwrap();
    assert_eq!(blob.as_str().map(str::len), Some(50 * 1024 * 1024));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_text_loads_without_panic(text in "\\PC{0,400}") {
        let loaded = yaml_tree::load(&text);
        for problem in &loaded.problems {
            prop_assert!(problem.mark.line >= 1 && problem.mark.column >= 1);
        }
        let _ = lint(&text);
    }

    #[test]
    fn yaml_like_text_lints_without_panic(
        parts in prop::collection::vec(
            prop::sample::select(vec![
                "apiVersion: v1\n", "kind: Pod\n", "kind: Deployment\n", "kind: Service\n",
                "kind: List\nitems:\n", "metadata:\n", "  name: a\n", "spec:\n", "  containers:\n",
                "  - name: c\n", "    image: x\n", "    securityContext: {runAsUser: 0}\n",
                "  template:\n", "    spec:\n", "  selector: {app: a}\n", "  ports: [{port: 80}]\n",
                "---\n", "- ", "&a ", "*a\n", "<<: *a\n", "{", "}", "[", "]", ": ", "\"", "'",
                "|\n", ">\n", "!tag ", "? ", "  ", "\t", "#c\n", "\n", "replicas: x\n", "0x1F",
                "resources: {requests: {cpu: 1e99}}\n", "env: [{name: PASSWORD, value: v}]\n",
            ]),
            0..60,
        )
    ) {
        let text: String = parts.concat();
        let findings = lint(&text);
        for finding in &findings {
            prop_assert!(finding.line() >= 1, "{}", finding.short());
            prop_assert!(finding.column() >= 1, "{}", finding.short());
        }
    }
}

/// A small deterministic generator (xorshift64*), so a failing run can be replayed by seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every manifest fixture, as mutation seeds.
fn seeds() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                out.push(text);
            }
        }
    }
    let mut out = Vec::new();
    walk(Path::new("tests/fixtures/k8s"), &mut out);
    out
}

const PIECES: &[&str] = &[
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "<<: ",
    "!!str ",
    "!t ",
    "? ",
    "|\n",
    ">-\n",
    "'",
    "\"",
    "#",
    "\n",
    "  ",
    "\t",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "\\",
    "é",
    "\u{0}",
    "\u{feff}",
    "kind: Deployment\n",
    "kind: List\nitems:\n",
    "replicas: ",
    "containers:\n",
    "image: x",
];

/// Runs the loader and every rule on mutated fixtures and generated text until
/// `AIGEN_FUZZ_SECONDS` (default 10) have passed: `cargo test --test it
/// lint_k8s_robustness::fuzz -- --ignored`. `AIGEN_FUZZ_SEED` replays a run.
#[test]
#[ignore = "long-running; run on demand"]
fn fuzz_the_loader_and_rules_for_a_while() {
    let seconds: u64 = std::env::var("AIGEN_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let seed: u64 = std::env::var("AIGEN_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x005e_ed0f_a16e);
    let seeds = seeds();
    let constitution = Constitution::preset().unwrap();
    let mut rng = Rng(seed);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let mut cases = 0u64;
    while std::time::Instant::now() < deadline {
        let text = if rng.below(3) == 0 {
            (0..rng.below(80))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect::<String>()
        } else {
            let mut chars: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
            for _ in 0..1 + rng.below(12) {
                let at = rng.below(chars.len() + 1);
                match rng.below(3) {
                    0 if at < chars.len() => {
                        chars.remove(at);
                    }
                    1 if at < chars.len() => {
                        chars[at] = PIECES[rng.below(PIECES.len())]
                            .chars()
                            .next()
                            .unwrap_or(' ');
                    }
                    _ => {
                        let piece: Vec<char> = PIECES[rng.below(PIECES.len())].chars().collect();
                        chars.splice(at..at, piece);
                    }
                }
            }
            chars.into_iter().collect()
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lint_documents(
                &[ManifestText::new(Path::new("fuzz.yaml"), &text)],
                &constitution,
            )
        }));
        assert!(
            result.is_ok(),
            "panic after {cases} cases (seed {seed}) on:\n{text}"
        );
        cases += 1;
    }
    eprintln!("fuzz: {cases} inputs in {seconds} s without a panic (seed {seed})");
}

#[test]
fn findings_per_code_are_capped_in_manifests() {
    // 300 bare Pods: every per-object rule fires 300 times; the report keeps 100 of each code
    // and one finding that counts the rest.
    let text: String = (0..300)
        .map(|i| {
            format!(
                "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\n\
                 spec: {{containers: [{{name: c, image: nginx}}]}}\n"
            )
        })
        .collect();
    let findings = lint(&text);
    let mut per_code = std::collections::BTreeMap::<&str, Vec<&Finding>>::new();
    for finding in &findings {
        per_code.entry(finding.code).or_default().push(finding);
    }
    assert!(per_code.len() > 3, "{per_code:?}");
    let capped = per_code.values().filter(|list| list.len() == 101).count();
    assert!(capped > 3, "{capped}");
    for (code, list) in per_code {
        assert!(list.len() <= 101, "{code}: {}", list.len());
        if list.len() == 101 {
            assert!(
                list.iter().any(|f| f.message.contains("200 more")),
                "{code}: {:?}",
                list.last()
            );
        }
    }
}
