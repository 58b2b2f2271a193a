#!/usr/bin/env bash
# Instructions per spawn + join, counted by callgrind, for spool, tokio's
# current_thread runtime, tokio's LocalSet and smol's LocalExecutor.
#
# Usage: bash benches/spawn_profile.sh [ROUNDS [RUNTIME...]]
#   ROUNDS    measured rounds of 10,000 spawn + join each (default 5)
#   RUNTIME   any of spool tokio tokio_local smol (default: all four)
#
# It builds benches/spawn_profile.rs (the bench profile: optimised, with line
# tables), runs it once per runtime under `valgrind --tool=callgrind` with
# collection switched on only inside `measured_rounds` (one warm-up round
# runs before it, uncounted), and prints the instructions per spawn + join
# and the locked instructions among them (atomic read-modify-writes, found
# with objdump: each costs tens of cycles, so they weigh more than their
# count); benches/spawn_profile.py reads the profiles.
# Callgrind's instruction counts do not depend on the machine's load, so
# unlike the criterion figures they can be compared across runs and commits.
#
# Left in target/spawn_profile/:
#   callgrind.RUNTIME.out      the raw profile (open with callgrind_annotate
#                              or kcachegrind)
#   functions.RUNTIME.txt      every function with its own instructions and
#                              with its callees' (inclusive), both per
#                              spawn + join, largest inclusive first;
#                              inlined code counts in the function it was
#                              inlined into (as in the optimised binary);
#                              under each, what its calls cost; the locked
#                              instructions each function executed
# BENCHMARKS.md ("Where a spawn+join goes") reads them.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-5}
shift || true
runtimes=("$@")
[ ${#runtimes[@]} -eq 0 ] && runtimes=(spool tokio tokio_local smol)
case $rounds in '' | *[!0-9]* | 0)
    echo "spawn_profile.sh: ROUNDS must be a positive integer" >&2
    exit 2
    ;;
esac
command -v valgrind >/dev/null || {
    echo "spawn_profile.sh: valgrind is not installed (apt-get install valgrind)" >&2
    exit 1
}

bin=$(cargo bench --bench spawn_profile --no-run --message-format=json 2>/dev/null |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "spawn_profile" and m.get("executable"):
        print(m["executable"])')
[ -x "$bin" ] || {
    echo "spawn_profile.sh: could not build benches/spawn_profile.rs" >&2
    exit 1
}

out=target/spawn_profile
mkdir -p "$out"
pairs=$((rounds * 10000))
printf '%-12s %14s %10s %8s\n' runtime instructions per_pair locked
for rt in "${runtimes[@]}"; do
    file=$out/callgrind.$rt.out
    valgrind --tool=callgrind --callgrind-out-file="$file" --dump-instr=yes \
        --collect-atstart=no --toggle-collect='*measured_rounds*' \
        "$bin" "$rt" "$rounds" >/dev/null 2>"$out/valgrind.$rt.log" || {
        echo "spawn_profile.sh: valgrind failed for $rt, see $out/valgrind.$rt.log" >&2
        exit 1
    }
    python3 benches/spawn_profile.py "$file" "$pairs" "$out/summary.$rt" >"$out/functions.$rt.txt"
    read -r total per locked <"$out/summary.$rt"
    printf '%-12s %14s %10s %8s\n' "$rt" "$total" "$per" "$locked"
done
