#!/usr/bin/env bash
# redis-benchmark against the kv server of examples/kv (1 and 2 workers;
# poll mode, nap mode, neither) and against redis-server, in one session,
# interleaved; prints two markdown tables for BENCHMARKS.md: the median
# requests/s of ROUNDS runs, and the median server CPU time (user + system,
# all threads, from /proc/<pid>/task/*/schedstat) per request. The second
# is the like-for-like figure on a machine loaded by other work: it counts
# what each server spends per request, not how much of the CPU it got.
#
# Needs redis-server, redis-benchmark (Debian: redis-server, redis-tools).
# Usage: bash benches/redis.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
requests=200000
cargo build --release -p kv -q
kv=target/release/kv
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
declare -A pid_of
redis-server --port 6390 --save '' --appendonly no --daemonize no >/dev/null & pids+=($!); pid_of[6390]=$!
$kv --listen 127.0.0.1:6401 >/dev/null & pids+=($!); pid_of[6401]=$!
$kv --listen 127.0.0.1:6402 --spin-us 0 >/dev/null & pids+=($!); pid_of[6402]=$!
$kv --listen 127.0.0.1:6403 --workers 2 >/dev/null & pids+=($!); pid_of[6403]=$!
$kv --listen 127.0.0.1:6404 --spin-us 0 --nap-us 0 >/dev/null & pids+=($!); pid_of[6404]=$!
for port in 6390 6401 6402 6403 6404; do
  for _ in $(seq 100); do redis-cli -p $port ping >/dev/null 2>&1 && break; sleep 0.1; done
done
# Nanoseconds the process has run on a CPU, summed over its threads.
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {printf "%.0f", s}'; }
out=$(mktemp)
for r in $(seq "$rounds"); do
  for p in 1 16; do
    for port in 6390 6401 6402 6403 6404; do
      for t in ping set get; do
        before=$(cpu_ns "${pid_of[$port]}")
        lines=$(redis-benchmark -p $port -q -t $t -n $requests -c 50 -P $p 2>/dev/null \
          | tr '\r' '\n' | grep "requests per second")
        after=$(cpu_ns "${pid_of[$port]}")
        n=$(echo "$lines" | wc -l)
        echo "$lines" | while read -r line; do
          test=$(echo "$line" | sed -E 's/^([A-Z_]+):.*/\1/')
          rps=$(echo "$line" | sed -E 's/^[A-Z_]+: ([0-9.]+) requests per second.*/\1/')
          # `-t ping` runs two tests: their CPU is shared out evenly.
          echo "$port $p $test $rps $(( (after - before) / (n * requests) ))" >> "$out"
        done
      done
    done
  done
done
python3 - "$out" <<'PY'
import sys, statistics, collections
names = {"6390": "redis-server 7", "6401": "kv, 1 worker", "6402": "kv, 1 worker, --spin-us 0 (nap mode)",
         "6403": "kv, 2 workers", "6404": "kv, 1 worker, --spin-us 0 --nap-us 0"}
rps = collections.defaultdict(list)
cpu = collections.defaultdict(list)
for line in open(sys.argv[1]):
    port, p, test, r, ns = line.split()
    rps[(port, p, test)].append(float(r))
    cpu[(port, p, test)].append(int(ns))
tests = ["PING_INLINE", "PING_MBULK", "SET", "GET"]
def table(title, d, fmt):
    print(title)
    print()
    print("| server | pipeline | " + " | ".join(tests) + " |")
    print("|---|---:|" + "---:|" * len(tests))
    for p in ["1", "16"]:
        for port in ["6390", "6401", "6402", "6404", "6403"]:
            cells = [fmt(statistics.median(d[(port, p, t)])) if d[(port, p, t)] else "-" for t in tests]
            print(f"| {names[port]} | -P {p} | " + " | ".join(cells) + " |")
    print()
table("Requests per second (median):", rps, lambda v: f"{v:,.0f}")
table("Server CPU per request, user + system, ns (median; PING's two tests share one run):", cpu, lambda v: f"{v:,.0f}")
PY
