#!/usr/bin/env python3
"""Prints BENCHMARKS.md tables from criterion's saved estimates.

Run after `cargo bench`: `python3 benches/table.py [--wide-only] [GROUP ...]`.
For each group it prints every function's median time and, for each
non-spool function, how many times faster spool's reference variant is
(the other's median / spool's). Then one wide table puts the groups side by
side: spool, tokio (current_thread, or multi_thread_2 in the workers
groups), tokio local and smol, with the ratios tokio/spool,
tokio_local/spool and smol/spool (above 1.00x: spool is faster).
With `--wide-only` only the wide table is printed.
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
    m = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "us": 1_000, "ms": 1_000_000}
    num = "".join(c for c in label if c.isdigit())
    unit = label[len(num):]
    return int(num or 0) * m.get(unit, 1)


def order(func):
    """spool's variants first, then tokio's, then smol's, then the rest."""
    for rank, prefix in enumerate(("spool", "tokio", "smol")):
        if func.startswith(prefix):
            return (rank, func)
    return (3, func)


def functions(group):
    gdir = os.path.join(ROOT, group)
    return sorted((d for d in os.listdir(gdir) if d != "report" and os.path.isdir(os.path.join(gdir, d))), key=order)


def is_param_group(group, funcs):
    return bool(funcs) and not os.path.isdir(os.path.join(ROOT, group, funcs[0], "new"))


def base_name(funcs):
    """The reference spool row: plain "spool", else the last spool variant
    (e.g. spool_workers_2)."""
    spool = [f for f in funcs if f.startswith("spool")]
    return "spool" if "spool" in funcs else (spool[-1] if spool else None)


def columns(funcs):
    """The wide table's columns for a group: (spool, tokio, tokio_local, smol)
    function names, None where the group has no such variant."""
    tokio = next((f for f in funcs if f.startswith("tokio") and f != "tokio_local"), None)
    local = "tokio_local" if "tokio_local" in funcs else None
    smol = next((f for f in funcs if f.startswith("smol")), None)
    return base_name(funcs), tokio, local, smol


def table(group):
    funcs = functions(group)
    if is_param_group(group, funcs):
        return param_table(group, funcs)
    times = {f: median(group, f) for f in funcs}
    base = times[base_name(funcs)] if base_name(funcs) else None
    print(f"\n**{group}**\n")
    print("| variant | median | spool is faster by |")
    print("|---|---:|---:|")
    for f in funcs:
        ratio = "" if f.startswith("spool") or base is None else f"{times[f] / base:.2f}x"
        print(f"| {f} | {fmt(times[f])} | {ratio} |")


def wide(groups):
    print("\n| group | spool | tokio | tokio_local | smol | tokio/spool | tokio_local/spool | smol/spool |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for group in groups:
        funcs = functions(group)
        if is_param_group(group, funcs):
            continue
        cols = columns(funcs)
        if cols[0] is None:
            continue
        t = [median(group, f) if f else None for f in cols]
        cells = [fmt(x) if x is not None else "" for x in t]
        ratios = [f"{x / t[0]:.2f}x" if x is not None else "" for x in t[1:]]
        name = group if cols[1] is None or cols[1] == "tokio_current_thread" else f"{group} ({cols[0]}, {cols[1]}, {cols[3]})"
        print(f"| {name} | " + " | ".join(cells + ratios) + " |")


args = sys.argv[1:]
wide_only = "--wide-only" in args
args = [a for a in args if a != "--wide-only"]
groups = [g for g in (args or sorted(os.listdir(ROOT))) if g != "report" and os.path.isdir(os.path.join(ROOT, g))]
if not wide_only:
    for g in groups:
        table(g)
wide(groups)
