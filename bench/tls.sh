#!/usr/bin/env bash
# Issue 16: the cost of mutual TLS on the data path, on this machine, in one run.
#
#   bench/tls.sh [extra LoadTest run options, e.g. --duration 10 --warmup 3]
#
# Makes a development CA and certificates (CacheNode dev-certs), then runs the same workload (LoadTest run: the
# 90/10 Eventual mix at 1 and 64 clients, 100,000 keys of 100 B) three times against a fresh 3-node cluster on
# 127.0.0.1 (seed + 2 workers, R = 2): plaintext, mutual TLS, plaintext again (the repeat shows how noisy the
# machine was). Prints each run's table. Every node it started is stopped on exit (trap), and every step is bounded
# by `timeout` within one budget, so the whole run stays under 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/lib.sh
bench_init tls.sh 570

bounded 240 dotnet build -c Release bench/LoadTest -warnaserror -nologo -v quiet
out=bench/LoadTest/bin/Release/net10.0
bounded 60 dotnet "$out/DistCacheAkka.CacheNode.dll" dev-certs --out "$work/certs" >/dev/null

cat >"$work/cluster.conf" <<'CONF'
akka.loglevel = WARNING
distcache.replication-factor = 2
distcache.node.warm-up-min-data-nodes = 3
CONF

run() {  # run NAME [node and client TLS flags]: a fresh cluster, one LoadTest run, the cluster stopped
  local name=$1 tls=$2 node_flags=() client_flags=()
  shift 2
  if [ "$tls" = on ]; then
    node_flags=(--tls-cert "$work/certs/node.pfx" --tls-ca "$work/certs/ca.crt")
    client_flags=(--tls-cert "$work/certs/client.pfx" --tls-ca "$work/certs/ca.crt")
  fi
  read -r seed_port worker1_port worker2_port <<<"$(free_ports 3)"
  dotnet "$out/DistCacheAkka.CacheNode.dll" --role seed --port "$seed_port" --mgmt-port 0 --config "$work/cluster.conf" \
    "${node_flags[@]}" >"$work/$name-seed.log" 2>&1 &
  pids+=($!)
  local node_pids=$!
  for port in "$worker1_port" "$worker2_port"; do
    dotnet "$out/DistCacheAkka.CacheNode.dll" --role worker --port "$port" --mgmt-port 0 --seed "127.0.0.1:$seed_port" \
      --config "$work/cluster.conf" "${node_flags[@]}" >"$work/$name-worker-$port.log" 2>&1 &
    pids+=($!)
    node_pids="$node_pids,$!"
  done
  wait_port "$seed_port"
  echo "== $name (TLS $tls), $(date -u '+%H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  bounded 170 dotnet "$out/DistCacheAkka.LoadTest.dll" run --seed "127.0.0.1:$seed_port" --concurrency 1,64 \
    --duration 8 --warmup 2 --pids "distcache=$node_pids" "${client_flags[@]}" "$@" 2>/dev/null
  stop_all
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); nproc: $(nproc)"
run plaintext off "$@"
run tls on "$@"
run plaintext-again off "$@"
echo "tls.sh took $SECONDS s before cleanup"
