// Python operators on runtime values: arithmetic, comparison, membership,
// attribute and item access, slicing and iteration.
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
    out.reserve(s.size() * static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) out += s;
    return seq.str_obj()->markup ? Val::markup(std::move(out)) : Val::str(std::move(out));
  }
  const auto& items = seq.list_obj()->items;
  if (!items.empty() && static_cast<uint64_t>(n) > kMaxSequenceBytes / 16 / items.size()) {
    return type_error("repeated sequence is too large");
  }
  std::vector<Val> out;
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
        std::vector<Val> items = a.list_obj()->items;
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

// ------------------------------------------------------------ access

namespace {

Val lazy_undefined(const Val& obj, Val key, uint8_t form) {
  auto* u = new UndefObj();
  u->obj_type = object_type_repr(obj);
  u->key = std::move(key);
  u->form = form;
  return Val::adopt(Tag::kUndefined, u);
}

Val no_attribute(const Val& obj, std::string_view name, const Val* name_val = nullptr) {
  return lazy_undefined(obj, name_val ? *name_val : Val::str(name), 1);
}

Val no_element(const Val& obj, const Val& key) { return lazy_undefined(obj, key, 2); }

Val unsafe(const Val& obj, std::string_view name) {
  std::string msg = "access to attribute ";
  append_string_repr(msg, name);
  msg += " of ";
  append_string_repr(msg, type_name(obj));
  msg += " object is unsafe.";
  return Val::undefined(std::move(msg), false, true);
}

bool is_dunder(std::string_view n) {
  return n.size() > 4 && n.starts_with("__") && n.ends_with("__");
}

// Python attribute lookup only (no item fallback); nullopt-style: returns
// false when the object has no such attribute.
bool python_getattr(Interp& in, const Val& obj, std::string_view name, Val* out) {
  if (MethodFn m = find_method(obj, name)) {
    *out = Val::object(new MethodObj(obj, std::string(name), m));
    return true;
  }
  (void)in;
  if (obj.is_tuple() && obj.list_obj()->view == ListObj::View::kGroup &&
      obj.list_obj()->items.size() == 2) {
    if (name == "grouper") {
      *out = obj.list_obj()->items[0];
      return true;
    }
    if (name == "list") {
      *out = obj.list_obj()->items[1];
      return true;
    }
  }
  if (obj.is_object()) {
    Object* o = obj.obj();
    switch (o->kind()) {
      case Object::Kind::kNamespace: {
        Val* v = static_cast<NamespaceObj*>(o)->attrs.dict_obj()->find_str(name);
        if (v) {
          *out = *v;
          return true;
        }
        return false;
      }
      case Object::Kind::kModule: {
        const Val* v = static_cast<ModuleObj*>(o)->find(name);
        if (v) {
          *out = *v;
          return true;
        }
        return false;
      }
      case Object::Kind::kSaltProxy: {
        auto* s = static_cast<SaltObj*>(o);
        if (s->path.empty()) {
          *out = Val::object(new SaltObj(std::string(name), false));
        } else {
          *out = Val::object(new SaltObj(s->path + "." + std::string(name), true));
        }
        return true;
      }
      case Object::Kind::kMacro: {
        auto* m = static_cast<MacroObj*>(o);
        if (name == "name") {
          *out = Val::str(m->def->name);
        } else if (name == "arguments") {
          std::vector<Val> names;
          for (const auto& n : m->def->param_names) names.push_back(Val::str(n));
          *out = Val::tuple(std::move(names));
        } else if (name == "catch_kwargs") {
          *out = Val::boolean(m->def->uses_kwargs);
        } else if (name == "catch_varargs") {
          *out = Val::boolean(m->def->uses_varargs);
        } else if (name == "caller") {
          *out = Val::boolean(m->def->uses_caller);
        } else {
          return false;
        }
        return true;
      }
      case Object::Kind::kLoop: {
        auto* l = static_cast<LoopObj*>(o);
        int64_t n = static_cast<int64_t>(l->items.size());
        int64_t i = static_cast<int64_t>(l->index0);
        if (name == "index") {
          *out = Val::integer(i + 1);
        } else if (name == "index0") {
          *out = Val::integer(i);
        } else if (name == "revindex") {
          *out = Val::integer(n - i);
        } else if (name == "revindex0") {
          *out = Val::integer(n - i - 1);
        } else if (name == "first") {
          *out = Val::boolean(i == 0);
        } else if (name == "last") {
          *out = Val::boolean(i == n - 1);
        } else if (name == "length") {
          *out = Val::integer(n);
        } else if (name == "depth") {
          *out = Val::integer(l->depth0 + 1);
        } else if (name == "depth0") {
          *out = Val::integer(l->depth0);
        } else if (name == "previtem") {
          *out = i > 0 ? l->items[static_cast<size_t>(i - 1)]
                       : Val::undefined("there is no previous item");
        } else if (name == "nextitem") {
          *out = i + 1 < n ? l->items[static_cast<size_t>(i + 1)]
                           : Val::undefined("there is no next item");
        } else {
          return false;
        }
        return true;
      }
      case Object::Kind::kSelfRef:
        *out =
            Val::object(new BlockRefObj(static_cast<SelfRefObj*>(o)->inst, std::string(name), 0));
        return true;
      case Object::Kind::kCycler: {
        auto* cy = static_cast<CyclerObj*>(o);
        if (name == "items") {
          *out = Val::list(cy->items);
          return true;
        }
        if (name == "current") {
          *out = cy->items.empty() ? Val::none() : cy->items[cy->pos];
          return true;
        }
        return false;
      }
      default:
        return false;
    }
  }
  return false;
}

}  // namespace

