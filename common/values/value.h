// brine::Value: the dynamic value for everything that travels or is configured.
//
// A Value is one of null, bool, int (int64), float (double), string, list or
// map. Maps keep insertion order (like Salt's OrderedDict and YAML documents)
// and have string keys; codecs that meet a non-string key (YAML `1: a`,
// msgpack int keys) convert it to its string form.
//
// Values have value semantics: copying a Value copies the whole tree. The
// Jinja engine, which needs Python's shared mutable containers, converts to
// and from its own representation at the boundary.
//
// Thread-safety: like std containers (const access from many threads is safe).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace brine {

class Value;
using List = std::vector<Value>;

// Insertion-ordered string-keyed map. Lookups are linear for small maps and
// hashed (index built lazily) once a map grows past kIndexThreshold entries.
class Map {
 public:
  using Item = std::pair<std::string, Value>;
  using iterator = std::vector<Item>::iterator;
  using const_iterator = std::vector<Item>::const_iterator;

  Map();
  Map(std::initializer_list<Item> items);
  Map(const Map& other);
  Map(Map&& other) noexcept;
  Map& operator=(const Map& other);
  Map& operator=(Map&& other) noexcept;
  ~Map();

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }

  // nullptr when the key is absent.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  // Inserts null at the end when absent.
  Value& operator[](std::string_view key);
  // Replaces the value in place (keeping the key's position) or appends.
  Value& set(std::string_view key, Value v);
  // Returns true when the key was present.
  bool erase(std::string_view key);
  void clear();
  void reserve(size_t n) { items_.reserve(n); }

  bool operator==(const Map& other) const;

 private:
  static constexpr size_t kIndexThreshold = 24;
  ptrdiff_t index_of(std::string_view key) const;

  std::vector<Item> items_;
  mutable std::unique_ptr<std::unordered_map<std::string_view, size_t>> index_;
};

class Value {
 public:
  enum class Kind { kNull, kBool, kInt, kFloat, kString, kList, kMap };

  Value() = default;
  Value(std::nullptr_t) {}                             // NOLINT
  Value(bool b) : v_(b) {}                             // NOLINT
  Value(int i) : v_(static_cast<int64_t>(i)) {}        // NOLINT
  Value(long i) : v_(static_cast<int64_t>(i)) {}       // NOLINT
  Value(long long i) : v_(static_cast<int64_t>(i)) {}  // NOLINT
  Value(unsigned i) : v_(static_cast<int64_t>(i)) {}   // NOLINT
  Value(unsigned long i) : v_(static_cast<int64_t>(i)) {}       // NOLINT
  Value(unsigned long long i) : v_(static_cast<int64_t>(i)) {}  // NOLINT
  Value(double d) : v_(d) {}                           // NOLINT
  Value(const char* s) : v_(std::string(s)) {}         // NOLINT
  Value(std::string s) : v_(std::move(s)) {}           // NOLINT
  Value(std::string_view s) : v_(std::string(s)) {}    // NOLINT
  Value(List l) : v_(std::move(l)) {}                  // NOLINT
  Value(Map m) : v_(std::move(m)) {}                   // NOLINT

  static Value list(std::initializer_list<Value> items = {}) { return Value(List(items)); }
  static Value map(std::initializer_list<Map::Item> items = {}) { return Value(Map(items)); }

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_int() const { return kind() == Kind::kInt; }
  bool is_float() const { return kind() == Kind::kFloat; }
  bool is_number() const { return is_int() || is_float(); }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_list() const { return kind() == Kind::kList; }
  bool is_map() const { return kind() == Kind::kMap; }

  // Accessors assert the kind (a broken invariant, not bad input): check first.
  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_float() const { return std::get<double>(v_); }
  // Int or float as double.
  double as_number() const { return is_int() ? static_cast<double>(as_int()) : as_float(); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  std::string& as_string() { return std::get<std::string>(v_); }
  const List& as_list() const { return std::get<List>(v_); }
  List& as_list() { return std::get<List>(v_); }
  const Map& as_map() const { return std::get<Map>(v_); }
  Map& as_map() { return std::get<Map>(v_); }

  // Map lookup; nullptr when this is not a map or the key is absent.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // Map access that creates: a null Value becomes an empty map first.
  // Asserts when this is neither null nor a map.
  Value& operator[](std::string_view key);
  // Appends to a list; a null Value becomes an empty list first.
  void push_back(Value v);

  // Salt's traverse_dict_and_list: walks "a:b:0:c" through maps (by key) and
  // lists (by index). nullptr when any step is missing.
  const Value* traverse(std::string_view path, char delimiter = ':') const;

  // Convenience getters with a fallback for config-style access.
  std::string get_string(std::string_view key, std::string_view fallback = {}) const;
  int64_t get_int(std::string_view key, int64_t fallback = 0) const;
  bool get_bool(std::string_view key, bool fallback = false) const;

  // Python truthiness: null, false, 0, 0.0, "" and empty containers are false.
  bool truthy() const;

  // Python's type name: NoneType, bool, int, float, str, list, dict.
  const char* type_name() const;

  bool operator==(const Value& other) const;

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, List, Map> v_;
};

}  // namespace brine
