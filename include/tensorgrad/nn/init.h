#pragma once
/// tg::nn::init: in-place initialisation of parameters, as torch::nn::init. Every function fills
/// its tensor without recording history (under NoGradGuard) and returns it. The random ones draw
/// from the global generator (tg::manual_seed).
#include <cstdint>
#include <tuple>
#include <variant>

#include "tensorgrad/enum.h"
#include "tensorgrad/tensor.h"

namespace tg {
namespace nn::init {

/// The nonlinearity that follows the layer, for calculate_gain: tg::kReLU, tg::kTanh, ...
using NonlinearityType =
    std::variant<enumtype::kLinear, enumtype::kConv1D, enumtype::kConv2D, enumtype::kConv3D,
                 enumtype::kConvTranspose1D, enumtype::kConvTranspose2D, enumtype::kConvTranspose3D,
                 enumtype::kSigmoid, enumtype::kTanh, enumtype::kReLU, enumtype::kLeakyReLU>;
/// Whether kaiming_* preserves the variance of the forward pass (kFanIn) or of the backward
/// pass (kFanOut).
using FanModeType = std::variant<enumtype::kFanIn, enumtype::kFanOut>;

/// The recommended gain for a nonlinearity: 1 for linear, conv and sigmoid, 5/3 for tanh,
/// sqrt(2) for relu, sqrt(2 / (1 + param^2)) for leaky relu with negative slope `param`.
double calculate_gain(NonlinearityType nonlinearity, double param = 0.01);

/// Fills with `value`.
Tensor constant_(Tensor tensor, Scalar value);
/// Fills with ones.
Tensor ones_(Tensor tensor);
/// Fills with zeros.
Tensor zeros_(Tensor tensor);
/// Fills a 2-D tensor with the identity matrix (ones on the diagonal, zeros elsewhere).
Tensor eye_(Tensor matrix);
/// Fills a {3, 4, 5}-D tensor with the Dirac delta: a convolution with it keeps its input's
/// channels (up to the smaller of in and out channels).
Tensor dirac_(Tensor tensor);
/// Draws from the normal distribution N(mean, std^2).
Tensor normal_(Tensor tensor, double mean = 0, double std = 1);
/// Draws from the uniform distribution U(low, high).
Tensor uniform_(Tensor tensor, double low = 0, double high = 1);
/// Glorot & Bengio (2010): U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).
Tensor xavier_uniform_(Tensor tensor, double gain = 1.0);
/// Glorot & Bengio (2010): N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).
Tensor xavier_normal_(Tensor tensor, double gain = 1.0);
/// He et al. (2015): U(-bound, bound) with bound = gain * sqrt(3 / fan), gain =
/// calculate_gain(nonlinearity, a) and fan the fan in or out (mode). With a = sqrt(5) (what Linear
/// and Conv2d use) the bound is 1 / sqrt(fan_in).
Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanModeType mode = kFanIn,
                        NonlinearityType nonlinearity = kLeakyReLU);
/// He et al. (2015): N(0, std^2) with std = gain / sqrt(fan).
Tensor kaiming_normal_(Tensor tensor, double a = 0, FanModeType mode = kFanIn,
                       NonlinearityType nonlinearity = kLeakyReLU);
/// (fan_in, fan_out) of a weight of at least 2 dims [out, in, k...]: in * prod(k) and
/// out * prod(k).
std::tuple<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& tensor);

}  // namespace nn::init
}  // namespace tg
