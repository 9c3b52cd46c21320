// Attribute and item access, slicing and iteration on runtime values, with
// Jinja's sandbox rules and Undefined results for missing names.
#include <limits>

#include "common/template/interp.h"
#include "common/template/print.h"
#include "common/template/unicode.h"

namespace brine::jinja {

// ------------------------------------------------------------ access

namespace {

Val lazy_undefined(const Val& obj, Val key, uint8_t form) {
  auto* u = new UndefObj();
  u->obj = obj;
  u->key = std::move(key);
  u->form = form;
  return Val::adopt(Tag::kUndefined, u);
}

Val no_attribute(const Val& obj, std::string_view name, const Val* name_val = nullptr) {
  return lazy_undefined(obj, name_val ? *name_val : Val::str(name), 1);
}

Val no_element(const Val& obj, const Val& key) { return lazy_undefined(obj, key, 2); }

Val unsafe(const Val& obj, std::string_view name) {
  std::string msg = "access to attribute ";
  append_string_repr(msg, name);
  msg += " of ";
  append_string_repr(msg, type_name(obj));
  msg += " object is unsafe.";
  return Val::undefined(std::move(msg), false, true);
}

bool is_dunder(std::string_view n) {
  return n.size() > 4 && n.starts_with("__") && n.ends_with("__");
}

// Python attribute lookup only (no item fallback); nullopt-style: returns
// false when the object has no such attribute.
bool python_getattr(Interp& in, const Val& obj, std::string_view name, Val* out) {
  if (MethodFn m = find_method(obj, name)) {
    *out = Val::object(new MethodObj(obj, std::string(name), m));
    return true;
  }
  (void)in;
  if (obj.is_tuple() && obj.list_obj()->view == ListObj::View::kGroup &&
      obj.list_obj()->items.size() == 2) {
    if (name == "grouper") {
      *out = obj.list_obj()->items[0];
      return true;
    }
    if (name == "list") {
      *out = obj.list_obj()->items[1];
      return true;
    }
  }
  if (obj.is_object()) {
    Object* o = obj.obj();
    switch (o->kind()) {
      case Object::Kind::kNamespace: {
        Val* v = static_cast<NamespaceObj*>(o)->attrs.dict_obj()->find_str(name);
        if (v) {
          *out = *v;
          return true;
        }
        return false;
      }
      case Object::Kind::kModule: {
        const Val* v = static_cast<ModuleObj*>(o)->find(name);
        if (v) {
          *out = *v;
          return true;
        }
        return false;
      }
      case Object::Kind::kSaltProxy: {
        auto* s = static_cast<SaltObj*>(o);
        if (s->path.empty()) {
          *out = Val::object(new SaltObj(std::string(name), false));
        } else {
          *out = Val::object(new SaltObj(s->path + "." + std::string(name), true));
        }
        return true;
      }
      case Object::Kind::kMacro: {
        auto* m = static_cast<MacroObj*>(o);
        if (name == "name") {
          *out = Val::str(m->def->name);
        } else if (name == "arguments") {
          Vals names;
          for (const auto& n : m->def->param_names) names.push_back(Val::str(n));
          *out = Val::tuple(std::move(names));
        } else if (name == "catch_kwargs") {
          *out = Val::boolean(m->def->uses_kwargs);
        } else if (name == "catch_varargs") {
          *out = Val::boolean(m->def->uses_varargs);
        } else if (name == "caller") {
          *out = Val::boolean(m->def->uses_caller);
        } else {
          return false;
        }
        return true;
      }
      case Object::Kind::kLoop: {
        auto* l = static_cast<LoopObj*>(o);
        int64_t n = static_cast<int64_t>(l->items.size());
        int64_t i = static_cast<int64_t>(l->index0);
        if (name == "index") {
          *out = Val::integer(i + 1);
        } else if (name == "index0") {
          *out = Val::integer(i);
        } else if (name == "revindex") {
          *out = Val::integer(n - i);
        } else if (name == "revindex0") {
          *out = Val::integer(n - i - 1);
        } else if (name == "first") {
          *out = Val::boolean(i == 0);
        } else if (name == "last") {
          *out = Val::boolean(i == n - 1);
        } else if (name == "length") {
          *out = Val::integer(n);
        } else if (name == "depth") {
          *out = Val::integer(l->depth0 + 1);
        } else if (name == "depth0") {
          *out = Val::integer(l->depth0);
        } else if (name == "previtem") {
          *out = i > 0 ? l->items[static_cast<size_t>(i - 1)]
                       : Val::undefined("there is no previous item");
        } else if (name == "nextitem") {
          *out = i + 1 < n ? l->items[static_cast<size_t>(i + 1)]
                           : Val::undefined("there is no next item");
        } else {
          return false;
        }
        return true;
      }
      case Object::Kind::kSelfRef:
        *out =
            Val::object(new BlockRefObj(static_cast<SelfRefObj*>(o)->inst, std::string(name), 0));
        return true;
      case Object::Kind::kCycler: {
        auto* cy = static_cast<CyclerObj*>(o);
        if (name == "items") {
          *out = Val::list(cy->items);
          return true;
        }
        if (name == "current") {
          *out = cy->items.empty() ? Val::none() : cy->items[cy->pos];
          return true;
        }
        return false;
      }
      default:
        return false;
    }
  }
  return false;
}

}  // namespace

std::string UndefObj::message() const {
  if (form == 0) return text;
  std::string msg;
  if (form == 1) {
    append_string_repr(msg, object_type_repr(obj));
    msg += " has no attribute ";
  } else {
    msg = object_type_repr(obj) + " has no element ";
  }
  if (key.is_str()) {
    append_string_repr(msg, key.as_str());
  } else {
    auto r = to_repr(key);
    msg += r ? *r : std::string("?");
  }
  return msg;
}

RV getattr_only(Interp& in, const Val& obj, std::string_view name) {
  if (obj.is_undefined()) return fault(FaultKind::kUndefined, obj.undef_obj()->message());
  if (is_dunder(name)) return unsafe(obj, name);
  Val out;
  if (python_getattr(in, obj, name, &out)) return out;
  return no_attribute(obj, name);
}

RV getattr(Interp& in, const Val& obj, std::string_view name, const Val* name_val) {
  if (obj.is_undefined()) {
    // Even the lenient Undefined fails on attribute access.
    return fault(obj.undef_obj()->security ? FaultKind::kSyntax : FaultKind::kUndefined,
                 obj.undef_obj()->message());
  }
  if (is_dunder(name)) return unsafe(obj, name);
  Val out;
  if (python_getattr(in, obj, name, &out)) return out;
  if (obj.is_dict()) {
    if (Val* v = obj.dict_obj()->find_str(name)) return *v;
  }
  return no_attribute(obj, name, name_val);
}

RV getitem(Interp& in, const Val& obj, const Val& key) {
  if (obj.is_undefined()) {
    return fault(obj.undef_obj()->security ? FaultKind::kSyntax : FaultKind::kUndefined,
                 obj.undef_obj()->message());
  }
  if (key.is_undefined() && !key.undef_obj()->lenient) JTRY(check_defined(key));
  switch (obj.tag()) {
    case Tag::kDict: {
      auto h = hash_val(key);
      if (h) {
        if (Val* v = obj.dict_obj()->find(key, *h)) return *v;
      }
      break;
    }
    case Tag::kList:
    case Tag::kTuple:
    case Tag::kStr: {
      if (key.is_intlike()) {
        int64_t i = key.as_int();
        if (obj.is_str()) {
          const StrObj* s = obj.str_obj();
          int64_t n = static_cast<int64_t>(cp_len(*s));
          if (i < 0) i += n;
          if (i < 0 || i >= n) break;
          if (s->is_ascii()) return Val::str(std::string(1, s->s[static_cast<size_t>(i)]));
          size_t off = utf8::offset_of(s->s, static_cast<size_t>(i));
          size_t end = off;
          utf8::next(s->s, &end);
          return Val::str(s->s.substr(off, end - off));
        }
        const auto& items = obj.list_obj()->items;
        int64_t n = static_cast<int64_t>(items.size());
        if (i < 0) i += n;
        if (i < 0 || i >= n) break;
        return items[static_cast<size_t>(i)];
      }
      break;
    }
    case Tag::kObject:
      if (obj.obj()->kind() == Object::Kind::kSaltProxy && key.is_str()) {
        auto* s = static_cast<SaltObj*>(obj.obj());
        std::string path = s->path.empty() ? key.as_str() : s->path + "." + key.as_str();
        return Val::object(new SaltObj(std::move(path), true));
      }
      break;
    default:
      break;
  }
  if (key.is_str()) {
    if (is_dunder(key.as_str())) return unsafe(obj, key.as_str());
    Val out;
    if (python_getattr(in, obj, key.as_str(), &out)) return out;
    return no_attribute(obj, key.as_str(), &key);
  }
  return no_element(obj, key);
}

namespace {

// PySlice_Unpack + PySlice_AdjustIndices.
R<bool> slice_indices(const Val& start, const Val& stop, const Val& step, int64_t len, int64_t* s0,
                      int64_t* s1, int64_t* st) {
  auto get = [](const Val& v, int64_t dflt, int64_t* out) -> RS {
    if (v.is_none()) {
      *out = dflt;
      return {};
    }
    JTRY(check_defined(v));
    if (!v.is_intlike()) {
      return type_error("slice indices must be integers or None or have an __index__ method");
    }
    *out = v.as_int();
    return {};
  };
  JTRY(get(step, 1, st));
  if (*st == 0) return type_error("slice step cannot be zero");
  JTRY(get(start, *st < 0 ? std::numeric_limits<int64_t>::max() : 0, s0));
  JTRY(get(stop,
           *st < 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max(),
           s1));
  auto adjust = [&](int64_t* v) {
    if (*v < 0) {
      *v += len;
      if (*v < 0) *v = *st < 0 ? -1 : 0;
    } else if (*v >= len) {
      *v = *st < 0 ? len - 1 : len;
    }
  };
  if (!start.is_none() || *st > 0) {
    adjust(s0);
  } else {
    *s0 = len - 1;
  }
  if (!stop.is_none() || *st > 0) {
    adjust(s1);
  } else {
    *s1 = -1;
  }
  if (start.is_none() && *st > 0) *s0 = 0;
  if (stop.is_none() && *st > 0) *s1 = len;
  return true;
}

}  // namespace

RV slice(const Val& obj, const Val& start, const Val& stop, const Val& step) {
  JTRY(check_defined(obj));
  int64_t len;
  std::vector<size_t> offsets;  // code point starts, for non-ASCII strings
  if (obj.is_str()) {
    const StrObj* s = obj.str_obj();
    if (s->is_ascii()) {
      len = static_cast<int64_t>(s->s.size());
    } else {
      for (size_t p = 0; p < s->s.size();) {
        offsets.push_back(p);
        utf8::next(s->s, &p);
      }
      len = static_cast<int64_t>(offsets.size());
      offsets.push_back(s->s.size());
    }
  } else if (obj.is_seq()) {
    len = static_cast<int64_t>(obj.list_obj()->items.size());
  } else {
    return type_error("'" + type_name(obj) + "' object is not subscriptable");
  }
  int64_t a = 0, b = 0, st = 1;
  JTRY(slice_indices(start, stop, step, len, &a, &b, &st));
  if (obj.is_str()) {
    const std::string& s = obj.as_str();
    std::string out;
    if (st == 1 && offsets.empty()) {
      if (b > a) out = s.substr(static_cast<size_t>(a), static_cast<size_t>(b - a));
      return Val::str(std::move(out));
    }
    for (int64_t i = a; st > 0 ? i < b : i > b; i += st) {
      if (offsets.empty()) {
        out.push_back(s[static_cast<size_t>(i)]);
      } else {
        size_t o = offsets[static_cast<size_t>(i)];
        out.append(s, o, offsets[static_cast<size_t>(i) + 1] - o);
      }
    }
    return Val::str(std::move(out));
  }
  const auto& items = obj.list_obj()->items;
  Vals out;
  for (int64_t i = a; st > 0 ? i < b : i > b; i += st) out.push_back(items[static_cast<size_t>(i)]);
  return obj.is_tuple() ? Val::tuple(std::move(out)) : Val::list(std::move(out));
}

RS iterate(const Val& v, Vals& out) {
  switch (v.tag()) {
    case Tag::kList:
    case Tag::kTuple:
      out = v.list_obj()->items;
      return {};
    case Tag::kDict:
      out.reserve(v.dict_obj()->size());
      for (const auto& kv : v.dict_obj()->items) out.push_back(kv.first);
      return {};
    case Tag::kStr: {
      const StrObj* s = v.str_obj();
      if (s->is_ascii()) {
        out.reserve(s->s.size());
        for (char c : s->s) out.push_back(Val::str(std::string(1, c)));
      } else {
        for (size_t p = 0; p < s->s.size();) {
          size_t start = p;
          utf8::next(s->s, &p);
          out.push_back(Val::str(s->s.substr(start, p - start)));
        }
      }
      return {};
    }
    case Tag::kUndefined:
      if (v.undef_obj()->lenient) return {};
      return check_defined(v);
    case Tag::kObject:
      if (v.obj()->kind() == Object::Kind::kLoop) {
        out = static_cast<LoopObj*>(v.obj())->items;
        return {};
      }
      break;
    default:
      break;
  }
  return type_error("'" + type_name(v) + "' object is not iterable");
}

R<int64_t> length(const Val& v) {
  switch (v.tag()) {
    case Tag::kStr:
      return static_cast<int64_t>(cp_len(*v.str_obj()));
    case Tag::kList:
    case Tag::kTuple:
      return static_cast<int64_t>(v.list_obj()->items.size());
    case Tag::kDict:
      return static_cast<int64_t>(v.dict_obj()->size());
    case Tag::kUndefined:
      if (v.undef_obj()->lenient) return 0;
      JTRY(check_defined(v));
      return 0;
    case Tag::kObject:
      if (v.obj()->kind() == Object::Kind::kLoop) {
        return static_cast<int64_t>(static_cast<LoopObj*>(v.obj())->items.size());
      }
      break;
    default:
      break;
  }
  return type_error("object of type '" + type_name(v) + "' has no len()");
}

RV concat(const Vals& parts) {
  std::string out;
  for (const auto& p : parts) JTRY(append_str(out, p));
  return Val::str(std::move(out));
}

R<int64_t> to_index(const Val& v) {
  JTRY(check_defined(v));
  if (v.is_intlike()) return v.as_int();
  return type_error("'" + type_name(v) + "' object cannot be interpreted as an integer");
}

}  // namespace brine::jinja
