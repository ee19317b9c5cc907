#pragma once
/// Activation modules, as torch/nn/modules/activation.h. Only PReLU holds a parameter; most
/// others are their nn::functional form applied with their options, or without options.
#include <optional>

#include "tensorgrad/nn/functional/activation.h"
#include "tensorgrad/nn/modules/common.h"
#include "tensorgrad/nn/options/activation.h"

namespace tg::nn {

namespace detail {

/// The base of Softmax, LogSoftmax and Softmin: forward is Function over options.dim(), and they
/// print as "torch::nn::Softmax(dim=1)".
template <class Derived, class Options,
          Tensor (*Function)(const Tensor&, int64_t, std::optional<ScalarType>)>
class SoftmaxFamilyImpl : public OptionsOnlyImpl<Derived, Options> {
 public:
  using OptionsOnlyImpl<Derived, Options>::OptionsOnlyImpl;
  void pretty_print(std::ostream& stream) const override {
    stream << holder_name(torch_type_name<Derived>()) << "(dim=" << this->options.dim() << ")";
  }
  Tensor forward(const Tensor& input) { return Function(input, this->options.dim(), std::nullopt); }
};

}  // namespace detail

/// max(x, 0), in place when options.inplace().
class ReLUImpl : public detail::FunctionalImpl<ReLUImpl, ReLUOptions, functional::relu, Tensor> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(ReLU);

/// x if x > 0 else negative_slope * x.
class LeakyReLUImpl : public detail::FunctionalImpl<LeakyReLUImpl, LeakyReLUOptions,
                                                    functional::leaky_relu, Tensor> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(LeakyReLU);

/// x * Phi(x) (exact, or with the tanh approximation).
class GELUImpl
    : public detail::FunctionalImpl<GELUImpl, GELUOptions, functional::gelu, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(GELU);

/// tanh(x).
class TanhImpl : public detail::ElementwiseImpl<TanhImpl, tg::tanh> {};
TG_MODULE(Tanh);

/// 1 / (1 + exp(-x)).
class SigmoidImpl : public detail::ElementwiseImpl<SigmoidImpl, tg::sigmoid> {};
TG_MODULE(Sigmoid);

/// exp(x) / sum exp(x) over options.dim().
class SoftmaxImpl
    : public detail::SoftmaxFamilyImpl<SoftmaxImpl, SoftmaxOptions, functional::detail::softmax> {
 public:
  using SoftmaxFamilyImpl::SoftmaxFamilyImpl;
};
TG_MODULE(Softmax);

/// log(softmax(x)) over options.dim(), computed stably.
class LogSoftmaxImpl : public detail::SoftmaxFamilyImpl<LogSoftmaxImpl, LogSoftmaxOptions,
                                                        functional::detail::log_softmax> {
 public:
  using SoftmaxFamilyImpl::SoftmaxFamilyImpl;
};
TG_MODULE(LogSoftmax);

/// alpha (exp(x) - 1) for x <= 0, x otherwise.
class ELUImpl : public detail::FunctionalImpl<ELUImpl, ELUOptions, functional::elu, Tensor> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(ELU);

/// scale * elu(x, alpha) with SELU's constants.
class SELUImpl : public detail::FunctionalImpl<SELUImpl, SELUOptions, functional::selu, Tensor> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(SELU);

/// x where |x| > lambda, else 0.
class HardshrinkImpl : public detail::FunctionalImpl<HardshrinkImpl, HardshrinkOptions,
                                                     functional::hardshrink, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(Hardshrink);

/// x clamped to [min_val, max_val] (reset() checks min_val < max_val).
class HardtanhImpl
    : public detail::FunctionalImpl<HardtanhImpl, HardtanhOptions, functional::hardtanh, Tensor> {
 public:
  explicit HardtanhImpl(const HardtanhOptions& options_ = {});
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(Hardtanh);

/// log(sigmoid(x)).
class LogSigmoidImpl : public detail::ElementwiseImpl<LogSigmoidImpl, functional::logsigmoid> {};
TG_MODULE(LogSigmoid);

/// softmax(-x) over options.dim().
class SoftminImpl
    : public detail::SoftmaxFamilyImpl<SoftminImpl, SoftminOptions, functional::detail::softmin> {
 public:
  using SoftmaxFamilyImpl::SoftmaxFamilyImpl;
};
TG_MODULE(Softmin);

/// softmax over the channel dim of [N, C, H, W] or [C, H, W].
class Softmax2dImpl : public Cloneable<Softmax2dImpl> {
 public:
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};
TG_MODULE(Softmax2d);

/// x where x > 0, else weight * x, with a learned weight of num_parameters slopes.
class PReLUImpl : public Cloneable<PReLUImpl> {
 public:
  explicit PReLUImpl(const PReLUOptions& options_ = {});
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  PReLUOptions options;
  /// [num_parameters].
  Tensor weight;
};
TG_MODULE(PReLU);

/// min(max(x, 0), 6).
class ReLU6Impl
    : public detail::FunctionalImpl<ReLU6Impl, ReLU6Options, functional::relu6, Tensor> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(ReLU6);

/// randomized leaky ReLU: random slopes in training, their mean otherwise.
class RReLUImpl : public detail::OptionsOnlyImpl<RReLUImpl, RReLUOptions> {
 public:
  using OptionsOnlyImpl::OptionsOnlyImpl;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(Tensor input);
};
TG_MODULE(RReLU);

/// max(0, x) + min(0, alpha (exp(x / alpha) - 1)).
class CELUImpl : public detail::FunctionalImpl<CELUImpl, CELUOptions, functional::celu, Tensor> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(CELU);

/// a * sigmoid(b) for the two halves a, b along options.dim().
class GLUImpl : public detail::FunctionalImpl<GLUImpl, GLUOptions, functional::glu, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(GLU);

/// x * sigmoid(x).
class SiLUImpl : public detail::ElementwiseImpl<SiLUImpl, functional::silu> {};
TG_MODULE(SiLU);

/// x * tanh(softplus(x)).
class MishImpl : public detail::ElementwiseImpl<MishImpl, functional::mish> {};
TG_MODULE(Mish);

/// log(1 + exp(beta x)) / beta.
class SoftplusImpl : public detail::FunctionalImpl<SoftplusImpl, SoftplusOptions,
                                                   functional::softplus, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(Softplus);

/// x - lambda above lambda, x + lambda below -lambda, else 0.
class SoftshrinkImpl : public detail::FunctionalImpl<SoftshrinkImpl, SoftshrinkOptions,
                                                     functional::softshrink, const Tensor&> {
 public:
  using FunctionalImpl::FunctionalImpl;
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(Softshrink);

/// x / (1 + |x|).
class SoftsignImpl : public detail::ElementwiseImpl<SoftsignImpl, functional::softsign> {};
TG_MODULE(Softsign);

/// x - tanh(x).
class TanhshrinkImpl : public detail::ElementwiseImpl<TanhshrinkImpl, functional::tanhshrink> {};
TG_MODULE(Tanhshrink);

/// x where x > threshold, else value.
class ThresholdImpl : public detail::FunctionalImpl<ThresholdImpl, ThresholdOptions,
                                                    functional::threshold, Tensor> {
 public:
  using FunctionalImpl::FunctionalImpl;
  ThresholdImpl(double threshold, double value)
      : FunctionalImpl(ThresholdOptions(threshold, value)) {}
  void pretty_print(std::ostream& stream) const override;
};
TG_MODULE(Threshold);

}  // namespace tg::nn
