#pragma once
#include <memory>
#include <string>

#include "tensorgrad/autograd.h"

namespace tg::autograd {

class CheckpointFrame;

/// A tensor saved by a backward node, with the version it had, so that an in-place change before
/// backward is caught. Outputs are saved without their grad_fn (which is the saving node itself:
/// keeping it would be a reference cycle) and get it back on unpack. Inside a checkpointed
/// function, the value lives in the function's frame instead, which recomputes it for backward.
class SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& t, bool is_output);
  SavedVariable(SavedVariable&&) = default;
  SavedVariable& operator=(SavedVariable&&) = default;
  ~SavedVariable() { reset(); }

  /// The saved tensor; throws if it was freed by an earlier backward or modified in place.
  /// `owner` is the node that saved it (for messages and to rebuild a saved output).
  Tensor unpack(const std::shared_ptr<Node>& owner) const;
  void reset();
  bool defined() const { return was_defined_; }
  /// "Float [2, 2]", or "freed" after backward released it (for graph pictures).
  std::string describe() const;

 private:
  Tensor data_;
  std::shared_ptr<CheckpointFrame> frame_;  // holds the value instead of data_ when set
  std::shared_ptr<Node> grad_fn_;           // the history of a value in frame_ (not an output)
  uint32_t slot_ = 0;                       // in frame_
  uint32_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool was_defined_ = false;
  bool released_ = false;
  bool requires_grad_ = false;
};

}  // namespace tg::autograd
