#!/usr/bin/env bash
# redis-benchmark against the kv server of examples/kv (1 and 2 workers, poll mode on and
# off) and against redis-server, in one session, interleaved; prints the
# median requests/s of ROUNDS runs as a markdown table for BENCHMARKS.md.
#
# Needs redis-server, redis-benchmark (Debian: redis-server, redis-tools).
# Usage: bash benches/redis.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
cargo build --release -p kv -q
kv=target/release/kv
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
redis-server --port 6390 --save '' --appendonly no --daemonize no >/dev/null & pids+=($!)
$kv --listen 127.0.0.1:6401 >/dev/null & pids+=($!)
$kv --listen 127.0.0.1:6402 --spin-us 0 >/dev/null & pids+=($!)
$kv --listen 127.0.0.1:6403 --workers 2 >/dev/null & pids+=($!)
for port in 6390 6401 6402 6403; do
  for _ in $(seq 100); do redis-cli -p $port ping >/dev/null 2>&1 && break; sleep 0.1; done
done
out=$(mktemp)
for r in $(seq "$rounds"); do
  for p in 1 16; do
    for port in 6390 6401 6402 6403; do
      redis-benchmark -p $port -q -t ping,set,get -n 200000 -c 50 -P $p 2>/dev/null \
        | tr '\r' '\n' | grep "requests per second" \
        | sed -E "s/^([A-Z_]+): ([0-9.]+) requests per second.*/$port $p \1 \2/" >> "$out"
    done
  done
done
python3 - "$out" <<'PY'
import sys, statistics, collections
names = {"6390": "redis-server 7", "6401": "kv, 1 worker", "6402": "kv, 1 worker, --spin-us 0", "6403": "kv, 2 workers"}
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    port, p, test, rps = line.split()
    d[(port, p, test)].append(float(rps))
tests = ["PING_INLINE", "PING_MBULK", "SET", "GET"]
print("| server | pipeline | " + " | ".join(tests) + " |")
print("|---|---:|" + "---:|" * len(tests))
for p in ["1", "16"]:
    for port in ["6390", "6401", "6402", "6403"]:
        cells = [f"{statistics.median(d[(port, p, t)]):,.0f}" if d[(port, p, t)] else "-" for t in tests]
        print(f"| {names[port]} | -P {p} | " + " | ".join(cells) + " |")
PY
