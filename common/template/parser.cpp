#include "common/template/parser.h"

#include <set>
#include <utility>

#include "common/template/builtins.h"
#include "common/template/print.h"

namespace brine::jinja {
namespace {

// Thrown inside the parser only; parse_template converts it to a Fault.
struct ParseError {
  std::string message;
  int line;
};

class Parser {
 public:
  Parser(std::vector<Token> toks, Symbols& syms) : toks_(std::move(toks)), syms_(syms) {
    check_error();
  }

  Body parse() { return subparse(nullptr); }
  std::map<std::string, const BlockStmt*, std::less<>> blocks;
  bool has_extends = false;

 private:
  // ------------------------------------------------------------ stream
  const Token& cur() const { return toks_[pos_]; }
  const Token& look() {
    if (pos_ + 1 < toks_.size()) {
      if (toks_[pos_ + 1].type == Tok::kError)
        throw ParseError{toks_[pos_ + 1].text, toks_[pos_ + 1].line};
      return toks_[pos_ + 1];
    }
    return toks_[pos_];
  }
  void check_error() const {
    if (cur().type == Tok::kError) throw ParseError{cur().text, cur().line};
  }
  Token next() {
    Token t = cur();
    if (pos_ + 1 < toks_.size()) ++pos_;
    check_error();
    return t;
  }
  bool is(Tok t) const { return cur().type == t; }
  bool is_name(std::string_view v) const { return cur().type == Tok::kName && cur().text == v; }
  bool skip_if(Tok t) {
    if (!is(t)) return false;
    next();
    return true;
  }
  bool skip_name(std::string_view v) {
    if (!is_name(v)) return false;
    next();
    return true;
  }
  [[noreturn]] void fail(std::string msg, int line = -1) const {
    throw ParseError{std::move(msg), line < 0 ? cur().line : line};
  }
  static std::string quote(std::string_view s) {
    std::string out;
    append_string_repr(out, s);
    return out;
  }
  [[noreturn]] void fail_expect(const std::string& expected) const {
    if (is(Tok::kEof)) fail("unexpected end of template, expected " + quote(expected) + ".");
    fail("expected token " + quote(expected) + ", got " + quote(describe_token(cur())));
  }
  Token expect(Tok t) {
    if (!is(t)) fail_expect(describe_tok(t));
    return next();
  }
  Token expect_name(std::string_view v) {
    if (!is_name(v)) fail_expect(std::string(v));
    return next();
  }
  Token expect_any_name() {
    if (!is(Tok::kName)) fail_expect("name");
    return next();
  }

  struct DepthGuard {
    explicit DepthGuard(Parser* p) : p_(p) {
      if (++p_->depth_ > kMaxParseDepth) p_->fail("template nested too deeply");
    }
    ~DepthGuard() { --p_->depth_; }
    Parser* p_;
  };

  // ------------------------------------------------------------ statements
  using EndTokens = std::vector<std::string>;

  Body subparse(const EndTokens* end) {
    Body body;
    std::unique_ptr<OutputStmt> data;
    auto flush = [&] {
      if (!data) return;
      data->text_only = true;
      for (const auto& item : data->items) {
        if (item->kind != EK::kConst || !static_cast<const ConstExpr&>(*item).data) {
          data->text_only = false;
          data->text.clear();
          break;
        }
        data->text += static_cast<const ConstExpr&>(*item).value.as_str();
      }
      body.push_back(std::move(data));
    };
    if (end) end_stack_.push_back(*end);
    while (!is(Tok::kEof)) {
      const Token& t = cur();
      if (t.type == Tok::kData) {
        if (!data) data = std::make_unique<OutputStmt>(t.line);
        data->items.push_back(std::make_unique<ConstExpr>(Val::str(t.text), t.line, true));
        next();
      } else if (t.type == Tok::kVarBegin) {
        next();
        if (!data) data = std::make_unique<OutputStmt>(cur().line);
        data->items.push_back(parse_tuple(false, true, nullptr, false));
        expect(Tok::kVarEnd);
      } else if (t.type == Tok::kBlockBegin) {
        flush();
        next();
        if (end && is(Tok::kName)) {
          for (const auto& e : *end) {
            if (cur().text == e) {
              end_stack_.pop_back();
              return body;
            }
          }
        }
        parse_statement(body);
        expect(Tok::kBlockEnd);
      } else {
        fail("internal parsing error");
      }
    }
    flush();
    if (end) end_stack_.pop_back();
    return body;
  }

