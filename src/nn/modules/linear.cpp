// Linear, Flatten and Identity.
#include "tensorgrad/nn/modules/linear.h"

#include <cmath>
#include <ostream>

#include "core/internal.h"
#include "tensorgrad/nn/functional/linear.h"
#include "tensorgrad/nn/init.h"

namespace tg::nn {

LinearImpl::LinearImpl(const LinearOptions& options_) : options(options_) { reset(); }

void LinearImpl::reset() {
  TG_CHECK(options.in_features() >= 0 && options.out_features() >= 0,
           "Linear: in_features and out_features must be non-negative, got in_features=",
           options.in_features(), " and out_features=", options.out_features());
  weight = register_parameter("weight", tg::empty({options.out_features(), options.in_features()}));
  if (options.bias()) {
    bias = register_parameter("bias", tg::empty({options.out_features()}));
  } else {
    bias = register_parameter("bias", Tensor(), /*requires_grad=*/false);
  }
  reset_parameters();
}

void LinearImpl::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const auto [fan_in, fan_out] = init::_calculate_fan_in_and_fan_out(weight);
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

void LinearImpl::pretty_print(std::ostream& stream) const {
  stream << std::boolalpha << "torch::nn::Linear(in_features=" << options.in_features()
         << ", out_features=" << options.out_features() << ", bias=" << options.bias() << ")";
}

Tensor LinearImpl::forward(const Tensor& input) {
  TG_CHECK(input.defined(), "Linear: the input is undefined");
  const int64_t in = options.in_features();
  TG_CHECK(input.dim() >= 1, "Linear: expected input with ", in,
           " features (last dimension) but got a 0-d tensor; input shape []");
  TG_CHECK(input.size(-1) == in, "Linear: expected input with ", in,
           " features (last dimension) but got ", input.size(-1), "; input shape ",
           tg::detail::shape_str(input.sizes()));
  TG_CHECK(input.dtype() == weight.dtype(), "Linear: the input has dtype ", input.dtype(),
           " but the weight has dtype ", weight.dtype(), "; convert the input with .to(",
           weight.dtype(), ") or the module with ->to(", input.dtype(), ")");
  return functional::linear(input, weight, bias);
}

void FlattenImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Flatten(start_dim=" << options.start_dim()
         << ", end_dim=" << options.end_dim() << ")";
}

Tensor FlattenImpl::forward(const Tensor& input) {
  TG_CHECK(input.defined(), "Flatten: the input is undefined");
  return input.flatten(options.start_dim(), options.end_dim());
}

void IdentityImpl::pretty_print(std::ostream& stream) const { stream << "torch::nn::Identity()"; }

}  // namespace tg::nn
