// brine::crypto::SecretBytes: an owned buffer for key material.
//
// The bytes are wiped (sodium_memzero) when the buffer is destroyed, moved
// from or reassigned, so secrets do not linger in freed memory. Two storages:
//
//   kHeap     plain heap memory, wiped on release. Cheap: use it for the many
//             short-lived or per-peer keys (channel keys, session keys).
//   kGuarded  sodium_malloc: guard pages around the buffer, mlock'd (best
//             effort: the lock is skipped silently past RLIMIT_MEMLOCK) so it
//             is not swapped out. Costs ~3 pages and 3 memory mappings each,
//             so keep it for long-term identity keys (a few per process).
//
// SecretBytes is move-only (copy explicitly with clone()) and deliberately
// has no operator<<, no to_string and no implicit conversion to a string, so
// a secret cannot end up in a log line by accident.
//
// Thread-safety: like a std::vector (const access from many threads is safe).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace brine::crypto {

enum class SecretStorage { kHeap, kGuarded };

class SecretBytes {
 public:
  SecretBytes() = default;
  // n zero bytes. Aborts (BRINE_ASSERT) when memory cannot be allocated.
  explicit SecretBytes(size_t n, SecretStorage storage = SecretStorage::kHeap);
  // A copy of `bytes` (the caller remains responsible for wiping its copy).
  static SecretBytes copy_of(std::string_view bytes, SecretStorage storage = SecretStorage::kHeap);

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  // An explicit deep copy with the same storage kind.
  SecretBytes clone() const;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  SecretStorage storage() const { return storage_; }
  // A view of the bytes for passing to crypto functions; never log it.
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }

  // Constant-time comparison (sizes compared first, not secret).
  bool equals(const SecretBytes& other) const;

 private:
  void release() noexcept;

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  SecretStorage storage_ = SecretStorage::kHeap;
};

}  // namespace brine::crypto
