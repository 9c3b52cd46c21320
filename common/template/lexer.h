// Jinja2 lexer (internal): template text → tokens, with Jinja 3.1's rules for
// whitespace control (`{%-`, `-%}`, `{%+`, `+%}`), trim_blocks, lstrip_blocks,
// raw blocks, comments, newline normalisation and the dropped final newline.
//
// Lexing is eager but errors are positional: a lexical error becomes a kError
// token at the place it occurs, so the parser reports whichever error comes
// first in the text, as Jinja's lazy lexer does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace brine::jinja {

struct LexOptions {
  std::string block_start = "{%";
  std::string block_end = "%}";
  std::string variable_start = "{{";
  std::string variable_end = "}}";
  std::string comment_start = "{#";
  std::string comment_end = "#}";
  bool trim_blocks = false;
  bool lstrip_blocks = false;
  bool keep_trailing_newline = false;
};

enum class Tok : uint8_t {
  kEof,
  kError,  // text holds the message
  kData,
  kVarBegin,
  kVarEnd,
  kBlockBegin,
  kBlockEnd,
  kName,
  kString,
  kInteger,
  kFloat,
  // operators
  kAdd,
  kSub,
  kDiv,
  kFloorDiv,
  kMul,
  kMod,
  kPow,
  kTilde,
  kLBracket,
  kRBracket,
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kEq,
  kNe,
  kGt,
  kGtEq,
  kLt,
  kLtEq,
  kAssign,
  kDot,
  kColon,
  kPipe,
  kComma,
  kSemicolon,
};

struct Token {
  Tok type = Tok::kEof;
  int line = 1;
  std::string text;  // data, name, decoded string value, operator, error message
  int64_t ival = 0;
  double fval = 0;
};

// Jinja's describe_token: names by value, operators by symbol, others by
// description ("end of print statement").
std::string describe_token(const Token& t);
std::string describe_tok(Tok t);

// Tokenizes a whole template. The result always ends with kEof (or kError).
std::vector<Token> tokenize(std::string_view source, const LexOptions& options);

}  // namespace brine::jinja
