#!/usr/bin/python3
"""Generate expected outputs for Brine's Jinja engine from real Jinja2.

Reads every cases/*.yaml file (a list of cases) and writes
cases_expected.json: one entry per case with the fully expanded context and
what Jinja2 3.1, configured as Salt configures it (oracle.py), produced.

Case fields:
  name      unique id (file name prefix is added)
  template  the template text (rendered as the top-level template)
  context   extra context (merged over the default Salt-like context)
  files     {name: text} loaded through the loader (include/import/extends)
  entry     render this file from `files` instead of `template`
  options   Jinja environment options (trim_blocks, lstrip_blocks, ...)
  tmpl_name name of the top-level template (for relative imports)
  tree      a directory (relative to this script) whose files are added to
            `files`, named relative to that directory
  sls       render `entry` as this SLS: Salt's generate_sls_context() values
            (tplpath, tplfile, tpldir, slspath, ...) are added to the context

Usage: gen_cases.py [--check] [--out FILE]
  --check: regenerate in memory and compare with the committed file
           (exit 1 and show the first differences when they differ).
"""
import glob
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle  # noqa: E402

DEFAULT_CONTEXT = {
    "grains": oracle.DEBIAN12_GRAINS,
    "pillar": {
        "nginx": {"port": 8080, "user": "www-data", "sites": ["default", "blog"]},
        "users": {"alice": {"uid": 1001, "groups": ["wheel"]}, "bob": {"uid": 1002, "groups": []}},
        "flag": True,
        "empty": {},
        "unicode": "h\u00e9llo w\u00f6rld \u2603",
    },
    "opts": {"id": "web1.example.com", "file_client": "local", "renderer": "jinja|yaml"},
    "saltenv": "base",
}


def load_cases():
    cases = []
    for path in sorted(glob.glob(os.path.join(HERE, "cases", "*.yaml"))):
        prefix = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8") as fh:
            items = yaml.safe_load(fh) or []
        for item in items:
            item = dict(item)
            item["name"] = f"{prefix}.{item['name']}"
            cases.append(item)
    names = [c["name"] for c in cases]
    dups = {n for n in names if names.count(n) > 1}
    if dups:
        raise SystemExit(f"duplicate case names: {sorted(dups)}")
    return cases


def generate_sls_context(tmplpath, sls):
    """salt.utils.templates.generate_sls_context"""
    sls_context = {}
    slspath = sls.replace(".", "/")
    if tmplpath:
        template = tmplpath
        if not sls:
            template = template.rsplit("/", 1)[-1]
        elif template.endswith(f"{slspath}.sls"):
            template = template[-(4 + len(slspath)):]
        elif template.endswith(f"{slspath}/init.sls"):
            template = template[-(9 + len(slspath)):]
        slspath = template.rsplit("/", 1)[0] if "/" in template else ""
        sls_context.update(dict(tplpath=tmplpath, tplfile=template, tpldir=slspath if slspath else ".",
                                tpldot=slspath.replace("/", ".")))
    sls_context.update(dict(slspath=slspath, slsdotpath=slspath.replace("/", "."),
                            slscolonpath=slspath.replace("/", ":"), sls_path=slspath.replace("/", "_")))
    return sls_context


def run_case(case):
    context = json.loads(json.dumps(DEFAULT_CONTEXT))
    context.update(case.get("context") or {})
    files = dict(oracle.load_tree(os.path.join(HERE, case["tree"]))) if case.get("tree") else {}
    files.update(case.get("files") or {})
    if case.get("sls") is not None:
        context["sls"] = case["sls"]
        context.update(generate_sls_context("/srv/salt/" + case["entry"], case["sls"]))
    options = case.get("options") or {}
    entry = case.get("entry")
    template = files[entry] if entry else case.get("template", "")
    # A copy: a template may change pillar/grains in place, and the record
    # must hold the context the render started from.
    status, out = oracle.render(template, json.loads(json.dumps(context)), files, options,
                                name=entry or case.get("tmpl_name"))
    rec = {
        "name": case["name"],
        "template": template,
        "context": context,
        "files": files,
        "options": options,
        "status": status,
    }
    if entry:
        rec["entry"] = entry
    if case.get("tree"):
        rec["tree"] = case["tree"]
    if case.get("tmpl_name"):
        rec["tmpl_name"] = case["tmpl_name"]
    if status == "ok":
        rec["output"] = out
    else:
        rec["error"] = out
    return rec


def generate():
    return [run_case(c) for c in load_cases()]


def main():
    out_path = os.path.join(HERE, "cases_expected.json")
    args = sys.argv[1:]
    if "--out" in args:
        out_path = args[args.index("--out") + 1]
    records = generate()
    text = json.dumps(records, indent=1, ensure_ascii=False) + "\n"
    if "--check" in args:
        with open(out_path, encoding="utf-8") as fh:
            committed = fh.read()
        if committed != text:
            old = {r["name"]: r for r in json.loads(committed)}
            for r in records:
                if old.get(r["name"]) != r:
                    print(f"differs: {r['name']}\n  now: {json.dumps(r)[:400]}\n  was: {json.dumps(old.get(r['name']))[:400]}")
            print("cases_expected.json is stale: run tests/common/template/gen_cases.py")
            return 1
        print(f"{len(records)} cases match Jinja2 {oracle.jinja2.__version__}")
        return 0
    with open(out_path, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"wrote {len(records)} cases to {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
