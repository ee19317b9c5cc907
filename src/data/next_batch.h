#pragma once
// The batching step the index samplers share.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <vector>

namespace tg::data::detail {

/// The next batch of a sampler that hands out indices[position, end) in order: at most
/// batch_size indices from `position`, which moves past them; nullopt once it reaches end.
inline std::optional<std::vector<size_t>> next_batch(const std::vector<size_t>& indices,
                                                     size_t& position, size_t end,
                                                     size_t batch_size) {
  const size_t stop = std::min(end, position + batch_size);
  if (stop <= position) return std::nullopt;
  std::vector<size_t> batch(indices.begin() + static_cast<std::ptrdiff_t>(position),
                            indices.begin() + static_cast<std::ptrdiff_t>(stop));
  position = stop;
  return batch;
}

}  // namespace tg::data::detail
