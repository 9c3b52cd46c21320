// Engine behaviour beyond output equality: Salt's error message shapes,
// loaders, options, caching, limits against hostile templates, threads.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/template/hash.h"
#include "common/template/jinja.h"
#include "common/template/value.h"
#include "tests/common/template/fake_salt.h"

namespace brine::jinja {
namespace {

Map salt_ctx() {
  Map ctx;
  ctx.set("grains", testing::debian12_grains());
  ctx.set("pillar", Value::map({{"a", Value::map({{"b", 1}})}}));
  ctx.set("saltenv", "base");
  return ctx;
}

Result<std::string> render(std::string_view tmpl, std::map<std::string, std::string> files = {},
                           Options opts = {}) {
  Map ctx = salt_ctx();
  Environment env(std::move(opts), std::make_shared<MemoryLoader>(std::move(files)),
                  testing::fake_caller(ctx));
  return env.render_string(tmpl, ctx, "top.sls");
}

// ------------------------------------------------------------ error messages

TEST(JinjaErrors, UndefinedVariableNamesLineAndContext) {
  auto r = render("a: 1\nb: {{ foo }}\nc: 3\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(r.error().where, "top.sls:2");
  EXPECT_EQ(r.error().message,
            "Jinja variable 'foo' is undefined; line 2\n\n---\na: 1\nb: {{ foo }}    "
            "<======================\nc: 3\n---");
}

TEST(JinjaErrors, ContextWindowIsFiveLinesWithEllipsis) {
  std::string tmpl;
  for (int i = 1; i <= 20; ++i)
    tmpl += i == 12 ? "{{ foo.bar }}\n" : "line" + std::to_string(i) + "\n";
  auto r = render(tmpl);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "Jinja variable 'foo' is undefined; line "
            "12\n\n---\n[...]\nline7\nline8\nline9\nline10\nline11\n"
            "{{ foo.bar }}    "
            "<======================\nline13\nline14\nline15\nline16\nline17\n[...]\n---");
}

TEST(JinjaErrors, MissingAttribute) {
  auto r = render("{{ pillar.a.c }}");
  ASSERT_FALSE(r);
  EXPECT_TRUE(
      r.error().message.starts_with("Jinja variable 'dict object' has no attribute 'c'; line 1"))
      << r.error().message;
}

TEST(JinjaErrors, SyntaxErrorIsParseErrorWithLine) {
  auto r = render("x\ny\n{% if %}\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kParse);
  EXPECT_EQ(r.error().message,
            "Jinja syntax error: Expected an expression, got 'end of statement block'; line "
            "3\n\n---\nx\ny\n"
            "{% if %}    <======================\n---");
}

TEST(JinjaErrors, UnknownTagMessage) {
  auto r = render("{% for x in y %}{% endif %}");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with(
      "Jinja syntax error: Encountered unknown tag 'endif'. Jinja was looking for the following "
      "tags: "
      "'endfor' or 'else'. The innermost block that needs to be closed is 'for'.; line 1"))
      << r.error().message;
}

TEST(JinjaErrors, UnexpectedEndOfTemplate) {
  auto r = render("{% if true %}\nx\n");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with(
      "Jinja syntax error: Unexpected end of template. Jinja was looking for the following tags: "
      "'elif' or "
      "'else' or 'endif'. The innermost block that needs to be closed is 'if'."))
      << r.error().message;
}

TEST(JinjaErrors, ErrorInImportedMacroNamesThatFile) {
  auto r = render("{% from 'lib.jinja' import f %}\n{{ f() }}",
                  {{"lib.jinja", "{% macro f() %}\n{{ missing }}\n{% endmacro %}"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "lib.jinja:2");
  EXPECT_EQ(r.error().message,
            "Jinja variable 'missing' is undefined\nlib.jinja(2):\n---\n{% macro f() %}\n"
            "{{ missing }}    <======================\n{% endmacro %}\n---");
}

TEST(JinjaErrors, SaltFunctionFailure) {
  auto r = render("{{ salt['cmd.fail']() }}");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with(
      "Problem running salt function in Jinja template: command failed"))
      << r.error().message;
}

TEST(JinjaErrors, RaiseGlobal) {
  auto r = render("{{ raise('no config for ' ~ grains.os) }}");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("Jinja error: no config for Debian; line 1"))
      << r.error().message;
}

TEST(JinjaErrors, TypeError) {
  auto r = render("{{ 1 + 'a' }}");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with(
      "Jinja error: unsupported operand type(s) for +: 'int' and 'str'"))
      << r.error().message;
}

