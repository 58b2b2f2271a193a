#!/usr/bin/env bash
# Instructions and clock reads per `timeout(10 s, ready future)`, counted by
# callgrind, for spool, a control (spool's `sleep`, which reads the clock),
# tokio's current_thread runtime and smol.
#
# Usage: bash benches/timeout_profile.sh [ROUNDS [WHICH...]]
#   ROUNDS    measured rounds of 10,000 calls each (default 5)
#   WHICH     any of spool spool_sleep tokio smol (default: all four)
#
# It builds benches/timeout_profile.rs (the bench profile: optimised, with
# line tables), runs it under `valgrind --tool=callgrind` with collection
# switched on only inside `measured_timeouts`, and prints the instructions per call and, per function whose
# name contains `clock_gettime` and that executed instructions there, how
# many calls reached it per measured call and its own instructions. spool's ready path must show none; the control shows that a clock
# read in spool's code would be seen (one per call).
# The build and the valgrind runs are benches/callgrind.sh's (shared with
# benches/spawn_profile.sh).
# The raw profiles stay in target/timeout_profile/callgrind.WHICH.out
# (callgrind_annotate --inclusive=yes reads them). BENCHMARKS.md reads them.
set -euo pipefail
cd "$(dirname "$0")/.."

source benches/callgrind.sh
callgrind_init timeout_profile "spool spool_sleep tokio smol" "$@"

calls=$((rounds * 10000))
printf '%-12s %12s %10s  %s\n' which instructions per_call "clock_gettime calls per call"
for which in "${runs[@]}"; do
    callgrind_run "$which" '*measured_timeouts*'
    # `cfn=` names a callee (compressed as `(N) name`, then `(N)`); the
    # `calls=COUNT ...` line after it says how often it was called. Cost
    # lines after `fn=` are that function's own instructions, collected only
    # inside `measured_timeouts` (call counts are not: a function that ran
    # there also counts its few calls at start-up).
    python3 - "$file" "$calls" "$which" <<'PY'
import re, sys
from collections import defaultdict
path, calls, which = sys.argv[1], int(sys.argv[2]), sys.argv[3]
names, fn, callee, total = {}, None, None, 0
ncalls, own = defaultdict(int), defaultdict(int)
def resolve(spec):
    m = re.match(r"\((\d+)\)(?: (.*))?$", spec)
    if not m:
        return spec
    if m.group(2):
        names[m.group(1)] = m.group(2)
    return names.get(m.group(1), "?")
after_calls = False
for line in open(path):
    line = line.rstrip("\n")
    if line.startswith("fn="):
        fn, after_calls = resolve(line[3:]), False
    elif line.startswith(("cfn=", "cfni=")):
        callee = resolve(line.split("=", 1)[1])
    elif line.startswith("calls=") and callee is not None:
        ncalls[callee] += int(line.split("=", 1)[1].split()[0])
        after_calls = True
    elif (line[:1].isdigit() or line[:1] in "+-*") and len(line.split()) == 2:
        if after_calls:
            after_calls = False  # a call's inclusive cost, not fn's own
        elif fn is not None:
            own[fn] += int(line.split()[-1])
    elif line.startswith(("summary:", "totals:")):
        total = int(line.split()[1])
clock = sorted(n for n in set(ncalls) | set(own) if "clock_gettime" in n and own[n] > 0)
reads = ", ".join(f"{n}: {ncalls[n] / calls:.2f} calls, {own[n]} instructions" for n in clock) or "none"
print(f"{which:<12} {total:>12} {total / calls:>10.1f}  {reads}")
PY
done
