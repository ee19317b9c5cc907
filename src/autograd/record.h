#pragma once
// How an op records its backward: see Note [Recording an op].
//
// Note [Recording an op]
// Every differentiable op is written once, forward and derivative side by side:
//
//   Tensor mul(const Tensor& self, const Tensor& other) {
//     Tensor result = kernels::binary(BinaryOp::Mul, self, other);
//     if (autograd::needs_grad(self, other))
//       autograd::record("MulBackward0", {self, other}, {result}, autograd::save(self, other),
//                        [](autograd::BackwardArgs<2>& a) -> variable_list {
//                          return {a.grad() * a.saved[1], a.grad() * a.saved[0]};
//                        });
//     return result;
//   }
//
// The derivative is written with differentiable ops, so double backward needs nothing more. It
// returns one gradient per input (undefined where none flows; skip work with a.needs(i)). A
// gradient may have the broadcast shape of the output: the engine sums it to the input's shape
// (See Note [Gradient validation] in engine.cpp). Tensors the derivative needs are saved through
// save(), never captured by the lambda: saved tensors are version-checked and freed after
// backward. Non-tensor arguments (sizes, dims, scalars) are captured by value.
#include <array>
#include <initializer_list>
#include <utility>

#include "autograd/meta.h"
#include "core/small_pool.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"

namespace tg::autograd {

/// True when grad mode is on and any of the tensors requires grad, unless they are all inference
/// tensors (an op on inference tensors alone records nothing, as libtorch's; see InferenceMode).
template <class... Ts>
inline bool needs_grad(const Ts&... ts) {
  return GradMode::is_enabled() && ((ts.defined() && ts.requires_grad()) || ...) &&
         ((ts.defined() && !ts.unsafeGetTensorImpl()->is_inference) || ...);
}
inline bool needs_grad_list(TensorList ts) {
  if (!GradMode::is_enabled()) return false;
  bool any_requires_grad = false, any_normal = false;
  for (const Tensor& t : ts) {
    if (!t.defined()) continue;
    any_requires_grad = any_requires_grad || t.requires_grad();
    any_normal = any_normal || !t.unsafeGetTensorImpl()->is_inference;
  }
  return any_requires_grad && any_normal;
}

/// A tensor for the backward: an input as it is, or an output marked with output().
struct ToSave {
  ToSave(const Tensor& t) : tensor(t) {}  // NOLINT
  ToSave(const Tensor& t, bool out) : tensor(t), is_output(out) {}
  Tensor tensor;
  bool is_output = false;
};
inline ToSave output(const Tensor& t) { return ToSave(t, true); }
template <class... S>
std::array<ToSave, sizeof...(S)> save(const S&... s) {
  return {ToSave(s)...};
}

/// What a derivative sees: the output gradients (never undefined: missing ones are zeros), the
/// saved tensors in save() order, and which inputs need a gradient.
template <size_t K>
struct BackwardArgs {
  variable_list& grads;
  std::array<Tensor, K>& saved;
  const Node& node;
  const Tensor& grad() const { return grads[0]; }
  bool needs(size_t input) const { return node.should_compute_output(input); }
};

/// The node every built-in op records: a name, K saved tensors and a derivative function.
template <size_t K, class Fn>
class OpNode final : public Node {
 public:
  OpNode(const char* name, Fn fn) : name_(name), fn_(std::move(fn)) {}
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    materialize_zeros(grads);
    std::array<Tensor, K> unpacked;
    if constexpr (K > 0) {
      auto self = shared_from_this();
      for (size_t i = 0; i < K; ++i) unpacked[i] = saved_[i].unpack(self);
    }
    BackwardArgs<K> args{grads, unpacked, *this};
    return fn_(args);
  }
  void release_variables() override {
    for (auto& s : saved_) s.reset();
  }
  std::vector<std::string> saved_tensors_info() const override {
    std::vector<std::string> info;
    for (const auto& s : saved_)
      if (s.defined()) info.push_back(s.describe());
    return info;
  }
  std::array<SavedVariable, K> saved_;

 private:
  void materialize_zeros(variable_list& grads) const {
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i].defined()) grads[i] = zeros(input_metadata_[i].sizes, input_metadata_[i].dtype);
  }
  const char* name_;
  Fn fn_;
};

/// Wires a new node: an edge per input (invalid for inputs that need no grad), and history for
/// each output (grad_fn, output_nr, the metadata the engine validates gradients against).
void init_node(Node& node, TensorList inputs, TensorList outputs);

template <size_t K, class Fn>
std::shared_ptr<Node> record_impl(const char* name, TensorList inputs, TensorList outputs,
                                  std::array<ToSave, K>&& saves, Fn&& fn) {
  using NodeType = OpNode<K, std::decay_t<Fn>>;
  auto node = std::allocate_shared<NodeType>(tg::detail::PoolAllocator<NodeType>(), name,
                                             std::forward<Fn>(fn));
  init_node(*node, inputs, outputs);
  for (size_t i = 0; i < K; ++i)
    node->saved_[i] = SavedVariable(saves[i].tensor, saves[i].is_output);
  return node;
}

template <size_t K, class Fn>
std::shared_ptr<Node> record(const char* name, std::initializer_list<Tensor> inputs,
                             std::initializer_list<Tensor> outputs, std::array<ToSave, K>&& saves,
                             Fn&& fn) {
  return record_impl(name, inputs, outputs, std::move(saves), std::forward<Fn>(fn));
}
/// For ops with a variable number of inputs or outputs (cat, split, unbind...).
template <size_t K, class Fn>
std::shared_ptr<Node> record_list(const char* name, TensorList inputs, TensorList outputs,
                                  std::array<ToSave, K>&& saves, Fn&& fn) {
  return record_impl(name, inputs, outputs, std::move(saves), std::forward<Fn>(fn));
}

}  // namespace tg::autograd

namespace tg {
// Ops are written in namespace tg and name the recording vocabulary unqualified.
using autograd::BackwardArgs;
using autograd::needs_grad;
using autograd::output;
using autograd::record;
using autograd::save;
}  // namespace tg
