// Packing and padding of variable-length sequences (nn::utils::rnn), composed of differentiable
// ops so that gradients pass between the padded and the packed forms.
#include <algorithm>
#include <numeric>
#include <vector>

#include "core/internal.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/nn/utils/rnn.h"

namespace tg::nn::utils::rnn {

namespace {

std::vector<int64_t> long_values(const Tensor& t) {
  const Tensor c = t.to(kLong).contiguous();
  const int64_t* p = c.data_ptr<int64_t>();
  return std::vector<int64_t>(p, p + c.numel());
}

}  // namespace

Tensor invert_permutation(const Tensor& permutation) {
  if (!permutation.defined()) return Tensor();
  TG_CHECK(permutation.dim() == 1, "invert_permutation: expected a 1-D permutation, got shape ",
           tg::detail::shape_str(permutation.sizes()));
  const std::vector<int64_t> perm = long_values(permutation);
  const auto n = static_cast<int64_t>(perm.size());
  std::vector<int64_t> inverse(perm.size(), -1);
  for (int64_t i = 0; i < n; ++i) {
    TG_CHECK(perm[i] >= 0 && perm[i] < n && inverse[perm[i]] == -1,
             "invert_permutation: the indices are not a permutation of 0..", n - 1, " (entry ", i,
             " is ", perm[i], ")");
    inverse[perm[i]] = i;
  }
  return tg::tensor(ArrayRef<int64_t>(inverse), kLong);
}

PackedSequence::PackedSequence(Tensor data, Tensor batch_sizes, Tensor sorted_indices,
                               Tensor unsorted_indices)
    : data_(std::move(data)),
      batch_sizes_(std::move(batch_sizes)),
      sorted_indices_(std::move(sorted_indices)),
      unsorted_indices_(std::move(unsorted_indices)) {
  if (!unsorted_indices_.defined()) unsorted_indices_ = invert_permutation(sorted_indices_);
}

PackedSequence PackedSequence::to(ScalarType dtype) const {
  Tensor converted = data_.to(dtype);
  if (converted.is_same(data_)) return *this;
  return PackedSequence(converted, batch_sizes_, sorted_indices_, unsorted_indices_);
}

PackedSequence pack_padded_sequence(Tensor input, Tensor lengths, bool batch_first,
                                    bool enforce_sorted) {
  TG_CHECK(input.defined() && lengths.defined(),
           "pack_padded_sequence: the input and the lengths must be defined");
  TG_CHECK(input.dim() >= 2, "pack_padded_sequence: expected an input of at least 2 dimensions ",
           batch_first ? "[batch, seq, *]" : "[seq, batch, *]", ", got shape ",
           tg::detail::shape_str(input.sizes()));
  TG_CHECK(lengths.dim() == 1, "pack_padded_sequence: expected 1-D lengths, got shape ",
           tg::detail::shape_str(lengths.sizes()));
  if (batch_first) input = input.transpose(0, 1);
  const int64_t steps = input.size(0);
  const int64_t batch = input.size(1);
  std::vector<int64_t> length = long_values(lengths);
  TG_CHECK(static_cast<int64_t>(length.size()) == batch,
           "pack_padded_sequence: expected one length per sequence, but got ", length.size(),
           " lengths for a batch of ", batch, " (input shape ",
           tg::detail::shape_str(input.sizes()), ")");
  Tensor sorted_indices;
  if (!enforce_sorted) {
    std::vector<int64_t> order(length.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return length[a] > length[b]; });
    std::vector<int64_t> sorted_length(length.size());
    for (size_t i = 0; i < order.size(); ++i) sorted_length[i] = length[order[i]];
    length = std::move(sorted_length);
    sorted_indices = tg::tensor(ArrayRef<int64_t>(order), kLong);
    input = input.index_select(1, sorted_indices);
  }
  for (size_t i = 0; i < length.size(); ++i) {
    TG_CHECK(length[i] > 0,
             "pack_padded_sequence: every length must be greater than 0, but sequence ", i,
             " has length ", length[i]);
    TG_CHECK(length[i] <= steps, "pack_padded_sequence: sequence ", i, " has length ", length[i],
             " but the input has only ", steps, " steps (input shape ",
             tg::detail::shape_str(input.sizes()), ")");
    TG_CHECK(i == 0 || length[i] <= length[i - 1],
             "pack_padded_sequence: the lengths must be sorted in decreasing order when "
             "enforce_sorted is true (length ",
             length[i], " at index ", i, " follows ", length[i - 1],
             "). You can pass `enforce_sorted=False` to have them sorted");
  }
  // batch_sizes[t]: how many sequences are longer than t.
  const int64_t max_length = batch > 0 ? length.front() : 0;
  std::vector<int64_t> batch_sizes(max_length);
  std::vector<Tensor> pieces;
  pieces.reserve(max_length);
  int64_t running = batch;
  for (int64_t t = 0; t < max_length; ++t) {
    while (running > 0 && length[running - 1] <= t) --running;
    batch_sizes[t] = running;
    pieces.push_back(input[t].narrow(0, 0, running));
  }
  Tensor data = max_length > 0 ? tg::cat(pieces, 0) : input.flatten(0, 1).narrow(0, 0, 0);
  return PackedSequence(data, tg::tensor(ArrayRef<int64_t>(batch_sizes), kLong), sorted_indices,
                        Tensor());
}

