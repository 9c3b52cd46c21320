#!/bin/sh
# Renders the same formula tree (users/nginx/sysctl formulas with ~300 pillar
# users and ~120 nginx sites) with Brine's Jinja engine and with Python
# Jinja2 configured as Salt does, in one run, and prints the speed ratio.
# Only rendering is timed (templates are compiled before the clock starts).
# Exits 1 when the two engines rendered a different number of bytes.
#
#   tests/bench/jinja_compare.sh [BUILD_DIR] [ITERATIONS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src="$here/../common/template"
build=${1:-"$here/../../build"}
iterations=${2:-30}
bench="$build/bin/jinja_bench"
if [ ! -x "$bench" ]; then
  echo "build the jinja_bench target first: cmake --build $build --target jinja_bench" >&2
  exit 2
fi
ctx=$(mktemp /tmp/brine-jinja-bench.XXXXXX.json)
trap 'rm -f "$ctx"' EXIT
/usr/bin/python3 "$src/bench/bench_context.py" "$ctx" 300 120
brine=$("$bench" "$ctx" "$src/formulas" "$iterations")
jinja=$(/usr/bin/python3 "$src/bench/jinja_bench.py" "$ctx" "$src/formulas" "$iterations")
echo "$brine"
echo "$jinja"
/usr/bin/python3 - "$brine" "$jinja" <<'PY'
import json, sys
b = json.loads(sys.argv[1]); j = json.loads(sys.argv[2])
print(f"Brine {b['ms_per_tree']:.3f} ms/tree, Jinja2 {j['ms_per_tree']:.3f} ms/tree (best of {b['iterations']}): "
      f"Brine is {j['ms_per_tree'] / b['ms_per_tree']:.1f}x faster ({b['bytes']} bytes rendered per tree)")
if b["bytes"] != j["bytes"]:
    print(f"MISMATCH: Brine rendered {b['bytes']} bytes per tree, Jinja2 {j['bytes']}: the outputs "
          "differ (compare with jinja_bench --dump DIR and jinja_bench.py --dump DIR)", file=sys.stderr)
    sys.exit(1)
PY
