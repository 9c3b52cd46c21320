// brine::crypto core helpers: library initialisation, randomness, hex,
// constant-time comparison, SHA-256 and wiping.
//
// Only common/crypto includes <sodium.h>; everything in Brine that needs a
// cryptographic primitive goes through this directory.
//
// Thread-safety: every function here is safe to call from many threads once
// init() has returned successfully (init() itself is thread-safe).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace brine::crypto {

inline constexpr size_t kSha256Bytes = 32;
using Sha256Digest = std::array<uint8_t, kSha256Bytes>;

// Initialises libsodium (sodium_init). Idempotent and thread-safe; every other
// function calls it lazily too, so calling it early only makes failures
// (e.g. no entropy source) visible at start-up. Error: kUnavailable.
Status init();

// n bytes from the OS CSPRNG (randombytes_buf).
std::string random_bytes(size_t n);
void random_fill(std::span<uint8_t> out);
// Uniform integer in [0, upper_bound) (randombytes_uniform); 0 when upper_bound is 0.
uint32_t random_uniform(uint32_t upper_bound);

// Lower-case hex of arbitrary bytes ("" for empty input).
std::string hex(std::string_view bytes);
std::string hex(std::span<const uint8_t> bytes);

// True when a and b have the same length and content. The content comparison
// takes time independent of where the first difference is (the length is not
// secret and is compared first).
bool equal_ct(std::string_view a, std::string_view b);

// SHA-256 (used for fingerprints; protocol hashing uses BLAKE2b, see primitives.h).
Sha256Digest sha256(std::string_view data);

// Overwrites a buffer that held secret material with zeros (sodium_memzero,
// which the compiler cannot optimise away). The string keeps its size.
void wipe(std::string& s);
void wipe(std::span<uint8_t> s);

// Views a byte array as a string_view (no copy).
template <size_t N>
std::string_view as_view(const std::array<uint8_t, N>& a) {
  return {reinterpret_cast<const char*>(a.data()), N};
}

}  // namespace brine::crypto
