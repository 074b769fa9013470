#!/usr/bin/env bash
# PostgreSQL and Redis servers and clients from Debian's packages, for the data-migration tests
# (test/e2e/migration/data) and for running automation/migration/data/run.ts locally.
#
# Usage: tools/dataservers.sh install   install what is missing (apt-get; root or sudo)
#        tools/dataservers.sh path      install what is missing, then print the directories to put
#                                       on PATH (Postgres server binaries, which include pg_dump,
#                                       pg_restore and psql of the same version, and redis-server)
#        tools/dataservers.sh plane DIR STACK[=TENANT,...]...
#                                       a data plane for the local cluster, whose stacks' own servers
#                                       never run on kwok's nodes: a PostgreSQL and a Redis server per
#                                       stack on free loopback ports, their data under DIR/<stack>
#                                       (left running; kept, not restarted, by another run), each
#                                       TENANT's empty database created on its stack's Postgres; prints
#                                       the data plane JSON for `tenantstack --data-plane`
#        tools/dataservers.sh stop DIR  stops the servers `plane` started under DIR and removes DIR
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

# As root, Postgres runs as `postgres` (initdb refuses root).
as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then setpriv --reuid postgres --regid postgres --init-groups -- "$@"; else "$@"; fi
}

# A loopback port nothing listens on.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# Starts (or finds running) the servers of one stack under $1; prints its Postgres and Redis URLs.
stack_servers() {
  local dir=$1 bin pg_dir password
  bin=$(postgres_bin)
  mkdir -p "$dir"
  if [[ ! -f $dir/servers.env ]]; then
    password=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
    # As root, Postgres' files go where the `postgres` user can reach them (not under a private home).
    pg_dir=$dir/postgres
    [[ $(id -u) -eq 0 ]] && pg_dir=$(mktemp -d /tmp/tenantstack-dataplane-XXXXXX)
    printf 'PG_DIR=%s\nPG_PORT=%s\nREDIS_PORT=%s\nPASSWORD=%s\n' "$pg_dir" "$(free_port)" "$(free_port)" "$password" >"$dir/servers.env"
    chmod 600 "$dir/servers.env"
  fi
  # shellcheck disable=SC1091
  source "$dir/servers.env"
  if [[ ! -d $PG_DIR/data ]]; then
    mkdir -p "$PG_DIR"
    (umask 077; printf '%s\n' "$PASSWORD" >"$PG_DIR/pwfile")
    [[ $(id -u) -eq 0 ]] && chown -R postgres:postgres "$PG_DIR"
    as_postgres "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=scram-sha-256 --pwfile="$PG_DIR/pwfile" \
      --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o "-p $PG_PORT -h 127.0.0.1 -k $PG_DIR" start >/dev/null
  fi
  if ! redis-cli -p "$REDIS_PORT" --no-auth-warning -a "$PASSWORD" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --requirepass "$PASSWORD" --dir "$dir" --save "" --appendonly no \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    for _ in $(seq 50); do
      redis-cli -p "$REDIS_PORT" --no-auth-warning -a "$PASSWORD" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
  fi
  echo "postgres://postgres:$PASSWORD@127.0.0.1:$PG_PORT/postgres redis://:$PASSWORD@127.0.0.1:$REDIS_PORT"
}

# The data plane of `plane DIR STACK[=TENANT,...]...`, as JSON.
plane() {
  local dir=$1 spec stack tenants urls postgres redis tenant first=1
  shift
  [[ $# -gt 0 ]] || { echo "usage: tools/dataservers.sh plane DIR STACK[=TENANT,...]..." >&2; exit 2; }
  install
  printf '{'
  for spec in "$@"; do
    stack=${spec%%=*}
    tenants=$([[ $spec == *=* ]] && echo "${spec#*=}" | tr ',' ' ' || true)
    [[ $stack =~ ^[a-z0-9][a-z0-9.-]*$ ]] || { echo "dataservers.sh: not a stack name: $stack" >&2; exit 2; }
    read -r postgres redis < <(stack_servers "$dir/$stack")
    for tenant in $tenants; do
      [[ $tenant =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || { echo "dataservers.sh: not a tenant name: $tenant" >&2; exit 2; }
      # The database a tenant's provisioning creates (tenant_<name>, dashes as underscores), empty.
      local database="tenant_${tenant//-/_}"
      if [[ -z $("$(postgres_bin)/psql" "$postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'") ]]; then
        "$(postgres_bin)/psql" "$postgres" -qc "CREATE DATABASE \"$database\"" >/dev/null
      fi
    done
    [[ $first -eq 1 ]] || printf ','
    first=0
    printf '\n  "%s": { "postgresUrl": "%s", "redisUrl": "%s" }' "$stack" "$postgres" "$redis"
  done
  printf '\n}\n'
}

# Stops what `plane DIR` started and removes DIR.
stop() {
  local dir=$1 stack
  for stack in "$dir"/*/; do
    [[ -f $stack/servers.env ]] || continue
    # shellcheck disable=SC1091
    source "$stack/servers.env"
    as_postgres "$(postgres_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    redis-cli -p "$REDIS_PORT" --no-auth-warning -a "$PASSWORD" shutdown nosave >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  done
  rm -rf "$dir"
}

case ${1:-install} in
  install) install ;;
  path) install; echo "$(postgres_bin):$(dirname "$(command -v redis-server)")" ;;
  plane) [[ $# -ge 2 ]] || { echo "usage: tools/dataservers.sh plane DIR STACK[=TENANT,...]..." >&2; exit 2; }; plane "${@:2}" ;;
  stop) [[ $# -eq 2 ]] || { echo "usage: tools/dataservers.sh stop DIR" >&2; exit 2; }; stop "$2" ;;
  *) echo "usage: tools/dataservers.sh install|path|plane DIR STACK[=TENANT,...]...|stop DIR" >&2; exit 2 ;;
esac
