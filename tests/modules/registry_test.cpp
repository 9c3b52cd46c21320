// Registry semantics: Salt's argument binding, error strings, retcode rule,
// __pub_* injection, unknown functions and table validation.
#include "modules/registry.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "common/codec/python_repr.h"
#include "modules/binding.h"
#include "tests/modules/fixture.h"

namespace brine::modules {
namespace {

Result<Value> echo_call(Call& c) {
  return Value::map(
      {{"params", Value(c.params)}, {"args", Value(c.args)}, {"kwargs", Value(c.kwargs)}});
}
Result<Value> returns_arg(Call& c) { return c.get("a"); }
Result<Value> set_retcode(Call& c) {
  c.ctx.retcode = static_cast<int>(c.integer("a"));
  return Value(true);
}
Result<Value> fail_invocation(Call&) { return invocation_error("bad input"); }
Result<Value> fail_type(Call&) { return type_error("f() needs more"); }
Result<Value> fail_missing(Call&) {
  return command_not_found("The 'x' binary was not found in $PATH.");
}
Result<Value> fail_exception(Call&) { return exception_error("ValueError", "nope"); }
Result<Value> fail_execution(Call&) { return execution_error("disk on fire"); }
Result<Value> fail_parse(Call&) { return make_error(Errc::kParse, "bad yaml", "x.sls:3:1"); }
Result<Value> throws(Call&) { throw std::runtime_error("boom"); }

constexpr Param kAbc[] = {{"a"}, {"b", "2", Type::kInt}, {"c", "None"}};
constexpr Param kA[] = {{"a"}};
constexpr Param kInt[] = {{"a", {}, Type::kInt}};
constexpr Param kFloat[] = {{"a", {}, Type::kFloat}};
constexpr Param kStr[] = {{"a", {}, Type::kString}};
constexpr Param kList[] = {{"a", {}, Type::kList}};

constexpr FunctionSpec kFunctions[] = {
    {"f", echo_call, "f", "f docstring", kAbc},
    {"g", echo_call, "g", "g docstring", kAbc, true, true},
    {"one", echo_call, "one", "one docstring", kA},
    {"none", echo_call, "none", "none docstring"},
    {"ret", returns_arg, "ret", "ret docstring", kA},
    {"rc", set_retcode, "rc", "rc docstring", kInt},
    {"int", returns_arg, "int", "int docstring", kInt},
    {"float", returns_arg, "float", "float docstring", kFloat},
    {"str", returns_arg, "str", "str docstring", kStr},
    {"list", returns_arg, "list", "list docstring", kList},
    {"inv", fail_invocation, "", "inv docstring"},
    {"type", fail_type, "", "type docstring"},
    {"missing", fail_missing, "", "missing docstring"},
    {"exc", fail_exception, "", "exc docstring"},
    {"exe", fail_execution, "", "exe docstring"},
    {"parse", fail_parse, "", "parse docstring"},
    {"throws", throws, "", "throws docstring"},
};
constexpr ModuleSpec kTable{"t", always_available, kFunctions};

Availability never(const Value&) { return Availability::no("not on this platform"); }
constexpr FunctionSpec kUFunctions[] = {{"x", echo_call, "", ""}};
constexpr ModuleSpec kUnavailable{"u", never, kUFunctions};

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(registry_.add(kTable));
    ASSERT_TRUE(registry_.add(kUnavailable));
  }
  JobReturn run(std::string_view fun, List args = {}, Map kwargs = {}) {
    return registry_.execute(fun, args, kwargs, ctx_);
  }
  Registry registry_;
  Value opts_{Map{}};
  Value pillar_{Map{}};
  Value pub_ = Value::map({{"jid", Value("123")}, {"fun", Value("t.g")}, {"user", Value("root")}});
  Context ctx_{registry_, opts_, pillar_};
};

TEST_F(RegistryTest, BindsPositionalKeywordAndDefaults) {
  auto r = run("t.f", {Value(1)}, Map{{"c", Value("x")}});
  ASSERT_EQ(r.retcode, 0) << codec::python_repr(r.ret);
  EXPECT_EQ(*r.ret.find("params"),
            Value::map({{"a", Value(1)}, {"b", Value(2)}, {"c", Value("x")}}));
}

