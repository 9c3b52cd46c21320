// The key acceptance workflow end to end: real brine-master and brine-minion
// processes on 127.0.0.1, driven through the real brine-key.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "common/codec/json.h"
#include "common/config/config.h"
#include "common/crypto/crypto.h"
#include "common/protocol/auth.h"
#include "common/transport/transport.h"
#include "master/local_client.h"
#include "tests/integration/harness.h"

namespace brine::testing {
namespace {

using std::chrono::seconds;

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Publishes a test.ping through the master's local API, as brine does; returns the jid.
std::string publish(Cluster& c) {
  auto loaded = config::load(config::Role::kMaster, {c.master_config_dir().string()});
  EXPECT_TRUE(loaded) << loaded.error().to_string();
  if (!loaded) return "";
  auto client = master::LocalClient::connect(loaded->opts);
  EXPECT_TRUE(client);
  if (!client) return "";
  Value load = Value::map(
      {{"fun", "test.ping"}, {"tgt", "*"}, {"tgt_type", "glob"}, {"arg", Value::list()}});
  auto r = (*client)->call("publish", Value::map({{"load", load}}), std::chrono::seconds(5));
  EXPECT_TRUE(r) << r.error().to_string();
  return r ? r->get_string("jid") : "";
}

std::string received(const std::string& jid) { return "received publication jid '" + jid + "'"; }

TEST(KeyWorkflow, MinionsAppearPendingAndAcceptOneAtATime) {
  Cluster c;
  c.start_master();
  auto& m1 = c.start_minion("m1");
  c.start_minion("m2");
  ASSERT_TRUE(c.wait_for_key("minions_pre", "m1"));
  ASSERT_TRUE(c.wait_for_key("minions_pre", "m2"));

  auto plain = c.key({"-L"});
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_EQ(plain.out, "Accepted Keys:\nDenied Keys:\nUnaccepted Keys:\nm1\nm2\nRejected Keys:\n");

  auto acc = c.key({"-a", "m1", "-y"});
  EXPECT_EQ(acc.exit_code, 0);
  EXPECT_EQ(acc.out, "Key for minion m1 accepted.\n");
  EXPECT_TRUE(c.wait_for_log(m1, "authenticated with the master as 'm1'"));
  auto k = c.keys();
  EXPECT_TRUE(has(k["minions"], "m1"));
  EXPECT_TRUE(has(k["minions_pre"], "m2"));

  auto none = c.key({"-a", "nosuch", "-y"});
  EXPECT_EQ(none.out, "The key glob 'nosuch' does not match any unaccepted keys.\n");
}

TEST(KeyWorkflow, AcceptPromptDefaultsToYesAndDeletePromptToNo) {
  Cluster c;
  c.start_master();
  c.start_minion("m1");
  ASSERT_TRUE(c.wait_for_key("minions_pre", "m1"));
  auto acc = c.key({"-A"}, "\n");
  EXPECT_EQ(acc.out,
            "The following keys are going to be accepted:\nUnaccepted Keys:\nm1\nProceed? [n/Y] "
            "Key for minion m1 accepted.\n");
  auto del = c.key({"-d", "m1"}, "\n");
  EXPECT_EQ(del.out,
            "The following keys are going to be deleted:\nAccepted Keys:\nm1\nProceed? [N/y] ");
  EXPECT_TRUE(has(c.keys()["minions"], "m1"));
}

TEST(KeyWorkflow, RejectedMinionExits77AndDeletedMinionComesBackPending) {
  Cluster c;
  c.start_master();
  auto& m1 = c.start_minion("m1");
  auto& m2 = c.start_minion("m2");
  ASSERT_TRUE(c.wait_for_key("minions_pre", "m1"));
  ASSERT_TRUE(c.wait_for_key("minions_pre", "m2"));
  EXPECT_EQ(c.key({"-r", "m2", "-y"}).out, "Key for minion m2 rejected.\n");
  EXPECT_EQ(m2.wait_exit(seconds(20)), 77);

  ASSERT_EQ(c.key({"-A", "-y"}).exit_code, 0);
  ASSERT_TRUE(c.wait_for_log(m1, "authenticated with the master as 'm1'"));
  EXPECT_EQ(c.key({"-d", "m1", "-y"}).out, "Key for minion m1 deleted.\n");
  // The master drops its channel; the minion notices and authenticates again.
  EXPECT_TRUE(c.wait_for_key("minions_pre", "m1", seconds(30)));
  EXPECT_TRUE(m1.alive());
}

TEST(KeyWorkflow, ImpostorWithAcceptedIdIsDenied) {
  Cluster c;
  c.start_master("auto_accept: True");
  auto& real = c.start_minion("real", "", "web1");
  ASSERT_TRUE(c.wait_for_log(real, "authenticated with the master as 'web1'"));
  auto& impostor = c.start_minion("impostor", "", "web1");
  EXPECT_EQ(impostor.wait_exit(seconds(20)), 77);
  auto k = c.keys();
  EXPECT_TRUE(has(k["minions_denied"], "web1"));
  EXPECT_TRUE(has(k["minions"], "web1"));
  // The accepted key is still the real minion's.
  std::ifstream acc(c.master_pki() / "minions" / "web1");
  std::string acc_text((std::istreambuf_iterator<char>(acc)), {});
  std::ifstream pub(c.minion_pki("real") / "minion.pub");
  std::string pub_text((std::istreambuf_iterator<char>(pub)), {});
  EXPECT_EQ(acc_text, pub_text);
  EXPECT_TRUE(real.alive());
}

TEST(KeyWorkflow, FingerprintsMatchOnBothSides) {
  Cluster c;
  c.start_master("auto_accept: True");
  auto& m1 = c.start_minion("m1");
  ASSERT_TRUE(c.wait_for_log(m1, "authenticated with the master as 'm1'"));
  auto f = c.key({"-f", "m1", "--out", "json"});
  auto fv = codec::json_parse(f.out);
  ASSERT_TRUE(fv) << f.out;
  const Value* master_side = fv->traverse("minions:m1");
  ASSERT_NE(master_side, nullptr) << f.out;
  std::ifstream pub(c.minion_pki("m1") / "minion.pub");
  std::string pub_text((std::istreambuf_iterator<char>(pub)), {});
  EXPECT_EQ(master_side->as_string(), crypto::fingerprint_text(pub_text));
  EXPECT_EQ(master_side->as_string().size(), 32u * 3 - 1);

  auto plain = c.key({"-f", "m1"});
  EXPECT_EQ(plain.out, "Accepted Keys:\nm1:  " + master_side->as_string() + "\n");
  // The minion pinned the master's key: its fingerprint matches the master's.
  std::ifstream pinned(c.minion_pki("m1") / "minion_master.pub");
  std::string pinned_text((std::istreambuf_iterator<char>(pinned)), {});
  auto local = codec::json_parse(c.key({"-F", "--out", "json"}).out);
  ASSERT_TRUE(local);
  ASSERT_NE(local->traverse("local:master.pub"), nullptr);
  EXPECT_EQ(local->traverse("local:master.pub")->as_string(),
            crypto::fingerprint_text(pinned_text));

  if (fs::exists(Cluster::bin("brine-call"))) {
    auto own = c.call("m1", {"--local", "key.finger", "--out", "json"});
    EXPECT_EQ(own.out, "{\n    \"local\": \"" + master_side->as_string() + "\"\n}\n");
  }
}

TEST(KeyWorkflow, AutosignFileAcceptsMatchingIdsOnly) {
  Cluster c;
  fs::create_directories(c.master_root());
  fs::path autosign = c.master_root() / "autosign.conf";
  std::ofstream(autosign) << "web*\n";
  fs::permissions(autosign, fs::perms::owner_read | fs::perms::owner_write);
  c.start_master("autosign_file: " + autosign.string());
  auto& w = c.start_minion("web1");
  c.start_minion("db1");
  EXPECT_TRUE(c.wait_for_log(w, "authenticated with the master as 'web1'"));
  EXPECT_TRUE(c.wait_for_key("minions_pre", "db1"));
  EXPECT_FALSE(has(c.keys()["minions"], "db1"));
}

TEST(KeyWorkflow, MinionsReauthenticateAfterMasterRestart) {
  Cluster c;
  c.start_master("auto_accept: True");
  auto& m1 = c.start_minion("m1");
  auto& m2 = c.start_minion("m2");
  ASSERT_TRUE(c.wait_for_log(m1, "authenticated with the master as 'm1'"));
  ASSERT_TRUE(c.wait_for_log(m2, "authenticated with the master as 'm2'"));
  c.stop_master();
  c.start_master("auto_accept: True");
  EXPECT_TRUE(c.wait_for_log(m1, "authenticated with the master as 'm1'", seconds(30), 2));
  EXPECT_TRUE(c.wait_for_log(m2, "authenticated with the master as 'm2'", seconds(30), 2));
  // Both read publications again (retry: a SUB socket joins asynchronously).
  EXPECT_TRUE(wait_until(
      [&] {
        std::string jid = publish(c);
        return c.wait_for_log(m1, received(jid), seconds(1)) &&
               c.wait_for_log(m2, received(jid), seconds(1));
      },
      seconds(20), std::chrono::milliseconds(100)));
}

TEST(KeyWorkflow, DeletedMinionCannotReadPublicationsAfterRotation) {
  Cluster c;
  c.start_master();
  auto& m1 = c.start_minion("m1");
  auto& m2 = c.start_minion("m2");
  ASSERT_TRUE(c.wait_for_key("minions_pre", "m2"));
  ASSERT_TRUE(c.wait_for_key("minions_pre", "m1"));
  ASSERT_EQ(c.key({"-A", "-y"}).exit_code, 0);
  ASSERT_TRUE(c.wait_for_log(m1, "authenticated with the master as 'm1'"));
  ASSERT_TRUE(c.wait_for_log(m2, "authenticated with the master as 'm2'"));
  // Both read a publication made before the delete (retry: SUB joins asynchronously).
  ASSERT_TRUE(wait_until(
      [&] {
        std::string jid = publish(c);
        return c.wait_for_log(m1, received(jid), seconds(1)) &&
               c.wait_for_log(m2, received(jid), seconds(1));
      },
      seconds(20), std::chrono::milliseconds(100)));

  ASSERT_EQ(c.key({"-d", "m2", "-y"}).exit_code, 0);
  ASSERT_TRUE(c.wait_for_log(*c.master(), "rotated the session key"));
  std::string after = publish(c);
  EXPECT_TRUE(c.wait_for_log(m1, received(after)));
  // m2 is pending again and never read the new publication.
  EXPECT_TRUE(c.wait_for_key("minions_pre", "m2"));
  std::string later = publish(c);
  EXPECT_TRUE(c.wait_for_log(m1, received(later)));
  EXPECT_EQ(count_occurrences(m2.log_text(), received(after)), 0u);
  EXPECT_EQ(count_occurrences(m2.log_text(), received(later)), 0u);
  EXPECT_EQ(count_occurrences(m2.log_text(), "jid '" + after + "'"), 0u);
}

TEST(KeyWorkflow, MasterSurvivesGarbageOnTheRequestPort) {
  Cluster c;
  c.start_master("auto_accept: True");
  auto client = transport::Client::connect(transport::tcp_endpoint("127.0.0.1", c.ret_port()));
  ASSERT_TRUE(client);
  std::mt19937_64 rng(42);
  // A valid auth request to mutate.
  ASSERT_TRUE(crypto::init());
  auto kp = crypto::generate_keypair();
  protocol::AuthState st;
  std::string valid = protocol::make_auth_request(kp, "fuzz", st);
  for (int i = 0; i < 600; ++i) {
    std::string frame;
    if (i % 2 == 0) {
      frame.resize(rng() % 512);
      for (auto& ch : frame) ch = static_cast<char>(rng());
    } else {
      frame = valid;
      for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
        frame[rng() % frame.size()] = static_cast<char>(rng());
      }
      if (rng() % 3 == 0) frame.resize(rng() % frame.size());
    }
    (void)(*client)->request(frame, std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(c.master()->alive());
  auto& m1 = c.start_minion("m1");
  EXPECT_TRUE(c.wait_for_log(m1, "authenticated with the master as 'm1'"));
}

}  // namespace
}  // namespace brine::testing
