#!/usr/bin/python3
"""Renders the benchmark formula tree with Jinja2 (configured as Salt does).

Usage: jinja_bench.py CONTEXT.json FORMULA_ROOT [ITERATIONS] [--dump DIR]
--dump writes each entry's rendered text to DIR/<entry with '/' as '_'>.
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


def render(tmpl, ctx, src):
    # Salt renders with keep_trailing_newline=False and then appends the
    # top-level template's final newline (salt.utils.templates.render_jinja_tmpl).
    out = tmpl.render(**ctx)
    if src.endswith("\n"):
        out += "\n"
    return out


def main():
    args = sys.argv[1:]
    dump_dir = None
    if "--dump" in args:
        i = args.index("--dump")
        dump_dir = args[i + 1]
        del args[i:i + 2]
    doc = json.load(open(args[0], encoding="utf-8"))
    files = oracle.load_tree(args[1])
    iterations = int(args[2]) if len(args) > 2 else 20
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
    for (tmpl, ctx, src), e in zip(renders, doc["entries"]):  # warm up: compile imports
        out = render(tmpl, ctx, src)
        size += len(out.encode("utf-8"))
        if dump_dir:
            with open(os.path.join(dump_dir, e["entry"].replace("/", "_")), "w", encoding="utf-8") as fh:
                fh.write(out)
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        for tmpl, ctx, src in renders:
            render(tmpl, ctx, src)
        times.append(time.perf_counter() - start)
    # The minimum is the least disturbed by other load on the machine.
    print(json.dumps({"engine": "jinja2", "iterations": iterations, "ms_per_tree": min(times) * 1000,
                      "mean_ms": sum(times) * 1000 / iterations, "bytes": size}))


if __name__ == "__main__":
    main()
