#!/usr/bin/env bash
# Removes what finished or killed test runs left on a local cluster and in the
# temporary directory, so that a suite runs on a used cluster as on a fresh one.
# Only what a test run marked as its own is touched, and only once the run's
# owner process is gone (a run still going, this one or another, keeps all):
#   - namespaces labelled tenantstack.dev/test-run=<owner>: deleted, after their
#     volumes are given the same label;
#   - PersistentVolumes labelled so, Released or Failed: a pre-created one of
#     cluster.sh's pool is wiped (its hostPath dir under the cluster dir) and
#     made Available again; any other is deleted (with its hostPath dir when it
#     lies under the cluster dir);
#   - directories $TMPDIR/tenantstack-* holding a file .tenantstack-test-run
#     with the owner (file:// backends, state dirs, work dirs): deleted.
# <owner> is "<pid>.<start time>" of the test process (the start time in clock
# ticks after boot, field 22 of /proc/<pid>/stat), so a reused pid is no owner.
#
# Usage: tools/cluster/gc.sh [--dry-run]   (prints what it removes)
# The cluster: $KUBECONFIG, else $DIR/kubeconfig, with $DIR/bin/kubectl, where
# DIR=${TENANTSTACK_CLUSTER_DIR:-/root/.cache/tenantstack/cluster}. When the
# API server does not answer, only the temporary directory is cleaned.
set -Eeuo pipefail

DIR=${TENANTSTACK_CLUSTER_DIR:-/root/.cache/tenantstack/cluster}
KUBECONFIG=${KUBECONFIG:-$DIR/kubeconfig}
KUBECTL=$DIR/bin/kubectl
[[ -x $KUBECTL ]] || KUBECTL=$(command -v kubectl || true)
LABEL=tenantstack.dev/test-run
MARKER=.tenantstack-test-run
DRY=0
case ${1:-} in
  --dry-run) DRY=1 ;;
  "") ;;
  *) echo "usage: $0 [--dry-run]" >&2; exit 2 ;;
esac

log() { echo "gc.sh: $*" >&2; }
kc() { "$KUBECTL" --kubeconfig "$KUBECONFIG" --request-timeout=20s "$@"; }
# run <command...>: runs it (a failure is reported and left for the next run), or only says so on a dry run.
run() { if ((DRY)); then log "would run: $*"; else "$@" || log "failed, left for the next run: $*"; fi; }

# alive <owner>: the process <pid>.<start time> still runs.
alive() {
  local pid=${1%%.*} start=${1#*.} stat fields
  [[ $1 =~ ^[0-9]+\.[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  read -ra fields <<<"${stat##*) }" # the fields after the command name, from field 3
  [[ ${fields[19]} == "$start" ]]
}

# wipe <dir>: removes the contents of a volume's hostPath dir, when it lies under the cluster dir.
wipe() {
  local dir
  dir=$(realpath -m -- "$1")
  [[ $dir == "$(realpath -m -- "$DIR")"/* && -d $dir ]] || return 0
  run find "$dir" -mindepth 1 -delete
}

clean_cluster() {
  local ns owner pv gone=() phase path pool
  while read -r ns owner; do
    [[ -n $ns ]] || continue
    alive "$owner" && continue
    # Its volumes carry the run's label on, to be recycled once Released.
    for pv in $(kc get pvc -n "$ns" -o jsonpath='{.items[*].spec.volumeName}'); do
      run kc label --overwrite pv "$pv" "$LABEL=$owner" >/dev/null
    done
    log "namespace $ns (test run $owner, gone)"
    run kc delete namespace "$ns" --wait=false >/dev/null
    gone+=("namespace/$ns")
  done < <(kc get namespaces -l "$LABEL" -o json | jq -r --arg l "$LABEL" '.items[] | [.metadata.name, .metadata.labels[$l]] | @tsv')
  # Their claims go with them, releasing the volumes.
  ((${#gone[@]} == 0 || DRY)) || kc wait --for=delete "${gone[@]}" --timeout=120s >/dev/null 2>&1 ||
    log "some namespaces are still terminating; their volumes are left for the next run"

  while read -r pv owner phase path pool; do
    [[ -n $pv ]] || continue
    [[ $phase == Released || $phase == Failed ]] || continue
    alive "$owner" && continue
    [[ $path == - ]] || wipe "$path"
    if [[ $pool == precreated ]]; then
      log "volume $pv ($phase, test run $owner): wiped, Available again"
      run kc patch pv "$pv" --type=merge -p '{"spec":{"claimRef":null}}' >/dev/null
      run kc label pv "$pv" "$LABEL-" >/dev/null
    else
      log "volume $pv ($phase, test run $owner): deleted"
      run kc delete pv "$pv" --wait=false >/dev/null
    fi
  done < <(kc get pv -l "$LABEL" -o json | jq -r --arg l "$LABEL" '.items[] |
    [.metadata.name, .metadata.labels[$l], .status.phase, .spec.hostPath.path // "-", .metadata.labels["tenantstack.dev/pool"] // "-"] | @tsv')
}

clean_temp() {
  local dir owner
  for dir in "${TMPDIR:-/tmp}"/tenantstack-*/; do
    [[ -f $dir$MARKER ]] || continue
    owner=$(<"$dir$MARKER")
    alive "$owner" && continue
    log "directory ${dir%/} (test run $owner, gone)"
    run rm -rf -- "${dir%/}"
  done
}

if [[ -n $KUBECTL && -f $KUBECONFIG ]] && kc get --raw /readyz >/dev/null 2>&1; then
  clean_cluster
else
  log "no cluster answers at $KUBECONFIG: the temporary directory only"
fi
clean_temp
