// yaml_dump: a port of PyYAML's Representer + Emitter (emitter.py) for the
// subset safe_dump produces from plain data. The emitter state (column,
// whitespace, indention, indent stack, open_ended) and every decision follow
// emitter.py step by step, so the output matches PyYAML byte for byte;
// PyYAML's event state machine is written here as recursion.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common/codec/python_repr.h"
#include "common/codec/utf8.h"
#include "common/codec/yaml.h"
#include "common/codec/yaml_scalar.h"

namespace brine::codec {
namespace {

using Text = std::u32string;
using TextView = std::u32string_view;

Text decode(std::string_view s) {
  Text t;
  t.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) t.push_back(detail::next_code_point(s, &pos));
  return t;
}

bool is_break(char32_t c) { return c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029; }
bool is_blank_or_end(char32_t c) {
  return c == 0 || c == ' ' || c == '\t' || c == '\r' || is_break(c);
}
bool contains(std::u32string_view set, char32_t c) { return set.find(c) != TextView::npos; }

struct Analysis {
  bool empty = false;
  bool multiline = false;
  bool allow_flow_plain = true;
  bool allow_block_plain = true;
  bool allow_single_quoted = true;
  bool allow_double_quoted = true;
};

// emitter.py analyze_scalar.
Analysis analyze(TextView s, bool allow_unicode) {
  Analysis a;
  if (s.empty()) {
    a.empty = true;
    a.allow_flow_plain = false;
    return a;
  }
  bool block_indicators = false, flow_indicators = false, line_breaks = false,
       special_characters = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false,
       break_space = false, space_break = false;
  if (s.starts_with(U"---") || s.starts_with(U"...")) block_indicators = flow_indicators = true;
  bool preceded_by_whitespace = true;
  bool followed_by_whitespace = s.size() == 1 || is_blank_or_end(s[1]);
  bool previous_space = false, previous_break = false;
  for (size_t index = 0; index < s.size(); ++index) {
    const char32_t ch = s[index];
    if (index == 0) {
      if (contains(U"#,[]{}&*!|>'\"%@`", ch)) flow_indicators = block_indicators = true;
      if (ch == '?' || ch == ':') {
        flow_indicators = true;
        if (followed_by_whitespace) block_indicators = true;
      }
      if (ch == '-' && followed_by_whitespace) flow_indicators = block_indicators = true;
    } else {
      if (contains(U",?[]{}", ch)) flow_indicators = true;
      if (ch == ':') {
        flow_indicators = true;
        if (followed_by_whitespace) block_indicators = true;
      }
      if (ch == '#' && preceded_by_whitespace) flow_indicators = block_indicators = true;
    }
    if (is_break(ch)) line_breaks = true;
    if (!(ch == '\n' || (ch >= 0x20 && ch <= 0x7E))) {
      const bool unicode = (ch == 0x85 || (ch >= 0xA0 && ch <= 0xD7FF) ||
                            (ch >= 0xE000 && ch <= 0xFFFD) || (ch >= 0x10000 && ch < 0x10FFFF)) &&
                           ch != 0xFEFF;
      if (!unicode || !allow_unicode) special_characters = true;
    }
    if (ch == ' ') {
      if (index == 0) leading_space = true;
      if (index == s.size() - 1) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (is_break(ch)) {
      if (index == 0) leading_break = true;
      if (index == s.size() - 1) trailing_break = true;
      if (previous_space) space_break = true;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = previous_break = false;
    }
    preceded_by_whitespace = is_blank_or_end(ch);
    followed_by_whitespace = index + 2 >= s.size() || is_blank_or_end(s[index + 2]);
  }
  if (leading_space || leading_break || trailing_space || trailing_break) {
    a.allow_flow_plain = a.allow_block_plain = false;
  }
  if (break_space) a.allow_flow_plain = a.allow_block_plain = a.allow_single_quoted = false;
  if (space_break || special_characters) {
    a.allow_flow_plain = a.allow_block_plain = a.allow_single_quoted = false;
  }
  if (line_breaks) a.allow_flow_plain = a.allow_block_plain = false;
  if (flow_indicators) a.allow_flow_plain = false;
  if (block_indicators) a.allow_block_plain = false;
  a.multiline = line_breaks;
  return a;
}

// representer.py represent_float, with repr() lower-cased and "1e+20"
// turned into "1.0e+20" so it resolves as a float again.
std::string float_text(double d) {
  if (std::isnan(d)) return ".nan";
  if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
  std::string s = python_float_repr(d);
  if (s.find('.') == std::string::npos && s.find('e') != std::string::npos) {
    s.insert(s.find('e'), ".0");
  }
  return s;
}

class Emitter {
 public:
  explicit Emitter(const YamlDumpOptions& o)
      : best_indent_(o.indent > 1 && o.indent < 10 ? o.indent : 2),
        best_width_(o.width > best_indent_ * 2 ? o.width : 80),
        allow_unicode_(o.allow_unicode),
        sort_keys_(o.sort_keys),
        flow_(o.flow),
        flow_auto_(o.default_flow_style_none),
        explicit_start_(o.explicit_start) {}

  std::string run(const Value& v) {
    // expect_document_start: an implicit document unless asked otherwise.
    if (explicit_start_) {
      write_indent();
      write_indicator(U"---", true);
    }
    expect_node(v, /*root=*/true, false, false, false);
    // expect_document_end, then the stream end.
    write_indent();
    if (open_ended_) {
      write_indicator(U"...", true);
      write_indent();
    }
    return std::move(out_);
  }

 private:
  // representer.py represent_sequence/represent_mapping: flow style when
  // asked, or (default_flow_style=None) when every child is a scalar.
  bool flow_style(const Value& v) const {
    if (flow_) return true;
    if (!flow_auto_) return false;
    auto scalar = [](const Value& x) { return !x.is_list() && !x.is_map(); };
    if (v.is_list()) return std::all_of(v.as_list().begin(), v.as_list().end(), scalar);
    for (const auto& [k, x] : v.as_map()) {
      if (!scalar(x)) return false;
    }
    return true;
  }

  static bool is_empty_collection(const Value& v) {
    return (v.is_list() && v.as_list().empty()) || (v.is_map() && v.as_map().empty());
  }

  void expect_node(const Value& v, bool root, bool sequence, bool mapping, bool simple_key) {
    root_ctx_ = root;
    sequence_ctx_ = sequence;
    mapping_ctx_ = mapping;
    simple_key_ctx_ = simple_key;
    if (v.is_list()) {
      if (flow_level_ > 0 || flow_style(v) || v.as_list().empty()) {
        expect_flow_sequence(v.as_list());
      } else {
        expect_block_sequence(v.as_list());
      }
    } else if (v.is_map()) {
      if (flow_level_ > 0 || flow_style(v) || v.as_map().empty()) {
        expect_flow_mapping(v.as_map());
      } else {
        expect_block_mapping(v.as_map());
      }
    } else {
      expect_scalar(v);
    }
  }

  void expect_scalar(const Value& v) {
    increase_indent(/*flow=*/true, false);
    process_scalar(v);
    pop_indent();
  }

  void process_scalar(const Value& v) {
    const bool split = !simple_key_ctx_;
    switch (v.kind()) {
      case Value::Kind::kNull:
        write_plain(U"null", split);
        return;
      case Value::Kind::kBool:
        write_plain(v.as_bool() ? U"true" : U"false", split);
        return;
      case Value::Kind::kInt:
        write_plain(decode(std::to_string(v.as_int())), split);
        return;
      case Value::Kind::kFloat:
        write_plain(decode(float_text(v.as_float())), split);
        return;
      default:
        break;
    }
    const std::string& s = v.as_string();
    const Text text = decode(s);
    const Analysis a = analyze(text, allow_unicode_);
    // choose_scalar_style for a str with no requested style: plain when the
    // text resolves back to a str and plain is allowed in this context.
    const bool implicit = resolve_plain(s) == YamlTag::kStr;
    if (implicit && !(simple_key_ctx_ && (a.empty || a.multiline)) &&
        ((flow_level_ > 0 && a.allow_flow_plain) || (flow_level_ == 0 && a.allow_block_plain))) {
      write_plain(text, split);
    } else if (a.allow_single_quoted && !(simple_key_ctx_ && a.multiline)) {
      write_single_quoted(text, split);
    } else {
      write_double_quoted(text, split);
    }
  }

  // check_simple_key for a str key: its prepared tag "!!str" counts too.
  bool simple_key(const std::string& key) const {
    const Text text = decode(key);
    if (text.size() + 5 >= 128) return false;
    if (text.empty()) return false;
    return std::none_of(text.begin(), text.end(), is_break);
  }

  void expect_block_sequence(const List& items) {
    const bool indentless = mapping_ctx_ && !indention_;
    increase_indent(false, indentless);
    for (const Value& item : items) {
      write_indent();
      write_indicator(U"-", true, false, true);
      expect_node(item, false, true, false, false);
    }
    pop_indent();
  }

  template <typename F>
  void for_each_item(const Map& map, F f) {
    if (!sort_keys_) {
      for (const auto& item : map) f(item);
      return;
    }
    std::vector<const Map::Item*> items;
    items.reserve(map.size());
    for (const auto& item : map) items.push_back(&item);
    std::sort(items.begin(), items.end(),
              [](const Map::Item* a, const Map::Item* b) { return a->first < b->first; });
    for (const Map::Item* item : items) f(*item);
  }

  void expect_block_mapping(const Map& map) {
    increase_indent(false, false);
    for_each_item(map, [this](const Map::Item& item) {
      write_indent();
      const Value key(item.first);
      if (simple_key(item.first)) {
        expect_node(key, false, false, true, true);
        write_indicator(U":", false);
        expect_node(item.second, false, false, true, false);
      } else {
        write_indicator(U"?", true, false, true);
        expect_node(key, false, false, true, false);
        write_indent();
        write_indicator(U":", true, false, true);
        expect_node(item.second, false, false, true, false);
      }
    });
    pop_indent();
  }

  void expect_flow_sequence(const List& items) {
    write_indicator(U"[", true, true);
    ++flow_level_;
    increase_indent(true, false);
    bool first = true;
    for (const Value& item : items) {
      if (!first) write_indicator(U",", false);
      first = false;
      if (column_ > best_width_) write_indent();
      expect_node(item, false, true, false, false);
    }
    pop_indent();
    --flow_level_;
    write_indicator(U"]", false);
  }

  void expect_flow_mapping(const Map& map) {
    write_indicator(U"{", true, true);
    ++flow_level_;
    increase_indent(true, false);
    bool first = true;
    for_each_item(map, [this, &first](const Map::Item& item) {
      if (!first) write_indicator(U",", false);
      first = false;
      if (column_ > best_width_) write_indent();
      const Value key(item.first);
      if (simple_key(item.first)) {
        expect_node(key, false, false, true, true);
        write_indicator(U":", false);
        expect_node(item.second, false, false, true, false);
      } else {
        write_indicator(U"?", true);
        expect_node(key, false, false, true, false);
        if (column_ > best_width_) write_indent();
        write_indicator(U":", true);
        expect_node(item.second, false, false, true, false);
      }
    });
    pop_indent();
    --flow_level_;
    write_indicator(U"}", false);
  }

  void increase_indent(bool flow, bool indentless) {
    indents_.push_back(indent_);
    if (indent_ < 0) {
      indent_ = flow ? best_indent_ : 0;
    } else if (!indentless) {
      indent_ += best_indent_;
    }
  }
  void pop_indent() {
    indent_ = indents_.back();
    indents_.pop_back();
  }

  void write(TextView data) {
    for (char32_t c : data) detail::append_utf8(out_, c);
    column_ += static_cast<int>(data.size());
  }

  void write_indicator(TextView indicator, bool need_whitespace, bool whitespace = false,
                       bool indention = false) {
    if (!whitespace_ && need_whitespace) write(U" ");
    write(indicator);
    whitespace_ = whitespace;
    indention_ = indention_ && indention;
    open_ended_ = false;
  }

  void write_indent() {
    const int indent = indent_ < 0 ? 0 : indent_;
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) {
      write_line_break();
    }
    if (column_ < indent) {
      whitespace_ = true;
      out_.append(static_cast<size_t>(indent - column_), ' ');
      column_ = indent;
    }
  }

  void write_line_break(char32_t br = '\n') {
    whitespace_ = true;
    indention_ = true;
    column_ = 0;
    detail::append_utf8(out_, br);
  }

  void write_breaks(TextView breaks) {
    if (breaks[0] == '\n') write_line_break();
    for (char32_t br : breaks) write_line_break(br);
    write_indent();
  }

  void write_plain(TextView text, bool split) {
    if (root_ctx_) open_ended_ = true;
    if (text.empty()) return;
    if (!whitespace_) write(U" ");
    whitespace_ = false;
    indention_ = false;
    bool spaces = false, breaks = false;
    size_t start = 0;
    for (size_t end = 0; end <= text.size(); ++end) {
      const char32_t ch = end < text.size() ? text[end] : 0;
      const bool at_end = end == text.size();
      if (spaces) {
        if (at_end || ch != ' ') {
          if (start + 1 == end && column_ > best_width_ && split) {
            write_indent();
            whitespace_ = false;
            indention_ = false;
          } else {
            write(text.substr(start, end - start));
          }
          start = end;
        }
      } else if (breaks) {
        if (at_end || !is_break(ch)) {
          write_breaks(text.substr(start, end - start));
          whitespace_ = false;
          indention_ = false;
          start = end;
        }
      } else if (at_end || ch == ' ' || is_break(ch)) {
        write(text.substr(start, end - start));
        start = end;
      }
      if (!at_end) {
        spaces = ch == ' ';
        breaks = is_break(ch);
      }
    }
  }

  void write_single_quoted(TextView text, bool split) {
    write_indicator(U"'", true);
    bool spaces = false, breaks = false;
    size_t start = 0;
    for (size_t end = 0; end <= text.size(); ++end) {
      const bool at_end = end == text.size();
      const char32_t ch = at_end ? 0 : text[end];
      if (spaces) {
        if (at_end || ch != ' ') {
          if (start + 1 == end && column_ > best_width_ && split && start != 0 &&
              end != text.size()) {
            write_indent();
          } else {
            write(text.substr(start, end - start));
          }
          start = end;
        }
      } else if (breaks) {
        if (at_end || !is_break(ch)) {
          write_breaks(text.substr(start, end - start));
          start = end;
        }
      } else if (at_end || ch == ' ' || is_break(ch) || ch == '\'') {
        if (start < end) {
          write(text.substr(start, end - start));
          start = end;
        }
      }
      if (!at_end && ch == '\'') {
        write(U"''");
        start = end + 1;
      }
      if (!at_end) {
        spaces = ch == ' ';
        breaks = is_break(ch);
      }
    }
    write_indicator(U"'", false);
  }

  static const char* escape_for(char32_t c) {
    switch (c) {
      case 0:
        return "0";
      case 0x07:
        return "a";
      case 0x08:
        return "b";
      case 0x09:
        return "t";
      case 0x0A:
        return "n";
      case 0x0B:
        return "v";
      case 0x0C:
        return "f";
      case 0x0D:
        return "r";
      case 0x1B:
        return "e";
      case '"':
        return "\"";
      case '\\':
        return "\\";
      case 0x85:
        return "N";
      case 0xA0:
        return "_";
      case 0x2028:
        return "L";
      case 0x2029:
        return "P";
      default:
        return nullptr;
    }
  }

  void write_double_quoted(TextView text, bool split) {
    write_indicator(U"\"", true);
    size_t start = 0;
    for (size_t end = 0; end <= text.size(); ++end) {
      const bool at_end = end == text.size();
      const char32_t ch = at_end ? 0 : text[end];
      const bool printable =
          (ch >= 0x20 && ch <= 0x7E) ||
          (allow_unicode_ && ((ch >= 0xA0 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD)));
      if (at_end || ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 ||
          ch == 0xFEFF || !printable) {
        if (start < end) {
          write(text.substr(start, end - start));
          start = end;
        }
        if (!at_end) {
          std::string data = "\\";
          if (const char* e = escape_for(ch)) {
            data += e;
          } else {
            char buf[16];
            if (ch <= 0xFF) {
              std::snprintf(buf, sizeof buf, "x%02X", static_cast<unsigned>(ch));
            } else if (ch <= 0xFFFF) {
              std::snprintf(buf, sizeof buf, "u%04X", static_cast<unsigned>(ch));
            } else {
              std::snprintf(buf, sizeof buf, "U%08X", static_cast<unsigned>(ch));
            }
            data += buf;
          }
          out_ += data;
          column_ += static_cast<int>(data.size());
          start = end + 1;
        }
      }
      if (end > 0 && end + 1 < text.size() && (ch == ' ' || start >= end) &&
          column_ + static_cast<int>(end - start) > best_width_ && split) {
        if (start < end) {
          write(text.substr(start, end - start));
          start = end;
        }
        write(U"\\");
        write_indent();
        whitespace_ = false;
        indention_ = false;
        if (text[start] == ' ') write(U"\\");
      }
    }
    write_indicator(U"\"", false);
  }

  const int best_indent_;
  const int best_width_;
  const bool allow_unicode_;
  const bool sort_keys_;
  const bool flow_;
  const bool flow_auto_;
  const bool explicit_start_;

  std::string out_;
  int column_ = 0;
  bool whitespace_ = true;
  bool indention_ = true;
  bool open_ended_ = false;
  int flow_level_ = 0;
  int indent_ = -1;  // PyYAML's None
  std::vector<int> indents_;
  bool root_ctx_ = false;
  bool sequence_ctx_ = false;
  bool mapping_ctx_ = false;
  bool simple_key_ctx_ = false;
};

}  // namespace

std::string yaml_dump(const Value& v, const YamlDumpOptions& options) {
  return Emitter(options).run(v);
}

}  // namespace brine::codec
