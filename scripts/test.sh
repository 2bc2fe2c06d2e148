#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: installs what is missing (redis-server, and
# chromium for the GraphiQL browser test, from Debian when absent), starts a private redis-server
# on a free port (never the machine's shared one), builds, runs every test, and stops what it
# started.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkg() { # command, debian package
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "test: installing $2 (missing $1)" >&2
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >&2
}
need_pkg redis-server redis-server
need_pkg chromium chromium
need_pkg ip iproute2        # the embedded-redis test runs hubgraph in its own network namespace
need_pkg unshare util-linux
need_pkg pgrep procps

[ -d node_modules ] || npm ci

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

work=$(mktemp -d)
port=$(free_port)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --dir "$work" --pidfile "$work/redis.pid" --logfile "$work/redis.log"
cleanup() {
  [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

export HUBGRAPH_TEST_REDIS_URL="redis://127.0.0.1:$port"
node scripts/build.mjs
npx vitest run "$@"
