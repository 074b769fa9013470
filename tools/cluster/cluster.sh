#!/usr/bin/env bash
# Local Kubernetes control plane for tenantstack, on 127.0.0.1 only: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler and kwok, which runs
# fake nodes (two CPU nodes, one GPU node) whose pods become Running and Ready,
# and a real node (node.sh: containerd, kubelet, kube-proxy, kube-router's
# network policy controller, CoreDNS) whose pods really run.
# Binaries come from build.sh (built on first use), images from ../images/build.sh.
#
# Usage: tools/cluster/cluster.sh start|stop|status|gc
#   start   start what is not running (and restart what runs with other
#           flags), apply the bootstrap objects and CRDs, return once the API
#           server is healthy and the nodes are Ready
#   stop    stop every component (its whole process group) and the real node's
#           containers
#   status  print what runs and which node is real; exit non-zero unless the
#           cluster is up
#   gc      remove what earlier or killed test runs left (gc.sh)
# Then: export KUBECONFIG=$DIR/kubeconfig PATH=$DIR/bin:$PATH
#
# Data dir ${TENANTSTACK_CLUSTER_DIR:-/root/.cache/tenantstack/cluster}
# (ports shifted by ${TENANTSTACK_CLUSTER_PORT_OFFSET:-0}):
#   kubeconfig (admin), bin/ (links to the binaries), pki/ (CA, certs, service
#   account keys), etcd/ (data), logs/<component>.log, run/<component>.pid
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=${TENANTSTACK_CLUSTER_DIR:-/root/.cache/tenantstack/cluster}
PKI=$DIR/pki
# Non-default ports, so that a usual local cluster can run beside this one;
# TENANTSTACK_CLUSTER_PORT_OFFSET (default 0) shifts them all, so that a second
# instance (another data dir) runs beside the first: two clusters for tests.
OFFSET=${TENANTSTACK_CLUSTER_PORT_OFFSET:-0}
[[ $OFFSET =~ ^[0-9]{1,4}$ ]] || { echo "cluster.sh: TENANTSTACK_CLUSTER_PORT_OFFSET must be an integer 0-9999 (got \"$OFFSET\")" >&2; exit 2; }
ETCD_PORT=$((16379 + OFFSET)) ETCD_PEER_PORT=$((16380 + OFFSET)) API_PORT=$((16443 + OFFSET))
KCM_PORT=$((16257 + OFFSET)) SCHED_PORT=$((16259 + OFFSET)) KWOK_PORT=$((16247 + OFFSET))
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
# CRDs taken from the Go module zips of their projects: module version files...
CRD_SOURCES=(
  "github.com/cert-manager/cert-manager v1.21.2 deploy/crds/*.yaml"
  "github.com/external-secrets/external-secrets v1.3.2 config/crds/bases/external-secrets.io_*.yaml"
  "github.com/prometheus-operator/prometheus-operator v0.85.0
   example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml
   example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml
   example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml"
)
PV_COUNT=60 PV_SIZE=50Gi

