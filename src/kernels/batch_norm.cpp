// Batch normalisation kernels (see batch_norm.h).
#include "kernels/batch_norm.h"

#include <cmath>

#include "kernels/loop.h"

namespace tg::kernels {
namespace {

/// Element c of a 1-D view of T (any stride).
template <class T>
T at(const View& t, int64_t c) {
  return t.data_ptr<T>()[c * t.stride(0)];
}

/// Values per channel in one sample: the product of the dims after the channel dim.
int64_t inner_size(const View& x) {
  int64_t inner = 1;
  for (int64_t d = 2; d < x.dim(); ++d) inner *= x.size(d);
  return inner;
}

}  // namespace

void batch_norm_forward(const View& out, const View& mean, const View& invstd, const View& x,
                        const std::optional<View>& weight, const std::optional<View>& bias,
                        const std::optional<View>& running_mean,
                        const std::optional<View>& running_var, bool training, bool update_running,
                        double momentum, double eps) {
  const int64_t n = x.size(0), channels = x.size(1), inner = inner_size(x);
  const int64_t per_channel = n * inner;  // M
  dispatch_float_double(x.dtype(), "batch_norm", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* xp = x.data_ptr<T>();
    T* op = out.data_ptr<T>();
    T* mp = mean.data_ptr<T>();
    T* ip = invstd.data_ptr<T>();
    parallel_tasks(channels, x.numel(), [&](int64_t c) {
      double m, inv;
      if (training) {
        // Two passes (mean, then squared deviations) in double: accurate for large batches.
        double sum = 0;
        for (int64_t b = 0; b < n; ++b) {
          const T* row = xp + (b * channels + c) * inner;
          for (int64_t k = 0; k < inner; ++k) sum += row[k];
        }
        m = per_channel ? sum / static_cast<double>(per_channel) : 0.0;
        double sq = 0;
        for (int64_t b = 0; b < n; ++b) {
          const T* row = xp + (b * channels + c) * inner;
          for (int64_t k = 0; k < inner; ++k) {
            const double d = row[k] - m;
            sq += d * d;
          }
        }
        const double var = per_channel ? sq / static_cast<double>(per_channel) : 0.0;
        inv = 1.0 / std::sqrt(var + eps);
        if (update_running && per_channel > 0) {
          T* rm = running_mean->data_ptr<T>() + c * running_mean->stride(0);
          T* rv = running_var->data_ptr<T>() + c * running_var->stride(0);
          const double unbiased =
              sq / static_cast<double>(per_channel - 1);  // inf/nan for one value, as libtorch
          *rm = static_cast<T>((1 - momentum) * *rm + momentum * m);
          *rv = static_cast<T>((1 - momentum) * *rv + momentum * unbiased);
        }
      } else {
        m = at<T>(*running_mean, c);
        inv = 1.0 / std::sqrt(static_cast<double>(at<T>(*running_var, c)) + eps);
      }
      mp[c] = static_cast<T>(m);
      ip[c] = static_cast<T>(inv);
      const double scale = inv * (weight ? static_cast<double>(at<T>(*weight, c)) : 1.0);
      const double shift = (bias ? static_cast<double>(at<T>(*bias, c)) : 0.0) - m * scale;
      const T s = static_cast<T>(scale), h = static_cast<T>(shift);
      for (int64_t b = 0; b < n; ++b) {
        const T* row = xp + (b * channels + c) * inner;
        T* orow = op + (b * channels + c) * inner;
        for (int64_t k = 0; k < inner; ++k) orow[k] = row[k] * s + h;
      }
    });
  });
}

void batch_norm_backward(const std::optional<View>& gx, const std::optional<View>& gw,
                         const std::optional<View>& gb, const View& g, const View& x,
                         const std::optional<View>& weight, const View& mean, const View& invstd,
                         bool training) {
  const int64_t n = x.size(0), channels = x.size(1), inner = inner_size(x);
  const double m = static_cast<double>(n * inner);
  dispatch_float_double(x.dtype(), "batch_norm backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* gp = g.data_ptr<T>();
    const T* xp = x.data_ptr<T>();
    T* gxp = gx ? gx->data_ptr<T>() : nullptr;
    T* gwp = gw ? gw->data_ptr<T>() : nullptr;
    T* gbp = gb ? gb->data_ptr<T>() : nullptr;
    parallel_tasks(channels, x.numel(), [&](int64_t c) {
      const T mu = at<T>(mean, c);
      const double inv = static_cast<double>(at<T>(invstd, c));
      double sum_g = 0, sum_gc = 0;  // sum(g), sum(g * (x - mean))
      for (int64_t b = 0; b < n; ++b) {
        const T* gr = gp + (b * channels + c) * inner;
        const T* xr = xp + (b * channels + c) * inner;
        T sg = 0, sgc = 0;
#pragma omp simd reduction(+ : sg, sgc)
        for (int64_t k = 0; k < inner; ++k) {
          sg += gr[k];
          sgc += gr[k] * (xr[k] - mu);
        }
        sum_g += sg;
        sum_gc += sgc;
      }
      if (gbp) gbp[c] = static_cast<T>(sum_g);
      if (gwp) gwp[c] = static_cast<T>(sum_gc * inv);
      if (!gxp) return;
      const double scale = inv * (weight ? static_cast<double>(at<T>(*weight, c)) : 1.0);
      // d x = scale * (g - sum_g / M) - scale * inv^2 * sum_gc / M * (x - mean) in training.
      const T a = static_cast<T>(scale);
      const T shift = training ? static_cast<T>(scale * sum_g / m) : T(0);
      const T slope = training ? static_cast<T>(scale * inv * inv * sum_gc / m) : T(0);
      for (int64_t b = 0; b < n; ++b) {
        const T* gr = gp + (b * channels + c) * inner;
        const T* xr = xp + (b * channels + c) * inner;
        T* out = gxp + (b * channels + c) * inner;
        for (int64_t k = 0; k < inner; ++k) out[k] = a * gr[k] - shift - slope * (xr[k] - mu);
      }
    });
  });
}

}  // namespace tg::kernels
