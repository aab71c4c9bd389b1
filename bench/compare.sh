#!/usr/bin/env bash
# Issues #8 and #14: DistCacheAkka against its peers and the raw Akka.NET round trip, on this machine, in one run.
#
#   bench/compare.sh [extra LoadTest suite options, e.g. --duration 10 --warmup 3 --coalescing on --near-cache on]
#
# With --coalescing on --data-plane both, the second DistCacheAkka row is the coalesced client over Akka remoting
# ("no data plane") instead of the uncoalesced one: the data plane's effect within one run (issue 14, lever 6).
#
# With --near-cache on, the suite adds a DistCacheAkka row whose client has a near cache, and the script then
# measures the near cache's invalidation lag as another client sees it (LoadTest coherence, 200 rounds).
#
# Starts (on 127.0.0.1 only, free ports): redis-server with persistence off (standalone, the baseline of the
# ratios), garnet-server (installed here as a dotnet tool under bench/.tools, once), a Redis Cluster of 3 masters
# + 3 replicas (persistence off), an Akka echo node, and a 3-node DistCacheAkka cluster (seed + 2 workers, R = 2);
# runs `LoadTest suite` (Get at 1 client; 90/10 mix at 1 and 64 clients; Quorum Set at 64 -- a plain SET on the
# Redis-protocol peers; raw Akka round trips), by default with the cache client's request coalescing on and off,
# and prints one table with each row's ops/s, latencies, CPU time per operation of the client and of that target's
# server processes (all 6 for the Redis Cluster), and ratios to Redis standalone and to the raw Akka round trip.
# Measured phases default to 8 s after a 2 s warm-up (22 phases); later options override them. Everything it
# started is stopped on exit (trap), and every step is bounded by `timeout` within one budget, so the whole run
# stays under 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/lib.sh
bench_init compare.sh 570  # every step below fits in this; cleanup adds at most ~12 s

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  bounded 120 apt-get update
  DEBIAN_FRONTEND=noninteractive bounded 180 apt-get install -y redis-server  # brings redis-tools (redis-cli)
fi

# Garnet, Microsoft's .NET Redis-protocol server, as a dotnet tool in bench/.tools (git-ignored); installed once.
garnet_version=2.2.8
garnet_dir=bench/.tools/garnet-$garnet_version
if [ ! -x "$garnet_dir/garnet-server" ]; then
  rm -rf "$garnet_dir"  # a half-finished install would make `dotnet tool install` refuse
  bounded 180 dotnet tool install --tool-path "$garnet_dir" garnet-server --version "$garnet_version" >/dev/null
fi

bounded 240 dotnet build -c Release bench/LoadTest -warnaserror -nologo -v quiet
out=bench/LoadTest/bin/Release/net10.0

# 6 ports for the single servers and the cache nodes, 6 client + 6 cluster-bus ports for the Redis Cluster
# (the bus port is set explicitly: the default, port + 10000, may be out of range or taken).
read -r redis_port garnet_port echo_port seed_port worker1_port worker2_port \
  c1 c2 c3 c4 c5 c6 b1 b2 b3 b4 b5 b6 <<<"$(free_ports 18)"
cluster_ports=("$c1" "$c2" "$c3" "$c4" "$c5" "$c6")
bus_ports=("$b1" "$b2" "$b3" "$b4" "$b5" "$b6")

redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --protected-mode yes \
  --daemonize no --logfile "$work/redis.log" &
pids+=($!)
redis_pid=$!

"$garnet_dir/garnet-server" --bind 127.0.0.1 --port "$garnet_port" --memory 1g --index 64m \
  --logger-level Warning >"$work/garnet.log" 2>&1 &
pids+=($!)
garnet_pid=$!

cluster_pids=""
cluster_endpoints=""
for i in 0 1 2 3 4 5; do
  port=${cluster_ports[$i]}
  mkdir -p "$work/cluster-$port"
  redis-server --bind 127.0.0.1 --port "$port" --cluster-enabled yes --cluster-port "${bus_ports[$i]}" \
    --cluster-config-file "$work/cluster-$port/nodes.conf" --cluster-node-timeout 5000 --dir "$work/cluster-$port" \
    --save "" --appendonly no --protected-mode yes --daemonize no --logfile "$work/cluster-$port.log" &
  pids+=($!)
  cluster_pids="${cluster_pids:+$cluster_pids,}$!"
  cluster_endpoints="${cluster_endpoints:+$cluster_endpoints,}127.0.0.1:$port"
done

dotnet "$out/DistCacheAkka.LoadTest.dll" echo-server --port "$echo_port" >"$work/echo.log" 2>&1 &
pids+=($!)
echo_pid=$!

cat >"$work/cluster.conf" <<'CONF'
akka.loglevel = WARNING
distcache.replication-factor = 2
distcache.node.warm-up-min-data-nodes = 3
CONF
start_cluster "$out" "$work/cluster.conf" "$seed_port" "$worker1_port" "$worker2_port"

wait_port "$redis_port"
wait_port "$garnet_port"
for port in "${cluster_ports[@]}"; do wait_port "$port"; done
wait_port "$echo_port"
wait_port "$seed_port"

# 3 masters + 3 replicas (redis-cli pairs each replica with a master on another node), then wait until every node
# reports the cluster ok and every replica's link to its master is up.
cluster_args=()
for port in "${cluster_ports[@]}"; do cluster_args+=("127.0.0.1:$port"); done
bounded 60 redis-cli --cluster create "${cluster_args[@]}" --cluster-replicas 1 --cluster-yes >"$work/cluster-create.log" 2>&1
cluster_ready() {
  local port state replication
  for port in "${cluster_ports[@]}"; do
    state=$(bounded 5 redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null) || return 1
    grep -q '^cluster_state:ok' <<<"$state" || return 1
    replication=$(bounded 5 redis-cli -h 127.0.0.1 -p "$port" info replication 2>/dev/null) || return 1
    if grep -q '^role:slave' <<<"$replication"; then
      grep -q '^master_link_status:up' <<<"$replication" || return 1
    fi
  done
}
for attempt in $(seq 1 120); do  # bounded: about 60 s
  cluster_ready && break
  [ "$attempt" = 120 ] && { echo "the Redis Cluster was not ok with all replicas linked after 60 s" >&2; exit 1; }
  sleep 0.5
done
masters=$(bounded 5 redis-cli -h 127.0.0.1 -p "$c1" cluster nodes | awk '$3 ~ /master/' | wc -l)
echo "Redis Cluster: $masters masters + $((6 - masters)) replicas, cluster_state:ok"

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); nproc: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis: $(redis-server --version | cut -d' ' -f3); garnet-server: $garnet_version"
bounded 480 dotnet "$out/DistCacheAkka.LoadTest.dll" suite --duration 8 --warmup 2 \
  --seed "127.0.0.1:$seed_port" --redis "127.0.0.1:$redis_port" --garnet "127.0.0.1:$garnet_port" \
  --redis-cluster "$cluster_endpoints" --echo "127.0.0.1:$echo_port" \
  --pids "distcache=$node_pids" --pids "redis=$redis_pid" --pids "garnet=$garnet_pid" \
  --pids "redis-cluster=$cluster_pids" --pids "akka-echo=$echo_pid" --coalescing both "$@"
case " $* " in
  *" --near-cache on "*)  # issue 15: how long another client's near cache serves the old value after a write
    bounded 150 dotnet "$out/DistCacheAkka.LoadTest.dll" coherence --seed "127.0.0.1:$seed_port" --operations 200 ;;
esac
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); compare.sh took $SECONDS s before cleanup"
