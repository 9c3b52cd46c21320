#include "common/crypto/key_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "common/crypto/core.h"

namespace brine::crypto {
namespace {

namespace fs = std::filesystem;

Error io_error(const fs::path& file, std::string_view what, int err) {
  Errc code = Errc::kIo;
  if (err == ENOENT) {
    code = Errc::kNotFound;
  } else if (err == EACCES || err == EPERM) {
    code = Errc::kPermissionDenied;
  }
  return make_error(code, std::string(what) + ": " + std::strerror(err), file.string());
}

std::string octal_mode(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Status write_all(int fd, std::string_view data, const fs::path& file) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return io_error(file, "write failed", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok();
}

void fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);  // best effort: some filesystems refuse fsync on directories
    ::close(fd);
  }
}

}  // namespace

Status write_file_atomic(const fs::path& file, std::string_view content, unsigned mode) {
  const fs::path dir = file.parent_path();
  fs::path tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    tmp = dir / ("." + file.filename().string() + ".tmp." + hex(random_bytes(6)));
    // Created with the final mode right away so a secret is never readable by
    // others, not even between create and chmod; fchmod below bypasses umask.
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                static_cast<mode_t>(mode & 0600 ? mode & 0600 : 0600));
    if (fd < 0 && errno != EEXIST) {
      return io_error(tmp, "cannot create temporary file", errno);
    }
  }
  if (fd < 0) {
    return make_error(Errc::kIo, "cannot create a unique temporary file", dir.string());
  }
  Fd guard(fd);
  auto fail = [&](Error e) -> Status {
    ::unlink(tmp.c_str());
    return e;
  };
  if (auto st = write_all(fd, content, tmp); !st) {
    return fail(st.error());
  }
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) {
    return fail(io_error(tmp, "chmod failed", errno));
  }
  if (::fsync(fd) != 0) {
    return fail(io_error(tmp, "fsync failed", errno));
  }
  if (::close(guard.release()) != 0) {
    return fail(io_error(tmp, "close failed", errno));
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    return fail(io_error(file, "rename failed", errno));
  }
  fsync_dir(dir);
  return ok();
}

Result<std::string> read_key_file(const fs::path& file, bool secret, size_t max_bytes) {
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    return io_error(file, "cannot open key file", errno);
  }
  // fstat on the opened descriptor: the checks apply to the file we read.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return io_error(file, "cannot stat key file", errno);
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::kInvalidArgument, "key file is not a regular file", file.string());
  }
  if (secret && (st.st_mode & 077) != 0) {
    return make_error(Errc::kPermissionDenied,
                      "secret key file is accessible by group or others (mode " +
                          octal_mode(st.st_mode) + "); run 'chmod 400 " + file.string() + "'",
                      file.string());
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return make_error(Errc::kInvalidArgument,
                      "key file too large (" + std::to_string(st.st_size) + " bytes)",
                      file.string());
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      int err = errno;
      if (secret) {
        wipe(out);
      }
      return io_error(file, "read failed", err);
    }
    if (n == 0) {
      break;  // file shrank while reading
    }
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

Status write_keypair(const KeyPair& key, const fs::path& secret_file, const fs::path& public_file) {
  std::string text = armor_secret_key(key);
  Status st = write_file_atomic(secret_file, text, kSecretKeyFileMode);
  wipe(text);
  BRINE_TRY(st);
  return write_public_key(key.pub, public_file);
}

Result<KeyPair> read_keypair(const fs::path& secret_file) {
  return read_keypair(secret_file, SecretStorage::kGuarded);
}

Result<KeyPair> read_keypair(const fs::path& secret_file, SecretStorage storage) {
  auto text = read_key_file(secret_file, /*secret=*/true);
  if (!text) {
    return text.error();
  }
  auto kp = parse_secret_key(*text, secret_file.string(), storage);
  wipe(*text);
  return kp;
}

Status write_public_key(const PublicKey& key, const fs::path& file) {
  return write_file_atomic(file, armor_public_key(key), kPublicKeyFileMode);
}

Result<PublicKey> read_public_key(const fs::path& file) {
  auto text = read_key_file(file, /*secret=*/false);
  if (!text) {
    return text.error();
  }
  return parse_public_key(*text, file.string());
}

Result<KeyPair> load_or_create_keypair(const fs::path& dir, std::string_view basename) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) {
      return make_error(Errc::kIo, "cannot create key directory: " + ec.message(), dir.string());
    }
    fs::permissions(dir, static_cast<fs::perms>(kPkiDirMode), fs::perm_options::replace, ec);
    if (ec) {
      return make_error(Errc::kIo, "cannot set mode 0700: " + ec.message(), dir.string());
    }
  } else if (!fs::is_directory(dir, ec)) {
    return make_error(Errc::kInvalidArgument, "not a directory", dir.string());
  }
  const fs::path secret_file = dir / (std::string(basename) + ".pem");
  const fs::path public_file = dir / (std::string(basename) + ".pub");

  if (!fs::exists(secret_file, ec)) {
    KeyPair kp = generate_keypair();
    BRINE_TRY(write_keypair(kp, secret_file, public_file));
    return kp;
  }
  auto kp = read_keypair(secret_file);
  if (!kp) {
    return kp.error();
  }
  auto pub = read_public_key(public_file);
  if (!pub) {
    if (pub.error().code != Errc::kNotFound) {
      return pub.error();
    }
    BRINE_TRY(write_public_key(kp->pub, public_file));
  } else if (!(*pub == kp->pub)) {
    return make_error(Errc::kAlreadyExists,
                      "public key does not match the secret key in '" + secret_file.string() +
                          "' (remove the .pub file to regenerate it)",
                      public_file.string());
  }
  return kp;
}

}  // namespace brine::crypto
