// Faults (the engine's internal errors) and a small expected<T, FaultPtr>.
//
// The engine keeps its own instead of std::expected so that its lexer and
// parser also build with the installed clang (14), whose libstdc++ 12
// <expected> cannot be used; the libFuzzer target needs clang. Only what the
// engine uses is provided: construction from a value or from Unexpected,
// bool test, *, ->, error(). The public API still returns brine::Result.
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

namespace brine::jinja {

enum class FaultKind : uint8_t {
  kUndefined,  // UndefinedError: Salt prints "Jinja variable ..."
  kSyntax,     // TemplateSyntaxError / TemplateRuntimeError / SecurityError
  kSaltCall,   // an execution module failed: "Problem running salt function ..."
  kOther,      // TypeError, ValueError, ...: Salt prints "Jinja error: ..."
  kNotFound,   // TemplateNotFound
};

struct Fault {
  FaultKind kind = FaultKind::kOther;
  std::string message;
  std::string template_name;  // set by the statement that saw the fault first
  int line = 0;
  bool parse = false;  // raised while compiling (TemplateSyntaxError)
  std::string source;  // parse faults: the template text, for error context
  bool located() const { return line > 0; }
};
using FaultPtr = std::unique_ptr<Fault>;

// The failure alternative (like std::unexpected<FaultPtr>).
class Unexpected {
 public:
  explicit Unexpected(FaultPtr f) : f_(std::move(f)) {}
  FaultPtr& error() { return f_; }

 private:
  FaultPtr f_;
};

template <typename T>
class Expected {
 public:
  using value_type = T;
  template <typename U = T,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::decay_t<U>, Expected> &&
                                        !std::is_same_v<std::decay_t<U>, Unexpected>>>
  [[gnu::always_inline]] Expected(U&& v) : ok_(true) {  // NOLINT(google-explicit-constructor)
    new (&val_) T(std::forward<U>(v));
  }
  Expected(Unexpected u) : ok_(false) { new (&err_) FaultPtr(std::move(u.error())); }  // NOLINT
  [[gnu::always_inline]] Expected(Expected&& o) noexcept : ok_(o.ok_) {
    if (ok_) {
      new (&val_) T(std::move(o.val_));
    } else {
      new (&err_) FaultPtr(std::move(o.err_));
    }
  }
  Expected(const Expected&) = delete;
  Expected& operator=(const Expected&) = delete;
  Expected& operator=(Expected&& o) noexcept {
    if (this != &o) {
      this->~Expected();
      new (this) Expected(std::move(o));
    }
    return *this;
  }
  [[gnu::always_inline]] ~Expected() {
    if (ok_) [[likely]] {
      val_.~T();
    } else {
      err_.~FaultPtr();
    }
  }

  explicit operator bool() const { return ok_; }
  bool has_value() const { return ok_; }
  T& operator*() & { return val_; }
  const T& operator*() const& { return val_; }
  T&& operator*() && { return std::move(val_); }
  T* operator->() { return &val_; }
  const T* operator->() const { return &val_; }
  T& value() & { return val_; }
  FaultPtr& error() { return err_; }
  const FaultPtr& error() const { return err_; }

 private:
  bool ok_;
  union {
    T val_;
    FaultPtr err_;
  };
};

template <>
class Expected<void> {
 public:
  Expected() = default;
  Expected(Unexpected u) : err_(std::move(u.error())) {}  // NOLINT
  explicit operator bool() const { return !err_; }
  bool has_value() const { return !err_; }
  FaultPtr& error() { return err_; }
  const FaultPtr& error() const { return err_; }

 private:
  FaultPtr err_;
};

}  // namespace brine::jinja
