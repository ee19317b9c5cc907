#pragma once
/// The tensor-level neural-network functions that libtorch exposes directly in `torch::` (and
/// `at::`): linear, activations (leaky_relu, gelu, silu, softplus) and losses (nll_loss,
/// cross_entropy_loss, mse_loss, l1_loss, binary_cross_entropy and its with_logits form), with
/// libtorch's signatures, the reduction enums (`tg::Reduction::Mean`, `tg::kMean`...) and the
/// reduction variant that the loss Options classes hold. `torch::nn::functional` wraps these in
/// include/tensorgrad/nn/functional/.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "tensorgrad/enum.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/tensor.h"

namespace tg {

namespace Reduction {
/// How a loss reduces its per-element values, as at::Reduction: None keeps them, Mean averages
/// them (a weighted mean for nll_loss with class weights), Sum adds them.
enum Reduction { None, Mean, Sum, END };
}  // namespace Reduction

/// libtorch's enum values for options: distinct empty types, so a variant of them documents
/// which values an option accepts (`tg::kMean` is `torch::kMean`).
/// The reduction a loss's Options hold (each Options class names it `reduction_t`, as libtorch).
using LossReduction = std::variant<enumtype::kNone, enumtype::kMean, enumtype::kSum>;

namespace enumtype {
/// The Reduction value of an options' reduction (libtorch's reduction_get_enum).
inline Reduction::Reduction reduction_get_enum(const LossReduction& r) {
  if (std::holds_alternative<kNone>(r)) return Reduction::None;
  if (std::holds_alternative<kMean>(r)) return Reduction::Mean;
  return Reduction::Sum;
}
}  // namespace enumtype

// ---- linear -------------------------------------------------------------------------------------

/// input @ weight^T + bias for input [*, in_features], weight [out_features, in_features] and an
/// optional bias [out_features]; the result is [*, out_features]. A 2-D input with a bias is one
/// addmm (AddmmBackward0); other ranks go through matmul (and addmm for contiguous inputs).
Tensor linear(const Tensor& input, const Tensor& weight,
              const std::optional<Tensor>& bias = std::nullopt);

// ---- activations --------------------------------------------------------------------------------

/// x if x > 0 else negative_slope * x; derivative 1 or negative_slope (LeakyReluBackward0).
Tensor leaky_relu(const Tensor& self, const Scalar& negative_slope = 0.01);
/// In-place leaky_relu.
Tensor& leaky_relu_(Tensor& self, const Scalar& negative_slope = 0.01);
/// Gaussian error linear unit. approximate "none": x * Phi(x) = x/2 (1 + erf(x / sqrt 2)), with
/// derivative Phi(x) + x phi(x); "tanh": x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). Any other
/// string throws (GeluBackward0).
Tensor gelu(const Tensor& self, std::string_view approximate = "none");
/// x * sigmoid(x); derivative s (1 + x (1 - s)) with s = sigmoid(x) (SiluBackward0).
Tensor silu(const Tensor& self);
/// log(1 + exp(beta x)) / beta, or x itself where beta x > threshold (for stability); derivative
/// sigmoid(beta x), or 1 above the threshold (SoftplusBackward0).
Tensor softplus(const Tensor& self, const Scalar& beta = 1, const Scalar& threshold = 20);

// ---- losses -------------------------------------------------------------------------------------
// reduction is one of Reduction::None, Mean, Sum. Mean of an empty input is NaN (as libtorch).

/// Negative log likelihood: input holds log-probabilities of shape [C] (target 0-d), [N, C]
/// (target [N]) or [N, C, d1, ...] (target [N, d1, ...]); target is Long, each value in [0, C) or
/// ignore_index. loss = -weight[t] * input[n, t, ...], 0 where t == ignore_index. Mean divides
/// the sum by the sum of the weights of the targets that are not ignored (NaN when every target
/// is ignored). weight [C] takes no gradient (throws when it requires grad, as libtorch).
Tensor nll_loss(const Tensor& self, const Tensor& target,
                const std::optional<Tensor>& weight = std::nullopt,
                int64_t reduction = Reduction::Mean, int64_t ignore_index = -100);
/// nll_loss for inputs of any rank (libtorch's name for the N-d form; nll_loss accepts them too).
Tensor nll_loss_nd(const Tensor& self, const Tensor& target,
                   const std::optional<Tensor>& weight = std::nullopt,
                   int64_t reduction = Reduction::Mean, int64_t ignore_index = -100);
/// Cross entropy of logits `self` ([C], [N, C] or [N, C, d...], classes on dim 1, or 0 for 1-D).
/// With class indices (Long target [N, d...]): nll_loss(log_softmax(self), target, weight,
/// reduction, ignore_index); label_smoothing ls in [0, 1] makes it (1 - ls) * that + ls / C *
/// smooth, smooth = -sum_c weight[c] log_softmax(self)[c] (0 at ignored targets) reduced like
/// nll_loss. A floating target of the input's shape holds class probabilities (ignore_index must
/// stay negative): loss = -sum_c weight[c] q[c] log_softmax(self)[c] with q = target (1 - ls) +
/// ls / C, Mean dividing by the number of samples N * d1 * .... Composite, as libtorch.
Tensor cross_entropy_loss(const Tensor& self, const Tensor& target,
                          const std::optional<Tensor>& weight = std::nullopt,
                          int64_t reduction = Reduction::Mean, int64_t ignore_index = -100,
                          double label_smoothing = 0.0);
/// (self - target)^2, reduced. self and target broadcast (as libtorch's tensor-level mse_loss;
/// nn::functional::mse_loss warns when their shapes differ). Both take gradients:
/// d/dself = 2 (self - target) grad, divided by the number of loss elements for Mean
/// (MseLossBackward0). A broadcast target gets the exact gradient (libtorch 1.13 divides it by
/// the target's numel instead).
Tensor mse_loss(const Tensor& self, const Tensor& target, int64_t reduction = Reduction::Mean);
/// |self - target|, reduced; composite (abs, then mean or sum) as in libtorch 1.13, so the
/// gradient at self == target is 0.
Tensor l1_loss(const Tensor& self, const Tensor& target, int64_t reduction = Reduction::Mean);
/// -weight (target log(self) + (1 - target) log(1 - self)) with each log clamped to >= -100, for
/// self in [0, 1] (throws otherwise) and target of self's shape; weight broadcasts to it and
/// takes no gradient. d/dself = weight (self - target) / max(self (1 - self), 1e-12) grad,
/// d/dtarget = weight (log(1 - self) - log(self)) grad (BinaryCrossEntropyBackward0).
Tensor binary_cross_entropy(const Tensor& self, const Tensor& target,
                            const std::optional<Tensor>& weight = std::nullopt,
                            int64_t reduction = Reduction::Mean);
/// Binary cross entropy of logits, in the stable form weight ((1 - t) x + l softplus(-x)) with
/// l = 1 + (pos_weight - 1) t. self, target, weight and pos_weight broadcast (pos_weight usually
/// [C], on the last dim); weight and pos_weight take no gradient. d/dx = weight (l sigmoid(x) -
/// pos_weight t) grad, d/dt = weight (-x + (pos_weight - 1) softplus(-x)) grad
/// (BinaryCrossEntropyWithLogitsBackward0).
Tensor binary_cross_entropy_with_logits(const Tensor& self, const Tensor& target,
                                        const std::optional<Tensor>& weight = std::nullopt,
                                        const std::optional<Tensor>& pos_weight = std::nullopt,
                                        int64_t reduction = Reduction::Mean);

namespace detail {
/// Prints libtorch's warning that a loss's target shape differs from its input's, so that the
/// two broadcast (used by nn::functional::mse_loss).
void warn_target_size(const char* op, IntArrayRef input, IntArrayRef target);
}  // namespace detail

}  // namespace tg
