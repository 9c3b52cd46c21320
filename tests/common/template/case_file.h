// Loads cases_expected.json (written by gen_cases.py) for the oracle tests.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "common/template/jinja.h"
#include "common/values/value.h"

namespace brine::jinja::testing {

struct OracleCase {
  std::string name;
  std::string tmpl;
  Map context;
  std::map<std::string, std::string> files;
  Value options;
  std::string entry;
  std::string tmpl_name;
  bool ok = true;
  std::string output;
  std::string error;  // "UndefinedError: 'x' is undefined"
};

Result<std::vector<OracleCase>> load_cases(const std::string& path);
// Parses JSON text into a Value (via the engine's json_loads).
Result<Value> parse_json(std::string_view text);

// Renders one case the way the test does (MemoryLoader, fake caller).
Result<std::string> render_case(const OracleCase& c);

}  // namespace brine::jinja::testing
