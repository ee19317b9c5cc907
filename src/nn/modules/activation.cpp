// The activation modules: thin wrappers over nn::functional.
#include "tensorgrad/nn/modules/activation.h"

#include <ostream>

#include "core/internal.h"
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

ELUImpl::ELUImpl(const ELUOptions& options_) : options(options_) {}
void ELUImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::ELU(alpha=" << options.alpha();
  if (options.inplace()) stream << std::boolalpha << ", inplace=" << options.inplace();
  stream << ")";
}
Tensor ELUImpl::forward(Tensor input) {
  return F::detail::elu(std::move(input), options.alpha(), options.inplace());
}

SELUImpl::SELUImpl(const SELUOptions& options_) : options(options_) {}
void SELUImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::SELU(";
  if (options.inplace()) stream << std::boolalpha << "inplace=" << options.inplace();
  stream << ")";
}
Tensor SELUImpl::forward(Tensor input) {
  return F::detail::selu(std::move(input), options.inplace());
}

HardshrinkImpl::HardshrinkImpl(const HardshrinkOptions& options_) : options(options_) {}
void HardshrinkImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Hardshrink(" << options.lambda() << ")";
}
Tensor HardshrinkImpl::forward(const Tensor& input) {
  return F::detail::hardshrink(input, options.lambda());
}

HardtanhImpl::HardtanhImpl(const HardtanhOptions& options_) : options(options_) { reset(); }
void HardtanhImpl::reset() {
  TG_CHECK(options.max_val() > options.min_val(),
           "max_val must be greater than min_val (got min_val=", options.min_val(),
           ", max_val=", options.max_val(), ")");
}
void HardtanhImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Hardtanh(min_val=" << options.min_val()
         << ", max_val=" << options.max_val();
  if (options.inplace()) stream << std::boolalpha << ", inplace=" << options.inplace();
  stream << ")";
}
Tensor HardtanhImpl::forward(Tensor input) {
  return F::detail::hardtanh(std::move(input), options.min_val(), options.max_val(),
                             options.inplace());
}

void LogSigmoidImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::LogSigmoid()";
}
Tensor LogSigmoidImpl::forward(const Tensor& input) { return F::logsigmoid(input); }

SoftminImpl::SoftminImpl(const SoftminOptions& options_) : options(options_) {}
void SoftminImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Softmin(dim=" << options.dim() << ")";
}
Tensor SoftminImpl::forward(const Tensor& input) {
  return F::detail::softmin(input, options.dim(), std::nullopt);
}

void Softmax2dImpl::pretty_print(std::ostream& stream) const { stream << "torch::nn::Softmax2d()"; }
Tensor Softmax2dImpl::forward(const Tensor& input) {
  TG_CHECK(input.dim() == 3 || input.dim() == 4,
           "Softmax2d requires a 3D or 4D tensor as input but got shape ",
           tg::detail::shape_str(input.sizes()));
  return F::detail::softmax(input, -3, std::nullopt);
}

PReLUImpl::PReLUImpl(const PReLUOptions& options_) : options(options_) { reset(); }
void PReLUImpl::reset() {
  TG_CHECK(options.num_parameters() > 0, "PReLU: num_parameters must be positive, got ",
           options.num_parameters());
  weight = register_parameter("weight", tg::full({options.num_parameters()}, options.init()));
}
void PReLUImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::PReLU(num_parameters=" << options.num_parameters() << ")";
}
Tensor PReLUImpl::forward(const Tensor& input) { return F::prelu(input, weight); }

ReLU6Impl::ReLU6Impl(const ReLU6Options& options_) : options(options_) {}
void ReLU6Impl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::ReLU6(";
  if (options.inplace()) stream << std::boolalpha << "inplace=" << options.inplace();
  stream << ")";
}
Tensor ReLU6Impl::forward(Tensor input) {
  return F::detail::relu6(std::move(input), options.inplace());
}

RReLUImpl::RReLUImpl(const RReLUOptions& options_) : options(options_) {}
void RReLUImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::RReLU(lower=" << options.lower() << ", upper=" << options.upper();
  if (options.inplace()) stream << std::boolalpha << ", inplace=" << options.inplace();
  stream << ")";
}
Tensor RReLUImpl::forward(Tensor input) {
  return F::detail::rrelu(std::move(input), options.lower(), options.upper(), is_training(),
                          options.inplace());
}

CELUImpl::CELUImpl(const CELUOptions& options_) : options(options_) {}
void CELUImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::CELU(alpha=" << options.alpha();
  if (options.inplace()) stream << std::boolalpha << ", inplace=" << options.inplace();
  stream << ")";
}
Tensor CELUImpl::forward(Tensor input) {
  return F::detail::celu(std::move(input), options.alpha(), options.inplace());
}

GLUImpl::GLUImpl(const GLUOptions& options_) : options(options_) {}
void GLUImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::GLU(dim=" << options.dim() << ")";
}
Tensor GLUImpl::forward(const Tensor& input) { return F::detail::glu(input, options.dim()); }

void SiLUImpl::pretty_print(std::ostream& stream) const { stream << "torch::nn::SiLU()"; }
Tensor SiLUImpl::forward(const Tensor& input) { return F::silu(input); }

void MishImpl::pretty_print(std::ostream& stream) const { stream << "torch::nn::Mish()"; }
Tensor MishImpl::forward(const Tensor& input) { return F::mish(input); }

SoftplusImpl::SoftplusImpl(const SoftplusOptions& options_) : options(options_) {}
void SoftplusImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Softplus(beta=" << options.beta() << ", threshold=" << options.threshold()
         << ")";
}
Tensor SoftplusImpl::forward(const Tensor& input) {
  return F::detail::softplus(input, options.beta(), options.threshold());
}

SoftshrinkImpl::SoftshrinkImpl(const SoftshrinkOptions& options_) : options(options_) {}
void SoftshrinkImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Softshrink(" << options.lambda() << ")";
}
Tensor SoftshrinkImpl::forward(const Tensor& input) {
  return F::detail::softshrink(input, options.lambda());
}

void SoftsignImpl::pretty_print(std::ostream& stream) const { stream << "torch::nn::Softsign()"; }
Tensor SoftsignImpl::forward(const Tensor& input) { return F::softsign(input); }

void TanhshrinkImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Tanhshrink()";
}
Tensor TanhshrinkImpl::forward(const Tensor& input) { return F::tanhshrink(input); }

ThresholdImpl::ThresholdImpl(const ThresholdOptions& options_) : options(options_) {}
void ThresholdImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::Threshold(threshold=" << options.threshold()
         << ", value=" << options.value();
  if (options.inplace()) stream << std::boolalpha << ", inplace=" << options.inplace();
  stream << ")";
}
Tensor ThresholdImpl::forward(Tensor input) {
  return F::detail::threshold(std::move(input), options.threshold(), options.value(),
                              options.inplace());
}

}  // namespace tg::nn
