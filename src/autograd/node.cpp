#include <atomic>

#include "autograd/accumulate_grad.h"
#include "autograd/anomaly.h"
#include "autograd/checkpoint.h"
#include "autograd/meta.h"
#include "autograd/view.h"
#include "core/internal.h"
#include "core/small_pool.h"
#include "tensorgrad/demangle.h"

namespace tg::autograd {

namespace {
thread_local uint64_t next_sequence_nr = 0;
std::atomic<unsigned> next_hook_handle{1};
}  // namespace

Node::Node() : sequence_nr_(next_sequence_nr++) {}
Node::Node(edge_list&& next_edges)
    : next_edges_(std::move(next_edges)), sequence_nr_(next_sequence_nr++) {}

std::string Node::name() const { return demangle(typeid(*this).name()); }

// The hooks of a node: most nodes have none, so they live behind one pointer.
struct Node::Hooks {
  struct TensorHook {
    unsigned handle;
    uint32_t output_nr;
    std::function<Tensor(const Tensor&)> fn;
  };
  std::vector<TensorHook> tensor_pre;
  std::vector<std::unique_ptr<FunctionPreHook>> pre;
  std::vector<std::unique_ptr<FunctionPostHook>> post;
};

Node::Hooks& Node::hooks() {
  if (!hooks_) hooks_ = std::make_unique<Hooks>();
  return *hooks_;
}

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
  hooks().tensor_pre.push_back(Hooks::TensorHook{handle, output_nr, std::move(fn)});
  return handle;
}

void Node::remove_tensor_pre_hook(unsigned handle) {
  if (hooks_)
    std::erase_if(hooks_->tensor_pre,
                  [&](const Hooks::TensorHook& h) { return h.handle == handle; });
}

void Node::run_tensor_pre_hooks(variable_list& grads) const {
  if (!hooks_) return;
  for (const Hooks::TensorHook& h : hooks_->tensor_pre) {
    if (h.output_nr >= grads.size() || !grads[h.output_nr].defined()) continue;
    Tensor replaced = h.fn(grads[h.output_nr]);
    if (replaced.defined()) grads[h.output_nr] = std::move(replaced);
  }
}

void Node::clear_tensor_pre_hooks() {
  if (hooks_) hooks_->tensor_pre.clear();
}

void Node::add_pre_hook(std::unique_ptr<FunctionPreHook>&& hook) {
  hooks().pre.push_back(std::move(hook));
}

uintptr_t Node::add_post_hook(std::unique_ptr<FunctionPostHook>&& hook) {
  hooks().post.push_back(std::move(hook));
  return reinterpret_cast<uintptr_t>(hooks_->post.back().get());
}

bool Node::del_post_hook(const uintptr_t& key) {
  if (!hooks_) return false;
  auto& post = hooks_->post;
  for (auto it = post.begin(); it != post.end(); ++it) {
    if (reinterpret_cast<uintptr_t>(it->get()) == key) {
      post.erase(it);
      return true;
    }
  }
  return false;
}

const std::vector<std::unique_ptr<FunctionPreHook>>& Node::pre_hooks() const {
  static const std::vector<std::unique_ptr<FunctionPreHook>> none;
  return hooks_ ? hooks_->pre : none;
}

const std::vector<std::unique_ptr<FunctionPostHook>>& Node::post_hooks() const {
  static const std::vector<std::unique_ptr<FunctionPostHook>> none;
  return hooks_ ? hooks_->post : none;
}

bool Node::should_compute_output(std::initializer_list<IndexRange> ranges) const {
  for (const IndexRange& r : ranges)
    for (size_t i = r.first; i < r.second; ++i)
      if (should_compute_output(i)) return true;
  return false;
}

bool Node::task_should_compute_output(size_t i) const {
  return should_compute_output(i) && current_pass_wants(next_edges_[i].function.get());
}

bool Node::task_should_compute_output(std::initializer_list<IndexRange> ranges) const {
  for (const IndexRange& r : ranges)
    for (size_t i = r.first; i < r.second; ++i)
      if (task_should_compute_output(i)) return true;
  return false;
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
  // A view's history may have to be rebuilt from its base first: See Note [Views and in-place].
  if (t.unsafeGetTensorImpl()->base) [[unlikely]]
    view_grad_fn(t);
  AutogradMeta* m = meta_if(t);
  if (!m) return Edge();
  if (m->grad_fn) return Edge(m->grad_fn, m->output_nr);
  if (m->requires_grad) return Edge(grad_accumulator(t), 0);
  return Edge();
}

