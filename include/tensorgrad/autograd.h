#pragma once
/// Autograd: the backward graph (Node, Edge), grad modes, backward/grad, and gradient checking.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tensorgrad/small_vector.h"
#include "tensorgrad/tensor.h"

namespace tg {

/// Whether ops record history on this thread.
struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

/// Sets grad mode for its lifetime and restores the previous mode after.
class AutoGradMode {
 public:
  explicit AutoGradMode(bool enabled) : previous_(GradMode::is_enabled()) {
    GradMode::set_enabled(enabled);
  }
  ~AutoGradMode() { GradMode::set_enabled(previous_); }
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool previous_;
};

/// No history is recorded while it lives.
struct NoGradGuard : AutoGradMode {
  NoGradGuard() : AutoGradMode(false) {}
};

/// Like NoGradGuard, and tensors made inside are inference tensors (is_inference()), as
/// libtorch's c10::InferenceMode:
/// - inside, ops record nothing; results are inference tensors, except views of normal tensors,
///   which stay normal views (an in-place change to them outside the mode throws, when autograd
///   would have to track it);
/// - outside, an inference tensor can be read by any op but not changed in place, cannot be
///   given requires_grad=true, and cannot be saved for backward (clone() it to get a normal
///   tensor); ops whose inputs are all inference tensors record nothing; a view of one is an
///   inference tensor again, not a view.
/// InferenceMode(false) restores normal mode, grad mode included, for its lifetime.
class InferenceMode {
 public:
  explicit InferenceMode(bool enabled = true);
  ~InferenceMode();
  InferenceMode(const InferenceMode&) = delete;
  InferenceMode& operator=(const InferenceMode&) = delete;
  static bool is_enabled();

 private:
  bool previous_inference_;
  bool previous_grad_;
};

namespace autograd {

// libtorch has these in torch::autograd as well.
using tg::AutoGradMode;
using tg::GradMode;
using tg::InferenceMode;

class Node;

/// One input of a backward node: the node that takes the gradient and which of its inputs.
struct Edge {
  Edge() = default;
  Edge(std::shared_ptr<Node> fn, uint32_t nr) : function(std::move(fn)), input_nr(nr) {}
  bool is_valid() const { return function != nullptr; }
  std::shared_ptr<Node> function;
  uint32_t input_nr = 0;
};
/// The edges of a node (most ops have one or two inputs, kept inside the node).
using edge_list = SmallVector<Edge, 2>;

/// Shape and dtype of one gradient a node receives; the engine checks every gradient against it.
struct InputMetadata {
  ScalarType dtype = kFloat;
  DimVector sizes;
};

/// (begin, end) indices of a Node's outputs, as custom Functions' needs_input_grad takes them.
using IndexRange = std::pair<size_t, size_t>;

/// A hook on a Node, run before its backward on the gradients it receives; returns them (possibly
/// changed). Register with Node::add_pre_hook.
struct FunctionPreHook {
  virtual ~FunctionPreHook() = default;
  virtual variable_list operator()(const variable_list& grads) = 0;
};

/// A hook on a Node, run after its backward: sees the gradients it produced (`outputs`, one per
/// forward input) and those it received (`inputs`), and returns the gradients to pass on.
/// Register with Node::add_post_hook.
struct FunctionPostHook {
  virtual ~FunctionPostHook() = default;
  virtual variable_list operator()(const variable_list& outputs, const variable_list& inputs) = 0;
};

/// A backward function: maps gradients of a forward op's outputs to gradients of its inputs.
/// See Note [Node lifetime] in src/autograd/node.cpp.
class Node : public std::enable_shared_from_this<Node> {
 public:
  Node();
  /// A node with the given edges (one per forward input), as libtorch's Node(edge_list).
  explicit Node(edge_list&& next_edges);
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  virtual ~Node();

  /// libtorch's name, e.g. "MulBackward0"; by default the demangled name of the node's class.
  virtual std::string name() const;
  /// Gradients of the forward outputs in, gradients of the forward inputs out (one per edge).
  virtual variable_list apply(variable_list&& grads) = 0;
  /// Frees saved tensors; called after backward unless retain_graph.
  virtual void release_variables() {}
  /// One line per saved tensor ("Float [2, 2]", or "freed"), for graph pictures.
  virtual std::vector<std::string> saved_tensors_info() const { return {}; }
  variable_list operator()(variable_list&& grads) { return apply(std::move(grads)); }

