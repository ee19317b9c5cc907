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
  struct PostAccumulateHook {
    unsigned handle;
    std::function<void(const Tensor&)> fn;
  };
  // Run by a leaf's AccumulateGrad after the gradient is in .grad().
  std::vector<PostAccumulateHook> post_accumulate_hooks;
  // Every hook register_hook added, at the position it returned: the grad_fn it went to (empty
  // for a leaf hook) and its handle there.
  struct HookRef {
    std::weak_ptr<Node> node;
    unsigned handle;
  };
  std::vector<HookRef> hooks;
  unsigned retain_grad_hook = 0;  // the retain_grad() hook's handle on grad_fn
  std::mutex mutex;               // guards grad and grad_accumulator across threads
};

/// The meta of t, created on first use.
AutogradMeta& meta_of(const Tensor& t);
inline AutogradMeta* meta_if(const Tensor& t) { return t.unsafeGetTensorImpl()->autograd.get(); }

/// The edge a gradient for t travels along: its grad_fn, or its AccumulateGrad if a leaf that
/// requires grad, or an invalid edge.
Edge gradient_edge(const Tensor& t);

/// A fresh handle for a registered hook.
unsigned next_hook_id();

/// Makes t output `output_nr` of fn (a new output, or a tensor whose history an in-place op
/// replaced): a retain_grad() hook follows it to fn, and a view notes the version of its
/// storage that this history belongs to (See Note [Views and in-place] in view.cpp).
void set_history(const Tensor& t, std::shared_ptr<Node> fn, uint32_t output_nr);

/// The tensor pre-hook that keeps the gradient of a non-leaf in its .grad() (retain_grad()).
std::function<Tensor(const Tensor&)> retain_grad_hook(std::weak_ptr<AutogradMeta> meta);

/// Whether the backward pass running on this thread will run `node` or capture a gradient at it
/// (true outside a backward). Custom Functions' needs_input_grad asks it.
bool current_pass_wants(const Node* node);

/// Releases a node without recursion: see Note [Node lifetime].
void release_node(std::shared_ptr<Node>&& node);

}  // namespace tg::autograd
