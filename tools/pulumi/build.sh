#!/usr/bin/env bash
# Builds the Pulumi engine toolchain from Go modules and caches it outside the
# repo, keyed by version: $CACHE/bin/<binary>-<version>/<binary>.
#   pulumi                      wrapper ./cli              github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
#   pulumi-language-nodejs      wrapper ./language-nodejs  github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
#   pulumi-resource-kubernetes  wrapper ./kubernetes       github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes
#   pulumi-resource-random      not buildable here: see README.md
# Versions come from the wrappers' go.mod files (see README.md for why these ones).
# Nothing is downloaded except through the Go module proxy. Progress goes to
# stderr; the cached binary directories are printed on stdout, one per line, so
#   export PATH="$(tools/pulumi/build.sh | paste -sd:):$PATH"
# puts the CLI, the language host and the providers on PATH (ambient plugins).
#
# Usage: tools/pulumi/build.sh [--install-plugins] [pulumi|language-nodejs|kubernetes|random]...
#   no names: pulumi, language-nodejs and kubernetes.
#   --install-plugins: also `pulumi plugin install resource <name> <version> --file <binary>`
#   for each built provider, into $PULUMI_HOME (default ~/.pulumi), so that
#   `npm install @pulumi/kubernetes@<version>` finds its plugin already installed.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${TENANTSTACK_CACHE:-/root/.cache/tenantstack}
export PATH=/usr/local/go/bin:$PATH
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_SKIP_UPDATE_CHECK=true
# The checksum database reachable here has no entry (404) for these module
# versions; their hashes are pinned by the wrappers' go.sum files instead.
export GONOSUMDB=github.com/pulumi/pulumi-kubernetes/provider,github.com/pulumi/cloud-ready-checks,github.com/pulumi/pulumi/pkg/v3

# Plugin version stamped into pulumi-resource-kubernetes (and into its embedded
# schema). The proxy serves the provider module only at the pseudo-version below,
# a main-branch commit of 2026-01-15, the last one before the v4.25.0 release
# (tagged 2026-01-16); pin npm @pulumi/kubernetes to the same version.
KUBERNETES_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
KUBERNETES_PLUGIN_VERSION=4.25.0

STEP=setup
log() { echo "tools/pulumi/build.sh: $*" >&2; }
trap 'log "FAILED at step: $STEP (see output above)"' ERR

# One build at a time per cache: a second caller (another test process, a second checkout) waits for
# the first and then finds its binaries cached instead of compiling the same ones alongside it.
mkdir -p "$CACHE"
exec 9>"$CACHE/.build-pulumi.lock"
flock -n 9 || { log "another build into $CACHE is running: waiting for it"; flock 9; }
die() { log "FAILED at step: $STEP: $*"; trap - ERR; exit 1; }

install_plugins=false
names=()
for arg in "$@"; do
  case $arg in
    --install-plugins) install_plugins=true ;;
    pulumi | language-nodejs | kubernetes | random) names+=("$arg") ;;
    -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done
