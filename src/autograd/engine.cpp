// The engine: runs the backward graph once, from the roots to the leaves. run_graph is its
// steps in order: discover_graph, mark_execution (only with targets), seed_roots, then run_task
// for each ready node (apply_node, release_node, pass_gradients); each has its Note below.
#include <algorithm>
#include <functional>
#include <utility>

#include "autograd/accumulate_grad.h"
#include "autograd/anomaly.h"
#include "autograd/meta.h"
#include "core/internal.h"
#include "core/operand_rules.h"
#include "tensorgrad/autograd/function.h"

namespace tg::autograd {

namespace {

struct NodeTask {
  Node* node = nullptr;
  int dependencies = 0;
  bool executes = false;  // apply() runs (false for capture-only targets)
  bool is_target = false;
  uint32_t first_child = 0;  // its edges' tasks are children[first_child, + num_outputs)
  variable_list buffer;      // gradients of the node's forward outputs, summed as they arrive
  std::vector<std::pair<uint32_t, size_t>> captures;  // (input_nr, index into the result)
};

// A node that is ready to run, ordered by its sequence number (later nodes first).
struct ReadyTask {
  uint64_t sequence_nr;
  NodeTask* task;
  bool operator<(const ReadyTask& other) const { return sequence_nr < other.sequence_nr; }
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
    TG_CHECK(tg::detail::broadcasts_to(meta.sizes, g.sizes()), "Function ", producer.name(),
             " returned an invalid gradient at index ", index, " - got ",
             tg::detail::shape_str(g.sizes()), " but expected shape compatible with ",
             tg::detail::shape_str(meta.sizes));
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

// Note [Engine workspace]
// The nodes of one backward and their state live in a workspace: an open-addressing table from
// node to task (cheaper than std::unordered_map's heap node per entry), the tasks, and, per task,
// the index of each edge's task, found once while the graph is discovered so that running it
// needs no lookups. A thread keeps the workspaces of its finished backward passes and reuses
// their memory: a fresh table for every backward would be page-faulted in each time. A slot
// belongs to the current pass only if it carries its epoch, so nothing is cleared between
// passes. Nested passes (a backward inside a backward function) take a workspace of their own.
class Workspace {
 public:
  static constexpr uint32_t kNoTask = UINT32_MAX;

  /// The task of `node`, and whether it was just added. Only while the graph is discovered:
  /// adding may move the tasks.
  std::pair<uint32_t, bool> emplace(Node* node) {
    if ((tasks.size() + 1) * 2 > slots_.size()) grow();
    Slot& slot = slots_[slot_of(node)];
    if (slot.epoch == epoch_) return {slot.task, false};
    slot = {node, static_cast<uint32_t>(tasks.size()), epoch_};
    tasks.emplace_back().node = node;
    return {slot.task, true};
  }
  NodeTask* find(Node* node) {
    if (slots_.empty()) return nullptr;
    const Slot& slot = slots_[slot_of(node)];
    return slot.epoch == epoch_ ? &tasks[slot.task] : nullptr;
  }
  /// The task behind edge `i` of `task`, or null for an invalid edge.
  NodeTask* child(const NodeTask& task, size_t i) {
    const uint32_t c = children[task.first_child + i];
    return c == kNoTask ? nullptr : &tasks[c];
  }
  /// Queues a task whose gradients are complete.
  void push_ready(NodeTask& task) {
    ready.push_back({task.node->sequence_nr(), &task});
    std::push_heap(ready.begin(), ready.end());
  }
  /// The ready task to run next (the latest created), or null when none is left.
  NodeTask* pop_ready() {
    if (ready.empty()) return nullptr;
    std::pop_heap(ready.begin(), ready.end());
    NodeTask* task = ready.back().task;
    ready.pop_back();
    return task;
  }
  /// Empties the workspace for the next pass, keeping its memory unless it grew large.
  void reset() {
    constexpr size_t kKeptTasks = size_t(1) << 16;
    if (tasks.capacity() > kKeptTasks) {
      *this = Workspace();
      return;
    }
    tasks.clear();
    children.clear();
    post_order.clear();
    stack.clear();  // not empty after an error
    ready.clear();
    if (++epoch_ == 0) {  // wrapped: old slots could look current
      for (Slot& slot : slots_) slot.epoch = 0;
      epoch_ = 1;
    }
  }

  std::vector<NodeTask> tasks;
  std::vector<uint32_t> children;
  std::vector<uint32_t> post_order;  // children before parents (only when there are targets)
  std::vector<std::pair<uint32_t, uint32_t>> stack;  // (task, next edge) while discovering
  std::vector<ReadyTask> ready;                      // a heap

