#include "common/template/value.h"

#include <cmath>
#include <cstring>

#include "common/template/unicode.h"

namespace brine::jinja {

Unexpected fault(FaultKind kind, std::string message) {
  auto f = std::make_unique<Fault>();
  f->kind = kind;
  f->message = std::move(message);
  return Unexpected(std::move(f));
}

Val Val::markup(std::string s) {
  auto* o = new StrObj();
  o->s = std::move(s);
  o->markup = true;
  return adopt(Tag::kStr, o);
}

Val Val::list(Vals items) { return adopt(Tag::kList, new ListObj(std::move(items))); }

Val Val::tuple(Vals items) { return adopt(Tag::kTuple, new ListObj(std::move(items))); }

Val Val::dict() { return adopt(Tag::kDict, new DictObj()); }

Val Val::undefined(std::string message, bool lenient, bool security) {
  auto* o = new UndefObj();
  o->text = std::move(message);
  o->lenient = lenient;
  o->security = security;
  return adopt(Tag::kUndefined, o);
}

namespace {
UndefObj* absent_obj() {
  static UndefObj* o = [] {
    auto* u = new UndefObj();
    u->text = "missing argument";
    u->immortal = true;
    return u;
  }();
  return o;
}
}  // namespace

// Set during static initialisation (before any render thread exists), so
// later reads need no synchronisation; absent_init also serves earlier uses.
Heap* Val::absent_init() { return absent_obj(); }
Heap* Val::g_absent_ = Val::absent_init();

void Val::make_immortal() {
  if (!is_heap()) return;
  u_.p->immortal = true;
  if (tag_ == Tag::kList || tag_ == Tag::kTuple || tag_ == Tag::kDict || tag_ == Tag::kObject) {
    static_cast<Tracked*>(u_.p)->untrack();
  }
  // Children of an immortal constant are only reachable through it.
  if (tag_ == Tag::kList || tag_ == Tag::kTuple) {
    for (auto& v : list_obj()->items) v.make_immortal();
  } else if (tag_ == Tag::kDict) {
    for (auto& [k, v] : dict_obj()->items) {
      k.make_immortal();
      v.make_immortal();
    }
  }
}

void Val::release_immortal() {
  if (!is_heap() || !u_.p->immortal) return;
  u_.p->immortal = false;
  if (tag_ == Tag::kList || tag_ == Tag::kTuple) {
    for (auto& v : list_obj()->items) v.release_immortal();
  } else if (tag_ == Tag::kDict) {
    for (auto& [k, v] : dict_obj()->items) {
      k.release_immortal();
      v.release_immortal();
    }
  }
  // Destroy (refs is still the 1 it was created with).
  Val gone;
  swap(gone);
}

// ---------------------------------------------------------------- lifetime

namespace pool_detail {

constinit thread_local Registry* g_registry = nullptr;
constinit thread_local int g_destroy_depth = 0;
constinit thread_local std::vector<Heap*>* g_pending = nullptr;
// A render frees all its objects at its end and the next render reuses them,
// so kMaxBytes must cover a typical render's peak (a formula tree peaks at
// ~10k objects of a class), not just a few: with 1024 per class most objects
// went back to malloc after each render.
constinit thread_local Pool g_pool{};

namespace {

struct PoolReleaser {
  PoolReleaser() = default;
  ~PoolReleaser() {
    Pool& pool = g_pool;
    pool.dead = true;
    for (size_t c = 0; c < kClasses; ++c) {
      while (pool.head[c]) {
        FreeNode* n = pool.head[c];
        pool.head[c] = n->next;
        ::operator delete(n);
      }
    }
    pool.bytes = 0;
  }
  void touch() {}
};

thread_local PoolReleaser g_pool_releaser;

// Out of line: keeps the thread_local initialisation off the fast paths.
[[gnu::noinline, gnu::cold]] void register_pool_release() { g_pool_releaser.touch(); }

}  // namespace

void* alloc_slow(size_t size) {
  size_t c = (size + kGranule - 1) / kGranule;
  if (c == 0 || c > kClasses) return ::operator new(size);
  if (!g_pool.dead) register_pool_release();  // registers the thread-exit release
  return ::operator new(c* kGranule);
}

void free_slow(void* p, size_t size) {
  size_t c = (size + kGranule - 1) / kGranule;
  Pool& pool = g_pool;
  if (c == 0 || c > kClasses || pool.dead || pool.bytes >= kMaxBytes) {
    ::operator delete(p);
    return;
  }
  if (pool.bytes == 0) register_pool_release();  // a thread that only frees releases too
  auto* n = static_cast<FreeNode*>(p);
  n->next = pool.head[c - 1];
  pool.head[c - 1] = n;
  pool.bytes += c * kGranule;
}

}  // namespace pool_detail

// Out of line: keeps Val's destructor small enough to be inlined everywhere.
void Heap::destroy(Heap* h) {
  int& depth = pool_detail::g_destroy_depth;
  if (depth < kMaxDestroyDepth) [[likely]] {
    ++depth;
    delete h;
    if (--depth == 0 && pool_detail::g_pending) drain_pending();
    return;
  }
  defer(h);
}

void Heap::defer(Heap* h) {
  auto*& pending = pool_detail::g_pending;
  if (!pending) pending = new std::vector<Heap*>();
  pending->push_back(h);
}

void Heap::drain_pending() {
  int& depth = pool_detail::g_destroy_depth;
  ++depth;
  auto* pending = pool_detail::g_pending;
  while (!pending->empty()) {
    Heap* p = pending->back();
    pending->pop_back();
    delete p;
  }
  --depth;
}

void Tracked::unlink() {
  if (prev) {
    prev->next = next;
  } else {
    registry->head = next;
  }
  if (next) next->prev = prev;
  prev = next = nullptr;
  registry = nullptr;
}

Registry::Registry() : previous(pool_detail::g_registry) { pool_detail::g_registry = this; }

Registry::~Registry() {
  pool_detail::g_registry = previous;
  std::vector<Tracked*> alive;
  for (Tracked* t = head; t; t = t->next) alive.push_back(t);
  for (Tracked* t : alive) t->ref();
  for (Tracked* t : alive) t->clear_refs();
  for (Tracked* t : alive) {
    t->untrack();
    t->unref();
  }
}

Registry* Registry::current() { return pool_detail::g_registry; }

bool StrObj::is_ascii() const {
  if (ascii < 0) ascii = utf8::is_ascii(s) ? 1 : 0;
  return ascii == 1;
}

void StrObj::compute_hash() const {
  hash_ = hash_str(s);
  hashed = true;
}

size_t cp_len(const StrObj& s) { return s.is_ascii() ? s.s.size() : utf8::count(s.s); }

// ---------------------------------------------------------------- dict

size_t hash_str(std::string_view s) {
  // Eight bytes at a time (keys and names are short; this runs for every key
  // of converted context data). Only equal strings must hash equally.
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    tail = (uint64_t{a} << 32) | b;
  } else if (n > 0) {
    tail = (uint64_t{p[0]} << 16) | (uint64_t{p[n >> 1]} << 8) | p[n - 1];
  }
  h = (h ^ tail) * 0x94d049bb133111ebull;
  h ^= h >> 32;
  return static_cast<size_t>(h);
}

