#include "common/template/errors.h"

#include <vector>

#include "common/template/strings.h"

namespace brine::jinja {
namespace {

constexpr const char* kMarker = "    <======================";

const char* prefix(FaultKind k) {
  switch (k) {
    case FaultKind::kUndefined:
      return "Jinja variable ";
    case FaultKind::kSyntax:
      return "Jinja syntax error: ";
    case FaultKind::kSaltCall:
      return "Problem running salt function in Jinja template: ";
    case FaultKind::kOther:
    case FaultKind::kNotFound:
      break;
  }
  return "Jinja error: ";
}

}  // namespace

std::string error_context(std::string_view source, int line) {
  std::vector<std::string> lines = strings::splitlines(source, false);
  int n = static_cast<int>(lines.size());
  if (line > n) return std::string(source);
  int start = std::max(0, line - 5 - 1);
  int end = std::min(n, line + 5);
  int err = line - start - 1;
  std::vector<std::string> buf;
  if (start > 0) {
    buf.emplace_back("[...]");
    ++err;
  }
  for (int i = start; i < end; ++i) buf.push_back(lines[static_cast<size_t>(i)]);
  if (end < n) buf.emplace_back("[...]");
  if (err >= 0 && err < static_cast<int>(buf.size())) buf[static_cast<size_t>(err)] += kMarker;
  std::string out = "---\n";
  for (size_t i = 0; i < buf.size(); ++i) {
    if (i) out += '\n';
    out += buf[i];
  }
  return out + "\n---";
}

Error to_error(const Fault& f, std::string_view top_name, std::string_view failing_source,
               std::string_view failing_path) {
  Error e;
  e.code = f.parse                          ? Errc::kParse
           : f.kind == FaultKind::kNotFound ? Errc::kNotFound
                                            : Errc::kInvalidArgument;
  std::string msg = prefix(f.kind) + f.message;
  bool in_top = f.template_name.empty() || f.template_name == top_name;
  if (f.line > 0 && !in_top) {
    std::string where(failing_path.empty() ? std::string_view(f.template_name) : failing_path);
    msg += "\n" + where + "(" + std::to_string(f.line) + "):\n" +
           error_context(failing_source, f.line);
  } else if (f.line > 0) {
    msg += "; line " + std::to_string(f.line) + "\n\n" + error_context(failing_source, f.line);
  }
  e.message = std::move(msg);
  if (!f.template_name.empty()) {
    e.where = f.line > 0 ? f.template_name + ":" + std::to_string(f.line) : f.template_name;
  }
  return e;
}

}  // namespace brine::jinja
