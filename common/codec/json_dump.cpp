#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "common/codec/json.h"
#include "common/codec/python_repr.h"
#include "common/codec/utf8.h"

namespace brine::codec {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_u(std::string& out, unsigned v) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(v >> shift) & 0xF]);
}

// json.encoder's py_encode_basestring(_ascii).
void append_string(std::string& out, std::string_view s, bool ensure_ascii) {
  out.push_back('"');
  for (size_t pos = 0; pos < s.size();) {
    const auto byte = static_cast<unsigned char>(s[pos]);
    if (byte >= 0x20 && byte < 0x7F && byte != '"' && byte != '\\') {
      // Fast path: copy the run of plain ASCII at once.
      size_t end = pos + 1;
      while (end < s.size()) {
        const auto b = static_cast<unsigned char>(s[end]);
        if (b < 0x20 || b >= 0x7F || b == '"' || b == '\\') break;
        ++end;
      }
      out.append(s.substr(pos, end - pos));
      pos = end;
      continue;
    }
    const char32_t cp = detail::next_code_point(s, &pos);
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (cp < 0x20) {
      append_u(out, cp);
    } else if (!ensure_ascii) {
      detail::append_utf8(out, cp);
    } else if (cp < 0x10000) {
      append_u(out, cp);
    } else {
      const char32_t v = cp - 0x10000;
      append_u(out, 0xD800 | (v >> 10));
      append_u(out, 0xDC00 | (v & 0x3FF));
    }
  }
  out.push_back('"');
}

class Dumper {
 public:
  Dumper(std::string& out, const JsonDumpOptions& o) : out_(out), o_(o) {}

  void dump(const Value& v, int level) {
    switch (v.kind()) {
      case Value::Kind::kNull:
        out_ += "null";
        return;
      case Value::Kind::kBool:
        out_ += v.as_bool() ? "true" : "false";
        return;
      case Value::Kind::kInt:
        out_ += std::to_string(v.as_int());
        return;
      case Value::Kind::kFloat: {
        const double d = v.as_float();
        if (std::isnan(d)) {
          out_ += "NaN";
        } else if (std::isinf(d)) {
          out_ += d > 0 ? "Infinity" : "-Infinity";
        } else {
          append_python_float_repr(out_, d);
        }
        return;
      }
      case Value::Kind::kString:
        append_string(out_, v.as_string(), o_.ensure_ascii);
        return;
      case Value::Kind::kList: {
        const List& list = v.as_list();
        if (list.empty()) {
          out_ += "[]";
          return;
        }
        out_.push_back('[');
        bool first = true;
        for (const Value& item : list) {
          separator(first, level + 1);
          dump(item, level + 1);
        }
        newline(level);
        out_.push_back(']');
        return;
      }
      case Value::Kind::kMap: {
        const Map& map = v.as_map();
        if (map.empty()) {
          out_ += "{}";
          return;
        }
        out_.push_back('{');
        bool first = true;
        auto item = [&](const Map::Item& kv) {
          separator(first, level + 1);
          append_string(out_, kv.first, o_.ensure_ascii);
          out_ += ": ";
          dump(kv.second, level + 1);
        };
        if (o_.sort_keys) {
          std::vector<const Map::Item*> items;
          items.reserve(map.size());
          for (const auto& kv : map) items.push_back(&kv);
          std::sort(items.begin(), items.end(),
                    [](const Map::Item* a, const Map::Item* b) { return a->first < b->first; });
          for (const Map::Item* kv : items) item(*kv);
        } else {
          for (const auto& kv : map) item(kv);
        }
        newline(level);
        out_.push_back('}');
        return;
      }
    }
  }

 private:
  void separator(bool& first, int level) {
    if (!first) out_ += o_.indent >= 0 ? "," : ", ";
    first = false;
    newline(level);
  }
  void newline(int level) {
    if (o_.indent < 0) return;
    out_.push_back('\n');
    out_.append(static_cast<size_t>(o_.indent) * static_cast<size_t>(level), ' ');
  }

  std::string& out_;
  const JsonDumpOptions& o_;
};

}  // namespace

void json_dump_to(std::string& out, const Value& v, const JsonDumpOptions& options) {
  Dumper(out, options).dump(v, 0);
}

std::string json_dump(const Value& v, const JsonDumpOptions& options) {
  std::string out;
  json_dump_to(out, v, options);
  return out;
}

}  // namespace brine::codec
