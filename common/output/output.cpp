#include "common/output/output.h"

#include <algorithm>
#include <array>
#include <vector>

#include "common/codec/json.h"
#include "common/codec/python_repr.h"
#include "common/codec/yaml.h"
#include "common/output/colors.h"
#include "common/output/nested.h"

namespace brine::output {
namespace {

constexpr std::array<std::string_view, 9> kNames{
    "nested", "json", "yaml", "txt", "raw", "newline_values_only", "quiet", "no_return", "key"};

// Python's str.rstrip() for ASCII whitespace (try_printout's rstrip).
std::string rstrip(std::string s) {
  while (!s.empty()) {
    char c = s.back();
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
        (c >= '\x1c' && c <= '\x1f')) {
      s.pop_back();
    } else {
      break;
    }
  }
  return s;
}

std::string render_json(const Value& data, const Options& o) {
  codec::JsonDumpOptions j;
  j.ensure_ascii = false;  // salt.utils.json.dumps defaults ensure_ascii to False
  if (o.indent_pretty) {
    j.indent = 4;
    j.sort_keys = true;
  } else if (!o.indent) {
    j.indent = 4;
  } else {
    j.indent = *o.indent < 0 ? -1 : *o.indent;
  }
  return codec::json_dump(data, j);
}

std::string render_yaml(const Value& data, const Options& o) {
  codec::YamlDumpOptions y;
  if (o.indent && *o.indent < 0) {
    y.flow = true;
    y.indent = 0;
  } else if (o.indent) {
    y.indent = *o.indent;
  }
  return codec::yaml_dump(data, y);
}

// Python's pprint.pformat for what txt prints when given neither a dict nor a
// string: dict keys sorted. (Brine does not wrap at 80 columns as pprint does.)
std::string pformat(const Value& v) {
  if (!v.is_map() && !v.is_list()) return codec::python_repr(v);
  if (v.is_list()) {
    std::string out = "[";
    bool first = true;
    for (const auto& item : v.as_list()) {
      if (!first) out += ", ";
      first = false;
      out += pformat(item);
    }
    return out + "]";
  }
  std::vector<const Map::Item*> items;
  for (const auto& item : v.as_map()) items.push_back(&item);
  std::sort(items.begin(), items.end(),
            [](const Map::Item* a, const Map::Item* b) { return a->first < b->first; });
  std::string out = "{";
  bool first = true;
  for (const auto* item : items) {
    if (!first) out += ", ";
    first = false;
    out += codec::python_string_repr(item->first) + ": " + pformat(item->second);
  }
  return out + "}";
}

std::string render_txt(const Value& data) {
  std::string ret;
  if (data.is_map()) {
    for (const auto& [key, value] : data.as_map()) {
      if (value.is_string()) {
        std::vector<std::string_view> lines;
        split_lines(value.as_string(), lines);
        for (auto l : lines) {
          ret += key;
          ret += ": ";
          ret += l;
          ret += '\n';
        }
      } else {
        ret += key + ": " + codec::python_str(value) + "\n";
      }
    }
    return ret;
  }
  if (data.is_string()) return data.as_string() + "\n";
  return pformat(data) + "\n";
}

// Returns false when Salt's outputter would raise (data not a dict), so the
// caller falls back to nested as try_printout does.
bool render_newline_values_only(const Value& data, std::string& out) {
  if (!data.is_map()) return false;
  bool first = true;
  auto add = [&](const Value& v) {
    if (!first) out.push_back('\n');
    first = false;
    out += codec::python_str(v);
  };
  for (const auto& [key, value] : data.as_map()) {
    if (value.is_list()) {
      for (const auto& item : value.as_list()) add(item);
    } else {
      add(value);
    }
  }
  return true;
}

// salt/output/key.py. False for statuses it does not know (KeyError in Salt).
bool render_key(const Value& data, const Options& o, std::string& out) {
  if (!data.is_map()) return false;
  Colors c = colors(o.color);
  struct Section {
    std::string_view status, title, title_color, name_color;
  };
  const Section sections[] = {
      {"minions", "Accepted Keys:", c.light_green, c.green},
      {"minions_pre", "Unaccepted Keys:", c.light_red, c.red},
      {"minions_denied", "Denied Keys:", c.light_magenta, c.magenta},
      {"minions_rejected", "Rejected Keys:", c.light_blue, c.blue},
      {"local", "Local Keys:", c.light_magenta, c.magenta},
  };
  std::vector<const Map::Item*> items;
  for (const auto& item : data.as_map()) items.push_back(&item);
  std::sort(items.begin(), items.end(),
            [](const Map::Item* a, const Map::Item* b) { return a->first < b->first; });
  for (const auto* item : items) {
    const Section* sec = nullptr;
    for (const auto& s : sections) {
      if (s.status == item->first) sec = &s;
    }
    if (!sec) return false;
    out.append(sec->title_color).append(sec->title).append(c.endc).push_back('\n');
    const Value& names = item->second;
    if (names.is_list()) {
      std::vector<std::string> sorted;
      for (const auto& n : names.as_list()) sorted.push_back(codec::python_str(n));
      std::sort(sorted.begin(), sorted.end());
      for (const auto& n : sorted) {
        out.append(sec->name_color).append(strip_esc(n)).append(c.endc).push_back('\n');
      }
    } else if (names.is_map()) {
      std::vector<const Map::Item*> keys;
      for (const auto& k : names.as_map()) keys.push_back(&k);
      std::sort(keys.begin(), keys.end(),
                [](const Map::Item* a, const Map::Item* b) { return a->first < b->first; });
      for (const auto* k : keys) {
        out.append(sec->name_color)
            .append(strip_esc(k->first))
            .append(":  ")
            .append(codec::python_str(k->second))
            .append(c.endc)
            .push_back('\n');
      }
    }
  }
  return true;
}

}  // namespace

std::span<const std::string_view> outputter_names() { return kNames; }

bool is_outputter(std::string_view name) {
  return name == "text" || std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

Result<std::string> render(std::string_view outputter, const Value& data, const Options& options) {
  std::string_view name = outputter.empty() ? "nested" : outputter;
  if (name == "text") name = "txt";
  if (!is_outputter(name)) {
    if (options.warning) {
      *options.warning =
          "Invalid outputter " + std::string(name) + " specified, fall back to nested";
    }
    name = "nested";
  }
  std::string out;
  if (name == "nested") {
    out = render_nested(data, options);
  } else if (name == "json") {
    out = render_json(data, options);
  } else if (name == "yaml") {
    out = render_yaml(data, options);
  } else if (name == "txt") {
    out = render_txt(data);
  } else if (name == "raw") {
    out = codec::python_str(data);
  } else if (name == "newline_values_only") {
    if (!render_newline_values_only(data, out)) out = render_nested(data, options);
  } else if (name == "quiet") {
    out.clear();
  } else if (name == "no_return") {
    out = render_no_return(data, options);
  } else if (name == "key") {
    if (!render_key(data, options, out)) out = render_nested(data, options);
  }
  return rstrip(std::move(out));
}

std::string display_text(std::string_view rendered) {
  if (rendered.empty()) return {};
  std::string out(rendered);
  out.push_back('\n');
  return out;
}

std::string no_return_text(std::string_view jid, bool connected, std::string_view runner) {
  if (!connected) return "Minion did not return. [Not connected]";
  return "Minion did not return. [No response]\nThe minions may not have all finished running "
         "and any remaining minions will return upon completion. To look up the return data for "
         "this job later, run the following command:\n\n" +
         std::string(runner) + " jobs.lookup_jid " + std::string(jid);
}

}  // namespace brine::output
