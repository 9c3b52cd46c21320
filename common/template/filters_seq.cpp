// Jinja's sequence, mapping and number filters (min/max/unique are Salt's
// versions, which Salt installs over Jinja's).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>

#include "common/template/builtins.h"
#include "common/template/interp.h"
#include "common/template/print.h"
#include "common/template/registry.h"
#include "common/template/strings.h"
#include "common/template/unicode.h"

namespace brine::jinja {
namespace {

using A = CallArgs;

// make_attrgetter: "a.b.0" → getitem chain (digit parts are ints).
Vals attr_parts(const Val& attribute) {
  Vals parts;
  if (attribute.is_absent() || attribute.is_none()) return parts;
  if (attribute.is_str()) {
    for (const auto& p : strings::split(attribute.as_str(), ".", -1, false)) {
      if (!p.empty() && p.find_first_not_of("0123456789") == std::string::npos && p.size() < 18) {
        parts.push_back(Val::integer(std::stoll(p)));
      } else {
        parts.push_back(Val::str(p));
      }
    }
  } else {
    parts.push_back(attribute);
  }
  return parts;
}

Val ignore_case(const Val& v) {
  if (!v.is_str()) return v;
  const std::string& s = v.as_str();
  bool plain = true;  // no upper-case ASCII and no non-ASCII: lower() is the identity
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || c >= 0x80) {
      plain = false;
      break;
    }
  }
  return plain ? v : Val::str(utf8::lower(s));
}

RV get_parts(Interp& in, Val item, const Vals& parts, const Val* dflt) {
  for (const auto& p : parts) {
    JSET(item, getitem(in, item, p));
    if (dflt && item.is_undefined()) item = *dflt;
  }
  return item;
}

R<bool> flag(const Val& v, bool dflt) {
  if (v.is_absent()) return dflt;
  return truthy(v);
}

RV f_default(Interp&, Val& v, A& a) {
  Val p[2];
  JTRY(bind_args(a, "do_default", {"default_value", "boolean"}, 0, p));
  Val dflt = p[0].is_absent() ? Val::str("") : p[0];
  JASSIGN(bool boolean, flag(p[1], false));
  if (v.is_undefined()) return dflt;
  if (boolean) {
    JASSIGN(bool t, truthy(v));
    if (!t) return dflt;
  }
  return v;
}

RV f_length(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "len", {}, 0, p));
  JASSIGN(int64_t n, length(v));
  return Val::integer(n);
}

RV f_first(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_first", {}, 0, p));
  Vals items;
  JTRY(iterate(v, items));
  if (items.empty()) return Val::undefined("No first item, sequence was empty.");
  return items.front();
}

RV f_last(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_last", {}, 0, p));
  Vals items;
  JTRY(iterate(v, items));
  if (items.empty()) return Val::undefined("No last item, sequence was empty.");
  return items.back();
}

RV f_random(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_random", {}, 0, p));
  Vals items;
  JTRY(iterate(v, items));
  if (items.empty()) return Val::undefined("No random item, sequence was empty.");
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(rng)];
}

// Python float(str): whitespace, underscores between digits, inf/nan.
bool parse_float(std::string_view s, double* out) {
  std::string t(utf8::strip(s, nullptr, true, true));
  std::string clean;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '_') {
      if (i == 0 || i + 1 >= t.size() || !std::isdigit(static_cast<unsigned char>(t[i - 1])) ||
          !std::isdigit(static_cast<unsigned char>(t[i + 1]))) {
        return false;
      }
      continue;
    }
    clean += t[i];
  }
  if (clean.empty()) return false;
  std::string lower = utf8::lower(clean);
  std::string_view body = lower;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == "inf" || body == "infinity") {
    *out = neg ? -INFINITY : INFINITY;
    return true;
  }
  if (body == "nan") {
    *out = NAN;
    return true;
  }
  for (char c : body) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == '+' ||
          c == '-'))
      return false;
  }
  char* end = nullptr;
  *out = std::strtod(clean.c_str(), &end);
  return end == clean.c_str() + clean.size();
}

