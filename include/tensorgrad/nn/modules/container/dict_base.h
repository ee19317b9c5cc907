#pragma once
/// The base of ModuleDict and ParameterDict.
#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>

#include "tensorgrad/nn/module.h"
#include "tensorgrad/nn/ordered_dict.h"

namespace tg::nn::detail {

/// What ModuleDict (Value: std::shared_ptr<Module>) and ParameterDict (Value: Tensor) share:
/// their items are the module's own submodules or parameters, which these iterate, count and
/// look up.
template <class Derived, class Value>
class DictImplBase : public Cloneable<Derived> {
 public:
  using Iterator = typename OrderedDict<std::string, Value>::Iterator;
  using ConstIterator = typename OrderedDict<std::string, Value>::ConstIterator;

  /// Iterates the items: item.key(), item.value().
  Iterator begin() { return items(*this).begin(); }
  ConstIterator begin() const { return items(*this).begin(); }
  Iterator end() { return items(*this).end(); }
  ConstIterator end() const { return items(*this).end(); }
  size_t size() const noexcept { return items(*this).size(); }
  bool empty() const noexcept { return items(*this).is_empty(); }
  bool contains(const std::string& key) const noexcept { return items(*this).contains(key); }

 private:
  /// The submodules or the parameters of `self` (const or not).
  template <class Self>
  static auto& items(Self& self) {
    if constexpr (std::is_same_v<Value, Tensor>)
      return self.parameters_;
    else
      return self.children_;
  }
};

}  // namespace tg::nn::detail
