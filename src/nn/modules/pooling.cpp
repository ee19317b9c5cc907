// The pooling modules: thin wrappers over nn::functional.
#include "tensorgrad/nn/modules/pooling.h"

#include <ostream>
#include <string>

#include "core/internal.h"
#include "tensorgrad/nn/functional/pooling.h"

namespace tg::nn {

namespace F = functional;

namespace {
void check_input(const Tensor& input, size_t d, const char* kind) {
  const std::string module = kind + std::to_string(d) + "d";
  TG_CHECK(input.defined(), module, ": the input is undefined");
  TG_CHECK(input.dim() == static_cast<int64_t>(d) + 1 || input.dim() == static_cast<int64_t>(d) + 2,
           module, ": expected a ", d + 1, "-D (unbatched) or ", d + 2,
           "-D (batched) input but got shape ", tg::detail::shape_str(input.sizes()));
}
}  // namespace

template <size_t D, class Derived>
void MaxPoolImpl<D, Derived>::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "torch::nn::MaxPool" << D
         << "d(kernel_size=" << this->options.kernel_size() << ", stride=" << this->options.stride()
         << ", padding=" << this->options.padding() << ", dilation=" << this->options.dilation()
         << ", ceil_mode=" << this->options.ceil_mode() << ")";
}
template <size_t D, class Derived>
Tensor MaxPoolImpl<D, Derived>::forward(const Tensor& input) {
  return std::get<0>(forward_with_indices(input));
}
template <size_t D, class Derived>
std::tuple<Tensor, Tensor> MaxPoolImpl<D, Derived>::forward_with_indices(const Tensor& input) {
  check_input(input, D, "MaxPool");
  if constexpr (D == 1) return F::max_pool1d_with_indices(input, this->options);
  if constexpr (D == 2) return F::max_pool2d_with_indices(input, this->options);
  if constexpr (D == 3) return F::max_pool3d_with_indices(input, this->options);
}

template <size_t D, class Derived>
void AvgPoolImpl<D, Derived>::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::AvgPool" << D << "d(kernel_size=" << this->options.kernel_size()
         << ", stride=" << this->options.stride() << ", padding=" << this->options.padding() << ")";
}
template <size_t D, class Derived>
Tensor AvgPoolImpl<D, Derived>::forward(const Tensor& input) {
  check_input(input, D, "AvgPool");
  if constexpr (D == 1) return F::avg_pool1d(input, this->options);
  if constexpr (D == 2) return F::avg_pool2d(input, this->options);
  if constexpr (D == 3) return F::avg_pool3d(input, this->options);
}

template <size_t D, class S, class Derived>
void AdaptiveMaxPoolImpl<D, S, Derived>::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::AdaptiveMaxPool" << D << "d(output_size=" << this->options.output_size()
         << ")";
}
template <size_t D, class S, class Derived>
Tensor AdaptiveMaxPoolImpl<D, S, Derived>::forward(const Tensor& input) {
  return std::get<0>(forward_with_indices(input));
}
template <size_t D, class S, class Derived>
std::tuple<Tensor, Tensor> AdaptiveMaxPoolImpl<D, S, Derived>::forward_with_indices(
    const Tensor& input) {
  check_input(input, D, "AdaptiveMaxPool");
  if constexpr (D == 1) return F::adaptive_max_pool1d_with_indices(input, this->options);
  if constexpr (D == 2) return F::adaptive_max_pool2d_with_indices(input, this->options);
  if constexpr (D == 3) return F::adaptive_max_pool3d_with_indices(input, this->options);
}

template <size_t D, class S, class Derived>
void AdaptiveAvgPoolImpl<D, S, Derived>::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::AdaptiveAvgPool" << D << "d(output_size=" << this->options.output_size()
         << ")";
}
template <size_t D, class S, class Derived>
Tensor AdaptiveAvgPoolImpl<D, S, Derived>::forward(const Tensor& input) {
  check_input(input, D, "AdaptiveAvgPool");
  if constexpr (D == 1) return F::adaptive_avg_pool1d(input, this->options);
  if constexpr (D == 2) return F::adaptive_avg_pool2d(input, this->options);
  if constexpr (D == 3) return F::adaptive_avg_pool3d(input, this->options);
}

