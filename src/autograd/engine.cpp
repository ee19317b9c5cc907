// The engine: runs the backward graph once, from the roots to the leaves.
#include <algorithm>
#include <queue>

#include "autograd/accumulate_grad.h"
#include "autograd/anomaly.h"
#include "autograd/meta.h"
#include "core/internal.h"

namespace tg::autograd {

namespace {

struct NodeTask {
  int dependencies = 0;
  bool executes = false;  // apply() runs (false for capture-only targets)
  bool is_target = false;
  variable_list buffer;  // gradients of the node's forward outputs, summed as they arrive
  std::vector<std::pair<uint32_t, size_t>> captures;  // (input_nr, index into the result)
};

struct ReadyOrder {
  bool operator()(Node* a, Node* b) const { return a->sequence_nr() < b->sequence_nr(); }
};

// Note [Gradient validation]
// Every gradient a node produces is checked against the metadata its consumer recorded in the
// forward pass. A gradient in the broadcast shape of the forward output is summed down to the
// input's shape here — the one place broadcasting is undone — and a gradient of another dtype is
// converted, as libtorch. Anything else is a bug in a backward function and throws.
Tensor validate_gradient(Tensor g, const Node& producer, size_t index, const Node& consumer,
                         uint32_t input_nr) {
  const InputMetadata& meta = consumer.input_metadata(input_nr);
  if (!g.sizes().equals(meta.sizes)) {
    bool reducible = g.dim() >= static_cast<int64_t>(meta.sizes.size());
    for (size_t i = 0; reducible && i < meta.sizes.size(); ++i) {
      int64_t want = meta.sizes[meta.sizes.size() - 1 - i];
      int64_t got = g.size(g.dim() - 1 - static_cast<int64_t>(i));
      reducible = want == got || want == 1;
    }
    TG_CHECK(reducible, "Function ", producer.name(), " returned an invalid gradient at index ",
             index, " - got ", detail::shape_str(g.sizes()), " but expected shape compatible with ",
             detail::shape_str(meta.sizes));
    g = sum_to(g, meta.sizes);
  }
  if (g.dtype() != meta.dtype) g = g.to(meta.dtype);
  return g;
}

void accumulate(Tensor& slot, Tensor&& g) {
  if (!slot.defined()) {
    slot = std::move(g);
  } else {
    slot = slot + g;
  }
}

// The nodes of one backward and their state: an open-addressing table from node to an index in
// a vector (cheaper than std::unordered_map's node per entry on the per-op path). Entries are
// only added while the graph is discovered; references stay valid after that.
class TaskTable {
 public:
  /// The task of `node`, and whether it was just added.
  std::pair<NodeTask*, bool> emplace(Node* node) {
    if ((tasks_.size() + 1) * 2 > slots_.size()) grow();
    size_t i = slot_of(node);
    if (keys_[i] == node) return {&tasks_[slots_[i]], false};
    keys_[i] = node;
    slots_[i] = static_cast<uint32_t>(tasks_.size());
    tasks_.emplace_back();
    order_.push_back(node);
    return {&tasks_.back(), true};
  }
  NodeTask* find(Node* node) {
    if (slots_.empty()) return nullptr;
    const size_t i = slot_of(node);
    return keys_[i] == node ? &tasks_[slots_[i]] : nullptr;
  }
  NodeTask& operator[](Node* node) { return *find(node); }
  const std::vector<Node*>& nodes() const { return order_; }

 private:
  size_t slot_of(Node* node) const {
    const size_t mask = keys_.size() - 1;
    size_t i = (reinterpret_cast<uintptr_t>(node) >> 4) * 0x9E3779B97F4A7C15ull >> 20 & mask;
    while (keys_[i] != nullptr && keys_[i] != node) i = (i + 1) & mask;
    return i;
  }
  void grow() {
    const size_t capacity = std::max<size_t>(16, keys_.size() * 2);
    keys_.assign(capacity, nullptr);
    slots_.assign(capacity, 0);
    for (size_t t = 0; t < order_.size(); ++t) {
      const size_t i = slot_of(order_[t]);
      keys_[i] = order_[t];
      slots_[i] = static_cast<uint32_t>(t);
    }
  }
  std::vector<Node*> keys_;
  std::vector<uint32_t> slots_;
  std::vector<NodeTask> tasks_;
  std::vector<Node*> order_;
};

struct GraphTask {
  TaskTable tasks;
  variable_list captured;
};

/// Runs the graph behind `roots`. With `targets` empty, every reachable node runs (backward);
/// otherwise only what leads to a target runs, and the gradients arriving at the targets are
/// returned; `run_targets` says whether the target nodes themselves run (backward with inputs)
/// or are only captured (grad).
variable_list run_graph(const edge_list& roots, variable_list root_grads, bool keep_graph,
                        bool create_graph, const edge_list& targets, bool run_targets) {
  GraphTask graph;
  auto& tasks = graph.tasks;

  // Discover the graph, iteratively, and remember a post-order (children before parents).
  std::vector<Node*> post_order;
  {
    std::vector<std::pair<Node*, size_t>> stack;
    for (const Edge& r : roots) {
      if (tasks.emplace(r.function.get()).second) stack.emplace_back(r.function.get(), 0);
      while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next < node->num_outputs()) {
          const Edge& e = node->next_edge(next++);
          if (e.is_valid() && tasks.emplace(e.function.get()).second)
            stack.emplace_back(e.function.get(), 0);
        } else {
          post_order.push_back(node);
          stack.pop_back();
        }
      }
    }
  }