STEP=setup
log() { echo "cluster.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
trap 'log "FAILED at step: $STEP"' ERR
kc() { "$DIR/bin/kubectl" --kubeconfig "$DIR/kubeconfig" "$@"; }
# shellcheck source=node.sh
source "$HERE/node.sh"

# names_dir <pid>: the process's command line names the data dir.
names_dir() {
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$DIR/"* ]]
}

# Prints the pid of a component started by this script, if it is still alive
# (its command line names the data dir, so a reused pid is not mistaken).
running_pid() {
  local file=$DIR/run/$1.pid pid
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  names_dir "$pid" || return 1
  echo "$pid"
}

# launch <component> <args...>: runs $DIR/bin/<component> in a session (and
# process group) of its own, so that stop can end it with all its children,
# unless it runs already with the same arguments (one that runs with others,
# from an earlier version of this script, is restarted).
launch() {
  local name=$1 pid
  shift
  if running_pid "$name" >/dev/null; then
    [[ $(cat "$DIR/run/$name.args" 2>/dev/null) == "$*" ]] && return 0
    log "$name runs with other flags: restarting it"
    stop_component "$name"
  fi
  echo "=== $(date -u +%FT%TZ) start" >>"$DIR/logs/$name.log"
  setsid "$DIR/bin/$name" "$@" </dev/null >>"$DIR/logs/$name.log" 2>&1 &
  pid=$!
  # The child runs setsid, then the component, a moment after the fork (seconds on a loaded
  # machine); until then its command line is this script's and running_pid would take the
  # component for dead (a cold CI run failed so: "kube-apiserver exited during: start").
  for _ in {1..300}; do
    names_dir "$pid" || { kill -0 "$pid" 2>/dev/null && sleep 0.1 && continue; }
    break
  done
  echo "$pid" >"$DIR/run/$name.pid"
  echo "$*" >"$DIR/run/$name.args"
  log "$name started (pid $pid, log $DIR/logs/$name.log)"
}

# stop_component <component>: ends its process group, TERM first.
stop_component() {
  local name=$1 pid
  if pid=$(running_pid "$name"); then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in {1..40}; do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    log "$name stopped (pid $pid)"
  fi
  rm -f "$DIR/run/$name.pid" "$DIR/run/$name.args"
}

# wait_for <component> <seconds> <command...>: retries the command until it
# succeeds; fails early if the component exits, showing the end of its log.
wait_for() {
  local name=$1 deadline=$((SECONDS + $2))
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ! running_pid "$name" >/dev/null; then
      tail -n 20 "$DIR/logs/$name.log" >&2
      die "$name exited during: $STEP (log: $DIR/logs/$name.log)"
    fi
    ((SECONDS < deadline)) || { tail -n 20 "$DIR/logs/$name.log" >&2; die "timed out ($STEP)"; }
    sleep 0.5
  done
}

# https_ok <port> <path>: a GET with the admin client certificate succeeds.
https_ok() {
  curl -fsS --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://127.0.0.1:$1$2"
}

# cert <name> <subject> <extensions>: a key and a certificate signed by the CA.
cert() {
  [[ -f $PKI/$1.crt ]] && return
  openssl req -new -newkey rsa:2048 -nodes -subj "$2" -keyout "$PKI/$1.key" -out "$PKI/$1.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -out "$PKI/$1.crt" -extfile <(printf '%b\n' "$3") 2>/dev/null
  rm "$PKI/$1.csr"
}

make_pki() {
  STEP="generate certificates in $PKI"
  mkdir -p "$PKI" && chmod 700 "$PKI"
  [[ -f $PKI/ca.crt ]] || openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
    -subj /CN=tenantstack-local-ca -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
  local usage='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment'
  local both="$usage\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost"
  cert kube-apiserver /CN=kube-apiserver \
    "$both,IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert kube-controller-manager /CN=system:kube-controller-manager "$both"
  cert kube-scheduler /CN=system:kube-scheduler "$both"
  cert admin /O=system:masters/CN=tenantstack-admin "$usage\nextendedKeyUsage=clientAuth"
  node_pki
  # Service account token signing key pair (apiserver signs, controllers too).
  [[ -f $PKI/sa.key ]] || openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  [[ -f $PKI/sa.pub ]] || openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
}

# kubeconfig <file> <cert name>: a kubeconfig with embedded credentials.
kubeconfig() {
  local file=$1 tmp=$1.tmp
  rm -f "$tmp"
  "$DIR/bin/kubectl" config --kubeconfig "$tmp" set-cluster tenantstack --embed-certs \
    --server "https://127.0.0.1:$API_PORT" --certificate-authority "$PKI/ca.crt" >/dev/null
  "$DIR/bin/kubectl" config --kubeconfig "$tmp" set-credentials "$2" --embed-certs \
    --client-certificate "$PKI/$2.crt" --client-key "$PKI/$2.key" >/dev/null
  "$DIR/bin/kubectl" config --kubeconfig "$tmp" set-context tenantstack --cluster tenantstack --user "$2" >/dev/null
  "$DIR/bin/kubectl" config --kubeconfig "$tmp" use-context tenantstack >/dev/null
  chmod 600 "$tmp" && mv "$tmp" "$file"
}

# Links the binaries of build.sh's cache (and Debian's etcd) into $DIR/bin.
link_binaries() {
  STEP="build.sh (build or find the binaries)"
  local dirs
  dirs=$("$HERE/build.sh")
  mkdir -p "$DIR/bin"
  for d in $dirs; do ln -sfn "$d"/* "$DIR/bin/"; done
  ln -sfn "$(command -v etcd)" "$DIR/bin/etcd"
  ln -sfn "$(command -v socat)" "$DIR/bin/api-bridge"
}

# Fake nodes (kwok manages nodes annotated kwok.x-k8s.io/node=fake), the
# default StorageClass with pre-created PersistentVolumes, RuntimeClass nvidia.
bootstrap_manifest() {
  local node
  for node in kwok-cpu-0 kwok-cpu-1 kwok-gpu-0; do
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: $node
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: $node
$(if [[ $node == *gpu* ]]; then
      echo '    nvidia.com/gpu.present: "true"'
      echo 'spec: {taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]}'
    fi)
status:
  allocatable: &resources
    cpu: "16"
    memory: 64Gi
    ephemeral-storage: 200Gi
    pods: "110"
$(if [[ $node == *gpu* ]]; then echo '    nvidia.com/gpu: "4"'; fi)
  capacity: *resources
EOF
  done
  cat <<EOF
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: nvidia}
handler: nvidia
---
# Default class. Claims bind first to the pre-created volumes below; when none
# fits, kube-controller-manager's host-path provisioner (test-only, enabled by
# --enable-hostpath-provisioner) creates one under /tmp/hostpath_pv.
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
volumeBindingMode: Immediate
EOF
  local i
  for ((i = 1; i <= PV_COUNT; i++)); do
    cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-$i, labels: {tenantstack.dev/pool: precreated}}
spec:
  capacity: {storage: $PV_SIZE}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: standard
  hostPath: {path: $DIR/volumes/pv-$i}
EOF
  done
}

apply_crds() {
  local src mod version patterns pattern json dir f
  for src in "${CRD_SOURCES[@]}"; do
    read -r mod version _ <<<"$src"
    read -ra patterns <<<"${src//$'\n'/ }"
    STEP="download $mod@$version from the Go module proxy"
    json=$(cd / && go mod download -json "$mod@$version") || die "$STEP: $(jq -r .Error <<<"$json")"
    dir=$(jq -r .Dir <<<"$json")
    STEP="apply CRDs of $mod@$version"
    for pattern in "${patterns[@]:2}"; do
      for f in "$dir"/$pattern; do
        [[ -f $f ]] || die "$STEP: $pattern not found in the module"
        kc apply --server-side --force-conflicts -f "$f" >/dev/null
      done
    done
    log "CRDs applied from $mod@$version"
  done
  STEP="wait for the CRDs to be established"
  kc wait --for condition=Established crd --all --timeout=60s >/dev/null
}

start() {
  local t0=$SECONDS
  mkdir -p "$DIR/logs" "$DIR/run"
  link_binaries
  # Ours first: containerd finds its runc shim on PATH (a Debian containerd's shim may be on it too).
  export PATH=$DIR/bin:/usr/local/go/bin:$PATH
  make_pki
  STEP="write kubeconfigs"
  kubeconfig "$DIR/kubeconfig" admin
  kubeconfig "$DIR/kube-controller-manager.kubeconfig" kube-controller-manager
  kubeconfig "$DIR/kube-scheduler.kubeconfig" kube-scheduler

  STEP="start etcd on 127.0.0.1:$ETCD_PORT"
  launch etcd --name tenantstack --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "tenantstack=http://127.0.0.1:$ETCD_PEER_PORT" --auto-compaction-retention 1
  wait_for etcd 60 curl -fsS --max-time 5 "http://127.0.0.1:$ETCD_PORT/health"

  STEP="start kube-apiserver on 127.0.0.1:$API_PORT"
  launch kube-apiserver \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
    --endpoint-reconciler-type=none --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --tls-cert-file="$PKI/kube-apiserver.crt" --tls-private-key-file="$PKI/kube-apiserver.key" \
    --client-ca-file="$PKI/ca.crt" --authorization-mode=Node,RBAC --allow-privileged=true \
    --kubelet-client-certificate="$PKI/kube-apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI/kube-apiserver-kubelet-client.key" --kubelet-preferred-address-types=InternalIP \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range=10.96.0.0/16 --feature-gates=WatchList=false \
    --enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,PodSecurity,RuntimeClass,DefaultStorageClass,DefaultTolerationSeconds,StorageObjectInUseProtection,ResourceQuota,MutatingAdmissionWebhook,ValidatingAdmissionWebhook
  wait_for kube-apiserver 120 https_ok "$API_PORT" /readyz

  STEP="apply nodes, StorageClass, PersistentVolumes, RuntimeClass"
  bootstrap_manifest | kc apply -f - >/dev/null
  # kubelet gives hostPath volumes no fsGroup ownership (cloud disks get it), so the pre-created
  # volumes' directories let the pods' non-root users write, as /tmp does.
  local i
  for ((i = 1; i <= PV_COUNT; i++)); do mkdir -p "$DIR/volumes/pv-$i" && chmod 1777 "$DIR/volumes/pv-$i"; done
  apply_crds

  STEP="start kube-controller-manager on 127.0.0.1:$KCM_PORT"
  launch kube-controller-manager \
    --kubeconfig="$DIR/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$DIR/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$DIR/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$KCM_PORT" \
    --tls-cert-file="$PKI/kube-controller-manager.crt" --tls-private-key-file="$PKI/kube-controller-manager.key" \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --use-service-account-credentials=true \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --controllers='*' --enable-hostpath-provisioner=true --leader-elect=false

  STEP="start kube-scheduler on 127.0.0.1:$SCHED_PORT"
  launch kube-scheduler \
    --kubeconfig="$DIR/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$DIR/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$DIR/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" \
    --tls-cert-file="$PKI/kube-scheduler.crt" --tls-private-key-file="$PKI/kube-scheduler.key" \
    --leader-elect=false

  STEP="start kwok on 127.0.0.1:$KWOK_PORT"
  local stages
  stages=$(cd "$HERE/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage
  launch kwok --kubeconfig="$DIR/kubeconfig" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --cidr=10.0.0.1/16 --node-ip=127.0.0.1 --node-port="$KWOK_PORT" --server-address="127.0.0.1:$KWOK_PORT" \
    --node-lease-duration-seconds=40 \
    -c "$stages/node/fast/node-initialize.yaml" \
    -c "$stages/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml" \
    -c "$stages/pod/fast/pod-ready.yaml" -c "$stages/pod/fast/pod-complete.yaml" \
    -c "$stages/pod/fast/pod-delete.yaml"

  STEP="wait for kube-controller-manager /healthz"
  wait_for kube-controller-manager 60 https_ok "$KCM_PORT" /healthz
  STEP="wait for kube-scheduler /healthz"
  wait_for kube-scheduler 60 https_ok "$SCHED_PORT" /healthz
  STEP="wait for the kwok nodes to be Ready"
  wait_for kwok 60 kc wait --for=condition=Ready node -l type=kwok --timeout=5s
  STEP="wait for the default ServiceAccount"
  wait_for kube-controller-manager 60 kc -n default get serviceaccount default
  node_start
  log "cluster up in $((SECONDS - t0))s: export KUBECONFIG=$DIR/kubeconfig PATH=$DIR/bin:\$PATH"
}

stop() {
  local i
  node_stop
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do stop_component "${COMPONENTS[i]}"; done
}

# components_status <component...>: prints whether each runs; fails unless all do.
components_status() {
  local name pid up=0
  for name in "$@"; do
    if pid=$(running_pid "$name"); then echo "$name: running (pid $pid)"; else echo "$name: not running"; up=1; fi
  done
  return "$up"
}

status() {
  local up=0
  components_status "${COMPONENTS[@]}" || up=1
  if [[ -f $PKI/admin.crt ]] && https_ok "$API_PORT" /readyz >/dev/null 2>&1; then
    echo "kube-apiserver: ready at https://127.0.0.1:$API_PORT (KUBECONFIG=$DIR/kubeconfig)"
    kc get nodes -L "$NODE_LABEL" -L type
  else
    echo "kube-apiserver: not ready"
    up=1
  fi
  node_status || up=1
  return "$up"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  gc) exec "$HERE/gc.sh" ;;
  *) echo "usage: $0 start|stop|status|gc" >&2; exit 2 ;;
esac