[[ ${#names[@]} -gt 0 ]] || names=(pulumi language-nodejs kubernetes)

command -v go >/dev/null || die "go not found (expected /usr/local/go/bin/go)"

# module_version <wrapper dir> <module>
module_version() { (cd "$1" && go list -m -f '{{.Version}}' "$2"); }

# cached <out dir> <binary> <stamp>: true when the binary was built from <stamp>.
cached() { [[ -x $1/$2 && -f $1/.source && $(cat "$1/.source") == "$3" ]]; }

# finish <out dir> <binary> <stamp> <start seconds>
finish() {
  mv "$1/$2.tmp" "$1/$2"
  echo "$3" >"$1/.source"
  log "$2: built in $((SECONDS - $4))s -> $1/$2"
}

# build <wrapper dir> <package> <binary> <version> <stamp> <ldflags>
build() {
  local dir=$1 pkg=$2 bin=$3 version=$4 stamp=$5 ldflags=$6
  local out=$CACHE/bin/$bin-$version
  STEP="go build $bin $version"
  if cached "$out" "$bin" "$stamp"; then
    log "$bin $version: cached at $out"
  else
    log "$bin $version: building $pkg from $stamp (many minutes on 2 cores)"
    mkdir -p "$out"
    local start=$SECONDS
    (cd "$dir" && go build -trimpath -buildvcs=false -ldflags "-s -w $ldflags" -o "$out/$bin.tmp" "$pkg") \
      || die "go build of $pkg failed"
    finish "$out" "$bin" "$stamp" "$start"
  fi
  dirs+=("$out")
}

build_pulumi() {
  STEP="read github.com/pulumi/pulumi/pkg/v3 version from cli/go.mod"
  local v
  v=$(module_version "$HERE/cli" github.com/pulumi/pulumi/pkg/v3)
  build "$HERE/cli" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi pulumi "${v#v}" \
    "github.com/pulumi/pulumi/pkg/v3@$v" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$v"
}

build_language_nodejs() {
  STEP="read github.com/pulumi/pulumi/sdk/v3 version from language-nodejs/go.mod"
  local v
  v=$(module_version "$HERE/language-nodejs" github.com/pulumi/pulumi/sdk/v3)
  build "$HERE/language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    pulumi-language-nodejs "${v#v}" "github.com/pulumi/pulumi/sdk/v3@$v" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$v"
}

# The provider go:embeds cmd/pulumi-resource-kubernetes/{schema,terraform-mapping}-embed.json,
# which its `go generate` step (go run ./generate.go: schema.json stamped with VERSION)
# writes and which the module zip lacks. The module cache is read-only and Go refuses
# overlays there, so the module is copied to a work directory, the generator is run in
# the copy, and the wrapper is built against the copy through a -modfile that replaces
# the module with it (the wrapper's go.sum still pins every other module).
build_kubernetes() {
  local dir=$HERE/kubernetes mod=github.com/pulumi/pulumi-kubernetes/provider/v4
  local bin=pulumi-resource-kubernetes v=$KUBERNETES_PLUGIN_VERSION
  local out=$CACHE/bin/$bin-$v work=$CACHE/work/$bin-$v
  local stamp="$mod@$KUBERNETES_MODULE_VERSION"

  STEP="check $mod version in kubernetes/go.mod"
  local mv
  mv=$(module_version "$dir" "$mod")
  [[ $mv == "$KUBERNETES_MODULE_VERSION" ]] \
    || die "kubernetes/go.mod has $mod $mv but build.sh expects $KUBERNETES_MODULE_VERSION; update both together"

  if cached "$out" "$bin" "$stamp"; then
    log "$bin $v: cached at $out"
    dirs+=("$out")
    return
  fi
  log "$bin $v: building from $stamp (many minutes on 2 cores)"
  local start=$SECONDS

  STEP="download $mod@$mv through the Go module proxy"
  (cd "$dir" && go mod download "$mod") || die "go mod download $mod failed"
  local src
  src=$(cd "$dir" && go list -m -f '{{.Dir}}' "$mod")
  [[ -f $src/cmd/$bin/generate.go && -f $src/cmd/$bin/schema.json ]] \
    || die "$src/cmd/$bin lacks generate.go or schema.json"

  STEP="copy $mod to $work/src"
  rm -rf "$work"
  mkdir -p "$work"
  cp -r "$src" "$work/src"
  chmod -R u+w "$work/src"

  STEP="build the module's embed generator (cmd/$bin/generate.go)"
  (cd "$dir" && go build -buildvcs=false -o "$work/embedgen" "$work/src/cmd/$bin/generate.go") \
    || die "go build of generate.go failed"

  STEP="generate schema-embed.json and terraform-mapping-embed.json (VERSION=$v)"
  (cd "$work/src/cmd/$bin" && VERSION=$v "$work/embedgen") || die "generate.go failed"
  [[ -s $work/src/cmd/$bin/schema-embed.json && -s $work/src/cmd/$bin/terraform-mapping-embed.json ]] \
    || die "generate.go did not write the embed files"

  STEP="go build $bin $v"
  cp "$dir/go.mod" "$work/build.mod"
  cp "$dir/go.sum" "$work/build.sum"
  printf '\nreplace %s => %s\n' "$mod" "$work/src" >>"$work/build.mod"
  mkdir -p "$out"
  (cd "$dir" && go build -modfile="$work/build.mod" -trimpath -buildvcs=false \
    -ldflags "-s -w -X $mod/pkg/version.Version=$v" -o "$out/$bin.tmp" "$mod/cmd/$bin") \
    || die "go build of $mod/cmd/$bin failed"
  finish "$out" "$bin" "$stamp" "$start"
  rm -rf "$work"
  dirs+=("$out")
}

build_random() {
  STEP="pulumi-resource-random"
  die "github.com/pulumi/pulumi-random/provider/v4 is not served by the Go module proxy reachable here (every version and pseudo-version tried answers 403 'This module version is not available.'); see tools/pulumi/README.md"
}

# Each build_* function appends its cached binary directory to dirs.
dirs=()
for name in "${names[@]}"; do
  case $name in
    pulumi) build_pulumi ;;
    language-nodejs) build_language_nodejs ;;
    kubernetes) build_kubernetes ;;
    random) build_random ;;
  esac
done

if $install_plugins; then
  STEP="find a pulumi CLI for --install-plugins"
  [[ " ${names[*]} " == *" pulumi "* ]] || build_pulumi
  pulumi_dir=$CACHE/bin/pulumi-$(module_version "$HERE/cli" github.com/pulumi/pulumi/pkg/v3 | sed 's/^v//')
  for name in "${names[@]}"; do
    [[ $name == kubernetes ]] || continue
    STEP="pulumi plugin install resource kubernetes $KUBERNETES_PLUGIN_VERSION"
    log "installing plugin resource kubernetes $KUBERNETES_PLUGIN_VERSION into ${PULUMI_HOME:-~/.pulumi}"
    "$pulumi_dir/pulumi" plugin install resource kubernetes "$KUBERNETES_PLUGIN_VERSION" \
      --file "$CACHE/bin/pulumi-resource-kubernetes-$KUBERNETES_PLUGIN_VERSION/pulumi-resource-kubernetes" >&2 \
      || die "pulumi plugin install failed"
  done
fi

printf '%s\n' "${dirs[@]}"
log "done"
