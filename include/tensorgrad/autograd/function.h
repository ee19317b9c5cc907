#pragma once
/// Custom differentiable functions, exactly as libtorch's torch::autograd::Function<T>:
///
///   struct MulConstant : tg::autograd::Function<MulConstant> {
///     static Tensor forward(AutogradContext* ctx, Tensor x, double c) {
///       ctx->saved_data["c"] = c;
///       return x * c;
///     }
///     static variable_list backward(AutogradContext* ctx, variable_list grads) {
///       return {grads[0] * ctx->saved_data["c"].toDouble(), Tensor()};
///     }
///   };
///   Tensor y = MulConstant::apply(x, 5.0);
///
/// backward returns one gradient per forward argument (undefined for non-tensor arguments).
/// A Function whose backward is not written with differentiable tg ops (it reads raw data)
/// declares `static constexpr bool once_differentiable = true;`: a double backward through it
/// then throws instead of returning a wrong number.
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "tensorgrad/autograd.h"
#include "tensorgrad/autograd/saved_variable.h"
#include "tensorgrad/demangle.h"

namespace tg {

/// A value kept in AutogradContext::saved_data, as c10::IValue for the types that occur there.
class IValue {
 public:
  IValue() = default;
  IValue(const Tensor& t) : v_(t) {}               // NOLINT
  IValue(bool b) : v_(b) {}                        // NOLINT
  IValue(double d) : v_(d) {}                      // NOLINT
  IValue(float d) : v_(static_cast<double>(d)) {}  // NOLINT
  template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
  IValue(I i) : v_(static_cast<int64_t>(i)) {}          // NOLINT
  IValue(std::string s) : v_(std::move(s)) {}           // NOLINT
  IValue(const char* s) : v_(std::string(s)) {}         // NOLINT
  IValue(std::vector<int64_t> v) : v_(std::move(v)) {}  // NOLINT
  IValue(std::vector<double> v) : v_(std::move(v)) {}   // NOLINT
  IValue(IntArrayRef v) : v_(v.vec()) {}                // NOLINT

  bool isNone() const { return v_.index() == 0; }
  bool isTensor() const { return std::holds_alternative<Tensor>(v_); }
  bool isInt() const { return std::holds_alternative<int64_t>(v_); }
  bool isDouble() const { return std::holds_alternative<double>(v_); }
  bool isBool() const { return std::holds_alternative<bool>(v_); }
  bool isString() const { return std::holds_alternative<std::string>(v_); }
  const Tensor& toTensor() const { return get<Tensor>("Tensor"); }
  int64_t toInt() const { return get<int64_t>("Int"); }
  double toDouble() const { return isInt() ? static_cast<double>(toInt()) : get<double>("Double"); }
  bool toBool() const { return get<bool>("Bool"); }
  const std::string& toStringRef() const { return get<std::string>("String"); }
  std::vector<int64_t> toIntVector() const { return get<std::vector<int64_t>>("IntList"); }
  std::vector<double> toDoubleVector() const { return get<std::vector<double>>("DoubleList"); }

 private:
  template <class T>
  const T& get(const char* what) const {
    const T* p = std::get_if<T>(&v_);
    TG_CHECK(p != nullptr, "IValue: expected ", what, " but the saved value holds another type");
    return *p;
  }
  std::variant<std::monostate, Tensor, bool, int64_t, double, std::string, std::vector<int64_t>,
               std::vector<double>>
      v_;
};

}  // namespace tg

namespace tg::autograd {

class CustomNodeBase;

/// What forward hands to backward: saved tensors (version-checked), saved_data, and flags.
struct AutogradContext {
  AutogradContext() = default;
  AutogradContext(const AutogradContext&) = delete;
  AutogradContext& operator=(const AutogradContext&) = delete;

  /// Tensors (inputs or outputs of forward) that backward needs.
  void save_for_backward(variable_list to_save) { to_save_ = std::move(to_save); }
  /// Inputs that forward modified in place (and returns).
  void mark_dirty(const variable_list& inputs);
  /// Outputs that are not differentiable (e.g. indices).
  void mark_non_differentiable(const variable_list& outputs);
  /// When false, undefined output gradients reach backward as undefined instead of zeros.
  void set_materialize_grads(bool value) { materialize_grads_ = value; }
  /// The saved tensors; throws if one was modified in place or freed by an earlier backward.
  variable_list get_saved_variables() const;
  /// The inputs marked dirty, after counting their in-place change in their version counters
  /// (Function::apply calls it once, after forward).
  const std::unordered_set<TensorImpl*>& get_and_bump_dirty() const;
  /// The outputs marked non-differentiable.
  const std::unordered_set<TensorImpl*>& get_non_differentiable() const {
    return non_differentiable_;
  }
  /// Whether the backward running now needs the gradient of tensor input i (in argument order):
  /// false when its edge leads nowhere, or nowhere this backward goes (grad() with inputs).
  bool needs_input_grad(size_t output_edge_index) const;
  /// needs_input_grad of any tensor input in the ranges: needs_input_grad({{0, 1}, {2, 3}}).
  bool needs_input_grad(std::initializer_list<IndexRange> idxs) const;

