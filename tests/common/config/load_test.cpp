// Config lookup, includes, merging, root_dir and derived keys (config.md §1).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/codec/python_repr.h"
#include "config_test_util.h"

namespace brine::config::testing {
namespace {

using codec::python_repr;

TEST_F(ConfigTest, MasterDefaultsUseBrinePathsAndSaltValues) {
  const Value d = defaults(Role::kMaster);
  EXPECT_EQ(d.get_string("interface"), "0.0.0.0");
  EXPECT_EQ(d.get_int("publish_port"), 4505);
  EXPECT_EQ(d.get_int("ret_port"), 4506);
  EXPECT_EQ(d.get_string("pki_dir"), "/etc/brine/pki/master");
  EXPECT_EQ(d.get_string("cachedir"), "/var/cache/brine/master");
  EXPECT_EQ(d.get_string("sock_dir"), "/var/run/brine/master");
  EXPECT_EQ(d.get_string("pidfile"), "/var/run/brine-master.pid");
  EXPECT_EQ(d.get_string("log_file"), "/var/log/brine/master");
  EXPECT_EQ(d.get_string("key_logfile"), "/var/log/brine/key");
  EXPECT_EQ(python_repr(*d.find("file_roots")), "{'base': ['/srv/salt']}");
  EXPECT_EQ(python_repr(*d.find("pillar_roots")), "{'base': ['/srv/pillar']}");
  EXPECT_EQ(d.get_int("worker_threads"), 5);
  EXPECT_EQ(d.get_int("keep_jobs_seconds"), 86400);
  EXPECT_EQ(d.get_string("default_include"), "master.d/*.conf");
  EXPECT_EQ(d.get_int("session_key_rotate_spread"), 10);
  EXPECT_EQ(d.get_int("heartbeat_interval"), 10);
  EXPECT_TRUE(d.find("autosign_file")->is_null());
  EXPECT_EQ(d.find("include"), nullptr);
}

TEST_F(ConfigTest, MinionDefaults) {
  const Value d = defaults(Role::kMinion);
  EXPECT_EQ(d.get_string("master"), "salt");
  EXPECT_EQ(d.get_int("master_port"), 4506);
  EXPECT_EQ(d.get_string("pki_dir"), "/etc/brine/pki/minion");
  EXPECT_EQ(d.get_string("cachedir"), "/var/cache/brine/minion");
  EXPECT_EQ(d.get_string("pidfile"), "/var/run/brine-minion.pid");
  EXPECT_EQ(d.get_int("acceptance_wait_time"), 10);
  EXPECT_EQ(d.get_int("acceptance_wait_time_max"), 0);
  EXPECT_EQ(d.get_int("recon_default"), 1000);
  EXPECT_EQ(d.get_int("recon_max"), 10000);
  EXPECT_TRUE(d.get_bool("recon_randomize"));
  EXPECT_EQ(d.get_int("auth_timeout"), 5);
  EXPECT_EQ(d.get_int("random_reauth_delay"), 10);
  EXPECT_EQ(d.get_int("ping_interval"), 0);
  EXPECT_EQ(d.get_int("heartbeat_interval"), 10);
  EXPECT_TRUE(d.get_bool("minion_id_caching"));
  EXPECT_EQ(d.get_string("default_include"), "minion.d/*.conf");
}

TEST_F(ConfigTest, MissingDirectoryWarnsAndGivesDefaults) {
  const std::string missing = (dir_ / "nope").string();
  auto l = load_master(missing);
  ASSERT_TRUE(l) << l.error().to_string();
  ASSERT_EQ(l->warnings.size(), 1u);
  EXPECT_EQ(l->warnings[0], "CONFIG '" + missing + "' directory does not exist.");
  EXPECT_EQ(l->opts.get_string("conf_file"), missing + "/master");
  EXPECT_EQ(l->opts.get_string("config_dir"), missing);
  EXPECT_EQ(l->opts.get_int("publish_port"), 4505);
  EXPECT_EQ(l->opts.get_string("id"), "box.example.com_master");
  EXPECT_EQ(l->opts.get_string("__role"), "master");
  EXPECT_TRUE(l->origin.empty());
}

TEST_F(ConfigTest, ReadsTheFileAndRecordsOrigins) {
  const std::string file = write("etc/master", "# comment\npublish_port: 5505\ntimeout: 30\n");
  auto l = load_master(conf_dir());
  ASSERT_TRUE(l) << l.error().to_string();
  EXPECT_TRUE(l->warnings.empty());
  EXPECT_EQ(l->opts.get_int("publish_port"), 5505);
  EXPECT_EQ(l->opts.get_int("timeout"), 30);
  EXPECT_EQ(l->opts.get_string("conf_file"), file);
  EXPECT_EQ(l->origin.at("publish_port"), file + ":2:1");
  EXPECT_EQ(l->origin.at("timeout"), file + ":3:1");
  EXPECT_EQ(l->origin.count("ret_port"), 0u);
}

TEST_F(ConfigTest, NumericIdBecomesAString) {
  write("etc/minion", "id: 123\n");
  auto l = load_minion(conf_dir());
  ASSERT_TRUE(l);
  EXPECT_EQ(*l->opts.find("id"), Value("123"));
}

TEST_F(ConfigTest, EmptyFileGivesDefaults) {
  write("etc/master", "# nothing\n");
  auto l = load_master(conf_dir());
  ASSERT_TRUE(l);
  EXPECT_EQ(l->opts.get_int("ret_port"), 4506);
}

TEST_F(ConfigTest, RootDirPrefixesPathOptions) {
  const std::string root = (dir_ / "root").string();
  write("etc/master", "root_dir: " + root + "\n" +
                          "cachedir: /var/cache/custom\n"  // absolute: prefixed
                          "pki_dir: " +
                          root +
                          "/already/pki\n"                 // already under root_dir
                          "sock_dir: relative/sock\n"      // relative: joined
                          "log_file: udp://loghost:514\n"  // a URL: untouched
                          "key_logfile: file:///dev/log\n");
  auto l = load_master(conf_dir());
  ASSERT_TRUE(l) << l.error().to_string();
  const Value& o = l->opts;
  EXPECT_EQ(o.get_string("cachedir"), root + "/var/cache/custom");
  EXPECT_EQ(o.get_string("pki_dir"), root + "/already/pki");
  EXPECT_EQ(o.get_string("sock_dir"), root + "/relative/sock");
  EXPECT_EQ(o.get_string("pidfile"), root + "/var/run/brine-master.pid");
  EXPECT_EQ(o.get_string("log_file"), "udp://loghost:514");
  EXPECT_EQ(o.get_string("key_logfile"), "file:///dev/log");
  EXPECT_EQ(o.get_string("token_dir"), root + "/var/cache/custom/tokens");
  EXPECT_EQ(o.get_string("syndic_dir"), root + "/var/cache/custom/syndics");
  EXPECT_EQ(o.get_string("extension_modules"), root + "/var/cache/custom/extmods");
  // Never prefixed.
  EXPECT_EQ(python_repr(*o.find("file_roots")), "{'base': ['/srv/salt']}");
  EXPECT_EQ(o.get_string("conf_file"), conf_dir() + "/master");
  EXPECT_TRUE(o.find("autosign_file")->is_null());
}

TEST_F(ConfigTest, RootDirDefaultsForTheMinion) {
  const std::string root = (dir_ / "r").string();
  write("etc/minion", "root_dir: " + root + "\n");
  auto l = load_minion(conf_dir());
  ASSERT_TRUE(l);
  EXPECT_EQ(l->opts.get_string("pki_dir"), root + "/etc/brine/pki/minion");
  EXPECT_EQ(l->opts.get_string("cachedir"), root + "/var/cache/brine/minion");
  EXPECT_EQ(l->opts.get_string("sock_dir"), root + "/var/run/brine/minion");
  EXPECT_EQ(l->opts.get_string("log_file"), root + "/var/log/brine/minion");
  EXPECT_EQ(l->opts.get_string("extension_modules"), root + "/var/cache/brine/minion/extmods");
}

TEST_F(ConfigTest, RelativeRootDirIsMadeAbsolute) {
  write("etc/minion", "root_dir: rel/root\n");
  auto l = load_minion(conf_dir());
  ASSERT_TRUE(l);
  const std::string cwd = fs::current_path().string();
  EXPECT_EQ(l->opts.get_string("pki_dir"), cwd + "/rel/root/etc/brine/pki/minion");
}

TEST_F(ConfigTest, LongSockDirMovesUnderCachedir) {
  write("etc/master", "cachedir: /c\nsock_dir: /a/very/long/socket/dir\n");
  auto l = load_master(conf_dir());
  ASSERT_TRUE(l);
  EXPECT_EQ(l->opts.get_string("sock_dir"), "/c/.salt-unix");
}

TEST_F(ConfigTest, DefaultIncludeFilesAreSortedDeepMergedThenReplaceTopLevelKeys) {
  write("etc/master",
        "file_roots:\n  base: [/main]\n  dev: [/main-dev]\n"
        "timeout: 7\n"
        "nodegroups: {a: 'L@x'}\n");
  // b.conf is read after a.conf; their file_roots are merged deeply, then the
  // merged file_roots replaces the main file's whole file_roots.
  write("etc/master.d/b.conf", "file_roots:\n  base: [/b, /a]\n  qa: [/qa]\n");
  const std::string a = write("etc/master.d/a.conf", "file_roots:\n  base: [/a]\ntimeout: 9\n");
  write("etc/master.d/ignored.txt", "timeout: 100\n");
  auto l = load_master(conf_dir());
  ASSERT_TRUE(l) << l.error().to_string();
  EXPECT_EQ(python_repr(*l->opts.find("file_roots")), "{'base': ['/a', '/b'], 'qa': ['/qa']}");
  EXPECT_EQ(l->opts.get_int("timeout"), 9);
  EXPECT_EQ(python_repr(*l->opts.find("nodegroups")), "{'a': 'L@x'}");
  EXPECT_EQ(l->origin.at("timeout"), a + ":3:1");
  EXPECT_EQ(l->origin.at("file_roots"), conf_dir() + "/master.d/b.conf:1:1");
}

TEST_F(ConfigTest, IncludeKeyComesAfterDefaultInclude) {
  write("etc/master", "include:\n  - extra/*.conf\n  - missing/*.conf\ntimeout: 1\n");
  write("etc/master.d/x.conf", "timeout: 2\nworker_threads: 4\n");
  write("etc/extra/y.conf", "timeout: 3\ninclude: nested.yml\n");
  write("etc/extra/nested.yml", "worker_threads: 8\n");
  auto l = load_master(conf_dir());
  ASSERT_TRUE(l) << l.error().to_string();
  EXPECT_EQ(l->opts.get_int("timeout"), 3);
  EXPECT_EQ(l->opts.get_int("worker_threads"), 8);
  ASSERT_EQ(l->warnings.size(), 1u);
  EXPECT_EQ(l->warnings[0], "Warning parsing configuration file: \"include\" path/glob '" +
                                conf_dir() + "/missing/*.conf' matches no files");
}

TEST_F(ConfigTest, DefaultIncludeCanBeChangedAndListsMergeWithoutDuplicates) {
  write("etc/master", "default_include: conf.d/*.yaml\n");
  write("etc/conf.d/1.yaml", "fileserver_backend: [roots, git]\n");
  write("etc/conf.d/2.yaml", "fileserver_backend: [git, hg]\n");
  auto l = load_master(conf_dir());
  ASSERT_TRUE(l) << l.error().to_string();
  // Merged lists, then Salt renames git -> gitfs, hg -> hgfs.
  EXPECT_EQ(python_repr(*l->opts.find("fileserver_backend")), "['roots', 'gitfs', 'hgfs']");
}

TEST_F(ConfigTest, ScheduleJobsFromSeveralFilesAreCombined) {
  write("etc/minion.d/a.conf", "schedule:\n  job1: {function: test.ping, seconds: 60}\n");
  write("etc/minion.d/b.conf",
        "schedule:\n  job2: {function: state.apply, minutes: 5}\n  job1: {function: x.y}\n");
  auto l = load_minion(conf_dir());
  ASSERT_TRUE(l) << l.error().to_string();
  EXPECT_EQ(python_repr(*l->opts.find("schedule")),
            "{'job1': {'function': 'x.y'}, 'job2': {'function': 'state.apply', 'minutes': 5}}");
}

TEST_F(ConfigTest, BrokenScheduleFileIsSetAside) {
  const std::string sched = write("etc/minion.d/_schedule.conf", "schedule: [unclosed\n");
  auto l = load_minion(conf_dir());
  ASSERT_TRUE(l) << l.error().to_string();
  EXPECT_FALSE(fs::exists(sched));
  EXPECT_TRUE(fs::exists(sched + "YAMLError"));
  ASSERT_EQ(l->warnings.size(), 1u);
}

TEST_F(ConfigTest, SelfIncludeIsAnError) {
  write("etc/master", "include: master\n");
  auto l = load_master(conf_dir());
  ASSERT_FALSE(l);
  EXPECT_NE(l.error().message.find("includes nested more than"), std::string::npos);
}

TEST_F(ConfigTest, BadYamlNamesFileLineAndColumn) {
  const std::string file = write("etc/master", "publish_port: 4505\nret_port: [4506\n");
  auto l = load_master(conf_dir());
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().code, Errc::kParse);
  EXPECT_EQ(l.error().where.substr(0, file.size() + 1), file + ":");
  const std::string dup = write("etc/master", "timeout: 1\ntimeout: 2\n");
  l = load_master(conf_dir());
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().to_string(), dup + ":2:1: found conflicting ID 'timeout'");
}

