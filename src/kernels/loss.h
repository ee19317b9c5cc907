#pragma once
// Loss kernels: nll_loss's gather of the target classes' log-probabilities and its scatter back.
// x holds log-probabilities of shape [C] (one sample), [N, C] or [N, C, d1, ...] (classes on
// dim 1), contiguous; there is one sample per element of the target, N * d1 * ..., and the
// targets are in [0, C) or equal ignore_index (the op checks them).
#include <cstdint>
#include <optional>

#include "kernels/view.h"

namespace tg::kernels {

/// How nll_loss reduces the samples' losses.
enum class NllReduction { None, Mean, Sum };

/// Writes the loss -weight[t_i] * x[n, t_i, k] of each sample (0 where ignored) into out of the
/// target's shape (None), or their sum into a 0-d out (Sum), or that sum divided by the total
/// weight of the counted samples (Mean: NaN when nothing counts, as libtorch). Sums are in
/// double. Returns the total weight (0 for None). target is contiguous Long, weight (if given) a
/// contiguous [C] of x's floating dtype.
double nll_loss_forward(const View& out, const View& x, const View& target,
                        const std::optional<View>& weight, int64_t ignore_index,
                        NllReduction reduction);

/// What the backward of nll_loss needs per sample i: coef[i] = -weight[t_i] * scale (0 where
/// t_i is ignored) and safe[i] = t_i (0 where ignored). coef has x's dtype, safe is Long, both
/// contiguous of the target's shape.
void nll_loss_coefficients(const View& coef, const View& safe, const View& target,
                           const std::optional<View>& weight, int64_t ignore_index, double scale);

/// gx = 0 except gx[n, safe_i, k] = g_i * coef_i for each sample (g_0 for all when `reduced`,
/// g a 0-d gradient). gx is contiguous of the input's shape; g, coef and safe contiguous, g and
/// coef of gx's dtype.
void nll_loss_backward(const View& gx, const View& g, const View& coef, const View& safe,
                       bool reduced);

}  // namespace tg::kernels
