#!/usr/bin/env bash
# Benchmarks building and running the images of examples/todo-app from the builtin generator's
# output on a real Docker Engine: cold builds (every step afresh, `--no-cache`: dependency
# installs from PyPI and npm included), warm builds (every layer cached), and the time each
# container takes to be judged healthy (`aigen verify`).
#
#   bench/build.sh [RUNS]
#
# Each measurement is taken RUNS times (default 3); the figures are the median and best per
# image, with the image's size. Needs the engine and the stand-ins the example builds on:
#   bash .ci/engine.sh start && bash .ci/engine.sh images --list .ci/standins/test-images.txt
#   eval "$(bash .ci/engine.sh env)"
# The stand-in base images themselves stay cached (no registry to pull from); what is cold is
# everything the example's Dockerfiles do. The images built here are tagged
# aigen-bench-build/<service>:1.0.0 and removed at the end. AIGEN_BIN names a built aigen to use
# instead of a release build made here.
set -euo pipefail

RUNS=${1:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
if [ -z "${DOCKER_HOST:-}" ]; then
  echo "bench/build.sh: DOCKER_HOST is not set; start the engine first: eval \"\$(bash .ci/engine.sh env)\"" >&2
  exit 2
fi
if [ -n "${AIGEN_BIN:-}" ]; then
  AIGEN=$AIGEN_BIN
else
  cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
  AIGEN="${CARGO_TARGET_DIR:-$ROOT/target}/release/aigen"
fi
DOCKER=${AIGEN_DOCKER_CLI:-docker}
WORK=$(mktemp -d)
# The copy's directory name is the application's name, hence the images' prefix.
APP="$WORK/aigen-bench-build"
# Every image a run built (a rebuild leaves the one before untagged) and the tags, removed.
cleanup() {
  local images
  mapfile -t images < <(
    "$DOCKER" images --format '{{.Repository}}:{{.Tag}}' | grep '^aigen-bench-build/'
    cat "$WORK"/*.json 2>/dev/null | grep -oE '"image_id": *"sha256:[0-9a-f]{64}"' | grep -oE 'sha256:[0-9a-f]{64}' | sort -u
  )
  [ "${#images[@]}" = 0 ] || "$DOCKER" rmi "${images[@]}" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cp -r "$ROOT/examples/todo-app" "$APP"
(cd "$APP" && "$AIGEN" -q generate --provider builtin --yes >/dev/null)

# measure NAME FIELD ARGS...: runs `aigen ARGS --format json` RUNS times and prints, per image,
# the median and best of FIELD (build.duration_ms or run.healthy_after_ms) with its size.
measure() {
  local name=$1 field=$2
  shift 2
  local i
  for i in $(seq "$RUNS"); do
    # Exit 1 is a finding (the chatbot is above the front end's size limit), not a failure.
    (cd "$APP" && "$AIGEN" "$@" --format json >"$WORK/$name.$i.json" 2>"$WORK/$name.$i.err") || {
      local code=$?
      if [ "$code" != 1 ]; then
        cat "$WORK/$name.$i.err" >&2
        exit "$code"
      fi
    }
  done
  python3 - "$name" "$field" "$WORK/$name".*.json <<'PY'
import json, statistics, sys
name, field, files = sys.argv[1], sys.argv[2], sys.argv[3:]
section, key = field.split(".")
runs = {}
for path in files:
    for image in json.load(open(path))["images"]:
        value = (image.get(section) or {}).get(key)
        if value is None:
            sys.exit(f"{name}: {image['service']} has no {field}: {image.get('summary')}")
        runs.setdefault(image["service"], []).append((value / 1000, image["build"].get("size_bytes") or 0))
for service, values in sorted(runs.items()):
    seconds = [v for v, _ in values]
    size = values[-1][1] / 1e6
    print(f"{name:<26} {service:<18} median {statistics.median(seconds):7.1f} s   best {min(seconds):7.1f} s   {size:5.0f} MB")
PY
}

echo "aigen $("$AIGEN" --version | cut -d' ' -f2), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $RUNS runs each"
echo "engine $DOCKER_HOST: $("$DOCKER" version --format '{{.Server.Version}}'); sizes rest on stand-in base images"
measure "cold build (--no-cache)" build.duration_ms build --all --no-cache
measure "warm build" build.duration_ms build --all
measure "time to healthy" run.healthy_after_ms verify --all
