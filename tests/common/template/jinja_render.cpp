// jinja_render: a command-line driver for Brine's Jinja engine, used by the
// differential fuzzer (diff_fuzz.py) and for debugging.
//
//   jinja_render --jsonl < cases.jsonl
//     Each input line: {"template": str, "context": {...}, "files": {...},
//     "options": {...}}. Each output line: {"status": "ok", "output": str}
//     or {"status": "error", "error": str}.
//   jinja_render FILE
//     Renders FILE (context: Debian 12 grains) and prints the output or error.
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/template/interp.h"
#include "common/template/serialize.h"
#include "tests/common/template/case_file.h"
#include "tests/common/template/fake_salt.h"

namespace {

using namespace brine;
using namespace brine::jinja;

std::string json_str(const std::string& s) {
  Registry reg;
  serialize::JsonOptions o;
  o.ensure_ascii = false;
  auto r = serialize::json_dumps(Val::str(s), o);
  return r ? *r : "\"\"";
}

int jsonl() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    Result<Value> doc = testing::parse_json(line);
    testing::OracleCase c;
    if (doc && doc->is_map()) {
      c.tmpl = doc->get_string("template");
      if (const Value* ctx = doc->find("context"); ctx && ctx->is_map()) c.context = ctx->as_map();
      if (const Value* files = doc->find("files"); files && files->is_map()) {
        for (const auto& [k, v] : files->as_map())
          c.files[k] = v.is_string() ? v.as_string() : std::string();
      }
      if (const Value* o = doc->find("options")) c.options = *o;
    }
    Result<std::string> r = doc ? testing::render_case(c) : Result<std::string>(doc.error());
    if (r) {
      std::cout << "{\"status\": \"ok\", \"output\": " << json_str(*r) << "}\n";
    } else {
      std::cout << "{\"status\": \"error\", \"error\": " << json_str(r.error().to_string())
                << "}\n";
    }
    std::cout.flush();
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "--jsonl") return jsonl();
  if (argc != 2) {
    std::cerr << "usage: jinja_render FILE | --jsonl\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream ss;
  ss << in.rdbuf();
  Map ctx;
  ctx.set("grains", testing::debian12_grains());
  ctx.set("pillar", Value(Map{}));
  ctx.set("saltenv", "base");
  Environment env(Options{}, std::make_shared<FileRootsLoader>(std::vector<std::string>{"."}),
                  testing::fake_caller(ctx));
  Result<std::string> r = env.render_string(ss.str(), ctx, argv[1]);
  if (!r) {
    std::cerr << r.error().to_string() << "\n";
    return 1;
  }
  std::cout << *r;
  return 0;
}
