#define PCRE2_CODE_UNIT_WIDTH 8
#include "common/template/regex.h"

#include <pcre2.h>

#include <map>
#include <mutex>

namespace brine::jinja::regex {

struct Pattern {
  pcre2_code* code = nullptr;
  ~Pattern() {
    if (code) pcre2_code_free(code);
  }
};

namespace {

constexpr uint32_t kMatchLimit = 5'000'000;
constexpr size_t kCacheMax = 256;

// Python-only syntax → PCRE2: \Z means end of subject (PCRE2's \z).
std::string translate(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\' && i + 1 < p.size()) {
      if (p[i + 1] == 'Z') {
        out += "\\z";
      } else {
        out += p[i];
        out += p[i + 1];
      }
      ++i;
      continue;
    }
    out += p[i];
  }
  return out;
}

std::mutex g_mu;
std::map<std::pair<std::string, int>, std::shared_ptr<const Pattern>> g_cache;

}  // namespace

R<std::shared_ptr<const Pattern>> compile(std::string_view pattern, Flags flags) {
  int key_flags = (flags.ignorecase ? 1 : 0) | (flags.multiline ? 2 : 0) | (flags.dotall ? 4 : 0);
  std::pair<std::string, int> key(std::string(pattern), key_flags);
  {
    std::lock_guard lock(g_mu);
    auto it = g_cache.find(key);
    if (it != g_cache.end()) return it->second;
  }
  std::string translated = translate(pattern);
  uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
  if (flags.ignorecase) options |= PCRE2_CASELESS;
  if (flags.multiline) options |= PCRE2_MULTILINE;
  if (flags.dotall) options |= PCRE2_DOTALL;
  int err = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()),
                                   translated.size(), options, &err, &offset, nullptr);
  if (!code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    return type_error(std::string(reinterpret_cast<char*>(buf)) + " at position " +
                      std::to_string(offset));
  }
  // Machine code for the matcher where the platform allows it (same results;
  // pcre2_match falls back to the interpreter by itself otherwise).
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  auto p = std::make_shared<Pattern>();
  p->code = code;
  std::lock_guard lock(g_mu);
  if (g_cache.size() >= kCacheMax) g_cache.clear();
  g_cache.emplace(std::move(key), p);
  return std::shared_ptr<const Pattern>(p);
}

namespace {

struct MatchData {
  explicit MatchData(const Pattern& p) : md(pcre2_match_data_create_from_pattern(p.code, nullptr)) {
    ctx = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(ctx, kMatchLimit);
    pcre2_set_depth_limit(ctx, 10000);
  }
  ~MatchData() {
    pcre2_match_data_free(md);
    pcre2_match_context_free(ctx);
  }
  pcre2_match_data* md;
  pcre2_match_context* ctx;
};

// Returns 1 on match, 0 on no match, fault on error.
R<int> run(const Pattern& p, MatchData& d, std::string_view s, size_t start, uint32_t opts) {
  int rc = pcre2_match(p.code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), start, opts, d.md,
                       d.ctx);
  if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {  // deep patterns: the interpreter and its limits
    rc = pcre2_match(p.code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), start,
                     opts | PCRE2_NO_JIT, d.md, d.ctx);
  }
  if (rc == PCRE2_ERROR_NOMATCH) return 0;
  if (rc < 0) {
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT) {
      return type_error("regular expression is too complex (match limit exceeded)");
    }
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(rc, buf, sizeof buf);
    return type_error(std::string("regex error: ") + reinterpret_cast<char*>(buf));
  }
  return 1;
}

Match to_match(const Pattern& p, MatchData& d) {
  Match m;
  m.found = true;
  uint32_t n = 0;
  pcre2_pattern_info(p.code, PCRE2_INFO_CAPTURECOUNT, &n);
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(d.md);
  uint32_t pairs = pcre2_get_ovector_count(d.md);
  for (uint32_t i = 0; i <= n; ++i) {
    if (i < pairs && ov[2 * i] != PCRE2_UNSET) {
      m.groups.emplace_back(static_cast<ptrdiff_t>(ov[2 * i]),
                            static_cast<ptrdiff_t>(ov[2 * i + 1]));
    } else {
      m.groups.emplace_back(-1, -1);
    }
  }
  return m;
}

size_t next_char(std::string_view s, size_t pos) {
  ++pos;
  while (pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) ++pos;
  return pos;
}

