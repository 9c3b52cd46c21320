// Jinja's tests (`x is defined`, `x is divisibleby 3`, ...) and Salt's
// additions (match, equalto, list).
#include "common/template/builtins.h"
#include "common/template/interp.h"
#include "common/template/print.h"
#include "common/template/regex.h"
#include "common/template/registry.h"
#include "common/template/unicode.h"

namespace brine::jinja {
namespace {

using A = CallArgs;

RS no_args(A& a, const char* name) {
  Val p[1];
  return bind_args(a, name, {}, 0, p);
}

R<bool> t_defined(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_defined"));
  return !v.is_undefined();
}
R<bool> t_undefined(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_undefined"));
  return v.is_undefined();
}
R<bool> t_none(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_none"));
  return v.is_none();
}
R<bool> t_boolean(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_boolean"));
  return v.is_bool();
}
R<bool> t_true(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_true"));
  return v.is_bool() && v.as_bool();
}
R<bool> t_false(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_false"));
  return v.is_bool() && !v.as_bool();
}
R<bool> t_integer(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_integer"));
  return v.is_int();
}
R<bool> t_float(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_float"));
  return v.is_float();
}
R<bool> t_number(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_number"));
  return v.is_number();
}
R<bool> t_string(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_string"));
  return v.is_str();
}
R<bool> t_mapping(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_mapping"));
  return v.is_dict();
}
R<bool> t_list(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "is_list"));
  return v.is_list() && v.list_obj()->view == ListObj::View::kNone;
}
R<bool> t_sequence(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_sequence"));
  return v.is_str() || v.is_seq() || v.is_dict();
}
R<bool> t_iterable(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_iterable"));
  if (v.is_undefined() && !v.undef_obj()->lenient) JTRY(check_defined(v));
  return v.is_str() || v.is_seq() || v.is_dict() || v.is_undefined() ||
         (v.is_object() && v.obj()->kind() == Object::Kind::kLoop);
}
R<bool> t_callable(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "callable"));
  // Undefined has __call__ (which raises), so callable() is true for it.
  return (v.is_object() && v.obj()->callable()) || v.is_undefined();
}
R<bool> t_escaped(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_escaped"));
  return v.is_str() && v.str_obj()->markup;
}

R<bool> parity(const Val& v, A& a, const char* name, bool even) {
  JTRY(no_args(a, name));
  JASSIGN(Val m, binop(BinOp::kMod, v, Val::integer(2)));
  return equals(m, Val::integer(even ? 0 : 1));
}
R<bool> t_even(Interp&, const Val& v, A& a) { return parity(v, a, "test_even", true); }
R<bool> t_odd(Interp&, const Val& v, A& a) { return parity(v, a, "test_odd", false); }

R<bool> t_divisibleby(Interp&, const Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "test_divisibleby", {"num"}, 1, p));
  JASSIGN(Val m, binop(BinOp::kMod, v, p[0]));
  return equals(m, Val::integer(0));
}

R<bool> cmp(const Val& v, A& a, const char* name, CmpOp op) {
  Val p[1];
  JTRY(bind_args(a, name, {"b"}, 1, p));
  return compare(op, v, p[0]);
}
R<bool> t_eq(Interp&, const Val& v, A& a) { return cmp(v, a, "eq", CmpOp::kEq); }
R<bool> t_ne(Interp&, const Val& v, A& a) { return cmp(v, a, "ne", CmpOp::kNe); }
R<bool> t_lt(Interp&, const Val& v, A& a) { return cmp(v, a, "lt", CmpOp::kLt); }
R<bool> t_le(Interp&, const Val& v, A& a) { return cmp(v, a, "le", CmpOp::kLtEq); }
R<bool> t_gt(Interp&, const Val& v, A& a) { return cmp(v, a, "gt", CmpOp::kGt); }
R<bool> t_ge(Interp&, const Val& v, A& a) { return cmp(v, a, "ge", CmpOp::kGtEq); }
R<bool> t_in(Interp&, const Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "test_in", {"seq"}, 1, p));
  return contains(p[0], v);
}
R<bool> t_sameas(Interp&, const Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "test_sameas", {"other"}, 1, p));
  if (v.is_number() && p[0].is_number()) {
    // Python small ints/bools are singletons; floats are distinct objects.
    if (v.is_float() || p[0].is_float()) return false;
    if (v.is_bool() != p[0].is_bool()) return false;
    int64_t x = v.as_int();
    return x == p[0].as_int() && x >= -5 && x <= 256;
  }
  return v.same(p[0]);
}

