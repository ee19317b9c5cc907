// Losses: nll_loss (a gather forward and a scatter backward), cross_entropy_loss (composite, as
// libtorch: log_softmax then nll_loss, plus label smoothing and class-probability targets),
// mse_loss, l1_loss (composite), binary_cross_entropy and binary_cross_entropy_with_logits.
// Dedicated ops compute their elementwise loss in one loop and reduce it; their derivatives are
// written with differentiable ops (double backward works), with fused loops when no graph is
// built through the derivative.
#include "kernels/loss.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "autograd/record.h"
#include "core/internal.h"
#include "core/operand_rules.h"
#include "kernels/loop.h"
#include "tensorgrad/nn/ops_loss.h"

namespace tg {

namespace detail {
void warn_target_size(const char* op, IntArrayRef input, IntArrayRef target) {
  warn(str(op, ": Using a target size (", shape_str(target),
           ") that is different to the input size (", shape_str(input),
           "). This will likely lead to incorrect results due to broadcasting. Please ensure "
           "they have the same size."));
}
}  // namespace detail

namespace {

void check_reduction(int64_t reduction, const char* op) {
  TG_CHECK(reduction >= Reduction::None && reduction < Reduction::END, op,
           ": reduction must be Reduction::None, Reduction::Mean or Reduction::Sum (0, 1 or 2) "
           "but got ",
           reduction, "; pass one of them (nn::functional takes tg::kNone, tg::kMean, tg::kSum)");
}

void check_defined(const Tensor& t, const char* op, const char* what) {
  TG_CHECK(t.defined(), op, ": the ", what, " tensor is undefined");
}

void check_floating(const Tensor& t, const char* op, const char* what) {
  check_defined(t, op, what);
  TG_CHECK(t.is_floating_point(), op, ": expected a floating-point ", what,
           " (Float or Double) but got ", t.dtype(), " of shape ", detail::shape_str(t.sizes()),
           "; convert it with .to(tg::kFloat)");
}

/// The optional weight as a tensor (undefined when absent).
Tensor optional_tensor(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }

/// Class weights and pos_weight take no gradient in libtorch, which refuses them when they
/// require grad rather than silently dropping their gradient.
void check_no_grad(const Tensor& t, const char* op, const char* what) {
  TG_CHECK(!autograd::needs_grad(t), op, ": the function is not differentiable with respect to ",
           what, ", which requires grad; pass ", what, ".detach()");
}

/// An optional floating tensor converted to `dtype` (no autograd: it takes no gradient).
Tensor as_dtype(const Tensor& t, ScalarType dtype) {
  return t.defined() ? detail::cast(t, dtype) : t;
}

/// The reduced value of an elementwise loss, without autograd (the calling op records its node).
Tensor reduce_values(const Tensor& loss, int64_t reduction) {
  NoGradGuard no_grad;
  if (reduction == Reduction::Mean) return loss.mean();
  if (reduction == Reduction::Sum) return loss.sum();
  return loss;
}

/// The reduction with autograd, for the composite losses.
Tensor apply_loss_reduction(const Tensor& loss, int64_t reduction) {
  if (reduction == Reduction::Mean) return loss.mean();
  if (reduction == Reduction::Sum) return loss.sum();
  return loss;
}

/// The output gradient scaled for the reduction (1/n for Mean) and multiplied by the weight.
Tensor scaled_grad(const Tensor& g, int64_t reduction, int64_t n, const Tensor& weight) {
  Tensor gw = reduction == Reduction::Mean ? g / static_cast<double>(n) : g;
  return weight.defined() ? gw * weight : gw;
}

/// True when nothing in `ts` takes part in a graph and all share one floating dtype, so that a
/// derivative may run as a plain loop.
bool can_fuse(std::initializer_list<const Tensor*> ts) {
  const ScalarType dt = (*ts.begin())->dtype();
  for (const Tensor* t : ts)
    if (autograd::needs_grad(*t) || t->dtype() != dt || !t->is_floating_point()) return false;
  return true;
}

// ---- nll_loss -----------------------------------------------------------------------------------

/// Checks the arguments shared by nll_loss and cross_entropy with class-index targets.
void check_class_targets(const char* op, const Tensor& self, const Tensor& target,
                         const Tensor& weight) {
  const int64_t n_classes = self.dim() == 1 ? self.size(0) : self.size(1);
  TG_CHECK(target.dtype() == kLong, op,
           ": expected a target of dtype Long (class indices) but got ", target.dtype(),
           " of shape ", detail::shape_str(target.sizes()),
           "; convert it with target.to(tg::kLong)");
  if (self.dim() == 1) {
    TG_CHECK(target.dim() == 0, op, ": expected a 0-d target for an input of shape ",
             detail::shape_str(self.sizes()), " (one sample of ", n_classes,
             " classes) but got a target of shape ", detail::shape_str(target.sizes()),
             "; for a batch give the input the shape [N, C] and the target [N]");
  } else {
    TG_CHECK(target.dim() >= 1 && target.size(0) == self.size(0), op,
             ": expected input batch_size (", self.size(0), ") to match target batch_size (",
             target.dim() >= 1 ? std::to_string(target.size(0)) : std::string("none: 0-d"),
             "); input has shape ", detail::shape_str(self.sizes()), " and target ",
             detail::shape_str(target.sizes()));
    DimVector expected{self.size(0)};
    for (int64_t d = 2; d < self.dim(); ++d) expected.push_back(self.size(d));
    TG_CHECK(target.sizes().equals(expected), op, ": expected a target of shape ",
             detail::shape_str(expected), " for an input of shape ",
             detail::shape_str(self.sizes()), " (classes on dim 1) but got ",
             detail::shape_str(target.sizes()));
  }
  if (weight.defined()) {
    TG_CHECK(weight.dim() == 1 && weight.numel() == n_classes, op,
             ": weight tensor should be defined either for all ", n_classes,
             " classes or no classes but got weight tensor of shape ",
             detail::shape_str(weight.sizes()), "; pass a 1-D weight of ", n_classes, " elements");
    TG_CHECK(weight.dtype() == self.dtype(), op, ": expected weight of dtype ", self.dtype(),
             " (the input's) but got ", weight.dtype(), "; convert it with weight.to(",
             self.dtype(), ")");
    check_no_grad(weight, op, "weight");
  }
}

/// nll_loss, with `op` naming the public function in messages.
Tensor nll_loss_impl(const char* op, const Tensor& self, const Tensor& target, const Tensor& weight,
                     int64_t reduction, int64_t ignore_index) {
  check_reduction(reduction, op);
  check_floating(self, op, "input");
  check_defined(target, op, "target");
  TG_CHECK(self.dim() >= 1, op,
           ": expected an input of shape [C], [N, C] or [N, C, d1, ...] but got a 0-d tensor");
  check_class_targets(op, self, target, weight);

  const ScalarType dtype = self.dtype();
  const int64_t cls_dim = self.dim() == 1 ? 0 : 1;
  const int64_t n_classes = self.size(cls_dim);
  const int64_t count = target.numel();  // samples: N * d1 * ...
  const Tensor x = detail::contiguous_data(self);
  const Tensor t = detail::contiguous_data(target);
  const Tensor w = weight.defined() ? detail::contiguous_data(weight) : Tensor();
  const int64_t* tp = t.data_ptr<int64_t>();
  for (int64_t i = 0; i < count; ++i)
    TG_CHECK(tp[i] == ignore_index || (tp[i] >= 0 && tp[i] < n_classes), op, ": target ", tp[i],
             " is out of bounds for ", n_classes, " classes; targets must lie in [0, ", n_classes,
             ") or equal ignore_index (", ignore_index, ")");

  const bool record = autograd::needs_grad(self);
  const std::optional<kernels::View> wv =
      w.defined() ? std::optional<kernels::View>(w) : std::nullopt;
  Tensor result = reduction == Reduction::None ? detail::make_empty(target.sizes(), dtype)
                                               : detail::make_empty({}, dtype);
  const kernels::NllReduction how = reduction == Reduction::None   ? kernels::NllReduction::None
                                    : reduction == Reduction::Mean ? kernels::NllReduction::Mean
                                                                   : kernels::NllReduction::Sum;
  const double total_weight = kernels::nll_loss_forward(result, x, t, wv, ignore_index, how);
  // coef[i] = -weight[t_i] (divided by the total weight for Mean), 0 where t_i is ignored;
  // safe[i] = t_i, 0 where ignored: the backward scatters grad * coef into class safe[i].
  Tensor coef, safe;
  if (record) {
    coef = detail::make_empty(target.sizes(), dtype);
    safe = detail::make_empty(target.sizes(), kLong);
    kernels::nll_loss_coefficients(coef, safe, t, wv, ignore_index,
                                   reduction == Reduction::Mean ? 1.0 / total_weight : 1.0);
  }
  if (record)
    autograd::record(
        "NllLossBackward0", {self}, {result}, autograd::save(coef, safe),
        [cls_dim, sizes = DimVector(self.sizes()), n_classes,
         reduced = reduction != Reduction::None](BackwardArgs<2>& a) -> variable_list {
          const Tensor& g = a.grad();
          const Tensor& coef = a.saved[0];
          const Tensor& safe = a.saved[1];
          // No classes: every target was ignore_index and the input has no elements, so there
          // is nothing to write (safe's 0 would index past the empty class dim). The empty
          // gradient is still taken from grad, so that it takes part in a graph as the others.
          if (n_classes == 0) return {(g * coef).unsqueeze(cls_dim).narrow(cls_dim, 0, 0)};
          if (!autograd::needs_grad(g) && g.dtype() == coef.dtype()) {
            // One pass: grad_input[n, safe_i, k] = g * coef_i over zeros.
            Tensor gi = detail::make_empty(sizes, coef.dtype());
            kernels::nll_loss_backward(gi, detail::contiguous_data(g), coef, safe, reduced);
            return {gi};
          }
          // The same as a scatter of grad * coef into zeros: linear in grad, so double
          // backward differentiates it (a gather) for free.
          const Tensor src = (g * coef).unsqueeze(cls_dim);
          return {zeros(sizes, coef.dtype()).scatter_add(cls_dim, safe.unsqueeze(cls_dim), src)};
        });
  return result;
}

/// log_softmax over the class dim (1, or 0 for a 1-D input), with the class-index or
/// class-probability cross entropy on top.
Tensor cross_entropy_impl(const Tensor& self, const Tensor& target, const Tensor& weight,
                          int64_t reduction, int64_t ignore_index, double label_smoothing) {
  const char* op = "cross_entropy";
  check_reduction(reduction, op);
  check_floating(self, op, "input (logits)");
  check_defined(target, op, "target");
  TG_CHECK(self.dim() >= 1, op,
           ": expected an input of shape [C], [N, C] or [N, C, d1, ...] but got a 0-d tensor");
  TG_CHECK(label_smoothing <= 1.0, op,
           ": label_smoothing must be between 0.0 and 1.0. Got: ", label_smoothing);
  const int64_t cls_dim = self.dim() == 1 ? 0 : 1;
  const int64_t n_classes = self.size(cls_dim);
  // weight viewed to broadcast along the class dim.
  auto weight_view = [&] {
    DimVector shape(static_cast<size_t>(self.dim()), 1);
    shape[static_cast<size_t>(cls_dim)] = n_classes;
    return weight.view(shape);
  };

  if (self.sizes().equals(target.sizes())) {
    // Class probabilities.
    TG_CHECK(target.is_floating_point(), op, ": a target of the input's shape ",
             detail::shape_str(target.sizes()),
             " holds class probabilities and must be floating point, but got ", target.dtype(),
             "; for class indices give the target the input's shape without the class dim");
    TG_CHECK(ignore_index < 0, op,
             ": ignore_index is not supported for floating point target (class probabilities), "
             "but got ignore_index=",
             ignore_index, "; leave it at -100");
    if (weight.defined())
      TG_CHECK(weight.dim() == 1 && weight.numel() == n_classes, op,
               ": weight tensor should be defined either for all ", n_classes,
               " classes or no classes but got weight tensor of shape ",
               detail::shape_str(weight.sizes()));
    const Tensor logp = log_softmax(self, cls_dim);
    const Tensor q =
        label_smoothing > 0 ? target * (1 - label_smoothing) + label_smoothing / n_classes : target;
    Tensor prod = logp * q;
    if (weight.defined()) prod = prod * weight_view();
    if (reduction == Reduction::None) return -prod.sum(IntArrayRef{cls_dim});
    if (reduction == Reduction::Sum) return -prod.sum();
    // The mean over samples (N * d1 * ...), not over classes; NaN for an empty input.
    const int64_t samples = self.numel() == 0 ? 0 : self.numel() / n_classes;
    return -prod.sum() / static_cast<double>(samples);
  }

  check_class_targets(op, self, target, weight);
  const Tensor logp = log_softmax(self, cls_dim);
  const Tensor nll = nll_loss_impl(op, logp, target, weight, reduction, ignore_index);
  if (!(label_smoothing > 0)) return nll;

  // The uniform part of the smoothed target: -sum_c weight[c] logp[c], 0 at ignored targets,
  // reduced like nll_loss (Mean divides by the weight of the targets that count).
  const Tensor ignored = target == ignore_index;
  Tensor smooth = weight.defined() ? -(logp * weight_view()).sum(IntArrayRef{cls_dim})
                                   : -logp.sum(IntArrayRef{cls_dim});
  smooth = smooth.masked_fill(ignored, 0);
  Tensor uniform;
  if (reduction == Reduction::None) {
    uniform = smooth;
  } else if (reduction == Reduction::Sum) {
    uniform = smooth.sum();
  } else if (weight.defined()) {
    const Tensor flat_ignored = ignored.flatten();
    const Tensor counted = weight.index_select(0, target.masked_fill(ignored, 0).flatten())
                               .masked_fill(flat_ignored, 0);
    uniform = smooth.sum() / counted.sum();
  } else {
    uniform = smooth.sum() / (target != ignore_index).sum().to(self.dtype());
  }
  return (1 - label_smoothing) * nll + uniform * (label_smoothing / static_cast<double>(n_classes));
}

}  // namespace

Tensor nll_loss(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight,
                int64_t reduction, int64_t ignore_index) {
  return nll_loss_impl("nll_loss", self, target, optional_tensor(weight), reduction, ignore_index);
}

Tensor nll_loss_nd(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight,
                   int64_t reduction, int64_t ignore_index) {
  return nll_loss_impl("nll_loss", self, target, optional_tensor(weight), reduction, ignore_index);
}

Tensor cross_entropy_loss(const Tensor& self, const Tensor& target,
                          const std::optional<Tensor>& weight, int64_t reduction,
                          int64_t ignore_index, double label_smoothing) {
  return cross_entropy_impl(self, target, optional_tensor(weight), reduction, ignore_index,
                            label_smoothing);
}

// ---- mse_loss, l1_loss --------------------------------------------------------------------------

Tensor mse_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  const char* op = "mse_loss";
  check_reduction(reduction, op);
  check_floating(self, op, "input");
  check_floating(target, op, "target");
  const DimVector shape = detail::broadcast_shape(op, {self.sizes(), target.sizes()});
  const ScalarType dtype = result_type(self, target);
  const Tensor x = detail::cast(self, dtype), y = detail::cast(target, dtype);
  Tensor sq = detail::make_empty(shape, dtype);
  kernels::dispatch_float_double(dtype, op, [&](auto tag) {
    using T = typename decltype(tag)::type;
    kernels::binary_loop<T, T, T>(sq, x, y, [](T a, T b) { return (a - b) * (a - b); });
  });
  Tensor result = reduce_values(sq, reduction);
  if (autograd::needs_grad(self, target))
    autograd::record("MseLossBackward0", {self, target}, {result}, autograd::save(self, target),
                     [reduction, n = sq.numel()](BackwardArgs<2>& a) -> variable_list {
                       const Tensor& x = a.saved[0];
                       const Tensor& y = a.saved[1];
                       const Tensor g = scaled_grad(a.grad(), reduction, n, Tensor()) * 2.0;
                       Tensor gx;
                       if (can_fuse({&g, &x, &y})) {
                         gx = detail::make_empty(broadcast_shapes(x.sizes(), y.sizes()), x.dtype());
                         kernels::dispatch_float_double(
                             x.dtype(), "mse_loss backward", [&](auto tag) {
                               using T = typename decltype(tag)::type;
                               kernels::ternary_loop<T, T, T, T>(
                                   gx, g, x, y, [](T gv, T xv, T yv) { return gv * (xv - yv); });
                             });
                       } else {
                         gx = (x - y) * g;
                       }
                       return {a.needs(0) ? gx : Tensor(), a.needs(1) ? -gx : Tensor()};
                     });
  return result;
}

