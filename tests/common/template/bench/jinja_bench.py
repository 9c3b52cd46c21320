#!/usr/bin/python3
"""Renders the benchmark formula tree with Jinja2 (configured as Salt does).

Usage: jinja_bench.py CONTEXT.json FORMULA_ROOT [ITERATIONS]
Prints one JSON line: {"engine": "jinja2", "iterations": N, "ms_per_tree": x, "bytes": n}.
Only rendering is timed: templates are compiled once (as Jinja caches them
per environment) before the clock starts.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import oracle  # noqa: E402


def load_tree(root):
    files = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            full = os.path.join(dirpath, n)
            with open(full, encoding="utf-8") as fh:
                files[os.path.relpath(full, root)] = fh.read()
    return files


def main():
    doc = json.load(open(sys.argv[1], encoding="utf-8"))
    files = load_tree(sys.argv[2])
    iterations = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    base = doc["context"]
    renders = []
    for e in doc["entries"]:
        ctx = dict(base)
        ctx.update(e["context"])
        env = oracle.make_env(files, {})
        ctx["salt"] = oracle.FakeSalt(ctx["grains"], ctx["pillar"], ctx["opts"])
        env.globals.update(ctx)
        tmpl = env.get_template(e["entry"])
        renders.append((tmpl, ctx, files[e["entry"]]))
    size = 0
    for tmpl, ctx, src in renders:  # warm up: compile imports
        size += len(tmpl.render(**ctx))
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        for tmpl, ctx, src in renders:
            out = tmpl.render(**ctx)
            if src.endswith("\n"):
                out += "\n"
        times.append(time.perf_counter() - start)
    # The minimum is the least disturbed by other load on the machine.
    print(json.dumps({"engine": "jinja2", "iterations": iterations, "ms_per_tree": min(times) * 1000,
                      "mean_ms": sum(times) * 1000 / iterations, "bytes": size}))


if __name__ == "__main__":
    main()