  Body parse_statements(const EndTokens& end, bool drop_needle) {
    skip_if(Tok::kColon);
    expect(Tok::kBlockEnd);
    Body body = subparse(&end);
    if (is(Tok::kEof)) fail_eof(&end);
    if (drop_needle) next();
    return body;
  }

  [[noreturn]] void fail_unknown(const std::string* name, const EndTokens* extra, int line) {
    std::vector<EndTokens> stack = end_stack_;
    if (extra) stack.push_back(*extra);
    std::set<std::string> expected;
    for (const auto& e : stack) expected.insert(e.begin(), e.end());
    std::string looking;
    if (!stack.empty()) {
      for (size_t i = 0; i < stack.back().size(); ++i) {
        if (i) looking += " or ";
        looking += quote(stack.back()[i]);
      }
    }
    std::string msg =
        name ? "Encountered unknown tag " + quote(*name) + "." : "Unexpected end of template.";
    if (!looking.empty()) {
      if (name && expected.count(*name)) {
        msg +=
            " You probably made a nesting mistake. Jinja is expecting this tag, but currently "
            "looking for " +
            looking + ".";
      } else {
        msg += " Jinja was looking for the following tags: " + looking + ".";
      }
    }
    if (!tag_stack_.empty()) {
      msg += " The innermost block that needs to be closed is " + quote(tag_stack_.back()) + ".";
    }
    fail(msg, line);
  }
  [[noreturn]] void fail_eof(const EndTokens* end) { fail_unknown(nullptr, end, cur().line); }

  struct TagGuard {
    TagGuard(Parser* p, std::string tag) : p_(p) { p_->tag_stack_.push_back(std::move(tag)); }
    ~TagGuard() { p_->tag_stack_.pop_back(); }
    Parser* p_;
  };

  void parse_statement(Body& out) {
    DepthGuard dg(this);
    const Token& t = cur();
    if (t.type != Tok::kName) fail("tag name expected", t.line);
    std::string name = t.text;
    static const std::set<std::string, std::less<>> kKnown = {
        "for",       "if",        "block",       "extends",     "print",      "macro",
        "include",   "from",      "import",      "set",         "with",       "autoescape",
        "call",      "filter",    "do",          "break",       "continue",   "load_yaml",
        "load_json", "load_text", "import_yaml", "import_json", "import_text"};
    if (!kKnown.count(name)) fail_unknown(&name, nullptr, t.line);
    TagGuard tg(this, name);
    if (name == "for") {
      out.push_back(parse_for());
    } else if (name == "if") {
      out.push_back(parse_if());
    } else if (name == "block") {
      out.push_back(parse_block());
    } else if (name == "extends") {
      int line = next().line;
      auto s = std::make_unique<ExtendsStmt>(line);
      s->name = parse_expression();
      has_extends = true;
      out.push_back(std::move(s));
    } else if (name == "print") {
      auto s = std::make_unique<OutputStmt>(next().line);
      while (!is(Tok::kBlockEnd)) {
        if (!s->items.empty()) expect(Tok::kComma);
        s->items.push_back(parse_expression());
      }
      out.push_back(std::move(s));
    } else if (name == "macro") {
      out.push_back(parse_macro());
    } else if (name == "include") {
      out.push_back(parse_include());
    } else if (name == "from") {
      out.push_back(parse_from());
    } else if (name == "import" || name == "import_yaml" || name == "import_json" ||
               name == "import_text") {
      out.push_back(parse_import(name));
    } else if (name == "set") {
      out.push_back(parse_set());
    } else if (name == "with") {
      out.push_back(parse_with());
    } else if (name == "autoescape") {
      auto s = std::make_unique<ScopeStmt>(next().line);
      s->autoescape = parse_expression();
      s->body = parse_statements({"endautoescape"}, true);
      out.push_back(std::move(s));
    } else if (name == "call") {
      out.push_back(parse_call_block());
    } else if (name == "filter") {
      auto s = std::make_unique<FilterBlockStmt>(next().line);
      SoftGuard sg(this, false);
      s->filter = parse_filter(nullptr, true);
      s->body = parse_statements({"endfilter"}, true);
      out.push_back(std::move(s));
    } else if (name == "do") {
      auto s = std::make_unique<DoStmt>(next().line);
      s->expr = parse_tuple(false, true, nullptr, false);
      out.push_back(std::move(s));
    } else if (name == "break" || name == "continue") {
      int line = next().line;
      if (loop_depth_ == 0) fail("'" + name + "' outside loop", line);
      out.push_back(
          std::make_unique<LoopControlStmt>(name == "break" ? SK::kBreak : SK::kContinue, line));
    } else {  // load_yaml / load_json / load_text
      int line = next().line;
      auto s = std::make_unique<SetBlockStmt>(line);
      expect_name("as");
      s->target = parse_assign_target(true, false, nullptr, false);
      auto f = std::make_unique<FilterExpr>(line);
      f->name = name;
      f->fn = find_filter(name);
      s->filter = std::move(f);
      s->body = parse_statements({"endload"}, true);
      out.push_back(std::move(s));
    }
  }

