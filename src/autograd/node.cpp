#include <atomic>

#include "autograd/accumulate_grad.h"
#include "autograd/anomaly.h"
#include "autograd/checkpoint.h"
#include "autograd/meta.h"
#include "core/internal.h"
#include "core/small_pool.h"

namespace tg::autograd {

namespace {
thread_local uint64_t next_sequence_nr = 0;
std::atomic<unsigned> next_hook_handle{1};
}  // namespace

Node::Node() : sequence_nr_(next_sequence_nr++) {}

// Note [Node lifetime]
// A node owns its next nodes through next_edges_ (and, through saved tensors, their grad_fns).
// Destroying the head of a chain a million nodes long would recurse a million deep, so a dying
// node hands the nodes it owns to release_node(), which destroys them from an explicit stack.
Node::~Node() {
  for (Edge& e : next_edges_) release_node(std::move(e.function));
}

void release_node(std::shared_ptr<Node>&& node) {
  if (!node) return;
  thread_local std::vector<std::shared_ptr<Node>> pending;
  thread_local bool draining = false;
  pending.push_back(std::move(node));
  if (draining) return;
  draining = true;
  while (!pending.empty()) {
    std::shared_ptr<Node> n = std::move(pending.back());
    pending.pop_back();
    n.reset();  // may push more nodes onto `pending`
  }
  draining = false;
}

void Node::add_input_metadata(const Tensor& t) {
  input_metadata_.push_back(InputMetadata{t.dtype(), DimVector(t.sizes())});
}

unsigned Node::add_tensor_pre_hook(uint32_t output_nr, std::function<Tensor(const Tensor&)> fn) {
  unsigned handle = next_hook_handle++;
  tensor_pre_hooks_.push_back(Hook{handle, output_nr, std::move(fn)});
  return handle;
}

void Node::remove_tensor_pre_hook(unsigned handle) {
  std::erase_if(tensor_pre_hooks_, [&](const Hook& h) { return h.handle == handle; });
}

void Node::run_tensor_pre_hooks(variable_list& grads) const {
  for (const Hook& h : tensor_pre_hooks_) {
    if (h.output_nr >= grads.size() || !grads[h.output_nr].defined()) continue;
    Tensor replaced = h.fn(grads[h.output_nr]);
    if (replaced.defined()) grads[h.output_nr] = std::move(replaced);
  }
}

unsigned next_hook_id() { return next_hook_handle++; }

AutogradMeta& meta_of(const Tensor& t) {
  TensorImpl* impl = t.unsafeGetTensorImpl();
  if (!impl->autograd)
    impl->autograd = std::allocate_shared<AutogradMeta>(tg::detail::PoolAllocator<AutogradMeta>());
  return *impl->autograd;
}

namespace {
std::shared_ptr<Node> grad_accumulator(const Tensor& leaf) {
  AutogradMeta& m = meta_of(leaf);
  std::lock_guard<std::mutex> lock(m.mutex);
  if (auto acc = m.grad_accumulator.lock()) return acc;
  // The accumulator holds the leaf; the leaf holds it weakly, so no cycle.
  auto acc =
      std::allocate_shared<AccumulateGrad>(tg::detail::PoolAllocator<AccumulateGrad>(), leaf);
  m.grad_accumulator = acc;
  return acc;
}
}  // namespace

Edge gradient_edge(const Tensor& t) {
  if (!t.defined()) return Edge();
  AutogradMeta* m = meta_if(t);
  if (!m) return Edge();
  if (m->grad_fn) return Edge(m->grad_fn, m->output_nr);
  if (m->requires_grad) return Edge(grad_accumulator(t), 0);
  return Edge();
}

void init_node(Node& node, TensorList inputs, TensorList outputs) {
  edge_list edges;
  edges.reserve(inputs.size());
  for (const Tensor& in : inputs) edges.push_back(gradient_edge(in));
  node.set_next_edges(std::move(edges));
  std::shared_ptr<Node> self = node.shared_from_this();
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    node.add_input_metadata(out);
    AutogradMeta& m = meta_of(out);
    m.grad_fn = self;
    m.output_nr = static_cast<uint32_t>(i);
    m.requires_grad = false;
  }
  if (AnomalyMode::is_enabled()) node.set_creation_trace(forward_trace(node.name()));
}

// ---- AccumulateGrad ----

AccumulateGrad::AccumulateGrad(Tensor leaf) : variable_(std::move(leaf)) {
  add_input_metadata(variable_);
  sequence_nr_ = UINT64_MAX;  // run as soon as ready, as libtorch
}