 private:
  struct Slot {
    Node* key = nullptr;
    uint32_t task = 0;
    uint32_t epoch = 0;  // the slot is in use in the pass with this epoch
  };
  size_t slot_of(Node* node) const {
    const size_t mask = slots_.size() - 1;
    size_t i = (reinterpret_cast<uintptr_t>(node) >> 4) * 0x9E3779B97F4A7C15ull >> 20 & mask;
    while (slots_[i].epoch == epoch_ && slots_[i].key != node) i = (i + 1) & mask;
    return i;
  }
  void grow() {
    const size_t capacity = std::max<size_t>(64, slots_.size() * 2);
    slots_.assign(capacity, Slot());
    epoch_ = 1;
    for (uint32_t t = 0; t < tasks.size(); ++t)
      slots_[slot_of(tasks[t].node)] = {tasks[t].node, t, 1};
  }
  std::vector<Slot> slots_;
  uint32_t epoch_ = 1;
};

// Lends this thread a workspace for one pass and takes it back after.
class WorkspaceLease {
 public:
  WorkspaceLease() {
    if (spare().empty()) {
      workspace_ = std::make_unique<Workspace>();
    } else {
      workspace_ = std::move(spare().back());
      spare().pop_back();
    }
  }
  ~WorkspaceLease() {
    workspace_->reset();
    spare().push_back(std::move(workspace_));
  }
  WorkspaceLease(const WorkspaceLease&) = delete;
  WorkspaceLease& operator=(const WorkspaceLease&) = delete;
  Workspace& operator*() { return *workspace_; }