std::string UndefObj::message() const {
  if (form == 0) return text;
  std::string msg;
  if (form == 1) {
    append_string_repr(msg, obj_type);
    msg += " has no attribute ";
  } else {
    msg = obj_type + " has no element ";
  }
  if (key.is_str()) {
    append_string_repr(msg, key.as_str());
  } else {
    auto r = to_repr(key);
    msg += r ? *r : std::string("?");
  }
  return msg;
}

RV getattr_only(Interp& in, const Val& obj, std::string_view name) {
  if (obj.is_undefined()) return fault(FaultKind::kUndefined, obj.undef_obj()->message());
  if (is_dunder(name)) return unsafe(obj, name);
  Val out;
  if (python_getattr(in, obj, name, &out)) return out;
  return no_attribute(obj, name);
}

RV getattr(Interp& in, const Val& obj, std::string_view name, const Val* name_val) {
  if (obj.is_undefined()) {
    // Even the lenient Undefined fails on attribute access.
    return fault(obj.undef_obj()->security ? FaultKind::kSyntax : FaultKind::kUndefined,
                 obj.undef_obj()->message());
  }
  if (is_dunder(name)) return unsafe(obj, name);
  Val out;
  if (python_getattr(in, obj, name, &out)) return out;
  if (obj.is_dict()) {
    if (Val* v = obj.dict_obj()->find_str(name)) return *v;
  }
  return no_attribute(obj, name, name_val);
}

RV getitem(Interp& in, const Val& obj, const Val& key) {
  if (obj.is_undefined()) {
    return fault(obj.undef_obj()->security ? FaultKind::kSyntax : FaultKind::kUndefined,
                 obj.undef_obj()->message());
  }
  if (key.is_undefined() && !key.undef_obj()->lenient) JTRY(check_defined(key));
  switch (obj.tag()) {
    case Tag::kDict: {
      auto h = hash_val(key);
      if (h) {
        if (Val* v = obj.dict_obj()->find(key, *h)) return *v;
      }
      break;
    }
    case Tag::kList:
    case Tag::kTuple:
    case Tag::kStr: {
      if (key.is_intlike()) {
        int64_t i = key.as_int();
        if (obj.is_str()) {
          const StrObj* s = obj.str_obj();
          int64_t n = static_cast<int64_t>(cp_len(*s));
          if (i < 0) i += n;
          if (i < 0 || i >= n) break;
          if (s->is_ascii()) return Val::str(std::string(1, s->s[static_cast<size_t>(i)]));
          size_t off = utf8::offset_of(s->s, static_cast<size_t>(i));
          size_t end = off;
          utf8::next(s->s, &end);
          return Val::str(s->s.substr(off, end - off));
        }
        const auto& items = obj.list_obj()->items;
        int64_t n = static_cast<int64_t>(items.size());
        if (i < 0) i += n;
        if (i < 0 || i >= n) break;
        return items[static_cast<size_t>(i)];
      }
      break;
    }
    case Tag::kObject:
      if (obj.obj()->kind() == Object::Kind::kSaltProxy && key.is_str()) {
        auto* s = static_cast<SaltObj*>(obj.obj());
        std::string path = s->path.empty() ? key.as_str() : s->path + "." + key.as_str();
        return Val::object(new SaltObj(std::move(path), true));
      }
      break;
    default:
      break;
  }
  if (key.is_str()) {
    if (is_dunder(key.as_str())) return unsafe(obj, key.as_str());
    Val out;
    if (python_getattr(in, obj, key.as_str(), &out)) return out;
    return no_attribute(obj, key.as_str(), &key);
  }
  return no_element(obj, key);
}

namespace {

// PySlice_Unpack + PySlice_AdjustIndices.
R<bool> slice_indices(const Val& start, const Val& stop, const Val& step, int64_t len, int64_t* s0,
                      int64_t* s1, int64_t* st) {
  auto get = [](const Val& v, int64_t dflt, int64_t* out) -> RS {
    if (v.is_none()) {
      *out = dflt;
      return {};
    }
    JTRY(check_defined(v));
    if (!v.is_intlike()) {
      return type_error("slice indices must be integers or None or have an __index__ method");
    }
    *out = v.as_int();
    return {};
  };
  JTRY(get(step, 1, st));
  if (*st == 0) return type_error("slice step cannot be zero");
  JTRY(get(start, *st < 0 ? std::numeric_limits<int64_t>::max() : 0, s0));
  JTRY(get(stop,
           *st < 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max(),
           s1));
  auto adjust = [&](int64_t* v) {
    if (*v < 0) {
      *v += len;
      if (*v < 0) *v = *st < 0 ? -1 : 0;
    } else if (*v >= len) {
      *v = *st < 0 ? len - 1 : len;
    }
  };
  if (!start.is_none() || *st > 0) {
    adjust(s0);
  } else {
    *s0 = len - 1;
  }
  if (!stop.is_none() || *st > 0) {
    adjust(s1);
  } else {
    *s1 = -1;
  }
  if (start.is_none() && *st > 0) *s0 = 0;
  if (stop.is_none() && *st > 0) *s1 = len;
  return true;
}

}  // namespace

