// Compiled template: the AST the parser builds and the interpreter walks
// (internal). Nodes are immutable once built, so a compiled Template can be
// rendered by several threads at once; constants are immortal Vals.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/template/value.h"

namespace brine::jinja {

class Interp;
struct CallArgs;
using Sym = uint32_t;  // interned identifier (see Symbols in interp.h)

// A filter or test implementation: `value` is the filtered value (or the
// tested one), `args` the call arguments after it.
using FilterFn = RV (*)(Interp& in, Val& value, CallArgs& args);
using MethodFn = RV (*)(Interp& in, Val& self, CallArgs& args);
using TestFn = R<bool> (*)(Interp& in, const Val& value, CallArgs& args);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class EK : uint8_t {
  kConst,
  kName,
  kGetattr,
  kGetitem,
  kSlice,
  kCall,
  kFilter,
  kTest,
  kBinop,
  kNeg,
  kPos,
  kNot,
  kAnd,
  kOr,
  kCompare,
  kConcat,
  kCondExpr,
  kList,
  kTuple,
  kDict,
};

enum class BinOp : uint8_t { kAdd, kSub, kMul, kDiv, kFloorDiv, kMod, kPow };
enum class CmpOp : uint8_t { kEq, kNe, kLt, kLtEq, kGt, kGtEq, kIn, kNotIn };

struct Expr {
  Expr(EK k, int l) : kind(k), line(l) {}
  virtual ~Expr() = default;
  EK kind;
  int line;
};

struct ConstExpr : Expr {
  ConstExpr(Val v, int l, bool is_data = false)
      : Expr(EK::kConst, l), value(std::move(v)), data(is_data) {
    value.make_immortal();
  }
  ~ConstExpr() override { value.release_immortal(); }
  Val value;
  bool data;  // template text between tags (never escaped or finalized)
};

struct NameExpr : Expr {
  NameExpr(Sym s, std::string n, int l) : Expr(EK::kName, l), sym(s), name(std::move(n)) {}
  Sym sym;
  std::string name;
};

struct GetattrExpr : Expr {
  GetattrExpr(ExprPtr o, std::string a, int l)
      : Expr(EK::kGetattr, l),
        obj(std::move(o)),
        attr(std::move(a)),
        attr_val(Val::str(attr)),
        attr_hash(attr_val.str_obj()->hash()),
        dunder(attr.size() > 4 && attr.starts_with("__") && attr.ends_with("__")) {
    attr_val.make_immortal();
  }
  ~GetattrExpr() override { attr_val.release_immortal(); }
  ExprPtr obj;
  std::string attr;
  Val attr_val;
  size_t attr_hash;  // hash_str(attr)
  bool dunder;       // __x__: never looked up in dicts (sandbox)
  // str/list/tuple/dict methods of this name, resolved at parse time so
  // `x.get(...)` needs no lookup at run time (null: no such method).
  MethodFn str_method = nullptr;
  MethodFn list_method = nullptr;
  MethodFn tuple_method = nullptr;
  MethodFn dict_method = nullptr;
};

struct GetitemExpr : Expr {
  GetitemExpr(ExprPtr o, ExprPtr i, int l)
      : Expr(EK::kGetitem, l), obj(std::move(o)), index(std::move(i)) {}
  ExprPtr obj;
  ExprPtr index;
};

struct SliceExpr : Expr {
  explicit SliceExpr(int l) : Expr(EK::kSlice, l) {}
  ExprPtr start, stop, step;  // each may be null
};

struct Kwarg {
  Kwarg() = default;
  Kwarg(Kwarg&&) = default;
  Kwarg& operator=(Kwarg&&) = default;
  ~Kwarg() { name.release_immortal(); }
  Val name;  // immortal str
  ExprPtr value;
};

// Arguments of a call, filter or test.
struct ArgList {
  std::vector<ExprPtr> args;
  std::vector<Kwarg> kwargs;
  ExprPtr dyn_args;    // *args
  ExprPtr dyn_kwargs;  // **kwargs
};

struct CallExpr : Expr {
  explicit CallExpr(int l) : Expr(EK::kCall, l) {}
  ExprPtr fn;
  ArgList a;
};

struct FilterExpr : Expr {
  explicit FilterExpr(int l) : Expr(EK::kFilter, l) {}
  ExprPtr node;  // null inside `{% filter %}` blocks and `{% set x | f %}`
  std::string name;
  FilterFn fn = nullptr;  // null: unknown filter, fails when evaluated
  ArgList a;
};

struct TestExpr : Expr {
  explicit TestExpr(int l) : Expr(EK::kTest, l) {}
  ExprPtr node;
  std::string name;
  TestFn fn = nullptr;
  ArgList a;
};

struct BinExpr : Expr {
  BinExpr(BinOp o, ExprPtr a, ExprPtr b, int l)
      : Expr(EK::kBinop, l), op(o), left(std::move(a)), right(std::move(b)) {}
  BinOp op;
  ExprPtr left, right;
};

struct UnaryExpr : Expr {
  UnaryExpr(EK k, ExprPtr e, int l) : Expr(k, l), operand(std::move(e)) {}
  ExprPtr operand;
};

struct LogicExpr : Expr {  // and / or
  LogicExpr(EK k, ExprPtr a, ExprPtr b, int l)
      : Expr(k, l), left(std::move(a)), right(std::move(b)) {}
  ExprPtr left, right;
};

struct CompareExpr : Expr {
  explicit CompareExpr(int l) : Expr(EK::kCompare, l) {}
  ExprPtr first;
  std::vector<std::pair<CmpOp, ExprPtr>> ops;
};

struct SeqExpr : Expr {  // list, tuple, concat (~)
  SeqExpr(EK k, int l) : Expr(k, l) {}
  std::vector<ExprPtr> items;
};

struct DictExpr : Expr {
  explicit DictExpr(int l) : Expr(EK::kDict, l) {}
  std::vector<std::pair<ExprPtr, ExprPtr>> items;
};

struct CondExpr : Expr {
  explicit CondExpr(int l) : Expr(EK::kCondExpr, l) {}
  ExprPtr test, expr1, expr2;  // expr2 may be null
};

// ------------------------------------------------------------- statements

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

enum class SK : uint8_t {
  kOutput,
  kIf,
  kFor,
  kSet,
  kSetBlock,
  kMacro,
  kCallBlock,
  kFilterBlock,
  kWith,
  kDo,
  kInclude,
  kImport,
  kFromImport,
  kExtends,
  kBlock,
  kBreak,
  kContinue,
  kScope,
};

struct Stmt {
  Stmt(SK k, int l) : kind(k), line(l) {}
  virtual ~Stmt() = default;
  SK kind;
  int line;
};

// Assignment target: a name, a (nested) tuple of targets, or ns.attr.
struct Target {
  enum class Kind : uint8_t { kName, kTuple, kNsRef } kind = Kind::kName;
  Sym sym = 0;
  std::string name;
  std::string attr;  // kNsRef
  std::vector<Target> items;
};

struct OutputStmt : Stmt {
  explicit OutputStmt(int l) : Stmt(SK::kOutput, l) {}
  // Template data is a ConstExpr holding a str, printed verbatim.
  std::vector<ExprPtr> items;
  // Set by the parser when every item is template data: `text` is all of it.
  bool text_only = false;
  std::string text;
};

struct IfStmt : Stmt {
  explicit IfStmt(int l) : Stmt(SK::kIf, l) {}
  std::vector<std::pair<ExprPtr, Body>> branches;  // if, elif...
  Body else_body;
};

struct ForStmt : Stmt {
  explicit ForStmt(int l) : Stmt(SK::kFor, l) {}
  Target target;
  ExprPtr iter;
  ExprPtr filter;  // `for x in y if cond`
  bool recursive = false;
  // False when nothing in the body can read `loop` (the parser's
  // loop_refs_): the loop then runs without a LoopObj.
  bool uses_loop = true;
  Body body;
  Body else_body;
};

struct SetStmt : Stmt {
  explicit SetStmt(int l) : Stmt(SK::kSet, l) {}
  Target target;
  ExprPtr value;
};

struct SetBlockStmt : Stmt {
  explicit SetBlockStmt(int l) : Stmt(SK::kSetBlock, l) {}
  Target target;
  ExprPtr filter;  // FilterExpr chain with a null innermost node, or null
  Body body;
};

struct MacroDef {
  std::string name;
  std::vector<Sym> params;
  std::vector<std::string> param_names;
  std::vector<ExprPtr> defaults;  // for the last defaults.size() params
  Body body;
  bool uses_caller = false;
  bool uses_varargs = false;
  bool uses_kwargs = false;
  bool explicit_caller = false;
};

struct MacroStmt : Stmt {
  explicit MacroStmt(int l) : Stmt(SK::kMacro, l) {}
  Sym sym = 0;
  MacroDef def;
};

struct CallBlockStmt : Stmt {
  explicit CallBlockStmt(int l) : Stmt(SK::kCallBlock, l) {}
  std::unique_ptr<CallExpr> call;
  MacroDef caller;  // name "caller"
};

struct FilterBlockStmt : Stmt {
  explicit FilterBlockStmt(int l) : Stmt(SK::kFilterBlock, l) {}
  ExprPtr filter;  // FilterExpr chain, innermost node null
  Body body;
};

struct WithStmt : Stmt {
  explicit WithStmt(int l) : Stmt(SK::kWith, l) {}
  std::vector<std::pair<Target, ExprPtr>> assigns;
  Body body;
};

struct DoStmt : Stmt {
  explicit DoStmt(int l) : Stmt(SK::kDo, l) {}
  ExprPtr expr;
};

struct IncludeStmt : Stmt {
  explicit IncludeStmt(int l) : Stmt(SK::kInclude, l) {}
  ExprPtr name;
  bool ignore_missing = false;
  bool with_context = true;
};

struct ImportStmt : Stmt {
  explicit ImportStmt(int l) : Stmt(SK::kImport, l) {}
  ExprPtr name;
  Target target;
  bool with_context = false;
  // Salt's import_yaml/import_json/import_text: the module's text is loaded
  // with this filter and assigned to the target.
  FilterFn loader = nullptr;
};

struct FromImportStmt : Stmt {
  explicit FromImportStmt(int l) : Stmt(SK::kFromImport, l) {}
  ExprPtr name;
  std::vector<std::pair<std::string, Target>> names;  // (exported name, alias)
  bool with_context = false;
};

struct ExtendsStmt : Stmt {
  explicit ExtendsStmt(int l) : Stmt(SK::kExtends, l) {}
  ExprPtr name;
};

struct BlockStmt : Stmt {
  explicit BlockStmt(int l) : Stmt(SK::kBlock, l) {}
  std::string name;
  bool scoped = false;
  bool required = false;
  Body body;
};

struct ScopeStmt : Stmt {  // {% autoescape expr %}
  explicit ScopeStmt(int l) : Stmt(SK::kScope, l) {}
  ExprPtr autoescape;
  Body body;
};

struct LoopControlStmt : Stmt {
  LoopControlStmt(SK k, int l) : Stmt(k, l) {}
};

// A compiled template.
struct Template {
  std::string name;    // canonical name ("formula/map.jinja", "<string>")
  std::string path;    // filesystem path for error context, may be empty
  std::string source;  // original text, for error context
  Body body;
  std::map<std::string, const BlockStmt*, std::less<>> blocks;
  bool has_extends = false;
  // Size of its last top-level render plus one (Salt's final newline): the
  // next render reserves that much instead of growing its output step by step.
  mutable std::atomic<size_t> output_hint{0};
};

}  // namespace brine::jinja
