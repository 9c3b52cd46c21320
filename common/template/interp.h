// The tree-walking interpreter (internal): one Interp per render.
//
// Scoping follows Jinja's runtime behaviour: a chain of Frames (template
// root → for-loop iteration / macro call / with / block), lookups walk the
// chain and then the render's globals (Salt's context + Jinja's globals);
// assignments go into the innermost frame. Macros close over the frame they
// were defined in. `include`/`import ... with context` see a snapshot of the
// visible variables; plain `import` sees only the globals.
#pragma once

#include <boost/container/small_vector.hpp>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/template/ast.h"
#include "common/template/jinja.h"
#include "common/template/symbols.h"
#include "common/template/value.h"

namespace brine::jinja {

class Interp;

// Most calls have a few arguments: keep them inline (no allocation).
using ArgVec = boost::container::small_vector<Val, 4>;
using KwVec = boost::container::small_vector<std::pair<Val, Val>, 2>;

struct CallArgs {
  ArgVec pos;
  KwVec kw;  // (name: str, value)

  // Removes and returns the keyword `name` (nullopt-like: is_undefined()
  // never; returns false when absent).
  bool take(std::string_view name, Val* out);
  bool has_kw(std::string_view name) const;
};

// Binds positional/keyword arguments to a Python-style signature:
//   bind(args, "truncate", {"s", "length", "killwords", "end", "leeway"}, 1, &out)
// `required` leading parameters must be given; absent optional ones are
// left as Val::undefined markers (check with is_undefined()). Extra or
// unknown arguments fail with Python's TypeError wording.
RS bind_args(CallArgs& args, std::string_view fname, std::initializer_list<std::string_view> params,
             size_t required, Val* out);

// ------------------------------------------------------------ frames

class Frame final : public Object {
 public:
  explicit Frame(Val p) : Object(Kind::kFrame), parent(std::move(p)) {
    up = parent.is_object() ? static_cast<Frame*>(parent.obj()) : nullptr;
  }
  std::string type_name() const override { return "Frame"; }
  void clear_refs() override {
    up = nullptr;
    parent = Val();
    vars.clear();
  }
  Val* find(Sym s) {
    for (auto& [k, v] : vars) {
      if (k == s) return &v;
    }
    return nullptr;
  }
  void set(Sym s, Val&& v) {
    if (Val* existing = find(s)) {
      existing->swap(v);  // the old value goes with the caller's temporary
    } else {
      vars.emplace_back(s, std::move(v));
    }
  }
  void set(Sym s, const Val& v) { set(s, Val(v)); }
  Frame* parent_frame() const { return up; }

  Val parent;  // keeps the enclosing frame alive
  Frame* up;   // parent's Frame, or nullptr
  boost::container::small_vector<std::pair<Sym, Val>, 6> vars;
  // The top-level context snapshot: lookups stop here instead of falling
  // through to the live globals (Salt's context is a snapshot at render start).
  bool terminal = false;
};

Val new_frame(Val parent);
inline Frame* as_frame(const Val& v) { return static_cast<Frame*>(v.obj()); }

// Variables by symbol (symbols are small dense integers): O(1) lookups for
// the render's globals. Iterates in symbol order.
class SymMap {
 public:
  Val* find(Sym s) { return s < present_.size() && present_[s] ? &vals_[s] : nullptr; }
  Val& operator[](Sym s) {
    if (s >= present_.size()) {
      present_.resize(s + 1, 0);
      vals_.resize(s + 1);
    }
    if (!present_[s]) {
      present_[s] = 1;
      ++size_;
    }
    return vals_[s];
  }
  size_t size() const { return size_; }
  void clear() {
    vals_.clear();
    present_.clear();
    size_ = 0;
  }
  template <typename F>
  void for_each(F f) const {
    for (size_t s = 0; s < present_.size(); ++s) {
      if (present_[s]) f(static_cast<Sym>(s), vals_[s]);
    }
  }

