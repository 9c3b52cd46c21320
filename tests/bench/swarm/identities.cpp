#include "tests/bench/swarm/identities.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <unordered_map>

#include "common/crypto/core.h"
#include "common/crypto/key_files.h"

namespace brine::swarm {
namespace fs = std::filesystem;

namespace {

constexpr const char* kIdentitiesFile = "identities";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> unhex(std::string_view h) {
  if (h.size() % 2) return std::nullopt;
  std::string out(h.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hex_digit(h[2 * i]), lo = hex_digit(h[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

fs::path pinned_master_path(const fs::path& root) { return root / "minion_master.pub"; }

Result<std::optional<crypto::PublicKey>> read_pinned_master(const fs::path& root) {
  std::error_code ec;
  if (!fs::exists(pinned_master_path(root), ec)) return std::optional<crypto::PublicKey>();
  auto k = crypto::read_public_key(pinned_master_path(root));
  if (!k) return k.error();
  return std::optional<crypto::PublicKey>(*k);
}

Status write_pinned_master(const fs::path& root, const crypto::PublicKey& key) {
  return crypto::write_public_key(key, pinned_master_path(root));
}

Result<std::vector<Identity>> load_identities(const fs::path& root,
                                              const std::vector<std::string>& ids) {
  BRINE_TRY(crypto::init());
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return make_error(Errc::kIo, "cannot create the directory: " + ec.message(), root);
  ::chmod(root.c_str(), 0700);
  fs::path file = root / kIdentitiesFile;

  // id -> seed, and the original lines in order (rewritten unchanged).
  std::unordered_map<std::string, std::string> seeds;
  std::string text;
  if (fs::exists(file, ec)) {
    auto t = crypto::read_key_file(file, /*secret=*/true, size_t{256} << 20);
    if (!t) return t.error();
    text = std::move(*t);
    std::istringstream in(text);
    std::string line;
    for (int lineno = 1; std::getline(in, line); ++lineno) {
      if (line.empty()) continue;
      auto sp = line.rfind(' ');  // ids may hold spaces; seeds do not
      auto seed = sp == std::string::npos ? std::nullopt : unhex(line.substr(sp + 1));
      if (!seed || seed->size() != crypto::kSeedBytes || sp == 0) {
        return make_error(Errc::kParse, "expected '<id> <64 hex digits>'",
                          file.string() + ":" + std::to_string(lineno));
      }
      seeds[line.substr(0, sp)] = std::move(*seed);
    }
  }

  std::vector<Identity> out;
  out.reserve(ids.size());
  bool added = false;
  for (const auto& id : ids) {
    auto it = seeds.find(id);
    if (it == seeds.end()) {
      it = seeds.emplace(id, crypto::random_bytes(crypto::kSeedBytes)).first;
      text += id + " " + crypto::hex(it->second) + "\n";
      added = true;
    }
    auto kp = crypto::keypair_from_seed(it->second, crypto::SecretStorage::kHeap);
    if (!kp) return kp.error();
    out.push_back(Identity{id, std::move(*kp)});
  }
  for (auto& [_, s] : seeds) crypto::wipe(s);
  if (added) {
    auto st = crypto::write_file_atomic(file, text, 0600);
    crypto::wipe(text);
    if (!st) return st.error();
  } else {
    crypto::wipe(text);
  }
  return out;
}

}  // namespace brine::swarm