  std::unordered_map<std::string, IValue> saved_data;

 private:
  friend class CustomNodeBase;
  variable_list to_save_;
  std::vector<SavedVariable> saved_;
  std::unordered_set<TensorImpl*> dirty_;
  std::unordered_set<TensorImpl*> non_differentiable_;
  bool materialize_grads_ = true;
  std::weak_ptr<CustomNodeBase> node_;
};

/// The node behind every custom Function; the template CppNode<T> only adds T's backward.
class CustomNodeBase : public Node {
 public:
  variable_list apply(variable_list&& grads) override;
  void release_variables() override;
  std::vector<std::string> saved_tensors_info() const override;

  AutogradContext ctx_;
  std::vector<bool> is_variable_input_;

  /// Before forward: wires the edges when any input requires grad (and grad mode is on).
  void begin(const variable_list& inputs);
  /// After forward: gives the outputs their history and saves the context's tensors.
  void finish(const variable_list& inputs, variable_list& outputs, bool once_differentiable);

 protected:
  virtual variable_list call_backward(variable_list grads) = 0;
  bool executable_ = false;
  bool once_differentiable_ = false;
};

template <class T>
class CppNode final : public CustomNodeBase {
 public:
  std::string name() const override { return demangle_type<T>(); }

 protected:
  variable_list call_backward(variable_list grads) override {
    return T::backward(&ctx_, std::move(grads));
  }
};

namespace detail {
inline void extract_vars(std::vector<bool>& is_var, variable_list& list, const Tensor& t) {
  is_var.push_back(true);
  list.push_back(t);
}
inline void extract_vars(std::vector<bool>& is_var, variable_list& list, TensorList ts) {
  for (const Tensor& t : ts) {
    is_var.push_back(true);
    list.push_back(t);
  }
}
inline void extract_vars(std::vector<bool>& is_var, variable_list& list, const variable_list& ts) {
  extract_vars(is_var, list, TensorList(ts));
}
// An optional tensor is an input when it holds a defined tensor.
inline void extract_vars(std::vector<bool>& is_var, variable_list& list,
                         const std::optional<Tensor>& t) {
  const bool present = t.has_value() && t->defined();
  is_var.push_back(present);
  if (present) list.push_back(*t);
}
template <class X>
void extract_vars(std::vector<bool>& is_var, variable_list&, const X&) {
  is_var.push_back(false);
}
template <class T, class = void>
struct OnceDifferentiable : std::false_type {};
template <class T>
struct OnceDifferentiable<T, std::void_t<decltype(T::once_differentiable)>>
    : std::bool_constant<T::once_differentiable> {};
}  // namespace detail

/// CRTP base of custom functions: see the top of this file.
template <class T>
struct Function {
  template <class X = T, class... Args>
  static auto apply(Args&&... args) {
    using Out = decltype(X::forward(std::declval<AutogradContext*>(), std::forward<Args>(args)...));
    static_assert(std::is_same_v<Out, Tensor> || std::is_same_v<Out, variable_list>,
                  "forward must return a Tensor or a variable_list");
    auto node = std::make_shared<CppNode<X>>();
    variable_list inputs;
    (detail::extract_vars(node->is_variable_input_, inputs, args), ...);
    node->begin(inputs);
    Out out;
    {
      AutoGradMode no_grad(false);
      out = X::forward(&node->ctx_, std::forward<Args>(args)...);
    }
    variable_list outputs;
    if constexpr (std::is_same_v<Out, Tensor>)
      outputs = {out};
    else
      outputs = std::move(out);
    node->finish(inputs, outputs, detail::OnceDifferentiable<X>::value);
    if constexpr (std::is_same_v<Out, Tensor>)
      return outputs[0];
    else
      return outputs;
  }
};

}  // namespace tg::autograd
