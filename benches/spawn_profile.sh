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
# The build and the valgrind runs are benches/callgrind.sh's (shared with
# benches/timeout_profile.sh).
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

source benches/callgrind.sh
callgrind_init spawn_profile "spool tokio tokio_local smol" "$@"

pairs=$((rounds * 10000))
printf '%-12s %14s %10s %8s\n' runtime instructions per_pair locked
for rt in "${runs[@]}"; do
    callgrind_run "$rt" '*measured_rounds*' --dump-instr=yes
    python3 benches/spawn_profile.py "$file" "$pairs" "$out/summary.$rt" >"$out/functions.$rt.txt"
    read -r total per locked <"$out/summary.$rt"
    printf '%-12s %14s %10s %8s\n' "$rt" "$total" "$per" "$locked"
done
