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

work=$(mktemp -d /tmp/distcache-tls.XXXXXX)
pids=()
budget_end=$((SECONDS + 570))

bounded() {
  local limit=$1 left=$((budget_end - SECONDS))
  shift
  if [ "$left" -le 0 ]; then echo "tls.sh: out of its time budget before: $*" >&2; return 124; fi
  timeout "$((limit < left ? limit : left))" "$@"
}

stop_nodes() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  pids=()
}

cleanup() {
  local status=$?
  stop_nodes
  if [ "$status" != 0 ]; then
    echo "tls.sh failed (exit $status); node logs:" >&2
    tail -n 20 "$work"/*.log >&2 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_ports() {  # N distinct free ports on 127.0.0.1
  python3 -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

wait_port() {
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    [ "$SECONDS" -lt "$budget_end" ] || break
    sleep 0.2
  done
  echo "nothing listens on 127.0.0.1:$1 after 60 s" >&2
  return 1
}

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
  stop_nodes
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); nproc: $(nproc)"
run plaintext off "$@"
run tls on "$@"
run plaintext-again off "$@"
echo "tls.sh took $SECONDS s before cleanup"
