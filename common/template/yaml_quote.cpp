// YAML scalar quoting for Salt's yaml_dquote / yaml_squote filters (as
// PyYAML's emitter writes double- and single-quoted scalars).
#include <cstdio>
#include <string>

#include "common/template/serialize.h"
#include "common/template/unicode.h"

namespace brine::jinja::serialize {

std::string yaml_double_quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (size_t pos = 0; pos < s.size();) {
    // Printable ASCII other than '"' and '\\' is copied as is, a run at a time.
    size_t run = pos;
    while (run < s.size()) {
      unsigned char ch = static_cast<unsigned char>(s[run]);
      if (ch < 0x20 || ch > 0x7E || ch == '"' || ch == '\\') break;
      ++run;
    }
    if (run > pos) {
      out.append(s.substr(pos, run - pos));
      pos = run;
      continue;
    }
    char32_t c = utf8::next(s, &pos);
    const char* rep = nullptr;
    switch (c) {
      case 0:
        rep = "0";
        break;
      case 0x07:
        rep = "a";
        break;
      case 0x08:
        rep = "b";
        break;
      case 0x09:
        rep = "t";
        break;
      case 0x0A:
        rep = "n";
        break;
      case 0x0B:
        rep = "v";
        break;
      case 0x0C:
        rep = "f";
        break;
      case 0x0D:
        rep = "r";
        break;
      case 0x1B:
        rep = "e";
        break;
      case '"':
        rep = "\"";
        break;
      case '\\':
        rep = "\\";
        break;
      case 0x85:
        rep = "N";
        break;
      case 0xA0:
        rep = "_";
        break;
      case 0x2028:
        rep = "L";
        break;
      case 0x2029:
        rep = "P";
        break;
      default:
        break;
    }
    if (rep) {
      out += '\\';
      out += rep;
    } else if (c >= 0x20 && c <= 0x7E) {
      out += static_cast<char>(c);
    } else {
      char buf[16];
      if (c <= 0xFF) {
        std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(c));
      } else if (c <= 0xFFFF) {
        std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
      } else {
        std::snprintf(buf, sizeof buf, "\\U%08X", static_cast<unsigned>(c));
      }
      out += buf;
    }
  }
  out += '"';
  return out;
}

std::string yaml_single_quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  bool in_breaks = false;
  for (size_t pos = 0; pos < s.size();) {
    // A run of plain ASCII (no quote, no break) is copied as is.
    size_t run = pos;
    while (run < s.size()) {
      auto ch = static_cast<unsigned char>(s[run]);
      if (ch == '\n' || ch == '\'' || ch >= 0x80) break;
      ++run;
    }
    if (run > pos) {
      out.append(s.substr(pos, run - pos));
      in_breaks = false;
      pos = run;
      continue;
    }
    size_t at = pos;
    char32_t c = utf8::next(s, &pos);
    bool brk = c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029;
    if (brk) {
      // A run of breaks starting with '\n' gets one extra line break.
      if (!in_breaks && c == '\n') out += '\n';
      in_breaks = true;
      out.append(s.substr(at, pos - at));
      continue;
    }
    in_breaks = false;
    if (c == '\'') {
      out += "''";
    } else {
      out.append(s.substr(at, pos - at));
    }
  }
  out += '\'';
  return out;
}

}  // namespace brine::jinja::serialize
