#!/usr/bin/python3
"""Differential fuzzer: random templates rendered by Jinja2 (oracle.py) and by
Brine (jinja_render --jsonl); any difference is reported.

Usage: diff_fuzz.py JINJA_RENDER [--count N] [--seed S] [--verbose]

Templates come from a small grammar covering expressions (literals,
arithmetic, comparisons, boolean operators, filters, tests, slicing,
attribute access, method calls) and statements (if, for with loop
variables, set, macro/call, filter blocks, whitespace control). A case
passes when both engines produce the same output, or both fail (with the
same message for undefined variables). Exit status 1 on any mismatch.
"""
import json
import random
import subprocess
import sys
import os

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle  # noqa: E402

CONTEXT = {
    "n": 7, "m": -3, "f": 2.5, "z": 0, "s": "Hello World", "e": "", "u": "h\u00e9llo",
    "l": [3, 1, 2], "w": ["b", "a", "c"], "d": {"a": 1, "b": [1, 2], "c": {"x": "y"}},
    "t": True, "nn": None, "users": [{"name": "al", "age": 30}, {"name": "bo", "age": 25}],
}

INT_FILTERS = ["abs", "string", "float", "int"]
STR_FILTERS = ["upper", "lower", "title", "capitalize", "trim", "length", "reverse", "list", "first", "last",
               "string", "wordcount", "center(12)", "replace('l', 'L')", "truncate(5, true)", "indent(2)",
               "default('x')", "e", "urlencode", "yaml_dquote", "yaml_squote", "md5", "sha256", "quote",
               "regex_replace('[aeiou]', '_')", "regex_search('(l+)')", "to_bool", "sequence", "base64_encode"]
SEQ_FILTERS = ["length", "first", "last", "sort", "reverse|list", "list", "unique", "join(',')", "join", "min",
               "max", "sum", "string", "batch(2)|list", "slice(2)|list", "map('string')|list",
               "select('odd')|list", "reject('even')|list", "tojson", "json", "yaml", "sequence",
               "default([])"]
DICT_FILTERS = ["dictsort", "length", "list", "items|list", "tojson", "json", "yaml", "yaml(false)",
                "first", "string", "traverse('c:x')", "pprint"]
TESTS = ["defined", "undefined", "none", "number", "string", "mapping", "sequence", "iterable", "odd",
         "even", "divisibleby(3)", "lower", "upper", "eq(3)", "in([1, 2, 3])", "gt(2)", "callable",
         "integer", "float", "boolean", "true", "false"]