// Python int(str, base).
bool parse_int(std::string_view s, int base, int64_t* out) {
  std::string t(utf8::strip(s, nullptr, true, true));
  bool neg = false;
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
  if (base == 0 || base == 16 || base == 8 || base == 2) {
    if (i + 1 < t.size() && t[i] == '0') {
      char p = static_cast<char>(t[i + 1] | 0x20);
      int pb = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
      if (pb && (base == 0 || base == pb)) {
        base = pb;
        i += 2;
        if (i < t.size() && t[i] == '_') ++i;
      }
    }
    if (base == 0) base = 10;
  }
  if (base < 2 || base > 36) return false;
  std::string digits;
  for (size_t k = i; k < t.size(); ++k) {
    if (t[k] == '_') {
      if (k == i || k + 1 >= t.size() || t[k + 1] == '_') return false;
      continue;
    }
    digits += t[k];
  }
  if (digits.empty()) return false;
  int64_t v = 0;
  for (char c : digits) {
    int d = std::isdigit(static_cast<unsigned char>(c))   ? c - '0'
            : std::isalpha(static_cast<unsigned char>(c)) ? (c | 0x20) - 'a' + 10
                                                          : 99;
    if (d >= base) return false;
    if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, d, &v)) return false;
  }
  *out = neg ? -v : v;
  return true;
}

RV f_int(Interp&, Val& v, A& a) {
  Val p[2];
  JTRY(bind_args(a, "do_int", {"default", "base"}, 0, p));
  Val dflt = p[0].is_absent() ? Val::integer(0) : p[0];
  int64_t base = 10;
  if (!p[1].is_absent()) JSET(base, to_index(p[1]));
  JTRY(check_defined(v));
  if (v.is_intlike()) return Val::integer(v.as_int());
  if (v.is_float()) {
    double d = v.as_float();
    if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) return dflt;
    return Val::integer(static_cast<int64_t>(std::trunc(d)));
  }
  if (v.is_str()) {
    int64_t out;
    if (parse_int(v.as_str(), static_cast<int>(base), &out)) return Val::integer(out);
    double d;
    if (parse_float(v.as_str(), &d) && std::isfinite(d) && std::fabs(d) < 9.2e18) {
      return Val::integer(static_cast<int64_t>(std::trunc(d)));
    }
  }
  return dflt;
}

RV f_float(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_float", {"default"}, 0, p));
  Val dflt = p[0].is_absent() ? Val::real(0.0) : p[0];
  JTRY(check_defined(v));
  if (v.is_number()) return Val::real(v.as_number());
  if (v.is_str()) {
    double d;
    if (parse_float(v.as_str(), &d)) return Val::real(d);
  }
  return dflt;
}

RV f_abs(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "abs", {}, 0, p));
  JTRY(check_defined(v));
  if (v.is_float()) return Val::real(std::fabs(v.as_float()));
  if (v.is_intlike()) {
    int64_t i = v.as_int();
    if (i == INT64_MIN) return type_error("integer overflow");
    return Val::integer(i < 0 ? -i : i);
  }
  return type_error("bad operand type for abs(): '" + type_name(v) + "'");
}

double py_round(double x, int64_t nd) {
  if (!std::isfinite(x)) return x;
  if (nd > 300) return x;
  if (nd >= 0) {
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(nd), x);
    return std::strtod(buf, nullptr);
  }
  double pow1 = std::pow(10.0, static_cast<double>(-nd));
  double y = x / pow1;
  double z = std::nearbyint(y);  // round-half-even under the default mode
  if (std::isinf(z * pow1)) return x;
  return z * pow1;
}

