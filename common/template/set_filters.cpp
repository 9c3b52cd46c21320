// Salt's set filters on lists (salt/utils/jinja.py: unique, union,
// intersect, difference, symmetric_difference).
#include <algorithm>

#include "common/template/interp.h"
#include "common/template/registry.h"

namespace brine::jinja {
namespace {

using A = CallArgs;

// Salt's set filters on lists: order-preserving unique results.
RS two_lists(const Val& a, const Val& b, Vals& x, Vals& y) {
  JTRY(iterate(a, x));
  JTRY(iterate(b, y));
  return {};
}
bool in_list(const Vals& l, const Val& v) {
  if (v.is_str()) {  // str equals only str: no generic equality
    for (const auto& e : l) {
      if (e.is_str() && str_eq(e.str_obj(), v.str_obj())) return true;
    }
    return false;
  }
  for (const auto& e : l) {
    if (equals(e, v)) return true;
  }
  return false;
}
Val unique_list(const Vals& items) {
  Vals out;
  out.reserve(items.size());
  for (const auto& i : items) {
    if (!in_list(out, i)) out.push_back(i);
  }
  return Val::list(std::move(out));
}
// Salt returns sets for hashable inputs (str, tuple, range): Python orders
// small ints by value; other orders depend on hashing (here: first seen).
bool hashable_input(const Val& v) {
  return v.is_str() || v.is_tuple() || (v.is_list() && v.list_obj()->view == ListObj::View::kRange);
}
Val as_set(Val list) {
  auto& items = list.list_obj()->items;
  bool ints = !items.empty();
  for (const auto& i : items) ints = ints && i.is_int() && i.as_int() >= 0;
  if (ints) {
    std::sort(items.begin(), items.end(),
              [](const Val& a, const Val& b) { return a.as_int() < b.as_int(); });
  }
  list.list_obj()->view = ListObj::View::kSet;
  return list;
}

// Salt's set filters answer a set when both inputs are hashable, else an
// order-preserving list.
Val set_result(const Val& a, const Val& b, const Vals& items) {
  if (hashable_input(a) && hashable_input(b)) return as_set(unique_list(items));
  return unique_list(items);
}

RV f_union(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "union", {"lst2"}, 1, p));
  Vals x, y;
  JTRY(two_lists(v, p[0], x, y));
  x.insert(x.end(), y.begin(), y.end());
  return set_result(v, p[0], x);
}
// intersect (keep the items of v that are in lst2) and difference (the others).
RV keep_by_membership(Val& v, A& a, const char* name, bool in_other) {
  Val p[1];
  JTRY(bind_args(a, name, {"lst2"}, 1, p));
  Vals x, y, out;
  JTRY(two_lists(v, p[0], x, y));
  for (const auto& e : x) {
    if (in_list(y, e) == in_other) out.push_back(e);
  }
  return set_result(v, p[0], out);
}
RV f_intersect(Interp&, Val& v, A& a) { return keep_by_membership(v, a, "intersect", true); }
RV f_difference(Interp&, Val& v, A& a) { return keep_by_membership(v, a, "difference", false); }
RV f_symmetric_difference(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "symmetric_difference", {"lst2"}, 1, p));
  Vals x, y, all, both, out;
  JTRY(two_lists(v, p[0], x, y));
  all = x;
  all.insert(all.end(), y.begin(), y.end());
  for (const auto& e : x) {
    if (in_list(y, e)) both.push_back(e);
  }
  Val all_unique = unique_list(all);
  for (const auto& e : all_unique.list_obj()->items) {
    if (!in_list(both, e)) out.push_back(e);
  }
  return set_result(v, p[0], out);
}

// Salt's unique(values): a set for hashable input, else order-preserving.
RV f_unique(Interp&, Val& v, A& a) {
  Val p[2];
  JTRY(bind_args(a, "unique", {"case_sensitive", "attribute"}, 0, p));
  Vals items;
  const Vals* src = &items;
  if (v.is_seq()) {
    src = &v.list_obj()->items;  // read in place: unique_list copies what it keeps
  } else {
    JTRY(iterate(v, items));
  }
  Val out = unique_list(*src);
  return hashable_input(v) ? as_set(out) : out;
}

}  // namespace

void add_set_filters(FilterTable& t) {
  t["unique"] = f_unique;
  t["union"] = f_union;
  t["intersect"] = f_intersect;
  t["difference"] = f_difference;
  t["symmetric_difference"] = f_symmetric_difference;
}

}  // namespace brine::jinja
