#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: installs what is missing (redis-server, chromium
# for the GraphiQL browser test, iproute2/util-linux/procps for the network-namespace test, the IRC
# and XMPP servers, openssl for the XMPP TLS test's certificates; from Debian when absent), starts a
# private redis-server on a free port (never the machine's shared one), builds, runs every test,
# and stops what it started. Arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/services.sh

need_pkg chromium chromium
need_pkg ip iproute2
need_pkg unshare util-linux
need_pkg pgrep procps
need_pkg ngircd ngircd
need_pkg inspircd inspircd
need_pkg prosody prosody
need_pkg openssl openssl
[ -d node_modules ] || npm ci

start_private_redis
export HUBGRAPH_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
node scripts/build.mjs
npx vitest run "$@"
