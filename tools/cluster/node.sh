# The real node of the local cluster, sourced by cluster.sh (not run on its own): containerd 2 (built
# from Go modules by build.sh) with Debian's runc, the CNI plugins bridge, host-local, portmap and
# loopback (Debian's), and kubelet, kube-proxy, kube-router's network policy controller and CoreDNS
# (built from Go modules by build.sh).
# Pods get addresses on the bridge $NODE_BRIDGE only; nothing is routed or masqueraded outward: pods have
# routes to their own subnet and the Service range alone, the bridge is the only interface that forwards,
# and a FORWARD rule drops anything that would leave it.
#
# The node is `tenantstack-node`, labelled and tainted `tenantstack.dev/node=real` (NoSchedule), so that
# suites of many stacks keep running on kwok's fake nodes while the stacks that ask for it (scheduling
# nodeSelector and toleration) run for real. Its images are built here by tools/images/build.sh and
# imported into its containerd; nothing is pulled.
#
# Uses from cluster.sh: DIR PKI OFFSET HERE STEP log die kc launch stop_component wait_for running_pid
# components_status cert kubeconfig.

NODE_NAME=tenantstack-node
NODE_LABEL=tenantstack.dev/node
NODE_BRIDGE=tsbr0
NODE_POD_CIDR=10.244.0.0/24
NODE_IP=10.244.0.1
NODE_SERVICE_CIDR=10.96.0.0/16
NODE_DNS_IP=10.96.0.10
NODE_API_PORT=6443 # the API server as pods see it: $NODE_IP:6443, forwarded to 127.0.0.1:$API_PORT
NODE_DIR=$DIR/node
NODE_RUN=/run/tenantstack-node
CONTAINERD_SOCK=$NODE_RUN/containerd/containerd.sock
KUBELET_PORT=$((16250 + OFFSET)) KUBELET_HEALTHZ_PORT=$((16248 + OFFSET))
PROXY_HEALTHZ_PORT=$((16256 + OFFSET)) PROXY_METRICS_PORT=$((16249 + OFFSET))
ROUTER_HEALTH_PORT=$((16244 + OFFSET))
NODE_COMPONENTS=(containerd api-bridge kubelet kube-proxy kube-router)
# Kernel settings kubelet changes at start (vm.overcommit_memory, kernel.panic, kernel.panic_on_oops),
# and the machine-wide ip_forward: they are the machine's, so their values are recorded before the node
# starts and put back once kubelet has set up (and again at stop). Only the bridge forwards.
NODE_KERNEL_TUNABLES=(vm/overcommit_memory kernel/panic kernel/panic_on_oops net/ipv4/ip_forward)

# write_if_changed FILE: writes standard input to FILE unless it holds that already (kube-proxy exits
# when its configuration file is written to, and containerd reloads the CNI configuration).
write_if_changed() {
  local new
  new=$(cat)
  [[ -f $1 && $(<"$1") == "$new" ]] || printf '%s\n' "$new" >"$1"
}

# Whether this cluster has a real node: by default the main cluster (offset 0) has one and others do
# not (one bridge per machine); TENANTSTACK_REAL_NODE=0|1 decides otherwise.
node_enabled() {
  local want=${TENANTSTACK_REAL_NODE:-}
  [[ -z $want ]] && { ((OFFSET == 0)) && want=1 || want=0; }
  [[ $want == 1 ]]
}

node_pki() {
  local usage='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment'
  cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "$usage\nextendedKeyUsage=clientAuth"
  cert kube-proxy /CN=system:kube-proxy "$usage\nextendedKeyUsage=clientAuth"
  cert kube-router /CN=tenantstack:kube-router "$usage\nextendedKeyUsage=clientAuth"
  # The API server's client certificate towards kubelets (logs, exec, port-forward).
  cert kube-apiserver-kubelet-client /O=system:masters/CN=kube-apiserver-kubelet-client \
    "$usage\nextendedKeyUsage=clientAuth"
}

