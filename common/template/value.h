// Runtime values of the Jinja engine (internal to brine_template).
//
// Templates need Python's object model: dicts and lists are shared and mutable
// in place (`{% do d.update(x) %}` is seen through every reference), tuples,
// str indexed by code point, None/True/False, int64 and double arithmetic, and
// Undefined. `Val` is a 16-byte tagged value; heap kinds are intrusively
// reference counted (non-atomic: one render runs on one thread). Objects
// marked immortal (constants owned by a compiled template's AST) are never
// counted, so compiled templates can be shared between threads rendering
// concurrently as long as each render keeps its templates alive.
//
// Errors are `Fault`s (kind + message + template/line once known) carried in
// `R<T>` = Expected<T> (expected.h); the public API converts them to
// brine::Error with Salt's wording (errors.cpp).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/template/expected.h"

namespace brine {
class Value;
}  // namespace brine

namespace brine::jinja {

class Interp;
class Val;

// ---------------------------------------------------------------- faults

template <typename T>
using R = Expected<T>;
using RV = R<Val>;
using RS = R<void>;  // status

Unexpected fault(FaultKind kind, std::string message);
inline Unexpected type_error(std::string message) {
  return fault(FaultKind::kOther, std::move(message));
}
inline Unexpected runtime_error(std::string message) {
  return fault(FaultKind::kSyntax, std::move(message));
}

#define JTRY(expr)                                                                      \
  do {                                                                                  \
    if (auto jtry_r_ = (expr); !jtry_r_) return Unexpected(std::move(jtry_r_.error())); \
  } while (0)

#define JTRY_CONCAT2_(a, b) a##b
#define JTRY_CONCAT_(a, b) JTRY_CONCAT2_(a, b)
// JASSIGN(Val v, expr): declare `v` from a successful R<T>, else return its fault.
#define JASSIGN(decl, expr) JASSIGN_IMPL_(JTRY_CONCAT_(jassign_r_, __LINE__), decl, expr)
#define JASSIGN_IMPL_(tmp, decl, expr)                 \
  auto tmp = (expr);                                   \
  if (!tmp) return Unexpected(std::move(tmp.error())); \
  decl = std::move(*tmp)
// JSET(var, expr): assign an existing variable; a single statement, safe
// after `if (...)`.
#define JSET(var, expr)                                          \
  do {                                                           \
    auto jset_r_ = (expr);                                       \
    if (!jset_r_) return Unexpected(std::move(jset_r_.error())); \
    var = std::move(*jset_r_);                                   \
  } while (0)

// ---------------------------------------------------------------- heap

// Per-thread free lists of small blocks (16-byte classes up to 256 bytes;
// larger sizes go to ::operator new). A block may be freed on another thread
// than the one that allocated it (it then joins that thread's lists). Idle
// memory is bounded per thread.
// The fast paths are inline (renders allocate and free ~25k objects per
// tree); the slow paths (empty list, full pool, thread teardown) are in value.cpp.
namespace pool_detail {
inline constexpr size_t kGranule = 16;
inline constexpr size_t kClasses = 16;
// Idle memory kept per thread (see value.cpp).
inline constexpr size_t kMaxBytes = size_t{4} << 20;
struct FreeNode {
  FreeNode* next;
};
// Trivially destructible, so that accesses need no thread_local wrapper call;
// a releaser (touched only by the slow paths) frees it at thread exit.
struct Pool {
  FreeNode* head[kClasses];
  size_t bytes;  // idle bytes in all classes
  bool dead;     // after thread teardown: blocks bypass the pool
};
extern constinit thread_local Pool g_pool;
void* alloc_slow(size_t size);
void free_slow(void* p, size_t size);
}  // namespace pool_detail

inline void* pool_alloc(size_t size) {
  using namespace pool_detail;
  size_t c = (size + kGranule - 1) / kGranule;
  if (c - 1 < kClasses) {
    Pool& pool = g_pool;
    if (FreeNode* n = pool.head[c - 1]) {
      pool.head[c - 1] = n->next;
      pool.bytes -= c * kGranule;
      return n;
    }
  }
  return alloc_slow(size);
}

inline void pool_free(void* p, size_t size) {
  using namespace pool_detail;
  size_t c = (size + kGranule - 1) / kGranule;
  Pool& pool = g_pool;
  // bytes == 0: the first block of this thread (registers the release) or a
  // dead pool; both take the slow path.
  if (c - 1 < kClasses && pool.bytes - 1 < kMaxBytes - 1) {
    auto* n = static_cast<FreeNode*>(p);
    n->next = pool.head[c - 1];
    pool.head[c - 1] = n;
    pool.bytes += c * kGranule;
    return;
  }
  free_slow(p, size);
}

// std::allocator over the pool, for the engine's containers: renders build
// and drop many small vectors (items of lists, tuples and dicts).
template <typename T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() = default;
  template <typename U>
  PoolAllocator(const PoolAllocator<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(size_t n) { return static_cast<T*>(pool_alloc(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { pool_free(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const PoolAllocator<U>&) const {
    return true;
  }
};

class Val;
using Vals = std::vector<Val, PoolAllocator<Val>>;
using DictItems = std::vector<std::pair<Val, Val>, PoolAllocator<std::pair<Val, Val>>>;

struct Heap {
  uint32_t refs = 1;
  bool immortal = false;
  virtual ~Heap() = default;
  // Small runtime objects come from per-thread free lists (renders allocate
  // and free millions of them; the general allocator is the bottleneck).
  static void* operator new(size_t size) { return pool_alloc(size); }
  static void operator delete(void* p, size_t size) { pool_free(p, size); }
  void ref() {
    if (!immortal) ++refs;
  }
  void unref() {
    if (!immortal && --refs == 0) destroy(this);
  }
  // Deletes h; past a nesting depth the deletion is deferred and drained
  // iteratively so a 100000-deep list cannot overflow the stack.
  static void destroy(Heap* h);
  static constexpr int kMaxDestroyDepth = 48;

 private:
  static void defer(Heap* h);
  static void drain_pending();
};

namespace pool_detail {
extern constinit thread_local int g_destroy_depth;
extern constinit thread_local std::vector<Heap*>* g_pending;  // deferred deletions
}  // namespace pool_detail

// Containers created while a render runs are linked into its Registry; at the
// end of the render every survivor is emptied, which frees reference cycles
// (a macro's closure holding the frame that holds the macro, `l.append(l)`).
struct Registry;
namespace pool_detail {
extern constinit thread_local Registry* g_registry;
}  // namespace pool_detail
struct Tracked : Heap {
  inline Tracked();
  ~Tracked() override {
    if (registry) unlink();
  }
  // Drops every Val this object holds (cycle breaking).
  virtual void clear_refs() = 0;
  void untrack() {
    if (!registry) return;
    unlink();
  }
  Tracked* prev = nullptr;
  Tracked* next = nullptr;
  Registry* registry = nullptr;

 private:
  void unlink();
};

struct Registry {
  Registry();
  ~Registry();  // clears and releases all survivors
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  Tracked* head = nullptr;
  Registry* previous = nullptr;  // restored on destruction (nested renders)
  static Registry* current();
};

inline Tracked::Tracked() : registry(pool_detail::g_registry) {
  if (registry) {
    next = registry->head;
    if (next) next->prev = this;
    registry->head = this;
  }
}

enum class Tag : uint8_t {
  kNone,
  kBool,
  kInt,
  kFloat,
  // heap kinds from here on
  kUndefined,
  kStr,
  kList,
  kTuple,
  kDict,
  kObject,
};

struct StrObj;
struct ListObj;
struct DictObj;
struct UndefObj;
class Object;

class Val {
 public:
  Val() : tag_(Tag::kNone) { u_.i = 0; }
  Val(const Val& o) : tag_(o.tag_), u_(o.u_) {
    if (is_heap()) u_.p->ref();
  }
  Val(Val&& o) noexcept : tag_(o.tag_), u_(o.u_) { o.tag_ = Tag::kNone; }
  Val& operator=(const Val& o) {
    if (this != &o) {
      Val tmp(o);
      swap(tmp);
    }
    return *this;
  }
  Val& operator=(Val&& o) noexcept {
    if (this != &o) {
      Val tmp(std::move(o));
      swap(tmp);
    }
    return *this;
  }
  ~Val() {
    if (is_heap()) u_.p->unref();
  }
  void swap(Val& o) noexcept {
    std::swap(tag_, o.tag_);
    std::swap(u_, o.u_);
  }

  static Val none() { return Val(); }
  static Val boolean(bool b) {
    Val v;
    v.tag_ = Tag::kBool;
    v.u_.b = b;
    return v;
  }
  static Val integer(int64_t i) {
    Val v;
    v.tag_ = Tag::kInt;
    v.u_.i = i;
    return v;
  }
  static Val real(double d) {
    Val v;
    v.tag_ = Tag::kFloat;
    v.u_.f = d;
    return v;
  }
  static Val str(std::string&& s);
  static Val str(const std::string& s);  // copies straight into the new object
  static Val str(std::string_view s);
  static Val str(const char* s) { return str(std::string(s)); }
  static Val markup(std::string s);  // str flagged as Markup (|e, |safe)
  static Val list(Vals items = {});
  static Val tuple(Vals items = {});
  static Val dict();
  // Undefined with Jinja's message ("'x' is undefined"); lenient ones behave
  // like jinja2.Undefined (print as ""), strict ones fail on any use.
  static Val undefined(std::string message, bool lenient = false, bool security = false);
  // Takes ownership of a freshly created heap object (refs == 1).
  static Val adopt(Tag tag, Heap* p) {
    Val v;
    v.tag_ = tag;
    v.u_.p = p;
    return v;
  }
  static Val object(Object* o);
  // Marker for "argument not given" (an immortal, shared Undefined).
  static Val absent() { return adopt(Tag::kUndefined, absent_heap()); }
  bool is_absent() const { return tag_ == Tag::kUndefined && u_.p == absent_heap(); }
  // The shared "argument not given" object (created on first use).
  static Heap* absent_heap() { return g_absent_ ? g_absent_ : absent_init(); }
  // A new reference to an existing heap object.
  static Val retain(Tag tag, Heap* p) {
    p->ref();
    return adopt(tag, p);
  }

  Tag tag() const { return tag_; }
  bool is_heap() const { return tag_ >= Tag::kUndefined; }
  bool is_none() const { return tag_ == Tag::kNone; }
  bool is_bool() const { return tag_ == Tag::kBool; }
  bool is_int() const { return tag_ == Tag::kInt; }
  bool is_float() const { return tag_ == Tag::kFloat; }
  // int or bool (Python's bool is an int subclass)
  bool is_intlike() const { return tag_ == Tag::kInt || tag_ == Tag::kBool; }
  bool is_number() const { return tag_ == Tag::kInt || tag_ == Tag::kFloat || tag_ == Tag::kBool; }
  bool is_undefined() const { return tag_ == Tag::kUndefined; }
  bool is_str() const { return tag_ == Tag::kStr; }
  bool is_list() const { return tag_ == Tag::kList; }
  bool is_tuple() const { return tag_ == Tag::kTuple; }
  bool is_seq() const { return tag_ == Tag::kList || tag_ == Tag::kTuple; }
  bool is_dict() const { return tag_ == Tag::kDict; }
  bool is_object() const { return tag_ == Tag::kObject; }

  bool as_bool() const { return u_.b; }
  int64_t as_int() const { return tag_ == Tag::kBool ? (u_.b ? 1 : 0) : u_.i; }
  double as_float() const { return u_.f; }
  // int, bool or float as double
  double as_number() const { return tag_ == Tag::kFloat ? u_.f : static_cast<double>(as_int()); }
  const std::string& as_str() const;
  StrObj* str_obj() const { return reinterpret_cast<StrObj*>(u_.p); }
  // Lists and dicts converted lazily from a brine::Value materialise their
  // first level on first access (see from_value_lazy in interp.h).
  inline ListObj* list_obj() const;
  inline DictObj* dict_obj() const;
  UndefObj* undef_obj() const { return reinterpret_cast<UndefObj*>(u_.p); }
  Object* obj() const { return reinterpret_cast<Object*>(u_.p); }
  Heap* heap() const { return u_.p; }
  // Marks a heap value immortal (AST constants); see the file comment.
  void make_immortal();
  // The owner of an immortal constant (its AST node) frees it on destruction.
  void release_immortal();

  // Identity (Python `is`) for heap values, value equality for scalars.
  bool same(const Val& o) const {
    if (tag_ != o.tag_) return false;
    switch (tag_) {
      case Tag::kNone:
        return true;
      case Tag::kBool:
        return u_.b == o.u_.b;
      case Tag::kInt:
        return u_.i == o.u_.i;
      case Tag::kFloat:
        return u_.f == o.u_.f;
      default:
        return u_.p == o.u_.p;
    }
  }

 private:
  static Heap* g_absent_;
  static Heap* absent_init();
  Tag tag_;
  union U {
    bool b;
    int64_t i;
    double f;
    Heap* p;
  } u_;
};

struct StrObj final : Heap {
  StrObj() = default;
  explicit StrObj(std::string&& v) : s(std::move(v)) {}
  explicit StrObj(std::string_view v) : s(v) {}
  std::string s;              // never changed once the object is shared
  mutable int8_t ascii = -1;  // -1 unknown
  bool markup = false;
  mutable bool hashed = false;
  mutable size_t hash_ = 0;  // hash_str(s) once computed (dict keys, lookups)
  bool is_ascii() const;
  size_t hash() const {
    if (!hashed) [[unlikely]]
      compute_hash();
    return hash_;
  }

 private:
  void compute_hash() const;
};

struct UndefObj final : Heap {
  // Jinja's message, built only when it is needed (missing attributes are
  // common and usually only tested with `is defined`):
  //   form 0: `text`; 1: "'<object_type_repr(obj)>' has no attribute <repr(key)>";
  //   form 2: "<object_type_repr(obj)> has no element <repr(key)>".
  std::string message() const;
  std::string text;
  Val obj;  // the object that lacked the attribute or element
  Val key;
  uint8_t form = 0;
  bool lenient = false;
  bool security = false;
};

struct ListObj final : Tracked {
  ListObj() = default;
  explicit ListObj(Vals&& v) : items(std::move(v)) {}
  void clear_refs() override {
    items.clear();
    lazy = nullptr;
  }
  void materialize();
  const Value* lazy = nullptr;  // source not yet converted (owned elsewhere)
  Vals items;
  // How a list produced by dict.keys()/values()/items() prints.
  // kGroup: a tuple printed as groupby's _GroupTuple(grouper=..., list=...).
  // kRange: range(start, stop, step) (materialised; prints as Python's range).
  // kSet: a Python set (Salt's unique/union/... of hashable values).
  enum class View : uint8_t {
    kNone,
    kKeys,
    kValues,
    kItems,
    kGroup,
    kRange,
    kSet
  } view = View::kNone;
  int64_t range_start = 0, range_stop = 0, range_step = 1;
};

// Insertion-ordered dict with Python key semantics (1 == 1.0 == True).
struct DictObj final : Tracked {
  void clear_refs() override {
    clear();
    lazy = nullptr;
  }
  void materialize();
  const Value* lazy = nullptr;  // source not yet converted (owned elsewhere)
  DictItems items;
  std::vector<size_t, PoolAllocator<size_t>> hashes;   // parallel to items
  std::vector<int32_t, PoolAllocator<int32_t>> table;  // open addressing; empty while small

  size_t size() const { return items.size(); }
  // Keys must be hashable (see hash_val); lookups with str keys are fast.
  Val* find(const Val& key, size_t hash);
  Val* find_str(std::string_view key);
  Val* find_str(std::string_view key, size_t hash);  // hash == hash_str(key)
  // Inserts or replaces (keeping the key's position).
  void set(Val key, size_t hash, Val value);
  void set_str(std::string_view key, Val value);
  bool erase(const Val& key, size_t hash);
  void clear();
  // Rebuilds the hash index after items/hashes were filled directly.
  void rebuild_index() { rebuild(); }

 private:
  void rebuild();
  int32_t lookup_index(const Val& key, size_t hash) const;
};

inline const std::string& Val::as_str() const { return str_obj()->s; }

// Python == of two str objects (hashes compared when both are known).
inline bool str_eq(const StrObj* x, const StrObj* y) {
  if (x == y) return true;
  if (x->hashed && y->hashed && x->hash_ != y->hash_) return false;
  return x->s.size() == y->s.size() && std::memcmp(x->s.data(), y->s.data(), x->s.size()) == 0;
}
inline Val Val::str(std::string&& s) { return adopt(Tag::kStr, new StrObj(std::move(s))); }
inline Val Val::str(const std::string& s) {
  return adopt(Tag::kStr, new StrObj(std::string_view(s)));
}
inline Val Val::str(std::string_view s) { return adopt(Tag::kStr, new StrObj(s)); }

inline ListObj* Val::list_obj() const {
  auto* l = reinterpret_cast<ListObj*>(u_.p);
  if (l->lazy) l->materialize();
  return l;
}

inline DictObj* Val::dict_obj() const {
  auto* d = reinterpret_cast<DictObj*>(u_.p);
  if (d->lazy) d->materialize();
  return d;
}

// Everything else: callables, namespace, loop, cycler, modules, `salt`.
class Object : public Tracked {
 public:
  enum class Kind : uint8_t {
    kBuiltin,
    kMethod,
    kMacro,
    kSaltFunc,
    kSaltProxy,
    kNamespace,
    kLoop,
    kCycler,
    kJoiner,
    kModule,
    kFrame,
    kBlockRef,
    kSelfRef,
  };
  explicit Object(Kind k) : kind_(k) {}
  Kind kind() const { return kind_; }
  virtual std::string type_name() const = 0;  // for messages: 'Macro', 'Namespace'
  // repr() of the object; str() is the same unless overridden.
  virtual void repr(std::string& out) const;
  virtual RS str(std::string& out) const {
    repr(out);
    return {};
  }
  bool callable() const {
    return kind_ == Kind::kBuiltin || kind_ == Kind::kMethod || kind_ == Kind::kMacro ||
           kind_ == Kind::kSaltFunc || kind_ == Kind::kJoiner || kind_ == Kind::kBlockRef ||
           kind_ == Kind::kLoop;
  }

 private:
  Kind kind_;
};

inline Val Val::object(Object* o) { return adopt(Tag::kObject, o); }

// ------------------------------------------------------------ helpers

// Python's type name (type(x).__name__): 'str', 'int', 'dict', 'NoneType'...
std::string type_name(const Val& v);
// Jinja's object_type_repr: "dict object", "None", "str object".
std::string object_type_repr(const Val& v);

// Fails with the Undefined's error when v is undefined (or, for lenient
// undefineds, only when `strict_only` is false).
RS check_defined_slow(const Val& v);
inline RS check_defined(const Val& v) {
  if (!v.is_undefined()) [[likely]]
    return {};
  return check_defined_slow(v);
}

// hash(v); TypeError for unhashable values (list, dict).
R<size_t> hash_val(const Val& v);
size_t hash_str(std::string_view s);

// Python ==, without failing (undefined compared by identity). Nesting
// deeper than kMaxCompareDepth compares unequal instead of overflowing the stack.
inline constexpr int kMaxCompareDepth = 400;
bool equals(const Val& a, const Val& b);

// Counts nesting of recursive value algorithms on this thread.
struct RecursionGuard {
  RecursionGuard() { ++depth(); }
  ~RecursionGuard() { --depth(); }
  bool exceeded() const { return depth() > kMaxCompareDepth; }
  static int& depth() {
    thread_local int d = 0;
    return d;
  }
};

// Python truthiness; fails on strict undefined.
R<bool> truthy_slow(const Val& v);
inline R<bool> truthy(const Val& v) {
  switch (v.tag()) {
    case Tag::kNone:
      return false;
    case Tag::kBool:
      return v.as_bool();
    case Tag::kInt:
      return v.as_int() != 0;
    case Tag::kStr:
      return !v.as_str().empty();
    default:
      return truthy_slow(v);
  }
}

// UTF-8 code points.
size_t cp_len(const StrObj& s);

}  // namespace brine::jinja
