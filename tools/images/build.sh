#!/usr/bin/env bash
# Builds the stack's container images from Debian packages, never pulling one:
# mmdebstrap makes each root file system from the machine's own apt sources,
# umoci turns it into an OCI image and skopeo writes an OCI archive named with
# the image's local ref (localhost/tenantstack/...). Archives are cached outside
# the repo, keyed by a hash of the image's inputs (its definition directory,
# this script, the Debian suite, the image's ref and what its IMAGE_FILES and
# IMAGE_TREES copy in):
#   $CACHE/images/<name>-<hash>.tar
# and rebuilt only when those change. Each image is a directory beside this
# script with an image.sh (see README.md), and optionally a `prepare` run
# before the hash (it makes what IMAGE_FILES and IMAGE_TREES copy in).
# Progress goes to stderr.
#
# Usage: tools/images/build.sh [name...]
#          build what is missing; print `<ref> <archive>` per image
#        tools/images/build.sh load ADDRESS [name...]
#          build what is missing and import it into the containerd whose
#          socket is ADDRESS (namespace k8s.io) with ctr; skips images whose
#          digest is already there
#        tools/images/build.sh refs [name...]
#          print the refs only (no build)
#   no names: every image.
set -Eeuo pipefail
shopt -s inherit_errexit

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${TENANTSTACK_CACHE:-$HOME/.cache/tenantstack}
OUT=$CACHE/images
SUITE=bookworm
# The machine's own apt sources: no mirror is named in the repo.
SOURCES=${TENANTSTACK_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
NAMESPACE=k8s.io

STEP=setup
WORK=
log() { echo "tools/images/build.sh: $*" >&2; }
trap 'log "FAILED at step: $STEP (see output above)"' ERR
# A failed build's work directory goes too (never across a mount point).
trap '[[ -z $WORK ]] || rm -rf --one-file-system "$WORK"' EXIT
die() { log "FAILED at step: $STEP: $*"; trap - ERR; exit 1; }

# All image names: the directories beside this script with an image.sh.
all_images() {
  local dir
  for dir in "$HERE"/*/image.sh; do basename "$(dirname "$dir")"; done
}

# check_names NAME...: each one is an image.
check_names() {
  local name
  for name in "$@"; do
    [[ -f $HERE/$name/image.sh ]] || die "unknown image '$name' (known: $(all_images | paste -sd' '))"
  done
}

# ref NAME: the image's ref, read from its image.sh in a subshell.
# shellcheck source=/dev/null
ref() { (. "$HERE/$1/image.sh" && echo "$IMAGE_REF"); }

# tree_hash DIR: every file under DIR, its path and mode, then its path and content, one a line
# (stat and sha256sum each run once per batch of files: a staged tree holds tens of thousands).
tree_hash() {
  (
    cd "$1"
    find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 -r stat -c '%n %a'
    find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 -r sha256sum
  )
}

# input_hash NAME: sha256 (first 16 hex digits) of the image's inputs: every
# file of its directory, its ref, the files its IMAGE_FILES copies in (such as
# a binary built from Go modules), every file of the directories its
# IMAGE_TREES copies in, this script and the suite.
input_hash() {
  local item
  {
    echo "suite $SUITE"
    echo "ref $(ref "$1")"
    sha256sum <"${BASH_SOURCE[0]}"
    tree_hash "$HERE/$1"
    for item in $(image_list "$1" IMAGE_FILES); do
      [[ -f ${item%%:*} ]] || die "$1: ${item%%:*} not found (IMAGE_FILES of $1/image.sh; build it first)"
      printf '%s %s\n' "${item#*:}" "$(sha256sum <"${item%%:*}")"
    done
    for item in $(image_list "$1" IMAGE_TREES); do
      [[ -d ${item%%:*} ]] || die "$1: ${item%%:*} not found (IMAGE_TREES of $1/image.sh; build it first)"
      echo "tree ${item#*:}"
      tree_hash "${item%%:*}"
    done
  } | sha256sum | cut -c1-16
}

# image_list NAME VAR: the image's IMAGE_FILES or IMAGE_TREES (`host path:image
# path`), one a line.
image_list() { (. "$HERE/$1/image.sh" && declare -n list=$2 && for f in ${list[@]+"${list[@]}"}; do echo "$f"; done); }

# archive NAME: the cached archive's path for the current inputs.
archive() { echo "$OUT/$1-$(input_hash "$1").tar"; }

# rootfs NAME DIR: the root file system of the image, made by mmdebstrap.
rootfs() {
  local name=$1 root=$2 def=$HERE/$1
  local opts=(
    --variant="$IMAGE_VARIANT"
    --include="$(
      IFS=,
      echo "${IMAGE_PACKAGES[*]}"
    )"
    --dpkgopt='path-exclude=/usr/share/man/*'
    --dpkgopt='path-exclude=/usr/share/info/*'
    --dpkgopt='path-exclude=/usr/share/lintian/*'
    --dpkgopt='path-exclude=/usr/share/locale/*'
    --dpkgopt='path-include=/usr/share/locale/locale.alias'
    --dpkgopt='path-exclude=/usr/share/doc/*'
    --dpkgopt='path-include=/usr/share/doc/*/copyright'
  )
  # Merged /usr the way debootstrap makes it (usr-is-merged), not with the
  # usrmerge package, which would bring all of perl into every image.
  [[ $IMAGE_VARIANT == extract ]] || opts+=(--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr)
  [[ -x $def/essential ]] && opts+=(--essential-hook="$def/essential")
  # The definition's rootfs/ overlay, owned by root whoever owns the checkout,
  # then its customize script; mmdebstrap runs no customize hooks for the
  # extract variant, whose last hook is the extract hook.
  local last=--customize-hook
  [[ $IMAGE_VARIANT == extract ]] && last=--extract-hook
  # shellcheck disable=SC2016 # expanded by the hook's shell
  [[ -d $def/rootfs ]] && opts+=("$last="'tar -C "$IMAGE_OVERLAY" --owner=0 --group=0 -c . | tar -C "$1" -x')
  [[ -x $def/customize ]] && opts+=("$last=$def/customize")
  IMAGE_OVERLAY=$def/rootfs mmdebstrap "${opts[@]}" "$SUITE" "$root" "$SOURCES" >&2
}