RV f_round(Interp&, Val& v, A& a) {
  Val p[2];
  JTRY(bind_args(a, "do_round", {"precision", "method"}, 0, p));
  int64_t prec = 0;
  if (!p[0].is_absent()) JSET(prec, to_index(p[0]));
  std::string method = "common";
  if (!p[1].is_absent()) JSET(method, to_str(p[1]));
  if (method != "common" && method != "ceil" && method != "floor") {
    return runtime_error("method must be common, ceil or floor");
  }
  JTRY(check_defined(v));
  if (!v.is_number())
    return type_error("type " + type_name(v) + " doesn't define __round__ method");
  if (method == "common") {
    if (v.is_intlike()) {
      if (prec >= 0) return Val::integer(v.as_int());
      double r = py_round(static_cast<double>(v.as_int()), prec);
      return Val::integer(static_cast<int64_t>(r));
    }
    return Val::real(py_round(v.as_float(), prec));
  }
  double scale = std::pow(10.0, static_cast<double>(prec));
  double x = v.as_number() * scale;
  double r = method == "ceil" ? std::ceil(x) : std::floor(x);
  return Val::real(r / scale);
}

RV f_list(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_list", {}, 0, p));
  Vals items;
  JTRY(iterate(v, items));
  return Val::list(std::move(items));
}

RV f_reverse(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_reverse", {}, 0, p));
  JTRY(check_defined(v));
  if (v.is_str()) {
    Vals chars;
    JTRY(iterate(v, chars));
    std::string out;
    for (auto it = chars.rbegin(); it != chars.rend(); ++it) out += it->as_str();
    return Val::str(std::move(out));
  }
  Vals items;
  JTRY(iterate(v, items));
  std::reverse(items.begin(), items.end());
  return Val::list(std::move(items));
}

RV f_join(Interp& in, Val& v, A& a) {
  Val p[2];
  JTRY(bind_args(a, "do_join", {"d", "attribute"}, 0, p));
  std::string sep;
  if (!p[0].is_absent()) JSET(sep, to_str(p[0]));
  Vals items;
  JTRY(iterate(v, items));
  Vals parts = attr_parts(p[1]);
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    JASSIGN(Val item, get_parts(in, items[i], parts, nullptr));
    JTRY(append_str(out, item));
  }
  return Val::str(std::move(out));
}

RV f_items(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_items", {}, 0, p));
  if (v.is_undefined()) return Val::list();
  if (!v.is_dict()) return type_error("Can only get item pairs from a mapping.");
  Vals out;
  for (const auto& [k, val] : v.dict_obj()->items) out.push_back(Val::tuple({k, val}));
  return Val::list(std::move(out));
}

// Strings whose lower() is themselves (no upper-case ASCII, no non-ASCII).
bool lower_plain(const std::string& s) {
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || c >= 0x80) return false;
  }
  return true;
}

// Sorts strings (by bytes: UTF-8 order is code point order) or ints, stably.
template <typename Less>
void stable_sort_small(Vals& items, Less less) {
  if (items.size() > 16) {
    std::stable_sort(items.begin(), items.end(), less);
    return;
  }
  for (size_t i = 1; i < items.size(); ++i) {  // insertion sort: stable, no buffer
    Val x = std::move(items[i]);
    size_t j = i;
    for (; j > 0 && less(x, items[j - 1]); --j) items[j] = std::move(items[j - 1]);
    items[j] = std::move(x);
  }
}