R<bool> case_test(const Val& v, A& a, const char* name, bool upper) {
  JTRY(no_args(a, name));
  JASSIGN(std::string s, to_str(v));
  bool cased = false;
  for (size_t pos = 0; pos < s.size();) {
    char32_t c = utf8::next(s, &pos);
    if (upper ? utf8::is_lower(c) : utf8::is_upper(c)) return false;
    if (utf8::is_cased(c)) cased = true;
  }
  return cased;
}
R<bool> t_lower(Interp&, const Val& v, A& a) { return case_test(v, a, "test_lower", false); }
R<bool> t_upper(Interp&, const Val& v, A& a) { return case_test(v, a, "test_upper", true); }

R<bool> t_filter(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_filter"));
  return v.is_str() && find_filter(v.as_str()) != nullptr;
}
R<bool> t_test(Interp&, const Val& v, A& a) {
  JTRY(no_args(a, "test_test"));
  return v.is_str() && find_test(v.as_str()) != nullptr;
}

// Salt: re.compile(rgx, flags).match(txt)
R<bool> t_match(Interp&, const Val& v, A& a) {
  Val p[3];
  JTRY(bind_args(a, "test_match", {"rgx", "ignorecase", "multiline"}, 1, p));
  regex::Flags f;
  if (!p[1].is_absent()) JSET(f.ignorecase, truthy(p[1]));
  if (!p[2].is_absent()) JSET(f.multiline, truthy(p[2]));
  JTRY(check_defined(p[0]));
  JTRY(check_defined(v));
  if (!p[0].is_str()) return type_error("first argument must be string or compiled pattern");
  if (!v.is_str())
    return type_error("expected string or bytes-like object, got '" + type_name(v) + "'");
  JASSIGN(auto pat, regex::compile(p[0].as_str(), f));
  JASSIGN(regex::Match m, regex::search(*pat, v.as_str(), 0, true));
  return m.found;
}

}  // namespace

void add_tests(TestTable& t) {
  t["defined"] = t_defined;
  t["undefined"] = t_undefined;
  t["none"] = t_none;
  t["boolean"] = t_boolean;
  t["true"] = t_true;
  t["false"] = t_false;
  t["integer"] = t_integer;
  t["float"] = t_float;
  t["number"] = t_number;
  t["string"] = t_string;
  t["mapping"] = t_mapping;
  t["list"] = t_list;
  t["sequence"] = t_sequence;
  t["iterable"] = t_iterable;
  t["callable"] = t_callable;
  t["escaped"] = t_escaped;
  t["even"] = t_even;
  t["odd"] = t_odd;
  t["divisibleby"] = t_divisibleby;
  for (const char* n : {"eq", "==", "equalto"}) t[n] = t_eq;
  for (const char* n : {"ne", "!="}) t[n] = t_ne;
  for (const char* n : {"lt", "<", "lessthan"}) t[n] = t_lt;
  for (const char* n : {"le", "<="}) t[n] = t_le;
  for (const char* n : {"gt", ">", "greaterthan"}) t[n] = t_gt;
  for (const char* n : {"ge", ">="}) t[n] = t_ge;
  t["in"] = t_in;
  t["sameas"] = t_sameas;
  t["lower"] = t_lower;
  t["upper"] = t_upper;
  t["filter"] = t_filter;
  t["test"] = t_test;
  t["match"] = t_match;
}

}  // namespace brine::jinja
