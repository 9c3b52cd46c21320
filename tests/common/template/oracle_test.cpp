// Every case of cases/*.yaml rendered by Brine must equal what Jinja2 3.1
// (configured as Salt configures it) produced: same output byte for byte, or
// both failing (for undefined variables, with the same message).
#include <gtest/gtest.h>

#include "tests/common/template/case_file.h"

namespace brine::jinja::testing {
namespace {

const std::vector<OracleCase>& all_cases() {
  static const std::vector<OracleCase> cases = [] {
    auto r = load_cases(BRINE_TEMPLATE_CASES);
    if (!r) {
      ADD_FAILURE() << r.error().to_string();
      return std::vector<OracleCase>{};
    }
    return *r;
  }();
  return cases;
}

class Oracle : public ::testing::TestWithParam<size_t> {};

TEST_P(Oracle, MatchesJinja2) {
  const OracleCase& c = all_cases()[GetParam()];
  Result<std::string> r = render_case(c);
  if (c.ok) {
    ASSERT_TRUE(r.has_value()) << "template: " << c.tmpl
                               << "\nbrine error: " << r.error().to_string()
                               << "\nexpected: " << c.output;
    EXPECT_EQ(*r, c.output) << "template: " << c.tmpl;
    return;
  }
  ASSERT_FALSE(r.has_value()) << "template: " << c.tmpl << "\nbrine rendered: " << *r
                              << "\nbut Jinja2 failed: " << c.error;
  const std::string kUndefined = "UndefinedError: ";
  if (c.error.starts_with(kUndefined)) {
    std::string want = "Jinja variable " + c.error.substr(kUndefined.size());
    EXPECT_TRUE(r.error().message.starts_with(want))
        << "template: " << c.tmpl << "\nbrine: " << r.error().message << "\njinja2: " << c.error;
  }
}

std::string case_name(const ::testing::TestParamInfo<size_t>& info) {
  std::string n = all_cases()[info.param].name;
  for (char& ch : n) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
}

std::vector<size_t> indices() {
  std::vector<size_t> out(all_cases().size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = i;
  return out;
}

INSTANTIATE_TEST_SUITE_P(Cases, Oracle, ::testing::ValuesIn(indices()), case_name);

}  // namespace
}  // namespace brine::jinja::testing