# The bridge and its forwarding, before anything starts: kubelet needs the node address to exist.
node_network() {
  STEP="create the bridge $NODE_BRIDGE ($NODE_IP)"
  ip link show "$NODE_BRIDGE" >/dev/null 2>&1 || ip link add "$NODE_BRIDGE" type bridge
  [[ $(ip -4 addr show dev "$NODE_BRIDGE") == *" $NODE_IP/"* ]] || ip addr add "$NODE_IP/24" dev "$NODE_BRIDGE"
  ip link set "$NODE_BRIDGE" up
  STEP="let the bridge alone forward (Service traffic between pods), never outward"
  # A packet is forwarded only when the interface it came in on forwards; the machine's global
  # ip_forward stays as it is. The bridge plugin runs with isGateway off (the bridge's address is set
  # here), as with it on it would turn on ip_forward for the whole machine.
  node_record_kernel_tunables
  sysctl -qw "net.ipv4.conf.$NODE_BRIDGE.forwarding=1"
  sysctl -qw net.bridge.bridge-nf-call-iptables=1
  iptables -C FORWARD -i "$NODE_BRIDGE" ! -o "$NODE_BRIDGE" -j DROP 2>/dev/null \
    || iptables -I FORWARD -i "$NODE_BRIDGE" ! -o "$NODE_BRIDGE" -j DROP
  mkdir -p "$NODE_DIR/cni/conf" "$NODE_DIR/cni/ipam"
  write_if_changed "$NODE_DIR/cni/conf/10-tenantstack.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "tenantstack",
  "plugins": [
    {
      "type": "bridge", "bridge": "$NODE_BRIDGE", "isGateway": false, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$NODE_DIR/cni/ipam",
        "ranges": [[{"subnet": "$NODE_POD_CIDR", "gateway": "$NODE_IP"}]],
        "routes": [{"dst": "$NODE_SERVICE_CIDR", "gw": "$NODE_IP"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
}

node_containerd_config() {
  mkdir -p "$NODE_DIR/containerd"
  # Configuration version 4 (containerd 2.4): the CRI plugin is split into images and runtime parts.
  # Nothing of the machine's own containerd set-up is written: NRI is off (its socket would be
  # /var/run/nri), pods' network namespaces live under the state directory, and the optional-binaries
  # directory is the node's, not /opt/containerd. The snapshotters and tracing this node does not use
  # are off. The sockets are the server plugins' own settings: in a version 4 file the old top-level
  # [grpc] and [debug] tables are not migrated, so they would be ignored and containerd would listen on
  # the machine's /run/containerd/containerd.sock. A plugin's table replaces its defaults whole, so
  # the message size limits are repeated (16 MiB, containerd's default). This file imports nothing:
  # containerd reads only the imports a loaded file names, so /etc/containerd/conf.d stays unread.
  write_if_changed "$NODE_DIR/containerd.toml" <<EOF
version = 4
root = "$NODE_DIR/containerd"
state = "$NODE_RUN/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.erofs", "io.containerd.differ.v1.erofs",
  "io.containerd.nri.v1.nri", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[plugins."io.containerd.server.v1.grpc"]
  address = "$CONTAINERD_SOCK"
  max_recv_message_size = 16777216
  max_send_message_size = 16777216
[plugins."io.containerd.server.v1.ttrpc"]
  address = "$CONTAINERD_SOCK.ttrpc"
[plugins."io.containerd.server.v1.debug"]
  address = "$NODE_RUN/containerd/debug.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$NODE_DIR/containerd-opt"
[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "$(image_ref pause)"
[plugins."io.containerd.cri.v1.runtime"]
  # This machine forbids a negative oom_score_adj even to root; runc fails on the sandbox's -998.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_selinux = false
  max_container_log_line_size = 16384
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        SystemdCgroup = false
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "$NODE_DIR/cni/conf"
    max_conf_num = 1
EOF
}

node_kubelet_config() {
  mkdir -p "$NODE_DIR/kubelet" "$NODE_DIR/pod-logs"
  : >"$NODE_DIR/resolv.conf" # pods resolve through cluster DNS only
  write_if_changed "$NODE_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
# cgroups here are v1 with a hybrid unified mount, used by the machine's own processes: kubelet 1.35+
# refuses v1 unless told; the mounts stay as they are.
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
clusterDNS: [$NODE_DNS_IP]
clusterDomain: cluster.local
resolvConf: $NODE_DIR/resolv.conf
podLogsDir: $NODE_DIR/pod-logs
failSwapOn: false
# The machine forbids a negative oom_score_adj; kubelet's own default is -999.
oomScoreAdj: 0
registerWithTaints: [{key: $NODE_LABEL, value: real, effect: NoSchedule}]
serializeImagePulls: false
imageGCHighThresholdPercent: 100
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2%}
maxPods: 60
EOF
}

node_kube_proxy_config() {
  write_if_changed "$NODE_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
hostnameOverride: $NODE_NAME
clientConnection: {kubeconfig: $DIR/kube-proxy.kubeconfig}
clusterCIDR: $NODE_POD_CIDR
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:$PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$PROXY_METRICS_PORT
nodePortAddresses: [$NODE_IP/32]
iptables: {localhostNodePorts: false, masqueradeAll: false}
# Leave the machine's conntrack table size and timeouts as they are.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
}

# The node's objects in the API: kube-router's RBAC, the Service IP the pods reach the API server at,
# cluster DNS (CoreDNS in kube-system, `k8s-app: kube-dns`, as NetworkPolicies of real clusters expect).
node_manifest() {
  cat <<EOF
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "tenantstack:kube-router"}
rules:
- apiGroups: [""]
  resources: [namespaces, pods, services, nodes, endpoints]
  verbs: [list, get, watch]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [list, get, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, get, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "tenantstack:kube-router"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "tenantstack:kube-router"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "tenantstack:kube-router"}]
---
# The API server as pods reach it (KUBERNETES_SERVICE_HOST): the 'kubernetes' Service's endpoint is the
# forwarder on the bridge (the API server itself listens on loopback only).
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kubernetes-tenantstack-node
  namespace: default
  labels: {kubernetes.io/service-name: kubernetes, endpointslice.kubernetes.io/managed-by: tenantstack.dev-cluster}
addressType: IPv4
endpoints: [{addresses: [$NODE_IP], conditions: {ready: true}}]
ports: [{name: https, port: $NODE_API_PORT, protocol: TCP}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: coredns, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "tenantstack:coredns"}
rules:
- apiGroups: [""]
  resources: [services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "tenantstack:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "tenantstack:coredns"}
subjects: [{kind: ServiceAccount, name: coredns, namespace: kube-system}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  # Cluster names only: nothing is forwarded outside the cluster.
  Corefile: |
    .:53 {
        errors
        health :8080
        ready :8181
        kubernetes cluster.local in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
        }
        cache 30
        loadbalance
    }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  replicas: 1
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      serviceAccountName: coredns
      nodeSelector: {$NODE_LABEL: real}
      tolerations: [{key: $NODE_LABEL, operator: Equal, value: real, effect: NoSchedule}]
      securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: {type: RuntimeDefault},
        sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "53"}]}
      containers:
      - name: coredns
        image: $(image_ref coredns)
        args: [-conf, /etc/coredns/Corefile]
        ports: [{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53, protocol: TCP}]
        resources: {requests: {cpu: 20m, memory: 32Mi, ephemeral-storage: 16Mi}, limits: {memory: 128Mi, ephemeral-storage: 64Mi}}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        livenessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 10}
        readinessProbe: {httpGet: {path: /ready, port: 8181}, periodSeconds: 2}
        volumeMounts: [{name: config, mountPath: /etc/coredns, readOnly: true}]
      volumes: [{name: config, configMap: {name: coredns}}]
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  clusterIP: $NODE_DNS_IP
  selector: {k8s-app: kube-dns}
  ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53, protocol: TCP}]
