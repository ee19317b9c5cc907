// AnyModule, Sequential, ModuleList, ModuleDict, ParameterDict, ParameterList and Functional.
#include <algorithm>
#include <array>
#include <ostream>
#include <span>
#include <sstream>

#include "core/internal.h"
#include "tensorgrad/nn/modules/container/functional.h"
#include "tensorgrad/nn/modules/container/moduledict.h"
#include "tensorgrad/nn/modules/container/modulelist.h"
#include "tensorgrad/nn/modules/container/parameterdict.h"
#include "tensorgrad/nn/modules/container/parameterlist.h"
#include "tensorgrad/nn/modules/container/sequential.h"

namespace tg::nn {

// ---- AnyModule ----

namespace detail {

void fail_argument_count(const std::type_info& module, size_t required, size_t expected,
                         size_t received, bool has_defaults) {
  const std::string name = torch_type_name(module);
  if (has_defaults)
    tg::detail::fail("AnyModule::forward: ", name, "'s forward() method expects at least ",
                     required, " argument(s) and at most ", expected, " argument(s), but received ",
                     received, ".");
  std::string message = str("AnyModule::forward: ", name, "'s forward() method expects ", expected,
                            " argument(s), but received ", received, ".");
  if (received < expected)
    message += str(" If ", name,
                   "'s forward() method has default arguments, please make sure the forward() "
                   "method is declared with a corresponding `FORWARD_HAS_DEFAULT_ARGS` macro.");
  throw Error(message);
}

void fail_argument_type(const std::type_info& module, size_t index, const std::type_info& expected,
                        const AnyValue& received) {
  tg::detail::fail("AnyModule::forward: calling ", torch_type_name(module),
                   "'s forward(): Expected argument #", index, " to be of type ",
                   torch_type_name(expected), ", but received value of type ",
                   torch_type_name(received.type_info()),
                   "; AnyModule does not convert arguments, so pass exactly that type");
}

void fail_default_arguments(const std::type_info& module, const std::string& problem) {
  tg::detail::fail("AnyModule: the FORWARD_HAS_DEFAULT_ARGS of ", torch_type_name(module),
                   " are inconsistent with its forward(): ", problem);
}

}  // namespace detail

void AnyModule::check_not_empty(const char* method) const {
  TG_CHECK(content_ != nullptr, "AnyModule::", method, ": Cannot call ", method,
           "() on an empty AnyModule; construct it from a module or assign one first "
           "(any = std::make_shared<M>())");
}

void AnyModule::fail_cast(const std::type_info& target) const {
  tg::detail::fail("AnyModule: Attempted to cast module of type ",
                   torch_type_name(content_->type_info), " to type ", torch_type_name(target),
                   "; ask for the type it holds (type_info())");
}

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

void SequentialImpl::pretty_print(std::ostream& stream) const { stream << "torch::nn::Sequential"; }

void SequentialImpl::push_back(std::string name, AnyModule any_module) {
  TG_CHECK(!any_module.is_empty(), "Sequential::push_back: the module '", name,
           "' is empty; construct it first");
  // Registered first, so that a bad name leaves the Sequential unchanged.
  register_module(std::move(name), any_module.ptr());
  modules_.push_back(std::move(any_module));
}

namespace {

/// What reached a module, for an error message: the shape of a tensor, else the type.
struct InputNote {
  Tensor tensor;
  const std::type_info* type = nullptr;
};

std::string describe(std::span<const InputNote> notes, size_t count) {
  std::ostringstream out;
  out << (count == 1 ? "an input of " : "inputs of ");
  for (size_t i = 0; i < notes.size(); ++i) {
    if (i) out << ", ";
    if (notes[i].tensor.defined())
      out << "shape " << tg::detail::shape_str(notes[i].tensor.sizes());
    else
      out << "type " << torch_type_name(*notes[i].type);
  }
  if (count > notes.size()) out << ", ...";
  if (count == 0) out << "no arguments";
  return out.str();
}

}  // namespace

AnyValue SequentialImpl::run(std::span<AnyValue> inputs) {
  TG_CHECK(!modules_.empty(),
           "Sequential::forward: Cannot call forward() on an empty Sequential; add modules with "
           "push_back first");
  AnyValue value = call(0, inputs);
  for (size_t i = 1; i < modules_.size(); ++i) value = call(i, std::span<AnyValue>(&value, 1));
  return value;
}

AnyValue SequentialImpl::call(size_t index, std::span<AnyValue> inputs) {
  // Handles of what goes in, kept for the message: the module may move its arguments away.
  std::array<InputNote, 4> notes;
  const size_t noted = std::min(inputs.size(), notes.size());
  for (size_t i = 0; i < noted; ++i) {
    if (const Tensor* t = inputs[i].try_get<Tensor>()) notes[i].tensor = *t;
    notes[i].type = &inputs[i].type_info();
  }
  try {
    return modules_[index].forward_values(inputs);
  } catch (const Error& e) {
    std::ostringstream description;
    modules_[index].ptr()->pretty_print(description);
    throw Error(str(
        "Sequential: module ", children_[index].key(), " (", description.str(), ") failed on ",
        describe(std::span<const InputNote>(notes.data(), noted), inputs.size()), ": ", e.what()));
  }
}

void SequentialImpl::fail_return_type(const AnyValue& result, const std::type_info& asked) {
  const std::string actual = torch_type_name(result.type_info());
  tg::detail::fail("Sequential::forward: The type of the return value is ", actual,
                   ", but you asked for type ", torch_type_name(asked), "; call forward<", actual,
                   ">(...)");
}

void SequentialImpl::check_index(size_t index) const {
  TG_CHECK(index < modules_.size(), "Sequential: Index out of range: index ", index,
           " for a Sequential of ", modules_.size(), " modules");
}

// ---- ModuleList ----

std::shared_ptr<Module> ModuleListImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ModuleListImpl>();
  for (const auto& module : modules_) copy->push_back(module->clone(device));
  copy->train(is_training());
  return copy;
}

