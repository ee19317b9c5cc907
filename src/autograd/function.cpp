// Custom Functions: the node that runs a user's backward, and the wiring of its outputs.
#include "tensorgrad/autograd/function.h"

#include "autograd/anomaly.h"
#include "autograd/meta.h"
#include "autograd/record.h"
#include "autograd/view.h"
#include "core/internal.h"

namespace tg::autograd {

void AutogradContext::mark_dirty(const variable_list& inputs) {
  for (const Tensor& t : inputs) dirty_.insert(t.unsafeGetTensorImpl());
}

void AutogradContext::mark_non_differentiable(const variable_list& outputs) {
  for (const Tensor& t : outputs) non_differentiable_.insert(t.unsafeGetTensorImpl());
}

variable_list AutogradContext::get_saved_variables() const {
  variable_list out;
  auto node = node_.lock();
  TG_CHECK(node != nullptr || saved_.empty(),
           "get_saved_variables: the Function's node no longer exists");
  for (const SavedVariable& s : saved_) out.push_back(s.unpack(node));
  return out;
}

bool AutogradContext::needs_input_grad(size_t index) const {
  auto node = node_.lock();
  return node && node->task_should_compute_output(index);
}

bool AutogradContext::needs_input_grad(std::initializer_list<IndexRange> idxs) const {
  auto node = node_.lock();
  return node && node->task_should_compute_output(idxs);
}

const std::unordered_set<TensorImpl*>& AutogradContext::get_and_bump_dirty() const {
  for (TensorImpl* t : dirty_) t->storage->version.fetch_add(1, std::memory_order_relaxed);
  return dirty_;
}

void CustomNodeBase::begin(const variable_list& inputs) {
  executable_ = needs_grad_list(inputs);
  ctx_.node_ = std::static_pointer_cast<CustomNodeBase>(shared_from_this());
  if (!executable_) return;
  if (AnomalyMode::is_enabled()) set_creation_trace(forward_trace(name()));
  edge_list edges;
  for (const Tensor& in : inputs) edges.push_back(gradient_edge(in));
  set_next_edges(std::move(edges));
}

namespace {
// A view of t with all of its data: what a Function returns for an input it returns as it is.
Tensor view_of_self(const Tensor& t) {
  return tg::detail::make_view(t, t.sizes(), t.strides(), t.unsafeGetTensorImpl()->offset);
}
}  // namespace

void CustomNodeBase::finish(const variable_list& inputs, variable_list& outputs,
                            bool once_differentiable) {
  once_differentiable_ = once_differentiable;
  auto is_input = [&](const Tensor& t) {
    for (const Tensor& in : inputs)
      if (in.defined() && in.is_same(t)) return true;
    return false;
  };
  // Inputs modified in place: their version moves, whether or not autograd records anything.
  const auto& dirty = ctx_.get_and_bump_dirty();
  std::shared_ptr<Node> self = executable_ ? shared_from_this() : nullptr;
  for (size_t i = 0; i < outputs.size(); ++i) {
    Tensor& out = outputs[i];
    if (!out.defined()) {
      if (executable_) add_input_metadata(InputMetadata{kFloat, {}});
      continue;
    }
    TensorImpl* impl = out.unsafeGetTensorImpl();
    const bool modified = dirty.count(impl) > 0;
    const bool input = is_input(out);
    const bool differentiable =
        executable_ && !ctx_.non_differentiable_.count(impl) && is_floating_point(out.dtype());
    if (executable_) add_input_metadata(out);
    const auto output_nr = static_cast<uint32_t>(i);
    if (!differentiable) {
      // Outputs without this history: an input returned as it is, or an output that requires
      // grad through its own history, comes back detached (a view of another input keeps
      // requiring grad through its base, as a view made with grad mode off does).
      if (!out.requires_grad()) {
        if (input && !modified) out = view_of_self(out);
      } else if (input) {
        out = out.detach();
      } else if (!out.is_view()) {
        out.detach_();
      }
    } else if (modified) {
      if (out.is_view()) {
        // As an in-place op on a view: the base records the change (Note [Views and in-place]).
        // The view's history is rebuilt from it later: its version moved above.
        check_inplace_on_view(out, name().c_str());
        Tensor changed = out.tensor_data();
        set_history(changed, self, output_nr);
        rebase_view(out, changed);
      } else {
        TG_CHECK(!(out.is_leaf() && out.requires_grad()), name(),
                 ": a leaf Variable that requires grad has been used in an in-place operation "
                 "(marked dirty); clone it before passing it to the Function");
        set_history(out, self, output_nr);
      }
    } else {
      // An input returned unchanged becomes a view of it with this history.
      if (input) out = view_of_self(out);
      set_history(out, self, output_nr);
    }
    // A rebuilt history would bypass this Function's backward: in-place changes to its views
    // throw (See Note [Views and in-place] in view.cpp).
    if (!(input && modified) && out.is_view())
      out.unsafeGetTensorImpl()->creation_meta = CreationMeta::IN_CUSTOM_FUNCTION;
  }
  if (!executable_) {
    ctx_.to_save_.clear();
    return;
  }
  for (const Tensor& t : ctx_.to_save_)
    ctx_.saved_.emplace_back(t, t.defined() && t.grad_fn() == self);
  ctx_.to_save_.clear();
}

namespace {
// Stands in for the gradient of a once-differentiable Function when a graph of the backward is
// requested: differentiating through it throws.
class DelayedError final : public Node {
 public:
  explicit DelayedError(std::string function) : function_(std::move(function)) {}
  std::string name() const override { return "DelayedError"; }
  variable_list apply(variable_list&&) override {
    tg::detail::fail(
        "trying to differentiate twice a function that was marked once_differentiable (", function_,
        "): its backward is not differentiable; compute only first "
        "derivatives through it, or write its backward with differentiable tg ops and "
        "remove the marker");
  }

