#pragma once
/// tg::nn::Module: the base of every layer and model, as torch::nn::Module. A module owns named
/// parameters (tensors that training updates), named buffers (state such as running statistics)
/// and named submodules; names nest with dots ("features.0.weight").
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/nn/ordered_dict.h"
#include "tensorgrad/nn/pimpl.h"
#include "tensorgrad/tensor.h"

namespace tg::nn {

namespace detail {
/// Makes `dst` (and every handle sharing its TensorImpl, such as a module's `weight` member)
/// refer to `src`'s data, dtype and shape, keeping dst's autograd identity (requires_grad,
/// hooks); a defined .grad() is converted to the new dtype. libtorch's `Tensor::set_data`.
void set_data(const Tensor& dst, const Tensor& src);
}  // namespace detail

class Module : public std::enable_shared_from_this<Module> {
 public:
  using ModuleApplyFunction = std::function<void(Module&)>;
  using ConstModuleApplyFunction = std::function<void(const Module&)>;
  using NamedModuleApplyFunction = std::function<void(const std::string&, Module&)>;
  using ConstNamedModuleApplyFunction = std::function<void(const std::string&, const Module&)>;
  using ModulePointerApplyFunction = std::function<void(const std::shared_ptr<Module>&)>;
  using NamedModulePointerApplyFunction =
      std::function<void(const std::string&, const std::shared_ptr<Module>&)>;

  /// A module whose name() is `name`.
  explicit Module(std::string name);
  /// A module whose name() is its demangled C++ type name (e.g. "torch::nn::LinearImpl").
  Module();
  Module(const Module&) = default;
  Module& operator=(const Module&) = default;
  Module(Module&&) noexcept = default;
  Module& operator=(Module&&) noexcept = default;
  virtual ~Module() = default;

  /// The module's name: given at construction, else its C++ type name.
  const std::string& name() const noexcept;

  /// A deep copy (new parameters and buffers with the same values). Modules derived from
  /// Cloneable<Derived> support it; others throw.
  virtual std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const;

  /// Calls fn on this module, then on every submodule, depth first.
  void apply(const ModuleApplyFunction& fn);
  void apply(const ConstModuleApplyFunction& fn) const;
  /// As apply(fn), with each module's qualified name ("features.0"); this module's is
  /// name_prefix.
  void apply(const NamedModuleApplyFunction& fn, const std::string& name_prefix = std::string());
  void apply(const ConstNamedModuleApplyFunction& fn,
             const std::string& name_prefix = std::string()) const;
  /// As apply(fn) with shared pointers; this module must be owned by a std::shared_ptr.
  void apply(const ModulePointerApplyFunction& fn) const;
  void apply(const NamedModulePointerApplyFunction& fn,
             const std::string& name_prefix = std::string()) const;

  /// The parameters of this module (and of all submodules when recurse), in registration order;
  /// parameters registered as undefined tensors (a Linear without bias) are left out.
  std::vector<Tensor> parameters(bool recurse = true) const;
  /// As parameters(), keyed by qualified name: "weight", "fc1.bias", "features.0.weight".
  OrderedDict<std::string, Tensor> named_parameters(bool recurse = true) const;
  /// The buffers (non-trained state, such as BatchNorm's running_mean), as parameters().
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_buffers(bool recurse = true) const;

  /// This module (when include_self; it must then be owned by a std::shared_ptr) and all its
  /// submodules, depth first.
  std::vector<std::shared_ptr<Module>> modules(bool include_self = true) const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_modules(
      const std::string& name_prefix = std::string(), bool include_self = true) const;
  /// The direct submodules.
  std::vector<std::shared_ptr<Module>> children() const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_children() const;

  /// Sets training mode on this module and all submodules (Dropout and BatchNorm behave
  /// differently in training and evaluation).
  virtual void train(bool on = true);
  /// train(false).
  void eval();
  virtual bool is_training() const noexcept;

  /// Converts every floating-point parameter and buffer to `dtype`, in place: handles such as a
  /// module's `weight` member see the new tensor. Integer buffers (num_batches_tracked) keep
  /// their dtype.
  virtual void to(Device device, ScalarType dtype, bool non_blocking = false);
  virtual void to(ScalarType dtype, bool non_blocking = false);
  /// Only the CPU exists; any other device throws.
  virtual void to(Device device, bool non_blocking = false);

  /// Resets the gradients of all parameters: to undefined when set_to_none, else to zeros
  /// (libtorch 1.13's default is set_to_none = false).
  virtual void zero_grad(bool set_to_none = false);

  /// This module as a `ModuleType` (an Impl class or a holder such as tg::nn::Linear), or
  /// nullptr when it is not one.
  template <class ModuleType>
  typename ModuleType::ContainedType* as() noexcept {
    return as<typename ModuleType::ContainedType>();
  }
  template <class ModuleType>
  const typename ModuleType::ContainedType* as() const noexcept {
    return as<typename ModuleType::ContainedType>();
  }
  template <class ModuleType, class = std::enable_if_t<!detail::is_module_holder_v<ModuleType>>>
  ModuleType* as() noexcept {
    return dynamic_cast<ModuleType*>(this);
  }
  template <class ModuleType, class = std::enable_if_t<!detail::is_module_holder_v<ModuleType>>>
  const ModuleType* as() const noexcept {
    return dynamic_cast<const ModuleType*>(this);
  }

  /// Writes a one-line description of this module (without its submodules), e.g.
  /// "torch::nn::Linear(in_features=784, out_features=256, bias=true)". The default is name().
  virtual void pretty_print(std::ostream& stream) const;
  virtual bool is_serializable() const { return true; }

