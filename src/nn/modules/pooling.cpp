// MaxPool2d, AvgPool2d and AdaptiveAvgPool2d.
#include "tensorgrad/nn/modules/pooling.h"

#include <ostream>

#include "core/internal.h"
#include "tensorgrad/nn/functional/pooling.h"

namespace tg::nn {
namespace {

void check_input(const Tensor& input, const char* module) {
  TG_CHECK(input.defined(), module, ": the input is undefined");
  TG_CHECK(input.dim() == 3 || input.dim() == 4, module,
           ": expected a 4-D input [N, C, H, W] (or 3-D [C, H, W]) but got shape ",
           tg::detail::shape_str(input.sizes()));
}

}  // namespace

MaxPool2dImpl::MaxPool2dImpl(const MaxPool2dOptions& options_) : options(options_) {}

void MaxPool2dImpl::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "torch::nn::MaxPool2d(kernel_size=" << options.kernel_size()
         << ", stride=" << options.stride() << ", padding=" << options.padding()
         << ", dilation=" << options.dilation() << ", ceil_mode=" << options.ceil_mode() << ")";
}

Tensor MaxPool2dImpl::forward(const Tensor& input) {
  check_input(input, "MaxPool2d");
  return functional::max_pool2d(input, options);
}

AvgPool2dImpl::AvgPool2dImpl(const AvgPool2dOptions& options_) : options(options_) {}

void AvgPool2dImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::AvgPool2d(kernel_size=" << options.kernel_size()
         << ", stride=" << options.stride() << ", padding=" << options.padding() << ")";
}

Tensor AvgPool2dImpl::forward(const Tensor& input) {
  check_input(input, "AvgPool2d");
  return functional::avg_pool2d(input, options);
}

AdaptiveAvgPool2dImpl::AdaptiveAvgPool2dImpl(const AdaptiveAvgPool2dOptions& options_)
    : options(options_) {}

void AdaptiveAvgPool2dImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::AdaptiveAvgPool2d(output_size=" << options.output_size() << ")";
}

Tensor AdaptiveAvgPool2dImpl::forward(const Tensor& input) {
  check_input(input, "AdaptiveAvgPool2d");
  return functional::adaptive_avg_pool2d(input, options);
}

}  // namespace tg::nn
