#include "tests/common/template/case_file.h"

#include <fstream>
#include <sstream>

#include "common/template/interp.h"
#include "common/template/serialize.h"
#include "tests/common/template/fake_salt.h"

namespace brine::jinja::testing {

Result<Value> parse_json(std::string_view text) {
  RV v = serialize::json_loads(text);
  if (!v) return make_error(Errc::kParse, v.error()->message);
  R<Value> out = to_value(*v);
  if (!out) return make_error(Errc::kParse, out.error()->message);
  return *out;
}

Result<std::vector<OracleCase>> load_cases(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(Errc::kNotFound, "cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  Result<Value> doc = parse_json(ss.str());
  if (!doc) return doc.error();
  std::vector<OracleCase> cases;
  for (const auto& rec : doc->as_list()) {
    OracleCase c;
    c.name = rec.get_string("name");
    c.tmpl = rec.get_string("template");
    if (const Value* ctx = rec.find("context"); ctx && ctx->is_map()) c.context = ctx->as_map();
    if (const Value* files = rec.find("files"); files && files->is_map()) {
      for (const auto& [k, v] : files->as_map()) c.files[k] = v.as_string();
    }
    if (const Value* o = rec.find("options")) c.options = *o;
    c.entry = rec.get_string("entry");
    c.tmpl_name = rec.get_string("tmpl_name");
    c.ok = rec.get_string("status") == "ok";
    c.output = rec.get_string("output");
    c.error = rec.get_string("error");
    cases.push_back(std::move(c));
  }
  return cases;
}

Result<std::string> render_case(const OracleCase& c) {
  auto loader = std::make_shared<MemoryLoader>(c.files);
  Result<Options> opts = Options::from_value(c.options);
  if (!opts) return opts.error();
  Environment env(*opts, loader, fake_caller(c.context));
  if (!c.entry.empty()) return env.render_file(c.entry, c.context);
  return env.render_string(c.tmpl, c.context, c.tmpl_name.empty() ? "<string>" : c.tmpl_name);
}

}  // namespace brine::jinja::testing