# trim DIR: removes what a container neither needs nor should carry: the
# build machine's resolver and host name, device nodes (the runtime provides
# /dev), apt's and dpkg's caches and logs, and in an extract-only image the
# package tooling's empty skeleton.
trim() {
  local root=$1
  rm -rf "${root:?}"/dev/* "$root/etc/resolv.conf" "$root/etc/hostname" \
    "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/cache/debconf/*-old \
    "$root"/var/log/*.log "$root"/var/log/apt/*
  if [[ $IMAGE_VARIANT == extract ]]; then
    rm -rf "$root/etc/apt" "$root/etc/dpkg" "$root/etc/fstab" "$root/var/lib/apt" \
      "$root/var/lib/dpkg" "$root/var/cache/apt" "$root/var/log/apt" "$root/usr/share/lintian"
    # dpkg's path excludes do not apply to extracted packages.
    rm -rf "$root/usr/share/man" "$root/usr/share/info"
    find "$root/usr/share/doc" -type f ! -name copyright -delete
  fi
  mkdir -p "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/run"
  chmod 1777 "$root/tmp"
}

# oci NAME ROOT LAYOUT: an OCI layout holding the image, tagged "image".
oci() {
  local name=$1 root=$2 layout=$3 image=$3:image
  umoci init --layout "$layout"
  umoci new --image "$image"
  umoci insert --image "$image" "$root" / \
    --history.created_by="tools/images/build.sh $name: mmdebstrap --variant=$IMAGE_VARIANT $SUITE ${IMAGE_PACKAGES[*]}"
  local config=(
    --config.user="$IMAGE_USER" --config.workingdir="$IMAGE_WORKDIR"
    --config.label="org.opencontainers.image.ref.name=$IMAGE_REF"
    --config.label="org.opencontainers.image.title=$name"
    --config.label="org.opencontainers.image.description=$IMAGE_DESCRIPTION"
  )
  local item
  for item in "${IMAGE_ENTRYPOINT[@]}"; do config+=(--config.entrypoint="$item"); done
  for item in "${IMAGE_CMD[@]}"; do config+=(--config.cmd="$item"); done
  for item in "${IMAGE_ENV[@]}"; do config+=(--config.env="$item"); done
  for item in "${IMAGE_PORTS[@]}"; do config+=(--config.exposedports="$item"); done
  [[ -n ${IMAGE_STOPSIGNAL:-} ]] && config+=(--config.stopsignal="$IMAGE_STOPSIGNAL")
  umoci config --image "$image" --no-history "${config[@]}"
  umoci gc --layout "$layout"
}

# build NAME: builds the image's archive unless the cached one is current;
# sets REF and TAR.
build() {
  local name=$1 start=$SECONDS
  STEP="$name: read image.sh"
  # Nothing carries over from the previous image's image.sh.
  unset IMAGE_REF IMAGE_DESCRIPTION IMAGE_VARIANT IMAGE_PACKAGES IMAGE_USER IMAGE_ENTRYPOINT \
    IMAGE_CMD IMAGE_ENV IMAGE_WORKDIR IMAGE_PORTS IMAGE_STOPSIGNAL IMAGE_FILES IMAGE_TREES
  # shellcheck source=/dev/null
  . "$HERE/$name/image.sh"
  [[ ${IMAGE_REF:-} == localhost/tenantstack/*:* ]] \
    || die "$name/image.sh: IMAGE_REF '${IMAGE_REF:-}' must be localhost/tenantstack/NAME:TAG (a local name, never an upstream one)"
  local field
  for field in IMAGE_DESCRIPTION IMAGE_VARIANT IMAGE_PACKAGES IMAGE_USER IMAGE_ENTRYPOINT IMAGE_WORKDIR; do
    [[ -n ${!field:-} ]] || die "$name/image.sh: $field is not set"
  done
  REF=$IMAGE_REF
  if [[ -x $HERE/$name/prepare ]]; then
    STEP="$name: prepare"
    "$HERE/$name/prepare" >&2
  fi
  STEP="$name: hash the inputs"
  TAR=$(archive "$name")
  local tar=$TAR
  if [[ -f $tar ]]; then
    log "$name: cached at $tar"
    return
  fi
  [[ $(id -u) == 0 ]] || die "building images needs root (mmdebstrap and umoci keep file owners)"
  [[ -f $SOURCES ]] || die "no apt sources at $SOURCES (set TENANTSTACK_APT_SOURCES)"
  local tool
  for tool in mmdebstrap umoci skopeo; do
    command -v "$tool" >/dev/null || die "$tool not found: apt-get install mmdebstrap umoci skopeo"
  done
  log "$name: building $IMAGE_REF (${IMAGE_PACKAGES[*]})"
  mkdir -p "$OUT/work"
  WORK=$(mktemp -d "$OUT/work/$name.XXXXXX")

  STEP="$name: mmdebstrap $SUITE ${IMAGE_PACKAGES[*]}"
  rootfs "$name" "$WORK/rootfs"
  local file
  for file in ${IMAGE_FILES[@]+"${IMAGE_FILES[@]}"}; do install -D -m 0755 "${file%%:*}" "$WORK/rootfs${file#*:}"; done
  # Directories copied in whole, owned by root and readable by any uid.
  for file in ${IMAGE_TREES[@]+"${IMAGE_TREES[@]}"}; do
    install -d -m 0755 "$WORK/rootfs${file#*:}"
    tar -C "${file%%:*}" --owner=0 --group=0 --mode=a+rX,go-w -c . | tar -C "$WORK/rootfs${file#*:}" -x
  done
  trim "$WORK/rootfs"

  STEP="$name: umoci image"
  oci "$name" "$WORK/rootfs" "$WORK/oci" >&2

  STEP="$name: skopeo OCI archive"
  # The archive's index names the image with its full ref
  # (org.opencontainers.image.ref.name), which `ctr images import` takes as is.
  skopeo copy --quiet "oci:$WORK/oci:image" "oci-archive:$WORK/image.tar:$IMAGE_REF" >&2
  mv "$WORK/image.tar" "$tar"
  rm -rf --one-file-system "$WORK"
  WORK=
  # Archives of the image's older inputs.
  find "$OUT" -maxdepth 1 -name "$name-????????????????.tar" ! -path "$tar" -delete
  log "$name: built in $((SECONDS - start))s, $(du -h "$tar" | cut -f1) -> $tar"
}

# manifest_digest ARCHIVE: the digest of the image manifest in an OCI archive.
manifest_digest() { tar -xOf "$1" index.json | jq -r '.manifests[0].digest'; }

# image_digest ADDRESS REF: the manifest digest containerd has for REF, if any.
image_digest() { ctr --address "$1" -n "$NAMESPACE" images ls "name==$2" | awk 'NR > 1 { print $3 }'; }

# load ADDRESS: imports REF from TAR unless containerd has that digest already.
load() {
  local address=$1 want have
  STEP="load $REF into $address"
  want=$(manifest_digest "$TAR")
  have=$(image_digest "$address" "$REF")
  if [[ $have == "$want" ]]; then
    log "$REF: already in $address ($want)"
    return
  fi
  log "$REF: importing $TAR into $address"
  ctr --address "$address" -n "$NAMESPACE" images import "$TAR" >&2
  have=$(image_digest "$address" "$REF")
  [[ $have == "$want" ]] || die "after the import $REF is '${have:-missing}', expected $want"
}

mode=build
case ${1:-} in
  refs | load) mode=$1; shift ;;
  -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
esac
address=
if [[ $mode == load ]]; then
  [[ $# -gt 0 ]] || die "usage: build.sh load ADDRESS [name...]"
  address=$1
  shift
fi
names=("$@")
[[ ${#names[@]} -gt 0 ]] || mapfile -t names < <(all_images)
check_names "${names[@]}"

if [[ $mode == load ]]; then
  STEP="check containerd at $address"
  [[ -S $address ]] || die "no containerd socket at $address"
  command -v ctr >/dev/null || die "ctr not found: put the node's on PATH (tools/cluster/build.sh builds it)"
fi
for name in "${names[@]}"; do
  if [[ $mode == refs ]]; then
    ref "$name"
    continue
  fi
  build "$name"
  [[ $mode == build ]] || load "$address"
  echo "$REF $TAR"
done
