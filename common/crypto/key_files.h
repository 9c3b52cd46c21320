// Key files on disk: atomic writes with strict modes, checked reads.
//
// Layout (pki_dir): "<basename>.pem" holds the secret key (mode 0400) and
// "<basename>.pub" the public key (mode 0644); basename is "master" or
// "minion". Writes are atomic: a temp file in the same directory created with
// O_EXCL|O_NOFOLLOW, written, fsync'd, renamed over the target, and the
// directory fsync'd, so a crash leaves either the old or the new file.
//
// Reading a secret key file refuses (kPermissionDenied) a file that group or
// others may access in any way, like Salt refusing a too-open master.pem, and
// names the file and its mode in the error. Garbled files give kParse errors
// naming the file. Nothing here logs, and no error message contains secret
// bytes.
//
// Thread-safety: safe to call concurrently on different paths.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/crypto/keys.h"
#include "common/result.h"

namespace brine::crypto {

inline constexpr unsigned kSecretKeyFileMode = 0400;
inline constexpr unsigned kPublicKeyFileMode = 0644;
inline constexpr unsigned kPkiDirMode = 0700;

// Writes both files atomically (secret first). Existing files are replaced.
Status write_keypair(const KeyPair& key, const std::filesystem::path& secret_file,
                     const std::filesystem::path& public_file);
// Reads a secret key file; the public key is derived from it.
Result<KeyPair> read_keypair(const std::filesystem::path& secret_file);
Result<KeyPair> read_keypair(const std::filesystem::path& secret_file, SecretStorage storage);

// Loads "<dir>/<basename>.pem" or, when it does not exist, generates a pair
// and writes "<basename>.pem" and "<basename>.pub" (creating `dir` with mode
// 0700 when missing). A missing .pub next to an existing .pem is rewritten;
// a .pub that does not match the .pem is an error (kAlreadyExists) naming
// both files rather than a silent overwrite.
Result<KeyPair> load_or_create_keypair(const std::filesystem::path& dir, std::string_view basename);

// Atomic write with mode 0644.
Status write_public_key(const PublicKey& key, const std::filesystem::path& file);
Result<PublicKey> read_public_key(const std::filesystem::path& file);

// Atomic write of arbitrary content with the given mode (temp file + fsync +
// rename + directory fsync). Used by the writers above; exposed for other key
// material (e.g. the master's pinned-key file written by the minion).
Status write_file_atomic(const std::filesystem::path& file, std::string_view content,
                         unsigned mode);

// Reads a whole file of at most max_bytes. Errors: kNotFound, kIo,
// kInvalidArgument (too large or not a regular file). When `secret` is true,
// the file must not be accessible by group or others (kPermissionDenied).
Result<std::string> read_key_file(const std::filesystem::path& file, bool secret,
                                  size_t max_bytes = 64 * 1024);

}  // namespace brine::crypto