EOF
}

# image_ref <name>: the local reference of an image built by tools/images/build.sh.
image_ref() { "$HERE/../images/build.sh" refs "$1"; }

# Records the machine's values of NODE_KERNEL_TUNABLES, once (the first start's are the machine's own).
node_record_kernel_tunables() {
  local name file=$NODE_DIR/kernel-tunables
  touch "$file"
  for name in "${NODE_KERNEL_TUNABLES[@]}"; do
    grep -q "^$name " "$file" || echo "$name $(</proc/sys/$name)" >>"$file"
  done
}

# Puts back the machine's kernel settings that kubelet changed (see NODE_KERNEL_TUNABLES); a change of
# the global ip_forward resets every interface's, so the bridge's own forwarding is set again after.
node_restore_kernel_tunables() {
  local name value file=$NODE_DIR/kernel-tunables
  [[ -f $file ]] || return 0
  while read -r name value; do
    [[ $(</proc/sys/$name) == "$value" ]] || echo "$value" >"/proc/sys/$name"
  done <"$file"
  if [[ -e /proc/sys/net/ipv4/conf/$NODE_BRIDGE/forwarding ]] && running_pid kubelet >/dev/null; then
    echo 1 >"/proc/sys/net/ipv4/conf/$NODE_BRIDGE/forwarding"
  fi
}

