// libFuzzer target for the Jinja lexer and parser:
//   cmake -DBRINE_FUZZ=ON ... && cmake --build . --target fuzz_jinja
//   mkdir -p /tmp/corpus && ./bin/fuzz_jinja /tmp/corpus tests/common/template/fuzz_corpus
// The first input byte selects lexer options (trim/lstrip/keep newline,
// custom delimiters); the rest is the template. Any input must produce
// tokens and either a Template or a located syntax error, never a crash,
// hang or unbounded recursion.
//
// Built with BRINE_FUZZ_RENDER (the GCC replay driver, fuzz_replay.cpp), the
// parsed template is also rendered, so the interpreter is exercised too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/template/lexer.h"
#include "common/template/parser.h"
#include "common/template/symbols.h"

#ifdef BRINE_FUZZ_RENDER
#include "common/template/jinja.h"
#endif

namespace {

brine::jinja::LexOptions options_for(uint8_t b) {
  brine::jinja::LexOptions o;
  o.trim_blocks = b & 1;
  o.lstrip_blocks = b & 2;
  o.keep_trailing_newline = b & 4;
  if (b & 8) {
    o.block_start = "<%";
    o.block_end = "%>";
    o.variable_start = "${";
    o.variable_end = "}";
    o.comment_start = "<#";
    o.comment_end = "#>";
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  brine::jinja::LexOptions opts = options_for(data[0]);
  std::string_view src(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<brine::jinja::Token> toks = brine::jinja::tokenize(src, opts);
  if (toks.empty()) __builtin_trap();  // always ends with kEof or kError
  brine::jinja::Symbols symbols;
  auto t = brine::jinja::parse_template(src, "<fuzz>", opts, symbols);
  if (!t && t.error()->line <= 0) __builtin_trap();  // syntax errors carry a line
#ifdef BRINE_FUZZ_RENDER
  if (t && (data[0] & 16)) {
    brine::jinja::Options o;
    o.trim_blocks = opts.trim_blocks;
    o.lstrip_blocks = opts.lstrip_blocks;
    o.keep_trailing_newline = opts.keep_trailing_newline;
    o.block_start_string = opts.block_start;
    o.block_end_string = opts.block_end;
    o.variable_start_string = opts.variable_start;
    o.variable_end_string = opts.variable_end;
    o.comment_start_string = opts.comment_start;
    o.comment_end_string = opts.comment_end;
    o.max_output_bytes = 1 << 20;
    auto loader = std::make_shared<brine::jinja::MemoryLoader>(std::map<std::string, std::string>{
        {"self", std::string(src)}, {"lib", "{% macro m(x) %}{{ x }}{% endmacro %}"}});
    brine::jinja::Environment env(o, loader);
    brine::Map ctx;
    ctx.set("d", brine::Value::map({{"a", 1}, {"b", brine::Value::list({"x", 2.5, nullptr})}}));
    ctx.set("s", "text");
    (void)env.render_string(src, ctx, "self");
  }
#endif
  return 0;
}
