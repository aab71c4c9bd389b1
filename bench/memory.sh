#!/usr/bin/env bash
# Issue #12: the memory budget's benchmarks, on this machine, in one run.
#
#   bench/memory.sh [all|per-entry|eviction|long-run|cgroup] [extra MemoryBench options for that one phase]
#
# On 127.0.0.1 only, with free ports (R = 2, seed + 2 workers per cluster):
#   per-entry  bytes per entry for 100-byte and 1,000-byte values: two fresh 3-node clusters (budget 4GiB, so nothing
#              is evicted; one per value size) and redis-server with persistence off; 200,000 keys each. The nodes'
#              live heap comes from dotnet-gcdump, installed as a local tool in the run's temporary folder.
#   eviction   write throughput, 1 KB values, SetMultiple at Quorum, 4 writers: a cluster with a 4GiB budget per node
#              (never evicts) against one with 64MiB per node, both filled to twice what the small one holds first;
#              alternating 5 s intervals, 6 rounds.
#   long-run   3 nodes each under DOTNET_GCHeapHardLimit = 384 MiB and no memory settings, 1 KB values at Quorum from
#              4 writers plus re-reads of 1,000 hot keys, for 300 s or 10x what the budgets hold; at the end each
#              node's live managed heap (dotnet-gcdump).
#   cgroup     (not part of all; needs root and a writable cgroup v1 memory controller at /sys/fs/cgroup/memory) the
#              long-run load, but each node in its own memory cgroup limited to CGROUP_LIMIT (default 384M, swap
#              included via memory.memsw.limit_in_bytes when present), entered by a wrapper shell before it execs
#              dotnet, so the runtime derives its heap limit (75%) and the budget from the cgroup limit. No
#              DOTNET_GCHeapHardLimit; distcache.memory.limit-fraction = CGROUP_FRACTION if set, else no memory
#              settings. 300 s or 5x what the budgets hold. Reports each node's startup budget line, the cgroups'
#              usage, peak, failcnt and OOM kills, exit statuses and new OOM lines in dmesg; removes the cgroups on exit.
#              CGROUP_COLD_FILES=1: each node runs its own copy of the runtime and the app, dropped from the page
#              cache first, so the file pages it maps are charged to its cgroup (as in a container of its own).
# Installs redis-server with apt-get if it is missing. Everything it started is stopped on exit (trap) and every step
# is bounded by `timeout`; the whole run stays under about 25 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

phase=${1:-all}
[ $# -gt 0 ] && shift
case "$phase" in all|per-entry|eviction|long-run|cgroup) ;; *) echo "unknown phase: $phase" >&2; exit 2 ;; esac

source bench/lib.sh
bench_init memory.sh 1800  # the longest phase list (all) stays under about 25 minutes
cgroup_root=/sys/fs/cgroup/memory
cgroup_base=""  # set by the cgroup phase: node n of a cluster (seed 0, workers 1 and 2) runs in $cgroup_base-$n
cgroups=()      # created cgroup folders, removed on exit
cold_root=""    # set by CGROUP_COLD_FILES=1: node n runs a private copy of the runtime and the app from $cold_root-$n

remove_cgroups() {  # the nodes are stopped first; anything left in a group is moved to the root, then rmdir
  local dir pid
  for dir in "${cgroups[@]}"; do
    [ -d "$dir" ] || continue
    while read -r pid; do
      [ -n "$pid" ] && { kill -KILL "$pid" 2>/dev/null || true; echo "$pid" >"$cgroup_root/cgroup.procs" 2>/dev/null || true; }
    done <"$dir/cgroup.procs"
    for _ in $(seq 1 25); do rmdir "$dir" 2>/dev/null && break; sleep 0.2; done
    [ -d "$dir" ] && echo "could not remove $dir" >&2
  done
  return 0
}

bench_extra_cleanup() { remove_cgroups; }
free_port() { free_ports 1; }

timeout 240 dotnet build -c Release bench/MemoryBench -warnaserror -nologo -v quiet
out=bench/MemoryBench/bin/Release/net10.0
bench=(dotnet "$out/DistCacheAkka.MemoryBench.dll")  # timeout runs commands, not shell functions

# start_cluster NAME EXTRA_HOCON [ENV=VALUE ...]: a seed and two workers; sets seed_port and cluster_pids (comma list)
# and appends the pids to the cleanup list.
node_command() {  # node_command N [ENV=VALUE ...]: sets node_cmd, the command line of node N (seed 0, workers 1, 2)
  local n=$1
  shift
  node_cmd=()
  if [ -n "$cgroup_base" ]; then node_cmd=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cgroup_base-$n"); fi
  if [ -n "$cold_root" ]; then
    node_cmd+=(env "$@" "$cold_root-$n/dotnet" "$cold_root-$n/app/DistCacheAkka.CacheNode.dll")
  else
    node_cmd+=(env "$@" dotnet "$out/DistCacheAkka.CacheNode.dll")
  fi
}