  const edge_list& next_edges() const { return next_edges_; }
  const Edge& next_edge(size_t i) const { return next_edges_.at(i); }
  size_t num_outputs() const { return next_edges_.size(); }
  size_t num_inputs() const { return input_metadata_.size(); }
  const InputMetadata& input_metadata(size_t i) const { return input_metadata_.at(i); }
  /// Order of creation on this thread; the engine runs later nodes first.
  uint64_t sequence_nr() const { return sequence_nr_; }
  /// True when the gradient for forward input i is needed: its edge leads somewhere.
  bool should_compute_output(size_t i) const {
    return i < next_edges_.size() && next_edges_[i].is_valid();
  }
  /// should_compute_output of any index in the ranges.
  bool should_compute_output(std::initializer_list<IndexRange> ranges) const;
  /// Inside this node's backward: whether the backward running now needs the gradient for
  /// forward input i (a grad() with inputs needs only the edges that lead to them). Outside a
  /// backward, should_compute_output(i).
  bool task_should_compute_output(size_t i) const;
  bool task_should_compute_output(std::initializer_list<IndexRange> ranges) const;

  /// Registers fn on the gradient arriving for forward output `output_nr` (tensor hooks).
  unsigned add_tensor_pre_hook(uint32_t output_nr, std::function<Tensor(const Tensor&)> fn);
  void remove_tensor_pre_hook(unsigned handle);
  /// Runs the tensor pre-hooks on `grads` in registration order.
  void run_tensor_pre_hooks(variable_list& grads) const;
  /// Drops the tensor hooks; the engine calls it with release_variables() after a backward that
  /// does not retain the graph. See Note [Reference cycles] in src/autograd/engine.cpp.
  void clear_tensor_pre_hooks();
  /// A hook run on the gradients this node receives, after the tensor hooks (libtorch's pre-hook).
  void add_pre_hook(std::unique_ptr<FunctionPreHook>&& hook);
  /// A hook run on the gradients this node produces; returns a key for del_post_hook.
  uintptr_t add_post_hook(std::unique_ptr<FunctionPostHook>&& hook);
  /// Removes the post hook with this key; false if there is none.
  bool del_post_hook(const uintptr_t& key);
  /// The registered pre and post hooks (empty lists when there are none).
  const std::vector<std::unique_ptr<FunctionPreHook>>& pre_hooks() const;
  const std::vector<std::unique_ptr<FunctionPostHook>>& post_hooks() const;
  /// True when any hook (tensor, pre or post) is registered: the engine skips hooks otherwise.
  bool has_hooks() const { return hooks_ != nullptr; }
  /// Where the forward op was called (recorded under DetectAnomalyGuard), else empty.
  const std::string& creation_trace() const { return creation_trace_; }

  // Used by the op recorder and custom functions to wire the graph.
  void set_next_edges(edge_list edges) { next_edges_ = std::move(edges); }
  void add_next_edge(Edge edge) { next_edges_.push_back(std::move(edge)); }
  void add_input_metadata(const Tensor& t);
  void add_input_metadata(InputMetadata m) { input_metadata_.push_back(std::move(m)); }
  void set_creation_trace(std::string s) { creation_trace_ = std::move(s); }

 protected:
  edge_list next_edges_;
  SmallVector<InputMetadata, 1> input_metadata_;  // most ops have one output
  uint64_t sequence_nr_;
  struct Hooks;
  std::unique_ptr<Hooks> hooks_;  // null until a hook is registered: most nodes have none
  std::string creation_trace_;