TEST(JinjaErrors, MissingTemplate) {
  auto r = render("{% include 'nope.sls' %}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kNotFound);
  EXPECT_TRUE(r.error().message.starts_with("Jinja error: Template 'nope.sls' not found"))
      << r.error().message;
}

TEST(JinjaErrors, NoCallerConfigured) {
  Environment env(Options{}, nullptr);
  Map ctx;
  auto r = env.render_string("{{ salt }}", ctx);
  ASSERT_FALSE(r);  // `salt` is only defined when a caller is given
  EXPECT_TRUE(r.error().message.starts_with("Jinja variable 'salt' is undefined"))
      << r.error().message;
}

TEST(JinjaErrors, AllowUndefinedPrintsEmpty) {
  Options o;
  o.allow_undefined = true;
  auto r = render("[{{ nothere }}]", {}, o);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "[]");
}

// ------------------------------------------------------------ loaders

class TempRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("brine-jinja-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(root_ / "web");
    write("web/init.sls",
          "{% from 'web/map.jinja' import web with context %}port: {{ web.port }}\n");
    write("web/map.jinja", "{% import_yaml './defaults.yaml' as d %}{% set web = d %}");
    write("web/defaults.yaml", "port: 8080\n");
    write("secret.txt", "top secret");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) {
    std::ofstream(root_ / rel) << text;
  }
  std::filesystem::path root_;
};

TEST_F(TempRoot, FileRootsRenderWithRelativeImports) {
  Map ctx = salt_ctx();
  ctx.set("sls", "web");
  auto loader = std::make_shared<FileRootsLoader>(std::vector<std::string>{root_.string()});
  Environment env(Options{}, loader, testing::fake_caller(ctx));
  auto r = env.render_file("salt://web/init.sls", ctx);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "port: 8080\n");
}

TEST_F(TempRoot, RefusesPathsEscapingTheRoots) {
  auto loader =
      std::make_shared<FileRootsLoader>(std::vector<std::string>{(root_ / "web").string()});
  EXPECT_EQ(loader->resolve("../secret.txt", "").error().code, Errc::kPermissionDenied);
  EXPECT_EQ(loader->resolve("/etc/passwd", "").error().code, Errc::kPermissionDenied);
  EXPECT_EQ(loader->resolve("a/../../secret.txt", "").error().code, Errc::kPermissionDenied);
  EXPECT_EQ(loader->resolve("../../x", "sub/init.sls").error().code, Errc::kPermissionDenied);
  Environment env(Options{}, loader);
  auto r = env.render_string("{% include '../secret.txt' %}", Map{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("top secret"), std::string::npos);
}

TEST(JinjaLoader, ResolvesNames) {
  EXPECT_EQ(*resolve_template_name("salt://a/b.jinja", ""), "a/b.jinja");
  EXPECT_EQ(*resolve_template_name("a//./b.jinja", "x/y.sls"), "a/b.jinja");
  EXPECT_EQ(*resolve_template_name("./map.jinja", "formula/init.sls"), "formula/map.jinja");
  EXPECT_EQ(*resolve_template_name("../common/m.jinja", "formula/sub/init.sls"),
            "formula/common/m.jinja");
  EXPECT_EQ(*resolve_template_name("./x", "top.sls"), "x");
  EXPECT_FALSE(resolve_template_name("", ""));
}

class CountingLoader : public MemoryLoader {
 public:
  using MemoryLoader::MemoryLoader;
  Result<LoadedSource> load(std::string_view name) override {
    ++loads;
    return MemoryLoader::load(name);
  }
  std::atomic<int> loads{0};
};

TEST(JinjaCache, ImportedTemplatesCompileOncePerEnvironment) {
  auto loader = std::make_shared<CountingLoader>(
      std::map<std::string, std::string>{{"lib.jinja", "{% macro f(x) %}<{{ x }}>{% endmacro %}"}});
  Environment env(Options{}, loader);
  for (int i = 0; i < 5; ++i) {
    auto r = env.render_string(
        "{% import 'lib.jinja' as a %}{% from 'lib.jinja' import f %}{{ a.f(1) }}{{ f(2) }}",
        Map{});
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r, "<1><2>");
  }
  EXPECT_EQ(loader->loads.load(), 1);
}

