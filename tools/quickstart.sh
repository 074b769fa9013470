#!/usr/bin/env bash
# The quick start, on the embedded default: build what is missing (tools/toolchain.sh), start the
# local control plane (tools/cluster/cluster.sh), `pulumi up` the dev stack on a local file backend
# with a passphrase secrets provider, and print the stack's outputs.
#
# Usage: tools/quickstart.sh [up|destroy]     (npm run quickstart)
# State and the generated passphrase live in $TENANTSTACK_STATE_DIR (default ~/.cache/tenantstack/dev);
# set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE to use your own passphrase.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TENANTSTACK_CACHE:-$HOME/.cache/tenantstack}
STATE=${TENANTSTACK_STATE_DIR:-$CACHE/dev}
STACK=dev

say() { echo "quickstart: $*" >&2; }

PATH="$("$REPO/tools/node.sh"):$PATH"
PATH="$("$REPO/tools/toolchain.sh" path):$PATH"
export PATH PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_SKIP_UPDATE_CHECK=true
# `npm test` type-checks the program; skipping ts-node's type check makes each run a quarter faster.
export PULUMI_NODEJS_TRANSPILE_ONLY=${PULUMI_NODEJS_TRANSPILE_ONLY:-true}
"$REPO/tools/cluster/cluster.sh" start
export KUBECONFIG=$CACHE/cluster/kubeconfig

mkdir -p "$STATE/backend"
chmod 700 "$STATE"
if [[ -z ${PULUMI_CONFIG_PASSPHRASE:-} && -z ${PULUMI_CONFIG_PASSPHRASE_FILE:-} ]]; then
  if [[ ! -s $STATE/passphrase ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 >"$STATE/passphrase")
    say "generated a passphrase for the dev stack's secrets in $STATE/passphrase"
  fi
  export PULUMI_CONFIG_PASSPHRASE_FILE=$STATE/passphrase
fi
export PULUMI_BACKEND_URL=file://$STATE/backend

cd "$REPO"
# The file backend keeps the passphrase's salt in the stack's state; the CLI also writes it into the
# tracked stack file (at `stack init`, and again at `up` when it is missing there). A salt belongs to
# one passphrase, and this one exists on this machine only: whatever happens, the quick start leaves
# the stack file as it found it (a salt of your own that was there stays).
if ! grep -q '^encryptionsalt: ' "Pulumi.$STACK.yaml"; then
  trap 'sed -i "/^encryptionsalt: /d" "$REPO/Pulumi.$STACK.yaml"' EXIT
fi
if ! pulumi stack select "$STACK" --non-interactive 2>/dev/null; then
  pulumi stack init "$STACK" --secrets-provider passphrase --non-interactive >/dev/null
fi
case ${1:-up} in
  up)
    say "pulumi up of the $STACK stack (backend $PULUMI_BACKEND_URL)"
    pulumi up --stack "$STACK" --yes --skip-preview --non-interactive --suppress-progress
    pulumi stack output --stack "$STACK"
    say "the cluster: export KUBECONFIG=$KUBECONFIG PATH=$CACHE/cluster/bin:\$PATH"
    # The reference app (examples/app) by its Service: there is no ingress controller on the local
    # cluster (README "The local control plane"), and this machine reaches the node's Service range.
    namespace=$(pulumi stack output namespace --stack "$STACK")
    host=$(pulumi stack output urls --json --stack "$STACK" | node -e 'const u = Object.values(JSON.parse(require("fs").readFileSync(0, "utf8")))[0]; if (u) console.log(new URL(u).host)')
    address=$("$CACHE/cluster/bin/kubectl" --namespace "$namespace" get service api -o 'jsonpath={.spec.clusterIP}:{.spec.ports[0].port}')
    say "the app: curl -H 'Host: $host' -H 'Content-Type: application/json' -d '{\"text\": \"hello\"}' http://$address/notes"
    say "         curl -H 'Host: $host' http://$address/notes   (examples/app/README.md lists its requests)"
    ;;
  destroy)
    say "the data volumes are protected; see README \"Removing a stack\" to lift the protection first"
    pulumi destroy --stack "$STACK" --yes --skip-preview --non-interactive
    ;;
  *) echo "usage: tools/quickstart.sh [up|destroy]" >&2; exit 2 ;;
esac
