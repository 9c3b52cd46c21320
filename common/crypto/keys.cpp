#include "common/crypto/keys.h"

#include <sodium.h>

#include <cstring>
#include <vector>

#include "common/crypto/core.h"

namespace brine::crypto {
namespace {

static_assert(kPublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kSecretKeyBytes == crypto_sign_SECRETKEYBYTES);
static_assert(kSeedBytes == crypto_sign_SEEDBYTES);

// Key files are tiny; anything much larger is not a key and is refused before
// any work is done on it.
constexpr size_t kMaxArmorBytes = 64 * 1024;
constexpr size_t kArmorColumns = 64;

std::string begin_line(std::string_view label) {
  return "-----BEGIN " + std::string(label) + "-----";
}
std::string end_line(std::string_view label) { return "-----END " + std::string(label) + "-----"; }

std::string base64(const uint8_t* data, size_t n) {
  std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // drop the NUL terminator
  return out;
}

std::string armor(std::string_view label, const uint8_t* data, size_t n) {
  std::string b64 = base64(data, n);
  std::string out = begin_line(label) + "\n";
  for (size_t i = 0; i < b64.size(); i += kArmorColumns) {
    out.append(b64, i, kArmorColumns);
    out += '\n';
  }
  out += end_line(label) + "\n";
  wipe(b64);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The non-blank lines of `text` (line ends and surrounding blanks removed).
std::vector<std::string_view> non_blank_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    line = trim(line);
    if (!line.empty()) {
      lines.push_back(line);
    }
  }
  return lines;
}

// Decodes the armored body with label `label` into `out` (exactly out_len bytes).
Status dearmor(std::string_view text, std::string_view source, std::string_view label, uint8_t* out,
               size_t out_len) {
  auto fail = [&](std::string msg) {
    return make_error(Errc::kParse, std::move(msg), std::string(source));
  };
  if (text.size() > kMaxArmorBytes) {
    return fail("key file too large (" + std::to_string(text.size()) + " bytes)");
  }
  if (text.find('\0') != std::string_view::npos) {
    return fail("key file contains NUL bytes (binary or corrupt file)");
  }
  auto lines = non_blank_lines(text);
  if (lines.empty()) {
    return fail("empty key file");
  }
  const std::string begin = begin_line(label);
  const std::string end = end_line(label);
  if (lines.front() != begin) {
    std::string_view first = lines.front();
    if (first == "-----BEGIN PUBLIC KEY-----" || first == "-----BEGIN RSA PUBLIC KEY-----" ||
        first == "-----BEGIN RSA PRIVATE KEY-----" || first == "-----BEGIN PRIVATE KEY-----") {
      return fail("this is an RSA key (Salt format); Brine uses Ed25519 keys in '" + begin +
                  "' armor");
    }
    return fail("not a " + std::string(label) + " (expected '" + begin + "' on the first line)");
  }
  if (lines.size() < 2 || lines.back() != end) {
    return fail("truncated key (missing '" + end + "')");
  }
  std::string body;
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    body.append(lines[i]);
  }
  if (body.empty()) {
    return fail("empty key body");
  }
  // Decode into a buffer of the maximum possible size so we can report the
  // real length of a wrong-sized key.
  std::vector<uint8_t> buf(body.size() / 4 * 3 + 3);
  size_t n = 0;
  const char* end_ptr = nullptr;
  int rc = sodium_base642bin(buf.data(), buf.size(), body.data(), body.size(), nullptr, &n,
                             &end_ptr, sodium_base64_VARIANT_ORIGINAL);
  bool bad = rc != 0 || end_ptr != body.data() + body.size();
  wipe(body);
  if (bad) {
    wipe(buf);
    return fail("invalid base64 in key body");
  }
  if (n != out_len) {
    wipe(buf);
    return fail("key is " + std::to_string(n) + " bytes, expected " + std::to_string(out_len));
  }
  std::memcpy(out, buf.data(), n);
  wipe(buf);
  return ok();
}

}  // namespace

