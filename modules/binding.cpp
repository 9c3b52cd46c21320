#include "modules/binding.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "common/codec/python_repr.h"

namespace brine::modules {

namespace {

// ---------------------------------------------------------------------------
// Python literals for parameter defaults: None, True, False, 42, -1, 1.5,
// 'text', "text", [...], {...}. Small and strict: tables are code.

class LiteralParser {
 public:
  explicit LiteralParser(std::string_view s) : s_(s) {}

  Result<Value> parse() {
    auto v = value(0);
    if (!v) return v;
    skip_space();
    if (pos_ != s_.size()) return fail("trailing characters");
    return v;
  }

 private:
  Error fail(std::string_view what) const {
    return make_error(Errc::kInvalidArgument,
                      "bad default literal '" + std::string(s_) + "': " + std::string(what));
  }
  void skip_space() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }
  bool eat(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Result<Value> value(int depth) {
    if (depth > 8) return fail("too deep");
    skip_space();
    if (pos_ >= s_.size()) return fail("empty");
    char c = s_[pos_];
    if (c == '\'' || c == '"') return string(c);
    if (c == '[') {
      ++pos_;
      List items;
      if (eat(']')) return Value(std::move(items));
      while (true) {
        auto item = value(depth + 1);
        if (!item) return item;
        items.push_back(std::move(*item));
        if (eat(']')) break;
        if (!eat(',')) return fail("expected ',' or ']'");
      }
      return Value(std::move(items));
    }
    if (c == '{') {
      ++pos_;
      Map items;
      if (eat('}')) return Value(std::move(items));
      while (true) {
        skip_space();
        if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return fail("bad key");
        auto key = string(s_[pos_]);
        if (!key) return key;
        if (!eat(':')) return fail("expected ':'");
        auto item = value(depth + 1);
        if (!item) return item;
        items.set(key->as_string(), std::move(*item));
        if (eat('}')) break;
        if (!eat(',')) return fail("expected ',' or '}'");
      }
      return Value(std::move(items));
    }
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != ']' && s_[pos_] != '}' &&
           s_[pos_] != ' ') {
      ++pos_;
    }
    std::string_view word = s_.substr(start, pos_ - start);
    if (word == "None") return Value();
    if (word == "True") return Value(true);
    if (word == "False") return Value(false);
    int64_t i = 0;
    auto [p, ec] = std::from_chars(word.data(), word.data() + word.size(), i);
    if (ec == std::errc() && p == word.data() + word.size()) return Value(i);
    double d = 0;
    auto [pd, ecd] = std::from_chars(word.data(), word.data() + word.size(), d);
    if (ecd == std::errc() && pd == word.data() + word.size()) return Value(d);
    return fail("unknown word '" + std::string(word) + "'");
  }

  Result<Value> string(char quote) {
    ++pos_;
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      char c = s_[pos_++];
      if (c == '\\' && pos_ < s_.size()) {
        char e = s_[pos_++];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        out += c;
      }
    }
    if (pos_ >= s_.size()) return fail("unterminated string");
    ++pos_;
    return Value(std::move(out));
  }

  std::string_view s_;
  size_t pos_ = 0;
};

std::string plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// Python's "'a', 'b', and 'c'" list for missing-argument messages.
std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += names.size() == 2 ? " and " : (i + 1 == names.size() ? ", and " : ", ");
    out += "'" + names[i] + "'";
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Value> parse_python_literal(std::string_view text) { return LiteralParser(text).parse(); }

std::string coerce_to_str(const Value& v) { return codec::python_str(v); }

Result<Value> coerce(const Value& v, Type type) {
  if (v.is_null()) return v;
  switch (type) {
    case Type::kAny:
      return v;
    case Type::kString:
      if (v.is_string()) return v;
      if (v.is_list() || v.is_map()) {
        return type_error(std::string("expected a string, not '") + v.type_name() + "'");
      }
      return Value(codec::python_str(v));
    case Type::kInt: {
      if (v.is_int()) return v;
      if (v.is_bool()) return Value(v.as_bool() ? 1 : 0);
      if (v.is_float()) {
        if (!std::isfinite(v.as_float())) {
          return type_error("cannot convert float " + codec::python_repr(v) + " to integer");
        }
        return Value(static_cast<int64_t>(v.as_float()));
      }
      if (v.is_string()) {
        std::string_view s = trim(v.as_string());
        if (!s.empty() && s.front() == '+') s.remove_prefix(1);
        int64_t i = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
        if (!s.empty() && ec == std::errc() && p == s.data() + s.size()) return Value(i);
        return type_error("invalid literal for int() with base 10: " + codec::python_repr(v));
      }
      return type_error(
          std::string("int() argument must be a string, a bytes-like object or a real number, "
                      "not '") +
          v.type_name() + "'");
    }
    case Type::kFloat: {
      if (v.is_float()) return v;
      if (v.is_int()) return Value(static_cast<double>(v.as_int()));
      if (v.is_bool()) return Value(v.as_bool() ? 1.0 : 0.0);
      if (v.is_string()) {
        std::string_view s = trim(v.as_string());
        double d = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
        if (!s.empty() && ec == std::errc() && p == s.data() + s.size()) return Value(d);
        return type_error("could not convert string to float: " + codec::python_repr(v));
      }
      return type_error(std::string("float() argument must be a string or a real number, not '") +
                        v.type_name() + "'");
    }
    case Type::kBool:
      return Value(v.truthy());
    case Type::kList:
      if (v.is_list()) return v;
      return type_error(std::string("expected a list, not '") + v.type_name() + "'");
    case Type::kMap:
      if (v.is_map()) return v;
      return type_error(std::string("expected a dict, not '") + v.type_name() + "'");
  }
  return v;
}

