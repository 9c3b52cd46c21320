// yaml_load: yaml-cpp's event parser feeding a Value builder that applies
// Salt's typing. Events (not yaml-cpp's Node tree) keep each scalar's style
// (plain "?" vs quoted "!"), every mark for error messages, and duplicate
// keys, which the Node API would hide.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cmath>
#include <istream>
#include <map>
#include <streambuf>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/codec/yaml.h"
#include "common/codec/yaml_scalar.h"

namespace brine::codec {
namespace {

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

// Reads the caller's buffer in place (std::istringstream would copy it).
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view s) {
    char* p = const_cast<char*>(s.data());  // never written: get area only
    setg(p, p, p + s.size());
  }

 protected:
  pos_type seekoff(off_type off, std::ios_base::seekdir dir, std::ios_base::openmode) override {
    char* target = dir == std::ios_base::beg   ? eback() + off
                   : dir == std::ios_base::cur ? gptr() + off
                                               : egptr() + off;
    if (target < eback() || target > egptr()) return pos_type(off_type(-1));
    setg(eback(), target, egptr());
    return pos_type(target - eback());
  }
  pos_type seekpos(pos_type pos, std::ios_base::openmode mode) override {
    return seekoff(off_type(pos), std::ios_base::beg, mode);
  }
};

// Thrown from event callbacks (which return void) and caught in yaml_load.
struct BuildError {
  YAML::Mark mark;
  std::string message;
};

[[noreturn]] void fail(const YAML::Mark& mark, std::string message) {
  throw BuildError{mark, std::move(message)};
}

std::string where(std::string_view source, const YAML::Mark& mark) {
  if (mark.is_null()) return std::string(source);
  return std::string(source) + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(mark.column + 1);
}

const char* node_id(const Value& v) {
  if (v.is_list()) return "sequence";
  if (v.is_map()) return "mapping";
  return "scalar";
}

// Rough memory weight of a value, to bound what aliases may copy.
size_t weight(const Value& v) {
  size_t w = sizeof(Value);
  if (v.is_string()) {
    w += v.as_string().size();
  } else if (v.is_list()) {
    for (const Value& item : v.as_list()) w += weight(item);
  } else if (v.is_map()) {
    for (const auto& [k, item] : v.as_map()) w += k.size() + weight(item);
  }
  return w;
}

Result<std::string> base64_decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int d;
    if (c >= 'A' && c <= 'Z') {
      d = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      d = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      d = c - '0' + 52;
    } else if (c == '+') {
      d = 62;
    } else if (c == '/') {
      d = 63;
    } else if (c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    } else {
      return make_error(Errc::kParse, "failed to decode base64 data");
    }
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

