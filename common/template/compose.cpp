// Template composition: loading, include, import, extends and blocks, and
// the top-level render.
#include "common/codec/yaml.h"
#include "common/template/env_impl.h"
#include "common/template/interp.h"
#include "common/template/print.h"

namespace brine::jinja {
namespace {

std::string dirname(std::string_view p) {
  size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(p.substr(0, slash));
}

std::string replace_all(std::string s, char from, char to) {
  for (char& ch : s) {
    if (ch == from) ch = to;
  }
  return s;
}

}  // namespace

Interp::Interp(Environment::Impl& e, const Options& o) : env(e), options(o), syms(e.symbols) {}

Interp::~Interp() {
  // Drop every runtime value before the registry sweeps and the templates go.
  globals.clear();
  module_cache_.clear();
  for (auto& inst : instances_) inst->root = Val();
}

R<std::shared_ptr<const Template>> Interp::load(const Val& name, const Template* current,
                                                bool* missing) {
  JTRY(check_defined(name));
  if (!name.is_str()) {
    return type_error("template name must be a string, got '" + type_name(name) + "'");
  }
  const std::string& raw = name.as_str();
  Result<std::string> canonical = env.loader->resolve(raw, current ? current->name : std::string());
  if (!canonical) {
    if (missing) *missing = true;
    return fault(FaultKind::kNotFound,
                 "Template '" + raw + "' not found: " + canonical.error().message);
  }
  R<std::shared_ptr<const Template>> t = env.get(*canonical);
  if (!t) {
    if (t.error()->kind == FaultKind::kNotFound && missing) *missing = true;
    return t;
  }
  for (const auto& held : templates_) {
    if (held == *t) return t;
  }
  templates_.push_back(*t);
  // Salt's loader updates these globals each time it loads a template; a
  // relative name keeps tpldir and only changes tplfile.
  bool relative = raw.starts_with("./") || raw.starts_with("../");
  std::string tpldir;
  if (relative) {
    const Value* cur = loader_globals.find("tpldir");
    tpldir = cur && cur->is_string() ? cur->as_string() : std::string(".");
  } else {
    tpldir = dirname(*canonical);
  }
  std::string plain = tpldir == "." ? std::string() : tpldir;
  loader_globals.set("tplfile", relative ? raw : *canonical);
  loader_globals.set("tpldir", plain.empty() ? std::string(".") : plain);
  loader_globals.set("tpldot", replace_all(plain, '/', '.'));
  loader_globals.set("tplroot", plain.substr(0, plain.find('/')));
  if (salt_context) {
    for (const auto& [k, v] : loader_globals) globals[syms.intern(k)] = from_value(v);
  }
  return t;
}

RV Interp::load_yaml_cached(const std::string& text) {
  std::shared_ptr<const Value> doc;
  {
    std::lock_guard lock(env.yaml_mu);
    auto it = env.yaml_cache.find(text);
    if (it != env.yaml_cache.end()) doc = it->second;
  }
  if (!doc) {
    Result<Value> r = codec::yaml_load(text);
    if (!r) return runtime_error("Encountered error loading yaml: " + r.error().to_string());
    doc = std::make_shared<const Value>(std::move(*r));
    if (text.size() <= Environment::Impl::kYamlCacheMaxText) {
      std::lock_guard lock(env.yaml_mu);
      if (env.yaml_cache.size() >= Environment::Impl::kYamlCacheEntries) env.yaml_cache.clear();
      env.yaml_cache.emplace(text, doc);
    }
  }
  kept_docs_.push_back(doc);
  return from_value_lazy(*doc);
}

Val Interp::snapshot_frame(Ctx& c) {
  Val snap = new_frame(Val());
  Frame* s = as_frame(snap);
  for (Frame* f = c.frame; f; f = f->parent_frame()) {
    for (const auto& [k, v] : f->vars) {
      if (!s->find(k)) s->vars.emplace_back(k, v);
    }
    if (f->terminal) {
      s->terminal = true;
      break;
    }
  }
  return snap;
}

namespace {

std::unique_ptr<Instance> make_instance(std::shared_ptr<const Template> tmpl, Val root) {
  auto inst = std::make_unique<Instance>();
  for (const auto& [name, b] : tmpl->blocks) inst->blocks[name].emplace_back(b, tmpl);
  inst->tmpl = std::move(tmpl);
  inst->root = std::move(root);
  return inst;
}

}  // namespace

RS Interp::render_instance(Instance& inst, std::string& out, int line_for_errors) {
  (void)line_for_errors;
  Ctx c;
  c.tmpl = inst.tmpl.get();
  c.inst = &inst;
  c.frame = as_frame(inst.root);
  c.out = &out;
  JTRY(exec_body(inst.tmpl->body, c));
  while (inst.parent) {
    std::shared_ptr<const Template> parent = std::move(inst.parent);
    inst.parent = nullptr;
    for (const auto& [name, b] : parent->blocks) inst.blocks[name].emplace_back(b, parent);
    Ctx pc;
    pc.tmpl = parent.get();
    pc.inst = &inst;
    pc.frame = as_frame(inst.root);
    pc.out = &out;
    JTRY(exec_body(parent->body, pc));
  }
  return {};
}

RS Interp::exec_include(const IncludeStmt& s, Ctx& c) {
  JASSIGN(Val name, eval(*s.name, c));
  Vals names;
  if (name.is_seq()) {
    names = name.list_obj()->items;
  } else {
    names.push_back(name);
  }
  std::shared_ptr<const Template> tmpl;
  for (const auto& n : names) {
    bool missing = false;
    auto t = load(n, c.tmpl, &missing);
    if (t) {
      tmpl = *t;
      break;
    }
    if (!missing) return Unexpected(std::move(t.error()));
    if (names.size() == 1 && !s.ignore_missing) return Unexpected(std::move(t.error()));
  }
  if (!tmpl) {
    if (s.ignore_missing) return {};
    std::string msg = "none of the templates given were found: ";
    for (size_t i = 0; i < names.size(); ++i) {
      if (i) msg += ", ";
      auto r = to_str(names[i]);
      msg += r ? *r : std::string("?");
    }
    return fault(FaultKind::kNotFound, std::move(msg));
  }
  if (depth >= options.max_call_depth) return type_error("maximum recursion depth exceeded");
  DepthGuard dg(depth);
  Val root = new_frame(s.with_context ? frame_ref(c.frame) : Val());
  instances_.push_back(make_instance(tmpl, std::move(root)));
  Instance& inst = *instances_.back();
  return render_instance(inst, *c.out, s.line);
}

R<Val> Interp::import_module(const Val& name, const Template* current, bool with_context, Ctx& c,
                             int line) {
  JASSIGN(std::shared_ptr<const Template> tmpl, load(name, current, nullptr));
  if (!with_context) {
    if (auto it = module_cache_.find(tmpl->name); it != module_cache_.end()) return it->second;
  }
  if (depth >= options.max_call_depth) return type_error("maximum recursion depth exceeded");
  DepthGuard dg(depth);
  Val root = new_frame(with_context ? snapshot_frame(c) : Val());
  instances_.push_back(make_instance(tmpl, root));
  Instance& inst = *instances_.back();
  auto* m = new ModuleObj();
  Val mv = Val::object(m);
  m->name = tmpl->name;
  JTRY(render_instance(inst, m->body, line));
  for (const auto& [sym, v] : as_frame(root)->vars) {
    std::string_view n = syms.name(sym);
    if (!n.empty() && n[0] != '_') m->exports.emplace_back(std::string(n), v);
  }
  if (!with_context) module_cache_.emplace(tmpl->name, mv);
  return mv;
}

RS Interp::exec_extends(const ExtendsStmt& s, Ctx& c) {
  if (c.inst->parent) return runtime_error("extended multiple times");
  JASSIGN(Val name, eval(*s.name, c));
  JASSIGN(std::shared_ptr<const Template> tmpl, load(name, c.tmpl, nullptr));
  c.inst->parent = std::move(tmpl);
  c.suppress = true;
  return {};
}

RV Interp::block_render(Instance* inst, const std::string& name, size_t index, Ctx* c) {
  auto it = inst->blocks.find(name);
  if (it == inst->blocks.end() || index >= it->second.size()) {
    if (index > 0)
      return fault(FaultKind::kUndefined, "there is no parent block called '" + name + "'.");
    return fault(FaultKind::kUndefined,
                 "'jinja2.runtime.TemplateReference object' has no attribute '" + name + "'");
  }
  const auto& [block, tmpl] = it->second[index];
  if (block->required && it->second.size() == index + 1) {
    return runtime_error("Required block '" + name + "' not found.");
  }
  if (depth >= options.max_call_depth) return type_error("maximum recursion depth exceeded");
  DepthGuard dg(depth);
  bool scoped = block->scoped && c && c->frame;
  Val fv = new_frame(scoped ? frame_ref(c->frame) : inst->root);
  Frame* f = as_frame(fv);
  f->set(Symbols::kSuper, Val::object(new BlockRefObj(inst, name, index + 1)));
  std::string out;
  Ctx bc;
  bc.tmpl = tmpl.get();
  bc.inst = inst;
  bc.frame = f;
  bc.out = &out;
  JTRY(exec_body(block->body, bc));
  return Val::str(std::move(out));
}

R<std::string> Interp::render_top(std::shared_ptr<const Template> tmpl, const Map& context) {
  templates_.push_back(tmpl);
  add_builtin_globals(*this);
  // Lazily: a render only pays for the parts of pillar/grains it touches.
  for (const auto& [k, v] : context) globals[syms.intern(k)] = from_value_lazy(v);
  Sym salt = syms.intern("salt");
  if (env.caller && !context.contains("salt")) globals[salt] = Val::object(new SaltObj("", false));
  salt_context =
      context.contains("saltenv") || context.contains("sls") || context.contains("grains");
  for (const char* k : {"tplfile", "tpldir", "tpldot", "tplroot"}) {
    if (const Value* v = context.find(k)) loader_globals.set(k, *v);
  }
  // The top-level template sees the context as it was when rendering started.
  Val ctx_frame = new_frame(Val());
  Frame* cf = as_frame(ctx_frame);
  cf->terminal = true;
  cf->vars.reserve(globals.size());
  globals.for_each([&](Sym k, const Val& v) { cf->vars.emplace_back(k, v); });
  std::string out;
  out.reserve(tmpl->output_hint.load(std::memory_order_relaxed));
  const Template* t = tmpl.get();
  instances_.push_back(make_instance(std::move(tmpl), new_frame(ctx_frame)));
  JTRY(render_instance(*instances_.back(), out, 0));
  t->output_hint.store(out.size() + 1, std::memory_order_relaxed);
  return out;
}

}  // namespace brine::jinja
