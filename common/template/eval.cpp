// Expression evaluation and calls.
#include <exception>

#include "common/template/env_impl.h"
#include "common/template/interp.h"
#include "common/template/print.h"

namespace brine::jinja {

bool CallArgs::take(std::string_view name, Val* out) {
  for (size_t i = 0; i < kw.size(); ++i) {
    if (kw[i].first.as_str() == name) {
      *out = std::move(kw[i].second);
      kw.erase(kw.begin() + static_cast<ptrdiff_t>(i));
      return true;
    }
  }
  return false;
}

bool CallArgs::has_kw(std::string_view name) const {
  for (const auto& [k, v] : kw) {
    if (k.as_str() == name) return true;
  }
  return false;
}

RS bind_args(CallArgs& args, std::string_view fname, std::initializer_list<std::string_view> params,
             size_t required, Val* out) {
  size_t n = params.size();
  // Positional arguments only (the usual `x.get('k')`, `v|sort`): no name matching.
  if (args.kw.empty() && args.pos.size() >= required && args.pos.size() <= n) {
    size_t i = 0;
    for (; i < args.pos.size(); ++i) out[i] = std::move(args.pos[i]);
    if (i < n) {
      Val absent = Val::absent();
      for (; i < n; ++i) out[i] = absent;
    }
    return {};
  }
  if (args.pos.size() > n) {
    return type_error(std::string(fname) + "() takes from " + std::to_string(required) + " to " +
                      std::to_string(n) + " positional arguments but " +
                      std::to_string(args.pos.size()) + " were given");
  }
  bool set[32] = {};
  if (n > 32) return type_error(std::string(fname) + "(): too many parameters");
  for (size_t i = 0; i < args.pos.size(); ++i) {
    out[i] = std::move(args.pos[i]);
    set[i] = true;
  }
  for (auto& [k, v] : args.kw) {
    size_t i = 0;
    for (auto p : params) {
      if (p == k.as_str()) break;
      ++i;
    }
    if (i == n) {
      return type_error(std::string(fname) + "() got an unexpected keyword argument '" +
                        k.as_str() + "'");
    }
    if (set[i]) {
      return type_error(std::string(fname) + "() got multiple values for argument '" + k.as_str() +
                        "'");
    }
    out[i] = std::move(v);
    set[i] = true;
  }
  size_t i = 0;
  for (auto p : params) {
    if (!set[i]) {
      if (i < required) {
        return type_error(std::string(fname) + "() missing 1 required positional argument: '" +
                          std::string(p) + "'");
      }
      out[i] = Val::absent();
    }
    ++i;
  }
  return {};
}

Val new_frame(Val parent) { return Val::object(new Frame(std::move(parent))); }

R<const Val*> Interp::eval_to(const Expr& e, Ctx& c, Val& tmp) {
  JSET(tmp, eval(e, c));
  return &tmp;
}

RV Interp::lookup_missing(Sym s, const std::string& name, Ctx& c) {
  if (s == Symbols::kSelf && c.inst) return Val::object(new SelfRefObj(c.inst));
  std::string msg;
  append_string_repr(msg, name);
  msg += " is undefined";
  return Val::undefined(std::move(msg), options.allow_undefined);
}

// Inlined into its only caller, eval_node: one call per node instead of two.
[[gnu::always_inline]] inline RV Interp::eval_expr(const Expr& e, Ctx& c) {
  {
    switch (e.kind) {
      case EK::kConst:
        return static_cast<const ConstExpr&>(e).value;
      case EK::kName: {
        const auto& n = static_cast<const NameExpr&>(e);
        return lookup(n.sym, n.name, c);
      }
      case EK::kGetattr: {
        const auto& g = static_cast<const GetattrExpr&>(e);
        Val tmp;
        JASSIGN(const Val* objp, eval_ref(*g.obj, c, tmp));
        const Val& obj = *objp;
        // A dict attribute that is no dict method is an item lookup (the
        // common `pillar.x.y`): skip the method table, reuse the name's hash.
        if (obj.is_dict() && !g.dict_method && !g.dunder) {
          if (Val* v = obj.dict_obj()->find_str(g.attr, g.attr_hash)) return *v;
        }
        return getattr(*this, obj, g.attr, &g.attr_val);
      }
      case EK::kGetitem: {
        const auto& g = static_cast<const GetitemExpr&>(e);
        JASSIGN(Val obj, eval(*g.obj, c));
        if (g.index->kind == EK::kSlice) {
          const auto& sl = static_cast<const SliceExpr&>(*g.index);
          Val a, b, st;
          if (sl.start) JSET(a, eval(*sl.start, c));
          if (sl.stop) JSET(b, eval(*sl.stop, c));
          if (sl.step) JSET(st, eval(*sl.step, c));
          if (obj.is_dict() || obj.is_object()) {
            return type_error("unhashable type: 'slice'");
          }
          return slice(obj, a, b, st);
        }
        JASSIGN(Val key, eval(*g.index, c));
        return getitem(*this, obj, key);
      }
      case EK::kSlice:
        return type_error("slice outside of a subscript");
      case EK::kCall:
        return eval_call(static_cast<const CallExpr&>(e), c);
      case EK::kFilter:
        return eval_filter(static_cast<const FilterExpr&>(e), c, nullptr);
      case EK::kTest: {
        const auto& t = static_cast<const TestExpr&>(e);
        JASSIGN(Val v, eval(*t.node, c));
        if (!t.fn) return runtime_error("No test named '" + t.name + "' found.");
        CallArgs args;
        JTRY(eval_args(t.a, c, args));
        JASSIGN(bool b, t.fn(*this, v, args));
        return Val::boolean(b);
      }
      case EK::kBinop: {
        const auto& b = static_cast<const BinExpr&>(e);
        JASSIGN(Val l, eval(*b.left, c));
        JASSIGN(Val r2, eval(*b.right, c));
        return binop(b.op, l, r2);
      }
      case EK::kNeg:
      case EK::kPos: {
        JASSIGN(Val v, eval(*static_cast<const UnaryExpr&>(e).operand, c));
        return neg(v, e.kind == EK::kPos);
      }
      case EK::kNot: {
        JASSIGN(Val v, eval(*static_cast<const UnaryExpr&>(e).operand, c));
        JASSIGN(bool t, truthy(v));
        return Val::boolean(!t);
      }
      case EK::kAnd:
      case EK::kOr: {
        const auto& l = static_cast<const LogicExpr&>(e);
        JASSIGN(Val a, eval(*l.left, c));
        JASSIGN(bool t, truthy(a));
        if (t == (e.kind == EK::kOr)) return a;
        return eval(*l.right, c);
      }
      case EK::kCompare:
        return eval_compare(static_cast<const CompareExpr&>(e), c);
      case EK::kConcat: {
        std::string out;
        for (const auto& item : static_cast<const SeqExpr&>(e).items) {
          JASSIGN(Val v, eval(*item, c));
          JTRY(append_str(out, v));
        }
        return Val::str(std::move(out));
      }
      case EK::kCondExpr: {
        const auto& ce = static_cast<const CondExpr&>(e);
        JASSIGN(Val t, eval(*ce.test, c));
        JASSIGN(bool b, truthy(t));
        if (b) return eval(*ce.expr1, c);
        if (ce.expr2) return eval(*ce.expr2, c);
        return Val::undefined("the inline if-expression on line " + std::to_string(e.line) +
                                  " evaluated to false and no else section was defined.",
                              true);
      }
      case EK::kList:
      case EK::kTuple: {
        const auto& s = static_cast<const SeqExpr&>(e);
        Vals items;
        items.reserve(s.items.size());
        for (const auto& item : s.items) {
          JASSIGN(Val v, eval(*item, c));
          items.push_back(std::move(v));
        }
        return e.kind == EK::kList ? Val::list(std::move(items)) : Val::tuple(std::move(items));
      }
      case EK::kDict: {
        Val d = Val::dict();
        for (const auto& [k, v] : static_cast<const DictExpr&>(e).items) {
          JASSIGN(Val key, eval(*k, c));
          JASSIGN(Val value, eval(*v, c));
          JASSIGN(size_t h, hash_val(key));
          d.dict_obj()->set(std::move(key), h, std::move(value));
        }
        return d;
      }
    }
  }
  return Val();
}

namespace {
[[gnu::cold, gnu::noinline]] void locate_fault(Fault& f, const Expr& e, const Ctx& c) {
  f.line = e.line;
  f.template_name = c.tmpl ? c.tmpl->name : std::string();
}
}  // namespace

RV Interp::eval_node(const Expr& e, Ctx& c) {
  RV r = eval_expr(e, c);
  if (!r && !r.error()->located()) [[unlikely]] {
    locate_fault(*r.error(), e, c);
  }
  return r;
}

RV Interp::eval_compare(const CompareExpr& e, Ctx& c) {
  JASSIGN(Val left, eval(*e.first, c));
  for (const auto& [op, expr] : e.ops) {
    JASSIGN(Val right, eval(*expr, c));
    JASSIGN(bool ok, compare(op, left, right));
    if (!ok) return Val::boolean(false);
    left = std::move(right);
  }
  return Val::boolean(true);
}

RS Interp::eval_args(const ArgList& a, Ctx& c, CallArgs& out) {
  out.pos.reserve(a.args.size());
  for (const auto& arg : a.args) {
    JASSIGN(Val v, eval(*arg, c));
    out.pos.push_back(std::move(v));
  }
  for (const auto& kw : a.kwargs) {
    JASSIGN(Val v, eval(*kw.value, c));
    out.kw.emplace_back(kw.name, std::move(v));
  }
  if (a.dyn_args) {
    JASSIGN(Val v, eval(*a.dyn_args, c));
    Vals items;
    JTRY(iterate(v, items));
    for (auto& item : items) out.pos.push_back(std::move(item));
  }
  if (a.dyn_kwargs) {
    JASSIGN(Val v, eval(*a.dyn_kwargs, c));
    JTRY(check_defined(v));
    if (!v.is_dict()) return type_error("argument after ** must be a mapping, not " + type_name(v));
    for (const auto& [k, val] : v.dict_obj()->items) {
      if (!k.is_str()) return type_error("keywords must be strings");
      for (const auto& existing : out.kw) {
        if (existing.first.as_str() == k.as_str()) {
          return type_error("got multiple values for keyword argument '" + k.as_str() + "'");
        }
      }
      out.kw.emplace_back(k, val);
    }
  }
  return {};
}

RV Interp::eval_filter(const FilterExpr& e, Ctx& c, Val* block_value) {
  Val value;
  if (!e.node) {
    value = *block_value;
  } else if (e.node->kind == EK::kFilter && block_value) {
    JSET(value, eval_filter(static_cast<const FilterExpr&>(*e.node), c, block_value));
  } else {
    JSET(value, eval(*e.node, c));
  }
  if (!e.fn) return runtime_error("No filter named '" + e.name + "' found.");
  CallArgs args;
  if (!e.a.args.empty() || !e.a.kwargs.empty() || e.a.dyn_args || e.a.dyn_kwargs) {
    JTRY(eval_args(e.a, c, args));
  }
  RV r = e.fn(*this, value, args);
  if (!r && !r.error()->located()) {
    r.error()->line = e.line;
    r.error()->template_name = c.tmpl ? c.tmpl->name : std::string();
  }
  return r;
}

RV Interp::eval_call(const CallExpr& e, Ctx& c, DirectOut* direct) {
  // obj.method(...) on builtin types: call without materialising a bound method.
  if (e.fn->kind == EK::kGetattr) {
    const auto& g = static_cast<const GetattrExpr&>(*e.fn);
    Val tmp;
    JASSIGN(const Val* objp, eval_ref(*g.obj, c, tmp));
    // Methods change the object, never the Val naming it (a variable's slot
    // or an immutable constant): no copy of it is needed.
    Val& obj = const_cast<Val&>(*objp);
    MethodFn m = nullptr;
    switch (obj.tag()) {
      case Tag::kStr:
        m = g.str_method;
        break;
      case Tag::kList:
        if (obj.list_obj()->view == ListObj::View::kNone) m = g.list_method;
        break;
      case Tag::kTuple:
        m = g.tuple_method;
        break;
      case Tag::kDict:
        m = g.dict_method;
        break;
      default:
        break;
    }
    {
      if (m) {
        CallArgs args;
        JTRY(eval_args(e.a, c, args));
        return m(*this, obj, args);
      }
    }
    JASSIGN(Val fn, getattr(*this, obj, g.attr, &g.attr_val));
    CallArgs args;
    JTRY(eval_args(e.a, c, args));
    return call(fn, args, &c, direct);
  }
  JASSIGN(Val fn, eval(*e.fn, c));
  CallArgs args;
  JTRY(eval_args(e.a, c, args));
  return call(fn, args, &c, direct);
}

RV Interp::call(const Val& fn, CallArgs& args, Ctx* c, DirectOut* direct) {
  if (fn.is_undefined()) {
    return fault(fn.undef_obj()->security ? FaultKind::kSyntax : FaultKind::kUndefined,
                 fn.undef_obj()->message());
  }
  if (!fn.is_object() || !fn.obj()->callable()) {
    return type_error("'" + type_name(fn) + "' object is not callable");
  }
  Object* o = fn.obj();
  switch (o->kind()) {
    case Object::Kind::kBuiltin:
      return static_cast<BuiltinObj*>(o)->fn(*this, args);
    case Object::Kind::kMethod: {
      auto* m = static_cast<MethodObj*>(o);
      Val self = m->self;
      return m->fn(*this, self, args);
    }
    case Object::Kind::kMacro: {
      Val caller;
      if (!args.kw.empty()) args.take("caller", &caller);
      auto* m = static_cast<MacroObj*>(o);
      if (!caller.is_none() && !m->def->uses_caller) {
        // Jinja treats it as an ordinary (unexpected) keyword argument.
        args.kw.emplace_back(Val::str("caller"), caller);
        caller = Val();
      }
      return call_macro(*m, args, caller, direct);
    }
    case Object::Kind::kSaltFunc:
      return call_salt(static_cast<SaltObj*>(o)->path, args);
    case Object::Kind::kJoiner: {
      auto* j = static_cast<JoinerObj*>(o);
      if (!j->used) {
        j->used = true;
        return Val::str("");
      }
      return Val::str(j->sep);
    }
    case Object::Kind::kLoop: {
      auto* l = static_cast<LoopObj*>(o);
      if (!l->stmt || !l->stmt->recursive) {
        return type_error("The loop must be marked as 'recursive' to call it.");
      }
      if (args.pos.size() != 1 || !args.kw.empty()) {
        return type_error("loop() takes exactly one argument");
      }
      return render_loop_recursive(*l, args.pos[0]);
    }
    case Object::Kind::kBlockRef: {
      auto* b = static_cast<BlockRefObj*>(o);
      return block_render(b->inst, b->name, b->index, c);
    }
    default:
      break;
  }
  return type_error("'" + type_name(fn) + "' object is not callable");
}

RV Interp::call_salt(const std::string& fun, CallArgs& args) {
  const Caller& caller = env.caller;
  if (!caller) {
    return fault(FaultKind::kSaltCall,
                 "salt['" + fun + "'] is not available: no execution modules in this context");
  }
  if (fun.ends_with(".get")) {
    bool handled = false;
    RV native = call_salt_native(fun, args, &handled);
    if (handled) return native;
  }
  List list;
  list.reserve(args.pos.size());
  for (const auto& a : args.pos) {
    JASSIGN(Value v, to_value(a));
    list.push_back(std::move(v));
  }
  Map kwargs;
  for (const auto& [k, v] : args.kw) {
    JASSIGN(Value value, to_value(v));
    kwargs.set(k.as_str(), std::move(value));
  }
  // Keep copies of container arguments only, to detect in-place changes
  // (defaults.merge(dest, src)) and write them back into the template's object.
  std::vector<std::pair<size_t, Value>> before;
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].is_map() || list[i].is_list()) before.emplace_back(i, list[i]);
  }
  Map kw_before;
  for (const auto& [k, v] : kwargs) {
    if (v.is_map() || v.is_list()) kw_before.set(k, v);
  }
  Result<Value> r = [&]() -> Result<Value> {
    try {
      return caller(fun, list, kwargs);
    } catch (const std::exception& e) {  // a caller must not take the render down
      return make_error(Errc::kInternal, std::string("exception in '") + fun + "': " + e.what());
    }
  }();
  for (const auto& [i, prev] : before) {
    if (i < list.size() && !(list[i] == prev)) write_back(args.pos[i], list[i]);
  }
  for (const auto& [k, v] : args.kw) {
    if (!(v.is_dict() || v.is_list())) continue;
    const Value* after = kwargs.find(k.as_str());
    const Value* prev = kw_before.find(k.as_str());
    if (after && prev && !(*after == *prev)) write_back(v, *after);
  }
  if (!r) {
    if (r.error().code == Errc::kNotFound && r.error().message.find(fun) != std::string::npos &&
        r.error().message.find("not available") != std::string::npos) {
      return fault(FaultKind::kUndefined,
                   "'salt.loader.lazy.LazyLoader object' has no attribute '" + fun + "'");
    }
    return fault(FaultKind::kSaltCall, r.error().message);
  }
  kept_values_.push_back(std::move(*r));
  return from_value_lazy(kept_values_.back());
}

}  // namespace brine::jinja