  // Which nodes run, and where gradients are captured.
  graph.captured.resize(targets.size());
  if (targets.empty()) {
    for (Node* node : post_order) tasks[node].executes = true;
  } else {
    for (size_t i = 0; i < targets.size(); ++i) {
      NodeTask* target = tasks.find(targets[i].function.get());
      if (!target) continue;  // not in this graph: unused
      target->captures.emplace_back(targets[i].input_nr, i);
      target->is_target = true;
    }
    for (Node* node : post_order) {
      NodeTask& task = tasks[node];
      if (run_targets && task.is_target) task.executes = true;
      for (const Edge& e : node->next_edges()) {
        if (!e.is_valid()) continue;
        const NodeTask& child = tasks[e.function.get()];
        if (child.executes || !child.captures.empty()) task.executes = true;
      }
    }
  }
  for (Node* node : post_order) {
    if (!tasks[node].executes) continue;
    for (const Edge& e : node->next_edges()) {
      if (!e.is_valid()) continue;
      NodeTask& child = tasks[e.function.get()];
      if (child.executes || !child.captures.empty()) ++child.dependencies;
    }
  }

  std::priority_queue<Node*, std::vector<Node*>, ReadyOrder> ready;
  for (size_t i = 0; i < roots.size(); ++i) {
    Node* node = roots[i].function.get();
    NodeTask& task = tasks[node];
    task.buffer.resize(node->num_inputs());
    accumulate(task.buffer[roots[i].input_nr], std::move(root_grads[i]));
  }
  for (const Edge& r : roots) {
    NodeTask& task = tasks[r.function.get()];
    if (task.dependencies == 0 && (task.executes || !task.captures.empty())) {
      task.dependencies = -1;  // queued once even if it is several roots
      ready.push(r.function.get());
    }
  }

  AutoGradMode grad_mode(create_graph);
  while (!ready.empty()) {
    Node* node = ready.top();
    ready.pop();
    NodeTask& task = tasks[node];
    task.buffer.resize(node->num_inputs());  // slots no gradient reached stay undefined
    node->run_tensor_pre_hooks(task.buffer);
    for (auto [input_nr, index] : task.captures) graph.captured[index] = task.buffer[input_nr];
    if (!task.executes) continue;
    bool any_gradient = false;
    for (const Tensor& g : task.buffer) any_gradient = any_gradient || g.defined();
    variable_list outputs;
    if (any_gradient && AnomalyMode::is_enabled()) {
      try {
        outputs = node->apply(std::move(task.buffer));
      } catch (const Error& e) {
        detail::fail(e.what(), "\n(raised in the backward of ", node->name(), ")\n",
                     node->creation_trace());
      }
      check_anomaly(*node, outputs);
    } else if (any_gradient) {
      outputs = node->apply(std::move(task.buffer));
      TG_CHECK(outputs.size() == node->num_outputs(), "Function ", node->name(),
               " returned an incorrect number of gradients (expected ", node->num_outputs(),
               ", got ", outputs.size(), ")");
    } else {
      outputs.resize(node->num_outputs());  // nothing arrived: nothing flows on
    }
    if (!keep_graph) {
      // Note [Reference cycles]
      // A hook or a custom Function's saved_data may hold a tensor whose history leads back
      // to this node (y.register_hook([y](...) {...})): a cycle of shared pointers. Once a
      // backward has freed the graph, nothing can run these again, so the engine drops them
      // with the saved tensors, which breaks such cycles. Leaf hooks live on the leaf and a
      // hook that captures its own leaf is a cycle the user made; leaves hold their
      // AccumulateGrad weakly, so the engine itself never makes one.
      node->release_variables();
      node->clear_tensor_pre_hooks();
    }
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Edge& e = node->next_edge(i);
      if (!e.is_valid()) continue;
      NodeTask& child = tasks[e.function.get()];
      if (!child.executes && child.captures.empty()) continue;
      if (outputs[i].defined()) {
        Tensor g = validate_gradient(std::move(outputs[i]), *node, i, *e.function, e.input_nr);
        child.buffer.resize(e.function->num_inputs());
        accumulate(child.buffer[e.input_nr], std::move(g));
      }
      if (--child.dependencies == 0) ready.push(e.function.get());
    }
  }
  return std::move(graph.captured);
}

