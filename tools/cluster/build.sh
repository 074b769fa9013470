#!/usr/bin/env bash
# Builds the local control-plane toolchain from Go modules and caches it outside
# the repo, keyed by version: $CACHE/bin/<name>-<version>/<binary>.
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
#       from the wrapper module ./kubernetes (k8s.io/kubernetes)
#   kwok from the wrapper module ./kwok (sigs.k8s.io/kwok)
#   kubelet, kube-proxy (the real node) from ./kubernetes too
#   coredns from ./coredns (github.com/coredns/coredns), the real node's cluster DNS (run as a pod)
#   kube-router from ./kube-router (its network policy controller enforces NetworkPolicies)
#   containerd (daemon, runc shim, ctr) from ./containerd (github.com/containerd/containerd/v2)
#   gofakes3 from ./gofakes3 (github.com/johannesboyne/gofakes3), the tests' S3-compatible object store
#   etcd, runc, the CNI plugins, iptables, ipset, socat and the image tools from Debian's
#   packages (installed with apt-get if missing)
# Only the Go module proxy and apt are used. Progress goes to stderr; the
# cached binary directories are printed on stdout, one per line.
# Usage: tools/cluster/build.sh
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${TENANTSTACK_CACHE:-/root/.cache/tenantstack}
export PATH=/usr/local/go/bin:$PATH CGO_ENABLED=0

STEP=setup
log() { echo "build.sh: $*" >&2; }
trap 'log "FAILED at step: $STEP (see output above)"' ERR

# One build at a time per cache: a second caller (another test process, a second checkout) waits for
# the first and then finds its binaries cached instead of compiling the same ones alongside it.
mkdir -p "$CACHE"
exec 9>"$CACHE/.build-cluster.lock"
flock -n 9 || { log "another build into $CACHE is running: waiting for it"; flock 9; }

# module_field <wrapper dir> <module> <go list -m template>
module_field() { (cd "$1" && go list -m -f "$3" "$2"); }

# build <wrapper dir> <package> <binary> <version> <ldflags> [<directory name>]
# Skips the build when the cached binary already exists. Binaries that find each other by directory
# (containerd and its shim) share one: $CACHE/bin/<directory name>-<version>, by default the binary's.
build() {
  local dir=$1 pkg=$2 bin=$3 version=$4 ldflags=$5
  local out=$CACHE/bin/${6:-$bin}-$version
  STEP="go build $bin $version"
  if [[ -x $out/$bin ]]; then
    log "$bin $version: cached at $out"
  else
    log "$bin $version: building $pkg (this can take many minutes)"
    mkdir -p "$out"
    local start=$SECONDS
    (cd "$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$out/$bin.tmp" "$pkg")
    mv "$out/$bin.tmp" "$out/$bin"
    log "$bin $version: built in $((SECONDS - start))s"
  fi
  echo "$out"
}

STEP="read k8s.io/kubernetes version from kubernetes/go.mod"
K8S_VERSION=$(module_field "$HERE/kubernetes" k8s.io/kubernetes '{{.Version}}')
# The release date of the module stands in for the build date (reproducible).
K8S_DATE=$(module_field "$HERE/kubernetes" k8s.io/kubernetes '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}')
[[ $K8S_VERSION =~ ^v([0-9]+)\.([0-9]+)\. ]]
K8S_LDFLAGS=""
# Same variables as upstream hack/lib/version.sh, in both version packages.
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  K8S_LDFLAGS+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=${BASH_REMATCH[1]}"
  K8S_LDFLAGS+=" -X $pkg.gitMinor=${BASH_REMATCH[2]} -X $pkg.gitTreeState=archive"
  K8S_LDFLAGS+=" -X $pkg.buildDate=$K8S_DATE"
done
for bin in kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy; do
  build "$HERE/kubernetes" "k8s.io/kubernetes/cmd/$bin" "$bin" "$K8S_VERSION" "$K8S_LDFLAGS"
done

STEP="read sigs.k8s.io/kwok version from kwok/go.mod"
KWOK_VERSION=$(module_field "$HERE/kwok" sigs.k8s.io/kwok '{{.Version}}')
build "$HERE/kwok" sigs.k8s.io/kwok/cmd/kwok kwok "$KWOK_VERSION" \
  "-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}"

STEP="read github.com/coredns/coredns version from coredns/go.mod"
COREDNS_VERSION=$(module_field "$HERE/coredns" github.com/coredns/coredns '{{.Version}}')
build "$HERE/coredns" github.com/coredns/coredns coredns "$COREDNS_VERSION" \
  "-X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION"

STEP="read github.com/cloudnativelabs/kube-router/v2 version from kube-router/go.mod"
# v2.1.0 is the only version the Go module proxy serves; its wrapper raises the dependencies that had
# advisories (golang.org/x/net, gRPC, protobuf) to current versions. Only the network policy
# controller runs, on the local node.
KUBE_ROUTER_VERSION=$(module_field "$HERE/kube-router" github.com/cloudnativelabs/kube-router/v2 '{{.Version}}')
build "$HERE/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router kube-router \
  "$KUBE_ROUTER_VERSION" "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION"

STEP="read github.com/containerd/containerd/v2 version from containerd/go.mod"
# Kubernetes 1.36 and later support containerd 2.x only (Debian's is 1.6). The daemon looks for its
# runc shim on PATH and next to itself; ctr talks to it with the same API version.
CONTAINERD_VERSION=$(module_field "$HERE/containerd" github.com/containerd/containerd/v2 '{{.Version}}')
for cmd in containerd containerd-shim-runc-v2 ctr; do
  build "$HERE/containerd" "github.com/containerd/containerd/v2/cmd/$cmd" "$cmd" "$CONTAINERD_VERSION" \
    "-X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" containerd
done | sort -u

STEP="read github.com/johannesboyne/gofakes3 version from gofakes3/go.mod"
# An S3-compatible object store: the tests' bed of a shared `s3://` state backend (not part of the cluster).
GOFAKES3_VERSION=$(module_field "$HERE/gofakes3" github.com/johannesboyne/gofakes3 '{{.Version}}')
build "$HERE/gofakes3" github.com/johannesboyne/gofakes3/cmd/gofakes3 gofakes3 "$GOFAKES3_VERSION" ""

# Debian packages, by the command each one provides: etcd for the control plane; the rest for the real
# node (runtime, CNI plugins, packet filtering, the API server's forwarder for pods) and its images.
declare -A PACKAGES=(
  [etcd]=etcd-server [runc]=runc [/usr/lib/cni/bridge]=containernetworking-plugins
  [iptables]=iptables [ipset]=ipset [conntrack]=conntrack [socat]=socat
  [mmdebstrap]=mmdebstrap [umoci]=umoci [skopeo]=skopeo
)
missing=()
for cmd in "${!PACKAGES[@]}"; do
  if [[ $cmd == /* ]]; then [[ -x $cmd ]] || missing+=("${PACKAGES[$cmd]}")
  else command -v "$cmd" >/dev/null || missing+=("${PACKAGES[$cmd]}"); fi
done
if ((${#missing[@]})); then
  STEP="install Debian packages ${missing[*]} with apt-get"
  log "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
    || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
fi
log "etcd: $(etcd --version | sed -n 1p); runc: $(runc --version | awk 'NR == 1 {print $3}')"
log "done"