class Builder : public YAML::EventHandler {
 public:
  Value take_root() { return std::move(root_); }
  // Records "<source>:<line>:<col>" of each key of the top-level mapping.
  void record_top_level_keys(std::string_view source,
                             std::map<std::string, std::string>* key_where) {
    source_ = source;
    key_where_ = key_where;
  }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    deliver(Value(), mark, anchor, /*merge_key=*/false);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) fail(mark, "found a recursive alias (an anchor used inside itself)");
    alias_budget_used_ += it->second.weight;
    if (alias_budget_used_ > kYamlMaxAliasBytes) {
      fail(mark,
           "aliases expand to more than " + std::to_string(kYamlMaxAliasBytes >> 20) + " MiB");
    }
    deliver(Value(it->second.value), mark, 0, false);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& text) override {
    bool merge_key = false;
    Result<Value> v = Value();
    if (tag == "?") {
      YamlTag t = resolve_plain(text);
      if (expecting_key() && t == YamlTag::kMerge) {
        merge_key = true;
      } else if (expecting_key() && t == YamlTag::kValue) {
        v = Value(text);  // Salt's flatten_mapping turns a `=` key into a string
      } else if (t == YamlTag::kStr) {
        v = salt_string(text);
      } else {
        v = construct_scalar(t, text);
      }
    } else if (tag == "!") {
      v = salt_string(text);
    } else if (tag.starts_with(kTagPrefix)) {
      std::string_view name = std::string_view(tag).substr(kTagPrefix.size());
      if (name == "str") {
        v = salt_string(text);
      } else if (name == "python/unicode") {
        v = Value(text);
      } else if (name == "null") {
        v = Value();
      } else if (name == "bool") {
        v = construct_scalar(YamlTag::kBool, text);
      } else if (name == "int") {
        v = construct_scalar(YamlTag::kInt, text);
      } else if (name == "float") {
        v = construct_scalar(YamlTag::kFloat, text);
      } else if (name == "timestamp") {
        v = Value(text);
      } else if (name == "binary") {
        auto bytes = base64_decode(text);
        if (!bytes) fail(mark, bytes.error().message);
        v = Value(std::move(*bytes));
      } else {
        unknown_tag(mark, tag);
      }
    } else {
      unknown_tag(mark, tag);
    }
    if (!v) fail(mark, v.error().message);
    deliver(std::move(*v), mark, anchor, merge_key);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    if (tag != "?" && tag != "!" && tag != "tag:yaml.org,2002:seq") unknown_tag(mark, tag);
    push(mark, anchor, Value(List{}));
  }
  void OnSequenceEnd() override { pop(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    if (tag != "?" && tag != "!" && tag != "tag:yaml.org,2002:map") unknown_tag(mark, tag);
    push(mark, anchor, Value(Map{}));
  }
  void OnMapEnd() override {
    finish_merges(stack_.back());
    pop();
  }

 private:
  struct Merge {
    YAML::Mark mark;
    Value value;
  };
  struct Frame {
    Value value;
    YAML::Mark mark;
    YAML::anchor_t anchor = 0;
    // Mapping state: the pending key, if any.
    bool have_key = false;
    bool key_is_merge = false;
    std::string key;
    YAML::Mark key_mark;
    std::vector<Merge> merges;
    // Python-equality forms of non-string keys (1, 1.0 and true are equal).
    std::unordered_set<std::string> numeric_keys;
  };
  struct Anchor {
    Value value;
    size_t weight = 0;
  };

  bool expecting_key() const {
    return !stack_.empty() && stack_.back().value.is_map() && !stack_.back().have_key;
  }

  // Salt evaluates strings written as Python unicode literals (u'x'); only
  // the plain case without escapes or inner quotes is handled.
  static Value salt_string(const std::string& text) {
    if (text.size() >= 4 && (text[0] == 'u' || text[0] == 'U') &&
        (text[1] == '\'' || text[1] == '"') && text.back() == text[1]) {
      std::string_view inner = std::string_view(text).substr(2, text.size() - 3);
      if (inner.find(text[1]) == std::string_view::npos &&
          inner.find('\\') == std::string_view::npos) {
        return Value(std::string(inner));
      }
    }
    return Value(text);
  }

  [[noreturn]] static void unknown_tag(const YAML::Mark& mark, const std::string& tag) {
    fail(mark, "could not determine a constructor for the tag '" + tag + "'");
  }

  void push(const YAML::Mark& mark, YAML::anchor_t anchor, Value container) {
    if (stack_.size() >= kYamlMaxDepth) {
      fail(mark, "nesting deeper than " + std::to_string(kYamlMaxDepth) + " levels");
    }
    if (expecting_key()) {
      fail(mark, std::string("found unacceptable key (a ") +
                     (container.is_list() ? "sequence" : "mapping") + " cannot be a mapping key)");
    }
    Frame f;
    f.value = std::move(container);
    f.mark = mark;
    f.anchor = anchor;
    stack_.push_back(std::move(f));
  }

  void pop() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    deliver(std::move(f.value), f.mark, f.anchor, false);
  }

  void deliver(Value v, const YAML::Mark& mark, YAML::anchor_t anchor, bool merge_key) {
    if (anchor != 0) anchors_[anchor] = Anchor{v, weight(v)};
    if (stack_.empty()) {
      root_ = std::move(v);
      return;
    }
    Frame& top = stack_.back();
    if (top.value.is_list()) {
      top.value.as_list().push_back(std::move(v));
      return;
    }
    if (!top.have_key) {
      if (v.is_list() || v.is_map()) fail(mark, "found unacceptable key");
      top.have_key = true;
      top.key_is_merge = merge_key;
      top.key_mark = mark;
      if (!merge_key) {
        add_key(top, v, mark);
        if (key_where_ != nullptr && stack_.size() == 1) {
          (*key_where_)[top.key] = where(source_, mark);
        }
      }
      return;
    }
    top.have_key = false;
    if (top.key_is_merge) {
      top.merges.push_back(Merge{top.key_mark, std::move(v)});
      return;
    }
    top.value.as_map().set(top.key, std::move(v));
  }

  void add_key(Frame& f, const Value& key, const YAML::Mark& mark) {
    f.key = python_key_string(key);
    bool conflict = f.value.as_map().contains(f.key);
    if (!key.is_string() && !key.is_null()) {
      std::string norm;
      if (key.is_bool()) {
        norm = key.as_bool() ? "1" : "0";
      } else if (key.is_int()) {
        norm = std::to_string(key.as_int());
      } else {
        double d = key.as_float();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e18) {
          norm = std::to_string(static_cast<int64_t>(d));
        } else {
          norm = f.key;
        }
      }
      conflict = !f.numeric_keys.insert(norm).second || conflict;
    }
    if (conflict) fail(mark, "found conflicting ID '" + f.key + "'");
  }

  // Salt's flatten_mapping: merged entries come first, in the order of the
  // `<<` keys (a list of mappings contributes them last to first); entries
  // the mapping sets itself are dropped from the merge; duplicates among the
  // merged entries are conflicts.
  void finish_merges(Frame& f) {
    if (f.merges.empty()) return;
    std::vector<const Map*> sources;
    for (const Merge& m : f.merges) {
      if (m.value.is_map()) {
        sources.push_back(&m.value.as_map());
      } else if (m.value.is_list()) {
        const List& list = m.value.as_list();
        for (auto it = list.rbegin(); it != list.rend(); ++it) {
          if (!it->is_map()) {
            fail(m.mark, std::string("expected a mapping for merging, but found ") + node_id(*it));
          }
          sources.push_back(&it->as_map());
        }
      } else {
        fail(m.mark, std::string("expected a mapping or list of mappings for merging, but found ") +
                         node_id(m.value));
      }
    }
    const Map& own = f.value.as_map();
    Map merged;
    for (const Map* src : sources) {
      for (const auto& [k, v] : *src) {
        if (own.contains(k)) continue;
        if (merged.contains(k)) fail(f.merges.front().mark, "found conflicting ID '" + k + "'");
        merged.set(k, v);
      }
    }
    for (auto& [k, v] : f.value.as_map()) merged.set(k, std::move(v));
    f.value = Value(std::move(merged));
  }

  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Anchor> anchors_;
  size_t alias_budget_used_ = 0;
  Value root_;
  std::string_view source_;
  std::map<std::string, std::string>* key_where_ = nullptr;
};

