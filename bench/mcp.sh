#!/usr/bin/env bash
# Benchmark of `aigen mcp`: the latency of the `lint` tool on the example project (with the
# builtin provider's Dockerfiles, manifests and chart written into it) through MCP
# (the official Python SDK client, one session over stdio, then over streamable HTTP), against
# `aigen lint --format json` on the same project from the command line (one process per run).
# The goal (issue 14): through MCP within 2x of the command line.
#
#   bash bench/mcp.sh                     # release build
#   AIGEN=target/debug/aigen RUNS=20 bash bench/mcp.sh
#
# Each figure is the median of RUNS calls (default 30) after one warm-up. The Python SDK comes
# from .ci/mcp-clients.sh (AIGEN_TEST_MCP_PYTHON, else .ci/.venv/bin/python).
#
# Output: a Markdown table on stdout; progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-30}
PYTHON=${AIGEN_TEST_MCP_PYTHON:-$PWD/.ci/.venv/bin/python}
CLIENT=$PWD/tests/fixtures/mcp/client.py
log() { printf '%s\n' "$*" >&2; }

if [ -z "${AIGEN:-}" ]; then
  log "building aigen (release)"
  cargo build --release --quiet --bin aigen
  AIGEN=$PWD/target/release/aigen
fi
AIGEN=$(cd "$(dirname "$AIGEN")" && pwd)/$(basename "$AIGEN")
"$PYTHON" -c 'import mcp' 2>/dev/null || { log "no MCP Python SDK at $PYTHON: bash .ci/mcp-clients.sh"; exit 1; }

work=$(mktemp -d)
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
cp -r examples/todo-app "$work/todo-app"
project=$work/todo-app
# Something to lint: the builtin provider's Dockerfiles, manifests and chart, applied.
log "generating the example's files with the builtin provider"
"$AIGEN" -C "$project" -q generate --provider builtin >/dev/null
"$AIGEN" -C "$project" -q apply --yes >/dev/null

log "command line: $RUNS runs of aigen lint --format json"
cli=$("$PYTHON" - "$AIGEN" "$project" "$RUNS" <<'PY'
import subprocess, sys, time
aigen, project, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def once():
    started = time.monotonic()
    # Exit 1 means findings, which the example has on purpose; anything else is a failure.
    code = subprocess.run([aigen, "-C", project, "lint", "--format", "json"], stdout=subprocess.DEVNULL).returncode
    if code not in (0, 1):
        raise SystemExit(f"aigen lint exited {code}")
    return time.monotonic() - started
once()
times = sorted(once() for _ in range(runs))
print(times[len(times) // 2])
PY
)

median() { "$PYTHON" -c 'import json,sys; print(json.loads(sys.stdin.read().splitlines()[-1])["median_seconds"])'; }

log "MCP over stdio: $RUNS lint calls in one session"
stdio=$("$PYTHON" "$CLIENT" --transport stdio --count "$RUNS" repeat -- "$AIGEN" -C "$project" mcp | median)

log "MCP over streamable HTTP: $RUNS lint calls in one session"
umask 077
head -c 24 /dev/urandom | base64 > "$work/token"
"$AIGEN" -C "$project" mcp --http 127.0.0.1:0 --token-file "$work/token" 2> "$work/server.log" &
server_pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$work/server.log" && break; sleep 0.1; done
url=$(sed -n 's/^aigen mcp: listening on //p' "$work/server.log")
http=$("$PYTHON" "$CLIENT" --transport http --url "$url" --token "$(cat "$work/token")" --count "$RUNS" repeat | median)

"$PYTHON" - "$cli" "$stdio" "$http" "$RUNS" <<'PY'
import sys
cli, stdio, http, runs = map(float, sys.argv[1:5])
print(f"| lint of examples/todo-app (median of {int(runs)}) | seconds | vs. command line |")
print("| --- | --- | --- |")
print(f"| `aigen lint --format json` (a process per run) | {cli:.4f} | 1.00x |")
print(f"| MCP `lint`, stdio session | {stdio:.4f} | {stdio / cli:.2f}x |")
print(f"| MCP `lint`, streamable HTTP session | {http:.4f} | {http / cli:.2f}x |")
PY
