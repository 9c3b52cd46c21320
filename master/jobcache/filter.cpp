#include "master/jobcache/filter.h"

#include "common/codec/python_repr.h"
#include "common/matcher/fnmatch.h"
#include "master/jobcache/jid.h"

namespace brine::jobcache {
namespace {

// Salt's split_input: comma-separated, each item stripped.
std::vector<std::string> split_input(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(',', start);
    std::string item = s.substr(start, pos == std::string::npos ? pos : pos - start);
    size_t b = item.find_first_not_of(" \t");
    size_t e = item.find_last_not_of(" \t");
    out.push_back(b == std::string::npos ? std::string() : item.substr(b, e - b + 1));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

bool any_glob(const Value& v, const std::vector<std::string>& globs) {
  auto one = [&](const Value& item) {
    std::string s = codec::python_str(item);
    for (const auto& g : globs) {
      if (matcher::fnmatch(s, g)) return true;
    }
    return false;
  };
  if (v.is_list()) {
    for (const auto& item : v.as_list()) {
      if (one(item)) return true;
    }
    return false;
  }
  return one(v);
}

}  // namespace

Result<ParsedFilter> parse_filter(const JobFilter& filter) {
  ParsedFilter p;
  p.functions = split_input(filter.search_function);
  p.targets = split_input(filter.search_target);
  if (!filter.start_time.empty()) {
    auto t = parse_time(filter.start_time);
    if (!t) return make_error(Errc::kInvalidArgument, "start_time: " + t.error().message);
    p.start_us = *t;
  }
  if (!filter.end_time.empty()) {
    auto t = parse_time(filter.end_time);
    if (!t) return make_error(Errc::kInvalidArgument, "end_time: " + t.error().message);
    p.end_us = *t;
  }
  p.metadata = filter.search_metadata;
  p.limit = filter.limit;
  return p;
}

const Value* job_metadata(const Value& load) {
  if (const Value* m = load.find("metadata")) return m;
  if (const Value* kw = load.find("kwargs")) return kw->find("metadata");
  return nullptr;
}

bool filter_matches(const ParsedFilter& f, const Value& load) {
  if (f.metadata.is_map() && !f.metadata.as_map().empty()) {
    const Value* meta = job_metadata(load);
    bool hit = false;
    if (meta && meta->is_map()) {
      for (const auto& [k, v] : f.metadata.as_map()) {
        const Value* have = meta->find(k);
        if (have && *have == v) hit = true;
      }
    }
    if (!hit) return false;
  }
  if (!f.targets.empty()) {
    const Value* tgt = load.find("tgt");
    if (!tgt || !any_glob(*tgt, f.targets)) return false;
  }
  if (!f.functions.empty()) {
    const Value* fun = load.find("fun");
    if (!fun || !any_glob(*fun, f.functions)) return false;
  }
  return true;
}

}  // namespace brine::jobcache
