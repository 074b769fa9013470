# shellcheck shell=bash disable=SC2034 # read by build.sh
# The pod sandbox ("pause") image: Debian's catatonit in pause mode. catatonit is
# statically linked in Debian, so its package alone is the whole root file system.
IMAGE_REF=localhost/tenantstack/pause:3.10-bookworm
IMAGE_DESCRIPTION="Pod sandbox: Debian's catatonit in pause mode (-P)"
IMAGE_VARIANT=extract
IMAGE_PACKAGES=(catatonit)
IMAGE_USER=65535:65535
IMAGE_ENTRYPOINT=(/usr/bin/catatonit -P)
IMAGE_CMD=()
IMAGE_ENV=()
IMAGE_WORKDIR=/