 private:
  std::string function_;
};
}  // namespace

variable_list CustomNodeBase::apply(variable_list&& grads) {
  if (ctx_.materialize_grads_)
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i].defined()) grads[i] = zeros(input_metadata(i).sizes, input_metadata(i).dtype);
  const bool wants_graph = GradMode::is_enabled();
  variable_list out;
  {
    AutoGradMode mode(wants_graph && !once_differentiable_);
    out = call_backward(grads);
  }
  const size_t expected = is_variable_input_.size();
  if (out.size() > expected) {
    for (size_t i = expected; i < out.size(); ++i)
      TG_CHECK(!out[i].defined(), "function ", name(),
               " backward returned an incorrect number of gradients (expected ", expected, ", got ",
               out.size(), ")");
    out.resize(expected);
  }
  TG_CHECK(out.size() == expected, "function ", name(),
           " backward returned an incorrect number of gradients (expected ", expected, ", got ",
           out.size(),
           "); return one gradient per forward argument, an undefined Tensor() for "
           "arguments that are not tensors");
  variable_list results;
  for (size_t i = 0; i < expected; ++i) {
    if (!is_variable_input_[i]) {
      TG_CHECK(!out[i].defined(), "function ", name(),
               " backward returned a defined gradient at position ", i + 1,
               ", but the corresponding forward input was not a Variable; return an undefined "
               "Tensor() for arguments that are not tensors");
      continue;
    }
    results.push_back(std::move(out[i]));
  }
  if (once_differentiable_ && wants_graph) {
    // The results depend on the forward inputs (through saved tensors) and on `grads`: a node
    // with edges to both stands in for them and throws if anyone differentiates through it.
    for (Tensor& r : results) {
      if (!r.defined()) continue;
      Tensor wrapped = r.detach();
      auto err = std::make_shared<DelayedError>(name());
      init_node(*err, grads, {wrapped});
      edge_list edges = err->next_edges();
      for (const Edge& e : next_edges()) edges.push_back(e);
      err->set_next_edges(std::move(edges));
      r = wrapped;
    }
  }
  return results;
}

void CustomNodeBase::release_variables() {
  for (SavedVariable& s : ctx_.saved_) s.reset();
  ctx_.saved_data.clear();  // may hold tensors: See Note [Reference cycles] in engine.cpp
}

std::vector<std::string> CustomNodeBase::saved_tensors_info() const {
  std::vector<std::string> info;
  for (const SavedVariable& s : ctx_.saved_)
    if (s.defined()) info.push_back(s.describe());
  return info;
}

}  // namespace tg::autograd
