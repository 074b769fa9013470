#!/usr/bin/env bash
# The engine toolchain and local control plane, built from Go modules and Debian packages and
# cached outside the repository (tools/pulumi/build.sh, tools/cluster/build.sh).
#
# Usage: tools/toolchain.sh build   build what is missing (progress on stderr)
#        tools/toolchain.sh path    build what is missing, then print the directories to put on PATH
# A user who already has `pulumi` (and its plugins) on PATH can skip the Pulumi build with
# TENANTSTACK_USE_INSTALLED_PULUMI=1.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_SKIP_UPDATE_CHECK=true

dirs=("$HERE/pulumi/bin")
if [[ ${TENANTSTACK_USE_INSTALLED_PULUMI:-} == 1 ]] && command -v pulumi >/dev/null; then
  echo "toolchain.sh: using the installed $(command -v pulumi)" >&2
else
  mapfile -t built < <("$HERE/pulumi/build.sh")
  dirs+=("${built[@]}")
fi
"$HERE/cluster/build.sh" >/dev/null # progress on stderr; stdout lists the binaries

case ${1:-build} in
  build) ;;
  path) (IFS=:; echo "${dirs[*]}") ;;
  *) echo "usage: tools/toolchain.sh build|path" >&2; exit 2 ;;
esac
