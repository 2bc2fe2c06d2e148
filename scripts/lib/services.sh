# Shared by scripts/test.sh and scripts/bench.sh (sourced, not run): install what is missing
# and run a private redis-server on a free port, stopped when the calling script exits.

# need_pkg COMMAND DEBIAN_PACKAGE: installs the package when the command is missing.
need_pkg() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "${0##*/}: installing $2 (missing $1)" >&2
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >&2
}

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# start_private_redis: sets REDIS_PORT and REDIS_PIDFILE; never touches the machine's shared Redis.
start_private_redis() {
  need_pkg redis-server redis-server
  REDIS_WORK=$(mktemp -d)
  REDIS_PORT=$(free_port)
  REDIS_PIDFILE="$REDIS_WORK/redis.pid"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$REDIS_WORK" --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_WORK/redis.log"
  trap stop_private_redis EXIT
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  [ -f "$REDIS_PIDFILE" ] || { echo "redis-server did not start:" >&2; cat "$REDIS_WORK/redis.log" >&2; exit 1; }
}

stop_private_redis() {
  [ -f "$REDIS_PIDFILE" ] && kill "$(cat "$REDIS_PIDFILE")" 2>/dev/null || true
  rm -rf "$REDIS_WORK"
}
