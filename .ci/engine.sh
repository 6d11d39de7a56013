#!/usr/bin/env bash
# A real Docker Engine for CI and for developers, on its own socket and data root, and the
# stand-in base images that let the Dockerfiles aigen generates build where no registry is
# reachable. See docs/engine.md.
#
#   bash .ci/engine.sh start    install docker.io/debootstrap if needed, start dockerd, wait for it
#   bash .ci/engine.sh images [TAG…]  build the stand-in base images that are missing or out of
#                               date (only those tagged TAG and what they are built from, when given)
#   bash .ci/engine.sh images --list FILE  the same for the tags FILE lists, one a line, `#`
#                               starting a comment (.ci/standins/test-images.txt: what the tests use)
#   bash .ci/engine.sh status   exit 0 when the daemon answers, 1 when it does not
#   bash .ci/engine.sh env      export lines for a shell: eval "$(bash .ci/engine.sh env)"
#   bash .ci/engine.sh stop     stop the daemon started by `start`, unmount what it left
#
# Settings (environment):
#   AIGEN_CI_CACHE        cache outside any repository (default ~/.cache/aigen-ci): data root,
#                         debootstrap trees, downloaded toolchains, the daemon's log
#   AIGEN_CI_RUN          runtime state: socket, exec root, pid file (default /run/aigen-ci)
#   AIGEN_DEBIAN_MIRROR   Debian mirror for debootstrap (default: the one apt's sources name)
#   AIGEN_ENGINE_WAIT     seconds to wait for the daemon to answer (default 90)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STANDINS="$HERE/standins"
CACHE="${AIGEN_CI_CACHE:-$HOME/.cache/aigen-ci}"
DATA_ROOT="$CACHE/docker"
RUN_DIR="${AIGEN_CI_RUN:-/run/aigen-ci}"
EXEC_ROOT="$RUN_DIR/exec"
SOCKET="$RUN_DIR/docker.sock"
PIDFILE="$RUN_DIR/dockerd.pid"
LOG="$CACHE/dockerd.log"
DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd
WAIT="${AIGEN_ENGINE_WAIT:-90}"
LABEL=org.aigen.ci.definition

say() { printf 'engine: %s\n' "$*" >&2; }
die() {
  printf 'engine: error: %s\n' "$*" >&2
  exit 1
}

# Runs the Debian docker client against our daemon. Debian's client is used on purpose: a newer
# client without buildx refuses DOCKER_BUILDKIT=1, and a different one may be first on PATH.
dk() { DOCKER_HOST="unix://$SOCKET" "$DOCKER" "$@"; }

# True when our daemon answers within a few seconds.
answers() {
  [ -S "$SOCKET" ] && [ -x "$DOCKER" ] && timeout 10 env DOCKER_HOST="unix://$SOCKET" "$DOCKER" version >/dev/null 2>&1
}

# The PID in our pid file when that process is alive and is a dockerd.
daemon_pid() {
  local pid
  [ -f "$PIDFILE" ] || return 1
  pid="$(cat "$PIDFILE" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 1
  alive "$pid" || return 1
  printf '%s\n' "$pid"
}