Tensor l1_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  const char* op = "l1_loss";
  check_reduction(reduction, op);
  check_floating(self, op, "input");
  check_floating(target, op, "target");
  detail::broadcast_shape(op, {self.sizes(), target.sizes()});
  return apply_loss_reduction((self - target).abs(), reduction);
}

// ---- binary cross entropy -----------------------------------------------------------------------

namespace {
DimVector squeezed_shape(const Tensor& t) {
  DimVector shape;
  for (int64_t s : t.sizes())
    if (s != 1) shape.push_back(s);
  return shape;
}
}  // namespace

Tensor binary_cross_entropy(const Tensor& self, const Tensor& target_in,
                            const std::optional<Tensor>& weight_opt, int64_t reduction) {
  const char* op = "binary_cross_entropy";
  check_reduction(reduction, op);
  check_floating(self, op, "input");
  check_floating(target_in, op, "target");
  // As libtorch's ATen function (not F::binary_cross_entropy, which wants equal shapes): shapes
  // that are equal once their size-1 dims are dropped match, so a [N, 1] output takes a [N] target.
  TG_CHECK(
      target_in.sizes().equals(self.sizes()) || squeezed_shape(target_in) == squeezed_shape(self),
      op, ": target of shape ", detail::shape_str(target_in.sizes()),
      " must have the shape of the input ", detail::shape_str(self.sizes()),
      " (up to dims of size 1); reshape the target");
  const Tensor target =
      target_in.sizes().equals(self.sizes()) ? target_in : target_in.reshape(self.sizes());
  const ScalarType dtype = self.dtype();
  Tensor weight = optional_tensor(weight_opt);
  if (weight.defined()) {
    check_floating(weight, op, "weight");
    check_no_grad(weight, op, "weight");
    const DimVector shape = detail::broadcast_shape(op, {self.sizes(), weight.sizes()});
    TG_CHECK(IntArrayRef(shape).equals(self.sizes()), op, ": weight of shape ",
             detail::shape_str(weight.sizes()), " must broadcast to the input's shape ",
             detail::shape_str(self.sizes()));
    weight = as_dtype(weight, dtype);
  }
  const Tensor t = detail::cast(target, dtype);
  Tensor loss = detail::make_empty(self.sizes(), dtype);
  kernels::dispatch_float_double(dtype, op, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const Tensor xc = detail::contiguous_data(self);
    const T* xp = xc.data_ptr<T>();
    for (int64_t i = 0, n = xc.numel(); i < n; ++i)
      TG_CHECK(xp[i] >= T(0) && xp[i] <= T(1), op,
               ": all elements of input should be between 0 and 1, but found ", xp[i],
               "; apply sigmoid to the input first, or pass the logits to "
               "binary_cross_entropy_with_logits");
    // Each log is clamped to >= -100 so that 0 * log(0) gives 0 and the loss stays finite.
    kernels::binary_loop<T, T, T>(loss, self, t, [](T xv, T tv) {
      const T log_x = std::max(std::log(xv), T(-100));
      const T log_1mx = std::max(std::log1p(-xv), T(-100));
      return (tv - T(1)) * log_1mx - tv * log_x;
    });
  });
  if (weight.defined()) {
    NoGradGuard no_grad;
    loss = loss * weight;
  }
  Tensor result = reduce_values(loss, reduction);
  if (autograd::needs_grad(self, target))
    autograd::record("BinaryCrossEntropyBackward0", {self, target}, {result},
                     autograd::save(self, target, weight),
                     [reduction, n = loss.numel()](BackwardArgs<3>& a) -> variable_list {
                       const Tensor& x = a.saved[0];
                       const Tensor& t = a.saved[1];
                       const Tensor gw = scaled_grad(a.grad(), reduction, n, a.saved[2]);
                       Tensor gx, gt;
                       if (can_fuse({&gw, &x, &t})) {
                         kernels::dispatch_float_double(
                             x.dtype(), "binary_cross_entropy backward", [&](auto tag) {
                               using T = typename decltype(tag)::type;
                               if (a.needs(0)) {
                                 gx = detail::make_empty(x.sizes(), x.dtype());
                                 kernels::ternary_loop<T, T, T, T>(
                                     gx, gw, x, t, [](T gv, T xv, T tv) {
                                       return gv * (xv - tv) / std::max((T(1) - xv) * xv, T(1e-12));
                                     });
                               }
                               if (a.needs(1)) {
                                 gt = detail::make_empty(x.sizes(), x.dtype());
                                 kernels::ternary_loop<T, T, T, T>(gt, gw, x, t, [](T gv, T xv, T) {
                                   return gv * (std::log1p(-xv) - std::log(xv));
                                 });
                               }
                             });
                       } else {
                         if (a.needs(0)) gx = gw * (x - t) / ((1 - x) * x).clamp_min(1e-12);
                         if (a.needs(1)) gt = gw * (log1p(-x) - log(x));
                       }
                       return {gx, gt};
                     });
  return result;
}

