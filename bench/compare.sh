#!/usr/bin/env bash
# Issue #8: DistCacheAkka against Redis standalone and the raw Akka.NET round trip, on this machine, in one run.
#
#   bench/compare.sh [extra LoadTest suite options, e.g. --duration 20 --coalescing on]
#
# Starts (on 127.0.0.1 only, free ports): redis-server with persistence off, an Akka echo node, and a 3-node
# DistCacheAkka cluster (seed + 2 workers, R = 2); runs `LoadTest suite` (Get at 1 client; 90/10 mix at 1 and
# 64 clients; Quorum Set at 64; raw Akka round trips), by default with the cache client's request coalescing on
# and off, and prints one table with ratios and the CPU time per operation of the client and of each target's
# server processes. Everything it started is
# stopped on exit (trap), and every step is bounded by `timeout`, so the whole run stays under 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d /tmp/distcache-compare.XXXXXX)
pids=()

cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do  # up to 10 s for a graceful exit
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [ "$status" != 0 ]; then
    echo "compare.sh failed (exit $status); server logs:" >&2
    tail -n 20 "$work"/*.log >&2 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  # A bare image may have no python3: pick a random high port that nothing answers on (bash's /dev/tcp).
  local port
  for _ in $(seq 1 50); do
    port=$(( (RANDOM << 1 | RANDOM & 1) % 25000 + 30000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "no free port found" >&2; return 1
}

wait_port() {  # bounded: 60 s
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "nothing listens on 127.0.0.1:$1 after 60 s" >&2
  return 1
}

if ! command -v redis-server >/dev/null; then
  timeout 120 apt-get update
  DEBIAN_FRONTEND=noninteractive timeout 180 apt-get install -y redis-server
fi

timeout 240 dotnet build -c Release bench/LoadTest -warnaserror -nologo -v quiet
out=bench/LoadTest/bin/Release/net10.0

redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --protected-mode yes \
  --daemonize no --logfile "$work/redis.log" &
pids+=($!)
redis_pid=$!

echo_port=$(free_port)
dotnet "$out/DistCacheAkka.LoadTest.dll" echo-server --port "$echo_port" >"$work/echo.log" 2>&1 &
pids+=($!)
echo_pid=$!

cat >"$work/cluster.conf" <<'CONF'
akka.loglevel = WARNING
distcache.replication-factor = 2
distcache.node.warm-up-min-data-nodes = 3
CONF
seed_port=$(free_port)
dotnet "$out/DistCacheAkka.CacheNode.dll" --role seed --port "$seed_port" --mgmt-port 0 --config "$work/cluster.conf" >"$work/seed.log" 2>&1 &
pids+=($!)
node_pids=$!
for n in 1 2; do
  dotnet "$out/DistCacheAkka.CacheNode.dll" --role worker --port "$(free_port)" --mgmt-port 0 \
    --seed "127.0.0.1:$seed_port" --config "$work/cluster.conf" >"$work/worker$n.log" 2>&1 &
  pids+=($!)
  node_pids="$node_pids,$!"
done

wait_port "$redis_port"
wait_port "$echo_port"
wait_port "$seed_port"

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); nproc: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
timeout 420 dotnet "$out/DistCacheAkka.LoadTest.dll" suite \
  --seed "127.0.0.1:$seed_port" --redis "127.0.0.1:$redis_port" --echo "127.0.0.1:$echo_port" \
  --pids "distcache=$node_pids" --pids "redis=$redis_pid" --pids "akka-echo=$echo_pid" --coalescing both "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