RV f_sort(Interp& in, Val& v, A& a) {
  Val p[3];
  JTRY(bind_args(a, "do_sort", {"reverse", "case_sensitive", "attribute"}, 0, p));
  JASSIGN(bool reverse, flag(p[0], false));
  JASSIGN(bool cs, flag(p[1], false));
  if (p[2].is_absent() || p[2].is_none()) {
    // The usual `names|sort`: values that are their own sort keys.
    Vals items;
    JTRY(iterate(v, items));
    bool strs = true, ints = true;
    for (const Val& x : items) {
      strs = strs && x.is_str() && (cs || lower_plain(x.as_str()));
      ints = ints && x.is_int();
    }
    if (strs) {
      stable_sort_small(items, [reverse](const Val& x, const Val& y) {
        return reverse ? y.as_str() < x.as_str() : x.as_str() < y.as_str();
      });
      return Val::list(std::move(items));
    }
    if (ints) {
      stable_sort_small(items, [reverse](const Val& x, const Val& y) {
        return reverse ? y.as_int() < x.as_int() : x.as_int() < y.as_int();
      });
      return Val::list(std::move(items));
    }
  }
  Vals items;
  JTRY(iterate(v, items));
  std::vector<Vals> attrs;
  if (p[2].is_str()) {
    for (const auto& part : strings::split(p[2].as_str(), ",", -1, false))
      attrs.push_back(attr_parts(Val::str(part)));
  } else {
    attrs.push_back(attr_parts(p[2]));
  }
  Vals keys;
  keys.reserve(items.size());
  for (const auto& item : items) {
    Vals key;
    for (const auto& parts : attrs) {
      JASSIGN(Val k, get_parts(in, item, parts, nullptr));
      if (k.is_undefined()) JTRY(check_defined(k));
      key.push_back(cs ? k : ignore_case(k));
    }
    keys.push_back(key.size() == 1 ? key[0] : Val::list(std::move(key)));
    if (attrs.size() == 1) {
      // Python compares the one-element key lists element-wise: same order.
    }
  }
  JTRY(strings::sort_vals(items, reverse, &keys));
  return Val::list(std::move(items));
}

RV f_unique(Interp&, Val& v, A& a) {
  // Salt's unique(values): order-preserving for lists.
  Val p[2];
  JTRY(bind_args(a, "unique", {"case_sensitive", "attribute"}, 0, p));
  Vals items;
  JTRY(iterate(v, items));
  Vals out;
  for (auto& item : items) {
    bool seen = false;
    for (const auto& o : out) {
      if (equals(o, item)) {
        seen = true;
        break;
      }
    }
    if (!seen) out.push_back(std::move(item));
  }
  return Val::list(std::move(out));
}

RV min_max(Val& v, A& a, bool want_max) {
  Val p[2];
  JTRY(bind_args(a, want_max ? "lst_max" : "lst_min", {"case_sensitive", "attribute"}, 0, p));
  Vals items;
  JTRY(iterate(v, items));
  if (items.empty()) {
    return type_error(std::string(want_max ? "max" : "min") + "() arg is an empty sequence");
  }
  Val best = items[0];
  for (size_t i = 1; i < items.size(); ++i) {
    JASSIGN(bool better, want_max ? less_than(best, items[i]) : less_than(items[i], best));
    if (better) best = items[i];
  }
  return best;
}
RV f_min(Interp&, Val& v, A& a) { return min_max(v, a, false); }
RV f_max(Interp&, Val& v, A& a) { return min_max(v, a, true); }

RV f_sum(Interp& in, Val& v, A& a) {
  Val p[2];
  JTRY(bind_args(a, "do_sum", {"attribute", "start"}, 0, p));
  Val total = p[1].is_absent() ? Val::integer(0) : p[1];
  Vals items;
  JTRY(iterate(v, items));
  Vals parts = attr_parts(p[0]);
  for (const auto& item : items) {
    JASSIGN(Val x, get_parts(in, item, parts, nullptr));
    JSET(total, binop(BinOp::kAdd, total, x));
  }
  return total;
}

