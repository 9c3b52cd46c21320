// Python logging formats -> spdlog patterns, and the %* flag printing Salt's
// level names.
#include <spdlog/pattern_formatter.h>

#include <string>

#include "common/log/log.h"
#include "common/log/log_internal.h"

namespace brine::log {
namespace {

// spdlog flags that mean the same as the strftime directive of that letter.
bool is_spdlog_time_flag(char c) {
  switch (c) {
    case 'a':
    case 'A':
    case 'b':
    case 'h':
    case 'B':
    case 'c':
    case 'C':
    case 'Y':
    case 'D':
    case 'x':
    case 'm':
    case 'd':
    case 'H':
    case 'I':
    case 'M':
    case 'S':
    case 'p':
    case 'r':
    case 'R':
    case 'T':
    case 'X':
    case 'z':
      return true;
    default:
      return false;
  }
}

void append_datefmt(std::string& out, std::string_view datefmt) {
  for (size_t i = 0; i < datefmt.size(); ++i) {
    const char c = datefmt[i];
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= datefmt.size()) {
      out += "%%";
      break;
    }
    const char d = datefmt[++i];
    if (d == '%') {
      out += "%%";
    } else if (d == 'y') {
      out += "%C";  // spdlog's two-digit year
    } else if (is_spdlog_time_flag(d)) {
      out.push_back('%');
      out.push_back(d);
    }
    // Other directives (%j, %U, ...) have no spdlog flag: dropped.
  }
}

// The spdlog flag for a LogRecord attribute; '\0' when it has none.
char flag_for(std::string_view key) {
  if (key == "message") return 'v';
  if (key == "levelname") return kSaltLevelFlag;
  if (key == "levelno") return kSaltLevelNumberFlag;
  if (key == "name") return 'n';
  if (key == "msecs") return 'e';
  if (key == "process") return 'P';
  if (key == "thread" || key == "threadName") return 't';
  if (key == "lineno") return '#';
  if (key == "filename" || key == "module") return 's';
  if (key == "pathname") return 'g';
  if (key == "funcName") return '!';
  return '\0';
}

}  // namespace

std::string to_spdlog_pattern(std::string_view fmt, std::string_view datefmt) {
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    const char c = fmt[i];
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '%') {
      out += "%%";
      ++i;
      continue;
    }
    if (i + 1 >= fmt.size() || fmt[i + 1] != '(') {
      out += "%%";  // a lone % prints as itself
      continue;
    }
    const size_t close = fmt.find(')', i + 2);
    if (close == std::string_view::npos) {
      out += "%%";
      continue;
    }
    const std::string_view key = fmt.substr(i + 2, close - i - 2);
    // %(key)[flags][width][.precision]type
    size_t j = close + 1;
    bool left = false;
    while (j < fmt.size() &&
           (fmt[j] == '-' || fmt[j] == '0' || fmt[j] == ' ' || fmt[j] == '+' || fmt[j] == '#')) {
      if (fmt[j] == '-') left = true;
      ++j;
    }
    size_t width = 0;
    while (j < fmt.size() && fmt[j] >= '0' && fmt[j] <= '9') {
      width = width * 10 + static_cast<size_t>(fmt[j] - '0');
      ++j;
    }
    if (j < fmt.size() && fmt[j] == '.') {
      ++j;
      while (j < fmt.size() && fmt[j] >= '0' && fmt[j] <= '9') ++j;
    }
    if (j < fmt.size()) ++j;  // the conversion type: s, d, f, r...
    i = j - 1;

    if (key == "asctime") {
      append_datefmt(out, datefmt);
      continue;
    }
    const char flag = flag_for(key);
    if (flag == '\0') continue;
    out.push_back('%');
    // msecs is already three digits in spdlog (%e), as "%(msecs)03d" wants.
    if (width > 0 && flag != 'e') {
      if (left) out.push_back('-');
      out += std::to_string(std::min<size_t>(width, 64));
    }
    out.push_back(flag);
  }
  return out;
}

namespace detail {

std::string_view salt_level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "TRACE";
    case spdlog::level::debug:
      return "DEBUG";
    case spdlog::level::info:
      return "INFO";
    case spdlog::level::warn:
      return "WARNING";
    case spdlog::level::err:
      return "ERROR";
    case spdlog::level::critical:
      return "CRITICAL";
    default:
      return "NOTSET";
  }
}

int salt_level_number(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return 5;
    case spdlog::level::debug:
      return 10;
    case spdlog::level::info:
      return 20;
    case spdlog::level::warn:
      return 30;
    case spdlog::level::err:
      return 40;
    case spdlog::level::critical:
      return 50;
    default:
      return 0;
  }
}

namespace {

// Pads like Python's %-8s / %8s: spdlog hands custom flags the padding spec.
void append_padded(const spdlog::details::padding_info& pad, std::string_view text,
                   spdlog::memory_buf_t& dest) {
  const size_t fill = pad.enabled() && pad.width_ > text.size() ? pad.width_ - text.size() : 0;
  using Side = spdlog::details::padding_info::pad_side;
  const size_t before = pad.side_ == Side::left ? fill : pad.side_ == Side::center ? fill / 2 : 0;
  for (size_t k = 0; k < before; ++k) dest.push_back(' ');
  dest.append(text.data(), text.data() + text.size());
  for (size_t k = before; k < fill; ++k) dest.push_back(' ');
}

class SaltLevelName final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    append_padded(padinfo_, salt_level_name(msg.level), dest);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SaltLevelName>();
  }
};

class SaltLevelNumber final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    append_padded(padinfo_, std::to_string(salt_level_number(msg.level)), dest);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SaltLevelNumber>();
  }
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_formatter(std::string_view python_fmt,
                                                  std::string_view datefmt) {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  f->add_flag<SaltLevelName>(kSaltLevelFlag);
  f->add_flag<SaltLevelNumber>(kSaltLevelNumberFlag);
  f->set_pattern(to_spdlog_pattern(python_fmt, datefmt));
  return f;
}

}  // namespace detail
}  // namespace brine::log
