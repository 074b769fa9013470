#!/usr/bin/env bash
# Proves the images in real containers: starts a private containerd (its own
# root, state and socket under a temporary directory, CRI plugin off), loads the
# images with build.sh, runs each with `ctr run` the way the components run it
# (read-only root file system, the image's non-root user, writable mounts only
# where the pods have volumes), checks what it does, then stops containerd and
# removes the directory. Needs root, runc, nsenter and curl; containerd and ctr are the node's
# (tools/cluster/build.sh).
# Usage: tools/images/verify.sh     prints `ok`/`not ok` lines and `N passed, N failed`
set -Eeuo pipefail
shopt -s inherit_errexit

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# containerd, its shim and ctr as the real node has them (built, or found in the cache).
PATH="$("$HERE/../cluster/build.sh" | paste -sd:):$PATH"
DIR=$(mktemp -d /tmp/images-verify.XXXXXX)
# The containers' cgroups go under a parent of their own, removed at the end.
CGROUP=/${DIR##*/}
# ctr and the shims use these fixed directories; those this run creates go too.
CREATED=()
for d in /run/containerd /run/containerd/fifo /run/containerd/s; do [[ -e $d ]] || CREATED=("$d" "${CREATED[@]}"); done
SOCK=$DIR/containerd.sock
CTR=(ctr --address "$SOCK" -n k8s.io)
PASSED=0 FAILED=0 CONTAINERD=

log() { echo "tools/images/verify.sh: $*" >&2; }
trap 'log "FAILED at line $LINENO"' ERR
ok() { echo "ok - $1"; PASSED=$((PASSED + 1)); }
not_ok() { echo "not ok - $1${2:+: $2}"; FAILED=$((FAILED + 1)); }
# check NAME EXPECTED ACTUAL
check() { if [[ $3 == "$2" ]]; then ok "$1"; else not_ok "$1" "expected '$2', got '$3'"; fi; }

cleanup() {
  local id
  if [[ -n $CONTAINERD ]]; then
    for id in $("${CTR[@]}" containers ls -q 2>/dev/null); do
      "${CTR[@]}" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
      "${CTR[@]}" tasks rm -f "$id" >/dev/null 2>&1 || true
      "${CTR[@]}" containers rm "$id" >/dev/null 2>&1 || true
    done
    "${CTR[@]}" images unmount "$DIR/echo-root" >/dev/null 2>&1 || true
    kill "$CONTAINERD" 2>/dev/null || true
    wait "$CONTAINERD" 2>/dev/null || true
  fi
  rmdir /sys/fs/cgroup/*"$CGROUP" "${CREATED[@]}" 2>/dev/null || true
  # What containerd left mounted (a run once left a snapshot's mount under its state).
  local mnt
  while read -r mnt; do umount -l "$mnt" || true; done < <(findmnt -rn -o TARGET | grep -F "$DIR/" | sort -r)
  rm -rf --one-file-system "$DIR"
}
trap cleanup EXIT

cat >"$DIR/config.toml" <<EOF
version = 2
root = "$DIR/root"
state = "$DIR/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$DIR/containerd-ttrpc.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$DIR/opt"
EOF
containerd --config "$DIR/config.toml" >"$DIR/containerd.log" 2>&1 &
CONTAINERD=$!
for _ in $(seq 50); do [[ -S $SOCK ]] && break; sleep 0.2; done
[[ -S $SOCK ]] || { log "containerd did not start: $(tail -3 "$DIR/containerd.log")"; exit 1; }
"$HERE/build.sh" load "$SOCK" >/dev/null

# run ID IMAGE [ctr run options...] -- ARGS...: a read-only container with the
# image's user, its own runc root, and seccomp.
run() {
  local id=$1 image=$2
  shift 2
  local opts=()
  while [[ $1 != -- ]]; do opts+=("$1"); shift; done
  shift
  "${CTR[@]}" run --read-only --runc-root "$DIR/runc" --cgroup "$CGROUP/$id" --seccomp "${opts[@]}" "$image" "$id" "$@"
}
tmpfs() { echo "type=tmpfs,src=tmpfs,dst=$1,options=nosuid:nodev:mode=1777"; }
bind() { echo "type=bind,src=$1,dst=$2,options=rbind:${3:-rw}"; }
pid_of() { "${CTR[@]}" tasks ls | awk -v id="$1" '$1 == id { print $2 }'; }
uid_of() { awk '/^Uid:/ { print $2 }' "/proc/$(pid_of "$1")/status"; }
# stops ID with SIGTERM; prints its status after at most 20 s.
stop() {
  "${CTR[@]}" tasks kill -s SIGTERM "$1"
  for _ in $(seq 40); do "${CTR[@]}" tasks ls | grep -q "^$1 .*STOPPED" && break; sleep 0.5; done
  "${CTR[@]}" tasks ls | awk -v id="$1" '$1 == id { print $3 }'
  "${CTR[@]}" tasks rm "$1" >/dev/null 2>&1 || true
  "${CTR[@]}" containers rm "$1" >/dev/null 2>&1 || true
}
# inside ID COMMAND...: runs COMMAND in the running container ID.
inside() { local id=$1; shift; "${CTR[@]}" tasks exec --exec-id "x$RANDOM" "$id" "$@"; }

PAUSE=localhost/tenantstack/pause:3.10-bookworm
ECHO=localhost/tenantstack/echo:1-bookworm
POSTGRES=localhost/tenantstack/postgres:15-bookworm
REDIS=localhost/tenantstack/redis:7-bookworm
APP=localhost/tenantstack/app:1.0.0-bookworm

# pause: stays up as 65535 and exits on SIGTERM.
run pause "$PAUSE" -d --log-uri "file://$DIR/pause.log" -- /usr/bin/catatonit -P
sleep 2
check "pause runs as uid 65535" 65535 "$(uid_of pause)"
check "pause exits on SIGTERM" STOPPED "$(stop pause)"

# echo: hashicorp/http-echo's flags, any uid, read-only root.
run echo "$ECHO" -d --log-uri "file://$DIR/echo.log" -- /usr/local/bin/http-echo -listen=:8080 "-text=hello tenantstack"
sleep 1
check "echo serves the text on /" "hello tenantstack" "$(inside echo wget -qO- http://127.0.0.1:8080/)"
check "echo answers /health" '{"status":"ok"}' "$(inside echo wget -qO- http://127.0.0.1:8080/health)"
check "echo runs as a non-root uid" 65534 "$(uid_of echo)"
check "echo's root file system is read-only" "Read-only file system" \
  "$(inside echo sh -c 'touch /x 2>&1' | grep -o 'Read-only file system' || true)"
check "echo exits on SIGTERM" STOPPED "$(stop echo)"
# As the API pod runs it: uid 10001, no capabilities, only /tmp writable. ctr
# run has no --user, so this one gets a whole runtime spec.
mkdir "$DIR/echo-root"
"${CTR[@]}" images mount "$ECHO" "$DIR/echo-root" >/dev/null
"${CTR[@]}" oci spec | jq --arg root "$DIR/echo-root" --arg cgroup "$CGROUP/echo10001" '
  .root = {path: $root, readonly: true} | .linux.cgroupsPath = $cgroup
  | .process.user = {uid: 10001, gid: 10001} | .process.capabilities = {}
  | .process.args = ["/usr/local/bin/http-echo", "-listen=:8080", "-text=tenantstack"]
  | .process.env = ["PATH=/usr/local/bin:/bin"]
  | .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"]}]' \
  >"$DIR/echo10001.json"
"${CTR[@]}" run -d --runc-root "$DIR/runc" --log-uri "file://$DIR/echo10001.log" --config "$DIR/echo10001.json" echo10001
sleep 1
check "echo serves as uid 10001" "10001 tenantstack" \
  "$(uid_of echo10001) $(inside echo10001 wget -qO- http://127.0.0.1:8080/)"
check "echo as uid 10001 exits on SIGTERM" STOPPED "$(stop echo10001)"
"${CTR[@]}" images unmount "$DIR/echo-root" >/dev/null

# postgres: the StatefulSet's env, args, mounts and probe (components/postgres.ts).
# shellcheck disable=SC2016 # a password with shell syntax in it, never evaluated
PW='s3cret pw $(not expanded)'
mkdir -p "$DIR/pgvol"
chown 999:999 "$DIR/pgvol"
start_postgres() {
  run "$1" "$POSTGRES" -d --log-uri "file://$DIR/$1.log" \
    --mount "$(bind "$DIR/pgvol" /var/lib/postgresql/data)" \
    --mount "$(tmpfs /var/run/postgresql)" --mount "$(tmpfs /tmp)" \
    --env POSTGRES_USER=postgres --env "POSTGRES_PASSWORD=$PW" --env PGDATA=/var/lib/postgresql/data/pgdata \
    -- /usr/local/bin/postgres-entrypoint -c max_connections=200 -c shared_buffers=256MB
  for _ in $(seq 60); do inside "$1" pg_isready -U postgres -h 127.0.0.1 >/dev/null 2>&1 && return; sleep 1; done
}
# client ID PASSWORD COMMAND...: a Job-like container in the server's network namespace.
client() {
  local id=$1 password=$2
  shift 2
  run "$id" "$POSTGRES" --rm --with-ns "network:/proc/$(pid_of pg1)/ns/net" --mount "$(tmpfs /tmp)" \
    --env PGHOST=127.0.0.1 --env PGPORT=5432 --env PGUSER=postgres --env "PGPASSWORD=$password" --env HOME=/tmp \
    -- "$@"
}
start_postgres pg1
check "postgres runs as uid 999" 999 "$(uid_of pg1)"
check "postgres initialised the empty volume" 1 "$(grep -c 'initialisation complete' "$DIR/pg1.log" || true)"
check "postgres takes the password over TCP on loopback" "postgres|256MB|200" \
  "$(client c1 "$PW" psql -Atc "select current_user, current_setting('shared_buffers'), current_setting('max_connections')")"
check "postgres refuses a wrong password" "password authentication failed" \
  "$(client c2 wrong psql -c 'select 1' 2>&1 | grep -o 'password authentication failed' || true)"
check "psql, pg_dumpall, gzip and bash serve the Jobs" 1000 \
  "$(client c3 "$PW" bash -c 'set -euo pipefail; psql -q -c "create table t as select generate_series(1, 1000) i"
      pg_dumpall | gzip >/tmp/d.sql.gz; gzip -dc /tmp/d.sql.gz | grep -c "^[0-9]"')"
stop pg1 >/dev/null
start_postgres pg1
check "postgres skips initdb on the second start" 1 "$(grep -c 'initialisation skipped' "$DIR/pg1.log" || true)"
check "postgres keeps the data" 1000 "$(client c4 "$PW" psql -Atc 'select count(*) from t')"
stop pg1 >/dev/null

# redis: the init container's ACL rendering, the server's config and probe (components/redis.ts).
RP=r3dis-pw
mkdir -p "$DIR/redis/data" "$DIR/redis/acl" "$DIR/redis/etc" "$DIR/redis/tenants"
chown 999:999 "$DIR/redis/data" "$DIR/redis/acl"
printf '%s\n' "port 6379" "dir /data" "aclfile /acl/users.acl" "maxmemory 256mb" "maxmemory-policy noeviction" \
  "appendonly yes" "appendfsync everysec" "protected-mode no" >"$DIR/redis/etc/redis.conf"
echo 'user acme on >acme-pw ~acme:* &acme:* +@all -@admin -@dangerous' >"$DIR/redis/tenants/redis-tenants.acl"
# shellcheck disable=SC2016 # expanded in the container
run acl "$REDIS" --rm --env "REDIS_PASSWORD=$RP" --mount "$(bind "$DIR/redis/acl" /acl)" --mount "$(tmpfs /tmp)" \
  --mount "$(bind "$DIR/redis/tenants" /tenants ro)" \
  -- sh -c 'set -eu; umask 077; { printf "user default on >%s ~* &* +@all\n" "$REDIS_PASSWORD"; cat /tenants/redis-tenants.acl; } > /acl/users.acl'
start_redis() {
  run "$1" "$REDIS" -d --log-uri "file://$DIR/$1.log" --env "REDIS_PASSWORD=$RP" --mount "$(bind "$DIR/redis/data" /data)" \
    --mount "$(bind "$DIR/redis/etc" /etc/redis ro)" --mount "$(bind "$DIR/redis/acl" /acl)" --mount "$(tmpfs /tmp)" \
    -- redis-server /etc/redis/redis.conf
  sleep 2
}
start_redis redis1
check "redis runs as uid 999" 999 "$(uid_of redis1)"
# shellcheck disable=SC2016 # expanded in the container
check "redis answers PONG with REDISCLI_AUTH" PONG "$(inside redis1 sh -c 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli ping')"
check "redis needs the password" NOAUTH "$(inside redis1 redis-cli ping | grep -o NOAUTH || true)"
check "a tenant writes its own keys" OK "$(inside redis1 sh -c 'REDISCLI_AUTH=acme-pw redis-cli --user acme set acme:k v')"
check "a tenant is refused other keys" NOPERM \
  "$(inside redis1 sh -c 'REDISCLI_AUTH=acme-pw redis-cli --user acme set globex:k v' | grep -o NOPERM || true)"
check "redis exits on SIGTERM" STOPPED "$(stop redis1)"
start_redis redis2
# shellcheck disable=SC2016 # expanded in the container
check "a key survives a restart (AOF)" v "$(inside redis2 sh -c 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli get acme:k')"
stop redis2 >/dev/null

# app: the reference app as the API and worker pods run it (components/api.ts, worker.ts and
# workload.ts): the image's user, a read-only root, /tmp, the tenants' files and maintenance flags
# mounted read-only, the stack's environment; Postgres and Redis on the loopback of one network
# namespace, which the app's containers join (the pods reach them by Service).
mkdir -p "$DIR/app/tenants" "$DIR/app/maintenance"
start_postgres pg1
client c5 "$PW" psql -q -c "CREATE ROLE tenant_acme LOGIN PASSWORD 'acme-db-pw'" -c "CREATE DATABASE tenant_acme OWNER tenant_acme"
printf '%s' "postgresql://tenant_acme:acme-db-pw@127.0.0.1:5432/tenant_acme" >"$DIR/app/tenants/acme.database-url"
printf '%s' "acme:" >"$DIR/app/tenants/acme.redis-key-prefix"
# The ACL user the Redis check above made: keys and channels acme:* only.
printf '%s' "redis://acme:acme-pw@127.0.0.1:6379/0" >"$DIR/app/tenants/acme.redis-url"
NET="network:/proc/$(pid_of pg1)/ns/net"
run appredis "$REDIS" -d --log-uri "file://$DIR/appredis.log" --with-ns "$NET" --env "REDIS_PASSWORD=$RP" \
  --mount "$(bind "$DIR/redis/data" /data)" --mount "$(bind "$DIR/redis/etc" /etc/redis ro)" \
  --mount "$(bind "$DIR/redis/acl" /acl)" --mount "$(tmpfs /tmp)" -- redis-server /etc/redis/redis.conf
# app_run ID [ARGS...]: the app in the servers' network namespace; no ARGS: the image's command.
app_run() {
  local id=$1
  shift
  run "$id" "$APP" -d --log-uri "file://$DIR/$id.log" --with-ns "$NET" --mount "$(tmpfs /tmp)" \
    --mount "$(bind "$DIR/app/tenants" /var/run/tenantstack/tenants ro)" \
    --mount "$(bind "$DIR/app/maintenance" /var/run/tenantstack/maintenance ro)" \
    --env TENANCY_MODE=dedicated --env TENANTS=acme --env TENANTS_DIR=/var/run/tenantstack/tenants \
    --env MAINTENANCE_DIR=/var/run/tenantstack/maintenance --env REDIS_HOST=127.0.0.1 --env REDIS_PORT=6379 \
    --env "REDIS_PASSWORD=$RP" --env WATCH_INTERVAL_MS=200 --env SHUTDOWN_DELAY_MS=0 -- "$@"
}
# app_http CURL_ARGS... URL: `<status> <body>` of a request for the tenant acme, sent in that namespace.
app_http() {
  local status
  status=$(nsenter -t "$(pid_of pg1)" -n curl -s -o "$DIR/app/body" -D "$DIR/app/headers" -w '%{http_code}' \
    -H 'Host: acme.apps.example.test' "$@" || true)
  echo "$status $(cat "$DIR/app/body" 2>/dev/null)"
}
json=(-H 'Content-Type: application/json')
app_run app-api
app_run app-worker /usr/local/bin/node /app/main.js worker
for _ in $(seq 60); do [[ $(app_http http://127.0.0.1:8080/readyz) == "200 "* ]] && break; sleep 0.5; done
check "app: the API (the image's command) answers /healthz with its version" '200 {"status":"ok","version":"1.0.0"}' \
  "$(app_http http://127.0.0.1:8080/healthz)"
check "app: the API is ready with the tenant's Postgres and Redis" '200 {"status":"ready"}' "$(app_http http://127.0.0.1:8080/readyz)"
check "app: the worker is ready on its health port" '200 {"status":"ready"}' "$(app_http http://127.0.0.1:8081/readyz)"
check "app: the API and worker run as uid 10001" "10001 10001" "$(uid_of app-api) $(uid_of app-worker)"
check "app: a note is created" 201 "$(app_http "${json[@]}" -H 'Idempotency-Key: v1' -d '{"text":"from verify"}' http://127.0.0.1:8080/notes | cut -d' ' -f1)"
check "app: the note is in the tenant's database" "from verify|v1" \
  "$(client c6 "$PW" psql -d tenant_acme -Atc "select text, idempotency_key from notes")"
check "app: the counter counts in Redis through the tenant's ACL user" '200 {"value":1} 1' \
  "$(app_http -X POST http://127.0.0.1:8080/counter) $(inside appredis sh -c 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli get acme:counter')"
check "app: a job is queued" 202 "$(app_http "${json[@]}" -H 'Idempotency-Key: job-1' -d '{"text":"one two three"}' http://127.0.0.1:8080/jobs | cut -d' ' -f1)"
for _ in $(seq 40); do [[ $(app_http http://127.0.0.1:8080/jobs/job-1) == "200 "* ]] && break; sleep 0.5; done
check "app: the worker wrote the job's result to the tenant's database" 3 \
  "$(client c7 "$PW" psql -d tenant_acme -Atc "select words from job_results where job_id = 'job-1'")"
echo read-only >"$DIR/app/maintenance/acme"
for _ in $(seq 40); do [[ $(app_http -X POST http://127.0.0.1:8080/counter) == "503 "* ]] && break; sleep 0.25; done
check "app: a read-only tenant's write gets 503 with Retry-After" "503 retry-after: 5" \
  "$(app_http -X POST http://127.0.0.1:8080/counter | cut -d' ' -f1) $(grep -i '^retry-after:' "$DIR/app/headers" | tr -d '\r' | tr 'A-Z' 'a-z')"
# The writes before the app saw the file (it reads it about once a second) counted: the read shows Redis' count.
count=$(inside appredis sh -c 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli get acme:counter')
check "app: a read-only tenant's read is served" "200 {\"value\":$count}" "$(app_http http://127.0.0.1:8080/counter)"
rm "$DIR/app/maintenance/acme"
check "app: the API exits on SIGTERM" STOPPED "$(stop app-api)"
check "app: the worker exits on SIGTERM" STOPPED "$(stop app-worker)"
check "app: an unknown command is refused" 'usage: main.js api|worker (got "scheduler")' \
  "$(run appbad "$APP" --rm --with-ns "$NET" -- /usr/local/bin/node /app/main.js scheduler 2>&1 | tr -d '\r' | grep -v 'level=warning' || true)"
stop appredis >/dev/null
stop pg1 >/dev/null

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
