#!/usr/bin/env bash
# Builds gofakes3's server (an S3-compatible object store, the test bed of a shared `s3://` state
# backend) from the wrapper module in this directory and caches it outside the repo, keyed by
# version: $CACHE/bin/gofakes3-<version>/gofakes3. Only the Go module proxy is used. Progress goes
# to stderr; the cached binary's directory is printed on stdout.
# Usage: tools/s3/build.sh
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${TENANTSTACK_CACHE:-/root/.cache/tenantstack}
export PATH=/usr/local/go/bin:$PATH CGO_ENABLED=0

STEP=setup
log() { echo "tools/s3/build.sh: $*" >&2; }
trap 'log "FAILED at step: $STEP (see output above)"' ERR

mkdir -p "$CACHE"
exec 9>"$CACHE/.build-s3.lock"
flock -n 9 || { log "another build into $CACHE is running: waiting for it"; flock 9; }

STEP="read github.com/johannesboyne/gofakes3 version from go.mod"
VERSION=$(cd "$HERE" && go list -m -f '{{.Version}}' github.com/johannesboyne/gofakes3)
OUT=$CACHE/bin/gofakes3-$VERSION
if [[ -x $OUT/gofakes3 ]]; then
  log "gofakes3 $VERSION: cached at $OUT"
else
  STEP="go build gofakes3 $VERSION"
  log "gofakes3 $VERSION: building"
  mkdir -p "$OUT"
  start=$SECONDS
  (cd "$HERE" && go build -trimpath -ldflags "-s -w" -o "$OUT/gofakes3.tmp" github.com/johannesboyne/gofakes3/cmd/gofakes3)
  mv "$OUT/gofakes3.tmp" "$OUT/gofakes3"
  log "gofakes3 $VERSION: built in $((SECONDS - start))s"
fi
echo "$OUT"