TEST(JinjaThreads, ConcurrentRendersShareCompiledTemplates) {
  auto loader = std::make_shared<MemoryLoader>(std::map<std::string, std::string>{
      {"m.jinja", "{% macro row(k, v) %}{{ k }}={{ v|upper }};{% endmacro %}"},
      {"top",
       "{% from 'm.jinja' import row %}{% for k, v in data.items() %}{{ row(k, v) }}{% endfor "
       "%}"}});
  Environment env(Options{}, loader);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Map ctx;
        ctx.set("data", Value::map({{"a", "x" + std::to_string(t)}, {"b", "y"}}));
        auto r = env.render_file("top", ctx);
        if (!r || *r != "a=X" + std::to_string(t) + ";b=Y;") ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// ------------------------------------------------------------ options and context

TEST(JinjaOptions, FromSaltJinjaEnv) {
  Value v = Value::map({{"TRIM_BLOCKS", true},
                        {"lstrip_blocks", true},
                        {"unknown_thing", 1},
                        {"block_start_string", "<%"},
                        {"block_end_string", "%>"}});
  auto o = Options::from_value(v);
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_TRUE(o->trim_blocks);
  EXPECT_TRUE(o->lstrip_blocks);
  EXPECT_EQ(o->block_start_string, "<%");
  auto bad = Options::from_value(Value::map({{"trim_blocks", "yes"}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().to_string(), "trim_blocks: expected a boolean, got 'str'");
  EXPECT_TRUE(Options::from_value(Value("not a dict")));  // ignored, as Salt does
}

TEST(JinjaContext, SlsContextLikeSalt) {
  Map c = sls_context("/srv/salt/web/server/init.sls", "web.server");
  EXPECT_EQ(c.find("tplfile")->as_string(), "web/server/init.sls");
  EXPECT_EQ(c.find("tpldir")->as_string(), "web/server");
  EXPECT_EQ(c.find("tpldot")->as_string(), "web.server");
  EXPECT_EQ(c.find("slspath")->as_string(), "web/server");
  EXPECT_EQ(c.find("sls_path")->as_string(), "web_server");
  EXPECT_EQ(c.find("slsdotpath")->as_string(), "web.server");
  EXPECT_EQ(c.find("slscolonpath")->as_string(), "web:server");
  Map top = sls_context("/srv/salt/top.sls", "top");
  EXPECT_EQ(top.find("tpldir")->as_string(), ".");
  EXPECT_EQ(top.find("tplfile")->as_string(), "top.sls");
  EXPECT_EQ(top.find("slspath")->as_string(), "");
  Map flat = sls_context("/srv/salt/web.sls", "web");
  EXPECT_EQ(flat.find("tplfile")->as_string(), "web.sls");
  EXPECT_EQ(flat.find("tpldot")->as_string(), "");
}

TEST(JinjaContext, RenderFileAddsSlsContext) {
  auto loader = std::make_shared<MemoryLoader>(std::map<std::string, std::string>{
      {"web/init.sls", "{{ tpldir }} {{ slsdotpath }} {{ tplfile }} {{ sls }}"}});
  Environment env(Options{}, loader);
  Map ctx;
  ctx.set("sls", "web");
  auto r = env.render_file("web/init.sls", ctx);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "web web web/init.sls web");
}

TEST(JinjaContext, NonStringAndNestedValuesConvert) {
  Map ctx;
  ctx.set("v",
          Value::map(
              {{"i", 1}, {"f", 2.5}, {"b", false}, {"n", nullptr}, {"l", Value::list({1, "x"})}}));
  Environment env(Options{}, nullptr);
  auto r = env.render_string("{{ v }} {{ v.l[1] }} {{ v.f * 2 }}", ctx);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "{'i': 1, 'f': 2.5, 'b': False, 'n': None, 'l': [1, 'x']} x 5.0");
}

TEST(JinjaCaller, ReceivesConvertedArgumentsAndWritesBack) {
  std::string seen;
  Caller caller = [&](std::string_view fun, List& args, Map& kwargs) -> Result<Value> {
    seen =
        std::string(fun) + "/" + std::to_string(args.size()) + "/" + std::to_string(kwargs.size());
    if (!args.empty() && args[0].is_map()) args[0]["added"] = Value(true);
    return Value("r");
  };
  Environment env(Options{}, nullptr, caller);
  auto r =
      env.render_string("{% set d = {'a': 1} %}{{ salt.mod.fun(d, 2, k='v') }} {{ d }}", Map{});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(seen, "mod.fun/2/1");
  EXPECT_EQ(*r, "r {'a': 1, 'added': True}");
}

TEST(JinjaCaller, ExceptionFromCallerBecomesAnError) {
  Caller caller = [](std::string_view, List&, Map&) -> Result<Value> {
    throw std::runtime_error("boom");
  };
  Environment env(Options{}, nullptr, caller);
  auto r = env.render_string("{{ salt['x.y']() }}", Map{});
  ASSERT_FALSE(r);
  EXPECT_TRUE(
      r.error().message.starts_with("Problem running salt function in Jinja template: exception in "
                                    "'x.y': boom"))
      << r.error().message;
}

// ------------------------------------------------------------ hostile templates

TEST(JinjaLimits, DeepExpressionNestingIsAnError) {
  std::string deep(5000, '(');
  auto r = render("{{ " + deep + "1" + std::string(5000, ')') + " }}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kParse);
}

TEST(JinjaLimits, DeepBlockNestingIsAnError) {
  std::string t;
  for (int i = 0; i < 1000; ++i) t += "{% if true %}";
  auto r = render(t);
  ASSERT_FALSE(r);
}

TEST(JinjaLimits, InfiniteMacroRecursionStops) {
  auto r = render("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("maximum recursion depth exceeded"), std::string::npos);
}

TEST(JinjaLimits, OutputSizeBounded) {
  Options o;
  o.max_output_bytes = 1 << 20;
  auto r = render("{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}", {}, o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("template output exceeds"), std::string::npos);
}

TEST(JinjaLimits, HugeRepetitionRefused) {
  auto r = render("{{ 'x' * 10000000000 }}");
  ASSERT_FALSE(r);
}

TEST(JinjaLimits, DeeplyNestedValueBuiltInLoop) {
  // 100000-deep list: printing is refused, destruction must not overflow the stack.
  auto r = render(
      "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = [ns.l] %}{% endfor "
      "%}"
      "{{ ns.l|length }}");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "1");
  auto p = render(
      "{% set ns = namespace(l=[]) %}{% for i in range(5000) %}{% set ns.l = [ns.l] %}{% endfor %}"
      "{{ ns.l }}");
  ASSERT_FALSE(p);
}

TEST(JinjaLimits, DeepValuesCompareAndHashWithoutOverflow) {
  std::string build =
      "{% set ns = namespace(a=[], b=[], t=()) %}{% for i in range(100000) %}"
      "{% set ns.a = [ns.a] %}{% set ns.b = [ns.b] %}{% set ns.t = (ns.t,) %}{% endfor %}";
  auto eq = render(build + "{{ ns.a == ns.b }}");
  ASSERT_FALSE(eq);
  EXPECT_NE(eq.error().message.find("maximum recursion depth"), std::string::npos)
      << eq.error().message;
  EXPECT_FALSE(render(build + "{{ ns.a < ns.b }}"));
  EXPECT_FALSE(render(build + "{{ {ns.t: 1} }}"));
  auto in = render(build + "{{ ns.a in [ns.b] }}");
  ASSERT_FALSE(in);
  EXPECT_FALSE(render(build + "{{ ns.a|pprint }}"));
  EXPECT_FALSE(render(build + "{{ ns.a|json }}"));
  EXPECT_FALSE(render(build + "{{ ns.a|yaml }}"));
}

TEST(JinjaLimits, ReferenceCyclesAreFreed) {
  // Run under ASan/LSan: a macro's closure holding its own frame and a
  // self-containing list must not leak.
  auto r = render(
      "{% macro m() %}{% endmacro %}{% set l = [] %}{% do l.append(l) %}{% set d = {} %}"
      "{% do d.update({'self': d, 'm': m}) %}ok");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "ok");
}

TEST(JinjaLimits, BuiltinGlobalsAreOwnedByTheEnvironment) {
  // Run under ASan/LSan: range, dict, namespace... are made per Environment
  // and released with it (they used to live in a never-destroyed static).
  for (int i = 0; i < 3; ++i) {
    auto r = render("{{ range(3)|list }} {{ dict(a=1) }} {{ namespace(x=1).x }} {{ odict() }}");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r, "[0, 1, 2] {'a': 1} 1 {}");
  }
}

