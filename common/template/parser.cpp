// Jinja2 parser, statements: template data and {% tags %} (expressions:
// parse_expr.cpp), and parse_template.
#include <set>
#include <utility>

#include "common/template/builtins.h"
#include "common/template/parser_impl.h"

namespace brine::jinja {
namespace detail {

Body Parser::subparse(const EndTokens* end) {
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

Body Parser::parse_statements(const EndTokens& end, bool drop_needle) {
  skip_if(Tok::kColon);
  expect(Tok::kBlockEnd);
  Body body = subparse(&end);
  if (is(Tok::kEof)) fail_eof(&end);
  if (drop_needle) next();
  return body;
}

[[noreturn]] void Parser::fail_unknown(const std::string* name, const EndTokens* extra, int line) {
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

void Parser::parse_statement(Body& out) {
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
  if (name == "block" || name == "include" || name == "from" || name.starts_with("import")) {
    ++loop_refs_;  // these templates may see the enclosing loop's frame
  }
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

StmtPtr Parser::parse_for() {
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
    int refs = loop_refs_;
    s->body = parse_statements({"endfor", "else"}, false);
    s->uses_loop = s->recursive || loop_refs_ != refs;
  }
  if (next().text != "endfor") {
    SoftGuard sg(this, false);
    s->else_body = parse_statements({"endfor"}, true);
  }
  return s;
}

void Parser::check_loop_target(const Target& t) {
  if (t.kind == Target::Kind::kName && t.name == "loop") {
    fail("Can't assign to special loop variable in for-loop target");
  }
  for (const auto& item : t.items) check_loop_target(item);
}

StmtPtr Parser::parse_if() {
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

StmtPtr Parser::parse_block() {
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

void Parser::parse_import_context(bool* with_context, bool dflt) {
  if ((is_name("with") || is_name("without")) && look().type == Tok::kName &&
      look().text == "context") {
    *with_context = next().text == "with";
    next();
  } else {
    *with_context = dflt;
  }
}

StmtPtr Parser::parse_include() {
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

Target Parser::name_target() {
  Token t = expect_any_name();
  Target target;
  target.kind = Target::Kind::kName;
  target.name = t.text;
  target.sym = syms_.intern(t.text);
  check_assignable_name(target.name, t.line);
  return target;
}

void Parser::check_assignable_name(const std::string& n, int line) {
  if (n == "true" || n == "false" || n == "none" || n == "True" || n == "False" || n == "None") {
    fail("can't assign to 'const'", line);
  }
}

StmtPtr Parser::parse_import(const std::string& tag) {
  auto s = std::make_unique<ImportStmt>(next().line);
  s->name = parse_expression();
  expect_name("as");
  s->target = name_target();
  parse_import_context(&s->with_context, false);
  if (tag != "import") s->loader = find_filter("load_" + tag.substr(7));
  return s;
}

StmtPtr Parser::parse_from() {
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

void Parser::parse_signature(MacroDef& def) {
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

void Parser::parse_macro_body(MacroDef& def, const char* end_tag, int line) {
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

StmtPtr Parser::parse_macro() {
  int line = next().line;
  auto s = std::make_unique<MacroStmt>(line);
  Target t = name_target();
  s->sym = t.sym;
  s->def.name = t.name;
  parse_signature(s->def);
  parse_macro_body(s->def, "endmacro", line);
  return s;
}

StmtPtr Parser::parse_call_block() {
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

StmtPtr Parser::parse_set() {
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

StmtPtr Parser::parse_with() {
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

Target Parser::parse_assign_target(bool with_tuple, bool name_only, const EndTokens* extra,
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

Target Parser::to_target(const Expr& e, int line) {
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

}  // namespace detail

R<std::unique_ptr<Template>> parse_template(std::string_view source, std::string name,
                                            const LexOptions& options, Symbols& symbols) {
  auto t = std::make_unique<Template>();
  t->name = std::move(name);
  t->source = std::string(source);
  try {
    detail::Parser p(tokenize(source, options), symbols);
    t->body = p.parse();
    t->blocks = std::move(p.blocks);
    t->has_extends = p.has_extends;
  } catch (const detail::ParseError& e) {
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
