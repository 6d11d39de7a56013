#!/usr/bin/env bash
# A real Kubernetes control plane on loopback, for the cluster tests and for developers:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (which plays the kubelet
# of one simulated node, so Deployments roll out), all built by .ci/go-tools.sh.
#
#   .ci/control-plane.sh start        generate certificates, start everything, wait until ready
#   .ci/control-plane.sh stop         stop everything it started (by PID); safe to repeat
#   .ci/control-plane.sh status       which processes run, and the API server's /readyz
#   .ci/control-plane.sh env          export lines: KUBECONFIG and AIGEN_TEST_KUBECONFIG
#   .ci/control-plane.sh token NAMESPACE VERBS [RESOURCES]
#                                     a kubeconfig (its path on stdout) for a ServiceAccount that
#                                     may only do VERBS (comma list) on RESOURCES (comma list,
#                                     default: every resource) in NAMESPACE
#
# Everything lives in the state directory, outside the repository:
#   ${AIGEN_CP_DIR:-${AIGEN_CI_CACHE:-$HOME/.cache/aigen-ci}/control-plane}
# (pki/, etcd data, logs/, *.pid, admin.kubeconfig). Ports are free loopback ports chosen at start
# (recorded in ports.env); set AIGEN_CP_API_PORT to fix the API server's. AIGEN_CP_CONTROLLERS=0
# starts only etcd and the API server.
set -euo pipefail

ci_dir=$(cd "$(dirname "$0")" && pwd)
cache=${AIGEN_CI_CACHE:-$HOME/.cache/aigen-ci}
state=${AIGEN_CP_DIR:-$cache/control-plane}
bin=${AIGEN_CI_BIN:-$("$ci_dir/go-tools.sh" --bin-dir)}
pki=$state/pki
logs=$state/logs
admin_kubeconfig=$state/admin.kubeconfig
ready_timeout=${AIGEN_CP_TIMEOUT:-180}
# Order matters: started in this order, stopped in the reverse one.
components=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
node_name=kwok-node-0

say() { printf 'control-plane: %s\n' "$*" >&2; }
starting=
die() {
  say "error: $*"
  # A start that fails leaves nothing running behind it.
  if [ -n "$starting" ]; then stop_all quiet; fi
  exit 1
}

