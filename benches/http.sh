#!/usr/bin/env bash
# hyper 1.x on spool vs the same hyper service on tokio, under wrk.
#
#   bash benches/http.sh [ROUNDS] [SECONDS] [WORKERS] [CONNECTIONS]
#
# Builds examples/http (feature `hyper`), then for each round serves it in
# turn on spool (WORKERS workers), tokio current_thread and tokio
# multi_thread (WORKERS threads), alternating A/B/C so that machine noise
# hits every runtime alike, and runs `wrk -t1 -cCONNECTIONS -dSECONDS` on
# `GET /`. Prints req/s and the server's CPU time per request (utime+stime
# from /proc/PID/stat, in microseconds) for each run, then the medians.
# wrk is installed with apt-get when missing. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}; SECS=${2:-5}; WORKERS=${3:-1}; CONNS=${4:-64}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
cargo build --release --features hyper --example http -q
BIN=target/release/examples/http
TICKS=$(getconf CLK_TCK)
declare -A RPS CPU

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() { # runtime port
  local rt=$1 port=$2
  "$BIN" --listen "127.0.0.1:$port" --workers "$WORKERS" --runtime "$rt" >/dev/null &
  local pid=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
  local before; before=$(cpu_ticks "$pid")
  local out; out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" "http://127.0.0.1:$port/")
  local after; after=$(cpu_ticks "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  local us; us=$(awk -v t=$((after - before)) -v hz="$TICKS" -v n="$reqs" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')
  printf '%-9s round %d: %10s req/s  %6s us CPU/request\n' "$rt" "$3" "$rps" "$us"
  RPS[$rt]+="$rps "; CPU[$rt]+="$us "
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

port=18080
for r in $(seq "$ROUNDS"); do
  for rt in spool tokio-ct tokio-mt; do
    port=$((port + 1)); run "$rt" "$port" "$r"
  done
done
echo "medians over $ROUNDS rounds (${SECS}s each, $CONNS connections, $WORKERS workers):"
for rt in spool tokio-ct tokio-mt; do
  printf '%-9s %10s req/s  %6s us CPU/request\n' "$rt" "$(echo "${RPS[$rt]}" | median)" "$(echo "${CPU[$rt]}" | median)"
done