namespace {
size_t hash_int(int64_t i) {
  uint64_t x = static_cast<uint64_t>(i);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return static_cast<size_t>(x);
}
}  // namespace

R<size_t> hash_val(const Val& v) {
  switch (v.tag()) {
    case Tag::kNone:
      return size_t{0x9e3779b9};
    case Tag::kBool:
    case Tag::kInt:
      return hash_int(v.as_int());
    case Tag::kFloat: {
      double d = v.as_float();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) {
        return hash_int(static_cast<int64_t>(d));
      }
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      return hash_int(static_cast<int64_t>(bits));
    }
    case Tag::kStr:
      return v.str_obj()->hash();
    case Tag::kList:
      if (v.list_obj()->view != ListObj::View::kRange) break;
      [[fallthrough]];  // range objects are hashable
    case Tag::kTuple: {
      RecursionGuard guard;
      if (guard.exceeded()) return type_error("maximum recursion depth exceeded while hashing");
      size_t h = 0x345678;
      for (const auto& item : v.list_obj()->items) {
        auto hi = hash_val(item);
        if (!hi) return hi;
        h = (h ^ *hi) * 1000003u;
      }
      return h;
    }
    case Tag::kUndefined:
      if (v.undef_obj()->lenient) return size_t{0x1234};
      return fault(FaultKind::kUndefined, v.undef_obj()->message());
    case Tag::kObject:
      return reinterpret_cast<size_t>(v.heap());
    case Tag::kDict:
      break;
  }
  return type_error("unhashable type: '" + type_name(v) + "'");
}