  /// Registers a parameter: it appears in parameters() and named_parameters() and is trained.
  /// Sets requires_grad on a defined tensor. An undefined tensor is allowed (an absent bias) and
  /// is skipped by parameters(). The name must be new, non-empty and without dots. Returns a
  /// reference to the stored tensor; keep a copy of it (a Tensor is a handle).
  Tensor& register_parameter(std::string name, Tensor tensor, bool requires_grad = true);
  /// Registers a buffer: state that is saved with the module and converted by to(), not trained.
  Tensor& register_buffer(std::string name, Tensor tensor);
  /// Registers a submodule under `name`; its parameters appear as "name.<parameter>".
  template <class ModuleType>
  std::shared_ptr<ModuleType> register_module(std::string name,
                                              std::shared_ptr<ModuleType> module) {
    static_assert(std::is_base_of_v<Module, ModuleType>,
                  "register_module: the module type must derive from tg::nn::Module");
    check_new_child_name(name, module != nullptr);
    auto& stored = children_.insert(std::move(name), std::move(module));
    return std::dynamic_pointer_cast<ModuleType>(stored);
  }
  template <class ModuleType>
  std::shared_ptr<ModuleType> register_module(std::string name,
                                              ModuleHolder<ModuleType> module_holder) {
    check_new_child_name(name, !module_holder.is_empty());
    return register_module(std::move(name), module_holder.ptr());
  }
  /// Replaces the submodule registered under `name` (which must exist).
  template <class ModuleType>
  std::shared_ptr<ModuleType> replace_module(const std::string& name,
                                             std::shared_ptr<ModuleType> module) {
    check_replace(name, module != nullptr);
    auto& stored = (children_[name] = std::move(module));
    return std::dynamic_pointer_cast<ModuleType>(stored);
  }
  template <class ModuleType>
  std::shared_ptr<ModuleType> replace_module(const std::string& name,
                                             ModuleHolder<ModuleType> module_holder) {
    check_replace(name, !module_holder.is_empty());
    return replace_module(name, module_holder.ptr());
  }
  /// Removes the submodule registered under `name`; throws when there is none.
  void unregister_module(const std::string& name);

  /// Prints the module and its submodules, one per line, indented, as libtorch.
  friend std::ostream& operator<<(std::ostream& stream, const Module& module);

 protected:
  template <class Derived>
  friend class Cloneable;

  /// Copies `other` (a module of the same type) into this one; see Cloneable.
  virtual void clone_(Module& other, const std::optional<Device>& device);

  OrderedDict<std::string, Tensor> parameters_{"Parameter"};
  OrderedDict<std::string, Tensor> buffers_{"Buffer"};
  OrderedDict<std::string, std::shared_ptr<Module>> children_{"Submodule"};

 private:
  void check_new_child_name(const std::string& name, bool defined) const;
  void check_replace(const std::string& name, bool defined) const;
  void pretty_print_recursive(std::ostream& stream, const std::string& indentation) const;
  void apply_to_submodules(const NamedModulePointerApplyFunction& fn,
                           const std::string& name_prefix) const;
  std::shared_ptr<Module> shared_from_this_checked() const;

  mutable std::optional<std::string> name_;
  bool is_training_ = true;
};

/// Base for modules that support clone(): the derived class implements reset(), which
/// (re)creates and registers every parameter, buffer and submodule; its constructor calls it.
template <class Derived>
class Cloneable : public Module {
 public:
  using Module::Module;

  /// Creates and registers the parameters, buffers and submodules from the options.
  virtual void reset() = 0;

  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override {
    NoGradGuard no_grad;
    const auto& self = static_cast<const Derived&>(*this);
    auto copy = std::make_shared<Derived>(self);
    copy->parameters_.clear();
    copy->buffers_.clear();
    copy->children_.clear();
    copy->reset();
    TG_CHECK(copy->parameters_.size() == parameters_.size(), "clone: the copy of ", name(), " has ",
             copy->parameters_.size(), " parameters after reset() but the original has ",
             parameters_.size(), "; reset() must register every parameter");
    for (const auto& item : parameters_) {
      Tensor& target = copy->parameters_[item.key()];
      if (item.value().defined() && target.defined())
        detail::set_data(target, item.value().detach().clone());
    }
    TG_CHECK(copy->buffers_.size() == buffers_.size(), "clone: the copy of ", name(), " has ",
             copy->buffers_.size(), " buffers after reset() but the original has ", buffers_.size(),
             "; reset() must register every buffer");
    for (const auto& item : buffers_) {
      Tensor& target = copy->buffers_[item.key()];
      if (item.value().defined() && target.defined())
        detail::set_data(target, item.value().detach().clone());
    }
    TG_CHECK(copy->children_.size() == children_.size(), "clone: the copy of ", name(), " has ",
             copy->children_.size(), " submodules after reset() but the original has ",
             children_.size(), "; reset() must register every submodule");
    for (const auto& item : children_) copy->children_[item.key()]->clone_(*item.value(), device);
    copy->train(is_training());
    return copy;
  }

 private:
  void clone_(Module& other, const std::optional<Device>& device) final {
    auto clone = std::dynamic_pointer_cast<Derived>(other.clone(device));
    TG_CHECK(clone != nullptr, "clone: the submodule ", other.name(),
             " cloned into a module of a different type than ", name());
    static_cast<Derived&>(*this) = *clone;
  }
};

}  // namespace tg::nn