pid_of() { cat "$state/$1.pid" 2>/dev/null || true; }
running() {
  local pid
  pid=$(pid_of "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---------------------------------------------------------------------------------------------
# Certificates: one CA; a serving certificate for 127.0.0.1/localhost; client certificates for
# the admin (group system:masters), the controller manager, the scheduler and kwok; and the key
# that signs ServiceAccount tokens.

sign() { # sign NAME SUBJECT EXTENSIONS
  local name=$1 subject=$2 extensions=$3
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$pki/$name.key" -out "$pki/$name.csr" -subj "$subject" 2>/dev/null
  printf '%s\n' "$extensions" >"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -days 30 -sha256 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}

make_pki() {
  rm -rf "$pki"
  mkdir -p "$pki"
  chmod 700 "$pki"
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 30 -subj "/CN=aigen-test-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
  local client="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  sign apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
  sign admin "/O=system:masters/CN=aigen-admin" "$client"
  sign controller-manager "/CN=system:kube-controller-manager" "$client"
  sign scheduler "/CN=system:kube-scheduler" "$client"
  sign kwok "/O=system:masters/CN=kwok-controller" "$client"
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  chmod 600 "$pki"/*.key
}

b64() { base64 -w0 <"$1"; }

# write_kubeconfig FILE USER (client certificate pki/USER.crt) | FILE USER token TOKEN NAMESPACE
write_kubeconfig() {
  local file=$1 user=$2 credentials namespace=${5-default}
  if [ "${3-}" = token ]; then
    credentials="    token: $4"
  else
    credentials="    client-certificate-data: $(b64 "$pki/$user.crt")
    client-key-data: $(b64 "$pki/$user.key")"
  fi
  (
    umask 077
    cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: aigen-test
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(b64 "$pki/ca.crt")
users:
- name: $user
  user:
$credentials
contexts:
- name: $user@aigen-test
  context:
    cluster: aigen-test
    user: $user
    namespace: $namespace
current-context: $user@aigen-test
EOF
  )
}

# ---------------------------------------------------------------------------------------------

launch() { # launch NAME ARGS...: start bin/NAME in the background, detached, logging to logs/
  local name=$1
  shift
  [ -x "$bin/$name" ] || die "$bin/$name is missing: run .ci/go-tools.sh first"
  setsid "$bin/$name" "$@" </dev/null >"$logs/$name.log" 2>&1 &
  echo $! >"$state/$name.pid"
}

# wait_until COMPONENT WHAT COMMAND...: retries COMMAND until it succeeds, up to the ready
# timeout; gives up at once when COMPONENT's process has ended.
wait_until() {
  local component=$1 what=$2 deadline=$((SECONDS + ready_timeout))
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ! running "$component"; then
      tail -n 5 "$logs/$component.log" >&2 || true
      die "$component exited while waiting for $what; see $logs/$component.log"
    fi
    if [ $SECONDS -ge $deadline ]; then
      die "$what not ready after ${ready_timeout}s; see $logs/"
    fi
    sleep 0.5
  done
}

api_curl() {
  curl -sf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$API_PORT$1"
}

kubectl_admin() { "$bin/kubectl" --kubeconfig "$admin_kubeconfig" "$@"; }

# stage NAME KIND MATCH-EXPRESSIONS NEXT: one kwok Stage document for objects of KIND (core v1).
stage() {
  cat <<EOF
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: $1}
spec:
  resourceRef: {apiGroup: v1, kind: $2}
  selector: {matchExpressions: $3}
  next:
$4
---
EOF
}

# kwok's behaviour is described by Stages: the simulated node turns Ready, a pod bound to it
# turns Running and Ready at once, and a pod being deleted goes away (there is no kubelet to
# confirm the deletion).
write_kwok_config() {
  # shellcheck disable=SC2016 # {{ $now }} and the like are kwok's templates, not the shell's
  {
    stage aigen-node-ready Node \
      '[{key: ".status.conditions.[] | select( .type == \"Ready\" ) | .status", operator: NotIn, values: ["True"]}]' \
      '    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - type: Ready
        status: "True"
        reason: KubeletReady
        message: simulated by kwok
        lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $now | Quote }}
      phase: Running'
    stage aigen-pod-ready Pod \
      '[{key: .metadata.deletionTimestamp, operator: DoesNotExist}, {key: .status.phase, operator: In, values: [Pending]}]' \
      '    statusTemplate: |
      {{ $now := Now }}
      phase: Running
      startTime: {{ $now | Quote }}
      conditions:
      - {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}
      - {type: ContainersReady, status: "True", lastTransitionTime: {{ $now | Quote }}}
      - {type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }}}
      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: true
        started: true
        restartCount: 0
        state: {running: {startedAt: {{ $now | Quote }}}}
      {{ end }}
      {{ with PodIPsWith .spec.nodeName false .metadata.uid .metadata.name .metadata.namespace }}
      podIP: {{ index . 0 | Quote }}
      {{ end }}'
    stage aigen-pod-delete Pod '[{key: .metadata.deletionTimestamp, operator: Exists}]' \
      '    finalizers: {empty: true}
    delete: true'
  } >"$state/kwok.yaml"
}

node_manifest() {
  cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $node_name
  labels:
    kubernetes.io/hostname: $node_name
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
  annotations:
    kwok.x-k8s.io/node: fake
status:
  allocatable: {cpu: "16", memory: 64Gi, pods: "110"}
  capacity: {cpu: "16", memory: 64Gi, pods: "110"}
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    kubeletVersion: kwok
    containerRuntimeVersion: kwok
    kernelVersion: kwok
    osImage: kwok
    bootID: ""
    machineID: ""
    systemUUID: ""
EOF
}

start() {
  if running kube-apiserver && [ -f "$state/ports.env" ]; then
    # shellcheck disable=SC1091
    . "$state/ports.env"
    if api_curl /readyz >/dev/null 2>&1; then
      say "already running (API server https://127.0.0.1:$API_PORT)"
      return 0
    fi
  fi
  stop_all quiet
  starting=1
  local begin=$SECONDS
  mkdir -p "$state" "$logs"
  rm -rf "${state:?}/etcd" "${logs:?}"/*
  ETCD_PORT=$(free_port)
  ETCD_PEER_PORT=$(free_port)
  API_PORT=${AIGEN_CP_API_PORT:-$(free_port)}
  printf 'ETCD_PORT=%s\nETCD_PEER_PORT=%s\nAPI_PORT=%s\n' "$ETCD_PORT" "$ETCD_PEER_PORT" "$API_PORT" >"$state/ports.env"
  make_pki

  launch etcd --name aigen-test --data-dir "$state/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "aigen-test=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync --log-level warn
  wait_until etcd etcd curl -sf "http://127.0.0.1:$ETCD_PORT/health"

  # Admission: the API server's default set (NamespaceLifecycle, LimitRanger, ServiceAccount,
  # PodSecurity, Priority, DefaultTolerationSeconds, DefaultStorageClass, ResourceQuota, the
  # webhook and ValidatingAdmissionPolicy plugins, ...) plus NodeRestriction, as kubeadm sets it.
  # The API server refuses to advertise a loopback address in the `kubernetes` Service's
  # endpoints; nothing here reaches it through that Service, so the endpoints are not kept.
  launch kube-apiserver \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --endpoint-reconciler-type none \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" \
    --service-account-signing-key-file "$pki/sa.key" \
    --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction \
    --allow-privileged=true \
    --service-cluster-ip-range 10.96.0.0/16 \
    --profiling=false
  wait_until kube-apiserver /readyz api_curl /readyz
  write_kubeconfig "$admin_kubeconfig" admin

  if [ "${AIGEN_CP_CONTROLLERS:-1}" != 0 ]; then
    write_kubeconfig "$state/controller-manager.kubeconfig" controller-manager
    write_kubeconfig "$state/scheduler.kubeconfig" scheduler
    write_kubeconfig "$state/kwok.kubeconfig" kwok
    launch kube-controller-manager --kubeconfig "$state/controller-manager.kubeconfig" \
      --secure-port 0 --leader-elect=false --use-service-account-credentials \
      --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
      --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
      --cluster-name aigen-test --profiling=false
    launch kube-scheduler --kubeconfig "$state/scheduler.kubeconfig" \
      --secure-port 0 --leader-elect=false --profiling=false
    write_kwok_config
    launch kwok --kubeconfig "$state/kwok.kubeconfig" --config "$state/kwok.yaml" \
      --manage-all-nodes=true --node-lease-duration-seconds 40
    node_manifest | kubectl_admin apply --server-side --field-manager aigen-control-plane -f - >/dev/null
    wait_until kwok "node $node_name" kubectl_admin wait --for=condition=Ready "node/$node_name" --timeout=2s
    # Pods need the namespace's default ServiceAccount, which the controller manager creates.
    wait_until kube-controller-manager "the default ServiceAccount" kubectl_admin get serviceaccount default -n default
  fi
  starting=
  say "ready in $((SECONDS - begin))s: API server https://127.0.0.1:$API_PORT, kubeconfig $admin_kubeconfig"
}

stop_all() {
  local quiet=${1-} name pid i stopped=()
  for ((i = ${#components[@]} - 1; i >= 0; i--)); do
    name=${components[$i]}
    pid=$(pid_of "$name")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -9 "$pid" 2>/dev/null || true
      stopped+=("$name")
    fi
    rm -f "$state/$name.pid"
  done
  if [ -z "$quiet" ]; then
    if [ ${#stopped[@]} -gt 0 ]; then say "stopped ${stopped[*]}"; else say "nothing was running"; fi
  fi
}

status() {
  local name pid code=0
  for name in "${components[@]}"; do
    pid=$(pid_of "$name")
    if running "$name"; then
      echo "$name: running (pid $pid)"
    else
      echo "$name: not running"
    fi
  done
  if [ -f "$state/ports.env" ] && running kube-apiserver; then
    # shellcheck disable=SC1091
    . "$state/ports.env"
    if api_curl /readyz >/dev/null 2>&1; then
      echo "API server https://127.0.0.1:$API_PORT: ready"
      echo "kubeconfig: $admin_kubeconfig"
    else
      echo "API server https://127.0.0.1:$API_PORT: not ready"
      code=1
    fi
  else
    code=1
  fi
  return $code
}

print_env() {
  [ -f "$admin_kubeconfig" ] || die "not started: run $0 start"
  printf 'export KUBECONFIG=%q\n' "$admin_kubeconfig"
  printf 'export AIGEN_TEST_KUBECONFIG=%q\n' "$admin_kubeconfig"
}

# token NAMESPACE VERBS [RESOURCES]: a ServiceAccount in NAMESPACE bound to a Role allowing only
# VERBS on RESOURCES there; prints the path of a kubeconfig holding its token (never the token).
token() {
  local namespace=${1-} verbs=${2-} resources=${3-*} name file token_value
  if [ -z "$namespace" ] || [ -z "$verbs" ]; then
    die "usage: $0 token NAMESPACE VERBS [RESOURCES]"
  fi
  [ -f "$state/ports.env" ] || die "not started: run $0 start"
  # shellcheck disable=SC1091
  . "$state/ports.env"
  name="limited-$(printf '%s' "$verbs.$resources" | tr -c 'a-z0-9' '-' | sed 's/--*/-/g; s/-$//' | cut -c1-40)"
  name=${name%-}
  list() { printf '%s' "$1" | sed 's/[^,][^,]*/"&"/g'; }
  kubectl_admin apply --server-side --field-manager aigen-control-plane -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: $namespace}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: $name, namespace: $namespace}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: $name, namespace: $namespace}
rules:
- apiGroups: ["*"]
  resources: [$(list "$resources")]
  verbs: [$(list "$verbs")]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: $name, namespace: $namespace}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: $name}
subjects:
- {kind: ServiceAccount, name: $name, namespace: $namespace}
EOF
  token_value=$(kubectl_admin create token "$name" -n "$namespace" --duration 2h)
  file="$state/token-$namespace-$name.kubeconfig"
  write_kubeconfig "$file" "system:serviceaccount:$namespace:$name" token "$token_value" "$namespace"
  echo "$file"
}

case ${1-} in
  start) start ;;
  stop) stop_all ;;
  status) status ;;
  env) print_env ;;
  token)
    shift
    token "$@"
    ;;
  *)
    echo "usage: $0 start|stop|status|env|token NAMESPACE VERBS [RESOURCES]" >&2
    exit 2
    ;;
esac
