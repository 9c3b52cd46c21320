// External modules: executables (Python and sh examples) and a shared object
// (the C ABI example), discovered in module_dirs and called like built-ins.
#include "modules/external.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "tests/modules/fixture.h"

namespace brine::modules {
namespace {

namespace fs = std::filesystem;

class ExternalModules : public testing::ModuleTest {
 protected:
  void SetUp() override {
    ModuleTest::SetUp();
    moddir_ = tmp_.file("ext/modules");
    fs::create_directories(moddir_);
    fs::permissions(tmp_.file("ext/modules"), fs::perms(0755));
    install(std::string(BRINE_TEST_EXAMPLES_DIR) + "/pyhello", "pyhello");
    install(std::string(BRINE_TEST_EXAMPLES_DIR) + "/shhello", "shhello");
    install(BRINE_TEST_CHELLO_SO, "chello.so");
    opts_.as_map().set("module_dirs", Value::list({Value(tmp_.file("ext"))}));
  }
  void install(const std::string& from, const std::string& name, unsigned mode = 0755) {
    fs::copy_file(from, moddir_ + "/" + name, fs::copy_options::overwrite_existing);
    ::chmod((moddir_ + "/" + name).c_str(), mode);
  }
  void write_module(const std::string& name, const std::string& script, unsigned mode = 0755) {
    tmp_.write("ext/modules/" + name, script);
    ::chmod((moddir_ + "/" + name).c_str(), mode);
  }
  void load() {
    rebuild();
    external::register_external(*registry_, registry_->opts(), ctx_->log.get());
  }
  std::string moddir_;
};

TEST_F(ExternalModules, DirectoriesFollowSaltsOrder) {
  fs::create_directories(tmp_.file("other/_modules"));
  opts_.as_map().set("module_dirs", Value::list({Value(tmp_.file("ext")), Value(tmp_.file("other")),
                                                 Value(tmp_.file("missing"))}));
  opts_.as_map().set("extension_modules", Value(tmp_.file("ext")));
  auto dirs = external::module_dirs(opts_);
  EXPECT_EQ(dirs, (std::vector<std::string>{tmp_.file("other/_modules"), tmp_.file("ext/modules"),
                                            tmp_.file("ext/modules")}));
}

TEST_F(ExternalModules, ExecutableModulesAreCalledLikeBuiltins) {
  load();
  auto fns = registry_->list_functions();
  for (const char* f : {"pyhello.greet", "pyhello.add", "shhello.hello", "chello.hello"}) {
    EXPECT_NE(std::find(fns.begin(), fns.end(), f), fns.end()) << f;
  }
  EXPECT_EQ(run("pyhello.greet", {Value("World")}).ret, Value("Hello, World!"));
  EXPECT_EQ(run("pyhello.greet", {Value("World")}, Map{{"greeting", Value("Hi")}}).ret,
            Value("Hi, World!"));
  EXPECT_EQ(run("pyhello.add", {Value(2), Value(3)}).ret, Value(5));
  EXPECT_EQ(run("shhello.hello").ret, Value("hello from sh"));
  // The registry checks arguments against the description.
  EXPECT_EQ(run("pyhello.greet", {Value("a")}, Map{{"bogus", Value(1)}}).ret,
            Value("ERROR executing 'pyhello.greet': The following keyword arguments are not "
                  "valid: bogus=1"));
  EXPECT_EQ(run("pyhello.add", {Value(1)}).ret.as_string().substr(0, 70),
            "Passed invalid arguments to pyhello.add: add() missing 1 required posi");
  EXPECT_EQ(run("pyhello.grain", {Value("os")}).ret, Value());  // grains map is the test's
  grains_.as_map().set("os", Value("Debian"));
  EXPECT_EQ(run("pyhello.grain", {Value("os")}).ret, Value("Debian"));
}

TEST_F(ExternalModules, ErrorsRetcodesAndPassThrough) {
  load();
  auto fail = run("pyhello.fail", {Value("kaput")});
  EXPECT_EQ(fail.ret, Value("ERROR: kaput"));
  EXPECT_EQ(fail.retcode, 1);
  auto rc = run("pyhello.exit_code", {Value(4)});
  EXPECT_EQ(rc.ret, Value(true));
  EXPECT_EQ(rc.retcode, 4);
  // No params declared: anything goes, and **kwargs functions get __pub_*.
  auto any = run("pyhello.anything", {Value(1)}, Map{{"k", Value("v")}}).ret;
  EXPECT_EQ(*any.find("args"), Value::list({Value(1)}));
  EXPECT_EQ(any.find("kwargs")->get_string("k"), "v");
  EXPECT_EQ(any.find("kwargs")->get_string("__pub_jid"), "20240301120000123456");
}

TEST_F(ExternalModules, SharedObjectModules) {
  load();
  EXPECT_EQ(run("chello.hello").ret, Value("hello from C"));
  auto req =
      run("chello.echo_request", {Value("one"), Value(2), Value(3)}, Map{{"k", Value(4)}}).ret;
  ASSERT_TRUE(req.is_map()) << req.get_string("x");
  EXPECT_EQ(req.get_string("fun"), "echo_request");
  EXPECT_EQ(*req.find("args"), Value::list({Value("one"), Value(2), Value(3)}));
  EXPECT_EQ(*req.find("params"), Value::map({{"first", Value("one")}, {"second", Value(2)}}));
  EXPECT_EQ(req.find("kwargs")->get_int("k"), 4);
  EXPECT_EQ(req.get_string("jid"), "20240301120000123456");
  EXPECT_TRUE(req.find("opts")->is_map());
  EXPECT_EQ(run("chello.fail").ret, Value("ERROR: chello.fail always fails"));
}

TEST_F(ExternalModules, DocsAndArgspec) {
  load();
  auto doc = run("sys.doc", {Value("pyhello.greet")}).ret;
  EXPECT_NE(doc.get_string("pyhello.greet").find("Return a greeting"), std::string::npos);
  auto spec = run("sys.argspec", {Value("pyhello.greet")}).ret;
  EXPECT_EQ(*spec.find("pyhello.greet"),
            Value::map({{"args", Value::list({Value("name"), Value("greeting")})},
                        {"defaults", Value::list({Value("Hello")})},
                        {"varargs", Value()},
                        {"kwargs", Value()}}));
  EXPECT_NE(std::find(run("sys.list_modules").ret.as_list().begin(),
                      run("sys.list_modules").ret.as_list().end(), Value("chello")),
            run("sys.list_modules").ret.as_list().end());
}

TEST_F(ExternalModules, BadModulesAreUnavailableNotFatal) {
  write_module("broken", "#!/bin/sh\necho not json\n");
  write_module("liar", "#!/bin/sh\necho '{\"module\": \"other\", \"functions\": {}}'\n");
  write_module("fails", "#!/bin/sh\necho oops >&2\nexit 3\n");
  write_module("off",
               "#!/bin/sh\necho '{\"module\": \"off\", \"available\": false, \"reason\": \"needs "
               "foo\", \"functions\": {\"x\": {}}}'\n");
  load();
  auto broken = run("broken.x");
  EXPECT_EQ(broken.retcode, 1);
  EXPECT_TRUE(broken.ret.as_string().starts_with("'broken' __virtual__ returned False: "))
      << broken.ret.as_string();
  EXPECT_NE(run("liar.x").ret.as_string().find("describes module 'other'"), std::string::npos);
  EXPECT_NE(run("fails.x").ret.as_string().find("exited with status 3: oops"), std::string::npos);
  EXPECT_EQ(run("off.x").ret, Value("'off' __virtual__ returned False: needs foo"));
  // Others still work.
  EXPECT_EQ(run("shhello.hello").ret, Value("hello from sh"));
}

TEST_F(ExternalModules, UnsafeOrConflictingFilesAreSkipped) {
  write_module("writable",
               "#!/bin/sh\necho '{\"module\": \"writable\", \"functions\": {\"x\": {}}}'\n", 0775);
  write_module("test", "#!/bin/sh\necho '{\"module\": \"test\", \"functions\": {\"x\": {}}}'\n");
  write_module("notexec", "#!/bin/sh\n", 0644);
  write_module(".hidden", "#!/bin/sh\n");
  load();
  EXPECT_EQ(run("writable.x").ret, Value("'writable.x' is not available."));
  EXPECT_NE(logs().find("ignoring module '" + moddir_ + "/writable'"), std::string::npos);
  EXPECT_EQ(run("test.ping").ret, Value(true));  // the built-in is untouched
  EXPECT_EQ(run("test.x").ret, Value("'test.x' is not available."));
  EXPECT_EQ(run("notexec.x").ret, Value("'notexec.x' is not available."));
}

TEST_F(ExternalModules, TimeoutAndDescribeIsLazy) {
  write_module("slow",
               "#!/bin/sh\nif [ \"$1\" = --brine-describe ]; then echo '{\"module\": \"slow\", "
               "\"functions\": {\"wait\": {\"params\": []}}}'; exit 0; fi\nexec sleep 30\n");
  opts_.as_map().set("external_module_timeout", Value(1));
  load();
  auto start = std::chrono::steady_clock::now();
  auto r = run("slow.wait");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(r.ret, Value("ERROR: external module " + moddir_ + "/slow timed out after 1 seconds"));
}

TEST(ExternalDescription, Validation) {
  auto ok = external::parse_description(
      R"({"module": "m", "functions": {"f": {"doc": "Line one\nmore", "params": ["a", {"name": "b", "default": [1], "type": "list"}], "kwargs": true}}})",
      "m", "/x/m");
  ASSERT_TRUE(ok) << ok.error().to_string();
  ASSERT_EQ(ok->functions.size(), 1u);
  const Function& f = ok->functions[0];
  EXPECT_EQ(f.full_name, "m.f");
  EXPECT_EQ(f.summary, "Line one");
  EXPECT_TRUE(f.varkwargs);
  EXPECT_FALSE(f.varargs);
  EXPECT_EQ(f.params[1].type, Type::kList);
  EXPECT_EQ(*f.params[1].def, Value::list({Value(1)}));

  auto err = [](std::string_view json) {
    auto r = external::parse_description(json, "m", "/x/m");
    return r ? std::string() : r.error().to_string();
  };
  EXPECT_NE(err("[]").find("must be a JSON object"), std::string::npos);
  EXPECT_NE(err(R"({"module": "m"})").find("'functions' must be an object"), std::string::npos);
  EXPECT_NE(err(R"({"module": "m", "functions": {"bad-name": {}}})").find("invalid function name"),
            std::string::npos);
  EXPECT_NE(err(R"({"module": "m", "functions": {"f": {"params": [1]}}})").find("a parameter is"),
            std::string::npos);
  EXPECT_NE(err(R"({"module": "m", "functions": {"f": {"params": [{"name": "a", "type": "x"}]}}})")
                .find("unknown type 'x'"),
            std::string::npos);
  EXPECT_NE(
      err(R"({"module": "m", "functions": {"f": {"params": [{"name": "a", "default": 1}, "b"]}}})")
          .find("follows a parameter with a default"),
      std::string::npos);
  EXPECT_FALSE(err("{not json").empty());
}

}  // namespace
}  // namespace brine::modules