TEST_F(RegistryTest, TooManyPositionalArgumentsIsATypeError) {
  auto r = run("t.f", {Value(1), Value(2), Value(3), Value(4)});
  EXPECT_EQ(r.retcode, 1);
  EXPECT_EQ(r.failure, Failure::kArguments);
  EXPECT_EQ(r.out, "nested");
  EXPECT_EQ(r.ret.as_string(),
            "Passed invalid arguments to t.f: f() takes from 1 to 3 positional arguments but 4 "
            "were given\nf docstring");
  EXPECT_EQ(run("t.one", {Value(1), Value(2)}).ret.as_string(),
            "Passed invalid arguments to t.one: one() takes 1 positional argument but 2 were "
            "given\none docstring");
  EXPECT_EQ(run("t.none", {Value(1)}).ret.as_string(),
            "Passed invalid arguments to t.none: none() takes 0 positional arguments but 1 was "
            "given\nnone docstring");
}

TEST_F(RegistryTest, MissingRequiredArgumentIsATypeError) {
  auto r = run("t.f");
  EXPECT_EQ(r.ret.as_string(),
            "Passed invalid arguments to t.f: f() missing 1 required positional argument: "
            "'a'\nf docstring");
}

TEST_F(RegistryTest, DuplicateArgumentIsATypeError) {
  auto r = run("t.f", {Value(1)}, Map{{"a", Value(2)}});
  EXPECT_EQ(r.ret.as_string(),
            "Passed invalid arguments to t.f: f() got multiple values for argument 'a'\nf "
            "docstring");
}

TEST_F(RegistryTest, UndeclaredKeywordsAreInvalidWithoutKwargs) {
  auto r = run("t.f", {Value(1)}, Map{{"x", Value(1)}, {"y", Value(true)}, {"z", Value("s")}});
  EXPECT_EQ(r.retcode, 1);
  EXPECT_EQ(r.failure, Failure::kInvocation);
  EXPECT_EQ(r.ret.as_string(),
            "ERROR executing 't.f': The following keyword arguments are not valid: x=1, y=True, "
            "z=s");
}

TEST_F(RegistryTest, VarargsAndKwargsCollectExtrasAndPubFields) {
  ctx_.pub = &pub_;
  auto r = run("t.g", {Value(1), Value(2), Value(3), Value(4)}, Map{{"x", Value("y")}});
  ASSERT_EQ(r.retcode, 0);
  EXPECT_EQ(*r.ret.find("args"), Value::list({Value(4)}));
  const Value& kw = *r.ret.find("kwargs");
  EXPECT_EQ(kw.get_string("x"), "y");
  EXPECT_EQ(kw.get_string("__pub_jid"), "123");
  EXPECT_EQ(kw.get_string("__pub_fun"), "t.g");
  EXPECT_EQ(kw.get_string("__pub_user"), "root");
}

TEST_F(RegistryTest, PubFieldsOnlyForKwargsFunctionsAndJobCalls) {
  ctx_.pub = &pub_;
  // A function without **kwargs receives nothing extra.
  auto f = run("t.f", {Value(1)});
  EXPECT_EQ(f.ret.find("kwargs")->as_map().size(), 0u);
  // A module-to-module call does not inject.
  auto g = registry_.call("t.g", List{Value(1)}, Map{}, ctx_);
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->find("kwargs")->find("__pub_jid"));
}

TEST_F(RegistryTest, DeclaredTypesAreCoerced) {
  EXPECT_EQ(run("t.int", {Value("42")}).ret, Value(42));
  EXPECT_EQ(run("t.int", {Value(" 7 ")}).ret, Value(7));
  EXPECT_EQ(run("t.int", {Value(2.9)}).ret, Value(2));
  EXPECT_EQ(run("t.float", {Value(2)}).ret, Value(2.0));
  EXPECT_EQ(run("t.str", {Value(true)}).ret, Value("True"));
  EXPECT_EQ(run("t.str", {Value(1.5)}).ret, Value("1.5"));
  EXPECT_EQ(run("t.int", {Value()}).ret, Value());  // None passes
  EXPECT_EQ(run("t.int", {Value("abc")}).ret.as_string(),
            "Passed invalid arguments to t.int: argument 'a': invalid literal for int() with base "
            "10: 'abc'\nint docstring");
  EXPECT_EQ(run("t.list", {Value("x")}).ret.as_string(),
            "Passed invalid arguments to t.list: argument 'a': expected a list, not 'str'\nlist "
            "docstring");
}

