// Renders the benchmark formula tree with Brine (see jinja_bench.py for the
// Jinja2 side and tests/bench/jinja_compare.sh for the side-by-side run).
//
//   jinja_bench CONTEXT.json FORMULA_ROOT [ITERATIONS] [--dump DIR]
// --dump writes each entry's rendered text to DIR/<entry with '/' as '_'>
// (compare with jinja_bench.py --dump). Prints one JSON line: {"engine": "brine", "iterations": N,
// "ms_per_tree": x, "bytes": n}. Only rendering is timed; templates are compiled by the first
// (warm-up) render.
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
  std::vector<std::string> pos;
  std::string dump_dir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dump" && i + 1 < argc) {
      dump_dir = argv[++i];
    } else {
      pos.push_back(a);
    }
  }
  if (pos.size() < 2) {
    std::cerr << "usage: jinja_bench CONTEXT.json FORMULA_ROOT [ITERATIONS] [--dump DIR]\n";
    return 2;
  }
  std::ifstream in(pos[0]);
  std::stringstream ss;
  ss << in.rdbuf();
  Result<Value> doc = testing::parse_json(ss.str());
  if (!doc) {
    std::cerr << doc.error().to_string() << "\n";
    return 1;
  }
  int iterations = pos.size() > 2 ? std::atoi(pos[2].c_str()) : 20;
  const Map& base = doc->find("context")->as_map();
  auto loader = std::make_shared<FileRootsLoader>(std::vector<std::string>{pos[1]});
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
    if (!dump_dir.empty()) {
      std::string file = r.entry;
      std::replace(file.begin(), file.end(), '/', '_');
      std::ofstream(dump_dir + "/" + file, std::ios::binary) << *out;
    }
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
