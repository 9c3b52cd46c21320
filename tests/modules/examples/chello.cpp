// chello: an example Brine shared-object module (C ABI, brine_module.h).
//
// Build it as a shared object named chello.so and install it as
// <module dir>/modules/chello.so. This example parses the request with
// plain string searches to stay dependency-free; a real module would use a
// JSON library.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "modules/brine_module.h"

namespace {

char* dup_string(const char* s) {
  size_t n = std::strlen(s) + 1;
  char* out = static_cast<char*>(std::malloc(n));
  if (out) std::memcpy(out, s, n);
  return out;
}

bool is_fun(const char* request, const char* name) {
  char needle[128];
  std::snprintf(needle, sizeof needle, "\"fun\": \"%s\"", name);
  return std::strstr(request, needle) != nullptr;
}

}  // namespace

extern "C" {

int brine_module_abi_version(void) { return BRINE_MODULE_ABI_VERSION; }

const char* brine_module_describe(void) {
  return R"({"module": "chello", "thread_safe": true, "functions": {
    "hello": {"doc": "Say hello from C.\n\nCLI Example:\n\n    salt '*' chello.hello", "params": []},
    "echo_request": {"doc": "Return the request Brine sent (everything is passed through).",
                     "params": ["first", {"name": "second", "default": null}], "varargs": true,
                     "kwargs": true},
    "fail": {"doc": "Always fails.", "params": []}
  }})";
}

int brine_module_call(const char* request, char** response) {
  if (is_fun(request, "hello")) {
    *response = dup_string(R"({"return": "hello from C", "retcode": 0})");
    return 0;
  }
  if (is_fun(request, "echo_request")) {
    // The request is itself JSON, so it can be embedded as the return value.
    size_t n = std::strlen(request) + 32;
    char* out = static_cast<char*>(std::malloc(n));
    if (!out) return 1;
    std::snprintf(out, n, "{\"return\": %s}", request);
    *response = out;
    return 0;
  }
  *response = dup_string(R"({"error": "chello.fail always fails"})");
  return 0;
}

void brine_module_free(char* response) { std::free(response); }

}  // extern "C"