// Sees whether the stream holds another document after the first.
class SecondDocument : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    fail(mark, "expected a single document in the stream, but found another document");
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// yaml-cpp's wording for common syntax errors, in PyYAML's words, which is
// what Salt users have learnt to read.
std::string pyyaml_wording(const std::string& msg) {
  static constexpr std::pair<std::string_view, std::string_view> kWords[] = {
      {"illegal map value", "mapping values are not allowed here"},
      {"illegal map key", "mapping keys are not allowed here"},
      {"illegal block entry", "block sequence entries are not allowed here"},
      {"end of map not found", "while parsing a block mapping: expected <block end>"},
      {"end of sequence not found", "while parsing a block collection: expected <block end>"},
      {"end of map flow not found", "while parsing a flow mapping: expected ',' or '}'"},
      {"end of sequence flow not found", "while parsing a flow sequence: expected ',' or ']'"},
      {"illegal EOF in scalar", "while scanning a quoted scalar: found unexpected end of stream"},
      {"the referenced anchor is not defined", "found undefined alias"},
  };
  for (const auto& [from, to] : kWords) {
    if (msg == from) return std::string(to);
  }
  return msg;
}

// Runs `body` (which drives a YAML::Parser) and converts every exception
// into a kParse error naming source:line:col.
template <typename F>
Status guarded(std::string_view source_name, F body) {
  try {
    body();
  } catch (const BuildError& e) {
    return make_error(Errc::kParse, e.message, where(source_name, e.mark));
  } catch (const YAML::Exception& e) {
    return make_error(Errc::kParse, pyyaml_wording(e.msg), where(source_name, e.mark));
  } catch (const std::exception& e) {
    return make_error(Errc::kParse, e.what(), std::string(source_name));
  }
  return ok();
}

}  // namespace

Result<Value> yaml_load(std::string_view text, std::string_view source_name) {
  return yaml_load(text, source_name, nullptr);
}

Result<Value> yaml_load(std::string_view text, std::string_view source_name,
                        std::map<std::string, std::string>* key_where) {
  ViewBuf buf(text);
  std::istream in(&buf);
  Builder builder;
  builder.record_top_level_keys(source_name, key_where);
  BRINE_TRY(guarded(source_name, [&] {
    YAML::Parser parser(in);
    if (!parser.HandleNextDocument(builder)) return;
    SecondDocument second;
    parser.HandleNextDocument(second);
  }));
  return builder.take_root();
}

Result<Value> yaml_load_all(std::string_view text, std::string_view source_name) {
  ViewBuf buf(text);
  std::istream in(&buf);
  List docs;
  BRINE_TRY(guarded(source_name, [&] {
    YAML::Parser parser(in);
    while (true) {
      Builder builder;
      if (!parser.HandleNextDocument(builder)) break;
      docs.push_back(builder.take_root());
    }
  }));
  return Value(std::move(docs));
}

}  // namespace brine::codec
