// Python operators on runtime values: arithmetic, comparison, membership
// (attribute/item access, slicing and iteration: access.cpp).
#include <cmath>
#include <limits>

#include "common/template/format.h"
#include "common/template/interp.h"
#include "common/template/print.h"
#include "common/template/strings.h"
#include "common/template/unicode.h"

namespace brine::jinja {
namespace {

constexpr size_t kMaxSequenceBytes = size_t{256} << 20;

const char* op_symbol(BinOp op) {
  switch (op) {
    case BinOp::kAdd:
      return "+";
    case BinOp::kSub:
      return "-";
    case BinOp::kMul:
      return "*";
    case BinOp::kDiv:
      return "/";
    case BinOp::kFloorDiv:
      return "//";
    case BinOp::kMod:
      return "%";
    case BinOp::kPow:
      return "** or pow()";
  }
  return "?";
}

Unexpected unsupported(BinOp op, const Val& a, const Val& b) {
  return type_error(std::string("unsupported operand type(s) for ") + op_symbol(op) + ": '" +
                    type_name(a) + "' and '" + type_name(b) + "'");
}

Unexpected overflow() { return type_error("integer overflow (Brine integers are 64-bit)"); }

double py_fmod(double x, double y) {
  double mod = std::fmod(x, y);
  if (mod != 0.0) {
    if ((y < 0) != (mod < 0)) mod += y;
  } else {
    mod = std::copysign(0.0, y);
  }
  return mod;
}

double py_floordiv(double vx, double wx) {
  double mod = std::fmod(vx, wx);
  double div = (vx - mod) / wx;
  if (mod != 0.0) {
    if ((wx < 0) != (mod < 0)) div -= 1.0;
  }
  double floordiv;
  if (div != 0.0) {
    floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else {
    floordiv = std::copysign(0.0, vx / wx);
  }
  return floordiv;
}

RV repeat(const Val& seq, int64_t n) {
  if (n < 0) n = 0;
  if (seq.is_str()) {
    const std::string& s = seq.as_str();
    if (!s.empty() && static_cast<uint64_t>(n) > kMaxSequenceBytes / s.size()) {
      return type_error("repeated string is too large");
    }
    std::string out;
    if (s.size() == 1) {  // ' ' * indent
      out.assign(static_cast<size_t>(n), s[0]);
    } else {
      out.reserve(s.size() * static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) out += s;
    }
    return seq.str_obj()->markup ? Val::markup(std::move(out)) : Val::str(std::move(out));
  }
  const auto& items = seq.list_obj()->items;
  if (!items.empty() && static_cast<uint64_t>(n) > kMaxSequenceBytes / 16 / items.size()) {
    return type_error("repeated sequence is too large");
  }
  Vals out;
  out.reserve(items.size() * static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out.insert(out.end(), items.begin(), items.end());
  return seq.is_tuple() ? Val::tuple(std::move(out)) : Val::list(std::move(out));
}

RV int_pow(int64_t base, int64_t exp) {
  int64_t result = 1;
  while (exp > 0) {
    if (exp & 1) {
      if (__builtin_mul_overflow(result, base, &result)) return overflow();
    }
    exp >>= 1;
    if (exp > 0 && __builtin_mul_overflow(base, base, &base)) return overflow();
  }
  return Val::integer(result);
}

}  // namespace

RV binop(BinOp op, const Val& a, const Val& b) {
  if (a.is_undefined()) JTRY(check_defined(a));
  // str % x: str.__mod__ runs first and only fails if the value is formatted.
  if (op == BinOp::kMod && a.is_str()) return percent_format(a.as_str(), b);
  if (b.is_undefined()) JTRY(check_defined(b));
  if (a.is_undefined() || b.is_undefined()) return unsupported(op, a, b);
  if (a.is_number() && b.is_number()) {
    bool flt = a.is_float() || b.is_float();
    if (!flt) {
      int64_t x = a.as_int();
      int64_t y = b.as_int();
      int64_t r;
      switch (op) {
        case BinOp::kAdd:
          if (__builtin_add_overflow(x, y, &r)) return overflow();
          return Val::integer(r);
        case BinOp::kSub:
          if (__builtin_sub_overflow(x, y, &r)) return overflow();
          return Val::integer(r);
        case BinOp::kMul:
          if (__builtin_mul_overflow(x, y, &r)) return overflow();
          return Val::integer(r);
        case BinOp::kDiv:
          if (y == 0) return type_error("division by zero");
          return Val::real(static_cast<double>(x) / static_cast<double>(y));
        case BinOp::kFloorDiv: {
          if (y == 0) return type_error("integer division or modulo by zero");
          if (x == std::numeric_limits<int64_t>::min() && y == -1) return overflow();
          int64_t q = x / y;
          if ((x % y != 0) && ((x < 0) != (y < 0))) --q;
          return Val::integer(q);
        }
        case BinOp::kMod: {
          if (y == 0) return type_error("integer modulo by zero");
          if (y == -1) return Val::integer(0);
          int64_t m = x % y;
          if (m != 0 && ((m < 0) != (y < 0))) m += y;
          return Val::integer(m);
        }
        case BinOp::kPow:
          if (y < 0) {
            if (x == 0) return type_error("0.0 cannot be raised to a negative power");
            return Val::real(std::pow(static_cast<double>(x), static_cast<double>(y)));
          }
          return int_pow(x, y);
      }
    }
    double x = a.as_number();
    double y = b.as_number();
    switch (op) {
      case BinOp::kAdd:
        return Val::real(x + y);
      case BinOp::kSub:
        return Val::real(x - y);
      case BinOp::kMul:
        return Val::real(x * y);
      case BinOp::kDiv:
        if (y == 0) return type_error("float division by zero");
        return Val::real(x / y);
      case BinOp::kFloorDiv:
        if (y == 0) return type_error("float floor division by zero");
        return Val::real(py_floordiv(x, y));
      case BinOp::kMod:
        if (y == 0) return type_error("float modulo");
        return Val::real(py_fmod(x, y));
      case BinOp::kPow:
        if (x == 0 && y < 0) return type_error("0.0 cannot be raised to a negative power");
        if (x < 0 && y != std::floor(y)) {
          return type_error(
              "negative number cannot be raised to a fractional power (complex results are not "
              "supported)");
        }
        {
          double r = std::pow(x, y);
          if (std::isinf(r) && std::isfinite(x) && std::isfinite(y))
            return type_error("(34, 'Numerical result out of range')");
          return Val::real(r);
        }
    }
  }
  switch (op) {
    case BinOp::kAdd:
      if (a.is_str()) {
        if (!b.is_str())
          return type_error("can only concatenate str (not \"" + type_name(b) + "\") to str");
        if (a.as_str().size() + b.as_str().size() > kMaxSequenceBytes)
          return type_error("string is too large");
        bool ma = a.str_obj()->markup, mb = b.str_obj()->markup;
        if (ma != mb) {
          // Markup + str escapes the plain operand (markupsafe __add__/__radd__).
          return Val::markup(ma ? a.as_str() + strings::html_escape(b.as_str())
                                : strings::html_escape(a.as_str()) + b.as_str());
        }
        Val r = Val::str(a.as_str() + b.as_str());
        if (ma) r.str_obj()->markup = true;
        return r;
      }
      if (a.is_list() || a.is_tuple()) {
        if (b.tag() != a.tag() || b.list_obj()->view != ListObj::View::kNone ||
            a.list_obj()->view != ListObj::View::kNone) {
          if (a.list_obj()->view != ListObj::View::kNone) return unsupported(op, a, b);
          return type_error("can only concatenate " + type_name(a) + " (not \"" + type_name(b) +
                            "\") to " + type_name(a));
        }
        Vals items = a.list_obj()->items;
        items.insert(items.end(), b.list_obj()->items.begin(), b.list_obj()->items.end());
        return a.is_tuple() ? Val::tuple(std::move(items)) : Val::list(std::move(items));
      }
      break;
    case BinOp::kMul:
      if (a.is_seq() && a.list_obj()->view != ListObj::View::kNone) break;
      if (b.is_seq() && b.list_obj()->view != ListObj::View::kNone) break;
      if ((a.is_str() || a.is_seq()) && b.is_intlike()) return repeat(a, b.as_int());
      if ((b.is_str() || b.is_seq()) && a.is_intlike()) return repeat(b, a.as_int());
      if (a.is_str() || a.is_seq()) {
        return type_error("can't multiply sequence by non-int of type '" + type_name(b) + "'");
      }
      if (b.is_str() || b.is_seq()) {
        return type_error("can't multiply sequence by non-int of type '" + type_name(a) + "'");
      }
      break;
    case BinOp::kMod:
      if (a.is_str()) return percent_format(a.as_str(), b);
      break;
    default:
      break;
  }
  return unsupported(op, a, b);
}

RV neg(const Val& v, bool positive) {
  JTRY(check_defined(v));
  if (v.is_float()) return Val::real(positive ? v.as_float() : -v.as_float());
  if (v.is_intlike()) {
    int64_t i = v.as_int();
    if (positive) return Val::integer(i);
    if (i == std::numeric_limits<int64_t>::min()) return overflow();
    return Val::integer(-i);
  }
  return type_error(std::string("bad operand type for unary ") + (positive ? "+" : "-") + ": '" +
                    type_name(v) + "'");
}

R<bool> py_equals(const Val& a, const Val& b);

R<bool> less_than(const Val& a, const Val& b) {
  RecursionGuard guard;
  if (guard.exceeded()) return type_error("maximum recursion depth exceeded in comparison");
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_number() < b.as_number();
    return a.as_int() < b.as_int();
  }
  if (a.is_str() && b.is_str()) return a.as_str() < b.as_str();  // UTF-8 order == code point order
  if ((a.is_list() && b.is_list()) || (a.is_tuple() && b.is_tuple())) {
    const auto& x = a.list_obj()->items;
    const auto& y = b.list_obj()->items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      JASSIGN(bool same, py_equals(x[i], y[i]));
      if (!same) return less_than(x[i], y[i]);
    }
    return x.size() < y.size();
  }
  return type_error("'<' not supported between instances of '" + type_name(a) + "' and '" +
                    type_name(b) + "'");
}

// Python == where a StrictUndefined operand (also nested in a container)
// raises, as StrictUndefined.__eq__ does.
R<bool> py_equals(const Val& a, const Val& b) {
  RecursionGuard guard;
  if (guard.exceeded()) return type_error("maximum recursion depth exceeded in comparison");
  if (a.is_undefined() && !a.undef_obj()->lenient) JTRY(check_defined(a));
  if (b.is_undefined() && !b.undef_obj()->lenient) JTRY(check_defined(b));
  if (a.tag() == b.tag() && (a.is_seq()) && a.heap() != b.heap()) {
    const auto& x = a.list_obj()->items;
    const auto& y = b.list_obj()->items;
    if (x.size() != y.size()) return equals(a, b);
    for (size_t i = 0; i < x.size(); ++i) {
      JASSIGN(bool e, py_equals(x[i], y[i]));
      if (!e) return false;
    }
    return equals(a, b);
  }
  if (a.is_dict() && b.is_dict() && a.heap() != b.heap()) {
    DictObj* x = a.dict_obj();
    DictObj* y = b.dict_obj();
    if (x->size() != y->size()) return false;
    for (size_t i = 0; i < x->items.size(); ++i) {
      Val* other = y->find(x->items[i].first, x->hashes[i]);
      if (!other) return false;
      JASSIGN(bool e, py_equals(x->items[i].second, *other));
      if (!e) return false;
    }
    return true;
  }
  return equals(a, b);
}

R<bool> compare(CmpOp op, const Val& a, const Val& b) {
  // `x in y` calls y.__contains__(x) first.
  if (op == CmpOp::kIn) return contains(b, a);
  if (op == CmpOp::kNotIn) {
    JASSIGN(bool r, contains(b, a));
    return !r;
  }
  if (a.is_undefined() && !a.undef_obj()->lenient) JTRY(check_defined(a));
  if (b.is_undefined() && !b.undef_obj()->lenient) JTRY(check_defined(b));
  switch (op) {
    case CmpOp::kEq:
      return py_equals(a, b);
    case CmpOp::kNe: {
      JASSIGN(bool e, py_equals(a, b));
      return !e;
    }
    case CmpOp::kIn:
      return contains(b, a);
    case CmpOp::kNotIn: {
      JASSIGN(bool r, contains(b, a));
      return !r;
    }
    default:
      break;
  }
  const char* sym = op == CmpOp::kLt     ? "<"
                    : op == CmpOp::kLtEq ? "<="
                    : op == CmpOp::kGt   ? ">"
                                         : ">=";
  auto plain_list = [](const Val& v) {
    return v.is_list() && v.list_obj()->view == ListObj::View::kNone;
  };
  bool ok = (a.is_number() && b.is_number()) || (a.is_str() && b.is_str()) ||
            (plain_list(a) && plain_list(b)) || (a.is_tuple() && b.is_tuple());
  if (!ok) {
    return type_error(std::string("'") + sym + "' not supported between instances of '" +
                      type_name(a) + "' and '" + type_name(b) + "'");
  }
  switch (op) {
    case CmpOp::kLt:
      return less_than(a, b);
    case CmpOp::kGt:
      return less_than(b, a);
    case CmpOp::kLtEq: {
      JASSIGN(bool r, less_than(b, a));
      return !r;
    }
    case CmpOp::kGtEq: {
      JASSIGN(bool r, less_than(a, b));
      return !r;
    }
    default:
      return false;
  }
}

R<bool> contains(const Val& container, const Val& item) {
  JTRY(check_defined(container));
  switch (container.tag()) {
    case Tag::kStr:
      if (!item.is_str()) {
        JTRY(check_defined(item));
        return type_error("'in <string>' requires string as left operand, not " + type_name(item));
      }
      return container.as_str().find(item.as_str()) != std::string::npos;
    case Tag::kList:
    case Tag::kTuple: {
      if (container.list_obj()->view == ListObj::View::kKeys ||
          container.list_obj()->view == ListObj::View::kItems ||
          container.list_obj()->view == ListObj::View::kSet) {
        // dict views hash their argument
        JTRY(hash_val(item));
      }
      if (item.is_str()) {  // `name in names`: plain string equality, nothing can fail
        const StrObj* is = item.str_obj();
        for (const auto& v : container.list_obj()->items) {
          if (v.is_str()) {
            if (str_eq(v.str_obj(), is)) return true;
          } else if (v.is_undefined() && !v.undef_obj()->lenient) {
            JTRY(check_defined(v));  // StrictUndefined.__eq__ raises, as in py_equals
          }
        }
        return false;
      }
      for (const auto& v : container.list_obj()->items) {
        JASSIGN(bool e, py_equals(v, item));
        if (e) return true;
      }
      return false;
    }
    case Tag::kDict: {
      JASSIGN(size_t h, hash_val(item));
      return container.dict_obj()->find(item, h) != nullptr;
    }
    case Tag::kObject:
      if (container.obj()->kind() == Object::Kind::kNamespace) {
        break;
      }
      if (container.obj()->kind() == Object::Kind::kSaltProxy && item.is_str()) return true;
      break;
    default:
      break;
  }
  return type_error("argument of type '" + type_name(container) + "' is not iterable");
}

}  // namespace brine::jinja
