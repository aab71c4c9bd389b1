# Shared helpers of the bench/*.sh scripts (sourced, not run). Every helper is bounded and touches 127.0.0.1 only.
#
#   source "$(dirname "$0")/lib.sh"
#   bench_init NAME BUDGET_SECONDS   # sets $work (a temporary folder), $pids (started processes, stopped on exit)
#                                    # and the budget that `bounded` and `wait_port` respect; installs the exit trap
#
# A script that needs more on exit defines `bench_extra_cleanup` (called after its processes are stopped).

# bench_init NAME BUDGET: the run's temporary folder, process list, time budget and exit trap.
bench_init() {
  bench_name=$1
  budget_end=$((SECONDS + $2))
  work=$(mktemp -d "/tmp/distcache-$1.XXXXXX")
  pids=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# bounded SECONDS COMMAND...: runs COMMAND under `timeout`, for SECONDS or what is left of the budget if less.
bounded() {
  local limit=$1 left=$((budget_end - SECONDS))
  shift
  if [ "$left" -le 0 ]; then echo "$bench_name: out of its time budget before: $*" >&2; return 124; fi
  timeout "$((limit < left ? limit : left))" "$@"
}

# stop_pids PID...: TERM, up to 10 s for a graceful exit, then KILL, then reap.
stop_pids() {
  [ $# -eq 0 ] && return 0
  local pid alive
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}

# stop_all: stops every process in $pids and empties the list.
stop_all() {
  stop_pids "${pids[@]}"
  pids=()
}

bench_cleanup() {
  local status=$?
  stop_all
  if declare -F bench_extra_cleanup >/dev/null; then bench_extra_cleanup; fi
  if [ "$status" != 0 ]; then
    echo "$bench_name failed (exit $status); logs:" >&2
    tail -n 20 "$work"/*.log >&2 2>/dev/null || true
  fi
  rm -rf "$work"
}

# free_ports N: N distinct free ports on 127.0.0.1, space-separated, below the kernel's ephemeral range (a port from
# that range can be taken by any outgoing connection before the node binds it; see src/CacheNode/Demo/LoopbackPorts.cs).
free_ports() {
  local low
  low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 11000 ] || low=32768
  if command -v python3 >/dev/null; then
    # Random ports under the range, each checked by binding it; all held until the end, so none is chosen twice.
    python3 -c 'import random, socket, sys
n, low = int(sys.argv[1]), int(sys.argv[2])
held = []
for _ in range(n * 100):
    if len(held) == n:
        break
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", random.randrange(10000, low)))
        held.append(s)
    except OSError:
        s.close()
if len(held) < n:
    sys.exit("no %d free ports found" % n)
print(" ".join(str(s.getsockname()[1]) for s in held))' "$1" "$low"
    return
  fi
  # A bare image may have no python3: random ports under the range that nothing answers on (bash's /dev/tcp).
  local port found=()
  for _ in $(seq 1 $(($1 * 50))); do
    [ "${#found[@]}" -ge "$1" ] && break
    port=$(( (RANDOM << 1 | RANDOM & 1) % (low - 10000) + 10000 ))
    case " ${found[*]} " in *" $port "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then found+=("$port"); fi
  done
  [ "${#found[@]}" -ge "$1" ] || { echo "no $1 free ports found" >&2; return 1; }
  echo "${found[*]}"
}

# wait_port PORT: until something listens on 127.0.0.1:PORT; at most 60 s, and never past the budget.
wait_port() {
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    [ "$SECONDS" -lt "$budget_end" ] || break
    sleep 0.2
  done
  echo "nothing listens on 127.0.0.1:$1 after 60 s" >&2
  return 1
}

# start_cluster OUT CONF SEED_PORT WORKER_PORT...: a DistCacheAkka seed and workers on 127.0.0.1 from the build in OUT,
# each with --config CONF and no management port, logging to $work; added to $pids, and their pids, comma-separated,
# in $node_pids (for LoadTest --pids).
start_cluster() {
  local out=$1 conf=$2 seed=$3 port
  shift 3
  dotnet "$out/DistCacheAkka.CacheNode.dll" --role seed --port "$seed" --mgmt-port 0 --config "$conf" >"$work/seed-$seed.log" 2>&1 &
  pids+=($!)
  node_pids=$!
  for port in "$@"; do
    dotnet "$out/DistCacheAkka.CacheNode.dll" --role worker --port "$port" --mgmt-port 0 \
      --seed "127.0.0.1:$seed" --config "$conf" >"$work/worker-$port.log" 2>&1 &
    pids+=($!)
    node_pids="$node_pids,$!"
  done
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
