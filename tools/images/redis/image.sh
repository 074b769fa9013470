# shellcheck shell=bash disable=SC2034 # read by build.sh
# Redis 7 from Debian (redis-server, redis-cli) as uid/gid 999 (redis) in /data,
# as the official redis image runs it: components/redis.ts runs
# `redis-server /etc/redis/redis.conf` with /data, /acl and /tmp writable, and
# its init container and probes use sh, printf, cat, grep and redis-cli.
IMAGE_REF=localhost/tenantstack/redis:7-bookworm
IMAGE_DESCRIPTION="Redis 7 server and redis-cli from Debian bookworm"
IMAGE_VARIANT=essential
IMAGE_PACKAGES=(redis-server redis-tools)
IMAGE_USER=999:999
IMAGE_ENTRYPOINT=(/usr/local/bin/redis-entrypoint)
IMAGE_CMD=(redis-server)
IMAGE_ENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
IMAGE_WORKDIR=/data
IMAGE_PORTS=(6379/tcp)
