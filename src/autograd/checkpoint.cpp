// Activation checkpointing: keep the inputs, recompute the rest during backward.
#include "autograd/meta.h"
#include "autograd/record.h"
#include "core/internal.h"

namespace tg::autograd {

namespace {

// Note [Checkpointing]
// The forward runs fn without recording a graph and keeps only fn's inputs and the generator's
// state. Its backward runs fn again with grad mode on — from the same random state, so dropout
// and friends draw the same numbers — and differentiates that fresh graph. When the outer
// backward builds a graph (create_graph), the recomputation uses the original inputs, so the
// gradients it returns carry history to them and double backward works.
class CheckpointNode final : public Node {
 public:
  CheckpointNode(VariableListFn fn, std::string rng) : fn_(std::move(fn)), rng_(std::move(rng)) {}
  std::string name() const override { return "CheckpointFunctionBackward"; }

  variable_list apply(variable_list&& grads) override {
    const bool create_graph = GradMode::is_enabled();
    auto self = shared_from_this();
    variable_list inputs, targets;
    std::vector<size_t> target_index;
    for (size_t i = 0; i < saved_.size(); ++i) {
      Tensor x = saved_[i].unpack(self);
      if (x.defined() && !create_graph) x = x.detach().requires_grad_(x.requires_grad());
      if (x.defined() && x.requires_grad() && should_compute_output(i)) {
        targets.push_back(x);
        target_index.push_back(i);
      }
      inputs.push_back(x);
    }
    variable_list outputs;
    {
      const std::string now = tg::detail::rng_state();
      tg::detail::set_rng_state(rng_);
      AutoGradMode enable(true);
      outputs = fn_(inputs);
      tg::detail::set_rng_state(now);
    }
    // grads[k] belongs to the k-th floating-point output (the ones given history in forward).
    variable_list roots, root_grads;
    size_t k = 0;
    for (const Tensor& out : outputs) {
      if (!out.is_floating_point()) continue;
      if (k < grads.size() && grads[k].defined() && out.requires_grad()) {
        roots.push_back(out);
        root_grads.push_back(grads[k]);
      }
      ++k;
    }
    variable_list result(saved_.size());
    if (roots.empty() || targets.empty()) return result;
    variable_list g = grad(roots, targets, root_grads, /*retain_graph=*/create_graph, create_graph,
                           /*allow_unused=*/true);
    for (size_t t = 0; t < g.size(); ++t) result[target_index[t]] = g[t];
    return result;
  }
  void release_variables() override {
    for (SavedVariable& s : saved_) s.reset();
  }
  std::vector<std::string> saved_tensors_info() const override {
    std::vector<std::string> info;
    for (const SavedVariable& s : saved_)
      if (s.defined()) info.push_back(s.describe());
    return info;
  }

  std::vector<SavedVariable> saved_;

 private:
  VariableListFn fn_;
  std::string rng_;
};

}  // namespace

variable_list checkpoint(const VariableListFn& fn, const variable_list& inputs) {
  const std::string rng = tg::detail::rng_state();
  variable_list outputs;
  {
    AutoGradMode no_grad(false);
    outputs = fn(inputs);
  }
  if (!needs_grad_list(inputs)) return outputs;
  auto node = std::make_shared<CheckpointNode>(fn, rng);
  variable_list differentiable;
  for (Tensor& out : outputs) {
    TG_CHECK(out.defined(), "checkpoint: fn returned an undefined tensor");
    // Outputs must be fresh tensors to carry this node's history.
    bool fresh = !out.requires_grad() && out.is_leaf();
    for (const Tensor& in : inputs) fresh = fresh && !(in.defined() && in.is_same(out));
    if (!fresh) out = out.detach();
    if (out.is_floating_point()) differentiable.push_back(out);
  }
  init_node(*node, inputs, differentiable);
  for (const Tensor& in : inputs) node->saved_.emplace_back(in, false);
  return outputs;
}

}  // namespace tg::autograd
