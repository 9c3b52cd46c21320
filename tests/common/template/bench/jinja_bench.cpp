// Renders the benchmark formula tree with Brine (see jinja_bench.py for the
// Jinja2 side and tests/bench/jinja_compare.sh for the side-by-side run).
//
//   jinja_bench CONTEXT.json FORMULA_ROOT [ITERATIONS]
// Prints one JSON line: {"engine": "brine", "iterations": N, "ms_per_tree": x, "bytes": n}.
// Only rendering is timed; templates are compiled by the first (warm-up) render.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/common/template/case_file.h"
#include "tests/common/template/fake_salt.h"

using namespace brine;
using namespace brine::jinja;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: jinja_bench CONTEXT.json FORMULA_ROOT [ITERATIONS]\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream ss;
  ss << in.rdbuf();
  Result<Value> doc = testing::parse_json(ss.str());
  if (!doc) {
    std::cerr << doc.error().to_string() << "\n";
    return 1;
  }
  int iterations = argc > 3 ? std::atoi(argv[3]) : 20;
  const Map& base = doc->find("context")->as_map();
  auto loader = std::make_shared<FileRootsLoader>(std::vector<std::string>{argv[2]});
  Environment env(Options{}, loader, testing::fake_caller(base));
  struct Render {
    std::string entry;
    Map ctx;
  };
  std::vector<Render> renders;
  for (const auto& e : doc->find("entries")->as_list()) {
    Render r{e.get_string("entry"), base};
    for (const auto& [k, v] : e.find("context")->as_map()) r.ctx.set(k, v);
    renders.push_back(std::move(r));
  }
  size_t bytes = 0;
  for (const auto& r : renders) {  // warm-up: compiles every template once
    Result<std::string> out = env.render_file(r.entry, r.ctx);
    if (!out) {
      std::cerr << r.entry << ": " << out.error().to_string() << "\n";
      return 1;
    }
    bytes += out->size();
  }
  // The minimum iteration time is the least disturbed by other load.
  double best = 1e300, total = 0;
  for (int i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    for (const auto& r : renders) {
      Result<std::string> out = env.render_file(r.entry, r.ctx);
      if (!out) return 1;
    }
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, ms);
    total += ms;
  }
  std::cout << "{\"engine\": \"brine\", \"iterations\": " << iterations
            << ", \"ms_per_tree\": " << best << ", \"mean_ms\": " << total / iterations
            << ", \"bytes\": " << bytes << "}\n";
  return 0;
}
