#pragma once
/// tg::OrderedDict: a map that remembers insertion order, as torch::OrderedDict. Modules keep
/// their parameters, buffers and submodules in one; named_parameters() returns one.
#include <cstddef>
#include <initializer_list>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tensorgrad/error.h"

namespace tg {

template <class Key, class Value>
class OrderedDict {
 public:
  /// One entry: key() and value(), and `*item` / `item->` for the value, as libtorch.
  class Item {
   public:
    Item(Key key, Value value) : pair_(std::move(key), std::move(value)) {}
    Value& operator*() { return value(); }
    const Value& operator*() const { return value(); }
    Value* operator->() { return &value(); }
    const Value* operator->() const { return &value(); }
    const Key& key() const noexcept { return pair_.first; }
    Value& value() noexcept { return pair_.second; }
    const Value& value() const noexcept { return pair_.second; }
    const std::pair<Key, Value>& pair() const noexcept { return pair_; }

   private:
    std::pair<Key, Value> pair_;
  };

  using Iterator = typename std::vector<Item>::iterator;
  using ConstIterator = typename std::vector<Item>::const_iterator;

  /// `key_description` names the keys in error messages ("Parameter 'w' is not defined").
  explicit OrderedDict(std::string key_description = "Key")
      : key_description_(std::move(key_description)) {}
  OrderedDict(std::initializer_list<Item> items) : OrderedDict("Key") {
    items_.reserve(items.size());
    for (const Item& item : items) insert(item.key(), item.value());
  }

  const std::string& key_description() const noexcept { return key_description_; }

  // ---- element access ----
  Item& front() { return nonempty_items(*this, "front").front(); }
  const Item& front() const { return nonempty_items(*this, "front").front(); }
  Item& back() { return nonempty_items(*this, "back").back(); }
  const Item& back() const { return nonempty_items(*this, "back").back(); }
  /// The item at a position (insertion order).
  Item& operator[](size_t index) {
    check_index(index);
    return items_[index];
  }
  const Item& operator[](size_t index) const {
    check_index(index);
    return items_[index];
  }
  /// The value of a key; throws naming the key and the keys that exist when it is missing.
  Value& operator[](const Key& key) {
    if (Value* v = find(key)) return *v;
    fail_missing(key);
  }
  const Value& operator[](const Key& key) const {
    if (const Value* v = find(key)) return *v;
    fail_missing(key);
  }
  /// Pointer to the value of a key, or nullptr.
  Value* find(const Key& key) noexcept {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].value();
  }
  const Value* find(const Key& key) const noexcept {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].value();
  }
  bool contains(const Key& key) const noexcept { return index_.count(key) != 0; }

  // ---- iteration ----
  Iterator begin() { return items_.begin(); }
  ConstIterator begin() const { return items_.begin(); }
  Iterator end() { return items_.end(); }
  ConstIterator end() const { return items_.end(); }

  size_t size() const noexcept { return items_.size(); }
  bool is_empty() const noexcept { return items_.empty(); }
  void reserve(size_t capacity) {
    index_.reserve(capacity);
    items_.reserve(capacity);
  }

  // ---- modifiers ----
  /// Appends a new key; throws when the key exists already.
  template <class K, class V>
  Value& insert(K&& key, V&& value) {
    if (index_.count(key) != 0) {
      std::ostringstream out;
      out << key_description_ << " '" << key << "' already defined";
      throw Error(out.str());
    }
    items_.emplace_back(key, std::forward<V>(value));
    index_.emplace(std::forward<K>(key), items_.size() - 1);
    return items_.back().value();
  }
  Value& insert(Key key, Value&& value) {
    return insert<Key, Value>(std::move(key), std::move(value));
  }
  /// Inserts every item of `other`; throws on a key present in both.
  void update(const OrderedDict& other) {
    reserve(size() + other.size());
    for (const Item& item : other) insert(item.key(), item.value());
  }
  void update(OrderedDict&& other) {
    reserve(size() + other.size());
    for (Item& item : other) insert(item.key(), std::move(item.value()));
  }
  /// Removes a key (later items move up one position); throws when missing.
  void erase(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end()) fail_missing(key);
    const size_t position = it->second;
    index_.erase(it);
    items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(position));
    for (auto& entry : index_)
      if (entry.second > position) --entry.second;
  }
  void clear() {
    index_.clear();
    items_.clear();
  }

  // ---- views ----
  const std::vector<Item>& items() const noexcept { return items_; }
  std::vector<Key> keys() const {
    std::vector<Key> out;
    out.reserve(items_.size());
    for (const Item& item : items_) out.push_back(item.key());
    return out;
  }
  std::vector<Value> values() const {
    std::vector<Value> out;
    out.reserve(items_.size());
    for (const Item& item : items_) out.push_back(item.value());
    return out;
  }
  std::vector<std::pair<Key, Value>> pairs() const {
    std::vector<std::pair<Key, Value>> out;
    out.reserve(items_.size());
    for (const Item& item : items_) out.push_back(item.pair());
    return out;
  }

 private:
  /// The items of `self` (const or not), after checking that there is one for `accessor`.
  template <class Self>
  static auto& nonempty_items(Self& self, const char* accessor) {
    TG_CHECK(!self.items_.empty(), "OrderedDict::", accessor, ": Called ", accessor,
             "() on an empty OrderedDict; check is_empty() first");
    return self.items_;
  }
  void check_index(size_t index) const {
    TG_CHECK(index < items_.size(), "OrderedDict: index ", index, " is out of bounds for ",
             items_.size(), " items");
  }
  [[noreturn]] void fail_missing(const Key& key) const {
    std::ostringstream out;
    out << key_description_ << " '" << key << "' is not defined";
    if (items_.empty()) {
      out << " (there are none)";
    } else {
      out << "; defined are: ";
      for (size_t i = 0; i < items_.size(); ++i) out << (i ? ", " : "") << items_[i].key();
    }
    throw Error(out.str());
  }

  std::unordered_map<Key, size_t> index_;
  std::vector<Item> items_;
  std::string key_description_;
};

}  // namespace tg
