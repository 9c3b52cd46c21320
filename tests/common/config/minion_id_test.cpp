// Minion id selection (config.md §2) with a fake host.
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace brine::config::testing {
namespace {

class MinionIdTest : public ConfigTest {
 protected:
  Value opts(const std::string& extra = "") {
    Value o = defaults(Role::kMinion);
    o["root_dir"] = root();
    if (!extra.empty()) {
      // extra: "key=value" pairs separated by ';' with YAML-free values.
      size_t start = 0;
      while (start < extra.size()) {
        size_t semi = extra.find(';', start);
        if (semi == std::string::npos) semi = extra.size();
        const std::string kv = extra.substr(start, semi - start);
        const size_t eq = kv.find('=');
        const std::string v = kv.substr(eq + 1);
        if (v == "true" || v == "false") {
          o[kv.substr(0, eq)] = (v == "true");
        } else {
          o[kv.substr(0, eq)] = v;
        }
        start = semi + 1;
      }
    }
    return o;
  }
  std::string root() const { return (dir_ / "root").string(); }
  std::string cache() const { return root() + "/etc/brine/minion_id"; }

  std::string resolve(Value& o) {
    auto r = resolve_minion_id(o, host_);
    if (!r) return "ERROR " + r.error().to_string();
    EXPECT_EQ(o.get_string("id"), r->id);
    return r->id;
  }
};

TEST_F(MinionIdTest, ConfiguredIdWins) {
  Value o = opts("id=web01");
  write("root/etc/brine/minion_id", "cached\n");
  EXPECT_EQ(resolve(o), "web01");
  EXPECT_FALSE(fs::exists(dir_ / "root/etc/brine/minion_id.new"));
}

TEST_F(MinionIdTest, ConfiguredNonStringIdIsStringified) {
  Value o = opts();
  o["id"] = 42;
  EXPECT_EQ(resolve(o), "42");
}

TEST_F(MinionIdTest, CachedIdIsUsedWithBomAndWhitespaceStripped) {
  // Salt strips whitespace first, then the BOM.
  write("root/etc/brine/minion_id",
        "\xEF\xBB\xBF"
        "cached-id \nsecond line\n");
  Value o = opts();
  EXPECT_EQ(resolve(o), "cached-id");
}

TEST_F(MinionIdTest, CachedLocalhostIsIgnored) {
  write("root/etc/brine/minion_id", "localhost\n");
  Value o = opts();
  EXPECT_EQ(resolve(o), "box.example.com");
}

TEST_F(MinionIdTest, CachingOffIgnoresAndDoesNotWriteTheCache) {
  write("root/etc/brine/minion_id", "cached\n");
  Value o = opts("minion_id_caching=false");
  EXPECT_EQ(resolve(o), "box.example.com");
  EXPECT_EQ(read(cache()), "cached\n");
}

TEST_F(MinionIdTest, GeneratedIdIsCachedWithoutNewline) {
  Value o = opts();
  EXPECT_EQ(resolve(o), "box.example.com");
  EXPECT_EQ(read(cache()), "box.example.com");
}

TEST_F(MinionIdTest, LocalhostLikeNamesAreSkipped) {
  host_.fqdn_name = "localhost.localdomain";
  host_.node_name = "ip6-localhost";
  host_.host = "127.0.1.1";
  host_.files["/etc/hostname"] = "# comment\n";
  host_.files["/etc/hosts"] =
      "127.0.0.1 localhost\n::1 ip6-loopback\n198.51.100.5 other.example.com other\n"
      "127.0.1.1 real.example.com real # trailing comment\n";
  Value o = opts();
  EXPECT_EQ(resolve(o), "real.example.com");
}

TEST_F(MinionIdTest, SingleWordHostsLineAndIpFallback) {
  host_.fqdn_name = "localhost";
  host_.node_name = "";
  host_.host = "localhost";
  host_.files["/etc/hosts"] = "198.51.100.1 a b\n";
  host_.ips = {"203.0.113.20"};
  Value o = opts("append_domain=example.com");
  // An IP id gets no domain appended.
  EXPECT_EQ(resolve(o), "203.0.113.20");
  host_.ips.clear();
  Value o2 = opts("minion_id_caching=false");
  EXPECT_EQ(resolve(o2), "localhost");
  host_.files["/etc/nodename"] = "lonely\n";
  Value o3 = opts("minion_id_caching=false");
  EXPECT_EQ(resolve(o3), "lonely");
}

TEST_F(MinionIdTest, LowercaseAndRemoveDomainApplyToGeneratedIds) {
  host_.fqdn_name = "Web01.Prod.Example.COM";
  Value o = opts("minion_id_lowercase=true;minion_id_remove_domain=true;minion_id_caching=false");
  EXPECT_EQ(resolve(o), "web01");
  Value o2 = opts("minion_id_remove_domain=example.com;minion_id_caching=false");
  EXPECT_EQ(resolve(o2), "Web01.Prod");
  Value o3 = opts("minion_id_remove_domain=other.org;minion_id_caching=false");
  EXPECT_EQ(resolve(o3), "Web01.Prod.Example.COM");
  // Not applied to a configured id.
  Value o4 = opts("id=Mixed.Example.com;minion_id_lowercase=true;minion_id_remove_domain=true");
  EXPECT_EQ(resolve(o4), "Mixed.Example.com");
}

TEST_F(MinionIdTest, AppendDomain) {
  Value o = opts("id=web01;append_domain=example.com");
  EXPECT_EQ(resolve(o), "web01.example.com");
  Value o2 = opts("id=web01.example.com;append_domain=example.com");
  EXPECT_EQ(resolve(o2), "web01.example.com");
  Value o3 = opts("id=web01.;append_domain=example.com");
  EXPECT_EQ(resolve(o3), "web01.");
}

TEST_F(MinionIdTest, InvalidIdsAreErrors) {
  Value o = opts("id=a/b");
  EXPECT_EQ(resolve(o),
            "ERROR id: invalid minion id 'a/b': it must not be empty or contain '/', "
            "'\\' or NUL");
}

TEST_F(MinionIdTest, IdFunctionIsNotSupported) {
  Value o = opts("id_function=mymod.get_id");
  EXPECT_EQ(resolve(o),
            "ERROR id_function: id_function is not supported by Brine; set 'id' in the minion "
            "config");
}

TEST_F(MinionIdTest, MasterIdIsTheHostIdWithSuffix) {
  Value o = defaults(Role::kMaster);
  o["root_dir"] = root();
  EXPECT_EQ(master_id(o, host_), "box.example.com_master");
  write("root/etc/brine/minion_id", "cached\n");
  EXPECT_EQ(master_id(o, host_), "cached_master");
  o["append_domain"] = "corp";
  EXPECT_EQ(master_id(o, host_), "cached.corp_master");
  o["id"] = "explicit";
  EXPECT_EQ(master_id(o, host_), "explicit.corp");
  EXPECT_FALSE(fs::exists(dir_ / "root/etc/brine/minion_id.tmp"));
}

TEST_F(MinionIdTest, LoadedMasterGetsItsId) {
  write("etc/master", "root_dir: " + root() + "\n");
  auto l = load_master(conf_dir());
  ASSERT_TRUE(l);
  EXPECT_EQ(l->opts.get_string("id"), "box.example.com_master");
}

TEST(MinionIdSystem, GeneratesSomething) {
  const std::string id = generate_minion_id(system_host_info());
  EXPECT_FALSE(id.empty());
  EXPECT_TRUE(check_minion_id(id));
}

}  // namespace
}  // namespace brine::config::testing