TEST(JinjaLimits, ObjectsFreedOnAnotherThreadAreReleased) {
  // Run under ASan/LSan: a thread that only frees engine objects (allocated
  // by another thread) keeps them in its free lists and must release them
  // when it exits.
  std::vector<Val> vals;
  for (int i = 0; i < 100; ++i) vals.push_back(Val::str(std::string(40, 'x')));
  Val list = Val::list();
  std::thread t([&] {
    vals.clear();
    list = Val();
  });
  t.join();
  EXPECT_TRUE(vals.empty());
}

TEST(JinjaLimits, CatastrophicRegexFails) {
  auto r = render("{{ ('x' * 40 ~ '!')|regex_match('(x+x+)+$') }}");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("too complex"), std::string::npos) << r.error().message;
}

// ------------------------------------------------------------ digests

TEST(JinjaHash, KnownVectors) {
  EXPECT_EQ(hash::md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hash::md5_hex("The quick brown fox jumps over the lazy dog"),
            "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(hash::sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hash::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hash::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hash::sha512_hex("abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c"
            "23a3feebbd"
            "454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(hash::sha512_hex(std::string(1000, 'a')).substr(0, 16), "67ba5535a46e3f86");
  std::string out;
  ASSERT_TRUE(hash::base64_decode(hash::base64_encode("any carnal pleas"), &out));
  EXPECT_EQ(out, "any carnal pleas");
  EXPECT_FALSE(hash::base64_decode("abc", &out));
}

// ------------------------------------------------------------ salt pillar.get / grains.get

// pillar.get/grains.get are answered from the context's pillar/grains (the
// objects themselves, as in Salt); the module is called only when the engine
// cannot answer.
TEST(JinjaSaltGet, ServedFromTheContextWithoutTheModule) {
  Map ctx = salt_ctx();
  std::vector<std::string> calls;
  Caller fake = testing::fake_caller(ctx);
  Caller counting = [&](std::string_view fun, List& args, Map& kwargs) {
    calls.emplace_back(fun);
    return fake(fun, args, kwargs);
  };
  Environment env(Options{}, std::make_shared<MemoryLoader>(std::map<std::string, std::string>{}),
                  counting);
  auto r = env.render_string(
      "{{ salt['pillar.get']('a:b') }} {{ salt.pillar.get('a', merge=True, default={'c': 2}) }} "
      "{{ salt['grains.get']('os') }} [{{ salt['pillar.get']('x') }}] "
      "{% set p = salt['pillar.get']('a') %}{% do p.update({'n': 1}) %}{{ pillar.a.n }}",
      ctx);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "1 {'c': 2, 'b': 1} Debian [] 1");
  EXPECT_TRUE(calls.empty());

  // Another pillar environment, ordered=False, a skipped merge: the module.
  r = env.render_string(
      "{{ salt['pillar.get']('a:b', saltenv='dev') }} {{ salt['grains.get']('os', ordered=False) "
      "}} "
      "{{ salt['pillar.get']('a:b', merge=True) }}",
      ctx);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "1 Debian 1");
  EXPECT_EQ(calls, (std::vector<std::string>{"pillar.get", "grains.get", "pillar.get"}));

  // No pillar in the context: the module answers.
  calls.clear();
  Map bare;
  bare.set("saltenv", "base");
  r = env.render_string("[{{ salt['pillar.get']('a:b') }}]", bare);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "[1]");
  EXPECT_EQ(calls, std::vector<std::string>{"pillar.get"});
}

