// The activation modules: thin wrappers over nn::functional.
#include "tensorgrad/nn/modules/activation.h"

#include <ostream>

#include "tensorgrad/nn/functional/activation.h"

namespace tg::nn {

namespace F = functional;

ReLUImpl::ReLUImpl(const ReLUOptions& options_) : options(options_) {}

void ReLUImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::ReLU(";
  if (options.inplace()) stream << "inplace=true";
  stream << ")";
}

Tensor ReLUImpl::forward(Tensor input) {
  return F::detail::relu(std::move(input), options.inplace());
}

LeakyReLUImpl::LeakyReLUImpl(const LeakyReLUOptions& options_) : options(options_) {}

void LeakyReLUImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::LeakyReLU(negative_slope=" << options.negative_slope();
  if (options.inplace()) stream << ", inplace=true";
  stream << ")";
}

Tensor LeakyReLUImpl::forward(Tensor input) {
  return F::detail::leaky_relu(std::move(input), options.negative_slope(), options.inplace());
}

GELUImpl::GELUImpl(GELUOptions options_) : options(std::move(options_)) {}

void GELUImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::GELU(";
  if (options.approximate() != "none") stream << "approximate='" << options.approximate() << "'";
  stream << ")";
}

Tensor GELUImpl::forward(const Tensor& input) { return F::gelu(input, options); }

void TanhImpl::pretty_print(std::ostream& stream) const { stream << "torch::nn::Tanh()"; }

Tensor TanhImpl::forward(const Tensor& input) { return tg::tanh(input); }

void SigmoidImpl::pretty_print(std::ostream& stream) const { stream << "torch::nn::Sigmoid()"; }

Tensor SigmoidImpl::forward(const Tensor& input) { return tg::sigmoid(input); }

SoftmaxImpl::SoftmaxImpl(const SoftmaxOptions& options_) : options(options_) {}

void SoftmaxImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Softmax(dim=" << options.dim() << ")";
}

Tensor SoftmaxImpl::forward(const Tensor& input) {
  return F::detail::softmax(input, options.dim(), std::nullopt);
}

LogSoftmaxImpl::LogSoftmaxImpl(const LogSoftmaxOptions& options_) : options(options_) {}

void LogSoftmaxImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::LogSoftmax(dim=" << options.dim() << ")";
}

Tensor LogSoftmaxImpl::forward(const Tensor& input) {
  return F::detail::log_softmax(input, options.dim(), std::nullopt);
}

}  // namespace tg::nn