int32_t DictObj::lookup_index(const Val& key, size_t hash) const {
  if (key.is_str()) {  // str keys equal only str keys: no generic equality
    const StrObj* ks = key.str_obj();
    auto same = [ks](const Val& k) { return k.is_str() && str_eq(k.str_obj(), ks); };
    if (table.empty()) {
      for (size_t i = 0; i < items.size(); ++i) {
        if (hashes[i] == hash && same(items[i].first)) return static_cast<int32_t>(i);
      }
      return -1;
    }
    size_t mask = table.size() - 1;
    for (size_t pos = hash & mask;; pos = (pos + 1) & mask) {
      int32_t idx = table[pos];
      if (idx < 0) return -1;
      auto i = static_cast<size_t>(idx);
      if (hashes[i] == hash && same(items[i].first)) return idx;
    }
  }
  if (table.empty()) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (hashes[i] == hash && equals(items[i].first, key)) return static_cast<int32_t>(i);
    }
    return -1;
  }
  size_t mask = table.size() - 1;
  for (size_t pos = hash & mask;; pos = (pos + 1) & mask) {
    int32_t idx = table[pos];
    if (idx < 0) return -1;
    if (hashes[static_cast<size_t>(idx)] == hash &&
        equals(items[static_cast<size_t>(idx)].first, key)) {
      return idx;
    }
  }
}

Val* DictObj::find(const Val& key, size_t hash) {
  int32_t i = lookup_index(key, hash);
  return i < 0 ? nullptr : &items[static_cast<size_t>(i)].second;
}

Val* DictObj::find_str(std::string_view key) {
  if (table.empty()) {
    for (auto& [k, v] : items) {
      if (k.is_str() && k.as_str() == key) return &v;
    }
    return nullptr;
  }
  return find_str(key, hash_str(key));
}

Val* DictObj::find_str(std::string_view key, size_t hash) {
  if (table.empty()) {
    for (size_t i = 0; i < items.size(); ++i) {
      const Val& k = items[i].first;
      if (hashes[i] == hash && k.is_str() && k.as_str() == key) return &items[i].second;
    }
    return nullptr;
  }
  size_t mask = table.size() - 1;
  for (size_t pos = hash & mask;; pos = (pos + 1) & mask) {
    int32_t idx = table[pos];
    if (idx < 0) return nullptr;
    auto& item = items[static_cast<size_t>(idx)];
    if (hashes[static_cast<size_t>(idx)] == hash && item.first.is_str() &&
        item.first.as_str() == key) {
      return &item.second;
    }
  }
}

void DictObj::rebuild() {
  static constexpr size_t kIndexThreshold = 8;
  if (items.size() <= kIndexThreshold) {
    table.clear();
    return;
  }
  size_t cap = 16;
  while (cap < items.size() * 2) cap <<= 1;
  table.assign(cap, -1);
  size_t mask = cap - 1;
  for (size_t i = 0; i < items.size(); ++i) {
    size_t pos = hashes[i] & mask;
    while (table[pos] >= 0) pos = (pos + 1) & mask;
    table[pos] = static_cast<int32_t>(i);
  }
}

void DictObj::set(Val key, size_t hash, Val value) {
  if (Val* existing = find(key, hash)) {
    *existing = std::move(value);
    return;
  }
  items.emplace_back(std::move(key), std::move(value));
  hashes.push_back(hash);
  if (!table.empty() && items.size() * 2 <= table.size()) {
    size_t mask = table.size() - 1;
    size_t pos = hash & mask;
    while (table[pos] >= 0) pos = (pos + 1) & mask;
    table[pos] = static_cast<int32_t>(items.size() - 1);
  } else {
    rebuild();
  }
}

void DictObj::set_str(std::string_view key, Val value) {
  if (Val* existing = find_str(key)) {
    *existing = std::move(value);
    return;
  }
  set(Val::str(key), hash_str(key), std::move(value));
}

bool DictObj::erase(const Val& key, size_t hash) {
  int32_t i = lookup_index(key, hash);
  if (i < 0) return false;
  items.erase(items.begin() + i);
  hashes.erase(hashes.begin() + i);
  rebuild();
  return true;
}

void DictObj::clear() {
  items.clear();
  hashes.clear();
  table.clear();
}

// ---------------------------------------------------------------- semantics

