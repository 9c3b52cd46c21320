// salt['pillar.get'] and salt['grains.get'] answered inside the engine.
//
// Salt's renderer passes `pillar` and `grains` into the template context as
// the very objects the execution modules read (__pillar__, __grains__), so in
// Salt `salt['pillar.get']('users')` returns the same dict as
// `pillar['users']`: a change made through one is seen through the other.
// Going through the module Caller would copy the value out of the module and
// convert it again on every call. When the context has the global as a dict,
// these functions run here against the context's (already converted) objects,
// with the semantics of salt/modules/pillar.py and grains.py `get`; anything
// this does not cover (pillarenv/saltenv, grains.get ordered=False, a merge
// Salt skips with a logged error, unusual argument types) goes to the module.
#include "common/template/interp.h"

namespace brine::jinja {

namespace {

// Binds positional and keyword arguments to `params` like Python does.
// False when the call does not fit (extra or unknown arguments, a parameter
// given twice): the module then reports the error in its own words.
bool bind(const CallArgs& args, std::initializer_list<std::string_view> params, Val* out) {
  if (args.pos.size() > params.size()) return false;
  for (size_t i = 0; i < args.pos.size(); ++i) out[i] = args.pos[i];
  for (const auto& [k, v] : args.kw) {
    size_t i = 0;
    for (std::string_view p : params) {
      if (p == k.as_str()) break;
      ++i;
    }
    if (i == params.size() || i < args.pos.size() || !out[i].is_absent()) return false;
    out[i] = v;
  }
  return true;
}

// copy.deepcopy of plain data (dicts, lists, tuples); anything else is shared.
RV deep_copy(const Val& v) {
  RecursionGuard guard;
  if (guard.exceeded()) return type_error("maximum recursion depth exceeded while copying");
  if (v.is_dict()) {
    Val out = Val::dict();
    DictObj* d = out.dict_obj();
    const DictObj* src = v.dict_obj();
    for (size_t i = 0; i < src->items.size(); ++i) {
      JASSIGN(Val item, deep_copy(src->items[i].second));
      d->set(src->items[i].first, src->hashes[i], std::move(item));
    }
    return out;
  }
  if (v.is_seq()) {
    Vals items;
    for (const auto& item : v.list_obj()->items) {
      JASSIGN(Val c, deep_copy(item));
      items.push_back(std::move(c));
    }
    return v.is_list() ? Val::list(std::move(items)) : Val::tuple(std::move(items));
  }
  return v;
}

// Appends the items of `upd` not already in `dest` (Salt's list merge).
void extend_unique(ListObj* dest, const ListObj* upd) {
  for (const auto& item : upd->items) {
    bool present = false;
    for (const auto& have : dest->items) {
      if (equals(have, item)) {
        present = true;
        break;
      }
    }
    if (!present) dest->items.push_back(item);
  }
}

// salt.utils.dictupdate.update(dest, upd, recursive_update=True, merge_lists):
// values of `upd` are put into `dest` as they are (shared), nested dicts
// present in both are merged into dest's.
RS dict_update(const Val& dest, const Val& upd, bool merge_lists) {
  RecursionGuard guard;
  if (guard.exceeded()) return type_error("maximum recursion depth exceeded while merging");
  DictObj* d = dest.dict_obj();
  const DictObj* u = upd.dict_obj();
  for (size_t i = 0; i < u->items.size(); ++i) {
    const auto& [key, val] = u->items[i];
    size_t h = u->hashes[i];
    Val* sub = d->find(key, h);
    if (sub && sub->is_dict() && val.is_dict()) {
      JTRY(dict_update(*sub, val, merge_lists));
    } else if (sub && sub->is_list() && val.is_list() && merge_lists) {
      extend_unique(sub->list_obj(), val.list_obj());  // `dest` is the caller's own copy
    } else {
      d->set(key, h, val);
    }
  }
  return {};
}

}  // namespace

RV Interp::call_salt_native(const std::string& fun, CallArgs& args, bool* handled) {
  *handled = false;
  bool is_pillar = fun == "pillar.get";
  if (!is_pillar && fun != "grains.get") return Val();
  const Val* data = globals.find(is_pillar ? Symbols::kPillar : Symbols::kGrains);
  if (!data || !data->is_dict()) return Val();

  // pillar.get(key, default='', merge=False, merge_nested_lists=None,
  //            delimiter=':', pillarenv=None, saltenv=None)
  // grains.get(key, default='', delimiter=':', ordered=True)
  Val p[7] = {Val::absent(), Val::absent(), Val::absent(), Val::absent(),
              Val::absent(), Val::absent(), Val::absent()};
  if (is_pillar) {
    if (!bind(
            args,
            {"key", "default", "merge", "merge_nested_lists", "delimiter", "pillarenv", "saltenv"},
            p)) {
      return Val();
    }
  } else {
    if (!bind(args, {"key", "default", "delimiter", "ordered"}, p)) return Val();
    // ordered=False returns a JSON round-tripped copy: the module does that.
    if (!p[3].is_absent() && !(p[3].is_bool() && p[3].as_bool())) return Val();
    p[4] = p[2];
  }
  const Val& key = p[0];
  Val dflt = p[1].is_absent() ? Val::str("") : p[1];
  const Val& delim = p[4];
  if (!key.is_str()) return Val();
  if (!delim.is_absent() && !(delim.is_str() && !delim.as_str().empty())) return Val();
  std::string sep = delim.is_absent() ? std::string(":") : delim.as_str();

  if (is_pillar) {
    if (!(p[5].is_absent() || p[5].is_none()) || !(p[6].is_absent() || p[6].is_none())) {
      return Val();  // another pillar environment: the module compiles it
    }
    const Val& merge = p[2];
    if (!merge.is_absent() && !merge.is_bool()) return Val();
    if (!merge.is_absent() && merge.as_bool()) {
      // Salt merges only a dict into a dict default or a list into a list
      // default; otherwise it logs an error and skips the merge (the module's
      // path, which has the logger).
      if (!dflt.is_dict() && !dflt.is_list()) return Val();
      bool merge_lists = false;
      if (p[3].is_absent() || p[3].is_none()) {
        const Val* opts = globals.find(Symbols::kOpts);
        if (opts && opts->is_dict()) {
          if (Val* v = opts->dict_obj()->find_str("pillar_merge_lists")) {
            if (!v->is_bool()) return Val();
            merge_lists = v->as_bool();
          }
        }
      } else if (p[3].is_bool()) {
        merge_lists = p[3].as_bool();
      } else {
        return Val();
      }
      Val empty = dflt.is_dict() ? Val::dict() : Val::list();
      JASSIGN(Val ret, traverse_dict_and_list(*this, *data, key, empty, sep));
      if (dflt.is_dict() != ret.is_dict() || dflt.is_list() != ret.is_list()) return Val();
      *handled = true;
      JASSIGN(Val merged, deep_copy(dflt));
      if (merged.is_dict()) {
        JTRY(dict_update(merged, ret, merge_lists));
      } else {
        extend_unique(merged.list_obj(), ret.list_obj());
      }
      return merged;
    }
  }
  *handled = true;
  return traverse_dict_and_list(*this, *data, key, dflt, sep);
}

}  // namespace brine::jinja
