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
# runs before it, uncounted), and prints the instructions per spawn + join.
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
#                              under each, what its calls cost
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
printf '%-12s %14s %10s\n' runtime instructions per_pair
for rt in "${runtimes[@]}"; do
    file=$out/callgrind.$rt.out
    valgrind --tool=callgrind --callgrind-out-file="$file" \
        --collect-atstart=no --toggle-collect='*measured_rounds*' \
        "$bin" "$rt" "$rounds" >/dev/null 2>"$out/valgrind.$rt.log" || {
        echo "spawn_profile.sh: valgrind failed for $rt, see $out/valgrind.$rt.log" >&2
        exit 1
    }
    total=$(awk '/^(summary|totals):/ { print $2; exit }' "$file")
    python3 - "$file" "$pairs" >"$out/functions.$rt.txt" <<'PY'
import re, sys
from collections import defaultdict

# Reads callgrind's output format directly: `fn=` names the function that
# the following cost lines belong to (`fi=`/`fe=` only switch the source
# file of inlined code, which stays in the function it was inlined into);
# `calls=` says the next cost line is a call's inclusive cost.
path, pairs = sys.argv[1], int(sys.argv[2])
names, own, incl = {}, defaultdict(int), defaultdict(int)
edges = defaultdict(lambda: defaultdict(int))
def name(spec):
    m = re.match(r"\((\d+)\)(?: (.*))?", spec)
    if not m:
        return spec
    if m.group(2):
        names[m.group(1)] = m.group(2)
    return names[m.group(1)]
fn = callee = None
in_call = False
for text in open(path):
    text = text.rstrip("\n")
    if text.startswith("fn="):
        fn = name(text[3:])
    elif text.startswith("cfn="):
        callee = name(text[4:])
    elif text.startswith("calls="):
        in_call = True
    elif text and (text[0].isdigit() or text[0] in "+-*") and fn is not None:
        cost = int(text.split()[1]) if len(text.split()) > 1 else 0
        if in_call:
            if callee != fn:
                incl[fn] += cost
                edges[fn][callee] += cost
            in_call = False
        else:
            own[fn] += cost
            incl[fn] += cost
print(f"{'inclusive':>10} {'own':>8}  function   (instructions per spawn + join)")
for f in sorted(incl, key=lambda f: (-incl[f], f)):
    if incl[f] / pairs >= 0.5:
        print(f"{incl[f] / pairs:10.1f} {own[f] / pairs:8.1f}  {f}")
        for c, cost in sorted(edges[f].items(), key=lambda e: -e[1]):
            if cost / pairs >= 0.5:
                print(f"{'':10} {cost / pairs:8.1f}    calls {c}")
PY
    awk -v rt="$rt" -v t="$total" -v n="$pairs" 'BEGIN { printf "%-12s %14d %10.1f\n", rt, t, t / n }'
done
