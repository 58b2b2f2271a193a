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


def table(group):
    gdir = os.path.join(ROOT, group)
    funcs = sorted(d for d in os.listdir(gdir) if d != "report" and os.path.isdir(os.path.join(gdir, d)))
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
