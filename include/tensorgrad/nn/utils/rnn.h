#pragma once
/// Packed variable-length sequences for the recurrent modules, as libtorch's
/// torch/nn/utils/rnn.h: PackedSequence, pack_padded_sequence, pad_packed_sequence, pack_sequence
/// and pad_sequence. Packing and padding are made of differentiable ops (slices, cat, stack), so
/// gradients flow between the padded and the packed forms.
#include <cstdint>
#include <optional>
#include <tuple>

#include "tensorgrad/array_ref.h"
#include "tensorgrad/tensor.h"

namespace tg::nn::utils::rnn {

/// The permutation that undoes `permutation` (a 1-D kLong tensor); undefined for undefined.
Tensor invert_permutation(const Tensor& permutation);

/// A batch of sequences of different lengths, stored step after step: `data` holds, for each time
/// step t, the rows of the batch_sizes[t] sequences that are still running (longest first), so
/// data has sum(batch_sizes) rows. batch_sizes is a 1-D kLong tensor, non-increasing.
/// sorted_indices (when defined) gives, for each position in the packed batch, the index of the
/// sequence in the batch as the user gave it; unsorted_indices is its inverse.
class PackedSequence {
 public:
  explicit PackedSequence(Tensor data, Tensor batch_sizes, Tensor sorted_indices = {},
                          Tensor unsorted_indices = {});

  const Tensor& data() const { return data_; }
  const Tensor& batch_sizes() const { return batch_sizes_; }
  const Tensor& sorted_indices() const { return sorted_indices_; }
  const Tensor& unsorted_indices() const { return unsorted_indices_; }
  /// The same sequence with data converted to `dtype` (the indices keep theirs).
  PackedSequence to(ScalarType dtype) const;
  /// Only the CPU exists: returns *this.
  PackedSequence cpu() const { return *this; }
  bool is_cuda() const { return false; }
  bool is_pinned() const { return false; }

 private:
  Tensor data_;
  Tensor batch_sizes_;
  Tensor sorted_indices_;
  Tensor unsorted_indices_;
};

/// Packs `input` ([T, B, *], or [B, T, *] when batch_first) whose sequence b has length
/// lengths[b] (a 1-D tensor or list of B integers, each in 1..T). With enforce_sorted the lengths
/// must be non-increasing; otherwise the batch is sorted by decreasing length first and the
/// permutation kept in the result.
PackedSequence pack_padded_sequence(Tensor input, Tensor lengths, bool batch_first = false,
                                    bool enforce_sorted = true);

/// The inverse of pack_padded_sequence: ([T, B, *] or [B, T, *] filled with padding_value beyond
/// each sequence's end, the lengths as a kLong tensor), in the batch order of before packing.
/// total_length pads to that many steps (at least the longest sequence).
std::tuple<Tensor, Tensor> pad_packed_sequence(PackedSequence sequence, bool batch_first = false,
                                               double padding_value = 0.0,
                                               std::optional<int64_t> total_length = std::nullopt);

/// Stacks sequences [L_i, *] into [max L_i, N, *] (or [N, max L_i, *] when batch_first), padding
/// the shorter ones with padding_value.
Tensor pad_sequence(ArrayRef<Tensor> sequences, bool batch_first = false, double padding_value = 0);

/// Packs sequences [L_i, *] (sorted by decreasing length unless enforce_sorted is false).
PackedSequence pack_sequence(ArrayRef<Tensor> sequences, bool enforce_sorted = true);

}  // namespace tg::nn::utils::rnn
