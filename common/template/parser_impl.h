// The Jinja2 parser's internals (internal to brine_template): a recursive
// descent parser over the lexer's tokens. Statements are parsed in
// parser.cpp, expressions in parse_expr.cpp; parse_template (parser.h) is the
// entry point. Errors are thrown as ParseError inside the parser only and
// converted to a Fault by parse_template. Not thread-safe: one Parser per
// parse (the Symbols table it interns into is thread-safe).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/template/ast.h"
#include "common/template/lexer.h"
#include "common/template/parser.h"
#include "common/template/print.h"
#include "common/template/symbols.h"

namespace brine::jinja::detail {

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

  Body subparse(const EndTokens* end);
  Body parse_statements(const EndTokens& end, bool drop_needle);
  [[noreturn]] void fail_unknown(const std::string* name, const EndTokens* extra, int line);
  [[noreturn]] void fail_eof(const EndTokens* end) { fail_unknown(nullptr, end, cur().line); }

  struct TagGuard {
    TagGuard(Parser* p, std::string tag) : p_(p) { p_->tag_stack_.push_back(std::move(tag)); }
    ~TagGuard() { p_->tag_stack_.pop_back(); }
    Parser* p_;
  };

  void parse_statement(Body& out);
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

  StmtPtr parse_for();
  void check_loop_target(const Target& t);
  StmtPtr parse_if();
  StmtPtr parse_block();
  void parse_import_context(bool* with_context, bool dflt);
  StmtPtr parse_include();
  Target name_target();
  void check_assignable_name(const std::string& n, int line);
  StmtPtr parse_import(const std::string& tag);
  StmtPtr parse_from();
  void parse_signature(MacroDef& def);
  void parse_macro_body(MacroDef& def, const char* end_tag, int line);
  StmtPtr parse_macro();
  StmtPtr parse_call_block();
  StmtPtr parse_set();
  StmtPtr parse_with();
  Target parse_assign_target(bool with_tuple, bool name_only, const EndTokens* extra,
                             bool with_namespace);
  Target to_target(const Expr& e, int line);
  // ------------------------------------------------------------ expressions
  ExprPtr parse_expression(bool with_condexpr = true);
  ExprPtr parse_condexpr();
  ExprPtr parse_or();
  ExprPtr parse_and();
  ExprPtr parse_not();
  ExprPtr parse_compare();
  ExprPtr parse_math1();
  ExprPtr parse_concat();
  ExprPtr parse_math2();
  ExprPtr parse_pow();
  ExprPtr parse_unary(bool with_filter);
  ExprPtr parse_primary();
  // Tuples of constants become constants (immutable); lists never do.
  static ExprPtr fold_const(std::unique_ptr<SeqExpr> e) { return e; }

  ExprPtr parse_tuple(bool simplified, bool with_condexpr, const EndTokens* extra,
                      bool explicit_parens);
  ExprPtr parse_postfix(ExprPtr node);
  ExprPtr parse_filter_expr(ExprPtr node);
  ExprPtr parse_subscript(ExprPtr node);
  ExprPtr parse_subscribed();
  void parse_call_args(ArgList& a);
  ExprPtr parse_call(ExprPtr node);
  ExprPtr parse_filter(ExprPtr node, bool start_inline);
  ExprPtr parse_test(ExprPtr node);
  std::vector<Token> toks_;
  size_t pos_ = 0;
  Symbols& syms_;
  int depth_ = 0;
  bool soft_ = false;
  int loop_depth_ = 0;
  // Counts what may read a for loop's `loop` variable: the name itself,
  // `self`/`super` (blocks), and statements whose templates see the current
  // frame (include, imports, blocks). parse_for compares it around the body
  // (ForStmt::uses_loop).
  int loop_refs_ = 0;
  std::vector<EndTokens> end_stack_;
  std::vector<std::string> tag_stack_;
  std::vector<MacroDef*> macro_stack_;
};

}  // namespace brine::jinja::detail