bool PublicKey::from_bytes(std::string_view b, PublicKey& out) {
  if (b.size() != kPublicKeyBytes) {
    return false;
  }
  std::memcpy(out.bytes.data(), b.data(), kPublicKeyBytes);
  return true;
}

KeyPair generate_keypair() { return generate_keypair(SecretStorage::kGuarded); }

KeyPair generate_keypair(SecretStorage storage) {
  BRINE_ASSERT(init().has_value());
  KeyPair kp{PublicKey{}, SecretBytes(kSecretKeyBytes, storage)};
  crypto_sign_keypair(kp.pub.bytes.data(), kp.secret.data());
  return kp;
}

Result<KeyPair> keypair_from_seed(std::string_view seed, SecretStorage storage) {
  if (seed.size() != kSeedBytes) {
    return make_error(Errc::kInvalidArgument,
                      "Ed25519 seed must be 32 bytes, got " + std::to_string(seed.size()));
  }
  BRINE_ASSERT(init().has_value());
  KeyPair kp{PublicKey{}, SecretBytes(kSecretKeyBytes, storage)};
  crypto_sign_seed_keypair(kp.pub.bytes.data(), kp.secret.data(),
                           reinterpret_cast<const unsigned char*>(seed.data()));
  return kp;
}

std::string armor_public_key(const PublicKey& key) {
  return armor(kPublicKeyLabel, key.bytes.data(), key.bytes.size());
}

std::string armor_secret_key(const KeyPair& key) {
  BRINE_ASSERT(key.secret.size() == kSecretKeyBytes);
  return armor(kSecretKeyLabel, key.secret.data(), key.secret.size());
}

Result<PublicKey> parse_public_key(std::string_view text, std::string_view source) {
  PublicKey key;
  BRINE_TRY(dearmor(text, source, kPublicKeyLabel, key.bytes.data(), key.bytes.size()));
  return key;
}

Result<KeyPair> parse_secret_key(std::string_view text, std::string_view source,
                                 SecretStorage storage) {
  BRINE_ASSERT(init().has_value());
  KeyPair kp{PublicKey{}, SecretBytes(kSecretKeyBytes, storage)};
  BRINE_TRY(dearmor(text, source, kSecretKeyLabel, kp.secret.data(), kp.secret.size()));
  // Re-derive the key pair from the seed: a flipped bit anywhere shows up as a
  // mismatch with the stored public half.
  SecretBytes check(kSecretKeyBytes);
  crypto_sign_seed_keypair(kp.pub.bytes.data(), check.data(), kp.secret.data());
  if (!kp.secret.equals(check)) {
    return make_error(Errc::kParse, "corrupt secret key (public half does not match the seed)",
                      std::string(source));
  }
  return kp;
}

std::string fingerprint_text(std::string_view file_text) {
  // Salt: b"".join([x for x in fp_.readlines() if x.strip()][1:-1]), with
  // \r\n normalised to \n.
  std::vector<std::string_view> lines;
  std::string_view text = file_text;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    bool blank = true;
    for (char c : line) {
      if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') {
        blank = false;
        break;
      }
    }
    if (!blank) {
      lines.push_back(line);
    }
  }
  std::string body;
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    body.append(lines[i]);
    body += '\n';
  }
  Sha256Digest d = sha256(body);
  std::string hx = hex(std::span<const uint8_t>(d));
  std::string out;
  out.reserve(kSha256Bytes * 3);
  for (size_t i = 0; i < hx.size(); i += 2) {
    if (i > 0) {
      out += ':';
    }
    out.append(hx, i, 2);
  }
  return out;
}

std::string fingerprint(const PublicKey& key) { return fingerprint_text(armor_public_key(key)); }

bool fingerprint_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) {
      return false;
    }
  }
  return true;
}

}  // namespace brine::crypto