 private:
  std::vector<Val> vals_;
  std::vector<uint8_t> present_;
  size_t size_ = 0;
};

// A template being executed (top level, included, imported or extended).
struct Instance {
  std::shared_ptr<const Template> tmpl;
  Val root;  // Frame of template-level variables
  // Block overrides, most derived first (extends).
  std::map<std::string, std::vector<std::pair<const BlockStmt*, std::shared_ptr<const Template>>>,
           std::less<>>
      blocks;
  std::shared_ptr<const Template> parent;  // set by {% extends %}
};

struct Ctx {
  const Template* tmpl = nullptr;
  Instance* inst = nullptr;
  Frame* frame = nullptr;  // kept alive by whoever created the Ctx
  std::string* out = nullptr;
  bool suppress = false;    // output after {% extends %} is discarded
  bool autoescape = false;  // inside {% autoescape true %}
};

enum class Flow : uint8_t { kNormal, kBreak, kContinue };

// `{{ macro(...) }}`: the macro writes its output straight into `out`
// (the statement's buffer) instead of returning it as a new string; `used`
// tells whether the callee was a macro and did so.
struct DirectOut {
  std::string* out = nullptr;
  bool used = false;
};

// ------------------------------------------------------------ objects

using BuiltinFn = RV (*)(Interp& in, CallArgs& args);

class BuiltinObj final : public Object {
 public:
  BuiltinObj(std::string n, BuiltinFn f) : Object(Kind::kBuiltin), name(std::move(n)), fn(f) {}
  std::string type_name() const override { return "function"; }
  void repr(std::string& out) const override;
  void clear_refs() override {}
  std::string name;
  BuiltinFn fn;
};

class MethodObj final : public Object {
 public:
  MethodObj(Val s, std::string n, MethodFn f)
      : Object(Kind::kMethod), self(std::move(s)), name(std::move(n)), fn(f) {}
  std::string type_name() const override { return "builtin_function_or_method"; }
  void repr(std::string& out) const override;
  void clear_refs() override { self = Val(); }
  std::string type_name_of_self() const;
  Val self;
  std::string name;
  MethodFn fn;
};

class MacroObj final : public Object {
 public:
  MacroObj() : Object(Kind::kMacro) {}
  std::string type_name() const override { return "Macro"; }
  void repr(std::string& out) const override;
  void clear_refs() override { closure = Val(); }
  const Template* tmpl = nullptr;  // alive for the render (Interp::templates_)
  Instance* inst = nullptr;        // defining template (blocks for self.x())
  const MacroDef* def = nullptr;
  Val closure;  // Frame
};

class NamespaceObj final : public Object {
 public:
  NamespaceObj() : Object(Kind::kNamespace), attrs(Val::dict()) {}
  std::string type_name() const override { return "Namespace"; }
  void repr(std::string& out) const override;
  void clear_refs() override { attrs = Val(); }
  Val attrs;  // dict
};

class LoopObj final : public Object {
 public:
  LoopObj() : Object(Kind::kLoop) {}
  std::string type_name() const override { return "LoopContext"; }
  void repr(std::string& out) const override;
  void clear_refs() override {
    items.clear();
    last_changed = Val();
    frame = Val();
  }
  Vals items;
  size_t index0 = 0;
  int depth0 = 0;
  bool has_changed = false;
  Val last_changed;
  // recursive loops: loop(x) renders the body again
  const ForStmt* stmt = nullptr;
  const Template* tmpl = nullptr;
  Instance* inst = nullptr;
  Val frame;  // the frame the for statement ran in
};

class CyclerObj final : public Object {
 public:
  CyclerObj() : Object(Kind::kCycler) {}
  std::string type_name() const override { return "Cycler"; }
  void clear_refs() override { items.clear(); }
  Vals items;
  size_t pos = 0;
};

class JoinerObj final : public Object {
 public:
  JoinerObj() : Object(Kind::kJoiner) {}
  std::string type_name() const override { return "Joiner"; }
  void clear_refs() override {}
  std::string sep;
  bool used = false;
};

class ModuleObj final : public Object {
 public:
  ModuleObj() : Object(Kind::kModule) {}
  std::string type_name() const override { return "TemplateModule"; }
  void repr(std::string& out) const override;
  RS str(std::string& out) const override {
    out += body;
    return {};
  }
  void clear_refs() override { exports.clear(); }
  std::string name;
  std::string body;
  std::vector<std::pair<std::string, Val>> exports;
  const Val* find(std::string_view n) const {
    for (const auto& [k, v] : exports) {
      if (k == n) return &v;
    }
    return nullptr;
  }
};

// `salt` (prefix ""), `salt.cmd` (prefix "cmd"), and functions `salt['cmd.run']`.
class SaltObj final : public Object {
 public:
  SaltObj(std::string p, bool fn)
      : Object(fn ? Kind::kSaltFunc : Kind::kSaltProxy), path(std::move(p)) {}
  std::string type_name() const override {
    return kind() == Kind::kSaltFunc ? "function" : "LazyLoader";
  }
  void repr(std::string& out) const override;
  void clear_refs() override {}
  std::string path;
};

// `super` inside a block, and `self.<block>` (callable: renders the block).
class BlockRefObj final : public Object {
 public:
  BlockRefObj(Instance* i, std::string n, size_t idx)
      : Object(Kind::kBlockRef), inst(i), name(std::move(n)), index(idx) {}
  std::string type_name() const override { return "BlockReference"; }
  void clear_refs() override {}
  Instance* inst;
  std::string name;
  size_t index;
};

// `self`: attribute access yields BlockRefObj for the named block.
class SelfRefObj final : public Object {
 public:
  explicit SelfRefObj(Instance* i) : Object(Kind::kSelfRef), inst(i) {}
  std::string type_name() const override { return "TemplateReference"; }
  void clear_refs() override {}
  Instance* inst;
};

// ------------------------------------------------------------ the interpreter

// A new reference to a frame, as a Val (frames are runtime objects).
inline Val frame_ref(Frame* f) { return Val::retain(Tag::kObject, f); }

// Counts nesting (includes, imports, recursive loops) while in scope.
struct DepthGuard {
  explicit DepthGuard(int& d) : d_(d) { ++d_; }
  ~DepthGuard() { --d_; }
  int& d_;
};

class Interp {
  // Declared first: destroyed last. Templates own the immortal constants that
  // runtime values may point to; the registry frees reference cycles.
  std::vector<std::shared_ptr<const Template>> templates_;
  // Results of salt calls, kept for the render so lazily converted values can
  // point into them.
  std::deque<Value> kept_values_;
  std::vector<std::shared_ptr<const Value>> kept_docs_;
  Registry registry_;

