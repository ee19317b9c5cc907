// Conv2d.
#include "tensorgrad/nn/modules/conv.h"

#include <cmath>
#include <ostream>

#include "core/internal.h"
#include "tensorgrad/nn/functional/conv.h"
#include "tensorgrad/nn/init.h"

namespace tg::nn {

Conv2dImpl::Conv2dImpl(Conv2dOptions options_) : options(std::move(options_)) { reset(); }

void Conv2dImpl::reset() {
  const int64_t in = options.in_channels(), out = options.out_channels(), groups = options.groups();
  TG_CHECK(in > 0 && out > 0, "Conv2d: in_channels and out_channels must be positive, got ", in,
           " and ", out);
  TG_CHECK(groups > 0, "Conv2d: groups must be a positive integer, got ", groups);
  TG_CHECK(in % groups == 0, "Conv2d: in_channels (", in, ") must be divisible by groups (", groups,
           ")");
  TG_CHECK(out % groups == 0, "Conv2d: out_channels (", out, ") must be divisible by groups (",
           groups, ")");
  for (int d = 0; d < 2; ++d) {
    TG_CHECK((*options.kernel_size())[d] > 0, "Conv2d: kernel_size must be positive, got ",
             options.kernel_size());
    TG_CHECK((*options.stride())[d] > 0, "Conv2d: stride must be positive, got ", options.stride());
    TG_CHECK((*options.padding())[d] >= 0, "Conv2d: padding must be non-negative, got ",
             options.padding());
    TG_CHECK((*options.dilation())[d] > 0, "Conv2d: dilation must be positive, got ",
             options.dilation());
  }
  weight = register_parameter("weight", tg::empty({out, in / groups, (*options.kernel_size())[0],
                                                   (*options.kernel_size())[1]}));
  if (options.bias()) {
    bias = register_parameter("bias", tg::empty({out}));
  } else {
    bias = register_parameter("bias", Tensor(), /*requires_grad=*/false);
  }
  reset_parameters();
}

void Conv2dImpl::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const auto [fan_in, fan_out] = init::_calculate_fan_in_and_fan_out(weight);
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    init::uniform_(bias, -bound, bound);
  }
}

void Conv2dImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Conv2d(" << options.in_channels() << ", " << options.out_channels()
         << ", kernel_size=" << options.kernel_size() << ", stride=" << options.stride();
  if (*options.padding() != *ExpandingArray<2>(0)) stream << ", padding=" << options.padding();
  if (*options.dilation() != *ExpandingArray<2>(1)) stream << ", dilation=" << options.dilation();
  if (options.groups() != 1) stream << ", groups=" << options.groups();
  if (!options.bias()) stream << ", bias=false";
  stream << ")";
}

Tensor Conv2dImpl::forward(const Tensor& input) {
  TG_CHECK(input.defined(), "Conv2d: the input is undefined");
  TG_CHECK(input.dim() == 3 || input.dim() == 4,
           "Conv2d: expected a 4-D input [N, C, H, W] (or 3-D [C, H, W]) but got shape ",
           tg::detail::shape_str(input.sizes()),
           "; for a batch of flat images reshape with .view({N, C, H, W})");
  const int64_t channel_dim = input.dim() - 3;
  TG_CHECK(input.size(channel_dim) == options.in_channels(), "Conv2d: expected input with ",
           options.in_channels(), " channels (dimension ", channel_dim, ") but got ",
           input.size(channel_dim), "; input shape ", tg::detail::shape_str(input.sizes()));
  TG_CHECK(input.dtype() == weight.dtype(), "Conv2d: the input has dtype ", input.dtype(),
           " but the weight has dtype ", weight.dtype(), "; convert the input with .to(",
           weight.dtype(), ") or the module with ->to(", input.dtype(), ")");
  const auto func_options = functional::Conv2dFuncOptions()
                                .bias(bias)
                                .stride(options.stride())
                                .padding(options.padding())
                                .dilation(options.dilation())
                                .groups(options.groups());
  if (input.dim() == 3)  // unbatched: run as a batch of one
    return functional::conv2d(input.unsqueeze(0), weight, func_options).squeeze(0);
  return functional::conv2d(input, weight, func_options);
}

}  // namespace tg::nn
