#!/usr/bin/env bash
# Benchmarks aigen's main job with the builtin provider on examples/todo-app: detect, generate,
# lint, record (PHR) and stage, for all three services, as a user runs it.
#
#   bench/generate.sh [RUNS]
#
# Each command runs RUNS times (default 20) on a fresh copy of the example, so every run pays
# for a first record and a new staging area; the figures are the median and best wall time.
# Needs: a release build (built here), python3 for the statistics.
set -euo pipefail

RUNS=${1:-20}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
AIGEN="$ROOT/target/release/aigen"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# time_runs NAME CMD...: runs CMD in a fresh copy RUNS times; prints median and best in ms.
time_runs() {
    local name=$1; shift
    local times=()
    for i in $(seq "$RUNS"); do
        rm -rf "$WORK/app" && cp -r "$ROOT/examples/todo-app" "$WORK/app"
        local start end
        start=$(date +%s%N)
        (cd "$WORK/app" && "$@" >/dev/null 2>&1)
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    python3 - "$name" "${times[@]}" <<'PY'
import statistics, sys
name, values = sys.argv[1], [int(v) / 1000 for v in sys.argv[2:]]
print(f"{name:<44} median {statistics.median(values):7.1f} ms   best {min(values):7.1f} ms")
PY
}

all_three() {
    "$AIGEN" -q dockerfile --all && "$AIGEN" -q manifest --all && "$AIGEN" -q helm
}

echo "aigen $("$AIGEN" --version | cut -d' ' -f2), $(nproc) cores, $RUNS runs each, builtin provider"
time_runs "detect" "$AIGEN" detect
time_runs "dockerfile --all (3 services)" "$AIGEN" -q dockerfile --all
time_runs "manifest --all (3 services)" "$AIGEN" -q manifest --all
time_runs "helm (one chart)" "$AIGEN" -q helm
time_runs "all three commands" all_three
time_runs "all three, then apply --yes" bash -c "$(declare -f all_three); AIGEN=$AIGEN; all_three && \"$AIGEN\" -q apply --yes"
