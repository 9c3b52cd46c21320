// Jinja's global functions (range, dict, lipsum, cycler, joiner, namespace)
// and Salt's (raise, odict, show_full_context).
#include <random>

#include "common/template/env_impl.h"
#include "common/template/interp.h"
#include "common/template/print.h"

namespace brine::jinja {
namespace {

using A = CallArgs;
constexpr int64_t kMaxRange = 100000;  // jinja2.sandbox.MAX_RANGE

RV g_range(Interp&, A& a) {
  if (!a.kw.empty()) return type_error("range() takes no keyword arguments");
  if (a.pos.empty() || a.pos.size() > 3) {
    return type_error("range expected at most 3 arguments, got " + std::to_string(a.pos.size()));
  }
  int64_t start = 0, stop, step = 1;
  std::vector<int64_t> n;
  for (const auto& v : a.pos) {
    JTRY(check_defined(v));
    if (!v.is_intlike())
      return type_error("'" + type_name(v) + "' object cannot be interpreted as an integer");
    n.push_back(v.as_int());
  }
  if (n.size() == 1) {
    stop = n[0];
  } else {
    start = n[0];
    stop = n[1];
    if (n.size() == 3) step = n[2];
  }
  if (step == 0) return type_error("range() arg 3 must not be zero");
  __int128 count = 0;
  if (step > 0 && stop > start) count = (static_cast<__int128>(stop) - start + step - 1) / step;
  if (step < 0 && stop < start) count = (static_cast<__int128>(start) - stop - step - 1) / -step;
  if (count > kMaxRange) {
    return type_error("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
  }
  Vals out;
  out.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < static_cast<int64_t>(count); ++i)
    out.push_back(Val::integer(start + i * step));
  Val r = Val::list(std::move(out));
  ListObj* l = r.list_obj();
  l->view = ListObj::View::kRange;
  l->range_start = start;
  l->range_stop = stop;
  l->range_step = step;
  return r;
}

RS dict_update_from(Val& d, const Val& src) {
  JTRY(check_defined(src));
  if (src.is_dict()) {
    for (size_t i = 0; i < src.dict_obj()->items.size(); ++i) {
      d.dict_obj()->set(src.dict_obj()->items[i].first, src.dict_obj()->hashes[i],
                        src.dict_obj()->items[i].second);
    }
    return {};
  }
  Vals items;
  JTRY(iterate(src, items));
  for (size_t i = 0; i < items.size(); ++i) {
    Vals pair;
    if (!items[i].is_seq() && !items[i].is_str()) {
      return type_error("cannot convert dictionary update sequence element #" + std::to_string(i) +
                        " to a sequence");
    }
    JTRY(iterate(items[i], pair));
    if (pair.size() != 2) {
      return type_error("dictionary update sequence element #" + std::to_string(i) +
                        " has length " + std::to_string(pair.size()) + "; 2 is required");
    }
    JASSIGN(size_t h, hash_val(pair[0]));
    d.dict_obj()->set(pair[0], h, pair[1]);
  }
  return {};
}

RV g_dict(Interp&, A& a) {
  if (a.pos.size() > 1)
    return type_error("dict expected at most 1 argument, got " + std::to_string(a.pos.size()));
  Val d = Val::dict();
  if (!a.pos.empty()) JTRY(dict_update_from(d, a.pos[0]));
  for (auto& [k, v] : a.kw) d.dict_obj()->set(k, hash_str(k.as_str()), v);
  return d;
}

RV g_namespace(Interp&, A& a) {
  auto* ns = new NamespaceObj();
  Val nv = Val::object(ns);
  if (a.pos.size() > 1)
    return type_error("dict expected at most 1 argument, got " + std::to_string(a.pos.size()));
  if (!a.pos.empty()) JTRY(dict_update_from(ns->attrs, a.pos[0]));
  for (auto& [k, v] : a.kw) ns->attrs.dict_obj()->set(k, hash_str(k.as_str()), v);
  return nv;
}

RV g_cycler(Interp&, A& a) {
  if (a.pos.empty()) return type_error("at least one item has to be provided");
  auto* c = new CyclerObj();
  c->items.assign(a.pos.begin(), a.pos.end());
  return Val::object(c);
}

RV g_joiner(Interp&, A& a) {
  Val p[1];
  JTRY(bind_args(a, "joiner", {"sep"}, 0, p));
  auto* j = new JoinerObj();
  Val jv = Val::object(j);
  j->sep = ", ";
  if (!p[0].is_absent()) JSET(j->sep, to_str(p[0]));
  return jv;
}

RV g_lipsum(Interp&, A& a) {
  Val p[4];
  JTRY(bind_args(a, "generate_lorem_ipsum", {"n", "html", "min", "max"}, 0, p));
  int64_t n = 5, mn = 20, mx = 100;
  bool html = true;
  if (!p[0].is_absent()) JSET(n, to_index(p[0]));
  if (!p[1].is_absent()) JSET(html, truthy(p[1]));
  if (!p[2].is_absent()) JSET(mn, to_index(p[2]));
  if (!p[3].is_absent()) JSET(mx, to_index(p[3]));
  if (n > 1000 || mx > 100000 || mn > mx || mn < 1)
    return type_error("lipsum() arguments out of range");
  static const char* kWords[] = {"lorem",       "ipsum",      "dolor",      "sit",    "amet",
                                 "consectetur", "adipiscing", "elit",       "sed",    "do",
                                 "eiusmod",     "tempor",     "incididunt", "ut",     "labore",
                                 "et",          "dolore",     "magna",      "aliqua", "enim",
                                 "ad",          "minim",      "veniam",     "quis",   "nostrud"};
  thread_local std::mt19937 rng{std::random_device{}()};
  std::string out;
  for (int64_t i = 0; i < n; ++i) {
    int64_t words = std::uniform_int_distribution<int64_t>(mn, mx)(rng);
    std::string para;
    bool cap = true;
    for (int64_t w = 0; w < words; ++w) {
      std::string word = kWords[rng() % (sizeof kWords / sizeof kWords[0])];
      if (cap) {
        word[0] = static_cast<char>(word[0] - 32);
        cap = false;
      }
      if (!para.empty()) para += ' ';
      para += word;
      if (w + 1 < words && rng() % 10 == 0) {
        para += '.';
        cap = true;
      }
    }
    para += '.';
    if (!out.empty()) out += html ? "\n" : "\n\n";
    out += html ? "<p>" + para + "</p>" : para;
  }
  return html ? Val::markup(std::move(out)) : Val::str(std::move(out));
}

RV g_raise(Interp&, A& a) {
  Val p[1];
  JTRY(bind_args(a, "jinja_raise", {"msg"}, 1, p));
  JASSIGN(std::string msg, to_str(p[0]));
  return fault(FaultKind::kOther, std::move(msg));
}

RV g_show_full_context(Interp& in, A&) {
  Val d = Val::dict();
  in.globals.for_each([&](Sym sym, const Val& v) {
    if (!v.is_object()) d.dict_obj()->set_str(in.syms.name(sym), v);
  });
  return d;
}

Val builtin(const char* name, BuiltinFn fn) {
  Val v = Val::object(new BuiltinObj(name, fn));
  v.make_immortal();
  return v;
}

}  // namespace

std::vector<std::pair<std::string, Val>> make_builtin_globals() {
  std::vector<std::pair<std::string, Val>> g;
  g.emplace_back("range", builtin("range", g_range));
  g.emplace_back("dict", builtin("dict", g_dict));
  g.emplace_back("namespace", builtin("namespace", g_namespace));
  g.emplace_back("cycler", builtin("cycler", g_cycler));
  g.emplace_back("joiner", builtin("joiner", g_joiner));
  g.emplace_back("lipsum", builtin("generate_lorem_ipsum", g_lipsum));
  g.emplace_back("raise", builtin("jinja_raise", g_raise));
  g.emplace_back("odict", builtin("OrderedDict", g_dict));
  g.emplace_back("show_full_context", builtin("show_full_context", g_show_full_context));
  return g;
}

void add_builtin_globals(Interp& in) {
  for (const auto& [sym, v] : in.env.builtins) in.globals[sym] = v;
}

}  // namespace brine::jinja
