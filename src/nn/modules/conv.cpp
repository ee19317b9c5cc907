// Conv1d/2d/3d and ConvTranspose1d/2d/3d.
#include "tensorgrad/nn/modules/conv.h"

#include <cmath>
#include <ostream>
#include <variant>

#include "core/internal.h"
#include "tensorgrad/nn/functional/conv.h"
#include "tensorgrad/nn/functional/padding.h"
#include "tensorgrad/nn/init.h"

namespace tg::nn {

namespace {

/// The options ConvNdImpl keeps, from ConvOptions or ConvTransposeOptions.
template <size_t D, template <size_t> class Options>
detail::ConvNdOptions<D> nd_options(const Options<D>& o) {
  auto nd = detail::ConvNdOptions<D>(o.in_channels(), o.out_channels(), o.kernel_size())
                .stride(o.stride())
                .padding(o.padding())
                .dilation(o.dilation())
                .groups(o.groups())
                .bias(o.bias())
                .padding_mode(o.padding_mode());
  if constexpr (std::is_same_v<Options<D>, ConvTransposeOptions<D>>)
    nd.output_padding(o.output_padding()).transposed(true);
  return nd;
}

const char* mode_name(const detail::conv_padding_mode_t& m) {
  if (std::holds_alternative<enumtype::kReflect>(m)) return "reflect";
  if (std::holds_alternative<enumtype::kReplicate>(m)) return "replicate";
  if (std::holds_alternative<enumtype::kCircular>(m)) return "circular";
  return "zeros";
}

}  // namespace

template <size_t D, class Derived>
ConvNdImpl<D, Derived>::ConvNdImpl(detail::ConvNdOptions<D> options_)
    : options(std::move(options_)) {
  // The final overrider of reset() during construction is this class's, as intended.
  ConvNdImpl::reset();
}

template <size_t D, class Derived>
void ConvNdImpl<D, Derived>::reset() {
  const int64_t in = options.in_channels(), out = options.out_channels(), groups = options.groups();
  const char* kind = options.transposed() ? "ConvTranspose" : "Conv";
  TG_CHECK(groups > 0, "groups must be a positive integer");
  TG_CHECK(in % groups == 0, kind, D, "d: in_channels must be divisible by groups: in_channels (",
           in, ") is not divisible by groups (", groups, ")");
  TG_CHECK(out % groups == 0, kind, D,
           "d: out_channels must be divisible by groups: out_channels (", out,
           ") is not divisible by groups (", groups, ")");
  TG_CHECK(in > 0 && out > 0, kind, D, "d: in_channels and out_channels must be positive, got ", in,
           " and ", out);
  for (size_t d = 0; d < D; ++d) {
    TG_CHECK((*options.kernel_size())[d] > 0, kind, D, "d: kernel_size must be positive, got ",
             options.kernel_size());
    TG_CHECK((*options.stride())[d] > 0, kind, D, "d: stride must be positive, got ",
             options.stride());
  }
  _reversed_padding_repeated_twice.assign(2 * D, 0);
  std::visit(
      [&](const auto& pad) {
        using P = std::decay_t<decltype(pad)>;
        if constexpr (std::is_same_v<P, enumtype::kSame>) {
          for (size_t d = 0; d < D; ++d)
            TG_CHECK((*options.stride())[d] == 1, kind, D,
                     "d: padding='same' is not supported for strided convolutions (stride ",
                     options.stride(), "); use stride 1 or explicit padding");
          for (size_t d = 0; d < D; ++d) {
            const int64_t total = (*options.dilation())[d] * ((*options.kernel_size())[d] - 1);
            const int64_t left = total / 2;
            _reversed_padding_repeated_twice[2 * (D - 1 - d)] = left;
            _reversed_padding_repeated_twice[2 * (D - 1 - d) + 1] = total - left;
          }
        } else if constexpr (std::is_same_v<P, ExpandingArray<D>>) {
          for (size_t d = 0; d < D; ++d) {
            TG_CHECK((*pad)[d] >= 0, kind, D, "d: padding must be non-negative, got ", pad);
            _reversed_padding_repeated_twice[2 * (D - 1 - d)] = (*pad)[d];
            _reversed_padding_repeated_twice[2 * (D - 1 - d) + 1] = (*pad)[d];
          }
        }
      },
      options.padding());
  std::vector<int64_t> shape;
  if (options.transposed()) {
    shape = {in, out / groups};
  } else {
    shape = {out, in / groups};
  }
  for (size_t d = 0; d < D; ++d) shape.push_back((*options.kernel_size())[d]);
  weight = this->register_parameter("weight", tg::empty(shape));
  if (options.bias()) {
    bias = this->register_parameter("bias", tg::empty({out}));
  } else {
    bias = this->register_parameter("bias", Tensor(), /*requires_grad=*/false);
  }
  reset_parameters();
}

template <size_t D, class Derived>
void ConvNdImpl<D, Derived>::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const auto [fan_in, fan_out] = init::_calculate_fan_in_and_fan_out(weight);
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    init::uniform_(bias, -bound, bound);
  }
}

