// validate(): values the daemons cannot use are errors naming file:line:col.
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace brine::config::testing {
namespace {

class ValidateTest : public ConfigTest {
 protected:
  void SetUp() override {
    ConfigTest::SetUp();
    master_file_ = conf_dir() + "/master";
    minion_file_ = conf_dir() + "/minion";
  }
  std::string master_error(const std::string& text) {
    write("etc/master", text);
    auto l = load_master(conf_dir());
    if (!l) return "LOAD " + l.error().to_string();
    auto s = validate(Role::kMaster, *l);
    return s ? "ok" : s.error().to_string();
  }
  std::string minion_error(const std::string& text) {
    write("etc/minion", text);
    auto l = load_minion(conf_dir());
    if (!l) return "LOAD " + l.error().to_string();
    auto s = validate(Role::kMinion, *l);
    return s ? "ok" : s.error().to_string();
  }
  std::string master_file_;
  std::string minion_file_;
};

TEST_F(ValidateTest, DefaultsAreValid) {
  EXPECT_EQ(master_error(""), "ok");
  EXPECT_EQ(minion_error(""), "ok");
}

TEST_F(ValidateTest, MasterPorts) {
  EXPECT_EQ(master_error("# c\npublish_port: abc\n"),
            master_file_ + ":2:1: publish_port: expected an integer, got 'abc'");
  EXPECT_EQ(master_error("ret_port: 70000\n"),
            master_file_ + ":1:1: ret_port: expected a port number (1-65535), got 70000");
  EXPECT_EQ(master_error("ret_port: 0\n"),
            master_file_ + ":1:1: ret_port: expected a port number (1-65535), got 0");
  EXPECT_EQ(master_error("publish_port: true\n"),
            master_file_ + ":1:1: publish_port: expected an integer, got True");
  EXPECT_EQ(master_error("publish_port: 4510\nret_port: 4511\n"), "ok");
}

TEST_F(ValidateTest, MasterOtherKeys) {
  EXPECT_EQ(master_error("worker_threads: 0\n"),
            master_file_ + ":1:1: worker_threads: expected an integer >= 1, got 0");
  EXPECT_EQ(master_error("interface: [a]\n"),
            master_file_ + ":1:1: interface: expected a non-empty string, got ['a']");
  EXPECT_EQ(master_error("timeout: 0\n"),
            master_file_ + ":1:1: timeout: expected a number > 0, got 0");
  EXPECT_EQ(master_error("log_level: loud\n"),
            master_file_ +
                ":1:1: log_level: expected one of all, garbage, trace, debug, profile, info, "
                "warning, error, critical, quiet, got 'loud'");
  EXPECT_EQ(master_error("hash_type: crc32\n"),
            master_file_ +
                ":1:1: hash_type: expected one of md5, sha1, sha224, sha256, sha384, "
                "sha512, got 'crc32'");
  EXPECT_EQ(
      master_error("file_roots:\n  base: [/srv/salt, 3]\n"),
      master_file_ + ":1:1: file_roots: expected directory names (strings) under 'base', got 3");
  EXPECT_EQ(master_error("session_key_rotate_spread: -1\n"),
            master_file_ + ":1:1: session_key_rotate_spread: expected a number >= 0, got -1");
  EXPECT_EQ(master_error("timeout: 2.5\nheartbeat_interval: 0.5\n"), "ok");
}

TEST_F(ValidateTest, MinionKeys) {
  EXPECT_EQ(minion_error("master_port: '4506x'\n"),
            minion_file_ + ":1:1: master_port: expected an integer, got '4506x'");
  EXPECT_EQ(minion_error("master: []\n"),
            minion_file_ + ":1:1: master: expected a master address or a list of them, got []");
  EXPECT_EQ(minion_error("master: [m1, 2]\n"),
            minion_file_ + ":1:1: master: expected master addresses (strings), got 2");
  EXPECT_EQ(minion_error("master_type: random\n"),
            minion_file_ +
                ":1:1: master_type: expected one of str, failover, func, disable, got "
                "'random'");
  EXPECT_EQ(minion_error("id: web/1\n"),
            minion_file_ + ":1:1: id: must not contain '/', '\\' or NUL, got 'web/1'");
  EXPECT_EQ(minion_error("recon_randomize: 'yes'\n"),
            minion_file_ + ":1:1: recon_randomize: expected true or false, got 'yes'");
  EXPECT_EQ(minion_error("file_client: masterless\n"),
            minion_file_ + ":1:1: file_client: expected one of remote, local, got 'masterless'");
  EXPECT_EQ(minion_error("master: [m1, m2]\nmaster_type: failover\nid: 42\n"), "ok");
}

// Salt's transport key: zeromq (default), tcp; "zmq" is the parser's alias.
TEST_F(ValidateTest, Transport) {
  EXPECT_EQ(defaults(Role::kMaster).get_string("transport"), "zeromq");
  EXPECT_EQ(defaults(Role::kMinion).get_string("transport"), "zeromq");
  EXPECT_EQ(master_error("transport: tcp\n"), "ok");
  EXPECT_EQ(master_error("transport: zeromq\n"), "ok");
  EXPECT_EQ(minion_error("transport: zmq\n"), "ok");
  EXPECT_EQ(minion_error("transport: tcp\n"), "ok");
  EXPECT_EQ(master_error("# c\ntransport: ws\n"),
            master_file_ + ":2:1: transport: expected 'zeromq' or 'tcp', got 'ws'");
  EXPECT_EQ(minion_error("transport: TCP\n"),
            minion_file_ + ":1:1: transport: expected 'zeromq' or 'tcp', got 'TCP'");
  EXPECT_EQ(minion_error("transport: [tcp]\n"),
            minion_file_ + ":1:1: transport: expected 'zeromq' or 'tcp', got ['tcp']");
  EXPECT_EQ(master_error("transport:\n"),
            master_file_ + ":1:1: transport: expected 'zeromq' or 'tcp', got None");
}

TEST_F(ValidateTest, ErrorWithoutOriginNamesTheKey) {
  Loaded l;
  l.opts = defaults(Role::kMaster);
  l.opts["ret_port"] = "x";
  auto s = validate_master(l);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().to_string(), "ret_port: ret_port: expected an integer, got 'x'");
  EXPECT_EQ(s.error().code, Errc::kInvalidArgument);
}

}  // namespace
}  // namespace brine::config::testing
