// Registries of filters, tests, methods and globals (internal).
#pragma once

#include <string_view>

#include "common/template/ast.h"

namespace brine::jinja {

// nullptr when unknown. Names as templates write them (`default`, `d`, ...).
FilterFn find_filter(std::string_view name);
TestFn find_test(std::string_view name);
// str methods by name (str_methods.cpp); nullptr when unknown.
MethodFn find_str_method(std::string_view name);
// Fills the method slots of a `x.name` node (methods.cpp).
void resolve_methods(GetattrExpr& e);

}  // namespace brine::jinja