# True while a process exists and is not a zombie (a killed daemon whose parent has not reaped
# it yet is gone for our purposes).
alive() {
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# Serialises start/stop (and image builds) between concurrent callers, with a bounded wait.
with_lock() {
  local name="$1" wait="$2"
  shift 2
  mkdir -p "$CACHE"
  exec {lock_fd}>"$CACHE/$name.lock"
  if ! flock -w "$wait" "$lock_fd"; then
    die "another '$name' has held $CACHE/$name.lock for ${wait}s; is it stuck? (lsof $CACHE/$name.lock)"
  fi
  "$@"
}

need_root() {
  [ "$(id -u)" = 0 ] || die "$1 needs root (dockerd, mounts, debootstrap)"
}

# Installs Debian's docker.io (dockerd, containerd, runc and a client with BuildKit) and
# debootstrap when one of them is missing.
install_packages() {
  local missing=()
  [ -x "$DOCKERD" ] && [ -x "$DOCKER" ] || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "no apt-get here: install ${missing[*]} by hand"
  say "installing ${missing[*]} from Debian (apt-get)"
  apt-get update -qq || say "apt-get update reported errors; trying the install anyway"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
  if [ ! -x "$DOCKERD" ] || [ ! -x "$DOCKER" ]; then
    die "docker.io installed but $DOCKERD or $DOCKER is missing"
  fi
}

# Unmounts whatever a stopped daemon left under its exec root and data root (netns files,
# overlay mounts of containers), deepest first.
unmount_leftovers() {
  local target
  while read -r target; do
    [ -n "$target" ] || continue
    umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null || say "could not unmount $target"
  done < <(awk -v a="$EXEC_ROOT" -v b="$DATA_ROOT" \
    '$2 == a || $2 == b || index($2, a "/") == 1 || index($2, b "/") == 1 { print $2 }' \
    /proc/self/mounts | sort -r)
}

# Containers of a daemon that was killed outlive it (their shims keep them): runc, with the
# daemon's own state directory, ends them and removes their cgroups.
end_leftover_containers() {
  local root="$EXEC_ROOT/runtime-runc/moby" id
  [ -d "$root" ] && command -v runc >/dev/null 2>&1 || return 0
  for id in $(runc --root "$root" list -q 2>/dev/null); do
    say "ending container ${id:0:12} left by the daemon"
    runc --root "$root" delete --force "$id" >/dev/null 2>&1 || say "could not end container $id"
  done
}

# containerd shims of our daemon (they outlive a daemon killed hard), found by the address of
# our containerd, which only they carry on their command line.
our_shims() {
  local pid
  for pid in $(pgrep -f 'containerd-shim' 2>/dev/null || true); do
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$EXEC_ROOT/"; then
      printf '%s\n' "$pid"
    fi
  done
}

end_leftover_shims() {
  local shim
  for shim in $(our_shims); do
    say "ending containerd shim $shim left by the daemon"
    kill -KILL "$shim" 2>/dev/null || true
  done
}

wait_gone() {
  local pid="$1" seconds="$2" i
  for ((i = 0; i < seconds * 5; i++)); do
    alive "$pid" || return 0
    sleep 0.2
  done
  return 1
}

do_start() {
  if answers; then
    say "a daemon already answers at $SOCKET"
    printf 'DOCKER_HOST=unix://%s\n' "$SOCKET"
    return 0
  fi
  need_root "start"
  install_packages
  local pid
  if pid="$(daemon_pid)"; then
    say "dockerd (pid $pid) is running but does not answer; waiting for it"
  else
    # Leftovers of a daemon that died or of a machine that restarted.
    end_leftover_containers
    end_leftover_shims
    unmount_leftovers
    rm -f "$SOCKET" "$PIDFILE"
    mkdir -p "$RUN_DIR" "$EXEC_ROOT" "$DATA_ROOT"
    [ -f "$CACHE/daemon.json" ] || printf '{}\n' >"$CACHE/daemon.json"
    printf '\n==== %s start\n' "$(date -Is)" >>"$LOG"
    say "starting dockerd (data root $DATA_ROOT, log $LOG)"
    setsid "$DOCKERD" \
      --config-file "$CACHE/daemon.json" \
      --storage-driver=overlay2 \
      --iptables=false --ip6tables=false --ip-masq=false --bridge=none \
      --data-root "$DATA_ROOT" \
      --exec-root "$EXEC_ROOT" \
      --pidfile "$PIDFILE" \
      --host "unix://$SOCKET" \
      </dev/null >>"$LOG" 2>&1 {lock_fd}>&- &
    pid=$!
  fi
  local i
  for ((i = 0; i < WAIT; i++)); do
    if answers; then
      say "dockerd (pid $pid) answers: $(dk version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
      printf 'DOCKER_HOST=unix://%s\n' "$SOCKET"
      return 0
    fi
    if ! alive "$pid"; then
      tail -n 30 "$LOG" >&2 || true
      die "dockerd exited during start-up (its log above, whole log: $LOG)"
    fi
    sleep 1
  done
  tail -n 30 "$LOG" >&2 || true
  die "dockerd (pid $pid) did not answer at $SOCKET within ${WAIT}s (its log above, whole log: $LOG)"
}

do_stop() {
  local pid
  if pid="$(daemon_pid)"; then
    say "stopping dockerd (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 40; then
      say "dockerd (pid $pid) still running after 40s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || die "dockerd (pid $pid) survived SIGKILL"
    fi
  else
    say "no dockerd of ours is running"
  fi
  if [ -d "$RUN_DIR" ] && [ "$(id -u)" = 0 ]; then
    end_leftover_containers
    end_leftover_shims
    unmount_leftovers
  fi
  rm -f "$SOCKET" "$PIDFILE"
  say "stopped"
}

do_env() {
  # A directory of its own (the Go tools of .ci/go-tools.sh live in $CACHE/bin).
  mkdir -p "$CACHE/docker-client"
  ln -sfn "$DOCKER" "$CACHE/docker-client/docker"
  printf 'export DOCKER_HOST=%q\n' "unix://$SOCKET"
  printf 'export AIGEN_DOCKER_CLI=%q\n' "$DOCKER"
  printf '# Debian'"'"'s docker client first on PATH (the newer one refuses BuildKit without buildx)\n'
  printf 'export PATH=%q:"$PATH"\n' "$CACHE/docker-client"
}

do_status() {
  if answers; then
    printf 'running: DOCKER_HOST=unix://%s (%s)\n' "$SOCKET" \
      "$(dk version --format 'server {{.Server.Version}}')"
  else
    printf 'not running (no answer at %s)\n' "$SOCKET"
    return 1
  fi
}

# The tags a list file names: one a line, blank lines and `#` comments left out.
listed_tags() {
  sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$1" | grep -v '^$' || true
}

# shellcheck source=.ci/standins/build.sh
source "$STANDINS/build.sh"

case "${1:-}" in
  start) with_lock engine 300 do_start ;;
  stop) with_lock engine 300 do_stop ;;
  images)
    answers || die "no daemon answers at $SOCKET: run 'bash .ci/engine.sh start' first"
    need_root "images"
    shift
    if [ "${1:-}" = --list ]; then
      [ "$#" = 2 ] || die "usage: images --list FILE"
      [ -r "$2" ] || die "cannot read the list of tags $2"
      mapfile -t tags < <(listed_tags "$2")
      [ "${#tags[@]}" -gt 0 ] || die "$2 lists no tags"
      set -- "${tags[@]}"
    fi
    with_lock images 3600 build_standins "$@"
    ;;
  status) do_status ;;
  env) do_env ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
