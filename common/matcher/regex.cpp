#define PCRE2_CODE_UNIT_WIDTH 8
#include "common/matcher/regex.h"

#include <pcre2.h>

#include <string>

namespace brine::matcher {
namespace {

// Bounds for one match attempt: enough for any sane target, small enough that
// catastrophic backtracking ends in milliseconds.
constexpr uint32_t kMatchLimit = 200000;
constexpr uint32_t kDepthLimit = 2000;
constexpr size_t kMaxPatternBytes = 4096;

// Python's `\Z` is "end of subject" (PCRE2's `\z`); PCRE2's `\Z` also matches
// before a final newline. Everything else passes through unchanged.
std::string translate(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char n = pattern[++i];
      out.push_back('\\');
      out.push_back(n == 'Z' ? 'z' : n);
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

struct Regex::Code {
  pcre2_code* code = nullptr;
  pcre2_match_context* mctx = nullptr;
  ~Code() {
    if (mctx) pcre2_match_context_free(mctx);
    if (code) pcre2_code_free(code);
  }
};

Result<Regex> Regex::compile(std::string_view pattern, bool caseless) {
  if (pattern.size() > kMaxPatternBytes) {
    return make_error(Errc::kInvalidArgument,
                      "regular expression is too long (" + std::to_string(pattern.size()) +
                          " bytes, limit " + std::to_string(kMaxPatternBytes) + ")");
  }
  std::string translated = translate(pattern);
  uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
  if (caseless) options |= PCRE2_CASELESS;
  int errcode = 0;
  PCRE2_SIZE erroffset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()),
                                   translated.size(), options, &errcode, &erroffset, nullptr);
  if (!code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(errcode, buf, sizeof(buf));
    return make_error(Errc::kInvalidArgument, "invalid regular expression '" +
                                                  std::string(pattern) +
                                                  "': " + reinterpret_cast<const char*>(buf) +
                                                  " at offset " + std::to_string(erroffset));
  }
  auto holder = std::make_shared<Code>();
  holder->code = code;
  holder->mctx = pcre2_match_context_create(nullptr);
  if (!holder->mctx) return make_error(Errc::kInternal, "out of memory compiling a regex");
  pcre2_set_match_limit(holder->mctx, kMatchLimit);
  pcre2_set_depth_limit(holder->mctx, kDepthLimit);
  Regex r;
  r.code_ = std::move(holder);
  r.pattern_ = std::string(pattern);
  return r;
}

bool Regex::match_prefix(std::string_view subject) const {
  if (!code_) return false;
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_->code, nullptr);
  if (!md) return false;
  int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                       PCRE2_ANCHORED, md, code_->mctx);
  pcre2_match_data_free(md);
  return rc >= 0;
}

}  // namespace brine::matcher