start_cluster() {
  local name=$1 hocon=$2
  shift 2
  printf 'akka.loglevel = WARNING\ndistcache.replication-factor = 2\ndistcache.node.warm-up-min-data-nodes = 3\n%s\n' \
    "$hocon" >"$work/$name.conf"
  seed_port=$(free_port)
  node_command 0 "$@"
  "${node_cmd[@]}" --role seed --port "$seed_port" --mgmt-port 0 \
    --config "$work/$name.conf" >"$work/$name-seed.log" 2>&1 &
  pids+=($!)
  cluster_pids=$!
  wait_port "$seed_port"
  for n in 1 2; do
    node_command "$n" "$@"
    "${node_cmd[@]}" --role worker --port "$(free_port)" --mgmt-port 0 \
      --seed "127.0.0.1:$seed_port" --config "$work/$name.conf" >"$work/$name-worker$n.log" 2>&1 &
    pids+=($!)
    cluster_pids="$cluster_pids,$!"
  done
}

stop_cluster() {  # stop_cluster "p1,p2,p3"
  local list
  IFS=, read -r -a list <<<"$1"
  stop_pids "${list[@]}"
}

echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); nproc: $(nproc); $(lscpu | grep 'Model name' | tr -s ' ')"
echo "free -g: $(free -g | awk '/Mem:/ {print "total " $2 ", used " $3 ", available " $7}'); load average: $(loadavg)"

# dotnet-gcdump (a local tool in $work) reads a node's live managed heap after an induced full GC (per-entry, and the
# end of long-run); without it those figures show "n/a" and the accounted and RSS figures stand alone.
gcdump=()
if [ "$phase" != eviction ] && [ "$phase" != cgroup ]; then
  if (cd "$work" && timeout 60 dotnet new tool-manifest >/dev/null && timeout 240 dotnet tool install dotnet-gcdump >/dev/null); then
    gcdump=(--gcdump-dir "$work")
  else
    echo "dotnet-gcdump could not be installed: no live-heap figures" >&2
  fi
fi

if [ "$phase" = all ] || [ "$phase" = per-entry ]; then
  if ! command -v redis-server >/dev/null; then
    timeout 120 apt-get update
    DEBIAN_FRONTEND=noninteractive timeout 180 apt-get install -y redis-server
  fi
  echo "== per-entry: $(redis-server --version | cut -d' ' -f1-3); load average $(loadavg)"
  redis_port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --protected-mode yes \
    --daemonize no --logfile "$work/redis.log" &
  pids+=($!)
  redis_pid=$!
  wait_port "$redis_port"
  timeout 300 "${bench[@]}" per-entry --redis "127.0.0.1:$redis_port" --redis-pid "$redis_pid" --value-size 100 "$@"
  timeout 300 "${bench[@]}" per-entry --redis "127.0.0.1:$redis_port" --redis-pid "$redis_pid" --value-size 1000 "$@"
  stop_pids "$redis_pid"
  for size in 100 1000; do
    start_cluster "entry$size" 'distcache.memory.limit = 4GiB'
    timeout 600 "${bench[@]}" per-entry --seed "127.0.0.1:$seed_port" --pids "$cluster_pids" --value-size "$size" "${gcdump[@]}" "$@"
    stop_cluster "$cluster_pids"
  done
  echo "load average after per-entry: $(loadavg)"
fi

if [ "$phase" = all ] || [ "$phase" = eviction ]; then
  echo "== eviction; load average $(loadavg)"
  start_cluster roomy 'distcache.memory.limit = 4GiB'
  roomy_seed=$seed_port roomy_pids=$cluster_pids
  start_cluster small 'distcache.memory.limit = 64MiB'
  small_seed=$seed_port small_pids=$cluster_pids
  timeout 900 "${bench[@]}" eviction --seed "127.0.0.1:$roomy_seed" --pids "$roomy_pids" \
    --small-seed "127.0.0.1:$small_seed" --small-pids "$small_pids" "$@"
  stop_cluster "$roomy_pids"
  stop_cluster "$small_pids"
  echo "load average after eviction: $(loadavg)"
fi

if [ "$phase" = all ] || [ "$phase" = long-run ]; then
  echo "== long-run; load average $(loadavg)"
  start_cluster long '' DOTNET_GCHeapHardLimit=0x18000000
  timeout 600 "${bench[@]}" long-run --seed "127.0.0.1:$seed_port" --pids "$cluster_pids" "${gcdump[@]}" "$@"
  stop_cluster "$cluster_pids"
  echo "load average after long-run: $(loadavg)"
