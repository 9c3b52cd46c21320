#include "common/values/value.h"

#include <charconv>
#include <cmath>

#include "common/result.h"

namespace brine {

Map::Map() = default;
Map::Map(std::initializer_list<Item> items) {
  for (const auto& [k, v] : items) set(k, v);
}
// The index holds string_views into items_, so copies rebuild it lazily.
Map::Map(const Map& other) : items_(other.items_) {}
Map::Map(Map&& other) noexcept : items_(std::move(other.items_)), index_(std::move(other.index_)) {}
Map& Map::operator=(const Map& other) {
  if (this != &other) {
    items_ = other.items_;
    index_.reset();
  }
  return *this;
}
Map& Map::operator=(Map&& other) noexcept {
  items_ = std::move(other.items_);
  index_ = std::move(other.index_);
  return *this;
}
Map::~Map() = default;

ptrdiff_t Map::index_of(std::string_view key) const {
  if (items_.size() < kIndexThreshold) {
    for (size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].first == key) return static_cast<ptrdiff_t>(i);
    }
    return -1;
  }
  if (!index_ || index_->size() != items_.size()) {
    index_ = std::make_unique<std::unordered_map<std::string_view, size_t>>();
    index_->reserve(items_.size() * 2);
    for (size_t i = 0; i < items_.size(); ++i) index_->emplace(items_[i].first, i);
  }
  auto it = index_->find(key);
  return it == index_->end() ? -1 : static_cast<ptrdiff_t>(it->second);
}

const Value* Map::find(std::string_view key) const {
  auto i = index_of(key);
  return i < 0 ? nullptr : &items_[static_cast<size_t>(i)].second;
}

Value* Map::find(std::string_view key) {
  auto i = index_of(key);
  return i < 0 ? nullptr : &items_[static_cast<size_t>(i)].second;
}

Value& Map::operator[](std::string_view key) {
  if (Value* v = find(key)) return *v;
  return set(key, Value());
}

Value& Map::set(std::string_view key, Value v) {
  if (Value* existing = find(key)) {
    *existing = std::move(v);
    return *existing;
  }
  // Growing the vector may move the strings the index points into; without
  // a reallocation the index stays valid and just gains the new key (so
  // building a large map stays linear instead of rebuilding per insert).
  const bool reallocates = items_.size() == items_.capacity();
  items_.emplace_back(std::string(key), std::move(v));
  if (reallocates) {
    index_.reset();
  } else if (index_) {
    index_->emplace(items_.back().first, items_.size() - 1);
  }
  return items_.back().second;
}

bool Map::erase(std::string_view key) {
  auto i = index_of(key);
  if (i < 0) return false;
  index_.reset();
  items_.erase(items_.begin() + i);
  return true;
}

void Map::clear() {
  index_.reset();
  items_.clear();
}

bool Map::operator==(const Map& other) const {
  // Like Python dicts: equal when the same keys map to equal values, in any order.
  if (size() != other.size()) return false;
  for (const auto& [k, v] : items_) {
    const Value* o = other.find(k);
    if (!o || !(*o == v)) return false;
  }
  return true;
}

const Value* Value::find(std::string_view key) const {
  return is_map() ? as_map().find(key) : nullptr;
}

Value* Value::find(std::string_view key) { return is_map() ? as_map().find(key) : nullptr; }

Value& Value::operator[](std::string_view key) {
  if (is_null()) v_ = Map();
  BRINE_ASSERT(is_map());
  return as_map()[key];
}

void Value::push_back(Value v) {
  if (is_null()) v_ = List();
  BRINE_ASSERT(is_list());
  as_list().push_back(std::move(v));
}

const Value* Value::traverse(std::string_view path, char delimiter) const {
  const Value* cur = this;
  while (true) {
    auto pos = path.find(delimiter);
    std::string_view part = path.substr(0, pos);
    if (cur->is_map()) {
      cur = cur->as_map().find(part);
    } else if (cur->is_list()) {
      int64_t idx = 0;
      auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), idx);
      if (ec != std::errc() || p != part.data() + part.size()) {
        // Salt also matches a list element that is a dict holding the key.
        const Value* found = nullptr;
        for (const auto& item : cur->as_list()) {
          if (const Value* v = item.find(part)) {
            found = v;
            break;
          }
        }
        cur = found;
      } else {
        const auto& l = cur->as_list();
        if (idx < 0) idx += static_cast<int64_t>(l.size());
        cur = (idx >= 0 && static_cast<size_t>(idx) < l.size()) ? &l[static_cast<size_t>(idx)]
                                                                 : nullptr;
      }
    } else {
      return nullptr;
    }
    if (!cur) return nullptr;
    if (pos == std::string_view::npos) return cur;
    path.remove_prefix(pos + 1);
  }
}

std::string Value::get_string(std::string_view key, std::string_view fallback) const {
  const Value* v = find(key);
  return v && v->is_string() ? v->as_string() : std::string(fallback);
}

int64_t Value::get_int(std::string_view key, int64_t fallback) const {
  const Value* v = find(key);
  if (!v) return fallback;
  if (v->is_int()) return v->as_int();
  if (v->is_float()) return static_cast<int64_t>(v->as_float());
  return fallback;
}

bool Value::get_bool(std::string_view key, bool fallback) const {
  const Value* v = find(key);
  return v && !v->is_null() ? v->truthy() : fallback;
}

bool Value::truthy() const {
  switch (kind()) {
    case Kind::kNull:
      return false;
    case Kind::kBool:
      return as_bool();
    case Kind::kInt:
      return as_int() != 0;
    case Kind::kFloat:
      return as_float() != 0.0;
    case Kind::kString:
      return !as_string().empty();
    case Kind::kList:
      return !as_list().empty();
    case Kind::kMap:
      return !as_map().empty();
  }
  return false;
}

const char* Value::type_name() const {
  switch (kind()) {
    case Kind::kNull:
      return "NoneType";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "str";
    case Kind::kList:
      return "list";
    case Kind::kMap:
      return "dict";
  }
  return "unknown";
}

bool Value::operator==(const Value& other) const {
  // Python compares 1 == 1.0 as equal; bools are not numbers here (True != 1 in
  // Salt's YAML-typed world is the less surprising choice for config values).
  if (is_number() && other.is_number() && kind() != other.kind()) {
    return as_number() == other.as_number();
  }
  return v_ == other.v_;
}

}  // namespace brine