// ------------------------------------------------------------ fast paths
// (expected outputs taken from Jinja2 3.1)

TEST(JinjaFastPaths, LoopsWithAndWithoutTheLoopVariable) {
  // Bodies that cannot read `loop` run without a loop object; `loop` read
  // from a macro or call block defined in the body still sees it.
  auto r = render(
      "{% macro m2() %}[{{ caller(1) }}]{% endmacro %}"
      "{% for a, b in [(1,2),(3,4)] %}{{ a+b }}{% else %}E{% endfor %}|"
      "{% for x in [] %}{% else %}empty{% endfor %}|"
      "{% for x in [1,2] %}{% macro m() %}{{ loop.index }}{% endmacro %}{{ m() }}{% endfor %}|"
      "{% for x in [1,2] %}{% for y in [3] %}{{ loop.index }}{{ x }}{% endfor %}{% endfor %}|"
      "{% for x in [1,2,3] %}{% if x == 2 %}{% continue %}{% endif %}{{ x }}{% else %}E{% endfor "
      "%}|"
      "{% for x in [1,2,3] %}{% break %}{% else %}E2{% endfor %}|"
      "{% for x in [1,2] %}{% call(a) m2() %}{{ loop.index }}{% endcall %}{% endfor %}|"
      "{% for a, a in [(1,2),(3,4)] %}{{ a }}{% endfor %}|"
      "{% for k, v in [(1,2),'ab'] %}{{ k }}{{ v }}{% endfor %}");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "37|empty|12|1112|13|E2|[1][2]|24|12ab");
}