template <size_t D, class Derived>
void ConvNdImpl<D, Derived>::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::" << (options.transposed() ? "ConvTranspose" : "Conv") << D << "d("
         << options.in_channels() << ", " << options.out_channels()
         << ", kernel_size=" << options.kernel_size() << ", stride=" << options.stride();
  std::visit(
      [&](const auto& pad) {
        using P = std::decay_t<decltype(pad)>;
        if constexpr (std::is_same_v<P, enumtype::kValid>) {
          stream << ", padding='valid'";
        } else if constexpr (std::is_same_v<P, enumtype::kSame>) {
          stream << ", padding='same'";
        } else {
          if (*pad != *ExpandingArray<D>(0)) stream << ", padding=" << pad;
        }
      },
      options.padding());
  if (*options.dilation() != *ExpandingArray<D>(1)) stream << ", dilation=" << options.dilation();
  if (*options.output_padding() != *ExpandingArray<D>(0))
    stream << ", output_padding=" << options.output_padding();
  if (options.groups() != 1) stream << ", groups=" << options.groups();
  if (!options.bias()) stream << ", bias=false";
  if (!std::holds_alternative<enumtype::kZeros>(options.padding_mode()))
    stream << ", padding_mode=" << enumtype::get_enum_name(options.padding_mode());
  stream << ")";
}

template <size_t D, class Derived>
ConvImpl<D, Derived>::ConvImpl(ConvOptions<D> options_)
    : ConvNdImpl<D, Derived>(nd_options(options_)) {}

template <size_t D, class Derived>
Tensor ConvImpl<D, Derived>::forward(const Tensor& input) {
  const auto& o = this->options;
  TG_CHECK(input.defined(), "Conv", D, "d: the input is undefined");
  TG_CHECK(input.dim() == static_cast<int64_t>(D) + 1 || input.dim() == static_cast<int64_t>(D) + 2,
           "Conv", D, "d: expected ", D + 1, "D (unbatched) or ", D + 2,
           "D (batched) input to conv", D,
           "d, but got input of size: ", tg::detail::shape_str(input.sizes()));
  const int64_t channel_dim = input.dim() - static_cast<int64_t>(D) - 1;
  TG_CHECK(input.size(channel_dim) == o.in_channels(), "Conv", D, "d: expected input with ",
           o.in_channels(), " channels (dimension ", channel_dim, ") but got ",
           input.size(channel_dim), "; input shape ", tg::detail::shape_str(input.sizes()));
  TG_CHECK(input.dtype() == this->weight.dtype(), "Conv", D, "d: the input has dtype ",
           input.dtype(), " but the weight has dtype ", this->weight.dtype(),
           "; convert the input with .to(", this->weight.dtype(), ") or the module with ->to(",
           input.dtype(), ")");
  functional::ConvFuncOptions<D> f;
  f.bias(this->bias).stride(o.stride()).dilation(o.dilation()).groups(o.groups());
  Tensor x = input;
  if (!std::holds_alternative<enumtype::kZeros>(o.padding_mode())) {
    // The padding is done by F::pad in that mode; the convolution itself pads nothing.
    x = tg::pad(input, this->_reversed_padding_repeated_twice, mode_name(o.padding_mode()));
    f.padding(0);
  } else {
    f.padding(o.padding());
  }
  if constexpr (D == 1) return functional::conv1d(x, this->weight, f);
  if constexpr (D == 2) return functional::conv2d(x, this->weight, f);
  if constexpr (D == 3) return functional::conv3d(x, this->weight, f);
}

