// Argument binding for the registry: Python's rules for matching a call's
// positional and keyword arguments to a function's declared parameters, with
// Salt's invalid-kwargs check in front (see registry.h for the messages).
//
// Internal to brine_modules, but shared with external.cpp and the tests.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "common/values/value.h"
#include "modules/registry.h"

namespace brine::modules {

// Binds `args`/`kwargs` to `f`'s parameters. Errors: invocation_error for
// undeclared kwargs, type_error for count/duplicate/missing/type problems.
Result<Call> bind_arguments(const Function& f, const List& args, const Map& kwargs, Context& ctx);

// Checks a parameter list the way Python checks a def: unique names, no
// required parameter after one with a default. Error kInvalidArgument.
Status check_parameters(const Function& f);

// Converts `v` to `type` the way the Salt function would (int(x), str(x)...).
// null passes through. Error: type_error with Python's message.
Result<Value> coerce(const Value& v, Type type);

// Python str(v): "True", "None", "1.5", "{'a': 1}"; strings unchanged.
std::string coerce_to_str(const Value& v);

}  // namespace brine::modules
