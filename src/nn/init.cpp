// tg::nn::init: the initialisations of torch::nn::init, drawn from the global generator.
#include "tensorgrad/nn/init.h"

#include <cmath>
#include <vector>

#include "core/internal.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"

namespace tg::nn::init {
namespace {

void check_defined(const Tensor& t, const char* op) {
  TG_CHECK(t.defined(), op,
           ": the tensor is undefined; initialise a tensor that exists (a module "
           "without bias has an undefined bias)");
}

void check_floating(const Tensor& t, const char* op) {
  check_defined(t, op);
  TG_CHECK(t.is_floating_point(), op,
           ": expected a floating-point tensor (Float or Double) but got ", t.dtype(), " of shape ",
           tg::detail::shape_str(t.sizes()),
           "; random initialisation is for floating-point parameters");
}

// Writes `values` (same shape) into `tensor` without recording history.
Tensor fill_from(Tensor tensor, const Tensor& values) {
  NoGradGuard no_grad;
  tensor.copy_(values);
  return tensor;
}

}  // namespace

double calculate_gain(NonlinearityType nonlinearity, double param) {
  if (std::holds_alternative<enumtype::kTanh>(nonlinearity)) return 5.0 / 3.0;
  if (std::holds_alternative<enumtype::kReLU>(nonlinearity)) return std::sqrt(2.0);
  if (std::holds_alternative<enumtype::kLeakyReLU>(nonlinearity))
    return std::sqrt(2.0 / (1.0 + param * param));
  return 1.0;  // linear, every convolution, sigmoid
}

Tensor constant_(Tensor tensor, Scalar value) {
  check_defined(tensor, "constant_");
  NoGradGuard no_grad;
  tensor.fill_(value);
  return tensor;
}

Tensor ones_(Tensor tensor) {
  check_defined(tensor, "ones_");
  return constant_(std::move(tensor), 1);
}

Tensor zeros_(Tensor tensor) {
  check_defined(tensor, "zeros_");
  return constant_(std::move(tensor), 0);
}

Tensor eye_(Tensor matrix) {
  check_defined(matrix, "eye_");
  TG_CHECK(matrix.dim() == 2, "eye_: only 2-D tensors are supported, but got shape ",
           tg::detail::shape_str(matrix.sizes()));
  return fill_from(matrix, tg::eye(matrix.size(0), matrix.size(1), matrix.dtype()));
}

Tensor dirac_(Tensor tensor) {
  check_defined(tensor, "dirac_");
  const int64_t dims = tensor.dim();
  TG_CHECK(dims >= 3 && dims <= 5,
           "dirac_: only 3-, 4- and 5-D tensors (convolution weights "
           "[out, in, k...]) are supported, but got shape ",
           tg::detail::shape_str(tensor.sizes()));
  // A 1 at the kernel's centre, from input channel d to output channel d.
  std::vector<double> values(static_cast<size_t>(tensor.numel()), 0.0);
  const std::vector<int64_t> sizes = tensor.sizes().vec();
  const int64_t channels = std::min(sizes[0], sizes[1]);
  for (int64_t d = 0; d < channels; ++d) {
    int64_t index = d * sizes[1] + d;
    for (int64_t k = 2; k < dims; ++k) index = index * sizes[k] + sizes[k] / 2;
    values[static_cast<size_t>(index)] = 1.0;
  }
  return fill_from(tensor, tg::tensor(values).view(tensor.sizes()));
}

Tensor normal_(Tensor tensor, double mean, double std) {
  check_floating(tensor, "normal_");
  TG_CHECK(std >= 0.0, "normal_: expects std >= 0.0, but found std ", std);
  Tensor values = tg::randn(tensor.sizes(), tensor.dtype());
  {
    NoGradGuard no_grad;
    values.mul_(std).add_(mean);
  }
  return fill_from(tensor, values);
}

Tensor uniform_(Tensor tensor, double low, double high) {
  check_floating(tensor, "uniform_");
  TG_CHECK(low <= high, "uniform_: expects to return a [from, to) range, but found from=", low,
           " > to=", high);
  Tensor values = tg::rand(tensor.sizes(), tensor.dtype());
  {
    NoGradGuard no_grad;
    values.mul_(high - low).add_(low);
  }
  return fill_from(tensor, values);
}

std::tuple<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& tensor) {
  check_defined(tensor, "_calculate_fan_in_and_fan_out");
  TG_CHECK(tensor.dim() >= 2,
           "_calculate_fan_in_and_fan_out: fan in and fan out can not be "
           "computed for a tensor with fewer than 2 dimensions (got shape ",
           tg::detail::shape_str(tensor.sizes()), ")");
  int64_t receptive_field = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive_field *= tensor.size(d);
  return {tensor.size(1) * receptive_field, tensor.size(0) * receptive_field};
}

Tensor xavier_uniform_(Tensor tensor, double gain) {
  check_floating(tensor, "xavier_uniform_");
  const auto [fan_in, fan_out] = _calculate_fan_in_and_fan_out(tensor);
  const double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  const double a = std::sqrt(3.0) * std;  // U(-a, a) has standard deviation a / sqrt(3)
  return uniform_(std::move(tensor), -a, a);
}

Tensor xavier_normal_(Tensor tensor, double gain) {
  check_floating(tensor, "xavier_normal_");
  const auto [fan_in, fan_out] = _calculate_fan_in_and_fan_out(tensor);
  const double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  return normal_(std::move(tensor), 0, std);
}

namespace {

double kaiming_std(const Tensor& tensor, double a, FanModeType mode,
                   NonlinearityType nonlinearity) {
  const auto [fan_in, fan_out] = _calculate_fan_in_and_fan_out(tensor);
  const int64_t fan = std::holds_alternative<enumtype::kFanIn>(mode) ? fan_in : fan_out;
  return calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan));
}

}  // namespace

Tensor kaiming_uniform_(Tensor tensor, double a, FanModeType mode, NonlinearityType nonlinearity) {
  check_floating(tensor, "kaiming_uniform_");
  if (tensor.numel() == 0) return tensor;  // nothing to fill (libtorch warns and returns)
  const double bound = std::sqrt(3.0) * kaiming_std(tensor, a, mode, nonlinearity);
  return uniform_(std::move(tensor), -bound, bound);
}

Tensor kaiming_normal_(Tensor tensor, double a, FanModeType mode, NonlinearityType nonlinearity) {
  check_floating(tensor, "kaiming_normal_");
  if (tensor.numel() == 0) return tensor;
  const double std = kaiming_std(tensor, a, mode, nonlinearity);
  return normal_(std::move(tensor), 0, std);
}

}  // namespace tg::nn::init
