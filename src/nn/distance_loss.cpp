// The distances and losses of nn/ops_distance_loss.h, composed of differentiable ops.
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "core/internal.h"
#include "tensorgrad/nn/ops_distance_loss.h"

namespace tg {
namespace {

Tensor reduce(const Tensor& loss, int64_t reduction) {
  if (reduction == Reduction::Mean) return loss.mean();
  if (reduction == Reduction::Sum) return loss.sum();
  TG_CHECK(reduction == Reduction::None, "unknown reduction ", reduction,
           "; use Reduction::None, Mean or Sum");
  return loss;
}

void check_defined(const Tensor& t, const char* op, const char* what) {
  TG_CHECK(t.defined(), op, ": ", what, " is undefined");
}

}  // namespace

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim, double eps) {
  check_defined(x1, "cosine_similarity", "x1");
  check_defined(x2, "cosine_similarity", "x2");
  // Each input normalised by its own norm (clamped at eps), then the sum of products.
  const Tensor n1 = x1.norm(2, {dim}, /*keepdim=*/true).clamp_min(eps);
  const Tensor n2 = x2.norm(2, {dim}, /*keepdim=*/true).clamp_min(eps);
  return ((x1 / n1) * (x2 / n2)).sum({dim});
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps, bool keepdim) {
  check_defined(x1, "pairwise_distance", "x1");
  check_defined(x2, "pairwise_distance", "x2");
  const int64_t dim = std::max(x1.dim(), x2.dim());
  if (dim == 0) return (x1 - x2 + eps).abs();
  return (x1 - x2 + eps).norm(p, {-1}, keepdim);
}

Tensor pdist(const Tensor& input, double p) {
  check_defined(input, "pdist", "input");
  TG_CHECK(input.dim() == 2, "pdist only supports 2D tensors, got: ", input.dim(), "D");
  TG_CHECK(p >= 0, "pdist only supports non-negative p values");
  const int64_t n = input.size(0);
  const int64_t pairs = n * (n - 1) / 2;
  Tensor first = empty({pairs}, kLong), second = empty({pairs}, kLong);
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j, ++k) {
      first.data_ptr<int64_t>()[k] = i;
      second.data_ptr<int64_t>()[k] = j;
    }
  if (pairs == 0) return empty({0}, input.dtype());
  return (input.index_select(0, first) - input.index_select(0, second)).norm(p, {1});
}

Tensor kl_div(const Tensor& self, const Tensor& target, int64_t reduction, bool log_target) {
  check_defined(self, "kl_div", "input");
  check_defined(target, "kl_div", "target");
  const Tensor loss =
      log_target ? target.exp() * (target - self) : xlogy(target, target) - target * self;
  return reduce(loss, reduction);
}

Tensor hinge_embedding_loss(const Tensor& self, const Tensor& target, double margin,
                            int64_t reduction) {
  check_defined(self, "hinge_embedding_loss", "input");
  const Tensor margin_part = where(target != 1, (margin - self).clamp_min(0), 0.0);
  const Tensor self_part = where(target != -1, self, 0.0);
  return reduce(margin_part + self_part, reduction);
}

Tensor multi_margin_loss(const Tensor& self, const Tensor& target, const Scalar& p,
                         const Scalar& margin, const std::optional<Tensor>& weight,
                         int64_t reduction) {
  check_defined(self, "multi_margin_loss", "input");
  const int64_t power = p.toLong();
  TG_CHECK(power == 1 || power == 2, "only p == 1 and p == 2 supported");
  TG_CHECK(self.dim() <= 2 && self.dim() >= 1,
           "Expected non-empty vector or matrix with optional 0-dim batch size, but got: ",
           detail::shape_str(self.sizes()));
  const Tensor x = self.dim() == 1 ? self.unsqueeze(0) : self;
  const Tensor y = target.reshape({-1});
  const int64_t n = x.size(0), c = x.size(1);
  TG_CHECK(y.numel() == n, "inconsistent target size, expected ", n, " but got ",
           detail::shape_str(target.sizes()));
  const Tensor xy = x.gather(1, y.unsqueeze(1));
  Tensor z = (x - xy + margin.toDouble()).clamp_min(0);
  if (power == 2) z = z * z;
  if (weight && weight->defined()) z = z * weight->index_select(0, y).unsqueeze(1);
  // The target class itself does not count.
  Tensor own = zeros({n, c}, kDouble).scatter_add(1, y.unsqueeze(1), ones({n, 1}, kDouble));
  z = where(own > 0.5, 0.0, z);
  Tensor loss = z.sum({1}) / static_cast<double>(c);
  if (self.dim() == 1 && reduction == Reduction::None) loss = loss.squeeze(0);
  return reduce(loss, reduction);
}

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             double margin, int64_t reduction) {
  check_defined(input1, "cosine_embedding_loss", "input1");
  check_defined(input2, "cosine_embedding_loss", "input2");
  TG_CHECK(input1.sizes() == input2.sizes(),
           "cosine_embedding_loss: input1 and input2 must have the same shape, got ",
           detail::shape_str(input1.sizes()), " and ", detail::shape_str(input2.sizes()));
  const int64_t dim = input1.dim() - 1;
  TG_CHECK(target.dim() == input1.dim() - 1,
           "0D target tensor expects 1D input tensors, but found inputs with sizes ",
           detail::shape_str(input1.sizes()), " and ", detail::shape_str(input2.sizes()), ".");
  const double kEps = 1e-12;
  const Tensor prod = (input1 * input2).sum({dim});
  const Tensor mag1 = (input1 * input1).sum({dim}) + kEps;
  const Tensor mag2 = (input2 * input2).sum({dim}) + kEps;
  const Tensor cos = prod / (mag1 * mag2).sqrt();
  const Tensor pos = where(target == 1, 1 - cos, 0.0);
  const Tensor neg = where(target == -1, (cos - margin).clamp_min(0), 0.0);
  return reduce(pos + neg, reduction);
}

