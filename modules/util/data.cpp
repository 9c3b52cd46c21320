#include "modules/util/data.h"

#include <fnmatch.h>

#include <algorithm>

#include "modules/binding.h"

namespace brine::modules::data {

const Value* traverse(const Value& root, std::string_view key, std::string_view delimiter) {
  if (delimiter.size() == 1) return root.traverse(key, delimiter[0]);
  if (delimiter.empty()) return root.find(key);
  // Multi-character delimiter: walk piece by piece with the same rules.
  const Value* cur = &root;
  while (cur) {
    size_t pos = key.find(delimiter);
    std::string_view part = key.substr(0, pos);
    cur = cur->traverse(part, '\0');
    if (pos == std::string_view::npos) return cur;
    key.remove_prefix(pos + delimiter.size());
  }
  return nullptr;
}

void update(Map& dest, const Map& upd, bool recursive, bool merge_lists) {
  for (const auto& [key, val] : upd) {
    Value* sub = dest.find(key);
    if (recursive && sub && sub->is_map() && val.is_map()) {
      update(sub->as_map(), val.as_map(), true, merge_lists);
    } else if (recursive && sub && sub->is_list() && val.is_list() && merge_lists) {
      List& merged = sub->as_list();
      for (const Value& item : val.as_list()) {
        if (std::find(merged.begin(), merged.end(), item) == merged.end()) merged.push_back(item);
      }
    } else {
      dest.set(key, val);
    }
  }
}

Value merge(Value a, const Value& b, std::string_view strategy, bool merge_lists) {
  if (!a.is_map() || !b.is_map()) return b.is_null() ? a : b;
  if (strategy == "list") {
    Map out;
    for (const auto& [k, v] : a.as_map()) {
      if (const Value* other = b.find(k)) {
        out.set(k, Value::list({v, *other}));
      } else {
        out.set(k, v);
      }
    }
    return Value(std::move(out));
  }
  if (strategy == "overwrite") {
    for (const auto& [k, v] : b.as_map()) {
      if (a.as_map().contains(k)) a.as_map().set(k, v);
    }
  }
  update(a.as_map(), b.as_map(), true, merge_lists);
  return a;
}

Result<Value> filter_by(const Value& lookup_dict, std::string_view lookup, const Value& root,
                        const Value& merge_with, std::string_view default_key, const Value& base) {
  if (!lookup_dict.is_map()) {
    return execution_error("filter_by lookup_dict must be a dictionary.");
  }
  const Map& dict = lookup_dict.as_map();
  const Value* found = traverse(root, lookup, ":");
  List candidates;
  if (found) {
    if (found->is_list()) {
      candidates = found->as_list();
    } else {
      candidates.push_back(*found);
    }
  }
  const Value* ret = nullptr;
  for (const Value& each : candidates) {
    std::string subject = each.is_string() ? each.as_string() : coerce_to_str(each);
    for (const auto& [key, val] : dict) {
      if (::fnmatch(key.c_str(), subject.c_str(), 0) == 0) {
        ret = &val;
        break;
      }
    }
    if (ret) break;
  }
  if (!ret) ret = dict.find(default_key);
  Value out = ret ? *ret : Value();

  if (base.is_string() && !base.as_string().empty()) {
    if (const Value* base_values = dict.find(base.as_string())) {
      if (out.is_null()) {
        out = *base_values;
      } else if (base_values->is_map()) {
        if (!out.is_map()) {
          return execution_error("filter_by default and look-up values must both be dictionaries.");
        }
        Value merged = *base_values;
        update(merged.as_map(), out.as_map());
        out = std::move(merged);
      }
    }
  }
  if (merge_with.truthy()) {
    if (!merge_with.is_map()) {
      return execution_error("filter_by merge argument must be a dictionary.");
    }
    if (out.is_null()) {
      out = merge_with;
    } else if (out.is_map()) {
      update(out.as_map(), merge_with.as_map());
    } else {
      return exception_error("TypeError",
                             "Cannot update using non-dict types in dictupdate.update()");
    }
  }
  return out;
}

const Value* config_lookup(Context& ctx, std::string_view key, std::string_view delimiter) {
  if (const Value* v = traverse(ctx.opts, key, delimiter)) return v;
  if (const Value* v = traverse(ctx.grains(), key, delimiter)) return v;
  if (const Value* v = traverse(ctx.pillar, key, delimiter)) return v;
  if (const Value* master = ctx.pillar.find("master")) {
    if (const Value* v = traverse(*master, key, delimiter)) return v;
  }
  return nullptr;
}

}  // namespace brine::modules::data
