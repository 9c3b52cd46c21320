// Python methods of list, tuple and dict, plus loop/cycler helpers (str: str_methods.cpp).
#include <algorithm>
#include <unordered_map>

#include "common/template/builtins.h"
#include "common/template/format.h"
#include "common/template/interp.h"
#include "common/template/print.h"
#include "common/template/strings.h"
#include "common/template/unicode.h"

namespace brine::jinja {
namespace {

using A = CallArgs;

// -------------------------------------------------------------- list / tuple

RV l_append(Interp&, Val& l, A& a) {
  Val p[1];
  JTRY(bind_args(a, "append", {"object"}, 1, p));
  l.list_obj()->items.push_back(std::move(p[0]));
  return Val::none();
}
RV l_extend(Interp&, Val& l, A& a) {
  Val p[1];
  JTRY(bind_args(a, "extend", {"iterable"}, 1, p));
  Vals items;
  JTRY(iterate(p[0], items));
  auto& dst = l.list_obj()->items;
  dst.insert(dst.end(), items.begin(), items.end());
  return Val::none();
}
RV l_insert(Interp&, Val& l, A& a) {
  Val p[2];
  JTRY(bind_args(a, "insert", {"index", "object"}, 2, p));
  JASSIGN(int64_t i, to_index(p[0]));
  auto& items = l.list_obj()->items;
  int64_t n = static_cast<int64_t>(items.size());
  if (i < 0) i = std::max<int64_t>(0, i + n);
  if (i > n) i = n;
  items.insert(items.begin() + i, std::move(p[1]));
  return Val::none();
}
RV l_pop(Interp&, Val& l, A& a) {
  Val p[1];
  JTRY(bind_args(a, "pop", {"index"}, 0, p));
  auto& items = l.list_obj()->items;
  if (items.empty()) return type_error("pop from empty list");
  int64_t n = static_cast<int64_t>(items.size());
  int64_t i = n - 1;
  if (!p[0].is_absent()) JSET(i, to_index(p[0]));
  if (i < 0) i += n;
  if (i < 0 || i >= n) return type_error("pop index out of range");
  Val v = std::move(items[static_cast<size_t>(i)]);
  items.erase(items.begin() + i);
  return v;
}
RV l_remove(Interp&, Val& l, A& a) {
  Val p[1];
  JTRY(bind_args(a, "remove", {"value"}, 1, p));
  auto& items = l.list_obj()->items;
  for (size_t i = 0; i < items.size(); ++i) {
    if (equals(items[i], p[0])) {
      items.erase(items.begin() + static_cast<ptrdiff_t>(i));
      return Val::none();
    }
  }
  return type_error("list.remove(x): x not in list");
}
RV l_clear(Interp&, Val& l, A& a) {
  Val p[1];
  JTRY(bind_args(a, "clear", {}, 0, p));
  l.list_obj()->items.clear();
  return Val::none();
}
RV l_copy(Interp&, Val& l, A& a) {
  Val p[1];
  JTRY(bind_args(a, "copy", {}, 0, p));
  return Val::list(l.list_obj()->items);
}
RV l_reverse(Interp&, Val& l, A& a) {
  Val p[1];
  JTRY(bind_args(a, "reverse", {}, 0, p));
  std::reverse(l.list_obj()->items.begin(), l.list_obj()->items.end());
  return Val::none();
}
RV l_sort(Interp&, Val& l, A& a) {
  Val p[2];
  JTRY(bind_args(a, "sort", {"key", "reverse"}, 0, p));
  if (!p[0].is_absent() && !p[0].is_none())
    return type_error("sort(key=...) is not supported in templates");
  bool reverse = false;
  if (!p[1].is_absent()) JSET(reverse, truthy(p[1]));
  JTRY(strings::sort_vals(l.list_obj()->items, reverse, nullptr));
  return Val::none();
}
RV seq_count(Interp&, Val& l, A& a) {
  Val p[1];
  JTRY(bind_args(a, "count", {"value"}, 1, p));
  int64_t n = 0;
  for (const auto& v : l.list_obj()->items) n += equals(v, p[0]);
  return Val::integer(n);
}
RV seq_index(Interp&, Val& l, A& a) {
  Val p[3];
  JTRY(bind_args(a, "index", {"value", "start", "stop"}, 1, p));
  const auto& items = l.list_obj()->items;
  int64_t n = static_cast<int64_t>(items.size());
  int64_t start = 0, stop = n;
  if (!p[1].is_absent()) JSET(start, to_index(p[1]));
  if (!p[2].is_absent()) JSET(stop, to_index(p[2]));
  if (start < 0) start = std::max<int64_t>(0, start + n);
  if (stop < 0) stop = std::max<int64_t>(0, stop + n);
  for (int64_t i = start; i < std::min(stop, n); ++i) {
    if (equals(items[static_cast<size_t>(i)], p[0])) return Val::integer(i);
  }
  if (l.is_tuple()) return type_error("tuple.index(x): x not in tuple");
  auto r = to_repr(p[0]);
  return type_error((r ? *r : std::string("?")) + " is not in list");
}

// -------------------------------------------------------------- dict

RS hashed(const Val& key, size_t* h) {
  JTRY(check_defined(key));
  JSET(*h, hash_val(key));
  return {};
}

Unexpected key_error(const Val& key) {
  auto r = to_repr(key);
  return type_error(r ? *r : std::string("KeyError"));
}

RV d_get(Interp&, Val& d, A& a) {
  // d.get('key'[, default]): the str key's hash is cached on it.
  if (a.kw.empty() && (a.pos.size() == 1 || a.pos.size() == 2) && a.pos[0].is_str()) {
    if (Val* v = d.dict_obj()->find(a.pos[0], a.pos[0].str_obj()->hash())) return *v;
    return a.pos.size() == 2 ? std::move(a.pos[1]) : Val::none();
  }
  Val p[2];
  JTRY(bind_args(a, "get", {"key", "default"}, 1, p));
  size_t h = 0;
  JTRY(hashed(p[0], &h));
  if (Val* v = d.dict_obj()->find(p[0], h)) return *v;
  return p[1].is_absent() ? Val::none() : p[1];
}
RV d_keys(Interp&, Val& d, A& a) {
  Val p[1];
  JTRY(bind_args(a, "keys", {}, 0, p));
  Vals out;
  out.reserve(d.dict_obj()->size());
  for (const auto& kv : d.dict_obj()->items) out.push_back(kv.first);
  Val l = Val::list(std::move(out));
  l.list_obj()->view = ListObj::View::kKeys;
  return l;
}
RV d_values(Interp&, Val& d, A& a) {
  Val p[1];
  JTRY(bind_args(a, "values", {}, 0, p));
  Vals out;
  out.reserve(d.dict_obj()->size());
  for (const auto& kv : d.dict_obj()->items) out.push_back(kv.second);
  Val l = Val::list(std::move(out));
  l.list_obj()->view = ListObj::View::kValues;
  return l;
}
RV d_items(Interp&, Val& d, A& a) {
  Val p[1];
  JTRY(bind_args(a, "items", {}, 0, p));
  Vals out;
  out.reserve(d.dict_obj()->size());
  for (const auto& kv : d.dict_obj()->items) out.push_back(Val::tuple({kv.first, kv.second}));
  Val l = Val::list(std::move(out));
  l.list_obj()->view = ListObj::View::kItems;
  return l;
}
RV d_pop(Interp&, Val& d, A& a) {
  Val p[2];
  JTRY(bind_args(a, "pop", {"key", "default"}, 1, p));
  size_t h = 0;
  JTRY(hashed(p[0], &h));
  if (Val* v = d.dict_obj()->find(p[0], h)) {
    Val out = *v;
    d.dict_obj()->erase(p[0], h);
    return out;
  }
  if (!(p[1].is_absent())) return p[1];
  return key_error(p[0]);
}
RV d_popitem(Interp&, Val& d, A& a) {
  Val p[1];
  JTRY(bind_args(a, "popitem", {}, 0, p));
  DictObj* dict = d.dict_obj();
  if (dict->size() == 0) return type_error("'popitem(): dictionary is empty'");
  auto item = dict->items.back();
  dict->erase(item.first, dict->hashes.back());
  return Val::tuple({item.first, item.second});
}
RV d_setdefault(Interp&, Val& d, A& a) {
  Val p[2];
  JTRY(bind_args(a, "setdefault", {"key", "default"}, 1, p));
  size_t h = 0;
  JTRY(hashed(p[0], &h));
  if (Val* v = d.dict_obj()->find(p[0], h)) return *v;
  Val dflt = p[1].is_absent() ? Val::none() : p[1];
  d.dict_obj()->set(p[0], h, dflt);
  return dflt;
}
RV d_update(Interp&, Val& d, A& a) {
  if (a.pos.size() > 1) {
    return type_error("update expected at most 1 argument, got " + std::to_string(a.pos.size()));
  }
  DictObj* dict = d.dict_obj();
  if (!a.pos.empty()) {
    const Val& other = a.pos[0];
    JTRY(check_defined(other));
    if (other.is_dict()) {
      if (other.dict_obj() != dict) {
        DictObj* o = other.dict_obj();
        for (size_t i = 0; i < o->items.size(); ++i)
          dict->set(o->items[i].first, o->hashes[i], o->items[i].second);
      }
    } else {
      Vals items;
      JTRY(iterate(other, items));
      for (size_t i = 0; i < items.size(); ++i) {
        Vals pair;
        if (!items[i].is_seq() && !items[i].is_str()) {
          return type_error("cannot convert dictionary update sequence element #" +
                            std::to_string(i) + " to a sequence");
        }
        JTRY(iterate(items[i], pair));
        if (pair.size() != 2) {
          return type_error("dictionary update sequence element #" + std::to_string(i) +
                            " has length " + std::to_string(pair.size()) + "; 2 is required");
        }
        size_t h = 0;
        JTRY(hashed(pair[0], &h));
        dict->set(pair[0], h, pair[1]);
      }
    }
  }
  for (auto& [k, v] : a.kw) dict->set(k, hash_str(k.as_str()), v);
  return Val::none();
}
RV d_clear(Interp&, Val& d, A& a) {
  Val p[1];
  JTRY(bind_args(a, "clear", {}, 0, p));
  d.dict_obj()->clear();
  return Val::none();
}
RV d_copy(Interp&, Val& d, A& a) {
  Val p[1];
  JTRY(bind_args(a, "copy", {}, 0, p));
  Val out = Val::dict();
  DictObj* o = out.dict_obj();
  o->items = d.dict_obj()->items;
  o->hashes = d.dict_obj()->hashes;
  o->table = d.dict_obj()->table;
  return out;
}
RV d_fromkeys(Interp&, Val&, A& a) {
  Val p[2];
  JTRY(bind_args(a, "fromkeys", {"iterable", "value"}, 1, p));
  Vals keys;
  JTRY(iterate(p[0], keys));
  Val value = p[1].is_absent() ? Val::none() : p[1];
  Val out = Val::dict();
  for (auto& k : keys) {
    size_t h = 0;
    JTRY(hashed(k, &h));
    out.dict_obj()->set(k, h, value);
  }
  return out;
}

// -------------------------------------------------------------- objects

RV loop_cycle(Interp&, Val& l, A& a) {
  if (a.pos.empty()) return type_error("no items for cycling given");
  auto* loop = static_cast<LoopObj*>(l.obj());
  return a.pos[loop->index0 % a.pos.size()];
}
RV loop_changed(Interp&, Val& l, A& a) {
  auto* loop = static_cast<LoopObj*>(l.obj());
  Val value = Val::tuple(Vals(a.pos.begin(), a.pos.end()));
  if (!loop->has_changed || !equals(loop->last_changed, value)) {
    loop->has_changed = true;
    loop->last_changed = std::move(value);
    return Val::boolean(true);
  }
  return Val::boolean(false);
}
RV cycler_next(Interp&, Val& c, A&) {
  auto* cy = static_cast<CyclerObj*>(c.obj());
  if (cy->items.empty()) return Val::none();
  Val v = cy->items[cy->pos];
  cy->pos = (cy->pos + 1) % cy->items.size();
  return v;
}
RV cycler_reset(Interp&, Val& c, A&) {
  static_cast<CyclerObj*>(c.obj())->pos = 0;
  return Val::none();
}

// A dozen names each: a flat scan (comparing lengths first) beats hashing,
// and missing names are common (`d.key` and `d['key']` check the methods
// first, as Python's getattr does).
using Table = std::vector<std::pair<std::string_view, MethodFn>>;

const Table& list_table() {
  static const Table t = {
      {"append", l_append}, {"extend", l_extend}, {"insert", l_insert}, {"pop", l_pop},
      {"remove", l_remove}, {"clear", l_clear},   {"copy", l_copy},     {"reverse", l_reverse},
      {"sort", l_sort},     {"count", seq_count}, {"index", seq_index},
  };
  return t;
}

const Table& dict_table() {
  static const Table t = {
      {"get", d_get},
      {"keys", d_keys},
      {"values", d_values},
      {"items", d_items},
      {"pop", d_pop},
      {"popitem", d_popitem},
      {"setdefault", d_setdefault},
      {"update", d_update},
      {"clear", d_clear},
      {"copy", d_copy},
      {"fromkeys", d_fromkeys},
  };
  return t;
}

MethodFn lookup(const Table& t, std::string_view name) {
  for (const auto& [k, fn] : t) {
    if (k.size() == name.size() && k == name) return fn;
  }
  return nullptr;
}

}  // namespace

void resolve_methods(GetattrExpr& e) {
  e.str_method = find_str_method(e.attr);
  e.list_method = lookup(list_table(), e.attr);
  e.dict_method = lookup(dict_table(), e.attr);
  e.tuple_method = e.attr == "count" ? seq_count : e.attr == "index" ? seq_index : nullptr;
}

MethodFn find_method(const Val& self, std::string_view name) {
  switch (self.tag()) {
    case Tag::kStr:
      return find_str_method(name);
    case Tag::kList:
      if (self.list_obj()->view != ListObj::View::kNone) return nullptr;
      return lookup(list_table(), name);
    case Tag::kTuple:
      if (name == "count") return seq_count;
      if (name == "index") return seq_index;
      return nullptr;
    case Tag::kDict:
      return lookup(dict_table(), name);
    case Tag::kObject:
      switch (self.obj()->kind()) {
        case Object::Kind::kLoop:
          if (name == "cycle") return loop_cycle;
          if (name == "changed") return loop_changed;
          return nullptr;
        case Object::Kind::kCycler:
          if (name == "next") return cycler_next;
          if (name == "reset") return cycler_reset;
          return nullptr;
        default:
          return nullptr;
      }
    default:
      return nullptr;
  }
}

}  // namespace brine::jinja
