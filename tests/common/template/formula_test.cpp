// The formula trees under formulas/ rendered from disk through the
// FileRootsLoader (as a minion renders its file roots), compared with the
// outputs Jinja2 produced for the same SLS files and pillars
// (cases/formulas.yaml → cases_expected.json).
#include <gtest/gtest.h>

#include "tests/common/template/case_file.h"
#include "tests/common/template/fake_salt.h"

namespace brine::jinja::testing {
namespace {

TEST(Formulas, RenderFromFileRootsLikeJinja2) {
  auto cases = load_cases(BRINE_TEMPLATE_CASES);
  ASSERT_TRUE(cases) << cases.error().to_string();
  auto loader = std::make_shared<FileRootsLoader>(std::vector<std::string>{BRINE_FORMULA_ROOT});
  int rendered = 0;
  for (const auto& c : *cases) {
    if (!c.name.starts_with("formulas.")) continue;
    SCOPED_TRACE(c.name);
    // One Environment per render, as a state run would create one per run.
    Environment env(Options{}, loader, fake_caller(c.context));
    Result<std::string> r = env.render_file(c.entry, c.context);
    if (c.ok) {
      ASSERT_TRUE(r) << r.error().to_string();
      EXPECT_EQ(*r, c.output);
    } else {
      ASSERT_FALSE(r) << *r;
    }
    ++rendered;
  }
  EXPECT_GE(rendered, 10);
}

TEST(Formulas, UnsupportedOsRaisesWithSaltMessage) {
  auto loader = std::make_shared<FileRootsLoader>(std::vector<std::string>{BRINE_FORMULA_ROOT});
  Map ctx;
  ctx.set("grains", Value::map({{"os_family", "Windows"}}));
  ctx.set("pillar", Value(Map{}));
  ctx.set("sls", "sysctl");
  Environment env(Options{}, loader, fake_caller(ctx));
  auto r = env.render_file("sysctl/init.sls", ctx);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with(
      "Jinja error: sysctl formula: unsupported os_family Windows; line 2"))
      << r.error().message;
}

}  // namespace
}  // namespace brine::jinja::testing