Tensor multilabel_margin_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  check_defined(self, "multilabel_margin_loss", "input");
  TG_CHECK(self.dim() <= 2 && self.dim() >= 1,
           "Expected non-empty vector or matrix with optional 0-dim batch size, but got: ",
           detail::shape_str(self.sizes()));
  TG_CHECK(target.sizes() == self.sizes(),
           "inconsistent target size: ", detail::shape_str(target.sizes()),
           " for input of size: ", detail::shape_str(self.sizes()));
  const Tensor x = self.dim() == 1 ? self.unsqueeze(0) : self;
  const Tensor y = (self.dim() == 1 ? target.unsqueeze(0) : target).to(kLong).contiguous();
  const int64_t n = x.size(0), c = x.size(1);
  // is_target[i][k]: k is one of sample i's classes (those before the first -1).
  std::vector<double> is_target(static_cast<size_t>(n * c), 0.0);
  const int64_t* yp = y.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < c; ++j) {
      const int64_t label = yp[i * c + j];
      if (label < 0) break;
      TG_CHECK(label < c, "multilabel_margin_loss: target class ", label, " is out of range [0, ",
               c, ")");
      is_target[static_cast<size_t>(i * c + label)] = 1.0;
    }
  const Tensor t = tensor(is_target, kDouble).reshape({n, c}).to(x.dtype());
  // For target j and non-target k: max(0, 1 - x[j] + x[k]).
  const Tensor hinge = (1 - x.unsqueeze(2) + x.unsqueeze(1)).clamp_min(0);
  Tensor loss =
      (hinge * t.unsqueeze(2) * (1 - t).unsqueeze(1)).sum({1, 2}) / static_cast<double>(c);
  if (self.dim() == 1 && reduction == Reduction::None) loss = loss.squeeze(0);
  return reduce(loss, reduction);
}

Tensor soft_margin_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  check_defined(self, "soft_margin_loss", "input");
  return reduce((-target * self).exp().log1p(), reduction);
}

Tensor multilabel_soft_margin_loss(const Tensor& self, const Tensor& target,
                                   const std::optional<Tensor>& weight, int64_t reduction) {
  check_defined(self, "multilabel_soft_margin_loss", "input");
  // log sigmoid(x) = -softplus(-x), written with log1p(exp(-|x|)) for stability.
  auto log_sigmoid = [](const Tensor& v) { return v.clamp_max(0) - (-v.abs()).exp().log1p(); };
  Tensor loss = -(target * log_sigmoid(self) + (1 - target) * log_sigmoid(-self));
  if (weight && weight->defined()) loss = loss * *weight;
  const int64_t class_dim = self.dim() - 1;
  loss = loss.sum({class_dim}) / static_cast<double>(self.size(class_dim));
  return reduce(loss, reduction);
}

Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           double margin, double p, double eps, bool swap, int64_t reduction) {
  check_defined(anchor, "triplet_margin_loss", "anchor");
  TG_CHECK(anchor.dim() == positive.dim() && anchor.dim() == negative.dim(),
           "The anchor, positive, and negative tensors are expected to have the same number of "
           "dimensions, but got: anchor ",
           anchor.dim(), "D, positive ", positive.dim(), "D, and negative ", negative.dim(),
           "D inputs");
  const Tensor d_pos = pairwise_distance(anchor, positive, p, eps);
  Tensor d_neg = pairwise_distance(anchor, negative, p, eps);
  if (swap) d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps));
  return reduce((margin + d_pos - d_neg).clamp_min(0), reduction);
}

Tensor smooth_l1_loss(const Tensor& self, const Tensor& target, int64_t reduction, double beta) {
  check_defined(self, "smooth_l1_loss", "input");
  TG_CHECK(beta >= 0, "smooth_l1_loss does not support negative values for beta.");
  const Tensor z = (self - target).abs();
  if (beta == 0) return reduce(z, reduction);
  return reduce(where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta), reduction);
}

Tensor huber_loss(const Tensor& self, const Tensor& target, int64_t reduction, double delta) {
  check_defined(self, "huber_loss", "input");
  TG_CHECK(delta > 0, "huber_loss does not support non-positive values for delta.");
  const Tensor z = (self - target).abs();
  return reduce(where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta)), reduction);
}

Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input, bool full,
                        double eps, int64_t reduction) {
  check_defined(input, "poisson_nll_loss", "input");
  Tensor loss = log_input ? input.exp() - target * input : input - target * (input + eps).log();
  if (full) {
    const Tensor& t = target;  // differentiable in the target too, as libtorch's
    const Tensor stirling = t * t.log() - t + 0.5 * (2 * std::numbers::pi * t).log();
    loss = loss + where(target > 1, stirling, 0.0);
  }
  return reduce(loss, reduction);
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           double margin, int64_t reduction) {
  check_defined(input1, "margin_ranking_loss", "input1");
  return reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction);
}

}  // namespace tg