template <size_t D, class Derived>
ConvTransposeImpl<D, Derived>::ConvTransposeImpl(ConvTransposeOptions<D> options_)
    : ConvNdImpl<D, Derived>(nd_options(options_)) {}

template <size_t D, class Derived>
std::vector<int64_t> ConvTransposeImpl<D, Derived>::_output_padding(
    const Tensor& input, const std::optional<std::vector<int64_t>>& output_size) {
  const auto& o = this->options;
  if (!output_size)
    return std::vector<int64_t>(o.output_padding()->begin(), o.output_padding()->end());
  const int64_t k = static_cast<int64_t>(D);
  std::vector<int64_t> size = *output_size;
  if (static_cast<int64_t>(size.size()) == k + 2)
    size = std::vector<int64_t>(size.begin() + 2, size.end());
  TG_CHECK(static_cast<int64_t>(size.size()) == k, "ConvTranspose", D, "d: output_size must have ",
           k, " or ", k + 2, " elements (got ", output_size->size(), ")");
  const auto& pad = std::get<ExpandingArray<D>>(o.padding());
  std::vector<int64_t> result(D);
  for (size_t d = 0; d < D; ++d) {
    const int64_t in = input.size(input.dim() - k + static_cast<int64_t>(d));
    const int64_t min_size = (in - 1) * (*o.stride())[d] - 2 * (*pad)[d] +
                             (*o.dilation())[d] * ((*o.kernel_size())[d] - 1) + 1;
    const int64_t max_size = min_size + (*o.stride())[d] - 1;
    TG_CHECK(size[d] >= min_size && size[d] <= max_size, "requested an output size of ",
             tg::detail::shape_str(size), ", but valid sizes range from ", min_size, " to ",
             max_size, " (for an input of ", tg::detail::shape_str(input.sizes()), ")");
    result[d] = size[d] - min_size;
  }
  return result;
}

template <size_t D, class Derived>
Tensor ConvTransposeImpl<D, Derived>::forward(
    const Tensor& input, const std::optional<std::vector<int64_t>>& output_size) {
  const auto& o = this->options;
  TG_CHECK(std::holds_alternative<enumtype::kZeros>(o.padding_mode()),
           "Only `zeros` padding mode is supported for ConvTranspose", D, "d");
  TG_CHECK(input.defined(), "ConvTranspose", D, "d: the input is undefined");
  const std::vector<int64_t> out_pad = _output_padding(input, output_size);
  functional::ConvTransposeFuncOptions<D> f;
  f.bias(this->bias)
      .stride(o.stride())
      .padding(std::get<ExpandingArray<D>>(o.padding()))
      .output_padding(ExpandingArray<D>(out_pad))
      .groups(o.groups())
      .dilation(o.dilation());
  if constexpr (D == 1) return functional::conv_transpose1d(input, this->weight, f);
  if constexpr (D == 2) return functional::conv_transpose2d(input, this->weight, f);
  if constexpr (D == 3) return functional::conv_transpose3d(input, this->weight, f);
}

template class ConvNdImpl<1, Conv1dImpl>;
template class ConvNdImpl<2, Conv2dImpl>;
template class ConvNdImpl<3, Conv3dImpl>;
template class ConvNdImpl<1, ConvTranspose1dImpl>;
template class ConvNdImpl<2, ConvTranspose2dImpl>;
template class ConvNdImpl<3, ConvTranspose3dImpl>;
template class ConvImpl<1, Conv1dImpl>;
template class ConvImpl<2, Conv2dImpl>;
template class ConvImpl<3, Conv3dImpl>;
template class ConvTransposeImpl<1, ConvTranspose1dImpl>;
template class ConvTransposeImpl<2, ConvTranspose2dImpl>;
template class ConvTransposeImpl<3, ConvTranspose3dImpl>;

}  // namespace tg::nn