 public:
  Interp(Environment::Impl& env, const Options& options);
  ~Interp();

  // Renders `tmpl` as the top-level template with `context` as globals.
  R<std::string> render_top(std::shared_ptr<const Template> tmpl, const Map& context);

  // Expressions. Constants and names (most operands) are handled inline.
  RV eval(const Expr& e, Ctx& c) {
    if (e.kind == EK::kConst) return static_cast<const ConstExpr&>(e).value;
    if (e.kind == EK::kName) {
      const auto& n = static_cast<const NameExpr&>(e);
      return lookup(n.sym, n.name, c);
    }
    return eval_node(e, c);
  }
  RV call(const Val& fn, CallArgs& args, Ctx* c = nullptr, DirectOut* direct = nullptr);
  RV call_macro(const MacroObj& m, CallArgs& args, const Val& caller, DirectOut* direct = nullptr);
  // The end of every macro call: runs the body in `mc` and returns its text
  // (`out`), or writes it to the caller's buffer when `direct` is given.
  RV finish_macro(const MacroDef& d, Ctx& mc, std::string& out, DirectOut* direct);
  // Evaluates a call; see DirectOut.
  RV eval_call(const CallExpr& e, Ctx& c, DirectOut* direct = nullptr);
  RV call_salt(const std::string& fun, CallArgs& args);
  // pillar.get / grains.get answered from the context's `pillar`/`grains`
  // globals (salt_native.cpp), sharing their objects as Salt does. Sets
  // *handled to false (and returns None) when the module must answer.
  RV call_salt_native(const std::string& fun, CallArgs& args, bool* handled);
  RV lookup(Sym s, const std::string& name, Ctx& c) {
    if (const Val* v = lookup_ref(s, c)) return *v;
    return lookup_missing(s, name, c);
  }
  // The variable's current value, or nullptr when it is undefined.
  const Val* lookup_ref(Sym s, Ctx& c) {
    for (Frame* f = c.frame; f; f = f->up) {
      if (Val* v = f->find(s)) return v;
      if (f->terminal) return nullptr;
    }
    return globals.find(s);
  }

  // Statements.
  R<Flow> exec_body(const Body& body, Ctx& c);
  R<Flow> exec(const Stmt& s, Ctx& c);
  R<Flow> exec_other(const Stmt& s, Ctx& c);  // the less common statements

  // Helpers used by filters and objects.
  RV render_loop_recursive(LoopObj& loop, const Val& iterable);
  RV block_render(Instance* inst, const std::string& name, size_t index, Ctx* c);
  RS write(Ctx& c, std::string_view text);
  RS check_output(size_t size) const {
    if (size > options.max_output_bytes) [[unlikely]]
      return output_too_large();
    return {};
  }
  Unexpected output_too_large() const;

  Environment::Impl& env;
  const Options& options;
  Symbols& syms;
  SymMap globals;
  int depth = 0;  // calls/includes/imports in progress
  bool salt_context = false;

  // Loader-maintained globals tplfile/tpldir/tpldot/tplroot (Salt updates
  // them each time a template is loaded; imports without context see them).
  Map loader_globals;

  R<std::shared_ptr<const Template>> load(const Val& name, const Template* current, bool* missing);
  // Parses YAML through the environment's document cache; the result is a
  // fresh mutable value converted lazily from the shared document.
  RV load_yaml_cached(const std::string& text);
  // A template used by this render (for error context), or nullptr.
  const Template* find_template(std::string_view name) const {
    for (const auto& t : templates_) {
      if (t->name == name) return t.get();
    }
    return nullptr;
  }
  R<Val> import_module(const Val& name, const Template* current, bool with_context, Ctx& c,
                       int line);