class Gen:
    def __init__(self, rng):
        self.r = rng
        self.depth = 0

    def pick(self, seq):
        return self.r.choice(seq)

    def literal(self):
        k = self.r.randrange(9)
        if k == 0:
            return str(self.r.randrange(-20, 100))
        if k == 1:
            # (no 1e20: |int of it needs a bigint, which Brine does not have)
            return self.pick(["0.5", "1.0", "2.25", "1e3", "0.1", "3.0", "-1.5", "7.0e-5"])
        if k == 2:
            return self.pick(["'a'", "'hello'", "''", "'x y'", "\"q'\"", "'3'", "'Ab'", "'h\u00e9'", "'a\\nb'"])
        if k == 3:
            return self.pick(["true", "false", "none"])
        if k == 4:
            return "[" + ", ".join(self.expr() for _ in range(self.r.randrange(4))) + "]"
        if k == 5:
            return "{" + ", ".join(f"'{c}': {self.expr()}" for c in "abc"[: self.r.randrange(3)]) + "}"
        if k == 6:
            items = [self.expr() for _ in range(self.r.randrange(3))]
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        return self.pick(list(CONTEXT) + ["d.a", "d['b']", "d.c.x", "l[0]", "l[-1]", "w[1:]", "s[::-1]",
                                          "users[0].name", "nothere", "d.nope"])

    def expr(self):
        self.depth += 1
        try:
            if self.depth > 4:
                return self.literal()
            k = self.r.randrange(16)
            if k < 5:
                return self.literal()
            if k == 5:
                op = self.pick(["+", "-", "*", "/", "//", "%", "**", "~"])
                if op == "**":
                    # Brine's ints are 64-bit and it has no complex numbers.
                    return f"({self.pick(['2', '3', '1.5', '0.5', '10', 'n'])} ** {self.pick(['0', '1', '2', '3', '-1'])})"
                return f"({self.expr()} {op} {self.expr()})"
            if k == 6:
                op = self.pick(["==", "!=", "<", "<=", ">", ">=", "in", "not in"])
                return f"({self.expr()} {op} {self.expr()})"
            if k == 7:
                op = self.pick(["and", "or"])
                return f"({self.expr()} {op} {self.expr()})"
            if k == 8:
                return f"(not {self.expr()})"
            if k == 9:
                return f"({self.expr()} if {self.expr()} else {self.expr()})"
            if k == 10:
                base = self.pick(["s", "u", "'abc'", "e", "w[0]"])
                return f"{base}|{self.pick(STR_FILTERS)}"
            if k == 11:
                base = self.pick(["l", "w", "[3, 1, 2]", "range(5)", "'cab'"])
                flt = self.pick(SEQ_FILTERS)
                if base == "'cab'" and flt == "unique":
                    flt = "sort"  # a set of strings: Python's order is hash-randomised
                return f"{base}|{flt}"
            if k == 12:
                # Not `{}|first`: Jinja constant-folds it at compile time and
                # fails even when the expression is never evaluated.
                base = self.pick(["d", "d.c", "{'b': 2, 'a': 1}", "{}"])
                flt = self.pick(DICT_FILTERS)
                if base == "{}" and flt in ("first", "traverse('c:x')"):
                    flt = "length"
                return f"{base}|{flt}"
            if k == 13:
                return f"({self.expr()} is {self.pick(['', 'not '])}{self.pick(TESTS)})"
            if k == 14:
                meth = self.pick(["s.upper()", "s.split()", "s.split('o')", "s.startswith('He')",
                                  "s.replace('o', '0')", "w.index('a')", "d.get('a')", "d.get('q', 5)",
                                  "d.keys()|list", "d.items()|list", "'-'.join(w)", "'{} {}'.format(n, s)",
                                  "'%s-%03d' % (s, n)", "s.find('W')", "u.upper()", "s.lower().title()"])
                return meth
            return f"{self.expr()}|{self.pick(INT_FILTERS + ['string', 'default(1)', 'tojson'])}"
        finally:
            self.depth -= 1

    def ws(self, start):
        return self.pick(["", "", "", "-", "+"] if start else ["", "", "", "-"])

    def tag(self, body):
        return "{%" + self.ws(True) + " " + body + " " + self.ws(False) + "%}"

    def stmt(self, depth=0):
        k = self.r.randrange(12 if depth < 3 else 4)
        text = self.pick(["", "x", " ", "\n", "  \n", "a b\n", "- "])
        if k < 3:
            return text + "{{" + self.ws(True) + " " + self.expr() + " " + self.ws(False) + "}}"
        if k == 3:
            return text
        if k == 4:
            out = self.tag(f"if {self.expr()}") + self.block(depth)
            if self.r.random() < 0.5:
                out += self.tag(f"elif {self.expr()}") + self.block(depth)
            if self.r.random() < 0.5:
                out += self.tag("else") + self.block(depth)
            return out + self.tag("endif")
        if k == 5:
            var = self.pick(["i", "x"])
            it = self.pick(["l", "w", "range(4)", "d", "'ab'", "users", "[]", "d.items()"])
            target = "k, v" if it == "d.items()" else var
            cond = f" if {self.expr()}" if self.r.random() < 0.2 else ""
            body = self.block(depth)
            body += self.pick(["{{ loop.index }}", "{{ loop.first }}", "{{ loop.last }}", "{{ loop.revindex }}",
                               "{{ loop.cycle('a', 'b') }}", "{{ loop.length }}", ""])
            out = self.tag(f"for {target} in {it}{cond}") + body
            if self.r.random() < 0.3:
                out += self.tag("else") + self.block(depth)
            return out + self.tag("endfor")
        if k == 6:
            return self.tag(f"set {self.pick(['a', 'b'])} = {self.expr()}") + "{{ " + self.pick(["a", "b"]) + "|default('u') }}"
        if k == 7:
            return (self.tag("macro mac(p, q=2)") + "{{ p }}{{ q }}" + self.block(depth) + self.tag("endmacro")
                    + "{{ mac(" + self.expr() + ") }}")
        if k == 8:
            flt = self.pick(["upper", "trim", "title", "replace('a', 'b')"])
            return (self.tag("filter " + flt)
                    + self.block(depth) + self.tag("endfilter"))
        if k == 9:
            return (self.tag("set ns = namespace(c=0)") + self.tag("for i in range(3)")
                    + self.tag("set ns.c = ns.c + i") + self.tag("endfor") + "{{ ns.c }}")
        if k == 10:
            return self.tag(f"with a = {self.expr()}") + self.block(depth) + "{{ a }}" + self.tag("endwith")
        return "{# " + self.pick(["c", "x {{ y }}", ""]) + " #}"

    def block(self, depth):
        return "".join(self.stmt(depth + 1) for _ in range(self.r.randrange(1, 3)))

    def template(self):
        return "".join(self.stmt() for _ in range(self.r.randrange(1, 5))) + self.pick(["", "\n"])


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    binary = args[0]
    count = int(args[args.index("--count") + 1]) if "--count" in args else 200
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 1
    verbose = "--verbose" in args
    rng = random.Random(seed)
    gen = Gen(rng)
    cases = []
    for _ in range(count):
        options = {}
        if rng.random() < 0.2:
            options["trim_blocks"] = True
        if rng.random() < 0.2:
            options["lstrip_blocks"] = True
        cases.append({"template": gen.template(), "context": CONTEXT, "options": options})
    proc = subprocess.run([binary, "--jsonl"], input="".join(json.dumps(c) + "\n" for c in cases),
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        print("jinja_render failed:", proc.stderr[-2000:])
        return 1
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    if len(results) != len(cases):
        print(f"jinja_render returned {len(results)} results for {len(cases)} cases")
        return 1
    bad = 0
    both_err = 0
    for case, got in zip(cases, results):
        status, want = oracle.render(case["template"], dict(CONTEXT), {}, case["options"])
        ok = False
        if status == "ok" and got["status"] == "ok":
            ok = want == got["output"]
        elif status == "error" and got["status"] == "error":
            both_err += 1
            ok = True
            if want.startswith("UndefinedError: "):
                msg = want[len("UndefinedError: "):]
                ok = ("Jinja variable " + msg) in got["error"]
        if not ok:
            bad += 1
            if bad <= 20 or verbose:
                print("MISMATCH", json.dumps(case["template"]), "options", case["options"])
                print("   jinja2:", repr(want)[:300])
                print("   brine: ", repr(got.get("output", got.get("error")))[:300])
    print(f"{count} templates, {bad} mismatches, {both_err} failed in both (seed {seed})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
