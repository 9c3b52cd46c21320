// slsutil.renderer through the real brine-call --local (issue 4): Jinja with
// Salt's context and salt[...] calls, the jinja|yaml pipeline, and errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "common/codec/json.h"
#include "tests/integration/harness.h"

namespace brine::testing {
namespace {

class Render : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path("/tmp") / ("brine-render-" + std::to_string(::getpid()) + "-" +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "conf");
    fs::create_directories(root_ / "srv/salt/web");
    std::ofstream(root_ / "conf" / "minion")
        << "id: render1\nroot_dir: " << root_.string() << "\nfile_roots:\n  base:\n    - "
        << (root_ / "srv/salt").string() << "\ngrains:\n  role: web\n";
    write("srv/salt/web/map.jinja",
          "{% set defaults = {'port': 80, 'user': 'www-data'} %}\n"
          "{% set web = salt['grains.filter_by']({'web': {'port': 8080}}, grain='role', "
          "merge={}, base=None) or {} %}\n"
          "{% do defaults.update(web) %}\n");
    write("srv/salt/web/init.sls",
          "{% from 'web/map.jinja' import defaults with context %}\n"
          "nginx:\n"
          "  pkg.installed: []\n"
          "  service.running:\n"
          "    - port: {{ defaults.port }}\n"
          "    - user: {{ defaults.user }}\n"
          "    - id: {{ grains['id'] }}\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) {
    std::ofstream(root_ / rel) << text;
  }
  CmdResult call(const std::vector<std::string>& args) {
    std::vector<std::string> argv{Cluster::bin("brine-call").string(), "-c",
                                  (root_ / "conf").string(), "--local"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
  }
  fs::path root_;
};

TEST_F(Render, JinjaReturnsTheRenderedText) {
  auto r = call({"slsutil.renderer", "path=" + (root_ / "srv/salt/web/init.sls").string(),
                 "default_renderer=jinja", "--out", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto v = codec::json_parse(r.out);
  ASSERT_TRUE(v) << r.out;
  EXPECT_EQ(*v->find("local"),
            Value("\nnginx:\n  pkg.installed: []\n  service.running:\n    - port: 8080\n"
                  "    - user: www-data\n    - id: render1\n"));
}

TEST_F(Render, JinjaYamlReturnsDataAndSaltPathsResolveInFileRoots) {
  auto r = call({"slsutil.renderer", "path=salt://web/init.sls", "default_renderer=jinja|yaml",
                 "--out", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto v = codec::json_parse(r.out);
  ASSERT_TRUE(v) << r.out;
  const Value* port = v->traverse("local:nginx:service.running:0:port");
  ASSERT_NE(port, nullptr) << r.out;
  EXPECT_EQ(*port, Value(8080));
}

TEST_F(Render, StringTemplatesAndErrorsNameTheLine) {
  auto s = call({"slsutil.renderer", "string={{ 1 + 2 }}", "--out", "json"});
  EXPECT_EQ(s.out, "{\n    \"local\": \"3\"\n}\n") << s.err;
  write("srv/salt/bad.sls", "a: 1\nb: {{ nosuch }}\n");
  auto bad = call({"slsutil.renderer", "path=salt://bad.sls"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE((bad.out + bad.err).find("Jinja variable 'nosuch' is undefined"), std::string::npos)
      << bad.out << bad.err;
  write("srv/salt/dup.sls", "a: 1\na: 2\n");
  auto dup = call({"slsutil.renderer", "path=salt://dup.sls", "default_renderer=jinja|yaml"});
  EXPECT_NE(dup.exit_code, 0);
  EXPECT_NE((dup.out + dup.err).find("conflicting ID 'a'"), std::string::npos)
      << dup.out << dup.err;
}

}  // namespace
}  // namespace brine::testing