 private:
  RV eval_node(const Expr& e, Ctx& c);  // locates faults in e
  RV eval_expr(const Expr& e, Ctx& c);
  RS eval_args(const ArgList& a, Ctx& c, CallArgs& out);
  RV eval_filter(const FilterExpr& e, Ctx& c, Val* block_value);
  RV eval_compare(const CompareExpr& e, Ctx& c);
  RS assign(const Target& t, Val v, Ctx& c);
  R<Flow> exec_for(const ForStmt& s, Ctx& c, const Val& iterable, int depth0, std::string* out);
  // A loop whose body cannot read `loop` (ForStmt::uses_loop): no LoopObj.
  R<Flow> exec_for_plain(const ForStmt& s, Ctx& c, const Vals& items, std::string* out);
  // A for loop's else block, when no iteration completed.
  RS exec_for_else(const ForStmt& s, Ctx& c, std::string* out);
  RS exec_output(const OutputStmt& s, Ctx& c);
  // Evaluates e without copying a name's or constant's value: the result
  // points into the frame or AST (valid until the next statement runs, as
  // expressions never assign variables) or at `tmp`, which holds the result
  // of any other expression.
  R<const Val*> eval_ref(const Expr& e, Ctx& c, Val& tmp) {
    if (e.kind == EK::kConst) return &static_cast<const ConstExpr&>(e).value;
    if (e.kind == EK::kName) {
      if (const Val* v = lookup_ref(static_cast<const NameExpr&>(e).sym, c)) return v;
    }
    return eval_to(e, c, tmp);
  }
  R<const Val*> eval_to(const Expr& e, Ctx& c, Val& tmp);     // eval into tmp
  RV lookup_missing(Sym s, const std::string& name, Ctx& c);  // `self` or an Undefined
  RS exec_include(const IncludeStmt& s, Ctx& c);
  RS exec_extends(const ExtendsStmt& s, Ctx& c);
  Val make_macro(const MacroDef& def, Ctx& c);
  RS render_instance(Instance& inst, std::string& out, int line_for_errors);
  Val snapshot_frame(Ctx& c);

  std::unordered_map<std::string, Val> module_cache_;  // imports without context
  std::vector<std::unique_ptr<Instance>> instances_;
};

// ------------------------------------------------------------ operations (ops.cpp)

RV binop(BinOp op, const Val& a, const Val& b);
RV neg(const Val& v, bool positive);
R<bool> compare(CmpOp op, const Val& a, const Val& b);
R<bool> contains(const Val& container, const Val& item);
// Python's < for sort(): numbers, strings, sequences.
R<bool> less_than(const Val& a, const Val& b);
RV getattr(Interp& in, const Val& obj, std::string_view name, const Val* name_val = nullptr);
RV getitem(Interp& in, const Val& obj, const Val& key);
// Attribute lookup without the item fallback (the |attr filter).
RV getattr_only(Interp& in, const Val& obj, std::string_view name);
RV slice(const Val& obj, const Val& start, const Val& stop, const Val& step);
// Materialises an iterable (list/tuple items, dict keys, str characters).
RS iterate(const Val& v, Vals& out);
R<int64_t> length(const Val& v);
RV concat(const Vals& parts);
// Python's int(): for the |int filter and int() semantics in formatting.
R<int64_t> to_index(const Val& v);  // ints/bools only (TypeError otherwise)

// Methods of str/list/dict/tuple (methods.cpp). nullptr when unknown.
MethodFn find_method(const Val& self, std::string_view name);
// Builtin globals (range, dict, lipsum, cycler, joiner, namespace, Salt's
// raise/odict...): make_builtin_globals creates them immortal (shared by the
// renders of the Environment that owns them and releases them with
// release_immortal when it is destroyed); add_builtin_globals puts the
// Environment's set into a render's globals.
std::vector<std::pair<std::string, Val>> make_builtin_globals();
void add_builtin_globals(Interp& in);

// salt.utils.data.traverse_dict_and_list (salt_filters.cpp): the value at
// `key` (split on `delim`) inside `data`, or `dflt`.
RV traverse_dict_and_list(Interp& in, const Val& data, const Val& key, const Val& dflt,
                          const std::string& delim);

// Value <-> Val (convert.cpp). from_value converts the whole tree;
// from_value_lazy converts lists and maps one level at a time, on first
// access, and keeps pointing into `v`, which must outlive the render.
Val from_value(const Value& v);
Val from_value_lazy(const Value& v);
R<Value> to_value(const Val& v);
// Replaces the contents of `target` (a dict or list) with `v`, keeping its identity.
void write_back(const Val& target, const Value& v);

}  // namespace brine::jinja
