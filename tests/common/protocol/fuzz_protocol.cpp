// libFuzzer entry point for every Brine protocol decoder.
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DBRINE_FUZZ=ON
//   cmake --build build-fuzz --target fuzz_protocol && build-fuzz/bin/fuzz_protocol
// Any crash, sanitizer report or escaped exception is a bug.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/crypto/keys.h"
#include "common/protocol/protocol.h"

namespace {

using namespace brine;
using namespace brine::protocol;

struct Fixture {
  crypto::KeyPair minion = crypto::generate_keypair(crypto::SecretStorage::kHeap);
  crypto::KeyPair master = crypto::generate_keypair(crypto::SecretStorage::kHeap);
  SessionKey session = SessionKey::generate(1);
  AuthState st;
  std::unique_ptr<Channel> minion_ch;
  std::unique_ptr<Channel> master_ch;
  std::unique_ptr<PublicationVerifier> verifier;

  Fixture() {
    auto req = open_auth_request(make_auth_request(minion, "fuzz", st, 1000), 1000);
    ChannelKeys ms;
    auto res =
        open_auth_reply(make_auth_reply(master, *req, AuthStatus::kAccept, 4505, &session, &ms), st,
                        master.pub, "");
    minion_ch = std::make_unique<Channel>(std::move(*res->channel));
    master_ch = std::make_unique<Channel>(std::move(ms));
    verifier = std::make_unique<PublicationVerifier>(master.pub);
    verifier->set_session_key(session.clone());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture f;
  std::string_view b(reinterpret_cast<const char*>(data), size);
  (void)open_auth_request(b, 1000);
  (void)open_auth_reply(b, f.st, f.master.pub, "");
  if (auto h = peek_frame(b); h && h->type == MessageType::kChannel) {
    (void)f.master_ch->open(*h);
    (void)f.minion_ch->open_reply(*h, h->reply_to == 0 ? 1 : h->reply_to);
  }
  (void)open_session_key_reply(*f.minion_ch, b, 1);
  (void)f.verifier->open(b);
  (void)open_rotate_notice(b, f.master.pub);
  (void)open_error_reply(b);
  return 0;
}
