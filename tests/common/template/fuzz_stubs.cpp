// Minimal stand-ins used only by the clang-built libFuzzer target (which
// compiles the lexer and parser alone): filter/test lookups accept every
// name except those starting with "no", and repr quoting is simplified.
#include <string>
#include <string_view>

#include "common/template/builtins.h"
#include "common/template/print.h"

namespace brine::jinja {
namespace {
RV dummy_filter(Interp&, Val& v, CallArgs&) { return v; }
R<bool> dummy_test(Interp&, const Val&, CallArgs&) { return true; }
}  // namespace

FilterFn find_filter(std::string_view name) {
  return name.starts_with("no") ? nullptr : dummy_filter;
}
TestFn find_test(std::string_view name) { return name.starts_with("no") ? nullptr : dummy_test; }
void resolve_methods(GetattrExpr&) {}

// Lazy conversion and Undefined messages are not used by the parser.
std::string UndefObj::message() const { return text; }
void ListObj::materialize() { lazy = nullptr; }
void DictObj::materialize() { lazy = nullptr; }

// Object's key function (its vtable/typeinfo live in print.cpp normally).
void Object::repr(std::string& out) const { out += "<object>"; }

void append_string_repr(std::string& out, std::string_view s) {
  out += '\'';
  out += s;
  out += '\'';
}

}  // namespace brine::jinja