Status check_parameters(const Function& f) {
  std::set<std::string_view> seen;
  bool defaulted = false;
  for (const Parameter& p : f.params) {
    if (p.name.empty() || !seen.insert(p.name).second) {
      return make_error(Errc::kInvalidArgument,
                        f.full_name + ": duplicate or empty parameter name '" + p.name + "'");
    }
    if (p.def) {
      defaulted = true;
    } else if (defaulted) {
      return make_error(Errc::kInvalidArgument, f.full_name + ": required parameter '" + p.name +
                                                    "' follows a parameter with a default");
    }
  }
  return ok();
}

Result<Call> bind_arguments(const Function& f, const List& args, const Map& kwargs, Context& ctx) {
  auto declared = [&](std::string_view name) -> const Parameter* {
    for (const Parameter& p : f.params) {
      if (p.name == name) return &p;
    }
    return nullptr;
  };

  // Salt's load_args_and_kwargs: undeclared kwargs without **kwargs.
  if (!f.varkwargs) {
    std::string invalid;
    for (const auto& [k, v] : kwargs) {
      if (declared(k)) continue;
      if (!invalid.empty()) invalid += ", ";
      invalid += k + "=" + codec::python_str(v);
    }
    if (!invalid.empty()) {
      return invocation_error("The following keyword arguments are not valid: " + invalid);
    }
  }

  // Python's binding.
  const std::string fname = f.name + "()";
  const size_t nparams = f.params.size();
  if (args.size() > nparams && !f.varargs) {
    size_t required = 0;
    for (const Parameter& p : f.params) required += p.def ? 0 : 1;
    std::string takes = required == nparams
                            ? plural(nparams, "positional argument", "positional arguments")
                            : "from " + std::to_string(required) + " to " +
                                  std::to_string(nparams) + " positional arguments";
    return type_error(fname + " takes " + takes + " but " + std::to_string(args.size()) +
                      (args.size() == 1 ? " was" : " were") + " given");
  }

  Call call{f, ctx, Map{}, List{}, Map{}};
  call.params.reserve(nparams);
  std::vector<bool> given(nparams, false);
  std::vector<Value> values(nparams);
  for (size_t i = 0; i < args.size(); ++i) {
    if (i < nparams) {
      values[i] = args[i];
      given[i] = true;
    } else {
      call.args.push_back(args[i]);
    }
  }
  for (const auto& [k, v] : kwargs) {
    size_t idx = nparams;
    for (size_t i = 0; i < nparams; ++i) {
      if (f.params[i].name == k) idx = i;
    }
    if (idx == nparams) {
      call.kwargs.set(k, v);  // only reachable with **kwargs (checked above)
      continue;
    }
    if (given[idx]) {
      return type_error(fname + " got multiple values for argument '" + k + "'");
    }
    values[idx] = v;
    given[idx] = true;
  }
  std::vector<std::string> missing;
  for (size_t i = 0; i < nparams; ++i) {
    if (!given[i] && !f.params[i].def) missing.push_back(f.params[i].name);
  }
  if (!missing.empty()) {
    return type_error(
        fname + " missing " +
        plural(missing.size(), "required positional argument", "required positional arguments") +
        ": " + quoted_list(missing));
  }
  for (size_t i = 0; i < nparams; ++i) {
    const Parameter& p = f.params[i];
    if (!given[i]) {
      call.params.set(p.name, *p.def);
      continue;
    }
    auto v = coerce(values[i], p.type);
    if (!v) {
      return type_error("argument '" + p.name + "': " + v.error().message);
    }
    call.params.set(p.name, std::move(*v));
  }
  return call;
}

}  // namespace brine::modules