TEST_F(ConfigTest, BadYamlInAnIncludedFileIsAnError) {
  write("etc/master", "timeout: 1\n");
  const std::string inc = write("etc/master.d/bad.conf", "a: b: c\n");
  auto l = load_master(conf_dir());
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().to_string(), inc + ":1:5: mapping values are not allowed here");
}

TEST_F(ConfigTest, TopLevelMustBeAMapping) {
  const std::string file = write("etc/master", "- a\n- b\n");
  auto l = load_master(conf_dir());
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().to_string(),
            file + ": configuration should be a mapping of options, not a list");
}

TEST_F(ConfigTest, TypeMismatchesAndUnknownKeysAreWarnings) {
  const std::string file = write(
      "etc/master", "worker_threads: abc\ntimeout: '30'\ngitfs_remotes: [x]\nauto_accept: 1\n");
  auto l = load_master(conf_dir());
  ASSERT_TRUE(l) << l.error().to_string();
  EXPECT_EQ(l->opts.get_string("worker_threads"), "abc");  // Salt keeps the value
  ASSERT_EQ(l->warnings.size(), 2u);
  EXPECT_EQ(l->warnings[0], file +
                                ":1:1: config option 'worker_threads' with value abc has an "
                                "invalid type of str, a int is required for this option");
  // timeout: '30' converts to an int, which Salt accepts silently.
  EXPECT_EQ(l->warnings[1], "unknown config key 'gitfs_remotes' in " + file + ":3");
  // auto_accept must be literally true: 1 becomes False.
  EXPECT_FALSE(l->opts.get_bool("auto_accept", true));
}