  struct SoftGuard {  // inside if tests/bodies unknown filters fail at runtime
    SoftGuard(Parser* p, bool soft) : p_(p), saved_(p->soft_) { p_->soft_ = soft; }
    ~SoftGuard() { p_->soft_ = saved_; }
    Parser* p_;
    bool saved_;
  };
  struct LoopGuard {
    LoopGuard(Parser* p, bool reset) : p_(p), saved_(p->loop_depth_) {
      if (reset) {
        p_->loop_depth_ = 0;
      } else {
        ++p_->loop_depth_;
      }
    }
    ~LoopGuard() { p_->loop_depth_ = saved_; }
    Parser* p_;
    int saved_;
  };

  StmtPtr parse_for() {
    int line = expect_name("for").line;
    auto s = std::make_unique<ForStmt>(line);
    static const std::vector<std::string> kIn = {"in"};
    s->target = parse_assign_target(true, false, &kIn, false);
    check_loop_target(s->target);
    expect_name("in");
    static const std::vector<std::string> kRec = {"recursive"};
    s->iter = parse_tuple(false, false, &kRec, false);
    if (skip_name("if")) s->filter = parse_expression();
    s->recursive = skip_name("recursive");
    {
      SoftGuard sg(this, false);
      LoopGuard lg(this, false);
      s->body = parse_statements({"endfor", "else"}, false);
    }
    if (next().text != "endfor") {
      SoftGuard sg(this, false);
      s->else_body = parse_statements({"endfor"}, true);
    }
    return s;
  }

  void check_loop_target(const Target& t) {
    if (t.kind == Target::Kind::kName && t.name == "loop") {
      fail("Can't assign to special loop variable in for-loop target");
    }
    for (const auto& item : t.items) check_loop_target(item);
  }

  StmtPtr parse_if() {
    int line = expect_name("if").line;
    auto s = std::make_unique<IfStmt>(line);
    SoftGuard sg(this, true);
    while (true) {
      ExprPtr test = parse_tuple(false, false, nullptr, false);
      Body body = parse_statements({"elif", "else", "endif"}, false);
      s->branches.emplace_back(std::move(test), std::move(body));
      Token t = next();
      if (t.text == "elif") continue;
      if (t.text == "else") s->else_body = parse_statements({"endif"}, true);
      break;
    }
    return s;
  }

  StmtPtr parse_block() {
    int line = next().line;
    auto s = std::make_unique<BlockStmt>(line);
    s->name = expect_any_name().text;
    s->scoped = skip_name("scoped");
    s->required = skip_name("required");
    if (is(Tok::kSub)) {
      fail(
          "Block names in Jinja have to be valid Python identifiers and may not contain hyphens, "
          "use an "
          "underscore instead.");
    }
    {
      SoftGuard sg(this, false);
      LoopGuard lg(this, true);
      s->body = parse_statements({"endblock"}, true);
    }
    if (s->required) {
      for (const auto& st : s->body) {
        bool ok = false;
        if (st->kind == SK::kOutput) {
          ok = true;
          for (const auto& e : static_cast<OutputStmt*>(st.get())->items) {
            if (e->kind != EK::kConst) {
              ok = false;
              break;
            }
            const Val& v = static_cast<ConstExpr*>(e.get())->value;
            if (!v.is_str() || v.as_str().find_first_not_of(" \t\r\n\f\v") != std::string::npos)
              ok = false;
          }
        }
        if (!ok) fail("Required blocks can only contain comments or whitespace");
      }
    }
    skip_name(s->name);
    if (blocks.count(s->name)) fail("block " + quote(s->name) + " defined twice", line);
    blocks.emplace(s->name, s.get());
    return s;
  }

  void parse_import_context(bool* with_context, bool dflt) {
    if ((is_name("with") || is_name("without")) && look().type == Tok::kName &&
        look().text == "context") {
      *with_context = next().text == "with";
      next();
    } else {
      *with_context = dflt;
    }
  }

  StmtPtr parse_include() {
    auto s = std::make_unique<IncludeStmt>(next().line);
    s->name = parse_expression();
    if (is_name("ignore") && look().type == Tok::kName && look().text == "missing") {
      s->ignore_missing = true;
      next();
      next();
    }
    parse_import_context(&s->with_context, true);
    return s;
  }