Tensor binary_cross_entropy_with_logits(const Tensor& self, const Tensor& target,
                                        const std::optional<Tensor>& weight_opt,
                                        const std::optional<Tensor>& pos_weight_opt,
                                        int64_t reduction) {
  const char* op = "binary_cross_entropy_with_logits";
  check_reduction(reduction, op);
  check_floating(self, op, "input");
  check_floating(target, op, "target");
  const ScalarType dtype = self.dtype();
  Tensor weight = optional_tensor(weight_opt), pos_weight = optional_tensor(pos_weight_opt);
  std::vector<const Tensor*> operands{&self, &target};
  if (weight.defined()) {
    check_floating(weight, op, "weight");
    check_no_grad(weight, op, "weight");
    operands.push_back(&weight);
  }
  if (pos_weight.defined()) {
    check_floating(pos_weight, op, "pos_weight");
    check_no_grad(pos_weight, op, "pos_weight");
    operands.push_back(&pos_weight);
  }
  DimVector shape;
  switch (operands.size()) {
    case 2:
      shape = detail::broadcast_shape(op, {self.sizes(), target.sizes()});
      break;
    case 3:
      shape = detail::broadcast_shape(op, {self.sizes(), target.sizes(), operands[2]->sizes()});
      break;
    default:
      shape = detail::broadcast_shape(
          op, {self.sizes(), target.sizes(), weight.sizes(), pos_weight.sizes()});
  }
  weight = as_dtype(weight, dtype);
  pos_weight = as_dtype(pos_weight, dtype);
  const Tensor t = detail::cast(target, dtype);
  Tensor loss = detail::make_empty(shape, dtype);
  {
    NoGradGuard no_grad;
    // l = 1 + (pos_weight - 1) t weighs the positive term; softplus(-x) = max(-x, 0) +
    // log1p(exp(-|x|)) never overflows.
    const Tensor l = pos_weight.defined() ? (pos_weight - 1) * t + 1 : Tensor();
    kernels::dispatch_float_double(dtype, op, [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto softplus_neg = [](T xv) {
        return std::max(-xv, T(0)) + std::log1p(std::exp(-std::abs(xv)));
      };
      if (l.defined())
        kernels::ternary_loop<T, T, T, T>(loss, self, t, l, [softplus_neg](T xv, T tv, T lv) {
          return (T(1) - tv) * xv + lv * softplus_neg(xv);
        });
      else
        kernels::binary_loop<T, T, T>(loss, self, t, [softplus_neg](T xv, T tv) {
          return (T(1) - tv) * xv + softplus_neg(xv);
        });
    });
    if (weight.defined()) loss = loss * weight;
  }
  Tensor result = reduce_values(loss, reduction);
  if (autograd::needs_grad(self, target))
    autograd::record("BinaryCrossEntropyWithLogitsBackward0", {self, target}, {result},
                     autograd::save(self, target, weight, pos_weight),
                     [reduction, n = loss.numel()](BackwardArgs<4>& a) -> variable_list {
                       const Tensor& x = a.saved[0];
                       const Tensor& t = a.saved[1];
                       const Tensor& pw = a.saved[3];
                       const Tensor gw = scaled_grad(a.grad(), reduction, n, a.saved[2]);
                       Tensor gx, gt;
                       if (!pw.defined() && can_fuse({&gw, &x, &t})) {
                         const DimVector shape =
                             broadcast_shapes(broadcast_shapes(gw.sizes(), x.sizes()), t.sizes());
                         kernels::dispatch_float_double(
                             x.dtype(), "binary_cross_entropy_with_logits backward", [&](auto tag) {
                               using T = typename decltype(tag)::type;
                               if (a.needs(0)) {
                                 gx = detail::make_empty(shape, x.dtype());
                                 kernels::ternary_loop<T, T, T, T>(
                                     gx, gw, x, t, [](T gv, T xv, T tv) {
                                       return gv * (T(1) / (T(1) + std::exp(-xv)) - tv);
                                     });
                               }
                               if (a.needs(1)) {
                                 gt = detail::make_empty(shape, x.dtype());
                                 kernels::ternary_loop<T, T, T, T>(
                                     gt, gw, x, t, [](T gv, T xv, T) { return -gv * xv; });
                               }
                             });
                         return {gx, gt};
                       }
                       if (pw.defined()) {
                         const Tensor pt = pw * t;
                         if (a.needs(0)) gx = gw * ((pt + 1 - t) * sigmoid(x) - pt);
                         if (a.needs(1)) gt = gw * ((pw - 1) * softplus(-x) - x);
                       } else {
                         if (a.needs(0)) gx = gw * (sigmoid(x) - t);
                         if (a.needs(1)) gt = -(gw * x);
                       }
                       // The target's derivative does not involve the target, so it lacks the
                       // target's dims where the target is the larger operand: expand it to the
                       // loss's shape (the engine sums it back to the target's).
                       if (gt.defined()) {
                         const DimVector shape = broadcast_shapes(gt.sizes(), t.sizes());
                         if (!gt.sizes().equals(shape)) gt = gt.expand(shape);
                       }
                       return {gx, gt};
                     });
  return result;
}

}  // namespace tg