TEST_F(ConfigTest, LogDirRehomesLogFile) {
  write("etc/minion", "log_dir: /logs\n");
  auto l = load_minion(conf_dir());
  ASSERT_TRUE(l);
  EXPECT_EQ(l->opts.get_string("log_file"), "/logs/minion");
}

TEST_F(ConfigTest, SaltFixUps) {
  write("etc/master",
        "nodegroups:\nhash_type: SHA256\nkeep_jobs: 2\nworker_threads: 1\npeer: {'.*': ['.*']}\n"
        "file_ignore_glob: '*.bak'\npillar_roots: {base: /p}\nfile_roots: [x]\n");
  auto l = load_master(conf_dir());
  ASSERT_TRUE(l) << l.error().to_string();
  const Value& o = l->opts;
  EXPECT_EQ(python_repr(*o.find("nodegroups")), "{}");
  EXPECT_EQ(o.get_string("hash_type"), "sha256");
  EXPECT_EQ(o.get_int("keep_jobs_seconds"), 7200);
  EXPECT_EQ(o.get_int("worker_threads"), 3);
  EXPECT_EQ(python_repr(*o.find("file_ignore_glob")), "['*.bak']");
  EXPECT_EQ(python_repr(*o.find("pillar_roots")), "{'base': ['/p']}");
  EXPECT_EQ(python_repr(*o.find("file_roots")), "{'base': ['/srv/salt']}");
}