  Target name_target() {
    Token t = expect_any_name();
    Target target;
    target.kind = Target::Kind::kName;
    target.name = t.text;
    target.sym = syms_.intern(t.text);
    check_assignable_name(target.name, t.line);
    return target;
  }

  void check_assignable_name(const std::string& n, int line) {
    if (n == "true" || n == "false" || n == "none" || n == "True" || n == "False" || n == "None") {
      fail("can't assign to 'const'", line);
    }
  }

  StmtPtr parse_import(const std::string& tag) {
    auto s = std::make_unique<ImportStmt>(next().line);
    s->name = parse_expression();
    expect_name("as");
    s->target = name_target();
    parse_import_context(&s->with_context, false);
    if (tag != "import") s->loader = find_filter("load_" + tag.substr(7));
    return s;
  }

  StmtPtr parse_from() {
    auto s = std::make_unique<FromImportStmt>(next().line);
    s->name = parse_expression();
    expect_name("import");
    auto parse_context = [&]() {
      if ((is_name("with") || is_name("without")) && look().type == Tok::kName &&
          look().text == "context") {
        s->with_context = next().text == "with";
        next();
        return true;
      }
      return false;
    };
    while (true) {
      if (!s->names.empty()) expect(Tok::kComma);
      if (is(Tok::kName)) {
        if (parse_context()) break;
        int line = cur().line;
        Target target = name_target();
        if (!target.name.empty() && target.name[0] == '_') {
          fail("names starting with an underline can not be imported", line);
        }
        std::string exported = target.name;
        if (skip_name("as")) target = name_target();
        s->names.emplace_back(std::move(exported), std::move(target));
        if (parse_context() || !is(Tok::kComma)) break;
      } else {
        expect(Tok::kName);
      }
    }
    return s;
  }

  void parse_signature(MacroDef& def) {
    expect(Tok::kLParen);
    while (!is(Tok::kRParen)) {
      if (!def.params.empty()) expect(Tok::kComma);
      Target t = name_target();
      if (skip_if(Tok::kAssign)) {
        def.defaults.push_back(parse_expression());
      } else if (!def.defaults.empty()) {
        fail("non-default argument follows default argument");
      }
      if (t.name == "caller") def.explicit_caller = true;
      def.params.push_back(t.sym);
      def.param_names.push_back(t.name);
    }
    expect(Tok::kRParen);
  }

  void parse_macro_body(MacroDef& def, const char* end_tag, int line) {
    macro_stack_.push_back(&def);
    {
      SoftGuard sg(this, false);
      LoopGuard lg(this, true);
      def.body = parse_statements({end_tag}, true);
    }
    macro_stack_.pop_back();
    if (def.uses_caller && def.explicit_caller) {
      size_t idx = 0;
      for (; idx < def.param_names.size() && def.param_names[idx] != "caller"; ++idx) {
      }
      size_t first_default = def.params.size() - def.defaults.size();
      if (idx < first_default) {
        fail(
            "When defining macros or call blocks the special \"caller\" argument must be omitted "
            "or be "
            "given a default.",
            line);
      }
      def.uses_caller = false;  // an ordinary parameter
    }
  }

  StmtPtr parse_macro() {
    int line = next().line;
    auto s = std::make_unique<MacroStmt>(line);
    Target t = name_target();
    s->sym = t.sym;
    s->def.name = t.name;
    parse_signature(s->def);
    parse_macro_body(s->def, "endmacro", line);
    return s;
  }

  StmtPtr parse_call_block() {
    int line = next().line;
    auto s = std::make_unique<CallBlockStmt>(line);
    s->caller.name = "caller";
    if (is(Tok::kLParen)) parse_signature(s->caller);
    ExprPtr call = parse_expression();
    if (call->kind != EK::kCall) fail("expected call", line);
    s->call.reset(static_cast<CallExpr*>(call.release()));
    parse_macro_body(s->caller, "endcall", line);
    return s;
  }

  StmtPtr parse_set() {
    int line = next().line;
    Target target = parse_assign_target(true, false, nullptr, true);
    if (skip_if(Tok::kAssign)) {
      auto s = std::make_unique<SetStmt>(line);
      s->target = std::move(target);
      s->value = parse_tuple(false, true, nullptr, false);
      return s;
    }
    auto s = std::make_unique<SetBlockStmt>(line);
    s->target = std::move(target);
    {
      SoftGuard sg(this, false);
      s->filter = parse_filter(nullptr, false);
    }
    s->body = parse_statements({"endset"}, true);
    return s;
  }

