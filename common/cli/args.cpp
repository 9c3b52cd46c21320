#include "common/cli/args.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "common/codec/yaml.h"

namespace brine::cli {
namespace {

// Python's str.isspace() for the ASCII range (str.strip() uses it).
bool py_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
         (c >= '\x1c' && c <= '\x1f');
}

std::string_view py_strip(std::string_view s) {
  while (!s.empty() && py_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && py_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Python's \w, with every non-ASCII byte counted as a word character.
bool is_word(char c) {
  return is_alpha(c) || is_digit(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

// An integer literal too large for int64 ("99999999999999999999"): the YAML
// loader would give a float, Python a big int. Returns the digits (sign and
// leading zeros dropped) when `text` is such a literal.
std::optional<std::string> big_integer(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || !std::all_of(text.begin(), text.end(), is_digit)) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc::result_out_of_range) return std::nullopt;
  while (text.size() > 1 && text[0] == '0') text.remove_prefix(1);
  return (negative ? "-" : "") + std::string(text);
}

Value yamlify_impl(std::string_view word, bool positional) {
  std::string_view stripped = py_strip(word);
  if (stripped.empty() || stripped == "---" || stripped == "...") return Value(word);
  if (word.find('_') != std::string_view::npos &&
      std::all_of(stripped.begin(), stripped.end(),
                  [](char c) { return is_digit(c) || c == '_'; })) {
    return Value(word);
  }
  if (word.find_first_of("\t\r\n") != std::string_view::npos) return Value(word);
  if (auto big = big_integer(stripped)) {
    // Salt's condition_input turns a positional jid-like integer back into
    // its 20-digit string; other big integers have no Value form.
    if (positional && big->size() == 20 && (*big)[0] != '-') return Value(*big);
    return Value(word);
  }
  auto parsed = codec::yaml_load(word, "<cli>");
  if (word.find('#') != std::string_view::npos) {
    if (!parsed || parsed->is_string() || parsed->is_null()) return Value(word);
    return std::move(*parsed);
  }
  if (word == "None") return Value();
  if (!parsed) return Value(word);
  if (parsed->is_map()) return word.starts_with('{') ? std::move(*parsed) : Value(word);
  if (parsed->is_list()) return word.starts_with('[') ? std::move(*parsed) : Value(word);
  if (parsed->is_string() && parsed->as_string().empty() && (word == "|" || word == "!")) {
    return Value(word);
  }
  if (parsed->is_null() && (stripped.starts_with('#') || word == "!")) return Value(word);
  return std::move(*parsed);
}

}  // namespace

Value yamlify(std::string_view word) { return yamlify_impl(word, /*positional=*/true); }

std::optional<std::pair<std::string, std::string>> parse_kwarg(std::string_view word) {
  if (word.empty() ||
      !(is_alpha(word[0]) || word[0] == '_' || static_cast<unsigned char>(word[0]) >= 0x80)) {
    return std::nullopt;
  }
  size_t i = 1;
  while (i < word.size() && (is_word(word[i]) || word[i] == '.' || word[i] == '-')) ++i;
  if (i >= word.size() || word[i] != '=') return std::nullopt;
  std::string_view value = word.substr(i + 1);
  if (value.starts_with('=')) return std::nullopt;  // `==` is not a kwarg
  // `(.*)$` without DOTALL: no newline inside the value; `$` also matches
  // before one final newline, which is then not part of the value.
  size_t nl = value.find('\n');
  if (nl != std::string_view::npos) {
    if (nl != value.size() - 1) return std::nullopt;
    value.remove_suffix(1);
  }
  return std::make_pair(std::string(word.substr(0, i)), std::string(value));
}

ParsedArgs parse_args(std::span<const std::string> words, std::span<const std::string> no_parse) {
  ParsedArgs out;
  for (const auto& w : words) {
    if (auto kw = parse_kwarg(w)) {
      bool raw = std::find(no_parse.begin(), no_parse.end(), kw->first) != no_parse.end();
      out.kwargs.set(kw->first, raw ? Value(kw->second) : yamlify_impl(kw->second, false));
    } else {
      out.args.push_back(yamlify_impl(w, true));
    }
  }
  return out;
}

Value publish_arg(const ParsedArgs& parsed) {
  List out = parsed.args;
  if (!parsed.kwargs.empty()) {
    Map kw;
    kw.reserve(parsed.kwargs.size() + 1);
    kw.set("__kwarg__", true);
    for (const auto& [k, v] : parsed.kwargs) kw.set(k, v);
    out.emplace_back(std::move(kw));
  }
  return Value(std::move(out));
}

Result<JobCall> parse_job_call(std::string_view fun_word, std::span<const std::string> words,
                               std::string_view separator, std::span<const std::string> no_parse) {
  JobCall call;
  if (fun_word.find(',') == std::string_view::npos) {
    call.fun = Value(fun_word);
    call.arg = publish_arg(parse_args(words, no_parse));
    return call;
  }
  List funs;
  size_t start = 0;
  while (true) {
    size_t pos = fun_word.find(',', start);
    funs.emplace_back(
        std::string(fun_word.substr(start, pos == std::string_view::npos ? pos : pos - start)));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  std::vector<std::vector<std::string>> groups(1);
  size_t standalone = static_cast<size_t>(std::count(words.begin(), words.end(), separator));
  if (standalone == funs.size() - 1) {
    for (const auto& w : words) {
      if (w == separator) {
        groups.emplace_back();
      } else {
        groups.back().push_back(w);
      }
    }
  } else {
    for (const auto& w : words) {
      if (separator.empty() || w.find(separator) == std::string::npos) {
        groups.back().push_back(w);
        continue;
      }
      size_t from = 0;
      while (true) {
        size_t pos = w.find(separator, from);
        std::string piece = w.substr(from, pos == std::string::npos ? pos : pos - from);
        if (!piece.empty()) groups.back().push_back(std::move(piece));
        if (pos == std::string::npos) break;
        groups.emplace_back();
        from = pos + separator.size();
      }
    }
    if (funs.size() > groups.size()) {
      return make_error(Errc::kInvalidArgument,
                        "Cannot execute compound command without defining all arguments.");
    }
    if (funs.size() < groups.size()) {
      return make_error(Errc::kInvalidArgument,
                        "Cannot execute compound command with more arguments than commands.");
    }
  }
  List args;
  for (const auto& g : groups) args.push_back(publish_arg(parse_args(g, no_parse)));
  call.fun = Value(std::move(funs));
  call.arg = Value(std::move(args));
  return call;
}

}  // namespace brine::cli
