#include "common/crypto/secret_bytes.h"

#include <sodium.h>

#include <cstring>
#include <utility>

#include "common/result.h"

namespace brine::crypto {

SecretBytes::SecretBytes(size_t n, SecretStorage storage) : size_(n), storage_(storage) {
  if (n == 0) {
    return;
  }
  if (storage == SecretStorage::kGuarded) {
    // sodium_malloc requires sodium_init() for its canary; init() is idempotent.
    BRINE_ASSERT(sodium_init() >= 0);
    data_ = static_cast<uint8_t*>(sodium_malloc(n));
  } else {
    data_ = new (std::nothrow) uint8_t[n];
  }
  BRINE_ASSERT(data_ != nullptr);
  std::memset(data_, 0, n);
}

SecretBytes SecretBytes::copy_of(std::string_view bytes, SecretStorage storage) {
  SecretBytes s(bytes.size(), storage);
  if (!bytes.empty()) {
    std::memcpy(s.data_, bytes.data(), bytes.size());
  }
  return s;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      storage_(other.storage_) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    storage_ = other.storage_;
  }
  return *this;
}

SecretBytes::~SecretBytes() { release(); }

SecretBytes SecretBytes::clone() const { return copy_of(view(), storage_); }

bool SecretBytes::equals(const SecretBytes& other) const {
  if (size_ != other.size_) {
    return false;
  }
  if (size_ == 0) {
    return true;
  }
  return sodium_memcmp(data_, other.data_, size_) == 0;
}

void SecretBytes::release() noexcept {
  if (data_ == nullptr) {
    return;
  }
  if (storage_ == SecretStorage::kGuarded) {
    sodium_free(data_);  // wipes, munlocks and unmaps
  } else {
    sodium_memzero(data_, size_);
    delete[] data_;
  }
  data_ = nullptr;
  size_ = 0;
}

}  // namespace brine::crypto
