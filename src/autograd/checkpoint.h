#pragma once
// What saved tensors see of activation checkpointing: see Note [Checkpointing] in checkpoint.cpp.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tensorgrad/autograd.h"

namespace tg::autograd {

/// The tensors that one call of a checkpointed function saved for backward: held while the
/// function runs, dropped when it returns, recomputed by running it again when backward needs
/// them.
class CheckpointFrame : public std::enable_shared_from_this<CheckpointFrame> {
 public:
  CheckpointFrame(VariableListFn fn, const variable_list& inputs);

  /// A tensor saved while fn runs: its slot, or nullopt when the graph keeps the tensor itself
  /// (fn's inputs and leaves that require grad, which stay alive anyway).
  std::optional<uint32_t> add(const Tensor& t);
  /// fn returned: checks that it left its inputs alone and lets go of the saved values.
  void seal();
  /// The value of a slot and the version it was saved at; runs fn again if the value is gone.
  /// After fn returned, the slot forgets the value, so that each is freed once used.
  std::pair<Tensor, uint32_t> take(uint32_t slot);
  /// The node that saved the slot's tensor no longer needs it.
  void release(uint32_t slot);
  /// "Float [2, 2] (recomputed)", for graph pictures.
  std::string describe(uint32_t slot) const;

 private:
  struct Slot {
    bool kept;      // the graph holds this one: nothing to recompute
    bool released;  // its node freed it: no need to keep a recomputed value
    ScalarType dtype;
    DimVector sizes;
    Tensor value;  // no history: the SavedVariable gives it back
    uint32_t version;
  };
  friend std::optional<std::pair<std::shared_ptr<CheckpointFrame>, uint32_t>> checkpoint_slot(
      const Tensor& t);
  void recompute();
  void collect(const Tensor& t);  // a tensor the recomputation saved

  VariableListFn fn_;
  variable_list inputs_;
  std::vector<uint32_t> input_versions_;
  std::string rng_;
  std::vector<Slot> slots_;
  size_t collected_ = 0;
  bool sealed_ = false;
  mutable std::mutex mutex_;
};

/// True while a checkpointed function runs again for backward on this thread: state that its first
/// run updated (batch norm's running statistics) must not be updated twice.
bool checkpoint_recomputing();

/// Called for each tensor saved for backward. While a checkpointed function runs on this thread,
/// returns its frame and slot for a tensor the graph must not keep; otherwise nullopt, and the
/// tensor is saved as usual.
std::optional<std::pair<std::shared_ptr<CheckpointFrame>, uint32_t>> checkpoint_slot(
    const Tensor& t);

}  // namespace tg::autograd