TEST_F(RegistryTest, RetcodeRule) {
  EXPECT_EQ(run("t.ret", {Value(false)}).retcode, 0);  // False alone is a success
  EXPECT_EQ(run("t.ret", {Value::map({{"result", Value(false)}})}).retcode, 1);
  EXPECT_EQ(run("t.ret", {Value::map({{"success", Value(0)}})}).retcode, 1);
  EXPECT_EQ(run("t.ret", {Value::map({{"result", Value(true)}})}).retcode, 0);
  EXPECT_EQ(run("t.ret", {Value::map({{"result", Value()}})}).retcode, 1);  // None is falsy
  auto rc = run("t.rc", {Value(3)});
  EXPECT_EQ(rc.retcode, 3);
  EXPECT_FALSE(rc.success);
  EXPECT_TRUE(run("t.ret", {Value(1)}).success);
}

TEST_F(RegistryTest, ErrorsBecomeSaltStrings) {
  EXPECT_EQ(run("t.inv").ret.as_string(), "ERROR executing 't.inv': bad input");
  EXPECT_EQ(run("t.type").ret.as_string(),
            "Passed invalid arguments to t.type: f() needs more\ntype docstring");
  EXPECT_EQ(run("t.missing").ret.as_string(),
            "Command required for 't.missing' not found: The 'x' binary was not found in $PATH.");
  EXPECT_EQ(run("t.exc").ret.as_string(),
            "The minion function caused an exception: ValueError: nope");
  EXPECT_EQ(run("t.exe").ret.as_string(), "ERROR: disk on fire");
  EXPECT_EQ(run("t.parse").ret.as_string(), "ERROR: x.sls:3:1: bad yaml");
  auto t = run("t.throws");
  EXPECT_EQ(t.ret.as_string(), "The minion function caused an exception: Exception: boom");
  EXPECT_EQ(t.failure, Failure::kException);
  for (const char* f : {"t.inv", "t.type", "t.missing", "t.exc", "t.exe", "t.throws"}) {
    auto r = run(f);
    EXPECT_EQ(r.retcode, 1) << f;
    EXPECT_FALSE(r.success) << f;
    EXPECT_EQ(r.out, "nested") << f;
  }
}

TEST_F(RegistryTest, UnknownFunction) {
  auto r = run("nope.x");
  EXPECT_EQ(r.ret.as_string(), "'nope.x' is not available.");
  EXPECT_EQ(r.retcode, 1);
  EXPECT_EQ(r.failure, Failure::kUnknownFunction);
  EXPECT_EQ(run("t.zzz").ret.as_string(), "'t.zzz' is not available.");
  EXPECT_EQ(run("u.x").ret.as_string(), "'u' __virtual__ returned False: not on this platform");
  auto c = registry_.call("nope.x", {}, {}, ctx_);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::kNotFound);
  EXPECT_EQ(c.error().message, "'nope.x' is not available.");
}

TEST_F(RegistryTest, UnknownFunctionWithAPrefixAnswersDocs) {
  auto r = run("t.e");
  ASSERT_TRUE(r.ret.is_map());
  EXPECT_EQ(r.ret.get_string("t.exc"), "exc docstring");
  EXPECT_EQ(r.ret.get_string("t.exe"), "exe docstring");
  EXPECT_EQ(r.ret.get_string("t.e"), "'t.e' is not available.");
  EXPECT_EQ(r.retcode, 1);
}

TEST_F(RegistryTest, ListsAvailableModulesAndFunctions) {
  auto mods = registry_.list_modules();
  EXPECT_EQ(mods, std::vector<std::string>{"t"});
  auto fns = registry_.list_functions();
  EXPECT_TRUE(std::is_sorted(fns.begin(), fns.end()));
  EXPECT_NE(std::find(fns.begin(), fns.end(), "t.f"), fns.end());
  EXPECT_EQ(std::find(fns.begin(), fns.end(), "u.x"), fns.end());
  EXPECT_EQ(registry_.find("u.x"), nullptr);
  ASSERT_TRUE(registry_.availability("u"));
  EXPECT_FALSE(registry_.availability("u")->ok);
}