TEST_F(ConfigTest, MinionReturnListIsJoined) {
  write("etc/minion", "return: [mysql, redis]\n");
  auto l = load_minion(conf_dir());
  ASSERT_TRUE(l);
  EXPECT_EQ(l->opts.get_string("return"), "mysql,redis");
}

TEST_F(ConfigTest, TemplateIsCopiedWhenTheFileIsMissing) {
  write("etc/master.template", "# header line dropped\ntimeout: 42\n");
  auto l = load_master(conf_dir());
  ASSERT_TRUE(l);
  EXPECT_EQ(l->opts.get_int("timeout"), 42);
  EXPECT_EQ(read(conf_dir() + "/master"), "timeout: 42\n");
}

TEST_F(ConfigTest, EnvConfigDirIsUsedWithoutDashC) {
  write("etc/minion", "master: from-env-dir\n");
  ::setenv("BRINE_CONFIG_DIR", conf_dir().c_str(), 1);
  auto l = load_minion("");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->opts.get_string("master"), "from-env-dir");
  EXPECT_EQ(l->opts.get_string("config_dir"), conf_dir());
  EXPECT_EQ(resolve_config_dir(""), conf_dir());
  ::setenv("BRINE_CONFIG_DIR", "", 1);
  EXPECT_EQ(resolve_config_dir(""), "/etc/brine");
}

