#!/usr/bin/env bash
# The benchmark (not a test), on a fresh machine too: installs what is missing (redis-server from
# Debian when absent), starts a private redis-server on a free port (never the machine's shared
# one), builds, type-checks the bench, runs it with tsx, and stops what it started.
# Arguments go to the bench: `npm run bench -- --quick` (about a minute), `-- --profile <dir>`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/services.sh

[ -d node_modules ] || npm ci

start_private_redis
export HUBGRAPH_BENCH_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export HUBGRAPH_BENCH_REDIS_PID="$(cat "$REDIS_PIDFILE")"
node scripts/build.mjs
node node_modules/typescript/bin/tsc -p bench/tsconfig.json
node --import tsx bench/run.ts "$@"
