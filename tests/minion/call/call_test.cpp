// brine-call, driven through the real binary with a temporary config dir.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/codec/json.h"
#include "common/crypto/key_files.h"
#include "common/crypto/keys.h"
#include "modules/cancel.h"
#include "modules/util/process.h"

namespace brine {
namespace {

namespace fs = std::filesystem;

struct Ran {
  int code = -1;
  std::string out, err;
};

class BrineCall : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "brine-call-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    write_config("id: web1\npki_dir: " + dir_ + "/pki\ncachedir: " + dir_ + "/cache\n");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void write_config(const std::string& text) { std::ofstream(dir_ + "/minion") << text; }
  std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  Ran call(std::vector<std::string> args, modules::CancelToken* cancel = nullptr) {
    modules::process::Options o;
    o.argv = {BRINE_CALL_BINARY, "-c", dir_};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.timeout = std::chrono::seconds(60);
    o.cancel = cancel;
    auto r = modules::process::run(o);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    if (!r) return {};
    return Ran{r->exit_code, r->out, r->err};
  }
  Value json(const std::string& text) {
    auto v = codec::json_parse(text);
    EXPECT_TRUE(v) << text;
    return v ? *v : Value();
  }

  std::string dir_;
};

TEST_F(BrineCall, PingPrintsLocalTrue) {
  auto r = call({"--local", "test.ping"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "local:\n    True\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(call({"--local", "--out", "txt", "test.ping"}).out, "local: True\n");
  EXPECT_EQ(call({"--local", "--out=json", "test.ping"}).out, "{\n    \"local\": true\n}\n");
}

TEST_F(BrineCall, ArgumentsAreTypedLikeSalt) {
  auto r = call({"--local", "--out", "json", "test.arg", "1", "yes", "2.5", "foo=bar", "n=0644"});
  ASSERT_EQ(r.code, 0) << r.err;
  Value v = json(r.out);
  const Value& local = *v.find("local");
  EXPECT_EQ(*local.find("args"), Value::list({Value(1), Value(true), Value(2.5)}));
  EXPECT_EQ(local.find("kwargs")->get_string("foo"), "bar");
  EXPECT_EQ(local.find("kwargs")->get_int("n"), 644);
  EXPECT_EQ(local.find("kwargs")->get_string("__pub_fun"), "test.arg");
  EXPECT_EQ(local.find("kwargs")->get_string("__pub_jid").size(), 20u);
}

TEST_F(BrineCall, KeyFingerMatchesTheKeyFile) {
  auto kp = crypto::generate_keypair(crypto::SecretStorage::kHeap);
  fs::create_directories(dir_ + "/pki");
  ASSERT_TRUE(crypto::write_public_key(kp.pub, dir_ + "/pki/minion.pub"));
  auto r = call({"--local", "--out", "json", "key.finger"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json(r.out), Value::map({{"local", Value(crypto::fingerprint(kp.pub))}}));
}

TEST_F(BrineCall, ExitCodes) {
  auto failed = call({"--local", "cmd.run", "exit 3"});
  EXPECT_EQ(failed.code, 1);
  EXPECT_EQ(call({"--local", "--retcode-passthrough", "cmd.run", "exit 3"}).code, 3);
  EXPECT_EQ(call({"--local", "--retcode-passthrough", "test.retcode", "7"}).code, 7);
  EXPECT_EQ(call({"--local", "test.false"}).code, 0);

  auto unknown = call({"--local", "test.nope"});
  EXPECT_EQ(unknown.code, 255);
  EXPECT_EQ(unknown.err, "'test.nope' is not available.\n");
  EXPECT_EQ(unknown.out, "");

  auto prefix = call({"--local", "test.ech"});
  EXPECT_EQ(prefix.code, 1);
  EXPECT_NE(prefix.out.find("test.echo:"), std::string::npos);

  auto bad_args = call({"--local", "test.echo"});
  EXPECT_EQ(bad_args.code, 1);
  EXPECT_TRUE(
      bad_args.err.starts_with("Passed invalid arguments: echo() missing 1 required positional "
                               "argument: 'text'.\n\nUsage:\n"))
      << bad_args.err;

  auto bad_kwarg = call({"--local", "test.ping", "x=1"});
  EXPECT_EQ(bad_kwarg.code, 1);
  EXPECT_EQ(bad_kwarg.err, "The following keyword arguments are not valid: x=1\n");

  auto cmd_error = call({"--local", "cmd.run", "ls", "cwd=/nonexistent"});
  EXPECT_EQ(cmd_error.code, 1);
  EXPECT_EQ(cmd_error.err,
            "Error running 'cmd.run': Specified cwd '/nonexistent' either not absolute or does "
            "not exist\n");

  auto exc = call({"--local", "test.exception"});
  EXPECT_EQ(exc.code, 1);
  EXPECT_NE(exc.err.find("Exception: Test Exception"), std::string::npos);
}

TEST_F(BrineCall, Metadata) {
  auto r = call({"--local", "--metadata", "test.retcode", "4"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("    retcode:\n        4\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    return:\n        True\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    jid:\n"), std::string::npos) << r.out;
}

TEST_F(BrineCall, GrainsDocVersion) {
  auto g = call({"--local", "-g", "--out", "json"});
  ASSERT_EQ(g.code, 0) << g.err;
  Value grains = json(g.out);
  EXPECT_EQ(grains.find("local")->get_string("id"), "web1");
  EXPECT_EQ(grains.find("local")->get_string("kernel"), "Linux");

  auto id = call({"--local", "--id", "other", "grains.get", "id"});
  EXPECT_EQ(id.out, "local:\n    other\n");

  auto doc = call({"-d", "test.ping"});
  EXPECT_EQ(doc.code, 0);
  EXPECT_TRUE(doc.out.starts_with("test.ping:\nUsed to make sure the minion is up")) << doc.out;

  auto version = call({"--version"});
  EXPECT_EQ(version.out, "brine-call " BRINE_VERSION "\n");
  EXPECT_NE(call({"-V"}).out.find("Brine Version:"), std::string::npos);
  EXPECT_EQ(call({"--help"}).code, 0);
}

TEST_F(BrineCall, UsageAndConfigErrors) {
  auto bad = call({"--bogus"});
  EXPECT_EQ(bad.code, 64);
  EXPECT_EQ(bad.err,
            "Usage: brine-call [options] <function> [arguments]\nbrine-call: error: no "
            "such option: --bogus\n");
  EXPECT_EQ(call({"--local"}).code, 64);
  EXPECT_EQ(call({"--local", "-l", "loud", "test.ping"}).code, 64);

  // Without --local a master must answer first; nothing runs when none does.
  write_config("id: web1\npki_dir: " + dir_ + "/pki\ncachedir: " + dir_ +
               "/cache\nmaster: 127.0.0.1\nmaster_port: 1\nauth_timeout: 1\nauth_tries: 2\n");
  auto remote = call({"cmd.run", "touch " + dir_ + "/ran"});
  EXPECT_EQ(remote.code, 2);
  EXPECT_EQ(remote.out, "");
  EXPECT_NE(remote.err.find("Minion failed to authenticate with the master, has the minion key "
                            "been accepted?\n"),
            std::string::npos)
      << remote.err;
  EXPECT_NE(remote.err.find("Could not authenticate with the master at tcp://127.0.0.1:1 after 2 "
                            "attempt(s): no answer within 1 s"),
            std::string::npos)
      << remote.err;
  EXPECT_FALSE(fs::exists(dir_ + "/ran"));
  EXPECT_EQ(call({"-t", "x", "test.ping"}).code, 64);

  write_config("id: web1\nfile_client: local\npki_dir: " + dir_ + "/pki\n");
  EXPECT_EQ(call({"test.ping"}).code, 0);  // file_client: local means masterless

  write_config("id: [unclosed\n");
  auto broken = call({"--local", "test.ping"});
  EXPECT_EQ(broken.code, 2);
  EXPECT_NE(broken.err.find(dir_ + "/minion:"), std::string::npos) << broken.err;
}

TEST_F(BrineCall, SetvalWritesTheGrainsFileNextToTheConfig) {
  auto r = call({"--local", "grains.setval", "role", "web"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read(dir_ + "/grains"), "role: web\n");
  EXPECT_EQ(call({"--local", "grains.get", "role"}).out, "local:\n    web\n");
}

TEST_F(BrineCall, ExternalModulesFromModuleDirs) {
  fs::create_directories(dir_ + "/ext/modules");
  fs::copy_file(std::string(BRINE_TEST_EXAMPLES_DIR) + "/pyhello", dir_ + "/ext/modules/pyhello");
  ::chmod((dir_ + "/ext/modules/pyhello").c_str(), 0755);
  ::chmod((dir_ + "/ext/modules").c_str(), 0755);
  write_config("id: web1\npki_dir: " + dir_ + "/pki\nmodule_dirs:\n  - " + dir_ + "/ext\n");
  auto r = call({"--local", "pyhello.greet", "World", "greeting=Hi"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "local:\n    Hi, World!\n");
  EXPECT_NE(call({"--local", "sys.list_functions", "pyhello"}).out.find("pyhello.greet"),
            std::string::npos);
}

TEST_F(BrineCall, InterruptKillsTheCommand) {
  std::string pidfile = dir_ + "/pid";
  modules::CancelToken token;
  std::thread interrupt([&] {
    for (int i = 0; i < 200 && !fs::exists(pidfile); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    token.request(SIGINT);
  });
  auto start = std::chrono::steady_clock::now();
  auto r = call({"--local", "cmd.run", "sleep 30 & echo $! > " + pidfile + "; wait"}, &token);
  interrupt.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_EQ(r.code, 128 + SIGINT) << r.err;
  pid_t child = std::atoi(read(pidfile).c_str());
  ASSERT_GT(child, 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string line;
    gone = !std::getline(stat, line) || line.find(") Z ") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone);
}

}  // namespace
}  // namespace brine
