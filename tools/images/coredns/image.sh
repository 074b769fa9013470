# shellcheck shell=bash disable=SC2034 # read by build.sh
# CoreDNS, the real node's cluster DNS (the kube-dns Service): the binary that tools/cluster/build.sh
# builds from Go modules, over Debian's netbase (/etc/services, /etc/protocols). Runs as 65532 with a
# read-only root file system; cluster.sh lets it bind port 53 with a pod sysctl.
COREDNS_VERSION=$(awk '$1 == "require" && $2 == "github.com/coredns/coredns" {print $3}' "$HERE/../cluster/coredns/go.mod")
IMAGE_REF=localhost/tenantstack/coredns:${COREDNS_VERSION#v}
IMAGE_DESCRIPTION="CoreDNS $COREDNS_VERSION built from Go modules, over Debian's netbase"
IMAGE_VARIANT=extract
IMAGE_PACKAGES=(netbase)
IMAGE_FILES=("${TENANTSTACK_CACHE:-$HOME/.cache/tenantstack}/bin/coredns-$COREDNS_VERSION/coredns:/usr/bin/coredns")
IMAGE_USER=65532:65532
IMAGE_ENTRYPOINT=(/usr/bin/coredns)
IMAGE_CMD=()
IMAGE_ENV=()
IMAGE_WORKDIR=/
IMAGE_PORTS=(53/udp 53/tcp)
