// salt/output/nested.py and no_return.py, line for line.
#include "common/output/nested.h"

#include <algorithm>
#include <vector>

#include "common/codec/python_repr.h"
#include "common/output/colors.h"

namespace brine::output {
namespace {

// Deeper structures are still printed, but past this depth as their repr on
// one line so hostile data cannot exhaust the stack.
constexpr int kMaxDepth = 200;

class Nest {
 public:
  explicit Nest(const Options& o) : c_(colors(o.color)), retcode_(o.retcode) {}

  void display(const Value& ret, int indent, std::string_view prefix, int depth) {
    if (depth > kMaxDepth) {
      line(indent, c_.green, codec::python_repr(ret), prefix);
      return;
    }
    switch (ret.kind()) {
      case Value::Kind::kNull:
        line(indent, c_.light_yellow, "None", prefix);
        return;
      case Value::Kind::kBool:
        line(indent, c_.light_yellow, ret.as_bool() ? "True" : "False", prefix);
        return;
      case Value::Kind::kInt:
        line(indent, c_.light_yellow, std::to_string(ret.as_int()), prefix);
        return;
      case Value::Kind::kFloat:
        line(indent, c_.light_yellow, codec::python_float_repr(ret.as_float()), prefix);
        return;
      case Value::Kind::kString: {
        std::vector<std::string_view> lines;
        split_lines(ret.as_string(), lines);
        std::string pad(prefix.size(), ' ');
        bool first = true;
        for (auto l : lines) {
          line(indent, c_.green, strip_esc(l), first ? prefix : std::string_view(pad));
          first = false;
        }
        return;
      }
      case Value::Kind::kList: {
        std::string_view color = retcode_ != 0 ? c_.red : c_.green;
        for (const auto& item : ret.as_list()) {
          if (item.is_list() || item.is_map()) {
            line(indent, color, "|_", "");
            display(item, indent + 2, item.is_map() ? "" : "- ", depth + 1);
          } else {
            display(item, indent, "- ", depth + 1);
          }
        }
        return;
      }
      case Value::Kind::kMap: {
        std::string_view color = retcode_ != 0 ? c_.red : c_.cyan;
        if (indent) line(indent, color, "----------", "");
        std::vector<const Map::Item*> items;
        items.reserve(ret.as_map().size());
        for (const auto& item : ret.as_map()) items.push_back(&item);
        std::sort(items.begin(), items.end(),
                  [](const Map::Item* a, const Map::Item* b) { return a->first < b->first; });
        for (const auto* item : items) {
          line(indent, color, item->first, prefix, ":");
          display(item->second, indent + 4, "", depth + 1);
        }
        return;
      }
    }
  }

  std::string take() { return std::move(out_); }

 private:
  // ustring(): indent, color, prefix, msg, endc, suffix.
  void line(int indent, std::string_view color, std::string_view msg, std::string_view prefix,
            std::string_view suffix = "") {
    if (!first_) out_.push_back('\n');
    first_ = false;
    out_.append(static_cast<size_t>(indent), ' ');
    out_.append(color);
    out_.append(prefix);
    out_.append(msg);
    out_.append(c_.endc);
    out_.append(suffix);
  }

  Colors c_;
  int retcode_;
  std::string out_;
  bool first_ = true;
};

void no_return(const Value& ret, int indent, const Colors& c, std::string& out, int depth) {
  if (depth > kMaxDepth) return;
  if (ret.is_string()) {
    std::string_view s = ret.as_string();
    size_t start = 0;
    while (true) {
      size_t pos = s.find('\n', start);
      std::string_view l = s.substr(start, pos == std::string_view::npos ? pos : pos - start);
      out.append(c.red);
      out.append(static_cast<size_t>(indent), ' ');
      out.append(l);
      out.append(c.endc);
      out.push_back('\n');
      if (pos == std::string_view::npos) break;
      start = pos + 1;
    }
  } else if (ret.is_map()) {
    std::vector<const Map::Item*> items;
    for (const auto& item : ret.as_map()) items.push_back(&item);
    std::sort(items.begin(), items.end(),
              [](const Map::Item* a, const Map::Item* b) { return a->first < b->first; });
    for (const auto* item : items) {
      out.append(c.cyan);
      out.append(static_cast<size_t>(indent), ' ');
      out.append(item->first);
      out.append(c.endc);
      out.append(":\n");
      no_return(item->second, indent + 4, c, out, depth + 1);
    }
  }
}

}  // namespace

void split_lines(std::string_view s, std::vector<std::string_view>& out) {
  size_t start = 0;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t brk = 0;  // length of the line break at i
    if (c == '\n' || c == '\v' || c == '\f' || c == 0x1c || c == 0x1d || c == 0x1e) {
      brk = 1;
    } else if (c == '\r') {
      brk = (i + 1 < s.size() && s[i + 1] == '\n') ? 2 : 1;
    } else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) {
      brk = 2;
    } else if (c == 0xe2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0xa8 ||
                static_cast<unsigned char>(s[i + 2]) == 0xa9)) {
      brk = 3;
    }
    if (brk) {
      out.push_back(s.substr(start, i - start));
      i += brk;
      start = i;
    } else {
      ++i;
    }
  }
  if (start < s.size()) out.push_back(s.substr(start));
}

std::string strip_esc(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '\033', '?');
  return out;
}

std::string render_nested(const Value& data, const Options& options) {
  Nest nest(options);
  nest.display(data, options.nested_indent, "", 0);
  return nest.take();
}

std::string render_no_return(const Value& data, const Options& options) {
  std::string out;
  no_return(data, 0, colors(options.color), out, 0);
  return out;
}

}  // namespace brine::output
