// Conversion between brine::Value (context in, salt calls, codecs) and the
// engine's runtime values.
#include "common/template/interp.h"
#include "common/template/print.h"

namespace brine::jinja {
namespace {

constexpr int kMaxConvertDepth = 400;

// Dict keys of converted context data, interned per thread: the same keys
// (`uid`, `groups`, ...) come back in every dict of a pillar and in every
// render, so each becomes one immortal str object instead of an allocation,
// a copy and a deletion per occurrence. Immortal objects are never counted
// or written (hash and ASCII flag are computed before first use), and no
// runtime value outlives its render's thread. Bounded: short keys only, a
// fixed table, and a full table falls back to ordinary objects.
class KeyCache {
 public:
  static constexpr size_t kSlots = size_t{1} << 14;
  static constexpr size_t kMaxEntries = kSlots / 2;
  static constexpr size_t kMaxKeyBytes = 64;
  static constexpr size_t kMaxProbes = 8;

  KeyCache() = default;
  KeyCache(const KeyCache&) = delete;
  KeyCache& operator=(const KeyCache&) = delete;
  ~KeyCache() {
    for (StrObj* o : slots_) delete o;
  }

  // The interned key, or nullptr when it cannot be interned.
  StrObj* find_or_add(const std::string& k, size_t hash) {
    if (k.size() > kMaxKeyBytes) return nullptr;
    if (slots_.empty()) slots_.assign(kSlots, nullptr);
    const size_t mask = kSlots - 1;
    size_t pos = hash & mask;
    for (size_t probe = 0; probe < kMaxProbes; ++probe, pos = (pos + 1) & mask) {
      StrObj* o = slots_[pos];
      if (!o) {
        if (count_ >= kMaxEntries) return nullptr;
        o = new StrObj(std::string_view(k));
        o->hash_ = hash;
        o->hashed = true;
        (void)o->is_ascii();
        o->immortal = true;
        slots_[pos] = o;
        ++count_;
        return o;
      }
      if (o->hash_ == hash && o->s == k) return o;
    }
    return nullptr;
  }

 private:
  std::vector<StrObj*> slots_;
  size_t count_ = 0;
};

constexpr size_t kMaxInternedValueBytes = 32;

KeyCache& key_cache() {
  thread_local KeyCache cache;
  return cache;
}

// A dict key with its hash computed once (DictObj keeps it in `hashes`, the
// key's StrObj caches it for later lookups with the same object).
Val hashed_key(KeyCache& cache, const std::string& k, size_t* hash) {
  *hash = hash_str(k);
  if (StrObj* o = cache.find_or_add(k, *hash)) return Val::adopt(Tag::kStr, o);
  Val key = Val::str(k);
  key.str_obj()->hash_ = *hash;
  key.str_obj()->hashed = true;
  return key;
}

R<Value> to_value_at(const Val& v, int depth) {
  if (depth > kMaxConvertDepth)
    return type_error("maximum recursion depth exceeded while converting a value");
  if (v.is_heap() && (v.tag() == Tag::kList || v.tag() == Tag::kDict)) {
    // Not yet materialised: the source is the value.
    const Value* src = v.tag() == Tag::kList ? reinterpret_cast<ListObj*>(v.heap())->lazy
                                             : reinterpret_cast<DictObj*>(v.heap())->lazy;
    if (src) return *src;
  }
  switch (v.tag()) {
    case Tag::kNone:
      return Value();
    case Tag::kBool:
      return Value(v.as_bool());
    case Tag::kInt:
      return Value(v.as_int());
    case Tag::kFloat:
      return Value(v.as_float());
    case Tag::kStr:
      return Value(v.as_str());
    case Tag::kList:
    case Tag::kTuple: {
      if (v.list_obj()->view != ListObj::View::kNone &&
          v.list_obj()->view != ListObj::View::kGroup) {
        return type_error("cannot represent an object: " + type_name(v));
      }
      List out;
      out.reserve(v.list_obj()->items.size());
      for (const auto& item : v.list_obj()->items) {
        JASSIGN(Value x, to_value_at(item, depth + 1));
        out.push_back(std::move(x));
      }
      return Value(std::move(out));
    }
    case Tag::kDict: {
      Map out;
      out.reserve(v.dict_obj()->size());
      for (const auto& [k, val] : v.dict_obj()->items) {
        std::string key;
        if (k.is_str()) {
          key = k.as_str();
        } else {
          JSET(key, to_str(k));
        }
        JASSIGN(Value x, to_value_at(val, depth + 1));
        out.set(key, std::move(x));
      }
      return Value(std::move(out));
    }
    case Tag::kUndefined:
      JTRY(check_defined(v));
      return Value();
    case Tag::kObject:
      if (v.obj()->kind() == Object::Kind::kNamespace) {
        return to_value_at(static_cast<NamespaceObj*>(v.obj())->attrs, depth + 1);
      }
      break;
  }
  return type_error("Object of type " + type_name(v) + " is not a plain value");
}

}  // namespace

Val from_value_lazy(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kList: {
      auto* l = new ListObj();
      l->lazy = &v;
      return Val::adopt(Tag::kList, l);
    }
    case Value::Kind::kMap: {
      auto* d = new DictObj();
      d->lazy = &v;
      return Val::adopt(Tag::kDict, d);
    }
    default:
      return from_value(v);
  }
}