  StmtPtr parse_with() {
    auto s = std::make_unique<WithStmt>(next().line);
    while (!is(Tok::kBlockEnd)) {
      if (!s->assigns.empty()) expect(Tok::kComma);
      Target t = parse_assign_target(true, false, nullptr, false);
      expect(Tok::kAssign);
      s->assigns.emplace_back(std::move(t), parse_expression());
    }
    SoftGuard sg(this, false);
    s->body = parse_statements({"endwith"}, true);
    return s;
  }

  Target parse_assign_target(bool with_tuple, bool name_only, const EndTokens* extra,
                             bool with_namespace) {
    if (with_namespace && look().type == Tok::kDot) {
      Token ns = expect(Tok::kName);
      next();
      Token attr = expect(Tok::kName);
      Target t;
      t.kind = Target::Kind::kNsRef;
      t.name = ns.text;
      t.sym = syms_.intern(ns.text);
      t.attr = attr.text;
      return t;
    }
    if (name_only) return name_target();
    int line = cur().line;
    ExprPtr e = with_tuple ? parse_tuple(true, true, extra, false) : parse_primary();
    return to_target(*e, line);
  }

  Target to_target(const Expr& e, int line) {
    Target t;
    if (e.kind == EK::kName) {
      const auto& n = static_cast<const NameExpr&>(e);
      t.kind = Target::Kind::kName;
      t.name = n.name;
      t.sym = n.sym;
      return t;
    }
    if (e.kind == EK::kTuple) {
      t.kind = Target::Kind::kTuple;
      for (const auto& item : static_cast<const SeqExpr&>(e).items)
        t.items.push_back(to_target(*item, line));
      return t;
    }
    static const char* kNames[] = {"const",  "name",     "getattr", "getitem", "slice",
                                   "call",   "filter",   "test",    "binop",   "neg",
                                   "pos",    "not",      "and",     "or",      "compare",
                                   "concat", "condexpr", "list",    "tuple",   "dict"};
    std::string kind = kNames[static_cast<int>(e.kind)];
    if (e.kind == EK::kBinop) {
      static const char* kOps[] = {"add", "sub", "mul", "div", "floordiv", "mod", "pow"};
      kind = kOps[static_cast<int>(static_cast<const BinExpr&>(e).op)];
    }
    fail("can't assign to " + quote(kind), line);
  }

  // ------------------------------------------------------------ expressions
  ExprPtr parse_expression(bool with_condexpr = true) {
    return with_condexpr ? parse_condexpr() : parse_or();
  }

  ExprPtr parse_condexpr() {
    DepthGuard dg(this);
    int line = cur().line;
    ExprPtr expr1 = parse_or();
    while (skip_name("if")) {
      auto c = std::make_unique<CondExpr>(line);
      SoftGuard sg(this, true);
      c->test = parse_or();
      if (skip_name("else")) c->expr2 = parse_condexpr();
      c->expr1 = std::move(expr1);
      expr1 = std::move(c);
      line = cur().line;
    }
    return expr1;
  }

  ExprPtr parse_or() {
    int line = cur().line;
    ExprPtr left = parse_and();
    while (skip_name("or")) {
      ExprPtr right = parse_and();
      left = std::make_unique<LogicExpr>(EK::kOr, std::move(left), std::move(right), line);
      line = cur().line;
    }
    return left;
  }

  ExprPtr parse_and() {
    int line = cur().line;
    ExprPtr left = parse_not();
    while (skip_name("and")) {
      ExprPtr right = parse_not();
      left = std::make_unique<LogicExpr>(EK::kAnd, std::move(left), std::move(right), line);
      line = cur().line;
    }
    return left;
  }