void ModuleListImpl::pretty_print(std::ostream& stream) const { stream << "torch::nn::ModuleList"; }

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
  TG_CHECK(index < modules_.size(), "ModuleList: Index out of range: index ", index,
           " for a ModuleList of ", modules_.size(), " modules");
}

// ---- ModuleDict ----

ModuleDictImpl::ModuleDictImpl(
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
  update(modules);
}

ModuleDictImpl::ModuleDictImpl(const OrderedDict<std::string, std::shared_ptr<Module>>& modules) {
  update(modules);
}

std::shared_ptr<Module> ModuleDictImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ModuleDictImpl>();
  for (const auto& item : children_) copy->insert(item.key(), item.value()->clone(device));
  copy->train(is_training());
  return copy;
}

void ModuleDictImpl::pretty_print(std::ostream& stream) const { stream << "torch::nn::ModuleDict"; }

std::vector<std::pair<std::string, std::shared_ptr<Module>>> ModuleDictImpl::items() const {
  return children_.pairs();
}

std::vector<std::string> ModuleDictImpl::keys() const { return children_.keys(); }

std::vector<std::shared_ptr<Module>> ModuleDictImpl::values() const { return children_.values(); }

void ModuleDictImpl::insert(const std::string& key, std::shared_ptr<Module> module) {
  TG_CHECK(module != nullptr, "ModuleDict::insert: the module for '", key,
           "' is empty (nullptr); construct it first");
  if (children_.contains(key))
    replace_module(key, std::move(module));
  else
    register_module(key, std::move(module));
}

std::shared_ptr<Module> ModuleDictImpl::pop(const std::string& key) {
  std::shared_ptr<Module> module = children_[key];  // throws "Submodule 'key' is not defined"
  unregister_module(key);
  return module;
}

void ModuleDictImpl::clear() { children_.clear(); }

void ModuleDictImpl::update(
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
  for (const auto& [key, module] : modules) insert(key, module);
}

void ModuleDictImpl::fail_type(const std::string& key, const std::string& type) const {
  tg::detail::fail("ModuleDict::at: the module '", key, "' is a ", children_[key]->name(),
                   ", not a ", type);
}

// ---- ParameterDict ----

namespace {

void print_parameters(std::ostream& stream, const char* name,
                      const OrderedDict<std::string, Tensor>& parameters) {
  stream << name << "(\n";
  for (const auto& item : parameters) {
    stream << "(" << item.key() << "): Parameter containing: [";
    if (item.value().defined())
      stream << item.value().scalar_type() << " of size " << item.value().sizes();
    else
      stream << "undefined";
    stream << "]\n";
  }
  stream << ")";
}

/// A copy of `tensor` with new storage, requiring grad as it does.
Tensor copy_parameter(const Tensor& tensor) {
  if (!tensor.defined()) return tensor;
  NoGradGuard no_grad;
  Tensor copy = tensor.detach().clone();
  copy.requires_grad_(tensor.requires_grad());
  return copy;
}

}  // namespace

ParameterDictImpl::ParameterDictImpl(const OrderedDict<std::string, Tensor>& params) {
  for (const auto& item : params) insert(item.key(), item.value());
}

std::shared_ptr<Module> ParameterDictImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ParameterDictImpl>();
  for (const auto& item : parameters_) copy->insert(item.key(), copy_parameter(item.value()));
  copy->train(is_training());
  return copy;
}

void ParameterDictImpl::pretty_print(std::ostream& stream) const {
  print_parameters(stream, "torch::nn::ParameterDict", parameters_);
}

Tensor& ParameterDictImpl::insert(std::string key, Tensor param) {
  const bool requires_grad = param.defined() && param.requires_grad();
  return register_parameter(std::move(key), std::move(param), requires_grad);
}

Tensor ParameterDictImpl::pop(const std::string& key) {
  Tensor param = parameters_[key];  // throws "Parameter 'key' is not defined"
  parameters_.erase(key);
  return param;
}

void ParameterDictImpl::check_update_key(const std::string& key) const {
  TG_CHECK(parameters_.contains(key), "ParameterDict::update: Parameter '", key,
           "' is not defined; update() only sets parameters that exist: insert() new ones");
}

// ---- ParameterList ----

std::shared_ptr<Module> ParameterListImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ParameterListImpl>();
  for (const auto& item : parameters_) copy->append(copy_parameter(item.value()));
  copy->train(is_training());
  return copy;
}

void ParameterListImpl::pretty_print(std::ostream& stream) const {
  print_parameters(stream, "torch::nn::ParameterList", parameters_);
}

void ParameterListImpl::append(const Tensor& param) {
  register_parameter(std::to_string(parameters_.size()), param,
                     param.defined() && param.requires_grad());
}

Tensor& ParameterListImpl::at(size_t index) {
  check_index(index);
  return parameters_[index].value();
}

const Tensor& ParameterListImpl::at(size_t index) const {
  check_index(index);
  return parameters_[index].value();
}

void ParameterListImpl::check_index(size_t index) const {
  TG_CHECK(index < parameters_.size(), "ParameterList: Index out of range: index ", index,
           " for a ParameterList of ", parameters_.size(), " parameters");
}

// ---- Functional ----

FunctionalImpl::FunctionalImpl(Function function) : function_(std::move(function)) {
  TG_CHECK(static_cast<bool>(function_), "Functional: the function is empty");
}

void FunctionalImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Functional()";
}

Tensor FunctionalImpl::forward(Tensor input) { return function_(std::move(input)); }

}  // namespace tg::nn
