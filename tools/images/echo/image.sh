# shellcheck shell=bash disable=SC2034 # read by build.sh
# A tiny HTTP server standing in for the API and the worker until the reference
# app exists: Debian's static busybox httpd, driven by an entrypoint that takes
# hashicorp/http-echo's flags (-listen=:8080 -text=...). Runs as any uid with a
# read-only root file system: the text is served by a CGI script from the
# environment, nothing is written.
IMAGE_REF=localhost/tenantstack/echo:1-bookworm
IMAGE_DESCRIPTION="HTTP echo stand-in: busybox httpd serving a text page"
IMAGE_VARIANT=extract
IMAGE_PACKAGES=(busybox-static)
IMAGE_USER=65534:65534
IMAGE_ENTRYPOINT=(/usr/local/bin/http-echo)
IMAGE_CMD=()
IMAGE_ENV=(PATH=/usr/local/bin:/bin)
IMAGE_WORKDIR=/