template <size_t D, class Derived>
void MaxUnpoolImpl<D, Derived>::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::MaxUnpool" << D << "d(kernel_size=" << this->options.kernel_size()
         << ", stride=" << this->options.stride() << ", padding=" << this->options.padding() << ")";
}
template <size_t D, class Derived>
Tensor MaxUnpoolImpl<D, Derived>::forward(const Tensor& input, const Tensor& indices,
                                          const std::optional<std::vector<int64_t>>& output_size) {
  F::MaxUnpoolFuncOptions<D> f(this->options.kernel_size());
  f.stride(this->options.stride()).padding(this->options.padding()).output_size(output_size);
  if constexpr (D == 1) return F::max_unpool1d(input, indices, f);
  if constexpr (D == 2) return F::max_unpool2d(input, indices, f);
  if constexpr (D == 3) return F::max_unpool3d(input, indices, f);
}

template <size_t D, class Derived>
void LPPoolImpl<D, Derived>::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "torch::nn::LPPool" << D
         << "d(norm_type=" << this->options.norm_type()
         << ", kernel_size=" << this->options.kernel_size() << ", stride=" << this->options.stride()
         << ", ceil_mode=" << this->options.ceil_mode() << ")";
}
template <size_t D, class Derived>
Tensor LPPoolImpl<D, Derived>::forward(const Tensor& input) {
  if constexpr (D == 1) return F::lp_pool1d(input, this->options);
  if constexpr (D == 2) return F::lp_pool2d(input, this->options);
  if constexpr (D == 3) return F::lp_pool3d(input, this->options);
}

namespace functional::detail {
std::vector<int64_t> _unpool_output_size(const Tensor& input, IntArrayRef kernel_size,
                                         IntArrayRef stride, IntArrayRef padding,
                                         const std::optional<std::vector<int64_t>>& output_size) {
  const size_t d = kernel_size.size();
  TG_CHECK(input.dim() >= static_cast<int64_t>(d), "max_unpool: the input of shape ",
           tg::detail::shape_str(input.sizes()), " has fewer than ", d, " dims");
  std::vector<int64_t> defaults(d);
  for (size_t i = 0; i < d; ++i)
    defaults[i] =
        (input.size(input.dim() - static_cast<int64_t>(d) + static_cast<int64_t>(i)) - 1) *
            stride[i] +
        kernel_size[i] - 2 * padding[i];
  if (!output_size) return defaults;
  std::vector<int64_t> size = *output_size;
  if (size.size() == d + 2) size.erase(size.begin(), size.begin() + 2);
  TG_CHECK(size.size() == d, "output_size should be a sequence containing ", d, " or ", d + 2,
           " elements, but it has a length of '", output_size->size(), "'");
  for (size_t i = 0; i < d; ++i) {
    const int64_t lo = defaults[i] - stride[i], hi = defaults[i] + stride[i];
    TG_CHECK(size[i] > lo && size[i] < hi, "invalid output_size ", tg::detail::shape_str(size),
             " (dim ", i, " must be between ", lo, " and ", hi, ")");
  }
  return size;
}
}  // namespace functional::detail

template class MaxPoolImpl<1, MaxPool1dImpl>;
template class AvgPoolImpl<1, AvgPool1dImpl>;
template class AdaptiveMaxPoolImpl<1, ExpandingArray<1>, AdaptiveMaxPool1dImpl>;
template class AdaptiveAvgPoolImpl<1, ExpandingArray<1>, AdaptiveAvgPool1dImpl>;
template class MaxUnpoolImpl<1, MaxUnpool1dImpl>;
template class MaxPoolImpl<2, MaxPool2dImpl>;
template class AvgPoolImpl<2, AvgPool2dImpl>;
template class AdaptiveMaxPoolImpl<2, ExpandingArrayWithOptionalElem<2>, AdaptiveMaxPool2dImpl>;
template class AdaptiveAvgPoolImpl<2, ExpandingArrayWithOptionalElem<2>, AdaptiveAvgPool2dImpl>;
template class MaxUnpoolImpl<2, MaxUnpool2dImpl>;
template class MaxPoolImpl<3, MaxPool3dImpl>;
template class AvgPoolImpl<3, AvgPool3dImpl>;
template class AdaptiveMaxPoolImpl<3, ExpandingArrayWithOptionalElem<3>, AdaptiveMaxPool3dImpl>;
template class AdaptiveAvgPoolImpl<3, ExpandingArrayWithOptionalElem<3>, AdaptiveAvgPool3dImpl>;
template class MaxUnpoolImpl<3, MaxUnpool3dImpl>;
template class LPPoolImpl<1, LPPool1dImpl>;
template class LPPoolImpl<2, LPPool2dImpl>;

}  // namespace tg::nn
