// brine::Result<T>: the error-return type used across Brine.
//
// Result<T> is a thin [[nodiscard]] wrapper over std::expected<T, Error>, so that
// an ignored error does not build under -Werror (libstdc++ 12 does not mark
// std::expected itself [[nodiscard]]). Status is Result<void>.
//
// Error carries a machine-readable code, a human message and `where`: either
// "file:line:col" for input files or a dotted field path for structured data.
// Error::to_string() renders "where: message" (or just the message), the form
// every user-facing error message takes.
//
// Thread-safety: plain values; no shared state.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <expected>
#include <string>
#include <utility>

namespace brine {

enum class Errc {
  kInvalidArgument,  // bad input from a user, file or peer
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kIo,
  kParse,
  kCrypto,     // verification or decryption failed
  kProtocol,   // malformed or unexpected message
  kTimeout,
  kUnavailable,
  kUnsupported,
  kInternal,
};

struct Error {
  Errc code = Errc::kInternal;
  std::string message;
  std::string where;  // "file:line:col" or field path; may be empty

  std::string to_string() const { return where.empty() ? message : where + ": " + message; }
};

inline Error make_error(Errc code, std::string message, std::string where = {}) {
  return Error{code, std::move(message), std::move(where)};
}

template <typename T>
class [[nodiscard]] Result : public std::expected<T, Error> {
 public:
  using std::expected<T, Error>::expected;
  Result(Error e) : std::expected<T, Error>(std::unexpect, std::move(e)) {}  // NOLINT
};

template <>
class [[nodiscard]] Result<void> : public std::expected<void, Error> {
 public:
  using std::expected<void, Error>::expected;
  Result() : std::expected<void, Error>() {}
  Result(Error e) : std::expected<void, Error>(std::unexpect, std::move(e)) {}  // NOLINT
};

using Status = Result<void>;

inline Status ok() { return {}; }

// Propagate an error from an expression returning Result/Status.
#define BRINE_TRY(expr)                                          \
  do {                                                           \
    if (auto brine_try_r_ = (expr); !brine_try_r_) {             \
      return ::brine::Error(std::move(brine_try_r_).error());    \
    }                                                            \
  } while (0)

// Abort on a broken invariant (never for bad input).
#define BRINE_ASSERT(cond)                                                              \
  do {                                                                                  \
    if (!(cond)) ::brine::detail::assert_fail(#cond, __FILE__, __LINE__);               \
  } while (0)

namespace detail {
[[noreturn]] inline void assert_fail(const char* cond, const char* file, int line) {
  std::fprintf(stderr, "brine: assertion failed: %s at %s:%d\n", cond, file, line);
  std::abort();
}
}  // namespace detail

}  // namespace brine