TEST(RegistryTable, RejectsDuplicatesAndBadTables) {
  Registry r;
  ASSERT_TRUE(r.add(kTable));
  auto dup = r.add(kTable);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::kAlreadyExists);

  static constexpr Param kBadDefault[] = {{"a", "Nonsense"}};
  static constexpr FunctionSpec kBad1[] = {{"f", echo_call, "", "", kBadDefault}};
  auto bad1 = r.add(ModuleSpec{"bad1", always_available, kBad1});
  ASSERT_FALSE(bad1);
  EXPECT_NE(bad1.error().message.find("bad1.f: parameter 'a'"), std::string::npos);

  static constexpr Param kOrder[] = {{"a", "1"}, {"b"}};
  static constexpr FunctionSpec kBad2[] = {{"f", echo_call, "", "", kOrder}};
  EXPECT_FALSE(r.add(ModuleSpec{"bad2", always_available, kBad2}));

  static constexpr FunctionSpec kBad3[] = {{"f", echo_call, "", ""}, {"f", echo_call, "", ""}};
  EXPECT_FALSE(r.add(ModuleSpec{"bad3", always_available, kBad3}));
}

TEST(RegistryTable, DisableAndWhitelistModules) {
  Value pillar;
  {
    Registry r(Value::map({{"disable_modules", Value::list({Value("t")})}}));
    ASSERT_TRUE(r.add(kTable));
    Context ctx(r, r.opts(), pillar);
    EXPECT_EQ(r.execute("t.f", {Value(1)}, {}, ctx).ret, Value("'t.f' is not available."));
    EXPECT_TRUE(r.list_functions().empty());
  }
  {
    Registry r(Value::map({{"whitelist_modules", Value::list({Value("u")})}}));
    ASSERT_TRUE(r.add(kTable));
    EXPECT_EQ(r.find("t.f"), nullptr);
  }
  {
    Registry r(Value::map({{"whitelist_modules", Value::list({Value("t")})}}));
    ASSERT_TRUE(r.add(kTable));
    EXPECT_NE(r.find("t.f"), nullptr);
  }
}

TEST(PythonLiteral, ParsesTheDefaultsTablesUse) {
  EXPECT_EQ(*parse_python_literal("None"), Value());
  EXPECT_EQ(*parse_python_literal("True"), Value(true));
  EXPECT_EQ(*parse_python_literal("False"), Value(false));
  EXPECT_EQ(*parse_python_literal("42"), Value(42));
  EXPECT_EQ(*parse_python_literal("-1"), Value(-1));
  EXPECT_EQ(*parse_python_literal("1.5"), Value(1.5));
  EXPECT_EQ(*parse_python_literal("':'"), Value(":"));
  EXPECT_EQ(*parse_python_literal("''"), Value(""));
  EXPECT_EQ(*parse_python_literal("\"it's\""), Value("it's"));
  EXPECT_EQ(*parse_python_literal("[]"), Value(List{}));
  EXPECT_EQ(*parse_python_literal("{}"), Value(Map{}));
  EXPECT_EQ(*parse_python_literal("[0, 'a']"), Value::list({Value(0), Value("a")}));
  EXPECT_EQ(*parse_python_literal("{'a': 1}"), Value::map({{"a", Value(1)}}));
  EXPECT_FALSE(parse_python_literal("'open"));
  EXPECT_FALSE(parse_python_literal("maybe"));
  EXPECT_FALSE(parse_python_literal("[1,"));
}

TEST(PublicationArgs, SplitsKwargDictAndKeyValueStrings) {
  List arg{Value(1),
           Value("foo=bar"),
           Value("a==b"),
           Value("1x=2"),
           Value("n=0644"),
           Value::map({{"__kwarg__", Value(true)}, {"k", Value(2)}}),
           Value::map({{"plain", Value("dict")}})};
  auto s = split_publication_args(arg);
  EXPECT_EQ(s.args,
            (List{Value(1), Value("a==b"), Value("1x=2"), Value::map({{"plain", Value("dict")}})}));
  EXPECT_EQ(s.kwargs, (Map{{"foo", Value("bar")}, {"n", Value(644)}, {"k", Value(2)}}));
}

TEST(Context, GrainsAreLoadedLazilyOnce) {
  Registry r;
  Value opts, pillar;
  Context ctx(r, opts, pillar);
  int loads = 0;
  ctx.grains_loader = [&] {
    ++loads;
    return Value::map({{"os", Value("Debian")}});
  };
  EXPECT_EQ(loads, 0);
  EXPECT_EQ(ctx.grains().get_string("os"), "Debian");
  ctx.grains();
  EXPECT_EQ(loads, 1);
}

}  // namespace
}  // namespace brine::modules
