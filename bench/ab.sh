#!/usr/bin/env bash
# A/B of one node setting on fresh 3-node DistCacheAkka clusters (R = 2, Release builds), off and on alternating,
# ROUNDS times each, with the CPU time per operation of the client and of the three nodes in every table.
#
#   bash bench/ab.sh replication [ROUNDS (default 2)]
#       distcache.replication.batch-per-node: Quorum Set at 1 and 64 clients (100,000 keys of 100 B), then a 90/10 mix
#       at 64 clients whose reads are Quorum too (1,000 keys; a Quorum read asks the backup through the same links).
#
# The data plane's direct path (issue 14, lever 1) was measured with an experiment `direct` here (a 90/10 Eventual mix
# at 1 and 64 clients, then Quorum Set at 64 clients) at f34d6c3, and dropped: RESULTS, "lever 1". Add an experiment
# as a case below: its setting, and its workloads in run_cluster.
#
# The first workload warms up for 25 s: a fresh cluster keeps moving shards for a while after every shard is placed
# (RESULTS: "A fresh cluster's shard allocation"), and measuring meanwhile made runs of one setting differ up to 2.5x;
# LoadTest also waits for a balanced placement.
# Bounded: every step under `timeout` within one budget (about 5 minutes per round); everything it started is
# stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

experiment=${1:?"usage: bash bench/ab.sh replication [ROUNDS]"}
rounds=${2:-2}
case "$experiment" in
  replication) setting=distcache.replication.batch-per-node ;;
  *) echo "unknown experiment '$experiment': replication" >&2; exit 2 ;;
esac
source bench/lib.sh
bench_init "ab-$experiment" $((60 + rounds * 300))

bounded 240 dotnet build -c Release bench/LoadTest -warnaserror -nologo -v quiet
out=bench/LoadTest/bin/Release/net10.0

load() {
  bounded "$1" dotnet "$out/DistCacheAkka.LoadTest.dll" run --target distcache --seed "127.0.0.1:$seed" --pids "distcache=$node_pids" "${@:2}"
}

run_cluster() {
  local value=$1 w1 w2
  read -r seed w1 w2 <<<"$(free_ports 3)"
  cat >"$work/cluster.conf" <<CONF
akka.loglevel = WARNING
distcache.replication-factor = 2
distcache.node.warm-up-min-data-nodes = 3
$setting = $value
CONF
  start_cluster "$out" "$work/cluster.conf" "$seed" "$w1" "$w2"
  wait_port "$seed"
  echo "== $setting = $value; $(date -u '+%H:%M:%S UTC'); load average: $(loadavg)"
  case "$experiment" in
    replication)
      load 200 --read-percent 0 --consistency Quorum --concurrency 1,64 --duration 8 --warmup 25
      load 60 --keys 1000 --read-percent 90 --consistency Quorum --concurrency 64 --duration 8 --warmup 2 ;;
  esac
  stop_all
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); nproc: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
for round in $(seq 1 "$rounds"); do
  echo "### round $round of $rounds"
  run_cluster off
  run_cluster on
done
echo "ab.sh $experiment took $SECONDS s before cleanup"