std::function<Tensor(const Tensor&)> retain_grad_hook(std::weak_ptr<AutogradMeta> weak) {
  return [weak = std::move(weak)](const Tensor& g) {
    if (auto meta = weak.lock()) {
      std::lock_guard<std::mutex> lock(meta->mutex);
      if (!meta->grad.defined()) {
        meta->grad = GradMode::is_enabled() ? g : g.detach().clone();
      } else {
        meta->grad = meta->grad + (GradMode::is_enabled() ? g : g.detach());
      }
      meta->grad.unsafeGetTensorImpl()->is_grad = true;
    }
    return Tensor();
  };
}

void set_history(const Tensor& t, std::shared_ptr<Node> fn, uint32_t output_nr) {
  TensorImpl* impl = t.unsafeGetTensorImpl();
  AutogradMeta& m = meta_of(t);
  if (m.retains_grad) [[unlikely]] {
    // The retained gradient is the one of the tensor's current value: its hook moves along.
    if (m.grad_fn) m.grad_fn->remove_tensor_pre_hook(m.retain_grad_hook);
    m.retain_grad_hook = fn->add_tensor_pre_hook(output_nr, retain_grad_hook(impl->autograd));
  }
  m.grad_fn = std::move(fn);
  m.output_nr = output_nr;
  m.requires_grad = false;
  if (impl->base) impl->view_version = impl->storage->version.load(std::memory_order_relaxed);
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
    set_history(out, self, static_cast<uint32_t>(i));
  }
  if (AnomalyMode::is_enabled()) node.set_creation_trace(forward_trace(node.name()));
}

// ---- UndefinedGrad, make_variable ----

variable_list UndefinedGrad::apply(variable_list&& inputs) {
  variable_list outputs;
  outputs.reserve(inputs.size());
  for (const Tensor& in : inputs) outputs.push_back(in.defined() ? in.detach().clone() : Tensor());
  if (GradMode::is_enabled()) {
    bool any = false;
    for (const Tensor& in : inputs) any = any || (in.defined() && in.requires_grad());
    if (any) {
      edge_list edges;
      for (const Tensor& in : inputs) edges.push_back(gradient_edge(in));
      auto node = std::make_shared<UndefinedGradBackward>(std::move(edges));
      for (size_t i = 0; i < outputs.size(); ++i) {
        if (!outputs[i].defined()) {
          node->add_input_metadata(InputMetadata{kFloat, {}});
          continue;
        }
        node->add_input_metadata(outputs[i]);
        set_history(outputs[i], node, static_cast<uint32_t>(i));
      }
    }
  }
  return outputs;
}

variable_list UndefinedGradBackward::apply(variable_list&&) { return variable_list(num_outputs()); }

Variable make_variable(const Tensor& data, bool requires_grad) {
  if (!data.defined()) return Variable();
  Tensor out = data.tensor_data();
  if (requires_grad) out.requires_grad_(true);
  return out;
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
  std::unique_lock<std::mutex> lock(m.mutex);
  if (!m.grad.defined()) {
    // Keep the gradient only if no one else can see it; a shared one (the user's `gradient`
    // argument, or a tensor a hook kept) is copied so that later accumulation cannot alias it.
    if (GradMode::is_enabled()) {
      m.grad = g.clone();  // create_graph: keep the history, in a tensor of the leaf's own
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
  if (!m.post_accumulate_hooks.empty()) {
    lock.unlock();  // a hook may read or replace .grad()
    // A copy: a hook may register or remove hooks.
    std::vector<AutogradMeta::PostAccumulateHook> hooks = m.post_accumulate_hooks;
    for (const auto& h : hooks) h.fn(variable_);
  }
  return {};
}

unsigned register_post_accumulate_grad_hook(const Tensor& leaf,
                                            std::function<void(const Tensor&)> fn) {
  TG_CHECK(leaf.defined() && leaf.requires_grad() && leaf.is_leaf(),
           "register_post_accumulate_grad_hook: the tensor must be a leaf that requires grad "
           "(post accumulate grad hooks cannot be registered on non-leaf tensors)");
  AutogradMeta& m = meta_of(leaf);
  unsigned handle = next_hook_id();
  m.post_accumulate_hooks.push_back({handle, std::move(fn)});
  return handle;
}

bool remove_post_accumulate_grad_hook(const Tensor& leaf, unsigned handle) {
  AutogradMeta* m = leaf.defined() ? meta_if(leaf) : nullptr;
  if (!m) return false;
  return std::erase_if(m->post_accumulate_hooks, [&](const AutogradMeta::PostAccumulateHook& h) {
           return h.handle == handle;
         }) > 0;
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
  Tensor out = detail::shallow_copy(data);
  if (requires_grad_) set_history(out, history, output_nr_);
  return out;
}

}  // namespace tg::autograd