fi
if [ "$phase" = cgroup ]; then
  limit=${CGROUP_LIMIT:-384M}
  fraction_hocon=""
  [ -n "${CGROUP_FRACTION:-}" ] && fraction_hocon="distcache.memory.limit-fraction = $CGROUP_FRACTION"
  echo "== cgroup: memory.limit_in_bytes = $limit per node, ${fraction_hocon:-no memory settings}; load average $(loadavg)"
  [ -w "$cgroup_root/cgroup.procs" ] || { echo "no writable cgroup v1 memory controller at $cgroup_root" >&2; exit 1; }
  cgroup_base="$cgroup_root/distcache-bench-$$"
  for n in 0 1 2; do
    mkdir "$cgroup_base-$n"
    cgroups+=("$cgroup_base-$n")
    echo "$limit" >"$cgroup_base-$n/memory.limit_in_bytes"
    if [ -e "$cgroup_base-$n/memory.memsw.limit_in_bytes" ]; then echo "$limit" >"$cgroup_base-$n/memory.memsw.limit_in_bytes"; fi
  done
  if [ "${CGROUP_COLD_FILES:-0}" = 1 ]; then
    # Each node gets its own copy of the .NET runtime and the app, dropped from the page cache after the copy
    # (fsync + POSIX_FADV_DONTNEED, these files only), so the pages the node maps are charged to its own cgroup when
    # it reads them, as in a container started from an image nobody else on the host uses. Without this the runtime's
    # files are already cached, charged to whoever read them first, and a node's cgroup pays only for its
    # anonymous memory and what it writes.
    dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
    cold_root="$work/cold"
    for n in 0 1 2; do
      mkdir -p "$cold_root-$n/shared"
      cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$cold_root-$n/"
      cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/shared/Microsoft.AspNetCore.App" "$cold_root-$n/shared/"
      cp -a "$out" "$cold_root-$n/app"
    done
    python3 - "$work" <<'PY'
import os, sys
for top, _, files in os.walk(sys.argv[1]):
    for f in files:
        fd = os.open(os.path.join(top, f), os.O_RDONLY)
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
PY
    echo "cold files: each node runs its own copy of $dotnet_root (NETCore + AspNetCore shared runtimes) and the app, out of the page cache: $(du -sh "$cold_root-0" | cut -f1) each"
  fi
  dmesg_lines=$( (dmesg 2>/dev/null || true) | wc -l)
  start_cluster cg "akka.loglevel = INFO
$fraction_hocon"
  IFS=, read -r -a cg_pids <<<"$cluster_pids"
  for n in 0 1 2; do  # the budget line each node logs at startup (bounded: 60 s)
    log="$work/cg-seed.log"
    [ "$n" -gt 0 ] && log="$work/cg-worker$n.log"
    for _ in $(seq 1 300); do grep -qs 'Memory budget' "$log" && break; sleep 0.2; done
    echo "node $n (pid ${cg_pids[$n]}, cgroup $(grep memory /proc/"${cg_pids[$n]}"/cgroup | cut -d: -f3)): $(grep -o 'Memory budget.*' "$log" | head -1)"
  done
  timeout 600 "${bench[@]}" long-run --seed "127.0.0.1:$seed_port" --pids "$cluster_pids" --fits-multiple 5 \
    --cgroups "$cgroup_base-0,$cgroup_base-1,$cgroup_base-2" "$@" || echo "MemoryBench exited $?"
  for n in 0 1 2; do
    pid=${cg_pids[$n]}
    if kill -0 "$pid" 2>/dev/null; then state="alive"; else wait "$pid" && rc=0 || rc=$?; state="exited with status $rc"; fi
    echo "node $n pid $pid: $state; cgroup peak $(($(cat "$cgroup_base-$n/memory.max_usage_in_bytes") / 1048576)) MiB of" \
      "$(($(cat "$cgroup_base-$n/memory.limit_in_bytes") / 1048576)) MiB, failcnt $(cat "$cgroup_base-$n/memory.failcnt"), memsw.failcnt $(cat "$cgroup_base-$n/memory.memsw.failcnt" 2>/dev/null || echo n/a), oom_control:" \
      "$(tr '\n' ' ' <"$cgroup_base-$n/memory.oom_control")"
    grep -E 'OutOfMemoryException' "$work/cg-$([ "$n" = 0 ] && echo seed || echo "worker$n").log" | head -3 || true
  done
  echo "new kernel OOM lines (dmesg):"
  dmesg 2>/dev/null | tail -n +"$((dmesg_lines + 1))" | grep -iE 'oom|killed process' || echo "  none"
  stop_cluster "$cluster_pids"
  remove_cgroups
  echo "load average after cgroup: $(loadavg)"
fi
echo "finished: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
