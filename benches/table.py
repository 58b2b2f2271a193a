#!/usr/bin/env python3
"""Prints BENCHMARKS.md tables from criterion's saved estimates.

Run after `cargo bench`: `python3 benches/table.py [GROUP ...]`.
For each group it prints every function's median time and, for each
non-spool function, how many times faster spool's first variant is.
"""
import json
import os
import sys

ROOT = os.path.join("target", "criterion")


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def median(group, func):
    path = os.path.join(ROOT, group, func, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def param_table(group, funcs):
    """A group of BenchmarkId(function, parameter) rows, e.g. buf_1t."""
    gdir = os.path.join(ROOT, group)
    params = sorted(
        {p for f in funcs for p in os.listdir(os.path.join(gdir, f)) if p != "report"},
        key=size_key,
    )
    spool = next(f for f in funcs if f.startswith("spool"))
    others = [f for f in funcs if f != spool]
    print(f"\n**{group}**\n")
    print("| size | " + " | ".join([spool] + others) + " | " + " | ".join(f"vs {o}" for o in others) + " |")
    print("|---|" + "---:|" * (1 + 2 * len(others)))
    for p in params:
        t = {f: median(group, os.path.join(f, p)) for f in funcs}
        cells = [fmt(t[f]) for f in [spool] + others] + [f"{t[o] / t[spool]:.2f}x" for o in others]
        print(f"| {p} | " + " | ".join(cells) + " |")


def size_key(label):
    m = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20}
    num = "".join(c for c in label if c.isdigit())
    unit = label[len(num):]
    return int(num or 0) * m.get(unit, 1)


def table(group):
    gdir = os.path.join(ROOT, group)
    funcs = sorted(d for d in os.listdir(gdir) if d != "report" and os.path.isdir(os.path.join(gdir, d)))
    if funcs and not os.path.isdir(os.path.join(gdir, funcs[0], "new")):
        return param_table(group, funcs)
    times = {f: median(group, f) for f in funcs}
    spool = [f for f in funcs if f.startswith("spool")]
    # The reference spool row: plain "spool", else the last spool variant
    # (e.g. spool_workers_2).
    base_name = "spool" if "spool" in funcs else (spool[-1] if spool else None)
    base = times[base_name] if base_name else None
    print(f"\n**{group}**\n")
    print("| variant | median | spool is faster by |")
    print("|---|---:|---:|")
    for f in funcs:
        ratio = "" if f.startswith("spool") or base is None else f"{times[f] / base:.2f}x"
        print(f"| {f} | {fmt(times[f])} | {ratio} |")


groups = sys.argv[1:] or sorted(os.listdir(ROOT))
for g in groups:
    if g != "report" and os.path.isdir(os.path.join(ROOT, g)):
        table(g)
