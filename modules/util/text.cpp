#include "modules/util/text.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "modules/binding.h"

namespace brine::modules::text {

namespace {
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
}  // namespace

Result<std::vector<std::string>> shlex_split(std::string_view s) {
  std::vector<std::string> out;
  std::string token;
  bool in_token = false;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (is_space(c)) {
      if (in_token) {
        out.push_back(std::move(token));
        token.clear();
        in_token = false;
      }
      ++i;
    } else if (c == '\'') {
      in_token = true;
      size_t end = s.find('\'', i + 1);
      if (end == std::string_view::npos) {
        return make_error(Errc::kInvalidArgument, "No closing quotation");
      }
      token.append(s.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '"') {
      in_token = true;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        char d = s[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) {
          token += s[i + 1];
          i += 2;
          continue;
        }
        if (d == '\\' && i + 1 >= s.size()) {
          return make_error(Errc::kInvalidArgument, "No closing quotation");
        }
        token += d;
        ++i;
      }
      if (!closed) return make_error(Errc::kInvalidArgument, "No closing quotation");
    } else if (c == '\\') {
      if (i + 1 >= s.size()) return make_error(Errc::kInvalidArgument, "No escaped character");
      in_token = true;
      token += s[i + 1];
      i += 2;
    } else {
      in_token = true;
      token += c;
      ++i;
    }
  }
  if (in_token) out.push_back(std::move(token));
  return out;
}

std::string shlex_quote(std::string_view s) {
  if (s.empty()) return "''";
  bool safe = true;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("@%+=:,./-_", c))) {
      safe = false;
      break;
    }
  }
  if (safe) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\"'\"'";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string sanitize_utf8(std::string s) {
  // Fast path: valid input is returned untouched.
  auto valid_at = [&](size_t i, size_t* len) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    char32_t cp;
    if (c < 0x80) {
      *len = 1;
      return true;
    } else if ((c & 0xE0) == 0xC0) {
      n = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    *len = n;
    return true;
  };
  size_t i = 0, len = 0;
  while (i < s.size() && valid_at(i, &len)) i += len;
  if (i == s.size()) return s;
  std::string out = s.substr(0, i);
  while (i < s.size()) {
    if (valid_at(i, &len)) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string_view rstrip(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view strip(std::string_view s) {
  s = rstrip(s);
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

std::vector<Value> split_input(const Value& v) {
  if (v.is_list()) return v.as_list();
  std::string str = v.is_string() ? v.as_string() : coerce_to_str(v);
  std::vector<Value> out;
  size_t start = 0;
  while (true) {
    size_t comma = str.find(',', start);
    std::string_view piece = std::string_view(str).substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    out.emplace_back(std::string(strip(piece)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<std::string_view> splitlines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' || s[i] == '\r') {
      out.push_back(s.substr(start, i - start));
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < s.size()) out.push_back(s.substr(start));
  return out;
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

Result<std::string> read_file(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    return make_error(e == ENOENT ? Errc::kNotFound : Errc::kIo, path + ": " + std::strerror(e));
  }
  std::string out;
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return make_error(Errc::kIo, path + ": " + std::strerror(e));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      return make_error(Errc::kInvalidArgument,
                        path + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string read_trimmed(const std::string& path, size_t max_bytes) {
  auto r = read_file(path, max_bytes);
  return r ? std::string(strip(*r)) : std::string();
}

bool path_exists(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0;
}

bool is_directory(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

std::string ascii_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace brine::modules::text