RV slice(const Val& obj, const Val& start, const Val& stop, const Val& step) {
  JTRY(check_defined(obj));
  int64_t len;
  std::vector<size_t> offsets;  // code point starts, for non-ASCII strings
  if (obj.is_str()) {
    const StrObj* s = obj.str_obj();
    if (s->is_ascii()) {
      len = static_cast<int64_t>(s->s.size());
    } else {
      for (size_t p = 0; p < s->s.size();) {
        offsets.push_back(p);
        utf8::next(s->s, &p);
      }
      len = static_cast<int64_t>(offsets.size());
      offsets.push_back(s->s.size());
    }
  } else if (obj.is_seq()) {
    len = static_cast<int64_t>(obj.list_obj()->items.size());
  } else {
    return type_error("'" + type_name(obj) + "' object is not subscriptable");
  }
  int64_t a = 0, b = 0, st = 1;
  JTRY(slice_indices(start, stop, step, len, &a, &b, &st));
  if (obj.is_str()) {
    const std::string& s = obj.as_str();
    std::string out;
    if (st == 1 && offsets.empty()) {
      if (b > a) out = s.substr(static_cast<size_t>(a), static_cast<size_t>(b - a));
      return Val::str(std::move(out));
    }
    for (int64_t i = a; st > 0 ? i < b : i > b; i += st) {
      if (offsets.empty()) {
        out.push_back(s[static_cast<size_t>(i)]);
      } else {
        size_t o = offsets[static_cast<size_t>(i)];
        out.append(s, o, offsets[static_cast<size_t>(i) + 1] - o);
      }
    }
    return Val::str(std::move(out));
  }
  const auto& items = obj.list_obj()->items;
  std::vector<Val> out;
  for (int64_t i = a; st > 0 ? i < b : i > b; i += st) out.push_back(items[static_cast<size_t>(i)]);
  return obj.is_tuple() ? Val::tuple(std::move(out)) : Val::list(std::move(out));
}

RS iterate(const Val& v, std::vector<Val>& out) {
  switch (v.tag()) {
    case Tag::kList:
    case Tag::kTuple:
      out = v.list_obj()->items;
      return {};
    case Tag::kDict:
      out.reserve(v.dict_obj()->size());
      for (const auto& kv : v.dict_obj()->items) out.push_back(kv.first);
      return {};
    case Tag::kStr: {
      const StrObj* s = v.str_obj();
      if (s->is_ascii()) {
        out.reserve(s->s.size());
        for (char c : s->s) out.push_back(Val::str(std::string(1, c)));
      } else {
        for (size_t p = 0; p < s->s.size();) {
          size_t start = p;
          utf8::next(s->s, &p);
          out.push_back(Val::str(s->s.substr(start, p - start)));
        }
      }
      return {};
    }
    case Tag::kUndefined:
      if (v.undef_obj()->lenient) return {};
      return check_defined(v);
    case Tag::kObject:
      if (v.obj()->kind() == Object::Kind::kLoop) {
        out = static_cast<LoopObj*>(v.obj())->items;
        return {};
      }
      break;
    default:
      break;
  }
  return type_error("'" + type_name(v) + "' object is not iterable");
}

R<int64_t> length(const Val& v) {
  switch (v.tag()) {
    case Tag::kStr:
      return static_cast<int64_t>(cp_len(*v.str_obj()));
    case Tag::kList:
    case Tag::kTuple:
      return static_cast<int64_t>(v.list_obj()->items.size());
    case Tag::kDict:
      return static_cast<int64_t>(v.dict_obj()->size());
    case Tag::kUndefined:
      if (v.undef_obj()->lenient) return 0;
      JTRY(check_defined(v));
      return 0;
    case Tag::kObject:
      if (v.obj()->kind() == Object::Kind::kLoop) {
        return static_cast<int64_t>(static_cast<LoopObj*>(v.obj())->items.size());
      }
      break;
    default:
      break;
  }
  return type_error("object of type '" + type_name(v) + "' has no len()");
}

RV concat(const std::vector<Val>& parts) {
  std::string out;
  for (const auto& p : parts) JTRY(append_str(out, p));
  return Val::str(std::move(out));
}

R<int64_t> to_index(const Val& v) {
  JTRY(check_defined(v));
  if (v.is_intlike()) return v.as_int();
  return type_error("'" + type_name(v) + "' object cannot be interpreted as an integer");
}

}  // namespace brine::jinja
