#!/usr/bin/env bash
# PostgreSQL and Redis servers and clients from Debian's packages, for the data-migration tests
# (test/e2e/migration/data) and for running automation/migration/data/run.ts locally.
#
# Usage: tools/dataservers.sh install   install what is missing (apt-get; root or sudo)
#        tools/dataservers.sh path      install what is missing, then print the directories to put
#                                       on PATH (Postgres server binaries, which include pg_dump,
#                                       pg_restore and psql of the same version, and redis-server)
set -euo pipefail

PACKAGES=(postgresql redis-server)

# The newest Postgres server binaries directory, or nothing.
postgres_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres && -x $dir/pg_dump && -x $dir/pg_restore ]] && echo "$dir"
}

installed() {
  [[ -n $(postgres_bin) ]] && command -v redis-server >/dev/null && command -v redis-cli >/dev/null
}

install() {
  installed && return 0
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "dataservers.sh: need root or sudo to apt-get install ${PACKAGES[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "dataservers.sh: installing ${PACKAGES[*]} from Debian's packages" >&2
  # Services are not started: the tests start their own servers on loopback ports in temp dirs.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2
  installed || { echo "dataservers.sh: ${PACKAGES[*]} installed but initdb/pg_ctl/pg_dump/redis-server not found" >&2; exit 1; }
}

case ${1:-install} in
  install) install ;;
  path) install; echo "$(postgres_bin):$(dirname "$(command -v redis-server)")" ;;
  *) echo "usage: tools/dataservers.sh install|path" >&2; exit 2 ;;
esac