 private:
  static std::vector<std::unique_ptr<Workspace>>& spare() {
    thread_local std::vector<std::unique_ptr<Workspace>> workspaces;
    return workspaces;
  }
  std::unique_ptr<Workspace> workspace_;
};

// Note [Discovering the graph]
// The first step walks the graph behind the roots once, depth first with an explicit stack (a
// graph may be a million nodes deep), and gives every node a task and every task the tasks of
// its edges. For a plain backward every node it finds runs, so the same pass counts each task's
// dependencies (the edges that lead to it) and no second walk is needed. When there are targets,
// it also records a post-order, children before parents, for Note [Marking what executes].

/// The task of `node`, created (with room for its edges and a place on the stack) if it is new.
inline uint32_t add_task(Workspace& ws, Node* node, bool run_all) {
  auto [t, fresh] = ws.emplace(node);
  if (fresh) {
    ws.tasks[t].executes = run_all;
    ws.tasks[t].first_child = static_cast<uint32_t>(ws.children.size());
    ws.children.resize(ws.children.size() + node->num_outputs(), Workspace::kNoTask);
    ws.stack.emplace_back(t, 0);
  }
  return t;
}

inline void discover_graph(Workspace& ws, const edge_list& roots, bool run_all) {
  for (const Edge& r : roots) {
    add_task(ws, r.function.get(), run_all);
    while (!ws.stack.empty()) {
      const auto [t, next] = ws.stack.back();
      Node* node = ws.tasks[t].node;
      if (next == node->num_outputs()) {
        if (!run_all) ws.post_order.push_back(t);
        ws.stack.pop_back();
        continue;
      }
      ++ws.stack.back().second;
      const Edge& e = node->next_edge(next);
      if (!e.is_valid()) continue;
      const uint32_t first_child = ws.tasks[t].first_child;
      const uint32_t c = add_task(ws, e.function.get(), run_all);
      ws.children[first_child + next] = c;
      if (run_all) ++ws.tasks[c].dependencies;
    }
  }
}

// Note [Marking what executes]
// With targets (grad(), or backward with inputs) only the nodes on a path from a root to a
// target run. A target's task captures the gradients arriving at its input; it runs itself only
// for backward with inputs (which accumulates into leaves through their AccumulateGrad). One
// sweep over the post-order marks a node as executing when it is a running target or any of its
// children executes or captures: children come first, so their marks are final. A second sweep
// counts dependencies along the edges of executing nodes only, so that a node is ready once the
// nodes that will actually send it gradients have run.

/// A task that takes part in the pass: it runs, or it only captures gradients.
inline bool wanted(const NodeTask* t) { return t && (t->executes || !t->captures.empty()); }

inline void mark_execution(Workspace& ws, const edge_list& targets, bool run_targets) {
  for (size_t i = 0; i < targets.size(); ++i) {
    NodeTask* target = ws.find(targets[i].function.get());
    if (!target) continue;  // not in this graph: unused
    target->captures.emplace_back(targets[i].input_nr, i);
    target->is_target = true;
  }
  for (uint32_t t : ws.post_order) {
    NodeTask& task = ws.tasks[t];
    if (run_targets && task.is_target) task.executes = true;
    for (size_t i = 0; i < task.node->num_outputs(); ++i)
      if (wanted(ws.child(task, i))) task.executes = true;
  }
  for (uint32_t t : ws.post_order) {
    NodeTask& task = ws.tasks[t];
    if (!task.executes) continue;
    for (size_t i = 0; i < task.node->num_outputs(); ++i)
      if (NodeTask* child = ws.child(task, i); wanted(child)) ++child->dependencies;
  }
}

/// Hands each root its gradient, then queues the roots nothing else leads to.
inline void seed_roots(Workspace& ws, const edge_list& roots, variable_list& root_grads) {
  for (size_t i = 0; i < roots.size(); ++i) {
    NodeTask& task = *ws.find(roots[i].function.get());
    task.buffer.resize(task.node->num_inputs());
    accumulate(task.buffer[roots[i].input_nr], std::move(root_grads[i]));
  }
  for (const Edge& r : roots) {
    NodeTask& task = *ws.find(r.function.get());
    if (task.dependencies == 0 && wanted(&task)) {
      task.dependencies = -1;  // queued once even if it is several roots
      ws.push_ready(task);
    }
  }
}

// Note [Running ready nodes]
// A node is ready when every task that sends it gradients has run; among the ready nodes the
// latest created runs first (the largest sequence number; a leaf's AccumulateGrad has the
// largest of all), as in libtorch, so that hooks and errors come in the same order from run to
// run and as there. Running a task: take its summed gradients, run the tensor pre-hooks, hand
// captured gradients to the caller, apply the node unless no gradient reached it, free what the
// graph no longer needs (Note [Reference cycles]), then validate each output gradient (Note
// [Gradient validation]) into its child's buffer and queue the children that became ready.

/// The node's backward on `grads`, with the failure named after the node in anomaly mode.
inline variable_list apply_node(Node& node, variable_list grads) {
  bool any_gradient = false;
  for (const Tensor& g : grads) any_gradient = any_gradient || g.defined();
  variable_list outputs;
  if (any_gradient && AnomalyMode::is_enabled()) {
    try {
      outputs = node.apply(std::move(grads));
    } catch (const Error& e) {
      tg::detail::fail(e.what(), "\n(raised in the backward of ", node.name(), ")\n",
                       node.creation_trace());
    }
  } else if (any_gradient) {
    outputs = node.apply(std::move(grads));
  } else if (dynamic_cast<CustomNodeBase*>(&node)) {
    // A custom Function's backward runs anyway, on zeros unless it asked for undefined gradients
    // (set_materialize_grads(false)), as libtorch's.
    outputs = node.apply(std::move(grads));
  } else {
    outputs.resize(node.num_outputs());  // nothing arrived: nothing flows on
  }
  TG_CHECK(outputs.size() == node.num_outputs(), "Function ", node.name(),
           " returned an incorrect number of gradients (expected ", node.num_outputs(), ", got ",
           outputs.size(), ")");
  if (any_gradient && AnomalyMode::is_enabled()) check_anomaly(node, outputs);
  return outputs;
}

// Note [Reference cycles]
// A hook or a custom Function's saved_data may hold a tensor whose history leads back to this
// node (y.register_hook([y](...) {...})): a cycle of shared pointers. Once a backward has freed
// the graph, nothing can run these again, so the engine drops them with the saved tensors, which
// breaks such cycles. Leaf hooks live on the leaf and a hook that captures its own leaf is a
// cycle the user made; leaves hold their AccumulateGrad weakly, so the engine itself never makes
// one.
inline void release_node(Node& node) {
  node.release_variables();
  node.clear_tensor_pre_hooks();
}

/// Validates each gradient `task` produced into its child's buffer; queues the children that
/// have now heard from every task that leads to them.
inline void pass_gradients(Workspace& ws, NodeTask& task, variable_list& outputs) {
  Node* node = task.node;
  for (size_t i = 0; i < outputs.size(); ++i) {
    NodeTask* child = ws.child(task, i);
    if (!wanted(child)) continue;
    if (outputs[i].defined()) {
      const Edge& e = node->next_edge(i);
      Tensor g = validate_gradient(std::move(outputs[i]), *node, i, *e.function, e.input_nr);
      child->buffer.resize(e.function->num_inputs());
      accumulate(child->buffer[e.input_nr], std::move(g));
    }
    if (--child->dependencies == 0) ws.push_ready(*child);
  }
}

inline void run_task(Workspace& ws, NodeTask& task, bool keep_graph, variable_list& captured) {
  Node& node = *task.node;
  // The gradients leave the task, so they are freed as soon as the node has used them.
  variable_list grads = std::move(task.buffer);
  grads.resize(node.num_inputs());  // slots no gradient reached stay undefined
  if (node.has_hooks()) [[unlikely]] {
    node.run_tensor_pre_hooks(grads);
    for (const auto& hook : node.pre_hooks()) grads = (*hook)(grads);
  }
  for (auto [input_nr, index] : task.captures) captured[index] = grads[input_nr];
  if (!task.executes) return;
  variable_list outputs;
  if (node.has_hooks() && !node.post_hooks().empty()) [[unlikely]] {
    variable_list received = grads;
    outputs = apply_node(node, std::move(grads));
    for (const auto& hook : node.post_hooks()) outputs = (*hook)(outputs, received);
  } else {
    outputs = apply_node(node, std::move(grads));
  }
  if (!keep_graph) release_node(node);
  pass_gradients(ws, task, outputs);
}

// The pass running on this thread, for Node::task_should_compute_output (null outside one).
thread_local Workspace* current_pass = nullptr;

// Note [Final callbacks]
// queue_callback adds to the list of the outermost backward pass running on this thread; the
// pass runs the list after its last node, so a callback sees every gradient accumulated (DDP
// waits for its gradient reductions there). Nested passes (a backward inside a backward
// function) share the outer pass's list.
thread_local std::vector<std::function<void()>>* final_callbacks = nullptr;

class FinalCallbacks {
 public:
  FinalCallbacks() : outermost_(final_callbacks == nullptr) {
    if (outermost_) final_callbacks = &callbacks_;
  }
  ~FinalCallbacks() {
    if (outermost_) final_callbacks = nullptr;
  }
  FinalCallbacks(const FinalCallbacks&) = delete;
  FinalCallbacks& operator=(const FinalCallbacks&) = delete;
  /// Runs the queued callbacks, those they queue included, when this is the outermost pass.
  void run() {
    if (!outermost_) return;
    for (size_t i = 0; i < callbacks_.size(); ++i) {
      std::function<void()> fn = std::move(callbacks_[i]);
      fn();
    }
    callbacks_.clear();
  }

