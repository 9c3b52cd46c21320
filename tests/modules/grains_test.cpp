// Grains: the shape of natively gathered grains on this machine, precedence
// of static grains, and the grains module (get/item/set/append/filter_by...).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "common/codec/yaml.h"
#include "modules/grains/gather.h"
#include "modules/util/text.h"
#include "tests/modules/fixture.h"

namespace brine::modules {
namespace {

Value gathered() {
  static const Value g = grains::gather(Value::map({{"id", Value("web1")},
                                                    {"master", Value("salt")},
                                                    {"conf_file", Value("/nonexistent/minion")}}));
  return g;
}

TEST(GrainsGather, HasSaltKeysWithSaltShapes) {
  Value g = gathered();
  for (const char* key :
       {"os",        "os_family", "osfullname",  "kernel",  "kernelrelease", "kernelversion",
        "cpuarch",   "cpu_model", "host",        "fqdn",    "nodename",      "domain",
        "localhost", "id",        "init",        "virtual", "path",          "shell",
        "username",  "groupname", "saltversion", "master",  "osarch",        "cwd"}) {
    ASSERT_TRUE(g.find(key)) << key;
    EXPECT_TRUE(g.find(key)->is_string()) << key;
  }
  for (const char* key :
       {"num_cpus", "mem_total", "swap_total", "pid", "uid", "gid", "server_id", "num_gpus"}) {
    ASSERT_TRUE(g.find(key)) << key;
    EXPECT_TRUE(g.find(key)->is_int()) << key;
  }
  for (const char* key : {"cpu_flags", "ipv4", "ipv6", "fqdn_ip4", "fqdn_ip6", "fqdns",
                          "saltversioninfo", "systempath", "gpus"}) {
    ASSERT_TRUE(g.find(key)) << key;
    EXPECT_TRUE(g.find(key)->is_list()) << key;
  }
  for (const char* key :
       {"ip_interfaces", "ip4_interfaces", "ip6_interfaces", "hwaddr_interfaces", "locale_info"}) {
    ASSERT_TRUE(g.find(key)) << key;
    EXPECT_TRUE(g.find(key)->is_map()) << key;
  }
  EXPECT_EQ(g.get_string("kernel"), "Linux");
  EXPECT_EQ(g.get_string("id"), "web1");
  EXPECT_EQ(g.get_string("master"), "salt");
  EXPECT_EQ(g.get_int("server_id"), 1826842219);  // Python: abs(int(sha256(b'web1'),16) % 2**31)
  EXPECT_EQ(g.get_int("num_cpus"), ::sysconf(_SC_NPROCESSORS_CONF));
  EXPECT_EQ(g.get_int("pid"), ::getpid());
  EXPECT_EQ(g.get_int("uid"), static_cast<int64_t>(::geteuid()));
  EXPECT_EQ(g.get_string("saltversion"), BRINE_VERSION);
  EXPECT_GT(g.get_int("mem_total"), 0);
  const char* path = ::getenv("PATH");
  EXPECT_EQ(g.get_string("path"), path ? path : "");
  auto fqdn = g.get_string("fqdn");
  EXPECT_EQ(g.get_string("host"), fqdn.substr(0, fqdn.find('.')));
  const auto& ipv4 = g.find("ipv4")->as_list();
  EXPECT_NE(std::find(ipv4.begin(), ipv4.end(), Value("127.0.0.1")), ipv4.end());
  EXPECT_TRUE(g.find("ip_interfaces")->find("lo"));
  EXPECT_EQ(g.find("hwaddr_interfaces")->get_string("lo"), "00:00:00:00:00:00");
  for (const char* k : {"defaultlanguage", "defaultencoding", "detectedencoding", "timezone"}) {
    EXPECT_TRUE(g.find("locale_info")->find(k)) << k;
  }
  auto machine_id = text::read_file("/etc/machine-id");
  if (machine_id) {
    EXPECT_EQ(g.get_string("machine_id"), std::string(text::strip(*machine_id)));
  }
}

TEST(GrainsGather, OsGrainsFollowOsRelease) {
  Value g = gathered();
  Map osr = grains::os_release();
  if (osr.find("ID")->as_string() != "debian") GTEST_SKIP() << "not Debian";
  // reference/modules.md §14 (Debian 12).
  EXPECT_EQ(g.get_string("os"), "Debian");
  EXPECT_EQ(g.get_string("os_family"), "Debian");
  EXPECT_EQ(g.get_string("osfullname"), "Debian GNU/Linux");
  std::string release = osr.find("VERSION_ID")->as_string();
  EXPECT_EQ(g.get_string("osrelease"), release);
  int64_t major = std::stoll(release);
  EXPECT_EQ(*g.find("osrelease_info"), Value::list({Value(major)}));
  EXPECT_EQ(g.get_int("osmajorrelease"), major);
  EXPECT_EQ(g.get_string("osfinger"), "Debian-" + release);
  EXPECT_EQ(g.get_string("oscodename"), osr.find("VERSION_CODENAME")->as_string());
  EXPECT_EQ(g.get_string("osarch"), "amd64");
}

TEST(GrainsGather, IsFastEnough) {
  auto start = std::chrono::steady_clock::now();
  Value opts = Value::map({{"id", Value("web1")}});
  Map g;
  grains::add_os_grains(g, opts);
  grains::add_process_grains(g, opts);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

TEST(GrainsGather, StaticGrainsOverrideDetectedOnes) {
  testing::TempDir tmp;
  tmp.write("grains", "os: Plan9\nroles:\n  - web\n");
  Value opts = Value::map({{"id", Value("x")},
                           {"conf_file", Value(tmp.file("minion"))},
                           {"grains", Value::map({{"roles", Value::list({Value("db")})}})}});
  Value g = grains::gather(opts);
  EXPECT_EQ(g.get_string("os"), "Plan9");
  EXPECT_EQ(*g.find("roles"), Value::list({Value("db")}));  // config beats the file
  EXPECT_EQ(grains::grains_file_path(opts), tmp.file("grains"));

  tmp.write("grains", "- not a mapping\n");
  auto bad = grains::read_grains_file(tmp.file("grains"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("must hold a mapping"), std::string::npos);
  tmp.write("grains", "a: [unclosed\n");
  auto broken = grains::read_grains_file(tmp.file("grains"));
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, Errc::kParse);
  EXPECT_TRUE(grains::read_grains_file(tmp.file("missing"))->as_map().empty());
}

class GrainsModule : public testing::ModuleTest {
 protected:
  void SetUp() override {
    ModuleTest::SetUp();
    grains_ = Value::map({{"os", Value("Debian")},
                          {"os_family", Value("Debian")},
                          {"id", Value("web1")},
                          {"serialnumber", Value("ABCDEFGH")},
                          {"pkg", Value::map({{"apache", Value("httpd")}})},
                          {"roles", Value::list({Value("web"), Value("db")})},
                          {"empty", Value("")}});
  }
  Value file_grains() {
    auto v = codec::yaml_load(tmp_.read("grains"));
    return v ? *v : Value();
  }
};

TEST_F(GrainsModule, GetItemLsHasValue) {
  EXPECT_EQ(run("grains.get", {Value("pkg:apache")}).ret, Value("httpd"));
  EXPECT_EQ(run("grains.get", {Value("pkg|apache")}, Map{{"delimiter", Value("|")}}).ret,
            Value("httpd"));
  EXPECT_EQ(run("grains.get", {Value("nope")}).ret, Value(""));
  EXPECT_EQ(run("grains.get", {Value("nope"), Value("dflt")}).ret, Value("dflt"));
  EXPECT_EQ(run("grains.get", {Value("roles:0")}).ret, Value("web"));
  EXPECT_EQ(run("grains.item", {Value("os"), Value("nope")}).ret,
            Value::map({{"os", Value("Debian")}, {"nope", Value("")}}));
  EXPECT_EQ(run("grains.item", {Value("nope")}, Map{{"default", Value("x")}}).ret,
            Value::map({{"nope", Value("x")}}));
  auto ls = run("grains.ls").ret.as_list();
  EXPECT_EQ(ls.front(), Value("empty"));
  EXPECT_TRUE(std::is_sorted(ls.begin(), ls.end(), [](const Value& a, const Value& b) {
    return a.as_string() < b.as_string();
  }));
  EXPECT_EQ(run("grains.has_value", {Value("pkg:apache")}).ret, Value(true));
  EXPECT_EQ(run("grains.has_value", {Value("empty")}).ret, Value(false));
}

TEST_F(GrainsModule, ItemsSanitize) {
  auto items = run("grains.items", {}, Map{{"sanitize", Value(true)}}).ret;
  EXPECT_EQ(items.get_string("id"), "MINION.DOMAINNAME");
  EXPECT_EQ(items.get_string("serialnumber"), "ABCDEFXX");
  EXPECT_EQ(run("grains.items").ret.get_string("id"), "web1");
}

TEST_F(GrainsModule, SetvalPersistsToTheGrainsFile) {
  ctx_->local = true;
  auto r = run("grains.setval", {Value("role"), Value("web")});
  EXPECT_EQ(r.ret, Value::map({{"role", Value("web")}}));
  EXPECT_EQ(grains_.get_string("role"), "web");
  EXPECT_EQ(file_grains(), Value::map({{"role", Value("web")}}));
  run("grains.setvals", {Value::map({{"a", Value(1)}, {"b", Value::list({Value("x")})}})});
  EXPECT_EQ(
      file_grains(),
      Value::map({{"role", Value("web")}, {"a", Value(1)}, {"b", Value::list({Value("x")})}}));
  EXPECT_EQ(tmp_.read("grains"), "a: 1\nb:\n- x\nrole: web\n");
  // Existing file content is kept.
  run("grains.setval", {Value("role"), Value()}, Map{{"destructive", Value(true)}});
  EXPECT_FALSE(file_grains().find("role"));
  EXPECT_FALSE(grains_.find("role"));
  EXPECT_EQ(run("grains.setvals", {Value("x")}).ret.as_string().substr(0, 30),
            "Passed invalid arguments to gr");
}

TEST_F(GrainsModule, AppendAndRemove) {
  ctx_->local = true;
  EXPECT_EQ(run("grains.append", {Value("roles"), Value("cache")}).ret,
            Value::map({{"roles", Value::list({Value("web"), Value("db"), Value("cache")})}}));
  EXPECT_EQ(run("grains.append", {Value("roles"), Value("web")}).ret,
            Value("The val web was already in the list roles"));
  EXPECT_EQ(run("grains.append", {Value("os"), Value("x")}).ret,
            Value("The key os is not a valid list"));
  EXPECT_EQ(run("grains.append", {Value("os"), Value("x")}, Map{{"convert", Value(true)}}).ret,
            Value::map({{"os", Value::list({Value("Debian"), Value("x")})}}));
  EXPECT_EQ(run("grains.append", {Value("new"), Value("v")}).ret,
            Value::map({{"new", Value::list({Value("v")})}}));
  EXPECT_EQ(run("grains.append", {Value("pkg:list"), Value("a")}).ret,
            Value::map({{"pkg", Value::map({{"apache", Value("httpd")},
                                            {"list", Value::list({Value("a")})}})}}));
  EXPECT_EQ(run("grains.remove", {Value("roles"), Value("db")}).ret,
            Value::map({{"roles", Value::list({Value("web"), Value("cache")})}}));
  EXPECT_EQ(run("grains.remove", {Value("roles"), Value("zz")}).ret,
            Value("The val zz was not in the list roles"));
}

TEST_F(GrainsModule, SetDelvalDelkey) {
  ctx_->local = true;
  auto same = run("grains.set", {Value("os"), Value("Debian")}).ret;
  EXPECT_EQ(same.get_string("comment"), "Grain is already set");
  auto nested = run("grains.set", {Value("apps:myApp:port"), Value(2209)}).ret;
  EXPECT_EQ(nested.get_bool("result"), true);
  EXPECT_EQ(*grains_.find("apps"), Value::map({{"myApp", Value::map({{"port", Value(2209)}})}}));
  auto complex = run("grains.set", {Value("apps"), Value("flat")});
  EXPECT_EQ(complex.ret.get_string("comment"),
            "The key 'apps' exists but is a dict or a list. Use 'force=True' to overwrite.");
  EXPECT_EQ(complex.retcode, 1);  // result False
  auto forced = run("grains.set", {Value("apps"), Value("flat")}, Map{{"force", Value(true)}});
  EXPECT_EQ(forced.retcode, 0);
  EXPECT_EQ(grains_.get_string("apps"), "flat");

  auto del = run("grains.delval", {Value("os")}).ret;
  EXPECT_EQ(del, Value::map({{"comment", Value("")},
                             {"changes", Value::map({{"os", Value()}})},
                             {"result", Value(true)}}));
  EXPECT_TRUE(grains_.find("os")->is_null());
  run("grains.delkey", {Value("os")});
  EXPECT_FALSE(grains_.find("os"));
}

TEST_F(GrainsModule, FilterBy) {
  Value lookup = Value::map({{"Debian", Value::map({{"pkg", Value("apache2")}})},
                             {"Red*", Value::map({{"pkg", Value("httpd")}})},
                             {"default", Value::map({{"pkg", Value("www")}})},
                             {"base", Value::map({{"pkg", Value("?")}, {"port", Value(80)}})}});
  EXPECT_EQ(run("grains.filter_by", {lookup}).ret, Value::map({{"pkg", Value("apache2")}}));
  grains_.as_map().set("os_family", Value("RedHat"));
  EXPECT_EQ(run("grains.filter_by", {lookup}).ret, Value::map({{"pkg", Value("httpd")}}));
  EXPECT_EQ(run("grains.filter_by", {lookup, Value("nope")}).ret,
            Value::map({{"pkg", Value("www")}}));
  EXPECT_EQ(run("grains.filter_by", {lookup, Value("nope")}, Map{{"default", Value("zzz")}}).ret,
            Value());
  // base is merged under the match, merge over it.
  EXPECT_EQ(run("grains.filter_by", {lookup},
                Map{{"base", Value("base")}, {"merge", Value::map({{"port", Value(8080)}})}})
                .ret,
            Value::map({{"pkg", Value("httpd")}, {"port", Value(8080)}}));
  // A list grain tries each element.
  Value roles = Value::map({{"db", Value("database")}, {"web", Value("webserver")}});
  EXPECT_EQ(run("grains.filter_by", {roles, Value("roles")}).ret, Value("webserver"));
  // Nested grain key and non-string values.
  grains_.as_map().set("num", Value(12));
  EXPECT_EQ(run("grains.filter_by", {Value::map({{"12", Value("twelve")}}), Value("num")}).ret,
            Value("twelve"));
  EXPECT_EQ(run("grains.filter_by", {Value::map({{"httpd", Value(1)}}), Value("pkg:apache")}).ret,
            Value(1));
  EXPECT_EQ(run("grains.filter_by", {lookup}, Map{{"merge", Value("x")}}).ret,
            Value("ERROR: filter_by merge argument must be a dictionary."));
  EXPECT_EQ(run("grains.filter_by",
                {Value::map({{"RedHat", Value("str")}, {"base", Value::map({{"a", Value(1)}})}})},
                Map{{"base", Value("base")}})
                .ret,
            Value("ERROR: filter_by default and look-up values must both be dictionaries."));
}

}  // namespace
}  // namespace brine::modules