node_start() {
  node_enabled || return 0
  local t0=$SECONDS name
  for name in runc ip iptables ipset socat; do
    command -v "$name" >/dev/null || die "$name not found: run tools/cluster/build.sh (it installs the node's packages)"
  done
  mkdir -p "$NODE_DIR" "$NODE_RUN"
  node_pki
  STEP="write the node's kubeconfigs"
  kubeconfig "$DIR/kubelet.kubeconfig" kubelet
  kubeconfig "$DIR/kube-proxy.kubeconfig" kube-proxy
  kubeconfig "$DIR/kube-router.kubeconfig" kube-router
  node_network
  node_containerd_config
  node_kubelet_config
  node_kube_proxy_config

  STEP="start containerd ($CONTAINERD_SOCK)"
  running_pid containerd >/dev/null || launch containerd --config "$NODE_DIR/containerd.toml"
  wait_for containerd 60 "$DIR/bin/ctr" --address "$CONTAINERD_SOCK" version
  STEP="build and import the node's images (tools/images/build.sh)"
  "$HERE/../images/build.sh" load "$CONTAINERD_SOCK" >&2

  STEP="start the API server's forwarder on $NODE_IP:$NODE_API_PORT"
  running_pid api-bridge >/dev/null || launch api-bridge \
    "TCP-LISTEN:$NODE_API_PORT,bind=$NODE_IP,reuseaddr,fork" "TCP:127.0.0.1:$API_PORT"

  STEP="apply the node's RBAC, cluster DNS and the API server's Service endpoint for pods"
  node_manifest | kc apply -f - >/dev/null

  STEP="start kubelet ($NODE_NAME)"
  launch kubelet --config="$NODE_DIR/kubelet.yaml" --kubeconfig="$DIR/kubelet.kubeconfig" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --root-dir="$NODE_DIR/kubelet" \
    --node-labels="$NODE_LABEL=real" --v=1
  STEP="start kube-proxy"
  running_pid kube-proxy >/dev/null || launch kube-proxy --config="$NODE_DIR/kube-proxy.yaml" --v=1

  STEP="wait for $NODE_NAME to be Ready"
  wait_for kubelet 120 kc wait --for=condition=Ready "node/$NODE_NAME" --timeout=5s
  # kube-router looks its node up once, at start: it exits when kubelet has not registered it yet.
  STEP="start kube-router's network policy controller"
  running_pid kube-router >/dev/null || launch kube-router --kubeconfig="$DIR/kube-router.kubeconfig" \
    --hostname-override="$NODE_NAME" --run-firewall=true --run-router=false --run-service-proxy=false \
    --enable-cni=false --enable-ipv6=false --service-cluster-ip-range="$NODE_SERVICE_CIDR" \
    --health-port="$ROUTER_HEALTH_PORT" --metrics-port=0
  node_restore_kernel_tunables
  STEP="wait for cluster DNS (CoreDNS) to be ready"
  wait_for kubelet 120 kc -n kube-system rollout status deployment/coredns --timeout=5s
  STEP="wait for kube-proxy and kube-router to be healthy"
  wait_for kube-proxy 60 curl -fsS --max-time 2 "http://127.0.0.1:$PROXY_HEALTHZ_PORT/healthz"
  wait_for kube-router 60 curl -fsS --max-time 2 "http://127.0.0.1:$ROUTER_HEALTH_PORT/healthz"
  log "real node $NODE_NAME ready in $((SECONDS - t0))s"
}

# Ends every container of the node (containerd's shims outlive containerd), then the node's processes,
# its mounts and its iptables rules.
node_stop() {
  node_enabled || return 0
  local name pid mnt
  local ctr=("$DIR/bin/ctr" --address "$CONTAINERD_SOCK" -n k8s.io) i
  # kubelet first: alive, it starts again the containers killed below (a stop once left a
  # CoreDNS pod and its shim running).
  stop_component kubelet
  if pid=$(running_pid containerd); then
    for name in $("${ctr[@]}" tasks ls -q 2>/dev/null); do "${ctr[@]}" tasks kill -s SIGKILL "$name" >/dev/null 2>&1 || true; done
    for _ in {1..20}; do
      [[ -z $("${ctr[@]}" tasks ls 2>/dev/null | awk 'NR > 1 && $3 == "RUNNING"') ]] && break
      sleep 0.5
    done
    for name in $("${ctr[@]}" tasks ls -q 2>/dev/null); do "${ctr[@]}" tasks delete -f "$name" >/dev/null 2>&1 || true; done
  fi
  for ((i = ${#NODE_COMPONENTS[@]} - 1; i >= 0; i--)); do stop_component "${NODE_COMPONENTS[i]}"; done
  node_kill_shims
  [[ -x $DIR/bin/kube-proxy ]] && "$DIR/bin/kube-proxy" --cleanup >/dev/null 2>&1 || true
  [[ -x $DIR/bin/kube-router ]] && "$DIR/bin/kube-router" --cleanup-config >/dev/null 2>&1 || true
  findmnt -rn -o TARGET | grep -F -e "$NODE_DIR/" -e "$NODE_RUN/" | sort -r | while read -r mnt; do umount -l "$mnt" || true; done
  node_restore_kernel_tunables
}

# Kills the shims of this node's containerd that are left (a shim outlives containerd by design),
# each with every process under it: the containers' processes are its descendants.
node_kill_shims() {
  local pid cmdline pids=() child
  for pid in $(pgrep -f -- "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK" || true); do
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
    [[ $cmdline == *"-address $CONTAINERD_SOCK"* ]] || continue
    pids+=("$pid")
  done
  while ((${#pids[@]})); do
    pid=${pids[-1]}
    unset 'pids[-1]'
    for child in $(pgrep -P "$pid" || true); do pids+=("$child"); done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

node_status() {
  node_enabled || { echo "real node: none (TENANTSTACK_REAL_NODE=1 to have one)"; return 0; }
  components_status "${NODE_COMPONENTS[@]}"
}
