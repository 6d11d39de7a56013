#!/usr/bin/env bash
# Builds the Go programs the cluster and chart tests run, at pinned versions, from the Go module
# proxy, into a cache outside the repository:
#
#   ${AIGEN_CI_CACHE:-$HOME/.cache/aigen-ci}/bin   the programs
#   ${AIGEN_CI_CACHE:-$HOME/.cache/aigen-ci}/go    GOPATH and GOMODCACHE
#   ${AIGEN_CI_CACHE:-$HOME/.cache/aigen-ci}/go-build  GOCACHE
#
# A program already built at its pinned version (same Go, same module files) is kept, so a second
# run only checks. Usage: .ci/go-tools.sh [--bin-dir]   (--bin-dir prints the bin directory only)
#
# Programs and where they come from:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  k8s.io/kubernetes v1.37.2
#   etcd                                 go.etcd.io/etcd/server/v3 v3.7.0 (what v1.37.2 requires)
#       all five through .ci/go/kube, a module of ours that requires k8s.io/kubernetes and replaces
#       its staging modules (k8s.io/api, ...) with their published v0.37.2 releases.
#   helm                                 helm.sh/helm/v4 v4.3.2 (go install: it has no replace lines)
#   kwok                                 sigs.k8s.io/kwok v0.8.0 (go install), simulates nodes
#
# Not built, because the module proxy refuses them (checked on every run, see not_served below):
#   kubectl-ai (github.com/GoogleCloudPlatform/kubectl-ai) and kagent (github.com/kagent-dev/kagent/go).
set -euo pipefail

ci_dir=$(cd "$(dirname "$0")" && pwd)
cache=${AIGEN_CI_CACHE:-$HOME/.cache/aigen-ci}
bin=$cache/bin
if [ "${1-}" = "--bin-dir" ]; then
  echo "$bin"
  exit 0
fi

kubernetes_version=v1.37.2
helm_version=v4.3.2
kwok_version=v0.8.0
kubectl_ai_version=v0.0.28
kagent_version=v0.9.12

export PATH="/usr/local/go/bin:$PATH"
export GOPATH=$cache/go
export GOMODCACHE=$cache/go/pkg/mod
export GOCACHE=$cache/go-build
export GOTOOLCHAIN=local
# Only the module proxy: no fallback to fetching from version control hosts, which are not
# reachable here (and would turn "not served" into a slow, confusing git error).
goproxy=$(go env GOPROXY)
export GOPROXY=${goproxy%,direct}
export GOFLAGS="-buildvcs=false -mod=readonly"
export CGO_ENABLED=0
mkdir -p "$bin/.stamps"

go_version=$(go env GOVERSION)
now() { date +%s; }

# stamp NAME -> the recorded build key of bin/NAME, or nothing.
stamp() { cat "$bin/.stamps/$1" 2>/dev/null || true; }
# fresh NAME KEY -> true when bin/NAME exists and was built with KEY.
fresh() { [ -x "$bin/$1" ] && [ "$(stamp "$1")" = "$2" ]; }

kube_ldflags() {
  local major minor flags="-s -w" key
  major=${kubernetes_version#v}
  minor=${major#*.}
  minor=${minor%%.*}
  major=${major%%.*}
  for key in "gitVersion=$kubernetes_version" "gitMajor=$major" "gitMinor=$minor" \
    "gitTreeState=clean" "buildDate=1970-01-01T00:00:00Z"; do
    flags+=" -X k8s.io/component-base/version.$key -X k8s.io/client-go/pkg/version.$key"
  done
  echo "$flags"
}

# The programs of .ci/go/kube, built in one `go build` so shared packages compile once.
build_kube() {
  local module=$ci_dir/go/kube key wanted=() packages=() names=() name package out start
  key="$kubernetes_version $go_version $(cat "$module/go.mod" "$module/go.sum" | sha256sum | cut -c1-16)"
  wanted=(
    kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver
    kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager
    kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler
    kubectl=k8s.io/kubernetes/cmd/kubectl
    etcd=go.etcd.io/etcd/server/v3
  )
  for entry in "${wanted[@]}"; do
    name=${entry%%=*}
    package=${entry#*=}
    if fresh "$name" "$key"; then
      echo "$name: cached ($kubernetes_version module set)"
    else
      names+=("$name")
      packages+=("$package")
    fi
  done
  [ ${#packages[@]} -gt 0 ] || return 0
  echo "building ${names[*]} (k8s.io/kubernetes $kubernetes_version, etcd as it requires) ..."
  start=$(now)
  # What an interrupted build left (old enough not to be another run's build in progress).
  find "$cache" -maxdepth 1 -name 'build.*' -mmin +180 -exec rm -rf {} +
  out=$(mktemp -d "$cache/build.XXXXXX")
  (cd "$module" && go build -trimpath -ldflags "$(kube_ldflags)" -o "$out/" "${packages[@]}")
  for i in "${!names[@]}"; do
    # `go build -o dir/` names a program after the last element of its package path, or the
    # one before a major-version suffix (go.etcd.io/etcd/server/v3 -> server).
    package=${packages[$i]%/v[0-9]*}
    name=${names[$i]}
    mv "$out/${package##*/}" "$bin/$name"
    echo "$key" >"$bin/.stamps/$name"
  done
  rmdir "$out"
  echo "built ${names[*]} in $(($(now) - start))s"
}

# install NAME PACKAGE VERSION [LDFLAGS]: `go install PACKAGE@VERSION` into bin/NAME.
install_tool() {
  local name=$1 package=$2 version=$3 ldflags=${4-} key start
  key="$package@$version $go_version"
  if fresh "$name" "$key"; then
    echo "$name: cached ($version)"
    return 0
  fi
  echo "building $name ($package@$version) ..."
  start=$(now)
  GOBIN="$bin" GOFLAGS=-buildvcs=false go install -trimpath -ldflags "-s -w $ldflags" "$package@$version"
  echo "$key" >"$bin/.stamps/$name"
  echo "built $name in $(($(now) - start))s"
}

# not_served NAME MODULE VERSION: says in the log whether the proxy serves MODULE@VERSION.
not_served() {
  local name=$1 module=$2 version=$3 answer
  if answer=$(GOFLAGS=-mod=mod go list -m -json "$module@$version" 2>&1); then
    echo "$name: $module@$version is served now; building it is not wired up yet"
  else
    echo "$name: not built: $(echo "$answer" | tr '\n' ' ' | sed 's/  */ /g')"
  fi
}

total_start=$(now)
build_kube
install_tool helm helm.sh/helm/v4/cmd/helm "$helm_version" \
  "-X helm.sh/helm/v4/internal/version.version=$helm_version -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
install_tool kwok sigs.k8s.io/kwok/cmd/kwok "$kwok_version" \
  "-X sigs.k8s.io/kwok/pkg/consts.Version=${kwok_version#v}"
not_served kubectl-ai github.com/GoogleCloudPlatform/kubectl-ai "$kubectl_ai_version"
not_served kagent github.com/kagent-dev/kagent/go "$kagent_version"
echo "Go tools ready in $bin ($(($(now) - total_start))s)"
