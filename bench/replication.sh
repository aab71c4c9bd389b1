#!/usr/bin/env bash
# Replication batched per destination node, A/B: a fresh 3-node DistCacheAkka cluster (R = 2, Release builds) with
# distcache.replication.batch-per-node off (one remote message per replicated write and per ack, through an
# ActorSelection) and on (one ReplicaBatch per destination per drain, one reply), alternating, ROUNDS times each:
# Quorum Set at 1 and 64 clients (100,000 keys of 100 B), then a 90/10 mix at 64 clients whose reads are Quorum too
# (1,000 keys; a Quorum read asks the backup through the same links). Prints each run's table, with the CPU time per
# operation of the client and of the three nodes.
#
#   bash bench/replication.sh [ROUNDS (default 2)]
#
# The first workloads warm up for 25 s: a fresh cluster keeps moving shards for a while after every shard is placed
# (RESULTS: "A fresh cluster's shard allocation"), and measuring meanwhile made runs of one setting differ up to 2.5x;
# LoadTest now also waits for a balanced placement.
# Bounded: every step under `timeout` within one budget (about 5 minutes per round); everything it started is
# stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-2}
source bench/lib.sh
bench_init replication.sh $((60 + rounds * 300))

bounded 240 dotnet build -c Release bench/LoadTest -warnaserror -nologo -v quiet
out=bench/LoadTest/bin/Release/net10.0

run_cluster() {
  local batching=$1 seed w1 w2
  read -r seed w1 w2 <<<"$(free_ports 3)"
  cat >"$work/cluster.conf" <<CONF
akka.loglevel = WARNING
distcache.replication-factor = 2
distcache.node.warm-up-min-data-nodes = 3
distcache.replication.batch-per-node = $batching
CONF
  start_cluster "$out" "$work/cluster.conf" "$seed" "$w1" "$w2"
  wait_port "$seed"
  echo "== batch-per-node = $batching; $(date -u '+%H:%M:%S UTC'); load average: $(loadavg)"
  bounded 200 dotnet "$out/DistCacheAkka.LoadTest.dll" run --target distcache --seed "127.0.0.1:$seed" \
    --read-percent 0 --consistency Quorum --concurrency 1,64 --duration 8 --warmup 25 --pids "distcache=$node_pids"
  bounded 60 dotnet "$out/DistCacheAkka.LoadTest.dll" run --target distcache --seed "127.0.0.1:$seed" --keys 1000 \
    --read-percent 90 --consistency Quorum --concurrency 64 --duration 8 --warmup 2 --pids "distcache=$node_pids"
  stop_all
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); nproc: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
for round in $(seq 1 "$rounds"); do
  echo "### round $round of $rounds"
  run_cluster off
  run_cluster on
done
echo "replication.sh took $SECONDS s before cleanup"
