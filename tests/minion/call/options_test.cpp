// brine-call's option parser.
#include "minion/call/options.h"

#include <gtest/gtest.h>

namespace brine::call {
namespace {

Result<Options> parse(std::vector<std::string> words) { return parse_options(words); }

TEST(CallOptions, OptionsBeforeAndAfterTheFunction) {
  auto o =
      parse({"--local", "-c", "/etc/x", "test.arg", "1", "-l", "debug", "foo=bar", "--out=json"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_TRUE(o->local);
  EXPECT_EQ(o->config_dir, "/etc/x");
  EXPECT_EQ(o->fun, "test.arg");
  EXPECT_EQ(o->words, (std::vector<std::string>{"1", "foo=bar"}));
  EXPECT_EQ(o->log_level, "debug");
  EXPECT_EQ(o->out, "json");
}

TEST(CallOptions, NegativeNumbersAndDoubleDashAreArguments) {
  auto o = parse({"test.echo", "-5", "--", "-x", "--local"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->words, (std::vector<std::string>{"-5", "-x", "--local"}));
  EXPECT_FALSE(o->local);
}

TEST(CallOptions, ShortFormsWithAttachedValues) {
  auto o = parse({"-lerror", "-g", "--out-indent", "-1", "--no-parse=a,b"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->log_level, "error");
  EXPECT_TRUE(o->grains);
  EXPECT_EQ(o->out_indent, -1);
  EXPECT_EQ(o->no_parse, (std::vector<std::string>{"a", "b"}));
}

TEST(CallOptions, Errors) {
  EXPECT_EQ(parse({"--bogus"}).error().message, "no such option: --bogus");
  EXPECT_EQ(parse({"-c"}).error().message, "-c option requires 1 argument");
  EXPECT_EQ(parse({"--local=yes"}).error().message, "--local option does not take a value");
  EXPECT_EQ(parse({"--out-indent", "x"}).error().message,
            "option --out-indent: invalid integer value: 'x'");
  EXPECT_EQ(parse({"--no-color", "--force-color"}).error().message,
            "The options --no-color/--force-color are mutually exclusive");
}

TEST(CallOptions, HelpListsEveryOption) {
  std::string h = help();
  for (const char* o : {"--local", "--config-dir", "--out", "--retcode-passthrough", "--grains",
                        "--file-root", "--pillar-root", "--metadata", "--doc", "--id"}) {
    EXPECT_NE(h.find(o), std::string::npos) << o;
  }
}

}  // namespace
}  // namespace brine::call
