// Sequential, ModuleList and Functional.
#include <ostream>
#include <sstream>

#include "core/internal.h"
#include "tensorgrad/nn/modules/container/functional.h"
#include "tensorgrad/nn/modules/container/modulelist.h"
#include "tensorgrad/nn/modules/container/sequential.h"

namespace tg::nn {

// ---- Sequential ----

SequentialImpl::SequentialImpl(OrderedDict<std::string, AnyModule>&& ordered_dict) {
  modules_.reserve(ordered_dict.size());
  for (auto& item : ordered_dict) push_back(item.key(), std::move(item.value()));
}

SequentialImpl::SequentialImpl(std::initializer_list<NamedAnyModule> named_modules) {
  modules_.reserve(named_modules.size());
  for (const auto& named : named_modules) push_back(named.name(), named.module());
}

std::shared_ptr<Module> SequentialImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<SequentialImpl>();
  const auto names = children_.keys();
  for (size_t i = 0; i < modules_.size(); ++i) copy->push_back(names[i], modules_[i].clone(device));
  copy->train(is_training());
  return copy;
}

void SequentialImpl::pretty_print(std::ostream& stream) const { stream << "tg::nn::Sequential"; }

void SequentialImpl::push_back(std::string name, AnyModule any_module) {
  TG_CHECK(!any_module.is_empty(), "Sequential::push_back: the module '", name,
           "' is empty; construct it first");
  // Registered first, so that a bad name leaves the Sequential unchanged.
  register_module(std::move(name), any_module.ptr());
  modules_.push_back(std::move(any_module));
}

Tensor SequentialImpl::run(const Tensor& input) {
  TG_CHECK(!modules_.empty(),
           "Sequential: cannot call forward() on an empty Sequential; add "
           "modules with push_back first");
  Tensor x = input;
  for (size_t i = 0; i < modules_.size(); ++i) {
    try {
      x = modules_[i].forward(x);
    } catch (const Error& e) {
      std::ostringstream description;
      modules_[i].ptr()->pretty_print(description);
      std::ostringstream message;
      message << "Sequential: module " << children_[i].key() << " (" << description.str()
              << ") failed on an input of shape "
              << (x.defined() ? tg::detail::shape_str(x.sizes()) : "undefined") << ": " << e.what();
      throw Error(message.str());
    }
  }
  return x;
}

void SequentialImpl::check_index(size_t index) const {
  TG_CHECK(index < modules_.size(), "Sequential: index ", index, " is out of range for ",
           modules_.size(), " modules");
}

// ---- ModuleList ----

std::shared_ptr<Module> ModuleListImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ModuleListImpl>();
  for (const auto& module : modules_) copy->push_back(module->clone(device));
  copy->train(is_training());
  return copy;
}

void ModuleListImpl::pretty_print(std::ostream& stream) const { stream << "tg::nn::ModuleList"; }

void ModuleListImpl::push_back(std::shared_ptr<Module> module) {
  TG_CHECK(module != nullptr, "ModuleList::push_back: the module is empty; construct it first");
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

void ModuleListImpl::insert(size_t index, std::shared_ptr<Module> module) {
  TG_CHECK(index <= modules_.size(), "ModuleList::insert: index ", index, " is out of range for ",
           modules_.size(), " modules (insert at 0..", modules_.size(), ")");
  TG_CHECK(module != nullptr, "ModuleList::insert: the module is empty; construct it first");
  if (index == modules_.size()) {
    push_back(std::move(module));
    return;
  }
  modules_.insert(modules_.begin() + static_cast<std::ptrdiff_t>(index), std::move(module));
  // Names follow positions: shift the registrations after the new one.
  for (size_t i = index; i + 1 < modules_.size(); ++i)
    replace_module(std::to_string(i), modules_[i]);
  register_module(std::to_string(modules_.size() - 1), modules_.back());
}

void ModuleListImpl::check_index(size_t index) const {
  TG_CHECK(index < modules_.size(), "ModuleList: index ", index, " is out of range for ",
           modules_.size(), " modules");
}

// ---- Functional ----

FunctionalImpl::FunctionalImpl(Function function) : function_(std::move(function)) {
  TG_CHECK(static_cast<bool>(function_), "Functional: the function is empty");
}

void FunctionalImpl::pretty_print(std::ostream& stream) const { stream << "tg::nn::Functional()"; }

Tensor FunctionalImpl::forward(Tensor input) { return function_(std::move(input)); }

}  // namespace tg::nn
