#!/usr/bin/env bash
# The engine toolchain and local control plane, built from Go modules and Debian packages and
# cached outside the repository (tools/pulumi/build.sh, tools/cluster/build.sh).
#
# Usage: tools/toolchain.sh build   build what is missing (progress on stderr)
#        tools/toolchain.sh path    build what is missing, then print the directories to put on PATH
# Both record the Pulumi directories, and the hashes of the files they were built from, in
# tools/.toolchain-built: the driver (automation/toolchain.ts) reads that record to find the built
# toolchain of a checkout; it never runs this script, so a library call never starts a build.
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

# The record automation/toolchain.ts reads: `input <sha256>  <file>` per build input, `dir <dir>` per
# directory. Written whole, then renamed, so a reader never sees half of it.
record=$HERE/.toolchain-built
{
  echo "# written by tools/toolchain.sh (read by automation/toolchain.ts); rewritten by every run"
  (cd "$HERE/.." && sha256sum tools/pulumi/build.sh tools/pulumi/*/go.mod) | sed 's/^/input /'
  printf 'dir %s\n' "${dirs[@]}"
} >"$record.$$"
mv "$record.$$" "$record"

case ${1:-build} in
  build) ;;
  path) (IFS=:; echo "${dirs[*]}") ;;
  *) echo "usage: tools/toolchain.sh build|path" >&2; exit 2 ;;
esac
