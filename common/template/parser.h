// Jinja2 parser (internal): tokens → Template AST, with Jinja 3.1's grammar
// and error messages ("expected token 'end of print statement', got 'x'",
// "Encountered unknown tag 'foo'.", "No filter named 'bar'.").
//
// Extensions always on (as Salt configures Jinja): do, loopcontrols (break /
// continue), with, and Salt's serializer tags import_yaml / import_json /
// import_text and load_yaml / load_json / load_text blocks.
// Hostile input: expression and statement nesting is bounded
// (kMaxParseDepth); the parser never recurses without bound.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/template/ast.h"
#include "common/template/lexer.h"
#include "common/template/symbols.h"

namespace brine::jinja {

inline constexpr int kMaxParseDepth = 200;

// On error: a Fault of kind kSyntax with the line set (template_name set to
// `name`).
R<std::unique_ptr<Template>> parse_template(std::string_view source, std::string name,
                                            const LexOptions& options, Symbols& symbols);

}  // namespace brine::jinja
