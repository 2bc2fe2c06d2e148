#!/usr/bin/env bash
# The benchmark (not a test), on a fresh machine too: installs what is missing (redis-server from
# Debian when absent), starts a private redis-server on a free port (never the machine's shared
# one), builds, type-checks the bench, runs it with tsx, and stops what it started.
# Arguments go to the bench: `npm run bench -- --quick` (about a minute), `-- --profile <dir>`.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkg() { # command, debian package
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "bench: installing $2 (missing $1)" >&2
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >&2
}
need_pkg redis-server redis-server

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
[ -f "$work/redis.pid" ] || { echo "bench: redis-server did not start:" >&2; cat "$work/redis.log" >&2; exit 1; }

export HUBGRAPH_BENCH_REDIS_URL="redis://127.0.0.1:$port"
export HUBGRAPH_BENCH_REDIS_PID="$(cat "$work/redis.pid")"
node scripts/build.mjs
node node_modules/typescript/bin/tsc -p bench/tsconfig.json
node --import tsx bench/run.ts "$@"
