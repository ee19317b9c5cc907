// LayerNorm, LocalResponseNorm, CrossMapLRN2d, GroupNorm and InstanceNorm1d/2d/3d, and the
// functional local response normalisations.
#include "tensorgrad/nn/modules/normalization.h"

#include <algorithm>
#include <ostream>

#include "core/internal.h"
#include "nn/modules/norm_state.h"
#include "tensorgrad/nn/functional/normalization.h"

namespace tg::nn {

namespace functional::detail {

Tensor local_response_norm(const Tensor& input, int64_t size, double alpha, double beta, double k) {
  TG_CHECK(input.defined(), "local_response_norm: the input is undefined");
  TG_CHECK(input.dim() >= 3, "Expected 3D or higher dimensionality input (got ", input.dim(),
           " dimensions)");
  TG_CHECK(size > 0, "local_response_norm: size must be positive, got ", size);
  if (input.numel() == 0) return input;
  const int64_t channels = input.size(1);
  const Tensor sq = input * input;
  // Zero channels before (size / 2) and after ((size - 1) / 2), then the sum of each window of
  // `size` channels, divided by size (an average pool counting the padding).
  const int64_t before = size / 2, after = (size - 1) / 2;
  std::vector<Tensor> parts;
  DimVector pad_shape(input.sizes());
  if (before > 0) {
    pad_shape[1] = before;
    parts.push_back(tg::zeros(pad_shape, input.dtype()));
  }
  parts.push_back(sq);
  if (after > 0) {
    pad_shape[1] = after;
    parts.push_back(tg::zeros(pad_shape, input.dtype()));
  }
  const Tensor padded = parts.size() == 1 ? sq : tg::cat(parts, 1);
  Tensor window = padded.narrow(1, 0, channels);
  for (int64_t j = 1; j < size; ++j) window = window + padded.narrow(1, j, channels);
  const Tensor div = (window * (alpha / static_cast<double>(size)) + k).pow(beta);
  return input / div;
}

}  // namespace functional::detail

namespace {
namespace F = functional;

/// The legacy recurrence of CrossMapLRN2d over the channels: the first sum covers the first
/// pre_pad channels, and each next one adds the channel pre_pad - 1 ahead and, past pre_pad,
/// drops the one pre_pad behind.
Tensor cross_map_lrn2d(const Tensor& input, int64_t size, double alpha, double beta, double k) {
  TG_CHECK(input.dim() == 4, "CrossMapLRN2d: expected a 4-D input [N, C, H, W] but got shape ",
           tg::detail::shape_str(input.sizes()));
  const int64_t channels = input.size(1);
  const Tensor sq = input * input;
  const int64_t pre_pad = (size - 1) / 2 + 1;
  const int64_t first = std::min(pre_pad, channels);
  std::vector<Tensor> scales;
  Tensor current = sq.narrow(1, 0, first).sum({1});
  scales.push_back(current);
  for (int64_t c = 1; c < channels; ++c) {
    if (c < channels - pre_pad + 1) current = current + sq.select(1, c + pre_pad - 1);
    if (c > pre_pad) current = current - sq.select(1, c - pre_pad);
    scales.push_back(current);
  }
  const Tensor scale = tg::stack(scales, 1) * (alpha / static_cast<double>(size)) + k;
  return input * scale.pow(-beta);
}

}  // namespace

// ---- LayerNorm and GroupNorm ----

namespace {

bool is_affine(const LayerNormOptions& options) { return options.elementwise_affine(); }
bool is_affine(const GroupNormOptions& options) { return options.affine(); }
std::vector<int64_t> affine_shape(const LayerNormOptions& options) {
  return options.normalized_shape();
}
std::vector<int64_t> affine_shape(const GroupNormOptions& options) {
  return {options.num_channels()};
}

}  // namespace

template <class Derived, class Options>
detail::AffineNormImpl<Derived, Options>::AffineNormImpl(Options options_)
    : options(std::move(options_)) {
  // The final overrider of reset() during construction is this class's, as intended.
  AffineNormImpl::reset();
}

template <class Derived, class Options>
void detail::AffineNormImpl<Derived, Options>::reset() {
  detail::register_affine_parameters(*this, weight, bias, is_affine(options),
                                     affine_shape(options));
  reset_parameters();
}

template <class Derived, class Options>
void detail::AffineNormImpl<Derived, Options>::reset_parameters() {
  detail::reset_affine_parameters(weight, bias, is_affine(options));
}

template class detail::AffineNormImpl<LayerNormImpl, LayerNormOptions>;
template class detail::AffineNormImpl<GroupNormImpl, GroupNormOptions>;

void LayerNormImpl::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "torch::nn::LayerNorm("
         << tg::detail::shape_str(options.normalized_shape()) << ", eps=" << options.eps()
         << ", elementwise_affine=" << options.elementwise_affine() << ")";
}

Tensor LayerNormImpl::forward(const Tensor& input) {
  return F::detail::layer_norm(input, options.normalized_shape(), weight, bias, options.eps());
}

// ---- LocalResponseNorm ----

Tensor LocalResponseNormImpl::forward(const Tensor& input) {
  return F::local_response_norm(input, options);
}

// ---- CrossMapLRN2d ----

Tensor CrossMapLRN2dImpl::forward(const Tensor& input) {
  return cross_map_lrn2d(input, options.size(), options.alpha(), options.beta(),
                         static_cast<double>(options.k()));
}

// ---- GroupNorm ----

void GroupNormImpl::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "torch::nn::GroupNorm(" << options.num_groups() << ", "
         << options.num_channels() << ", eps=" << options.eps() << ", affine=" << options.affine()
         << ")";
}

Tensor GroupNormImpl::forward(const Tensor& input) {
  return F::detail::group_norm(input, options.num_groups(), weight, bias, options.eps());
}

// ---- InstanceNorm ----

template <size_t D, class Derived>
void InstanceNormImpl<D, Derived>::pretty_print(std::ostream& stream) const {
  const InstanceNormOptions& o = this->options;
  stream << std::boolalpha << "torch::nn::InstanceNorm" << D << "d(" << o.num_features()
         << ", eps=" << o.eps() << ", momentum=" << o.momentum() << ", affine=" << o.affine()
         << ", track_running_stats=" << o.track_running_stats() << ")";
}

template <size_t D, class Derived>
Tensor InstanceNormImpl<D, Derived>::forward(const Tensor& input) {
  TG_CHECK(input.defined(), "InstanceNorm", D, "d: the input is undefined");
  const int64_t batched = static_cast<int64_t>(D) + 2;
  TG_CHECK(input.dim() == batched || input.dim() == batched - 1, "InstanceNorm", D, "d: expected ",
           batched - 1, "D or ", batched, "D input (got ", input.dim(), "D input)");
  // An unbatched input is a batch of one.
  const Tensor x = input.dim() == batched - 1 ? input.unsqueeze(0) : input;
  Tensor out =
      F::detail::instance_norm(x, this->running_mean, this->running_var, this->weight, this->bias,
                               this->is_training() || !this->options.track_running_stats(),
                               this->options.momentum(), this->options.eps());
  if (this->is_training() && this->options.track_running_stats()) {
    NoGradGuard no_grad;
    this->num_batches_tracked.add_(1);
  }
  return input.dim() == batched - 1 ? out.squeeze(0) : out;
}

template class InstanceNormImpl<1, InstanceNorm1dImpl>;
template class InstanceNormImpl<2, InstanceNorm2dImpl>;
template class InstanceNormImpl<3, InstanceNorm3dImpl>;

}  // namespace tg::nn
