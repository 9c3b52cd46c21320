// Statement execution: output, control flow, assignment, macros and calls.
// Template composition (include/import/extends/blocks) is in compose.cpp.
#include "common/template/env_impl.h"
#include "common/template/interp.h"
#include "common/template/print.h"
#include "common/template/strings.h"

namespace brine::jinja {
namespace {

void locate(Fault& f, int line, const Template* t) {
  if (!f.located()) {
    f.line = line;
    f.template_name = t ? t->name : std::string();
  }
}

}  // namespace

Unexpected Interp::output_too_large() const {
  return runtime_error("template output exceeds " + std::to_string(options.max_output_bytes) +
                       " bytes");
}

RS Interp::write(Ctx& c, std::string_view text) {
  if (c.suppress) return {};
  c.out->append(text);
  return check_output(c.out->size());
}

RS Interp::exec_output(const OutputStmt& s, Ctx& c) {
  if (c.suppress) return {};
  for (const auto& item : s.items) {
    if (item->kind == EK::kConst && static_cast<const ConstExpr&>(*item).data) {
      c.out->append(static_cast<const ConstExpr&>(*item).value.as_str());
      continue;
    }
    Val v;
    const Val* vp = &v;
    if (item->kind == EK::kCall && !c.autoescape) {
      DirectOut direct{c.out};
      RV r = eval_call(static_cast<const CallExpr&>(*item), c, &direct);
      if (!r) {
        locate(*r.error(), item->line, c.tmpl);
        return Unexpected(std::move(r.error()));
      }
      if (direct.used) continue;
      v = std::move(*r);
    } else if (item->kind == EK::kName) {  // `{{ name }}`: print the variable in place
      const auto& n = static_cast<const NameExpr&>(*item);
      vp = lookup_ref(n.sym, c);
      if (!vp) {
        JSET(v, lookup(n.sym, n.name, c));
        vp = &v;
      }
    } else {
      JSET(v, eval(*item, c));
    }
    if (c.autoescape && !(vp->is_str() && vp->str_obj()->markup)) {
      std::string text;
      if (auto r = append_output(text, *vp); !r) {
        locate(*r.error(), item->line, c.tmpl);
        return Unexpected(std::move(r.error()));
      }
      c.out->append(strings::html_escape(text));
      continue;
    }
    if (vp->is_str()) {
      c.out->append(vp->as_str());
    } else if (vp->is_int()) {
      append_int(*c.out, vp->as_int());
    } else if (auto r = append_output(*c.out, *vp); !r) {
      locate(*r.error(), item->line, c.tmpl);
      return Unexpected(std::move(r.error()));
    }
  }
  return check_output(c.out->size());
}

R<Flow> Interp::exec_body(const Body& body, Ctx& c) {
  for (const auto& s : body) {
    if (s->kind == SK::kOutput) {  // the most common statement: no dispatch
      const auto& os = static_cast<const OutputStmt&>(*s);
      RS r;
      if (os.text_only) {
        if (c.suppress) continue;
        c.out->append(os.text);
        r = check_output(c.out->size());
      } else {
        r = exec_output(os, c);
      }
      if (!r) {
        locate(*r.error(), s->line, c.tmpl);
        return Unexpected(std::move(r.error()));
      }
      continue;
    }
    R<Flow> r = exec(*s, c);
    if (!r) {
      locate(*r.error(), s->line, c.tmpl);
      return r;
    }
    if (*r != Flow::kNormal) return r;
  }
  return Flow::kNormal;
}

RS Interp::assign(const Target& t, Val v, Ctx& c) {
  switch (t.kind) {
    case Target::Kind::kName:
      c.frame->set(t.sym, std::move(v));
      return {};
    case Target::Kind::kTuple: {
      if (v.is_seq() && v.list_obj()->items.size() == t.items.size()) {
        // Unpacking a tuple or list (`for k, v in d|dictsort`): no copy. `v`
        // keeps the items alive; assigning names cannot change them.
        const auto& items = v.list_obj()->items;
        for (size_t i = 0; i < items.size(); ++i) JTRY(assign(t.items[i], items[i], c));
        return {};
      }
      Vals items;
      JTRY(iterate(v, items));
      if (items.size() > t.items.size()) {
        return type_error("too many values to unpack (expected " + std::to_string(t.items.size()) +
                          ")");
      }
      if (items.size() < t.items.size()) {
        return type_error("not enough values to unpack (expected " +
                          std::to_string(t.items.size()) + ", got " + std::to_string(items.size()) +
                          ")");
      }
      for (size_t i = 0; i < items.size(); ++i) JTRY(assign(t.items[i], std::move(items[i]), c));
      return {};
    }
    case Target::Kind::kNsRef: {
      JASSIGN(Val ns, lookup(t.sym, t.name, c));
      if (!ns.is_object() || ns.obj()->kind() != Object::Kind::kNamespace) {
        return runtime_error("cannot assign attribute on non-namespace object");
      }
      static_cast<NamespaceObj*>(ns.obj())->attrs.dict_obj()->set_str(t.attr, std::move(v));
      return {};
    }
  }
  return {};
}

Val Interp::make_macro(const MacroDef& def, Ctx& c) {
  auto* m = new MacroObj();
  m->tmpl = c.tmpl;
  m->inst = c.inst;
  m->def = &def;
  m->closure = frame_ref(c.frame);
  return Val::object(m);
}

namespace {
// The context a macro's body runs in: its defining template, a new frame.
Ctx macro_ctx(const MacroObj& m, Frame* f, std::string* out) {
  Ctx mc;
  mc.tmpl = m.tmpl;
  mc.inst = m.inst;
  mc.frame = f;
  mc.out = out;
  return mc;
}
}  // namespace

RV Interp::call_macro(const MacroObj& m, CallArgs& args, const Val& caller, DirectOut* direct) {
  const MacroDef& d = *m.def;
  if (depth >= options.max_call_depth) return type_error("maximum recursion depth exceeded");
  DepthGuard dg(depth);
  const size_t nparams = d.params.size();
  if (args.kw.empty() && !d.uses_caller && !d.uses_kwargs && !d.uses_varargs &&
      args.pos.size() <= nparams) {
    // The common call: positional arguments only, no special names. The
    // arguments move straight into the new frame (params are distinct).
    Val fv = new_frame(m.closure);
    Frame* f = as_frame(fv);
    const size_t npos = args.pos.size();
    for (size_t i = 0; i < npos; ++i) f->vars.emplace_back(d.params[i], std::move(args.pos[i]));
    std::string out;
    Ctx mc = macro_ctx(m, f, direct ? direct->out : &out);
    const size_t first_default = nparams - d.defaults.size();
    for (size_t i = npos; i < nparams; ++i) {
      if (i >= first_default) {
        JASSIGN(Val v, eval(*d.defaults[i - first_default], mc));
        f->set(d.params[i], std::move(v));
      } else {
        f->set(d.params[i],
               Val::undefined("parameter '" + d.param_names[i] + "' was not provided"));
      }
    }
    return finish_macro(d, mc, out, direct);
  }
  boost::container::small_vector<Val, 8> values(nparams);
  boost::container::small_vector<bool, 8> given(nparams, false);
  size_t npos = std::min(args.pos.size(), nparams);
  for (size_t i = 0; i < npos; ++i) {
    values[i] = args.pos[i];
    given[i] = true;
  }
  bool found_caller = false;
  if (npos != nparams) {
    for (size_t i = npos; i < nparams; ++i) {
      if (args.take(d.param_names[i], &values[i])) given[i] = true;
      if (d.param_names[i] == "caller") found_caller = true;
    }
  } else {
    found_caller = d.explicit_caller;
  }
  Val fv = new_frame(m.closure);
  Frame* f = as_frame(fv);
  if (d.uses_caller && !found_caller) {
    f->set(Symbols::kCaller, caller.is_none() ? Val::undefined("No caller defined") : caller);
  }
  if (d.uses_kwargs) {
    Val kw = Val::dict();
    for (auto& [k, v] : args.kw) kw.dict_obj()->set(k, hash_str(k.as_str()), v);
    f->set(Symbols::kKwargs, std::move(kw));
  } else if (!args.kw.empty()) {
    if (args.has_kw("caller")) {
      return type_error("macro '" + d.name +
                        "' was invoked with two values for the special caller argument. This is "
                        "most likely a bug.");
    }
    return type_error("macro '" + d.name + "' takes no keyword argument '" +
                      args.kw[0].first.as_str() + "'");
  }
  if (d.uses_varargs) {
    Vals rest;
    for (size_t i = nparams; i < args.pos.size(); ++i) rest.push_back(args.pos[i]);
    f->set(Symbols::kVarargs, Val::tuple(std::move(rest)));
  } else if (args.pos.size() > nparams) {
    return type_error("macro '" + d.name + "' takes not more than " + std::to_string(nparams) +
                      " argument(s)");
  }
  std::string out;
  Ctx mc = macro_ctx(m, f, direct ? direct->out : &out);
  const size_t first_default = nparams - d.defaults.size();
  const bool fresh = f->vars.empty();  // else special names may collide with params
  // Jinja2 binds every given argument before it evaluates any default, so a
  // default may refer to a parameter given by keyword after it.
  for (size_t i = 0; i < nparams; ++i) {
    if (!given[i]) continue;
    if (fresh) {
      f->vars.emplace_back(d.params[i], std::move(values[i]));  // params are distinct
    } else {
      f->set(d.params[i], std::move(values[i]));
    }
  }
  for (size_t i = 0; i < nparams; ++i) {
    if (given[i]) {
      continue;
    } else if (i >= first_default) {
      JASSIGN(Val v, eval(*d.defaults[i - first_default], mc));
      f->set(d.params[i], std::move(v));
    } else {
      f->set(d.params[i], Val::undefined("parameter '" + d.param_names[i] + "' was not provided"));
    }
  }
  return finish_macro(d, mc, out, direct);
}

RV Interp::finish_macro(const MacroDef& d, Ctx& mc, std::string& out, DirectOut* direct) {
  JTRY(exec_body(d.body, mc));
  if (direct) {
    direct->used = true;
    return Val();
  }
  return Val::str(std::move(out));
}

R<Flow> Interp::exec(const Stmt& s, Ctx& c) {
  // The common statements; the others are in exec_other, which keeps this
  // function's frame (and its prologue, run for every statement) small.
  switch (s.kind) {
    case SK::kOutput:
      JTRY(exec_output(static_cast<const OutputStmt&>(s), c));
      return Flow::kNormal;
    case SK::kIf: {
      const auto& is = static_cast<const IfStmt&>(s);
      for (const auto& [test, body] : is.branches) {
        Val tmp;
        JASSIGN(const Val* t, eval_ref(*test, c, tmp));
        R<bool> b = truthy(*t);
        if (!b) {
          locate(*b.error(), test->line, c.tmpl);
          return Unexpected(std::move(b.error()));
        }
        if (*b) return exec_body(body, c);
      }
      return exec_body(is.else_body, c);
    }
    case SK::kFor: {
      const auto& fs = static_cast<const ForStmt&>(s);
      JASSIGN(Val it, eval(*fs.iter, c));
      if (c.suppress) {
        std::string sink;
        return exec_for(fs, c, it, 0, &sink);
      }
      return exec_for(fs, c, it, 0, c.out);
    }
    case SK::kSet: {
      const auto& ss = static_cast<const SetStmt&>(s);
      RV v = eval(*ss.value, c);
      if (!v) return Unexpected(std::move(v.error()));
      if (ss.target.kind == Target::Kind::kName) {
        c.frame->set(ss.target.sym, std::move(*v));
      } else {
        JTRY(assign(ss.target, std::move(*v), c));
      }
      return Flow::kNormal;
    }
    case SK::kDo: {
      JTRY(eval(*static_cast<const DoStmt&>(s).expr, c));
      return Flow::kNormal;
    }
    case SK::kBreak:
      return Flow::kBreak;
    case SK::kContinue:
      return Flow::kContinue;
    default:
      return exec_other(s, c);
  }
}

R<Flow> Interp::exec_other(const Stmt& s, Ctx& c) {
  switch (s.kind) {
    case SK::kSetBlock: {
      const auto& sb = static_cast<const SetBlockStmt&>(s);
      std::string body;
      Val fv = new_frame(frame_ref(c.frame));
      Ctx bc = c;
      bc.frame = as_frame(fv);
      bc.out = &body;
      bc.suppress = false;
      JTRY(exec_body(sb.body, bc));
      Val v = Val::str(std::move(body));
      if (sb.filter) JSET(v, eval_filter(static_cast<const FilterExpr&>(*sb.filter), c, &v));
      JTRY(assign(sb.target, std::move(v), c));
      return Flow::kNormal;
    }
    case SK::kMacro: {
      const auto& ms = static_cast<const MacroStmt&>(s);
      c.frame->set(ms.sym, make_macro(ms.def, c));
      return Flow::kNormal;
    }
    case SK::kCallBlock: {
      if (c.suppress) return Flow::kNormal;
      const auto& cb = static_cast<const CallBlockStmt&>(s);
      Val caller = make_macro(cb.caller, c);
      const CallExpr& ce = *cb.call;
      Val fn;
      CallArgs args;
      if (ce.fn->kind == EK::kGetattr) {
        const auto& g = static_cast<const GetattrExpr&>(*ce.fn);
        JASSIGN(Val obj, eval(*g.obj, c));
        JSET(fn, getattr(*this, obj, g.attr, &g.attr_val));
      } else {
        JSET(fn, eval(*ce.fn, c));
      }
      JTRY(eval_args(ce.a, c, args));
      args.kw.emplace_back(Val::str("caller"), std::move(caller));
      JASSIGN(Val r, call(fn, args, &c));
      JTRY(append_str(*c.out, r));
      JTRY(check_output(c.out->size()));
      return Flow::kNormal;
    }
    case SK::kFilterBlock: {
      if (c.suppress) return Flow::kNormal;
      const auto& fb = static_cast<const FilterBlockStmt&>(s);
      std::string body;
      Val fv = new_frame(frame_ref(c.frame));
      Ctx bc = c;
      bc.frame = as_frame(fv);
      bc.out = &body;
      JTRY(exec_body(fb.body, bc));
      Val v = Val::str(std::move(body));
      JASSIGN(Val r, eval_filter(static_cast<const FilterExpr&>(*fb.filter), c, &v));
      JTRY(append_str(*c.out, r));
      JTRY(check_output(c.out->size()));
      return Flow::kNormal;
    }
    case SK::kWith: {
      const auto& ws = static_cast<const WithStmt&>(s);
      Val fv = new_frame(frame_ref(c.frame));
      Ctx wc = c;
      wc.frame = as_frame(fv);
      for (const auto& [target, expr] : ws.assigns) {
        JASSIGN(Val v, eval(*expr, c));
        JTRY(assign(target, std::move(v), wc));
      }
      return exec_body(ws.body, wc);
    }
    case SK::kInclude:
      if (c.suppress) return Flow::kNormal;
      JTRY(exec_include(static_cast<const IncludeStmt&>(s), c));
      return Flow::kNormal;
    case SK::kImport: {
      const auto& is = static_cast<const ImportStmt&>(s);
      JASSIGN(Val name, eval(*is.name, c));
      JASSIGN(Val mod, import_module(name, c.tmpl, is.with_context, c, s.line));
      if (is.loader) {
        CallArgs none;
        JSET(mod, is.loader(*this, mod, none));
      }
      JTRY(assign(is.target, std::move(mod), c));
      return Flow::kNormal;
    }
    case SK::kFromImport: {
      const auto& fi = static_cast<const FromImportStmt&>(s);
      JASSIGN(Val name, eval(*fi.name, c));
      JASSIGN(Val mod, import_module(name, c.tmpl, fi.with_context, c, s.line));
      auto* m = static_cast<ModuleObj*>(mod.obj());
      for (const auto& [exported, target] : fi.names) {
        const Val* v = m->find(exported);
        Val value;
        if (v) {
          value = *v;
        } else {
          std::string msg = "the template ";
          append_string_repr(msg, m->name);
          msg += " (imported on line " + std::to_string(s.line) +
                 ") does not export the requested name ";
          append_string_repr(msg, exported);
          value = Val::undefined(std::move(msg), options.allow_undefined);
        }
        JTRY(assign(target, std::move(value), c));
      }
      return Flow::kNormal;
    }
    case SK::kExtends:
      JTRY(exec_extends(static_cast<const ExtendsStmt&>(s), c));
      return Flow::kNormal;
    case SK::kBlock: {
      if (c.suppress) return Flow::kNormal;
      const auto& bs = static_cast<const BlockStmt&>(s);
      JASSIGN(Val r, block_render(c.inst, bs.name, 0, &c));
      JTRY(append_str(*c.out, r));
      JTRY(check_output(c.out->size()));
      return Flow::kNormal;
    }
    case SK::kScope: {
      const auto& sc = static_cast<const ScopeStmt&>(s);
      JASSIGN(Val ae, eval(*sc.autoescape, c));
      JASSIGN(bool on, truthy(ae));
      bool saved = c.autoescape;
      c.autoescape = on;
      R<Flow> r = exec_body(sc.body, c);
      c.autoescape = saved;
      return r;
    }
    default:  // handled by exec
      break;
  }
  return Flow::kNormal;
}

}  // namespace brine::jinja