 private:
  bool outermost_;
  std::vector<std::function<void()>> callbacks_;
};

// Makes a pass the current one for its lifetime (a backward inside a backward function nests).
class CurrentPass {
 public:
  explicit CurrentPass(Workspace* ws) : previous_(std::exchange(current_pass, ws)) {}
  ~CurrentPass() { current_pass = previous_; }
  CurrentPass(const CurrentPass&) = delete;
  CurrentPass& operator=(const CurrentPass&) = delete;

 private:
  Workspace* previous_;
};

/// Runs the graph behind `roots`. With `targets` empty, every reachable node runs (backward);
/// otherwise only what leads to a target runs, and the gradients arriving at the targets are
/// returned; `run_targets` says whether the target nodes themselves run (backward with inputs)
/// or are only captured (grad).
variable_list run_graph(const edge_list& roots, variable_list root_grads, bool keep_graph,
                        bool create_graph, const edge_list& targets, bool run_targets) {
  WorkspaceLease lease;
  Workspace& ws = *lease;
  const bool run_all = targets.empty();
  discover_graph(ws, roots, run_all);
  if (!run_all) mark_execution(ws, targets, run_targets);
  seed_roots(ws, roots, root_grads);
  variable_list captured(targets.size());
  AutoGradMode grad_mode(create_graph);
  CurrentPass current(run_all ? nullptr : &ws);  // with every node running, every edge is wanted
  FinalCallbacks callbacks;
  while (NodeTask* task = ws.pop_ready()) run_task(ws, *task, keep_graph, captured);
  callbacks.run();
  return captured;
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
               tg::detail::shape_str(t.sizes()),
               "; pass a gradient of that shape (e.g. tg::ones_like(output))");
      out.push_back(ones_like(t));
    } else {
      const Tensor& g = grads[i];
      TG_CHECK(g.sizes().equals(t.sizes()), api, ": the gradient has shape ",
               tg::detail::shape_str(g.sizes()), " but the output has shape ",
               tg::detail::shape_str(t.sizes()), "; pass a gradient of the output's exact shape");
      TG_CHECK(g.dtype() == t.dtype(), api, ": the gradient has dtype ", g.dtype(),
               " but the output has dtype ", t.dtype(), "; convert it with .to(tg::k",
               to_string(t.dtype()), ")");
      out.push_back(g);
    }
  }
  return out;
}

}  // namespace

void queue_callback(std::function<void()> fn) {
  TG_CHECK(final_callbacks != nullptr,
           "queue_callback: no backward pass is running on this thread; call it from a hook or "
           "a backward function during backward()");
  final_callbacks->push_back(std::move(fn));
}

bool current_pass_wants(const Node* node) {
  return current_pass == nullptr || wanted(current_pass->find(const_cast<Node*>(node)));
}

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
  TG_CHECK(!inputs.empty(),
           "grad requires non-empty inputs. Pass the tensors to differentiate with respect to");
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
             " of the differentiated tensors appears to not have been used in the graph. Set "
             "allow_unused=True (the argument allow_unused = true) if this is the desired "
             "behavior");
    if (result[i].defined() && !create_graph) result[i] = result[i].detach();
  }
  return result;
}

}  // namespace tg::autograd