// Expands a Python replacement template for one match.
RS expand(const Pattern& p, std::string_view repl, std::string_view s, const Match& m,
          std::string& out) {
  for (size_t i = 0; i < repl.size(); ++i) {
    char c = repl[i];
    if (c != '\\' || i + 1 >= repl.size()) {
      out += c;
      continue;
    }
    char e = repl[++i];
    int group = -1;
    if (e >= '0' && e <= '9') {
      group = e - '0';
      if (i + 1 < repl.size() && repl[i + 1] >= '0' && repl[i + 1] <= '9')
        group = group * 10 + (repl[++i] - '0');
    } else if (e == 'g' && i + 1 < repl.size() && repl[i + 1] == '<') {
      size_t end = repl.find('>', i + 2);
      if (end == std::string_view::npos) return type_error("missing >, unterminated name");
      std::string_view name = repl.substr(i + 2, end - i - 2);
      if (!name.empty() && name.find_first_not_of("0123456789") == std::string_view::npos) {
        group = std::stoi(std::string(name.substr(0, 4)));
      } else {
        group = group_index(p, name);
        if (group < 0) return type_error("unknown group name '" + std::string(name) + "'");
      }
      i = end;
    } else {
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'f':
          out += '\f';
          break;
        case 'v':
          out += '\v';
          break;
        case 'a':
          out += '\a';
          break;
        case 'b':
          out += '\b';
          break;
        case '\\':
          out += '\\';
          break;
        default:
          if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) {
            return type_error(std::string("bad escape \\") + e);
          }
          out += '\\';
          out += e;
      }
      continue;
    }
    if (group < 0 || static_cast<size_t>(group) >= m.groups.size())
      return type_error("invalid group reference " + std::to_string(group));
    auto [a, b] = m.groups[static_cast<size_t>(group)];
    if (a >= 0) out.append(s.substr(static_cast<size_t>(a), static_cast<size_t>(b - a)));
  }
  return {};
}

}  // namespace

int group_index(const Pattern& p, std::string_view name) {
  std::string n(name);
  int rc = pcre2_substring_number_from_name(p.code, reinterpret_cast<PCRE2_SPTR>(n.c_str()));
  return rc < 0 ? -1 : rc;
}

R<Match> search(const Pattern& p, std::string_view subject, size_t start, bool anchored) {
  MatchData d(p);
  JASSIGN(int rc, run(p, d, subject, start, anchored ? PCRE2_ANCHORED : 0));
  if (!rc) return Match{};
  return to_match(p, d);
}

R<std::string> sub(const Pattern& p, std::string_view repl, std::string_view s, int64_t count) {
  MatchData d(p);
  std::string out;
  size_t pos = 0;     // search position
  size_t copied = 0;  // subject copied up to here
  int64_t n = 0;
  bool last_empty_at = false;
  size_t last_end = std::string_view::npos;
  while (pos <= s.size() && (count <= 0 || n < count)) {
    uint32_t opts = 0;
    if (last_empty_at) opts = PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED;
    JASSIGN(int rc, run(p, d, s, pos, opts));
    if (!rc) {
      if (last_empty_at) {
        last_empty_at = false;
        if (pos >= s.size()) break;
        pos = next_char(s, pos);
        continue;
      }
      break;
    }
    Match m = to_match(p, d);
    auto [a, b] = m.groups[0];
    out.append(s.substr(copied, static_cast<size_t>(a) - copied));
    JTRY(expand(p, repl, s, m, out));
    copied = static_cast<size_t>(b);
    ++n;
    last_end = static_cast<size_t>(b);
    if (a == b) {
      last_empty_at = true;
      pos = static_cast<size_t>(b);
    } else {
      last_empty_at = false;
      pos = static_cast<size_t>(b);
    }
  }
  (void)last_end;
  out.append(s.substr(std::min(copied, s.size())));
  return out;
}

R<std::vector<std::string>> findall(const Pattern& p, std::string_view s) {
  std::vector<std::string> out;
  MatchData d(p);
  size_t pos = 0;
  bool last_empty = false;
  while (pos <= s.size()) {
    uint32_t opts = last_empty ? (PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED) : 0;
    JASSIGN(int rc, run(p, d, s, pos, opts));
    if (!rc) {
      if (last_empty) {
        last_empty = false;
        if (pos >= s.size()) break;
        pos = next_char(s, pos);
        continue;
      }
      break;
    }
    Match m = to_match(p, d);
    auto [a, b] = m.groups[0];
    out.emplace_back(s.substr(static_cast<size_t>(a), static_cast<size_t>(b - a)));
    last_empty = a == b;
    pos = static_cast<size_t>(b);
  }
  return out;
}

std::string escape(std::string_view s) {
  static constexpr std::string_view kSpecial = "()[]{}?*+-|^$\\.&~# \t\n\r\v\f";
  std::string out;
  for (char c : s) {
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace brine::jinja::regex
