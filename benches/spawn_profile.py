#!/usr/bin/env python3
"""Reads one callgrind profile of benches/spawn_profile.rs (see
benches/spawn_profile.sh, which runs it) and prints, per spawn + join:

- the instructions, and the locked instructions (`lock`-prefixed, or `xchg`
  with memory: the atomic read-modify-writes, each costing tens of cycles
  whatever the instruction count says), found by matching callgrind's
  per-instruction counts against `objdump -d` of each object;
- every function with its own instructions and its callees' (inclusive),
  largest first, and under each what its calls cost and how many locked
  instructions it executed itself.

Usage: spawn_profile.py CALLGRIND_OUT PAIRS SUMMARY_FILE > FUNCTIONS_FILE
The one-line summary (instructions and locked instructions per pair) goes
to SUMMARY_FILE. The profile must be taken with `--dump-instr=yes`.

How callgrind's format is read: `fn=` names the function that the
following cost lines belong to (`fi=`/`fe=` only switch the source file of
inlined code, which stays in the function it was inlined into, as in the
optimised binary); `calls=` says the next cost line is a call's inclusive
cost; `ob=` names the object file; names may be compressed as `(N) name`
and then `(N)`; positions (instruction address, then line) may be
relative (`+N`, `-N`) or repeated (`*`).
"""
import re
import subprocess
import sys
from collections import defaultdict

path, pairs, summary = sys.argv[1], int(sys.argv[2]), sys.argv[3]

compressed = defaultdict(dict)


def name(kind, spec):
    m = re.match(r"\((\d+)\)(?: (.*))?$", spec)
    if not m:
        return spec
    if m.group(2) is not None:
        compressed[kind][m.group(1)] = m.group(2)
    return compressed[kind][m.group(1)]


_locks = {}


def locked_addresses(obj):
    """Addresses of the locked instructions in `obj` (objdump's numbering,
    which is callgrind's for a position-independent object)."""
    if obj not in _locks:
        found = set()
        try:
            out = subprocess.run(
                ["objdump", "-d", "--no-show-raw-insn", obj],
                capture_output=True, text=True, check=False,
            ).stdout
        except OSError:
            out = ""
        for line in out.splitlines():
            m = re.match(r"\s*([0-9a-f]+):\s+(.*)$", line)
            if not m:
                continue
            insn = m.group(2)
            if insn.startswith("lock ") or (insn.startswith("xchg") and "(" in insn):
                found.add(int(m.group(1), 16))
        _locks[obj] = found
    return _locks[obj]


own, incl, locked = defaultdict(int), defaultdict(int), defaultdict(int)
edges = defaultdict(lambda: defaultdict(int))
npos = 1
obj = fn = callee = None
in_call = False
last = [0, 0]
total = 0
for text in open(path):
    text = text.rstrip("\n")
    if text.startswith("positions:"):
        npos = len(text.split()) - 1
    elif text.startswith("ob="):
        obj = name("ob", text[3:])
    elif text.startswith("fn="):
        fn = name("fn", text[3:])
    elif text.startswith("cfn="):
        callee = name("fn", text[4:])
    elif text.startswith("cob="):
        name("ob", text[4:])
    elif text.startswith(("cfi=", "cfl=", "fl=", "fi=", "fe=")):
        # Source files share one numbering; only recorded, not used.
        name("fl", text.split("=", 1)[1])
    elif text.startswith("calls="):
        in_call = True
    elif text and (text[0].isdigit() or text[0] in "+-*") and fn is not None:
        fields = text.split()
        pos = []
        for i, p in enumerate(fields[:npos]):
            if p == "*":
                v = last[i]
            elif p[0] in "+-":
                v = last[i] + int(p, 0)
            else:
                v = int(p, 0)
            pos.append(v)
        last[: len(pos)] = pos
        cost = int(fields[npos]) if len(fields) > npos else 0
        if in_call:
            in_call = False
            if callee != fn:
                incl[fn] += cost
                edges[fn][callee] += cost
        else:
            own[fn] += cost
            incl[fn] += cost
            total += cost
            if npos == 2 and obj and pos[0] in locked_addresses(obj):
                locked[fn] += cost

nlocked = sum(locked.values())
with open(summary, "w") as f:
    f.write(f"{total} {total / pairs:.1f} {nlocked / pairs:.2f}\n")
print(f"{total / pairs:.1f} instructions and {nlocked / pairs:.2f} locked instructions per spawn + join")
print()
print(f"{'inclusive':>10} {'own':>8} {'locked':>7}  function   (per spawn + join)")
for f in sorted(incl, key=lambda f: (-incl[f], f)):
    if incl[f] / pairs >= 0.5:
        lk = f"{locked[f] / pairs:7.2f}" if locked[f] else f"{'':7}"
        print(f"{incl[f] / pairs:10.1f} {own[f] / pairs:8.1f} {lk}  {f}")
        for c, cost in sorted(edges[f].items(), key=lambda e: -e[1]):
            if cost / pairs >= 0.5:
                print(f"{'':10} {cost / pairs:8.1f} {'':7}    calls {c}")
