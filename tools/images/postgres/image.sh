# shellcheck shell=bash disable=SC2034 # read by build.sh
# PostgreSQL 15 from Debian, honouring the official postgres image's documented
# contract (POSTGRES_PASSWORD, POSTGRES_USER, POSTGRES_DB, PGDATA,
# /docker-entrypoint-initdb.d, uid/gid 999) with an entrypoint of our own. The
# client tools (psql, pg_dump, pg_dumpall, pg_restore, pg_isready) and bash
# serve the stack's Jobs too.
IMAGE_REF=localhost/tenantstack/postgres:15-bookworm
IMAGE_DESCRIPTION="PostgreSQL 15 server and client tools from Debian bookworm"
IMAGE_VARIANT=essential
IMAGE_PACKAGES=(postgresql-15)
IMAGE_USER=999:999
IMAGE_ENTRYPOINT=(/usr/local/bin/postgres-entrypoint)
IMAGE_CMD=(postgres)
IMAGE_ENV=(
  PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  LANG=en_US.utf8
  PG_MAJOR=15
  PGDATA=/var/lib/postgresql/data
)
IMAGE_WORKDIR=/
IMAGE_PORTS=(5432/tcp)
IMAGE_STOPSIGNAL=SIGINT