edge_list root_edges(const variable_list& tensors, const char* api) {
  edge_list roots;
  for (size_t i = 0; i < tensors.size(); ++i) {
    TG_CHECK(tensors[i].defined(), api, ": element ", i, " of tensors is undefined");
    Edge e = gradient_edge(tensors[i]);
    TG_CHECK(e.is_valid(), api, ": element ", i,
             " of tensors does not require grad and does not have a grad_fn; call "
             "requires_grad_() on the inputs before computing it");
    roots.push_back(std::move(e));
  }
  return roots;
}

variable_list root_gradients(const variable_list& tensors, const variable_list& grads,
                             const char* api) {
  TG_CHECK(grads.empty() || grads.size() == tensors.size(), api, ": got ", grads.size(),
           " gradients for ", tensors.size(), " tensors; pass one gradient per tensor");
  variable_list out;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (grads.empty() || !grads[i].defined()) {
      TG_CHECK(t.numel() == 1, api,
               ": grad can be implicitly created only for scalar outputs, "
               "but the output has shape ",
               detail::shape_str(t.sizes()),
               "; pass a gradient of that shape (e.g. tg::ones_like(output))");
      out.push_back(ones_like(t));
    } else {
      const Tensor& g = grads[i];
      TG_CHECK(g.sizes().equals(t.sizes()), api, ": the gradient has shape ",
               detail::shape_str(g.sizes()), " but the output has shape ",
               detail::shape_str(t.sizes()), "; pass a gradient of the output's exact shape");
      TG_CHECK(g.dtype() == t.dtype(), api, ": the gradient has dtype ", g.dtype(),
               " but the output has dtype ", t.dtype(), "; convert it with .to(tg::k",
               to_string(t.dtype()), ")");
      out.push_back(g);
    }
  }
  return out;
}

}  // namespace

void backward(const variable_list& tensors, const variable_list& grad_tensors,
              std::optional<bool> retain_graph, bool create_graph, const variable_list& inputs) {
  edge_list roots = root_edges(tensors, "backward");
  variable_list grads = root_gradients(tensors, grad_tensors, "backward");
  const bool keep_graph = retain_graph.value_or(create_graph);
  if (inputs.empty()) {
    run_graph(roots, std::move(grads), keep_graph, create_graph, {}, false);
    return;
  }
  // Accumulate only into `inputs`: leaves through their AccumulateGrad, non-leaves into .grad().
  edge_list targets;
  for (size_t i = 0; i < inputs.size(); ++i) {
    Edge e = gradient_edge(inputs[i]);
    TG_CHECK(e.is_valid(), "backward: input ", i, " does not require grad");
    targets.push_back(std::move(e));
  }
  variable_list captured =
      run_graph(roots, std::move(grads), keep_graph, create_graph, targets, true);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].is_leaf() || !captured[i].defined()) continue;
    Tensor& g = inputs[i].mutable_grad();
    g = g.defined() ? g + captured[i] : (create_graph ? captured[i] : captured[i].detach());
  }
}

variable_list grad(const variable_list& outputs, const variable_list& inputs,
                   const variable_list& grad_outputs, std::optional<bool> retain_graph,
                   bool create_graph, bool allow_unused) {
  edge_list roots = root_edges(outputs, "grad");
  variable_list grads = root_gradients(outputs, grad_outputs, "grad");
  edge_list targets;
  for (size_t i = 0; i < inputs.size(); ++i) {
    TG_CHECK(inputs[i].defined() && inputs[i].requires_grad(), "grad: input ", i,
             " of the differentiated tensors does not require grad; call requires_grad_() on it "
             "before computing the outputs");
    targets.push_back(gradient_edge(inputs[i]));
  }
  const bool keep_graph = retain_graph.value_or(create_graph);
  variable_list result =
      run_graph(roots, std::move(grads), keep_graph, create_graph, targets, false);
  for (size_t i = 0; i < result.size(); ++i) {
    TG_CHECK(result[i].defined() || allow_unused, "grad: input ", i,
             " of the differentiated tensors appears to not have been used in the graph; pass "
             "allow_unused=true if this is the desired behavior");
    if (result[i].defined() && !create_graph) result[i] = result[i].detach();
  }
  return result;
}

}  // namespace tg::autograd