std::string type_name(const Val& v) {
  switch (v.tag()) {
    case Tag::kNone:
      return "NoneType";
    case Tag::kBool:
      return "bool";
    case Tag::kInt:
      return "int";
    case Tag::kFloat:
      return "float";
    case Tag::kUndefined:
      return v.undef_obj()->lenient ? "Undefined" : "StrictUndefined";
    case Tag::kStr:
      return v.str_obj()->markup ? "Markup" : "str";
    case Tag::kList:
      switch (v.list_obj()->view) {
        case ListObj::View::kKeys:
          return "dict_keys";
        case ListObj::View::kValues:
          return "dict_values";
        case ListObj::View::kItems:
          return "dict_items";
        case ListObj::View::kRange:
          return "range";
        case ListObj::View::kSet:
          return "set";
        case ListObj::View::kNone:
        case ListObj::View::kGroup:
          break;
      }
      return "list";
    case Tag::kTuple:
      return v.list_obj()->view == ListObj::View::kGroup ? "_GroupTuple" : "tuple";
    case Tag::kDict:
      return "dict";
    case Tag::kObject:
      return v.obj()->type_name();
  }
  return "object";
}

std::string object_type_repr(const Val& v) {
  if (v.is_none()) return "None";
  if (v.is_object()) {
    switch (v.obj()->kind()) {
      case Object::Kind::kModule:
        return "jinja2.environment.TemplateModule object";
      case Object::Kind::kNamespace:
        return "jinja2.utils.Namespace object";
      case Object::Kind::kLoop:
        return "jinja2.runtime.LoopContext object";
      case Object::Kind::kMacro:
        return "jinja2.runtime.Macro object";
      case Object::Kind::kSaltProxy:
        return "salt.loader.lazy.LazyLoader object";
      default:
        break;
    }
  }
  if (v.is_str() && v.str_obj()->markup) return "markupsafe.Markup object";
  return type_name(v) + " object";
}

RS check_defined_slow(const Val& v) {
  if (!v.is_undefined()) return {};
  const UndefObj* u = v.undef_obj();
  return fault(u->security ? FaultKind::kSyntax : FaultKind::kUndefined, u->message());
}

bool equals(const Val& a, const Val& b) {
  if (a.is_str() && b.is_str()) return str_eq(a.str_obj(), b.str_obj());  // so no kStr case below
  RecursionGuard guard;
  if (guard.exceeded()) return false;
  Tag ta = a.tag();
  Tag tb = b.tag();
  if (a.is_number() && b.is_number()) {
    if (ta == Tag::kFloat || tb == Tag::kFloat) return a.as_number() == b.as_number();
    return a.as_int() == b.as_int();
  }
  if (ta != tb) return false;
  switch (ta) {
    case Tag::kNone:
      return true;
    case Tag::kList:
    case Tag::kTuple: {
      if ((a.list_obj()->view == ListObj::View::kRange) !=
          (b.list_obj()->view == ListObj::View::kRange))
        return false;
      const auto& x = a.list_obj()->items;
      const auto& y = b.list_obj()->items;
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!equals(x[i], y[i])) return false;
      }
      return true;
    }
    case Tag::kDict: {
      DictObj* x = a.dict_obj();
      DictObj* y = b.dict_obj();
      if (x == y) return true;
      if (x->size() != y->size()) return false;
      for (size_t i = 0; i < x->items.size(); ++i) {
        Val* other = y->find(x->items[i].first, x->hashes[i]);
        if (!other || !equals(x->items[i].second, *other)) return false;
      }
      return true;
    }
    case Tag::kUndefined:
      // jinja2.Undefined.__eq__: equal to any other Undefined of the same type
      return a.undef_obj()->lenient == b.undef_obj()->lenient;
    default:
      return a.heap() == b.heap();
  }
}

R<bool> truthy_slow(const Val& v) {
  switch (v.tag()) {
    case Tag::kNone:
      return false;
    case Tag::kBool:
      return v.as_bool();
    case Tag::kInt:
      return v.as_int() != 0;
    case Tag::kFloat:
      return v.as_float() != 0.0;
    case Tag::kStr:
      return !v.as_str().empty();
    case Tag::kList:
    case Tag::kTuple:
      return !v.list_obj()->items.empty();
    case Tag::kDict:
      return v.dict_obj()->size() != 0;
    case Tag::kUndefined:
      if (v.undef_obj()->lenient) return false;
      return Unexpected(std::move(check_defined(v).error()));
    case Tag::kObject:
      return true;
  }
  return true;
}

}  // namespace brine::jinja
