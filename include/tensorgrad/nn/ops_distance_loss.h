#pragma once
/// The tensor-level distances and losses that libtorch exposes in `torch::` beyond those of
/// ops_loss.h: cosine_similarity, pairwise_distance, pdist, kl_div, hinge_embedding_loss,
/// multi_margin_loss, cosine_embedding_loss, multilabel_margin_loss, soft_margin_loss,
/// multilabel_soft_margin_loss, triplet_margin_loss, smooth_l1_loss, huber_loss,
/// poisson_nll_loss and margin_ranking_loss, with libtorch's signatures (reduction is one of
/// tg::Reduction::None, Mean, Sum). They are made of differentiable ops, so their gradients (to
/// any order) follow from those ops'.
#include <cstdint>
#include <optional>

#include "tensorgrad/nn/ops_loss.h"

namespace tg {

/// sum(x1 * x2) / max(||x1|| ||x2||, eps) along dim (after broadcasting x1 and x2).
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim = 1, double eps = 1e-8);
/// ||x1 - x2 + eps||_p over the last dim.
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p = 2, double eps = 1e-6,
                         bool keepdim = false);
/// The p-norm distances between the rows of input [N, M], for each pair i < j in order.
Tensor pdist(const Tensor& input, double p = 2);

/// target * (log(target) - input) (or exp(target) * (target - input) with log_target), reduced;
/// input holds log-probabilities.
Tensor kl_div(const Tensor& self, const Tensor& target, int64_t reduction = Reduction::Mean,
              bool log_target = false);
/// x where y == 1, max(0, margin - x) where y == -1.
Tensor hinge_embedding_loss(const Tensor& self, const Tensor& target, double margin = 1.0,
                            int64_t reduction = Reduction::Mean);
/// Per sample: sum over classes j != y of w[y] max(0, margin - x[y] + x[j])^p / C (p 1 or 2).
Tensor multi_margin_loss(const Tensor& self, const Tensor& target, const Scalar& p = 1,
                         const Scalar& margin = 1, const std::optional<Tensor>& weight = {},
                         int64_t reduction = Reduction::Mean);
/// 1 - cos(x1, x2) where y == 1, max(0, cos(x1, x2) - margin) where y == -1.
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             double margin = 0.0, int64_t reduction = Reduction::Mean);
/// Per sample: sum over its target classes j (listed in target until the first -1) and the other
/// classes k of max(0, 1 - (x[j] - x[k])) / C.
Tensor multilabel_margin_loss(const Tensor& self, const Tensor& target,
                              int64_t reduction = Reduction::Mean);
/// log(1 + exp(-y x)).
Tensor soft_margin_loss(const Tensor& self, const Tensor& target,
                        int64_t reduction = Reduction::Mean);
/// Per sample: the mean over classes of -w (y log sigmoid(x) + (1 - y) log sigmoid(-x)).
Tensor multilabel_soft_margin_loss(const Tensor& self, const Tensor& target,
                                   const std::optional<Tensor>& weight = {},
                                   int64_t reduction = Reduction::Mean);
/// max(0, margin + d(a, p) - d(a, n)) with d the pairwise p-norm distance (with swap, d(a, n)
/// is min(d(a, n), d(p, n))).
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           double margin = 1.0, double p = 2, double eps = 1e-6, bool swap = false,
                           int64_t reduction = Reduction::Mean);
/// 0.5 z^2 / beta where z = |x - y| < beta, else z - 0.5 beta (beta 0: |x - y|).
Tensor smooth_l1_loss(const Tensor& self, const Tensor& target, int64_t reduction = Reduction::Mean,
                      double beta = 1.0);
/// 0.5 z^2 where z = |x - y| < delta, else delta (z - 0.5 delta).
Tensor huber_loss(const Tensor& self, const Tensor& target, int64_t reduction = Reduction::Mean,
                  double delta = 1.0);
/// exp(x) - y x (log_input) or x - y log(x + eps); with full, the Stirling term
/// y log y - y + log(2 pi y) / 2 is added where y > 1.
Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input, bool full,
                        double eps, int64_t reduction);
/// max(0, -y (x1 - x2) + margin).
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           double margin = 0.0, int64_t reduction = Reduction::Mean);

}  // namespace tg