void ListObj::materialize() {
  const Value* src = lazy;
  lazy = nullptr;
  items.reserve(src->as_list().size());
  for (const auto& item : src->as_list()) items.push_back(from_value_lazy(item));
}

void DictObj::materialize() {
  const Value* src = lazy;
  lazy = nullptr;
  const Map& m = src->as_map();
  items.reserve(m.size());
  hashes.reserve(m.size());
  KeyCache& cache = key_cache();
  for (const auto& [k, val] : m) {
    size_t h;
    items.emplace_back(hashed_key(cache, k, &h), from_value_lazy(val));
    hashes.push_back(h);
  }
  rebuild_index();
}

Val from_value(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      return Val::none();
    case Value::Kind::kBool:
      return Val::boolean(v.as_bool());
    case Value::Kind::kInt:
      return Val::integer(v.as_int());
    case Value::Kind::kFloat:
      return Val::real(v.as_float());
    case Value::Kind::kString: {
      // Short strings are interned like keys: group names, shells, paths
      // come back in every render of the same pillar.
      const std::string& str = v.as_string();
      if (str.size() > kMaxInternedValueBytes) return Val::str(str);
      size_t h;
      return hashed_key(key_cache(), str, &h);  // a string not interned keeps its hash
    }
    case Value::Kind::kList: {
      Vals items;
      items.reserve(v.as_list().size());
      for (const auto& item : v.as_list()) items.push_back(from_value(item));
      return Val::list(std::move(items));
    }
    case Value::Kind::kMap: {
      Val d = Val::dict();
      DictObj* dict = d.dict_obj();
      const Map& m = v.as_map();
      dict->items.reserve(m.size());
      dict->hashes.reserve(m.size());
      // Map keys are unique: append without lookups.
      KeyCache& cache = key_cache();
      for (const auto& [k, val] : m) {
        size_t h;
        dict->items.emplace_back(hashed_key(cache, k, &h), from_value(val));
        dict->hashes.push_back(h);
      }
      dict->rebuild_index();
      return d;
    }
  }
  return Val::none();
}

R<Value> to_value(const Val& v) { return to_value_at(v, 0); }

void write_back(const Val& target, const Value& v) {
  if (target.is_dict() && v.is_map()) {
    DictObj* d = target.dict_obj();
    d->clear();
    for (const auto& [k, val] : v.as_map()) d->set(Val::str(k), hash_str(k), from_value(val));
  } else if (target.is_list() && v.is_list()) {
    auto& items = target.list_obj()->items;
    items.clear();
    for (const auto& item : v.as_list()) items.push_back(from_value(item));
  }
}

}  // namespace brine::jinja