RV f_batch(Interp&, Val& v, A& a) {
  Val p[2];
  JTRY(bind_args(a, "do_batch", {"linecount", "fill_with"}, 1, p));
  JASSIGN(int64_t n, to_index(p[0]));
  if (n <= 0) return type_error("batch size must be positive");
  Vals items;
  JTRY(iterate(v, items));
  Vals out;
  Vals tmp;
  for (auto& item : items) {
    if (static_cast<int64_t>(tmp.size()) == n) {
      out.push_back(Val::list(std::move(tmp)));
      tmp.clear();
    }
    tmp.push_back(std::move(item));
  }
  if (!tmp.empty()) {
    if (!p[1].is_absent() && !p[1].is_none()) {
      while (static_cast<int64_t>(tmp.size()) < n) tmp.push_back(p[1]);
    }
    out.push_back(Val::list(std::move(tmp)));
  }
  return Val::list(std::move(out));
}

RV f_slice(Interp&, Val& v, A& a) {
  Val p[2];
  JTRY(bind_args(a, "do_slice", {"slices", "fill_with"}, 1, p));
  JASSIGN(int64_t slices, to_index(p[0]));
  if (slices <= 0) return type_error("integer division or modulo by zero");
  if (slices > 100000) return type_error("too many slices");
  Vals seq;
  JTRY(iterate(v, seq));
  int64_t len = static_cast<int64_t>(seq.size());
  int64_t per = len / slices, extra = len % slices, offset = 0;
  Vals out;
  for (int64_t k = 0; k < slices; ++k) {
    int64_t start = offset + k * per;
    if (k < extra) ++offset;
    int64_t end = offset + (k + 1) * per;
    Vals tmp(seq.begin() + start, seq.begin() + end);
    if (!p[1].is_absent() && !p[1].is_none() && k >= extra) tmp.push_back(p[1]);
    out.push_back(Val::list(std::move(tmp)));
  }
  return Val::list(std::move(out));
}

RV f_groupby(Interp& in, Val& v, A& a) {
  Val p[3];
  JTRY(bind_args(a, "do_groupby", {"attribute", "default", "case_sensitive"}, 1, p));
  JASSIGN(bool cs, flag(p[2], false));
  Vals parts = attr_parts(p[0]);
  const Val* dflt = (p[1].is_absent() || p[1].is_none()) ? nullptr : &p[1];
  Vals items;
  JTRY(iterate(v, items));
  Vals keys, raw;
  for (const auto& item : items) {
    JASSIGN(Val k, get_parts(in, item, parts, dflt));
    if (k.is_undefined()) JTRY(check_defined(k));
    raw.push_back(k);
    keys.push_back(cs ? k : ignore_case(k));
  }
  // Sort items, carrying (key, raw key) along.
  Vals order;
  for (size_t i = 0; i < items.size(); ++i) order.push_back(Val::integer(static_cast<int64_t>(i)));
  Vals sort_keys = keys;
  JTRY(strings::sort_vals(order, false, &sort_keys));
  Vals out;
  for (size_t i = 0; i < order.size();) {
    size_t first = static_cast<size_t>(order[i].as_int());
    Vals group;
    size_t j = i;
    while (j < order.size() && equals(keys[static_cast<size_t>(order[j].as_int())], keys[first])) {
      group.push_back(items[static_cast<size_t>(order[j].as_int())]);
      ++j;
    }
    Val grouper = cs ? keys[first] : raw[first];
    Val t = Val::tuple({grouper, Val::list(std::move(group))});
    t.list_obj()->view = ListObj::View::kGroup;
    out.push_back(std::move(t));
    i = j;
  }
  return Val::list(std::move(out));
}

RV f_attr(Interp& in, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_attr", {"name"}, 1, p));
  JASSIGN(std::string name, to_str(p[0]));
  return getattr_only(in, v, name);
}