variable_list AccumulateGrad::apply(variable_list&& grads) {
  Tensor g = std::move(grads.at(0));
  if (!g.defined()) return {};
  AutogradMeta& m = meta_of(variable_);
  for (const auto& h : m.leaf_hooks) {
    Tensor replaced = h.fn(g);
    if (replaced.defined()) g = std::move(replaced);
  }
  std::lock_guard<std::mutex> lock(m.mutex);
  if (!m.grad.defined()) {
    // Keep the gradient only if no one else can see it; a shared one (the user's `gradient`
    // argument, or a tensor a hook kept) is copied so that later accumulation cannot alias it.
    if (GradMode::is_enabled()) {
      m.grad = g;  // create_graph: keep the history
    } else if (g.impl().use_count() == 1 && !g.unsafeGetTensorImpl()->is_view &&
               g.is_contiguous() && !g.requires_grad()) {
      m.grad = std::move(g);
    } else {
      m.grad = g.detach().clone();
    }
  } else if (GradMode::is_enabled() || m.grad.requires_grad()) {
    m.grad = m.grad + g;  // out of place: the old grad may be part of a graph
  } else {
    m.grad.add_(g);
  }
  m.grad.unsafeGetTensorImpl()->is_grad = true;
  return {};
}

// ---- SavedVariable ----

SavedVariable::SavedVariable(const Tensor& t, bool is_output) {
  if (!t.defined()) return;
  TG_CHECK(!t.is_inference(),
           "Inference tensors cannot be saved for backward. To work around you can make a clone "
           "to get a normal tensor and use it in autograd.");
  was_defined_ = true;
  is_output_ = is_output;
  version_ = t._version();
  requires_grad_ = t.requires_grad();
  output_nr_ = meta_if(t) ? meta_if(t)->output_nr : 0;
  if (auto slot = checkpoint_slot(t)) {  // See Note [Checkpointing]
    frame_ = std::move(slot->first);
    slot_ = slot->second;
    if (!is_output) grad_fn_ = t.grad_fn();
    return;
  }
  // An output is kept without its grad_fn: that is the saving node (a cycle).
  data_ = is_output ? t.detach() : t;
}

void SavedVariable::reset() {
  if (frame_) {
    released_ = true;
    frame_->release(slot_);
    frame_.reset();
    release_node(std::move(grad_fn_));
    return;
  }
  if (!data_.defined()) return;
  released_ = true;
  // See Note [Node lifetime]: if this was the last handle on a tensor with history, release its
  // grad_fn through the explicit stack.
  TensorImpl* impl = data_.unsafeGetTensorImpl();
  if (data_.impl().use_count() == 1 && impl->autograd && impl->autograd.use_count() == 1 &&
      impl->autograd->grad_fn)
    release_node(std::move(impl->autograd->grad_fn));
  data_ = Tensor();
}

std::string SavedVariable::describe() const {
  if (released_) return "freed";
  if (frame_) return frame_->describe(slot_);
  return std::string(to_string(data_.dtype())) + " " + detail::shape_str(data_.sizes());
}

Tensor SavedVariable::unpack(const std::shared_ptr<Node>& owner) const {
  if (!was_defined_) return Tensor();
  TG_CHECK(!released_,
           "Trying to backward through the graph a second time (or directly access "
           "saved tensors after they have already been freed) in ",
           owner->name(),
           ". Saved intermediate values of the graph are freed when you call .backward() or "
           "autograd::grad(). Specify retain_graph=true if you need to backward through the "
           "graph a second time or if you need to access saved tensors after calling backward.");
  auto [data, version] = frame_ ? frame_->take(slot_) : std::make_pair(data_, version_);
  const uint32_t now = data._version();
  TG_CHECK(now == version,
           "one of the variables needed for gradient computation has been "
           "modified by an inplace operation: [",
           to_string(data.dtype()), "Tensor ", detail::shape_str(data.sizes()), "], which is ",
           is_output_ ? "output " : "an input of ",
           is_output_ ? std::to_string(output_nr_) + " of " : "", owner->name(), ", is at version ",
           now, "; expected version ", version,
           " instead. Hint: replace the in-place operation by its out-of-place form (e.g. "
           "x = x.mul(2) instead of x.mul_(2)), or clone() the tensor before modifying it.");
  // An output gets the owner back as its grad_fn so that double backward flows through it; a
  // value from a checkpoint frame gets the history of the tensor that was saved.
  const std::shared_ptr<Node>& history = is_output_ ? owner : grad_fn_;
  if (!history) return data;
  Tensor out =
      detail::make_view(data, data.sizes(), data.strides(), data.unsafeGetTensorImpl()->offset);
  out.unsafeGetTensorImpl()->is_view = data.unsafeGetTensorImpl()->is_view;
  if (requires_grad_) {
    AutogradMeta& m = meta_of(out);
    m.grad_fn = history;
    m.output_nr = output_nr_;
  }
  return out;
}

}  // namespace tg::autograd