 private:
  Hooks& hooks();
};

/// Accumulates the gradient of a leaf into its .grad().
class AccumulateGrad;

/// A leaf that shares data's storage (and version counter), without data's history: requires
/// grad when asked. libtorch's torch::autograd::make_variable.
Variable make_variable(const Tensor& data, bool requires_grad = false);

/// A node that returns its inputs unchanged in the forward pass and makes the gradients flowing
/// back through them undefined: UndefinedGrad().apply({x})[0] is x's values whose backward
/// delivers no gradient (an undefined tensor) to x's history.
struct UndefinedGrad final : Node {
  std::string name() const override { return "UndefinedGrad"; }
  /// Forward: a copy of each defined input, recorded with an UndefinedGradBackward node.
  variable_list apply(variable_list&& inputs) override;
};

/// The backward of UndefinedGrad: an undefined gradient for every input.
struct UndefinedGradBackward final : Node {
  using Node::Node;
  std::string name() const override { return "UndefinedGradBackward"; }
  variable_list apply(variable_list&& grads) override;
};

/// Computes the gradients of `tensors` with respect to the graph leaves and accumulates them into
/// each leaf's .grad() (only into `inputs` when given).
void backward(const variable_list& tensors, const variable_list& grad_tensors = {},
              std::optional<bool> retain_graph = std::nullopt, bool create_graph = false,
              const variable_list& inputs = {});

/// Runs fn(leaf) each time a backward pass has accumulated a gradient into leaf.grad() (after the
/// leaf's register_hook hooks and the accumulation), as PyTorch's
/// Tensor.register_post_accumulate_grad_hook. leaf must be a leaf that requires grad. Returns a
/// handle for remove_post_accumulate_grad_hook.
unsigned register_post_accumulate_grad_hook(const Tensor& leaf,
                                            std::function<void(const Tensor&)> fn);
/// Removes the hook with this handle; false if leaf has none with it.
bool remove_post_accumulate_grad_hook(const Tensor& leaf, unsigned handle);

/// Queues fn to run on this thread once the backward pass (backward() or grad()) running now has
/// run its whole graph, as libtorch's Engine::queue_callback; callbacks run in the order they were
/// queued and may queue more. A pass that throws drops its callbacks. Throws when no backward pass
/// is running on this thread.
void queue_callback(std::function<void()> fn);

/// Returns d(outputs)/d(inputs) contracted with grad_outputs, without touching .grad().
variable_list grad(const variable_list& outputs, const variable_list& inputs,
                   const variable_list& grad_outputs = {},
                   std::optional<bool> retain_graph = std::nullopt, bool create_graph = false,
                   bool allow_unused = false);

/// A function of tensors, as the functional transforms and gradcheck take it.
using VariableListFn = std::function<variable_list(const variable_list&)>;
using GradcheckFn = VariableListFn;

/// Compares the analytic Jacobian (from backward) with central finite differences for every
/// input that requires grad (inputs should be kDouble). On mismatch with raise = true, throws a
/// tg::Error naming the input, the output, the worst element and both values.
bool gradcheck(const GradcheckFn& fn, const variable_list& inputs, double eps = 1e-6,
               double atol = 1e-5, double rtol = 1e-3, bool raise = true);

/// gradcheck of the first derivative: checks that double backward matches finite differences of
/// the gradient (random grad_outputs, fixed seed).
bool gradgradcheck(const GradcheckFn& fn, const variable_list& inputs, double eps = 1e-6,
                   double atol = 1e-5, double rtol = 1e-3, bool raise = true);

// ---- anomaly detection ----

/// Whether backward checks every gradient (see DetectAnomalyGuard). Process-wide, as libtorch.
struct AnomalyMode {
  static bool is_enabled();
  static bool should_check_nan();
  static bool should_check_inf();
  static void set_enabled(bool enabled, bool check_nan = true, bool check_inf = false);
};

/// While it lives, forward ops record where they were called, and a backward node that
/// produces NaN (or Inf, when check_inf) throws a tg::Error naming the node and that place.
/// An error thrown inside a backward node gets the same information appended.
class DetectAnomalyGuard {
 public:
  explicit DetectAnomalyGuard(bool check_nan = true, bool check_inf = false);
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_enabled_, previous_nan_, previous_inf_;
};

// ---- functional transforms (torch.autograd.functional, over n-d tensors) ----

/// J[i][j] = d outputs[i] / d inputs[j], of shape outputs[i].sizes() ++ inputs[j].sizes().
/// Inputs an output does not depend on give zeros.
std::vector<variable_list> jacobian(const VariableListFn& fn, const variable_list& inputs,
                                    bool create_graph = false);
/// For fn with one 1-element output: H[i][j] of shape inputs[i].sizes() ++ inputs[j].sizes().
std::vector<variable_list> hessian(const VariableListFn& fn, const variable_list& inputs,
                                   bool create_graph = false);
/// (fn(inputs), v^T J): v has one tensor per output, of the output's shape.
std::pair<variable_list, variable_list> vjp(const VariableListFn& fn, const variable_list& inputs,
                                            const variable_list& v, bool create_graph = false);
/// (fn(inputs), J v): v has one tensor per input. Computed with the double-vjp trick: the vjp
/// against a dummy cotangent u is linear in u, and its vjp against v is J v.
std::pair<variable_list, variable_list> jvp(const VariableListFn& fn, const variable_list& inputs,
                                            const variable_list& v, bool create_graph = false);
/// (fn(inputs), H v) for fn with one 1-element output.
std::pair<variable_list, variable_list> hvp(const VariableListFn& fn, const variable_list& inputs,
                                            const variable_list& v, bool create_graph = false);

/// Runs fn(inputs) and records the same graph as calling fn directly, but without keeping the
/// tensors fn's ops save for backward (its activations): backward runs fn again, replaying the
/// random numbers it drew, to get them. Every leaf fn reaches — inputs, captured parameters,
/// buffers that require grad — gets the same gradient as without checkpointing; backward(),
/// grad(), hooks, retain_graph, create_graph and nested checkpoints work as in plain code. fn must
/// do the same operations when run again, and its inputs must not be modified in place before
/// backward (both checked). Batch norm's running statistics are updated by the first run only.
/// See Note [Checkpointing] in src/autograd/checkpoint.cpp.
variable_list checkpoint(const VariableListFn& fn, const variable_list& inputs);

/// The backward graph behind `roots` in Graphviz DOT: nodes named as grad_fn()->name(), leaves
/// (AccumulateGrad) with their shapes, saved tensors as orange boxes.
std::string to_dot(const variable_list& roots);

}  // namespace autograd
}  // namespace tg
