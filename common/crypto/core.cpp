#include "common/crypto/core.h"

#include <sodium.h>

#include <mutex>

namespace brine::crypto {
namespace {

// sodium_init is itself thread-safe and idempotent in libsodium >= 1.0.11; the
// function-local static only avoids repeating the call on every hot-path use.
int sodium_status() {
  static const int status = sodium_init();
  return status;
}

void ensure_init() { BRINE_ASSERT(sodium_status() >= 0); }

}  // namespace

Status init() {
  if (sodium_status() < 0) {
    return make_error(Errc::kUnavailable, "libsodium initialisation failed (sodium_init)");
  }
  return ok();
}

std::string random_bytes(size_t n) {
  ensure_init();
  std::string out(n, '\0');
  if (n > 0) {
    randombytes_buf(out.data(), n);
  }
  return out;
}

void random_fill(std::span<uint8_t> out) {
  ensure_init();
  if (!out.empty()) {
    randombytes_buf(out.data(), out.size());
  }
}

uint32_t random_uniform(uint32_t upper_bound) {
  ensure_init();
  return upper_bound == 0 ? 0 : randombytes_uniform(upper_bound);
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<uint8_t>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0x0f];
  }
  return out;
}

std::string hex(std::span<const uint8_t> bytes) {
  return hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

bool equal_ct(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  if (a.empty()) {
    return true;
  }
  ensure_init();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Sha256Digest sha256(std::string_view data) {
  ensure_init();
  Sha256Digest d{};
  crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return d;
}

void wipe(std::string& s) {
  if (!s.empty()) {
    sodium_memzero(s.data(), s.size());
  }
}

void wipe(std::span<uint8_t> s) {
  if (!s.empty()) {
    sodium_memzero(s.data(), s.size());
  }
}

}  // namespace brine::crypto
