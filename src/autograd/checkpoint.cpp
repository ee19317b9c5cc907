// Activation checkpointing: keep the inputs, recompute the rest during backward.
#include "autograd/checkpoint.h"

#include "autograd/meta.h"
#include "core/internal.h"

namespace tg::autograd {

// Note [Checkpointing]
// checkpoint(fn, inputs) runs fn as usual and records the same graph as plain code, so every leaf
// that fn reaches — its inputs, the parameters it captures, buffers that require grad — gets its
// gradient, and grad(), hooks and create_graph behave as without checkpointing. What differs is
// what that graph keeps. While fn runs, each tensor that one of its ops saves for backward goes to
// fn's frame instead of the node (SavedVariable asks checkpoint_slot()), except fn's inputs and
// leaves that require grad, which stay alive anyway. When fn returns, the frame lets go of the
// values, so fn's activations are freed. The first node that needs one in backward runs fn again,
// with grad mode on and from the generator state of the first run, so that random ops draw the
// same numbers; the frame collects what that run saves, in the same order, checking each shape
// and dtype. Each node takes its values from the frame, which then forgets them: memory is freed
// as backward goes, and a second backward (retain_graph) recomputes again.
//
// In-place changes: fn's inputs must not change between the first run and backward (checked by
// version). A change inside fn to a tensor it saved is caught as in plain code, because the
// recomputed value carries the version it had when the recomputation saved it. A change after fn
// returned to one of fn's outputs is harmless: backward sees recomputed values.

namespace {

// What happens to tensors saved on this thread: inside checkpoint(), they go to the frame; while
// a frame recomputes, they are collected as its values.
struct SaveScope {
  CheckpointFrame* frame;
  bool recomputing;
  SaveScope* previous;
};
thread_local SaveScope* current_scope = nullptr;

class ScopeGuard {
 public:
  ScopeGuard(CheckpointFrame* frame, bool recomputing) : scope_{frame, recomputing, current_scope} {
    current_scope = &scope_;
  }
  ~ScopeGuard() { current_scope = scope_.previous; }
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;

 private:
  SaveScope scope_;
};

std::string tensor_str(ScalarType dtype, IntArrayRef sizes) {
  return std::string(to_string(dtype)) + " " + tg::detail::shape_str(sizes);
}

}  // namespace

CheckpointFrame::CheckpointFrame(VariableListFn fn, const variable_list& inputs)
    : fn_(std::move(fn)), inputs_(inputs), rng_(tg::detail::rng_state()) {
  for (const Tensor& x : inputs_) input_versions_.push_back(x.defined() ? x._version() : 0);
}

std::optional<uint32_t> CheckpointFrame::add(const Tensor& t) {
  bool kept = !t.grad_fn() && t.requires_grad();
  for (const Tensor& x : inputs_)
    kept = kept || (x.defined() && x.unsafeGetTensorImpl()->storage.get() ==
                                       t.unsafeGetTensorImpl()->storage.get());
  slots_.push_back(Slot{kept, false, t.dtype(), DimVector(t.sizes()), kept ? Tensor() : t.detach(),
                        t._version()});
  if (kept) return std::nullopt;
  return static_cast<uint32_t>(slots_.size() - 1);
}

void CheckpointFrame::seal() {
  std::lock_guard<std::mutex> lock(mutex_);
  sealed_ = true;
  bool dropped = false;
  for (Slot& s : slots_) {
    dropped = dropped || !s.kept;
    s.value = Tensor();
  }
  if (!dropped) return;  // backward never runs fn again
  for (size_t i = 0; i < inputs_.size(); ++i)
    TG_CHECK(!inputs_[i].defined() || inputs_[i]._version() == input_versions_[i],
             "checkpoint: fn modified its input ", i,
             " in place; backward runs fn again and needs the input as it was. clone() the "
             "input inside fn before modifying it");
}

std::pair<Tensor, uint32_t> CheckpointFrame::take(uint32_t slot) {
  std::lock_guard<std::mutex> lock(mutex_);
  Slot& s = slots_[slot];
  if (!sealed_) return {s.value, s.version};  // fn itself is running a backward
  if (!s.value.defined()) recompute();
  return {std::move(s.value), s.version};
}

void CheckpointFrame::release(uint32_t slot) {
  std::lock_guard<std::mutex> lock(mutex_);
  slots_[slot].released = true;
  slots_[slot].value = Tensor();
}

std::string CheckpointFrame::describe(uint32_t slot) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return tensor_str(slots_[slot].dtype, slots_[slot].sizes) + " (recomputed)";
}

void CheckpointFrame::recompute() {
  variable_list args;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Tensor& x = inputs_[i];
    if (!x.defined()) {
      args.push_back(x);
      continue;
    }
    TG_CHECK(x._version() == input_versions_[i], "checkpoint: input ", i,
             " was modified in place after checkpoint() returned; backward runs fn again and "
             "needs the input as it was. Modify a clone() of it instead");
    args.push_back(x.detach().requires_grad_(x.requires_grad()));
  }
  collected_ = 0;
  const std::string rng_now = tg::detail::rng_state();
  tg::detail::set_rng_state(rng_);
  try {
    ScopeGuard scope(this, /*recomputing=*/true);
    AutoGradMode grad_mode(true);
    fn_(args);
  } catch (...) {
    tg::detail::set_rng_state(rng_now);
    throw;
  }
  tg::detail::set_rng_state(rng_now);
  TG_CHECK(collected_ == slots_.size(), "checkpoint: recomputing fn saved ", collected_,
           " tensors for backward where its first run saved ", slots_.size(),
           ": fn must run the same operations each time it is called with the same inputs");
}

void CheckpointFrame::collect(const Tensor& t) {
  TG_CHECK(collected_ < slots_.size(),
           "checkpoint: recomputing fn saved more tensors for backward ", "than its first run (",
           slots_.size(),
           "): fn must run the same operations each time it is called with the same inputs");
  Slot& s = slots_[collected_];
  TG_CHECK(t.dtype() == s.dtype && t.sizes().equals(s.sizes), "checkpoint: recomputing fn saved a ",
           tensor_str(t.dtype(), t.sizes()), " tensor for backward where its first run saved a ",
           tensor_str(s.dtype, s.sizes), " one (saved tensor ", collected_,
           "): fn must run the same operations each time it is called with the same inputs");
  ++collected_;
  if (s.kept || s.released) return;
  s.value = t.detach();
  s.version = t._version();
}

bool checkpoint_recomputing() {
  for (SaveScope* s = current_scope; s; s = s->previous)
    if (s->recomputing) return true;
  return false;
}

std::optional<std::pair<std::shared_ptr<CheckpointFrame>, uint32_t>> checkpoint_slot(
    const Tensor& t) {
  SaveScope* scope = current_scope;
  if (!scope) return std::nullopt;
  if (scope->recomputing) {
    scope->frame->collect(t);
    return std::nullopt;
  }
  std::optional<uint32_t> slot = scope->frame->add(t);
  if (!slot) return std::nullopt;
  return std::make_pair(scope->frame->shared_from_this(), *slot);
}

variable_list checkpoint(const VariableListFn& fn, const variable_list& inputs) {
  if (!GradMode::is_enabled()) return fn(inputs);
  auto frame = std::make_shared<CheckpointFrame>(fn, inputs);
  variable_list outputs;
  {
    ScopeGuard scope(frame.get(), /*recomputing=*/false);
    outputs = fn(inputs);
  }
  frame->seal();
  return outputs;
}

}  // namespace tg::autograd