  ExprPtr parse_not() {
    if (is_name("not")) {
      DepthGuard dg(this);
      int line = next().line;
      return std::make_unique<UnaryExpr>(EK::kNot, parse_not(), line);
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    int line = cur().line;
    ExprPtr expr = parse_math1();
    std::unique_ptr<CompareExpr> cmp;
    while (true) {
      CmpOp op;
      Tok t = cur().type;
      if (t == Tok::kEq) {
        op = CmpOp::kEq;
      } else if (t == Tok::kNe) {
        op = CmpOp::kNe;
      } else if (t == Tok::kLt) {
        op = CmpOp::kLt;
      } else if (t == Tok::kLtEq) {
        op = CmpOp::kLtEq;
      } else if (t == Tok::kGt) {
        op = CmpOp::kGt;
      } else if (t == Tok::kGtEq) {
        op = CmpOp::kGtEq;
      } else if (is_name("in")) {
        op = CmpOp::kIn;
      } else if (is_name("not") && look().type == Tok::kName && look().text == "in") {
        next();
        op = CmpOp::kNotIn;
      } else {
        break;
      }
      next();
      if (!cmp) cmp = std::make_unique<CompareExpr>(line);
      cmp->ops.emplace_back(op, parse_math1());
      line = cur().line;
    }
    if (!cmp) return expr;
    cmp->line = line;
    cmp->first = std::move(expr);
    return cmp;
  }

  ExprPtr parse_math1() {
    int line = cur().line;
    ExprPtr left = parse_concat();
    while (is(Tok::kAdd) || is(Tok::kSub)) {
      BinOp op = is(Tok::kAdd) ? BinOp::kAdd : BinOp::kSub;
      next();
      ExprPtr right = parse_concat();
      left = std::make_unique<BinExpr>(op, std::move(left), std::move(right), line);
      line = cur().line;
    }
    return left;
  }

  ExprPtr parse_concat() {
    int line = cur().line;
    ExprPtr first = parse_math2();
    if (!is(Tok::kTilde)) return first;
    auto c = std::make_unique<SeqExpr>(EK::kConcat, line);
    c->items.push_back(std::move(first));
    while (skip_if(Tok::kTilde)) c->items.push_back(parse_math2());
    return c;
  }

  ExprPtr parse_math2() {
    int line = cur().line;
    ExprPtr left = parse_pow();
    while (is(Tok::kMul) || is(Tok::kDiv) || is(Tok::kFloorDiv) || is(Tok::kMod)) {
      BinOp op = is(Tok::kMul)   ? BinOp::kMul
                 : is(Tok::kDiv) ? BinOp::kDiv
                 : is(Tok::kMod) ? BinOp::kMod
                                 : BinOp::kFloorDiv;
      next();
      ExprPtr right = parse_pow();
      left = std::make_unique<BinExpr>(op, std::move(left), std::move(right), line);
      line = cur().line;
    }
    return left;
  }

  ExprPtr parse_pow() {
    int line = cur().line;
    ExprPtr left = parse_unary(true);
    while (skip_if(Tok::kPow)) {
      ExprPtr right = parse_unary(true);
      left = std::make_unique<BinExpr>(BinOp::kPow, std::move(left), std::move(right), line);
      line = cur().line;
    }
    return left;
  }

  ExprPtr parse_unary(bool with_filter) {
    DepthGuard dg(this);
    int line = cur().line;
    ExprPtr node;
    if (is(Tok::kSub)) {
      next();
      node = std::make_unique<UnaryExpr>(EK::kNeg, parse_unary(false), line);
    } else if (is(Tok::kAdd)) {
      next();
      node = std::make_unique<UnaryExpr>(EK::kPos, parse_unary(false), line);
    } else {
      node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    if (with_filter) node = parse_filter_expr(std::move(node));
    return node;
  }

  ExprPtr parse_primary() {
    DepthGuard dg(this);
    const Token& t = cur();
    int line = t.line;
    switch (t.type) {
      case Tok::kName: {
        const std::string& v = t.text;
        ExprPtr node;
        if (v == "true" || v == "True") {
          node = std::make_unique<ConstExpr>(Val::boolean(true), line);
        } else if (v == "false" || v == "False") {
          node = std::make_unique<ConstExpr>(Val::boolean(false), line);
        } else if (v == "none" || v == "None") {
          node = std::make_unique<ConstExpr>(Val::none(), line);
        } else {
          Sym s = syms_.intern(v);
          if (s == Symbols::kCaller || s == Symbols::kVarargs || s == Symbols::kKwargs) {
            for (MacroDef* m : macro_stack_) {
              if (s == Symbols::kCaller) m->uses_caller = true;
              if (s == Symbols::kVarargs) m->uses_varargs = true;
              if (s == Symbols::kKwargs) m->uses_kwargs = true;
            }
          }
          node = std::make_unique<NameExpr>(s, v, line);
        }
        next();
        return node;
      }
      case Tok::kString: {
        std::string buf = t.text;
        next();
        while (is(Tok::kString)) buf += next().text;
        return std::make_unique<ConstExpr>(Val::str(std::move(buf)), line);
      }
      case Tok::kInteger: {
        int64_t i = t.ival;
        next();
        return std::make_unique<ConstExpr>(Val::integer(i), line);
      }
      case Tok::kFloat: {
        double d = t.fval;
        next();
        return std::make_unique<ConstExpr>(Val::real(d), line);
      }
      case Tok::kLParen: {
        next();
        ExprPtr node = parse_tuple(false, true, nullptr, true);
        expect(Tok::kRParen);
        return node;
      }
      case Tok::kLBracket: {
        auto l = std::make_unique<SeqExpr>(EK::kList, line);
        next();
        while (!is(Tok::kRBracket)) {
          if (!l->items.empty()) expect(Tok::kComma);
          if (is(Tok::kRBracket)) break;
          l->items.push_back(parse_expression());
        }
        expect(Tok::kRBracket);
        return fold_const(std::move(l));
      }
      case Tok::kLBrace: {
        auto d = std::make_unique<DictExpr>(line);
        next();
        while (!is(Tok::kRBrace)) {
          if (!d->items.empty()) expect(Tok::kComma);
          if (is(Tok::kRBrace)) break;
          ExprPtr key = parse_expression();
          expect(Tok::kColon);
          ExprPtr value = parse_expression();
          d->items.emplace_back(std::move(key), std::move(value));
        }
        expect(Tok::kRBrace);
        return d;
      }
      default:
        fail("unexpected " + quote(describe_token(t)), line);
    }
  }

  // Tuples of constants become constants (immutable); lists never do.
  static ExprPtr fold_const(std::unique_ptr<SeqExpr> e) { return e; }

  ExprPtr parse_tuple(bool simplified, bool with_condexpr, const EndTokens* extra,
                      bool explicit_parens) {
    int line = cur().line;
    std::vector<ExprPtr> args;
    bool is_tuple = false;
    auto tuple_end = [&]() {
      if (is(Tok::kVarEnd) || is(Tok::kBlockEnd) || is(Tok::kRParen)) return true;
      if (extra && is(Tok::kName)) {
        for (const auto& e : *extra) {
          if (cur().text == e) return true;
        }
      }
      return false;
    };
    while (true) {
      if (!args.empty()) expect(Tok::kComma);
      if (tuple_end()) break;
      if (simplified) {
        args.push_back(parse_primary());
      } else {
        args.push_back(parse_expression(with_condexpr));
      }
      if (is(Tok::kComma)) {
        is_tuple = true;
      } else {
        break;
      }
      line = cur().line;
    }
    if (!is_tuple) {
      if (!args.empty()) return std::move(args[0]);
      if (!explicit_parens) fail("Expected an expression, got " + quote(describe_token(cur())));
    }
    auto t = std::make_unique<SeqExpr>(EK::kTuple, line);
    t->items = std::move(args);
    return t;
  }

  ExprPtr parse_postfix(ExprPtr node) {
    while (true) {
      if (is(Tok::kDot) || is(Tok::kLBracket)) {
        node = parse_subscript(std::move(node));
      } else if (is(Tok::kLParen)) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_filter_expr(ExprPtr node) {
    while (true) {
      if (is(Tok::kPipe)) {
        node = parse_filter(std::move(node), false);
      } else if (is_name("is")) {
        node = parse_test(std::move(node));
      } else if (is(Tok::kLParen)) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr node) {
    DepthGuard dg(this);
    Token t = next();
    if (t.type == Tok::kDot) {
      Token attr = cur();
      next();
      if (attr.type == Tok::kName) {
        auto g = std::make_unique<GetattrExpr>(std::move(node), attr.text, t.line);
        resolve_methods(*g);
        return g;
      }
      if (attr.type != Tok::kInteger) fail("expected name or number", attr.line);
      auto idx = std::make_unique<ConstExpr>(Val::integer(attr.ival), attr.line);
      return std::make_unique<GetitemExpr>(std::move(node), std::move(idx), t.line);
    }
    // '['
    std::vector<ExprPtr> args;
    while (!is(Tok::kRBracket)) {
      if (!args.empty()) expect(Tok::kComma);
      args.push_back(parse_subscribed());
    }
    expect(Tok::kRBracket);
    ExprPtr arg;
    if (args.size() == 1) {
      arg = std::move(args[0]);
    } else {
      auto tup = std::make_unique<SeqExpr>(EK::kTuple, t.line);
      tup->items = std::move(args);
      arg = std::move(tup);
    }
    return std::make_unique<GetitemExpr>(std::move(node), std::move(arg), t.line);
  }

  ExprPtr parse_subscribed() {
    int line = cur().line;
    auto s = std::make_unique<SliceExpr>(line);
    if (is(Tok::kColon)) {
      next();
    } else {
      ExprPtr node = parse_expression();
      if (!is(Tok::kColon)) return node;
      next();
      s->start = std::move(node);
    }
    if (!is(Tok::kColon) && !is(Tok::kRBracket) && !is(Tok::kComma)) s->stop = parse_expression();
    if (is(Tok::kColon)) {
      next();
      if (!is(Tok::kRBracket) && !is(Tok::kComma)) s->step = parse_expression();
    }
    return s;
  }

  void parse_call_args(ArgList& a) {
    Token lp = expect(Tok::kLParen);
    bool require_comma = false;
    auto ensure = [&](bool ok) {
      if (!ok) fail("invalid syntax for function call expression", lp.line);
    };
    while (!is(Tok::kRParen)) {
      if (require_comma) {
        expect(Tok::kComma);
        if (is(Tok::kRParen)) break;
      }
      if (is(Tok::kMul)) {
        ensure(!a.dyn_args && !a.dyn_kwargs);
        next();
        a.dyn_args = parse_expression();
      } else if (is(Tok::kPow)) {
        ensure(!a.dyn_kwargs);
        next();
        a.dyn_kwargs = parse_expression();
      } else if (is(Tok::kName) && look().type == Tok::kAssign) {
        ensure(!a.dyn_kwargs);
        std::string key = next().text;
        next();
        Kwarg kw;
        kw.name = Val::str(key);
        kw.name.make_immortal();
        kw.value = parse_expression();
        a.kwargs.push_back(std::move(kw));
      } else {
        ensure(!a.dyn_args && !a.dyn_kwargs && a.kwargs.empty());
        a.args.push_back(parse_expression());
      }
      require_comma = true;
    }
    expect(Tok::kRParen);
  }

  ExprPtr parse_call(ExprPtr node) {
    DepthGuard dg(this);
    auto c = std::make_unique<CallExpr>(cur().line);
    parse_call_args(c->a);
    c->fn = std::move(node);
    return c;
  }

  ExprPtr parse_filter(ExprPtr node, bool start_inline) {
    while (is(Tok::kPipe) || start_inline) {
      DepthGuard dg(this);
      if (!start_inline) next();
      Token t = expect(Tok::kName);
      std::string name = t.text;
      while (is(Tok::kDot)) {
        next();
        name += "." + expect(Tok::kName).text;
      }
      auto f = std::make_unique<FilterExpr>(t.line);
      f->name = name;
      f->fn = find_filter(name);
      if (!f->fn && !soft_) fail("No filter named " + quote(name) + ".", t.line);
      if (is(Tok::kLParen)) parse_call_args(f->a);
      f->node = std::move(node);
      node = std::move(f);
      start_inline = false;
    }
    return node;
  }

  ExprPtr parse_test(ExprPtr node) {
    DepthGuard dg(this);
    Token t = next();  // 'is'
    bool negated = skip_name("not");
    std::string name = expect(Tok::kName).text;
    while (is(Tok::kDot)) {
      next();
      name += "." + expect(Tok::kName).text;
    }
    auto test = std::make_unique<TestExpr>(t.line);
    test->name = name;
    test->fn = find_test(name);
    if (!test->fn && !soft_) fail("No test named " + quote(name) + ".", t.line);
    if (is(Tok::kLParen)) {
      parse_call_args(test->a);
    } else if ((is(Tok::kName) || is(Tok::kString) || is(Tok::kInteger) || is(Tok::kFloat) ||
                is(Tok::kLParen) || is(Tok::kLBracket) || is(Tok::kLBrace)) &&
               !is_name("else") && !is_name("or") && !is_name("and")) {
      if (is_name("is")) fail("You cannot chain multiple tests with is");
      ExprPtr arg = parse_primary();
      test->a.args.push_back(parse_postfix(std::move(arg)));
    }
    test->node = std::move(node);
    if (negated) return std::make_unique<UnaryExpr>(EK::kNot, std::move(test), t.line);
    return test;
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  Symbols& syms_;
  int depth_ = 0;
  bool soft_ = false;
  int loop_depth_ = 0;
  std::vector<EndTokens> end_stack_;
  std::vector<std::string> tag_stack_;
  std::vector<MacroDef*> macro_stack_;
};

}  // namespace

R<std::unique_ptr<Template>> parse_template(std::string_view source, std::string name,
                                            const LexOptions& options, Symbols& symbols) {
  auto t = std::make_unique<Template>();
  t->name = std::move(name);
  t->source = std::string(source);
  try {
    Parser p(tokenize(source, options), symbols);
    t->body = p.parse();
    t->blocks = std::move(p.blocks);
    t->has_extends = p.has_extends;
  } catch (const ParseError& e) {
    auto f = fault(FaultKind::kSyntax, e.message);
    f.error()->line = e.line;
    f.error()->template_name = t->name;
    f.error()->parse = true;
    f.error()->source = t->source;
    return f;
  }
  return t;
}

}  // namespace brine::jinja