TEST_F(ConfigTest, EnvFileVariableWinsOnlyOverTheDefaultPath) {
  const std::string custom = write("elsewhere/custom-master", "timeout: 11\n");
  ::setenv("BRINE_MASTER_CONFIG", custom.c_str(), 1);
  // No -c: the candidate is /etc/brine/master, so the variable's file is read.
  auto l = load_master("");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->opts.get_int("timeout"), 11);
  EXPECT_EQ(l->opts.get_string("conf_file"), custom);
  // A non-default -c wins over the variable.
  write("etc/master", "timeout: 12\n");
  l = load_master(conf_dir());
  ASSERT_TRUE(l);
  EXPECT_EQ(l->opts.get_int("timeout"), 12);
  // A variable naming a missing file is ignored.
  ::setenv("BRINE_MASTER_CONFIG", (dir_ / "missing").c_str(), 1);
  l = load_master("");
  ASSERT_TRUE(l);
  EXPECT_NE(l->opts.get_string("conf_file"), (dir_ / "missing").string());
}

TEST_F(ConfigTest, ConfigDirFromDashCIsExpandedAndAbsolute) {
  EXPECT_EQ(resolve_config_dir("rel/dir"), fs::current_path().string() + "/rel/dir");
  const char* home = std::getenv("HOME");
  const std::string saved = home == nullptr ? "" : home;
  ::setenv("HOME", dir_.c_str(), 1);
  EXPECT_EQ(resolve_config_dir("~/conf/"), dir_.string() + "/conf");
  ::setenv("HOME", saved.c_str(), 1);
}

}  // namespace
}  // namespace brine::config::testing
