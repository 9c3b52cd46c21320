// saltutil, status, disk, network, key, pillar, config, defaults, slsutil,
// log, file and mine.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crypto/key_files.h"
#include "common/crypto/keys.h"
#include "modules/util/netinfo.h"
#include "modules/util/process.h"
#include "tests/modules/fixture.h"

namespace brine::modules {
namespace {

using testing::ModuleTest;

// --- saltutil ------------------------------------------------------------------

class FakeJobs : public JobControl {
 public:
  Value running() override {
    return Value::list(
        {Value::map({{"jid", Value("111")}, {"fun", Value("test.sleep")}, {"pid", Value(42)}}),
         Value::map({{"jid", Value("222")}, {"fun", Value("cmd.run")}, {"pid", Value(43)}})});
  }
  Result<std::string> signal_job(std::string_view jid, int sig) override {
    signals.emplace_back(std::string(jid), sig);
    if (jid == "111" || jid == "222") {
      return "Signal " + std::to_string(sig) + " sent to job " + std::string(jid) + " at pid 42";
    }
    return std::string();
  }
  Status refresh_grains(bool refresh_pillar) override {
    refreshes.push_back(refresh_pillar);
    return ok();
  }
  std::vector<std::pair<std::string, int>> signals;
  std::vector<bool> refreshes;
};

class SaltutilModule : public ModuleTest {};

TEST_F(SaltutilModule, JobFunctionsGoThroughJobControl) {
  FakeJobs jobs;
  ctx_->jobs = &jobs;
  EXPECT_EQ(run("saltutil.running").ret.as_list().size(), 2u);
  EXPECT_EQ(run("saltutil.find_job", {Value("222")}).ret.get_string("fun"), "cmd.run");
  EXPECT_EQ(run("saltutil.find_job", {Value("999")}).ret, Value(Map{}));
  EXPECT_EQ(run("saltutil.is_running", {Value("test.*")}).ret.as_list().size(), 1u);
  EXPECT_EQ(run("saltutil.kill_job", {Value("111")}).ret,
            Value("Signal 9 sent to job 111 at pid 42"));
  EXPECT_EQ(run("saltutil.term_job", {Value("111")}).ret,
            Value("Signal 15 sent to job 111 at pid 42"));
  EXPECT_EQ(run("saltutil.signal_job", {Value("111"), Value("SIGUSR1")}).ret,
            Value("Signal 10 sent to job 111 at pid 42"));
  EXPECT_EQ(run("saltutil.signal_job", {Value("111"), Value("2")}).ret,
            Value("Signal 2 sent to job 111 at pid 42"));
  EXPECT_EQ(run("saltutil.signal_job", {Value("nope"), Value(15)}).ret, Value(""));
  EXPECT_EQ(run("saltutil.term_all_jobs").ret.as_list().size(), 2u);
  grains_ = Value::map({{"stale", Value(true)}});
  EXPECT_EQ(run("saltutil.refresh_grains", {}, Map{{"refresh_pillar", Value(false)}}).ret,
            Value(true));
  EXPECT_EQ(jobs.refreshes, std::vector<bool>{false});
  EXPECT_EQ(run("saltutil.refresh_grains", {}, Map{{"bogus", Value(1)}}).ret,
            Value("ERROR executing 'saltutil.refresh_grains': The following keyword arguments "
                  "are not valid: bogus=1"));
}

TEST_F(SaltutilModule, WithoutAJobPoolSaysSo) {
  grains_ = Value::map({{"stale", Value(true)}});
  EXPECT_EQ(run("saltutil.refresh_grains").ret, Value(true));
  EXPECT_FALSE(grains_.find("stale"));  // re-gathered in place
  auto r = run("saltutil.running");
  EXPECT_EQ(r.retcode, 1);
  EXPECT_EQ(r.ret, Value("ERROR: saltutil.running needs the running minion's job pool, which "
                         "brine-call --local does not have"));
}

// --- status / disk ---------------------------------------------------------------

class StatusModule : public ModuleTest {};

TEST_F(StatusModule, UptimeLoadavgMeminfoCpuinfo) {
  auto up = run("status.uptime").ret;
  for (const char* k : {"seconds", "since_t", "days", "users"}) {
    EXPECT_TRUE(up.find(k)->is_int()) << k;
  }
  EXPECT_TRUE(up.get_string("since_iso").find('T') != std::string::npos);
  EXPECT_NE(up.get_string("time").find(':'), std::string::npos);
  auto load = run("status.loadavg").ret;
  for (const char* k : {"1-min", "5-min", "15-min"}) {
    EXPECT_TRUE(load.find(k)->is_float()) << k;
  }
  auto mem = run("status.meminfo").ret;
  EXPECT_EQ(mem.find("MemTotal")->get_string("unit"), "kB");
  EXPECT_FALSE(mem.find("MemTotal")->get_string("value").empty());
  auto cpu = run("status.cpuinfo").ret;
  EXPECT_TRUE(cpu.find("processor"));
  if (cpu.find("flags")) {
    EXPECT_TRUE(cpu.find("flags")->is_list());
  }
  EXPECT_EQ(run("status.nproc").ret.as_int(), ::sysconf(_SC_NPROCESSORS_ONLN));
}

TEST_F(StatusModule, Diskusage) {
  auto all = run("status.diskusage").ret;
  ASSERT_TRUE(all.find("/"));
  EXPECT_GT(all.find("/")->get_int("total"), 0);
  auto one = run("status.diskusage", {Value("/")}).ret;
  EXPECT_EQ(one.as_map().size(), 1u);
  EXPECT_TRUE(one.find("/")->find("available")->is_int());
  EXPECT_EQ(run("status.diskusage", {Value("no-such-fstype")}).ret, Value(Map{}));
}

TEST_F(StatusModule, DiskUsage) {
  if (process::which("df", process::default_path()).empty()) GTEST_SKIP() << "no df";
  auto r = run("disk.usage");
  ASSERT_TRUE(r.ret.is_map()) << r.ret.get_string("x");
  ASSERT_TRUE(r.ret.find("/"));
  const Value& root = *r.ret.find("/");
  for (const char* k : {"filesystem", "1K-blocks", "used", "available", "capacity"}) {
    EXPECT_TRUE(root.find(k) && root.find(k)->is_string()) << k;
  }
  EXPECT_TRUE(root.get_string("capacity").ends_with("%"));
  EXPECT_EQ(run("disk.usage", {}, Map{{"args", Value("Z")}}).ret,
            Value("ERROR: Invalid flag passed to disk.usage"));
  EXPECT_TRUE(run("disk.percent", {Value("/")}).ret.as_string().ends_with("%"));
}

// --- network ---------------------------------------------------------------------

class NetworkModule : public ModuleTest {};

TEST_F(NetworkModule, Interfaces) {
  auto ifaces = run("network.interfaces").ret;
  const Value* lo = ifaces.find("lo");
  ASSERT_TRUE(lo);
  EXPECT_EQ(*lo->find("up"), Value(true));
  EXPECT_EQ(lo->get_string("hwaddr"), "00:00:00:00:00:00");
  const Value& inet = lo->find("inet")->as_list()[0];
  EXPECT_EQ(inet, Value::map({{"address", Value("127.0.0.1")},
                              {"netmask", Value("255.0.0.0")},
                              {"broadcast", Value()},
                              {"label", Value("lo")}}));
  if (const Value* inet6 = lo->find("inet6")) {
    EXPECT_EQ(inet6->as_list()[0], Value::map({{"address", Value("::1")},
                                               {"prefixlen", Value("128")},
                                               {"scope", Value("host")}}));
  }
  EXPECT_EQ(run("network.hw_addr", {Value("lo")}).ret, Value("00:00:00:00:00:00"));
  EXPECT_EQ(run("network.interface_ip", {Value("lo")}).ret, Value("127.0.0.1"));
  auto missing = run("network.hw_addr", {Value("nope0")}).ret.as_string();
  EXPECT_TRUE(missing.starts_with("Interface \"nope0\" not in available interfaces: \""))
      << missing;
}

TEST_F(NetworkModule, Addresses) {
  auto v4 = run("network.ip_addrs").ret.as_list();
  EXPECT_EQ(std::find(v4.begin(), v4.end(), Value("127.0.0.1")), v4.end());
  auto with_lo = run("network.ip_addrs", {}, Map{{"include_loopback", Value(true)}}).ret.as_list();
  EXPECT_NE(std::find(with_lo.begin(), with_lo.end(), Value("127.0.0.1")), with_lo.end());
  EXPECT_EQ(run("network.ip_addrs", {},
                Map{{"include_loopback", Value(true)}, {"cidr", Value("127.0.0.0/8")}})
                .ret,
            Value::list({Value("127.0.0.1")}));
  auto priv = run("network.ip_addrs", {}, Map{{"type", Value("private")}}).ret.as_list();
  auto pub = run("network.ip_addrs", {}, Map{{"type", Value("public")}}).ret.as_list();
  EXPECT_EQ(priv.size() + pub.size(), v4.size());
  EXPECT_EQ(run("network.get_hostname").ret.as_string().empty(), false);
  EXPECT_FALSE(run("network.get_fqdn").ret.as_string().empty());
  if (!v4.empty()) {
    EXPECT_EQ(run("network.in_subnet", {Value(v4[0].as_string() + "/32")}).ret, Value(true));
  }
  EXPECT_EQ(run("network.in_subnet", {Value("203.0.113.7/32")}).ret, Value(false));
  EXPECT_EQ(run("network.in_subnet", {Value("garbage")}).ret, Value(false));
  EXPECT_TRUE(run("network.subnets").ret.is_list());
}

TEST(NetInfo, AddressHelpers) {
  auto a = net::parse_address("198.51.100.7");
  ASSERT_TRUE(a);
  EXPECT_TRUE(net::is_private(*a));
  EXPECT_TRUE(net::in_subnet("198.51.0.0/16", *a));
  EXPECT_FALSE(net::in_subnet("198.51.0.0/18", *a));
  EXPECT_FALSE(net::is_private(*net::parse_address("8.8.8.8")));
  EXPECT_TRUE(net::is_private(*net::parse_address("fe80::1%eth0")));
  EXPECT_TRUE(net::is_loopback(*net::parse_address("::1")));
  EXPECT_FALSE(net::parse_address("198.51.100"));
  EXPECT_FALSE(net::in_subnet("198.51.0.0/99", *a));
}

TEST_F(NetworkModule, PingNeedsTheBinary) {
  if (!process::which("ping", process::default_path()).empty()) GTEST_SKIP() << "ping present";
  EXPECT_EQ(run("network.ping", {Value("127.0.0.1")}).ret,
            Value("Command required for 'network.ping' not found: The 'ping' binary was not "
                  "found in $PATH."));
}

// --- key -------------------------------------------------------------------------

class KeyModule : public ModuleTest {};

TEST_F(KeyModule, FingerprintsOfTheMinionAndMasterKeys) {
  opts_.as_map().set("pki_dir", Value(tmp_.path()));
  rebuild();
  EXPECT_EQ(run("key.finger").ret, Value(""));  // no key yet: Salt's pem_finger answer
  auto kp = crypto::generate_keypair(crypto::SecretStorage::kHeap);
  ASSERT_TRUE(crypto::write_public_key(kp.pub, tmp_.file("minion.pub")));
  EXPECT_EQ(run("key.finger").ret, Value(crypto::fingerprint(kp.pub)));
  auto master = crypto::generate_keypair(crypto::SecretStorage::kHeap);
  ASSERT_TRUE(crypto::write_public_key(master.pub, tmp_.file("minion_master.pub")));
  EXPECT_EQ(run("key.finger_master").ret, Value(crypto::fingerprint(master.pub)));
  EXPECT_EQ(run("key.finger", {Value("md5")}).ret,
            Value("ERROR: hash_type 'md5' is not supported: Brine key fingerprints use sha256"));
}

// --- pillar / config ---------------------------------------------------------------

class PillarConfig : public ModuleTest {
 protected:
  void SetUp() override {
    ModuleTest::SetUp();
    pillar_ = Value::map(
        {{"web", Value::map({{"port", Value(80)}, {"names", Value::list({Value("a")})}})},
         {"role", Value("web")},
         {"master", Value::map({{"from_master", Value("m")}})}});
    grains_ = Value::map({{"os", Value("Debian")}, {"role", Value("grain-role")}});
    opts_.as_map().set("role", Value("opt-role"));
    opts_.as_map().set("mysql.host", Value("db1"));
    opts_.as_map().set("mysql.port", Value(3306));
    Value keep_grains = grains_;
    rebuild();
    grains_ = keep_grains;
  }
};

TEST_F(PillarConfig, PillarGet) {
  EXPECT_EQ(run("pillar.get", {Value("web:port")}).ret, Value(80));
  EXPECT_EQ(run("pillar.get", {Value("web:nope"), Value(8)}).ret, Value(8));
  EXPECT_EQ(run("pillar.get", {Value("nope")}).ret, Value(""));
  EXPECT_EQ(run("pillar.fetch", {Value("role")}).ret, Value("web"));
  EXPECT_EQ(run("pillar.get", {Value("web")},
                Map{{"default", Value::map({{"port", Value(1)}, {"tls", Value(true)}})},
                    {"merge", Value(true)}})
                .ret,
            Value::map(
                {{"port", Value(80)}, {"tls", Value(true)}, {"names", Value::list({Value("a")})}}));
  EXPECT_EQ(run("pillar.get", {Value("web:names")},
                Map{{"default", Value::list({Value("b"), Value("a")})}, {"merge", Value(true)}})
                .ret,
            Value::list({Value("b"), Value("a")}));
  EXPECT_EQ(run("pillar.item", {Value("role"), Value("nope")}).ret,
            Value::map({{"role", Value("web")}, {"nope", Value("")}}));
  EXPECT_EQ(run("pillar.raw", {Value("role")}).ret, Value("web"));
  EXPECT_EQ(run("pillar.ls").ret, Value::list({Value("web"), Value("role"), Value("master")}));
  EXPECT_EQ(run("pillar.keys", {Value("web")}).ret, Value::list({Value("port"), Value("names")}));
  EXPECT_EQ(run("pillar.keys", {Value("role")}).ret,
            Value("The minion function caused an exception: ValueError: Pillar value in key role "
                  "is not a dict"));
  EXPECT_EQ(run("pillar.obfuscate").ret.find("web")->get_string("port"), "<int>");
  EXPECT_EQ(run("pillar.items").ret, pillar_);
  EXPECT_EQ(run("pillar.filter_by",
                {Value::map({{"web", Value(1)}, {"default", Value(2)}}), Value("role")})
                .ret,
            Value(1));
}

TEST_F(PillarConfig, ConfigGetOrder) {
  EXPECT_EQ(run("config.get", {Value("role")}).ret, Value("opt-role"));
  EXPECT_EQ(run("config.get", {Value("role")}, Map{{"omit_opts", Value(true)}}).ret,
            Value("grain-role"));
  EXPECT_EQ(run("config.get", {Value("role")},
                Map{{"omit_opts", Value(true)}, {"omit_grains", Value(true)}})
                .ret,
            Value("web"));
  EXPECT_EQ(run("config.get", {Value("web:port")}).ret, Value(80));
  EXPECT_EQ(run("config.get", {Value("from_master")}).ret, Value("m"));
  EXPECT_EQ(run("config.get", {Value("nope"), Value("d")}).ret, Value("d"));
  EXPECT_EQ(run("config.get", {Value("web")}, Map{{"merge", Value("recurse")}}).ret,
            Value::map({{"port", Value(80)}, {"names", Value::list({Value("a")})}}));
  EXPECT_EQ(run("config.option", {Value("os")}).ret, Value("Debian"));
  EXPECT_EQ(run("config.option", {Value("nope")}).ret, Value(""));
  EXPECT_EQ(run("config.option", {Value("mysql.*")}, Map{{"wildcard", Value(true)}}).ret,
            Value::map({{"mysql.host", Value("db1")}, {"mysql.port", Value(3306)}}));
  EXPECT_EQ(run("config.dot_vals", {Value("mysql")}).ret,
            Value::map({{"mysql.host", Value("db1")}, {"mysql.port", Value(3306)}}));
}

// --- defaults / slsutil / log / file / mine ------------------------------------------

class TemplateHelpers : public ModuleTest {};

TEST_F(TemplateHelpers, DefaultsAndSlsutilMerge) {
  Value a = Value::map({{"x", Value::map({{"y", Value(1)}, {"l", Value::list({Value(1)})}})}});
  Value b = Value::map({{"x", Value::map({{"z", Value(2)}, {"l", Value::list({Value(2)})}})}});
  EXPECT_EQ(
      run("defaults.merge", {a, b}).ret,
      Value::map(
          {{"x", Value::map({{"y", Value(1)}, {"l", Value::list({Value(2)})}, {"z", Value(2)}})}}));
  EXPECT_EQ(run("defaults.merge", {a, b}, Map{{"merge_lists", Value(true)}}).ret,
            Value::map({{"x", Value::map({{"y", Value(1)},
                                          {"l", Value::list({Value(1), Value(2)})},
                                          {"z", Value(2)}})}}));
  EXPECT_EQ(run("defaults.deepcopy", {a}).ret, a);
  EXPECT_EQ(run("slsutil.merge", {a, b}).ret, run("defaults.merge", {a, b}).ret);
  EXPECT_EQ(run("slsutil.merge", {a, b}, Map{{"strategy", Value("overwrite")}}).ret, b);
  EXPECT_EQ(run("slsutil.update", {a, b}, Map{{"recursive_update", Value(false)}}).ret, b);
}

TEST_F(TemplateHelpers, SlsutilSerializers) {
  Value obj = Value::map({{"foo", Value("Foo!")}, {"n", Value::list({Value(1), Value(2)})}});
  EXPECT_EQ(run("slsutil.serialize", {Value("json"), obj}).ret,
            Value("{\"foo\": \"Foo!\", \"n\": [1, 2]}"));
  EXPECT_EQ(run("slsutil.serialize", {Value("yaml"), obj}).ret, Value("foo: Foo!\nn: [1, 2]"));
  EXPECT_EQ(run("slsutil.deserialize", {Value("json"), Value("{\"a\": [1, true]}")}).ret,
            Value::map({{"a", Value::list({Value(1), Value(true)})}}));
  EXPECT_EQ(run("slsutil.deserialize", {Value("yaml"), Value("a: yes")}).ret,
            Value::map({{"a", Value(true)}}));
  EXPECT_EQ(run("slsutil.deserialize", {Value("json"), Value("{")}).retcode, 1);
  EXPECT_EQ(run("slsutil.serialize", {Value("toml"), obj}).ret,
            Value("ERROR: Serializer 'toml' is not available (json, yaml)"));
}

TEST_F(TemplateHelpers, LogFileMine) {
  EXPECT_EQ(run("log.warning", {Value("hello %s"), Value("world")}).ret, Value());
  EXPECT_NE(logs().find("[warning] hello world"), std::string::npos);
  run("log.info", {Value("100%% sure")});
  EXPECT_NE(logs().find("[info] 100%% sure"), std::string::npos);
  EXPECT_EQ(run("file.file_exists", {Value("/etc/hosts")}).ret, Value(true));
  EXPECT_EQ(run("file.file_exists", {Value("/etc")}).ret, Value(false));
  EXPECT_EQ(run("file.directory_exists", {Value("/etc")}).ret, Value(true));
  EXPECT_EQ(run("file.join", {Value("/"), Value("usr"), Value("local"), Value("bin")}).ret,
            Value("/usr/local/bin"));
  EXPECT_EQ(run("file.join", {Value("a"), Value("/b"), Value("c")}).ret, Value("/b/c"));
  EXPECT_EQ(run("file.dirname", {Value("test/path/filename.config")}).ret, Value("test/path"));
  EXPECT_EQ(run("file.dirname", {Value("/a")}).ret, Value("/"));
  EXPECT_EQ(run("file.basename", {Value("test/test.config")}).ret, Value("test.config"));
  EXPECT_EQ(run("mine.get", {Value("*"), Value("network.ip_addrs")}).ret, Value(Map{}));
}

}  // namespace
}  // namespace brine::modules