std::tuple<Tensor, Tensor> pad_packed_sequence(PackedSequence sequence, bool batch_first,
                                               double padding_value,
                                               std::optional<int64_t> total_length) {
  const std::vector<int64_t> batch_sizes = long_values(sequence.batch_sizes());
  const Tensor& data = sequence.data();
  auto max_length = static_cast<int64_t>(batch_sizes.size());
  if (total_length.has_value()) {
    TG_CHECK(*total_length >= max_length,
             "pad_packed_sequence: Expected total_length to be at least the length of the "
             "longest sequence in input, but got total_length=",
             *total_length, " and a longest sequence of ", max_length);
    max_length = *total_length;
  }
  TG_CHECK(!batch_sizes.empty(), "pad_packed_sequence: the packed sequence has no steps");
  const int64_t rows_total = std::accumulate(batch_sizes.begin(), batch_sizes.end(), int64_t{0});
  TG_CHECK(data.dim() >= 1 && rows_total == data.size(0),
           "pad_packed_sequence: the batch sizes add up to ", rows_total, " rows but the data has ",
           data.dim() >= 1 ? data.size(0) : 0);
  const int64_t batch = batch_sizes.front();
  std::vector<int64_t> row_shape = data.sizes().vec();
  std::vector<Tensor> steps;
  steps.reserve(max_length);
  int64_t offset = 0;
  for (int64_t t = 0; t < max_length; ++t) {
    const int64_t rows = t < static_cast<int64_t>(batch_sizes.size()) ? batch_sizes[t] : 0;
    Tensor step = data.narrow(0, offset, rows);
    offset += rows;
    if (rows < batch) {
      row_shape[0] = batch - rows;
      step = tg::cat({step, tg::full(row_shape, padding_value, data.dtype())}, 0);
    }
    steps.push_back(step);
  }
  Tensor padded = tg::stack(steps, batch_first ? 1 : 0);
  // lengths[b]: the number of steps with more than b sequences.
  std::vector<int64_t> lengths(batch, 0);
  for (int64_t rows : batch_sizes)
    for (int64_t b = 0; b < rows; ++b) ++lengths[b];
  Tensor length_tensor = tg::tensor(ArrayRef<int64_t>(lengths), kLong);
  const Tensor& unsorted = sequence.unsorted_indices();
  if (unsorted.defined()) {
    padded = padded.index_select(batch_first ? 0 : 1, unsorted);
    length_tensor = length_tensor.index_select(0, unsorted);
  }
  return {padded, length_tensor};
}

Tensor pad_sequence(ArrayRef<Tensor> sequences, bool batch_first, double padding_value) {
  TG_CHECK(!sequences.empty(), "pad_sequence: received an empty list of sequences");
  const auto trailing = sequences[0].sizes().vec();
  TG_CHECK(!trailing.empty(), "pad_sequence: the sequences must have at least 1 dimension");
  int64_t max_length = 0;
  for (size_t i = 0; i < sequences.size(); ++i) {
    const Tensor& s = sequences[i];
    TG_CHECK(s.dim() == sequences[0].dim() &&
                 std::equal(trailing.begin() + 1, trailing.end(), s.sizes().begin() + 1),
             "pad_sequence: every sequence must have the trailing shape of the first, but "
             "sequence 0 has shape ",
             tg::detail::shape_str(sequences[0].sizes()), " and sequence ", i, " has shape ",
             tg::detail::shape_str(s.sizes()));
    max_length = std::max(max_length, s.size(0));
  }
  std::vector<Tensor> padded;
  padded.reserve(sequences.size());
  for (const Tensor& s : sequences) {
    if (s.size(0) == max_length) {
      padded.push_back(s);
    } else {
      std::vector<int64_t> shape = s.sizes().vec();
      shape[0] = max_length - s.size(0);
      padded.push_back(tg::cat({s, tg::full(shape, padding_value, s.dtype())}, 0));
    }
  }
  return tg::stack(padded, batch_first ? 0 : 1);
}

PackedSequence pack_sequence(ArrayRef<Tensor> sequences, bool enforce_sorted) {
  std::vector<int64_t> lengths;
  lengths.reserve(sequences.size());
  for (const Tensor& s : sequences) lengths.push_back(s.size(0));
  return pack_padded_sequence(pad_sequence(sequences),
                              tg::tensor(ArrayRef<int64_t>(lengths), kLong),
                              /*batch_first=*/false, enforce_sorted);
}

}  // namespace tg::nn::utils::rnn
