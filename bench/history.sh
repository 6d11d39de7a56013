#!/usr/bin/env bash
# Benchmark of the Prompt History Record trail (`aigen history`).
#
# For trails of 1,000, 10,000 and 100,000 records (override with SIZES="1000 10000") it times
# `verify`, `list`, `list --feature`, `search` and `stats` against `cat` reading the same files,
# and the latency of `add` (real appends, flushed to disk) to show it does not grow with the
# trail. Trails are built by bench/phr_trail.rs through the same Store::append aigen uses, with
# flushing off so building them is quick. Each timing is the median of RUNS runs (default 5) on
# a warm page cache; the first, cold run is not counted.
#
#   bash bench/history.sh                 # all sizes
#   SIZES="1000 10000" RUNS=3 bash bench/history.sh
#
# It also measures the redactor's throughput on ordinary infrastructure text, with and without
# secrets in it (bench/redact_speed.rs).
#
# Output: Markdown tables on stdout; progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000 100000"}
RUNS=${RUNS:-5}
ADDS=${ADDS:-15}
FEATURE=003-k8s-deployment

log() { printf '%s\n' "$*" >&2; }

log "building aigen and the trail generator (release)"
cargo build --release --quiet --bin aigen --example phr_trail --example redact_speed
AIGEN=$PWD/target/release/aigen
GEN=$PWD/target/release/examples/phr_trail

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aigen-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

now_ns() { date +%s%N; }

# Median wall time in milliseconds of RUNS runs of a command (after one warm-up run).
median_ms() {
  "$@" >/dev/null 2>&1 || true
  local times=() start end
  for _ in $(seq "$RUNS"); do
    start=$(now_ns)
    "$@" >/dev/null 2>&1 || true
    end=$(now_ns)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

cat_files() { find "$1" -name '*.prompt.md' -not -name '.*' -print0 | xargs -0 cat; }

# Median and 90th percentile latency (ms) of ADDS real `aigen history add` runs.
add_latency() {
  local dir=$1 times=() start end
  for i in $(seq "$ADDS"); do
    start=$(now_ns)
    (cd "$dir" && "$AIGEN" history add --title "bench add $i" --stage green --feature "$FEATURE" \
      --prompt "Generate the backend Deployment, attempt $i" --response "kind: Deployment" >/dev/null)
    end=$(now_ns)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f / %.1f", a[int((NR+1)/2)]/1000, a[int(NR*0.9+0.5)]/1000}'
}

printf '| records | build (s) | cat all (ms) | verify (ms) | verify/cat | list (ms) | list/cat | cat feature (ms) | list --feature (ms) | ratio | search (ms) | stats (ms) | add p50 / p90 (ms) |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in $SIZES; do
  dir=$WORK/trail-$n
  root=$dir/history/prompts
  mkdir -p "$dir"
  log "building a trail of $n records"
  start=$(now_ns)
  "$GEN" "$root" "$n" 2>/dev/null
  build=$(awk -v ns=$(( $(now_ns) - start )) 'BEGIN { printf "%.1f", ns / 1e9 }')
  # The generator does not flush; write everything back now so that writeback does not land
  # in the middle of the timed appends.
  sync
  (cd "$dir" && "$AIGEN" history verify >/dev/null) || { log "verify failed on the generated trail"; exit 1; }

  log "timing $n records"
  cat_all=$(median_ms cat_files "$root")
  verify=$(median_ms bash -c "cd '$dir' && '$AIGEN' history verify")
  list=$(median_ms bash -c "cd '$dir' && '$AIGEN' history list")
  cat_feature=$(median_ms cat_files "$root/$FEATURE")
  list_feature=$(median_ms bash -c "cd '$dir' && '$AIGEN' history list --feature $FEATURE")
  search=$(median_ms bash -c "cd '$dir' && '$AIGEN' history search 'service number $((n - 1)) of the todo'")
  stats=$(median_ms bash -c "cd '$dir' && '$AIGEN' history stats")
  adds=$(add_latency "$dir")
  (cd "$dir" && "$AIGEN" history verify >/dev/null) || { log "verify failed after the adds"; exit 1; }

  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$n" "$build" "$cat_all" "$verify" "$(ratio "$verify" "$cat_all")" "$list" "$(ratio "$list" "$cat_all")" \
    "$cat_feature" "$list_feature" "$(ratio "$list_feature" "$cat_feature")" "$search" "$stats" "$adds"
  rm -rf "$dir"
done
printf '\nRedaction (`Redactor::redact`, single thread):\n\n'
"$PWD/target/release/examples/redact_speed" tests/fixtures/phr/redaction/clean
log "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
