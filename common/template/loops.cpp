// For loops: the loop object and its iteration frames (exec_for), loops
// whose body cannot read `loop` (exec_for_plain), and recursive loops.
#include <algorithm>

#include "common/template/interp.h"

namespace brine::jinja {

R<Flow> Interp::exec_for(const ForStmt& s, Ctx& c, const Val& iterable, int depth0,
                         std::string* out) {
  Vals items;
  JTRY(check_defined(iterable));
  JTRY(iterate(iterable, items));
  if (s.filter) {
    Vals kept;
    Val fv = new_frame(frame_ref(c.frame));
    Ctx fc = c;
    fc.frame = as_frame(fv);
    for (auto& item : items) {
      as_frame(fv)->vars.clear();
      JTRY(assign(s.target, item, fc));
      JASSIGN(Val t, eval(*s.filter, fc));
      JASSIGN(bool keep, truthy(t));
      if (keep) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (!s.uses_loop) return exec_for_plain(s, c, items, out);
  auto* loop = new LoopObj();
  Val lv = Val::object(loop);
  loop->items = std::move(items);
  loop->depth0 = depth0;
  loop->stmt = &s;
  loop->tmpl = c.tmpl;
  loop->inst = c.inst;
  if (s.recursive) loop->frame = frame_ref(c.frame);
  const size_t n = loop->items.size();
  Val fv;
  Ctx ic = c;
  ic.out = out;
  // Jinja clears its "no iteration" flag at the end of each completed body,
  // so `else` also runs when the first iteration breaks or every one continues.
  bool completed = false;
  const bool plain_target = s.target.kind == Target::Kind::kName && s.target.sym != Symbols::kLoop;
  for (size_t i = 0; i < n; ++i) {
    loop->index0 = i;
    // Reuse the iteration frame unless a closure (macro) captured it; keep
    // its `loop` entry unless the body replaced it.
    Frame* f;
    if (fv.is_object() && fv.heap()->refs == 1) {
      f = as_frame(fv);
      if (!f->vars.empty() && f->vars[0].first == Symbols::kLoop && f->vars[0].second.same(lv)) {
        while (f->vars.size() > 1) f->vars.pop_back();
      } else {
        f->vars.clear();
        f->vars.emplace_back(Symbols::kLoop, lv);
      }
    } else {
      fv = new_frame(frame_ref(c.frame));
      f = as_frame(fv);
      f->vars.emplace_back(Symbols::kLoop, lv);
    }
    ic.frame = f;
    if (plain_target) {
      f->vars.emplace_back(s.target.sym, loop->items[i]);  // the frame holds only `loop`
    } else {
      JTRY(assign(s.target, loop->items[i], ic));
    }
    JASSIGN(Flow fl, exec_body(s.body, ic));
    if (fl == Flow::kBreak) break;
    if (fl == Flow::kNormal) completed = true;
  }
  if (!completed && !s.else_body.empty()) JTRY(exec_for_else(s, c, out));
  return Flow::kNormal;
}

// The else block runs in its own scope: its sets do not leak.
RS Interp::exec_for_else(const ForStmt& s, Ctx& c, std::string* out) {
  Val ev = new_frame(frame_ref(c.frame));
  Ctx ec = c;
  ec.frame = as_frame(ev);
  ec.out = out;
  JTRY(exec_body(s.else_body, ec));
  return {};
}

R<Flow> Interp::exec_for_plain(const ForStmt& s, Ctx& c, const Vals& items, std::string* out) {
  Val fv;
  Ctx ic = c;
  ic.out = out;
  bool completed = false;  // see exec_for
  const bool plain_target = s.target.kind == Target::Kind::kName;
  // `for k, v in ...`: names bound straight from each pair.
  const bool names_target =
      s.target.kind == Target::Kind::kTuple &&
      std::all_of(s.target.items.begin(), s.target.items.end(),
                  [](const Target& t) { return t.kind == Target::Kind::kName; });
  for (const Val& item : items) {
    // Reuse the iteration frame unless a closure (macro) captured it.
    Frame* f;
    if (fv.is_object() && fv.heap()->refs == 1) {
      f = as_frame(fv);
      f->vars.clear();
    } else {
      fv = new_frame(frame_ref(c.frame));
      f = as_frame(fv);
    }
    ic.frame = f;
    if (plain_target) {
      f->vars.emplace_back(s.target.sym, item);
    } else if (names_target && item.is_seq() &&
               item.list_obj()->items.size() == s.target.items.size()) {
      const Vals& parts = item.list_obj()->items;
      for (size_t j = 0; j < parts.size(); ++j) f->set(s.target.items[j].sym, parts[j]);
    } else {
      JTRY(assign(s.target, item, ic));
    }
    JASSIGN(Flow fl, exec_body(s.body, ic));
    if (fl == Flow::kBreak) break;
    if (fl == Flow::kNormal) completed = true;
  }
  if (!completed && !s.else_body.empty()) JTRY(exec_for_else(s, c, out));
  return Flow::kNormal;
}

RV Interp::render_loop_recursive(LoopObj& loop, const Val& iterable) {
  if (depth >= options.max_call_depth) return type_error("maximum recursion depth exceeded");
  DepthGuard dg(depth);
  std::string out;
  Ctx c;
  c.tmpl = loop.tmpl;
  c.inst = loop.inst;
  c.frame = as_frame(loop.frame);
  c.out = &out;
  JTRY(exec_for(*loop.stmt, c, iterable, loop.depth0 + 1, &out));
  return Val::str(std::move(out));
}

}  // namespace brine::jinja