TEST(JinjaFastPaths, DictsortByStrKeys) {
  auto r = render(
      "{%- set d = {'b': 1, 'A': 2, 'a': 3, 'B': 4, '\u00e9': 5, '\u00c9': 6, 'c': 7} -%}"
      "{{ d|dictsort }}|{{ d|dictsort(true) }}|{{ d|dictsort(reverse=true) }}|"
      "{{ d|dictsort(true, reverse=true) }}|{{ {}|dictsort }}|{{ "
      "{'b':2,'a':1}|dictsort(by='value') }}");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r,
            "[('A', 2), ('a', 3), ('b', 1), ('B', 4), ('c', 7), ('\u00e9', 5), ('\u00c9', 6)]|"
            "[('A', 2), ('B', 4), ('a', 3), ('b', 1), ('c', 7), ('\u00c9', 6), ('\u00e9', 5)]|"
            "[('\u00e9', 5), ('\u00c9', 6), ('c', 7), ('b', 1), ('B', 4), ('A', 2), ('a', 3)]|"
            "[('\u00e9', 5), ('\u00c9', 6), ('c', 7), ('b', 1), ('a', 3), ('B', 4), ('A', 2)]|"
            "[]|[('a', 1), ('b', 2)]");
}

TEST(JinjaFastPaths, ContextDictsAreFreshInEveryRender) {
  // Converted keys are shared between renders; the dicts holding them are not.
  Map ctx = salt_ctx();
  Environment env(Options{}, std::make_shared<MemoryLoader>(std::map<std::string, std::string>{}),
                  testing::fake_caller(ctx));
  auto r = env.render_string("{% do pillar.a.update({'c': 2}) %}{{ pillar.a|dictsort }}", ctx);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "[('b', 1), ('c', 2)]");
  r = env.render_string("{{ pillar.a }} {{ 'b' in pillar.a }}", ctx);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "{'b': 1} True");
}

TEST(JinjaFastPaths, MoreKeysAndValuesThanTheInternTableHolds) {
  // The per-thread intern table holds 8,192 strings of up to 64 bytes (values
  // up to 32): past that, and for longer strings, keys and values are plain
  // strings. Lookups and printing must not notice, in the first render or a
  // later one.
  Map ctx = salt_ctx();
  Map many;
  for (int i = 0; i < 20000; ++i) many.set("k" + std::to_string(i), "v" + std::to_string(i));
  const std::string long_key(100, 'K');
  const std::string long_value(50, 'V');
  many.set(long_key, long_value);
  ctx.set("pillar", Value(std::move(many)));
  Environment env(Options{}, std::make_shared<MemoryLoader>(std::map<std::string, std::string>{}),
                  testing::fake_caller(ctx));
  const std::string tmpl = "{{ pillar|length }} {{ pillar.k0 }} {{ pillar.k19999 }} {{ pillar['" +
                           long_key + "'] == '" + long_value +
                           "' }} {{ pillar.k12345 ~ pillar['k9000'] }} {{ 'k19998' in pillar }}";
  for (int round = 0; round < 2; ++round) {
    auto r = env.render_string(tmpl, ctx);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r, "20001 v0 v19999 True v12345v9000 True") << "round " << round;
  }
}

}  // namespace
}  // namespace brine::jinja
