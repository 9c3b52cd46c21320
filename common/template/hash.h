// Small self-contained digests and base64 for Salt's md5/sha1/sha256/sha512
// and base64_encode/base64_decode filters (internal). Only common/crypto may
// use libsodium, and these are not security uses (template hashing).
#pragma once

#include <string>
#include <string_view>

namespace brine::jinja::hash {

// Lower-case hex digests of the bytes of `data`.
std::string md5_hex(std::string_view data);
std::string sha1_hex(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string sha512_hex(std::string_view data);
// Raw SHA-1 digest (20 bytes), for uuid5.
std::string sha1_raw(std::string_view data);

std::string base64_encode(std::string_view data);
// false on invalid input (Python's binascii.Error).
bool base64_decode(std::string_view text, std::string* out);

}  // namespace brine::jinja::hash
