// Jinja2 parser, expressions: conditional, logic, comparison, arithmetic,
// unary, primary, postfix (attributes, subscripts, calls), filters and tests.
#include <utility>

#include "common/template/builtins.h"
#include "common/template/parser_impl.h"

namespace brine::jinja::detail {

ExprPtr Parser::parse_expression(bool with_condexpr) {
  return with_condexpr ? parse_condexpr() : parse_or();
}

ExprPtr Parser::parse_condexpr() {
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

ExprPtr Parser::parse_or() {
  int line = cur().line;
  ExprPtr left = parse_and();
  while (skip_name("or")) {
    ExprPtr right = parse_and();
    left = std::make_unique<LogicExpr>(EK::kOr, std::move(left), std::move(right), line);
    line = cur().line;
  }
  return left;
}

ExprPtr Parser::parse_and() {
  int line = cur().line;
  ExprPtr left = parse_not();
  while (skip_name("and")) {
    ExprPtr right = parse_not();
    left = std::make_unique<LogicExpr>(EK::kAnd, std::move(left), std::move(right), line);
    line = cur().line;
  }
  return left;
}

ExprPtr Parser::parse_not() {
  if (is_name("not")) {
    DepthGuard dg(this);
    int line = next().line;
    return std::make_unique<UnaryExpr>(EK::kNot, parse_not(), line);
  }
  return parse_compare();
}

ExprPtr Parser::parse_compare() {
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

ExprPtr Parser::parse_math1() {
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

ExprPtr Parser::parse_concat() {
  int line = cur().line;
  ExprPtr first = parse_math2();
  if (!is(Tok::kTilde)) return first;
  auto c = std::make_unique<SeqExpr>(EK::kConcat, line);
  c->items.push_back(std::move(first));
  while (skip_if(Tok::kTilde)) c->items.push_back(parse_math2());
  return c;
}

ExprPtr Parser::parse_math2() {
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

ExprPtr Parser::parse_pow() {
  int line = cur().line;
  ExprPtr left = parse_unary(true);
  while (skip_if(Tok::kPow)) {
    ExprPtr right = parse_unary(true);
    left = std::make_unique<BinExpr>(BinOp::kPow, std::move(left), std::move(right), line);
    line = cur().line;
  }
  return left;
}

ExprPtr Parser::parse_unary(bool with_filter) {
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

ExprPtr Parser::parse_primary() {
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
        // `self`/`super` render blocks, which may see the loop's frame.
        if (s == Symbols::kLoop || s == Symbols::kSelf || s == Symbols::kSuper) ++loop_refs_;
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

ExprPtr Parser::parse_tuple(bool simplified, bool with_condexpr, const EndTokens* extra,
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

ExprPtr Parser::parse_postfix(ExprPtr node) {
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

ExprPtr Parser::parse_filter_expr(ExprPtr node) {
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

ExprPtr Parser::parse_subscript(ExprPtr node) {
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

ExprPtr Parser::parse_subscribed() {
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

void Parser::parse_call_args(ArgList& a) {
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

ExprPtr Parser::parse_call(ExprPtr node) {
  DepthGuard dg(this);
  auto c = std::make_unique<CallExpr>(cur().line);
  parse_call_args(c->a);
  c->fn = std::move(node);
  return c;
}

ExprPtr Parser::parse_filter(ExprPtr node, bool start_inline) {
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

ExprPtr Parser::parse_test(ExprPtr node) {
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

}  // namespace brine::jinja::detail
