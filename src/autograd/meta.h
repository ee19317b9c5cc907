#pragma once
// Autograd state of a tensor and saved tensors: private to the library.
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "tensorgrad/autograd.h"
#include "tensorgrad/autograd/saved_variable.h"

namespace tg::autograd {

/// What a tensor knows about autograd. Present only on tensors that require grad (leaves), that
/// an op created with history, or that carry a .grad().
struct AutogradMeta {
  bool requires_grad = false;  // for leaves; non-leaves require grad through grad_fn
  bool retains_grad = false;
  uint32_t output_nr = 0;
  std::shared_ptr<Node> grad_fn;
  std::weak_ptr<Node> grad_accumulator;  // leaves only; the graph owns it
  Tensor grad;
  struct Hook {
    unsigned handle;
    std::function<Tensor(const Tensor&)> fn;
  };
  std::vector<Hook> leaf_hooks;  // hooks of a leaf, run by its AccumulateGrad
  unsigned retain_grad_hook = 0;
  std::mutex mutex;  // guards grad and grad_accumulator across threads
};

/// The meta of t, created on first use.
AutogradMeta& meta_of(const Tensor& t);
inline AutogradMeta* meta_if(const Tensor& t) { return t.unsafeGetTensorImpl()->autograd.get(); }

/// The edge a gradient for t travels along: its grad_fn, or its AccumulateGrad if a leaf that
/// requires grad, or an invalid edge.
Edge gradient_edge(const Tensor& t);

/// A fresh handle for a registered hook.
unsigned next_hook_id();

/// Releases a node without recursion: see Note [Node lifetime].
void release_node(std::shared_ptr<Node>&& node);

}  // namespace tg::autograd