RV f_map(Interp& in, Val& v, A& a) {
  Vals items;
  JTRY(iterate(v, items));
  Vals out;
  out.reserve(items.size());
  if (a.pos.empty() && a.has_kw("attribute")) {
    Val attribute, dflt;
    a.take("attribute", &attribute);
    bool has_default = a.take("default", &dflt);
    if (!a.kw.empty())
      return runtime_error("Unexpected keyword argument '" + a.kw[0].first.as_str() + "'");
    Vals parts = attr_parts(attribute);
    for (const auto& item : items) {
      JASSIGN(Val x, get_parts(in, item, parts, has_default && !dflt.is_none() ? &dflt : nullptr));
      out.push_back(std::move(x));
    }
    return Val::list(std::move(out));
  }
  if (a.pos.empty()) return runtime_error("map requires a filter argument");
  JASSIGN(std::string name, to_str(a.pos[0]));
  FilterFn fn = find_filter(name);
  if (!fn) return runtime_error("No filter named '" + name + "'.");
  for (auto& item : items) {
    CallArgs fa;
    fa.pos.assign(a.pos.begin() + 1, a.pos.end());
    fa.kw = a.kw;
    JASSIGN(Val x, fn(in, item, fa));
    out.push_back(std::move(x));
  }
  return Val::list(std::move(out));
}

RV select_reject(Interp& in, Val& v, A& a, bool select, bool lookup_attr) {
  JTRY(check_defined(v));
  JASSIGN(bool nonempty, truthy(v));
  if (!nonempty) return Val::list();
  size_t off = 0;
  Vals parts;
  if (lookup_attr) {
    if (a.pos.empty()) return runtime_error("Missing parameter for attribute name");
    parts = attr_parts(a.pos[0]);
    off = 1;
  }
  TestFn test = nullptr;
  if (a.pos.size() > off) {
    JASSIGN(std::string name, to_str(a.pos[off]));
    test = find_test(name);
    if (!test) return runtime_error("No test named '" + name + "'.");
  }
  Vals items;
  JTRY(iterate(v, items));
  Vals out;
  const bool test_args = a.pos.size() > off + 1 || !a.kw.empty();
  for (auto& item : items) {
    JASSIGN(Val x, get_parts(in, item, parts, nullptr));
    bool r;
    if (test) {
      CallArgs ta;  // a test may consume its arguments: a fresh copy per item
      if (test_args) {
        ta.pos.assign(a.pos.begin() + static_cast<ptrdiff_t>(off) + 1, a.pos.end());
        ta.kw = a.kw;
      }
      JSET(r, test(in, x, ta));
    } else {
      JSET(r, truthy(x));
    }
    if (r == select) out.push_back(std::move(item));
  }
  return Val::list(std::move(out));
}
RV f_select(Interp& in, Val& v, A& a) { return select_reject(in, v, a, true, false); }
RV f_reject(Interp& in, Val& v, A& a) { return select_reject(in, v, a, false, false); }
RV f_selectattr(Interp& in, Val& v, A& a) { return select_reject(in, v, a, true, true); }
RV f_rejectattr(Interp& in, Val& v, A& a) { return select_reject(in, v, a, false, true); }

}  // namespace

void add_seq_filters(FilterTable& t) {
  t["default"] = f_default;
  t["d"] = f_default;
  t["length"] = f_length;
  t["count"] = f_length;
  t["first"] = f_first;
  t["last"] = f_last;
  t["random"] = f_random;
  t["int"] = f_int;
  t["float"] = f_float;
  t["abs"] = f_abs;
  t["round"] = f_round;
  t["list"] = f_list;
  t["reverse"] = f_reverse;
  t["join"] = f_join;
  t["items"] = f_items;
  t["dictsort"] = dictsort_filter;
  t["sort"] = f_sort;
  t["unique"] = f_unique;
  t["min"] = f_min;
  t["max"] = f_max;
  t["sum"] = f_sum;
  t["batch"] = f_batch;
  t["slice"] = f_slice;
  t["groupby"] = f_groupby;
  t["attr"] = f_attr;
  t["map"] = f_map;
  t["select"] = f_select;
  t["reject"] = f_reject;
  t["selectattr"] = f_selectattr;
  t["rejectattr"] = f_rejectattr;
}

}  // namespace brine::jinja
