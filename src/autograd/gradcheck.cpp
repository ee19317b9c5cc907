// Gradient checking: analytic Jacobians from the engine against central finite differences.
//
// Note [Gradient checking]
// gradcheck(fn, inputs) compares, for every input x_i that requires grad and every floating
// output y_j of fn, two Jacobians of shape numel(x_i) x numel(y_j):
//  - numerical: column k is (fn(x + eps e_k) - fn(x - eps e_k)) / (2 eps), where x_i is replaced
//    by a private contiguous copy that is perturbed in place, so that other inputs sharing x_i's
//    storage (views, aliases) never see the perturbation. The copy requires grad like the input
//    and fn runs in grad mode, as in the analytic pass, so fn sees the same conditions in both;
//  - analytic: row e is grad({y_j}, inputs, {one-hot at e}), the e-th row of dy_j/dx_i as the
//    engine computes it (allow_unused: an input that does not reach y_j has zero Jacobian).
// An entry passes when |analytic - numerical| <= atol + rtol * |numerical|.
// As PyTorch's gradcheck also does, it checks that the gradients have the inputs' shapes and
// dtypes and that backward with a zero grad_output gives exactly zero. A floating output that
// does not require grad must not depend on the inputs at all (its numerical Jacobian must be
// zero): otherwise the op lost its history and gradients would silently be missing.
//
// gradgradcheck(fn, inputs) checks the derivative of the derivative: it runs gradcheck on
// g(inputs..., grad_outputs...) = grad(fn(inputs), inputs, grad_outputs, create_graph = true)
// with fixed random grad_outputs that require grad, so both d g / d inputs (second derivatives)
// and d g / d grad_outputs (the transposed Jacobian, which must be linear in grad_outputs) are
// compared with finite differences.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iomanip>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/internal.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"

namespace tg::autograd {
namespace {

/// t's values in row-major order as doubles, read without autograd.
std::vector<double> values_of(const Tensor& t) {
  NoGradGuard no_grad;
  Tensor c = detail::contiguous_data(detail::cast(t.detach(), kDouble));
  const double* p = c.data_ptr<double>();
  return std::vector<double>(p, p + c.numel());
}

bool same_value(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

std::string fmt(double v) {
  std::ostringstream out;
  out << std::setprecision(8) << v;
  return out.str();
}

/// What gradcheck does with output j.
enum class OutputKind {
  kIgnored,         // undefined or integral: nothing to differentiate
  kDifferentiable,  // floating and requires grad: analytic against numerical
  kConstant,        // floating without grad: its numerical Jacobian must be zero
};

OutputKind kind_of(const Tensor& out) {
  if (!out.defined() || !out.is_floating_point()) return OutputKind::kIgnored;
  return out.requires_grad() ? OutputKind::kDifferentiable : OutputKind::kConstant;
}

/// Throws for misuse (these are errors whatever `raise` says): inputs to differentiate must be
/// kDouble, at least one must require grad, and the tolerances must make sense.
void check_arguments(const char* what, const variable_list& inputs, double eps, double atol,
                     double rtol) {
  TG_CHECK(eps > 0 && std::isfinite(eps), what, ": eps must be a positive finite step, got ", eps,
           "; the default 1e-6 suits kDouble inputs");
  TG_CHECK(atol >= 0 && rtol >= 0, what, ": atol and rtol must be non-negative, got atol ", atol,
           " and rtol ", rtol);
  bool any = false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined() || !x.requires_grad()) continue;
    any = true;
    TG_CHECK(x.dtype() == kDouble, what, ": input ", i, " (shape ", detail::shape_str(x.sizes()),
             ") requires grad but has dtype ", to_string(x.dtype()),
             "; finite differences are only accurate in double precision: pass "
             "x.to(tg::kDouble) for every input that requires grad");
  }
  TG_CHECK(any, what, ": none of the ", inputs.size(),
           " inputs requires grad, so there is nothing to check; call requires_grad_() on the "
           "inputs to differentiate");
}

/// Evaluates fn and returns the values of the outputs in `checked`.
std::vector<std::vector<double>> evaluate(const GradcheckFn& fn, const variable_list& args,
                                          const variable_list& reference,
                                          const std::vector<size_t>& checked) {
  variable_list outs;
  {
    // The same grad mode as the analytic pass, so fn behaves the same in both (hooks, in-place
    // checks); the graphs built here are dropped with the outputs.
    AutoGradMode grad_on(true);
    outs = fn(args);
  }
  TG_CHECK(outs.size() == reference.size(), "gradcheck: fn returned ", outs.size(),
           " outputs for perturbed inputs but ", reference.size(),
           " for the original inputs; fn must always return the same number of outputs");
  std::vector<std::vector<double>> values;
  values.reserve(checked.size());
  for (size_t j : checked) {
    const Tensor& o = outs[j];
    TG_CHECK(o.defined() && o.sizes() == reference[j].sizes(), "gradcheck: output ", j,
             " has shape ", detail::shape_str(reference[j].sizes()),
             " for the original inputs but ",
             o.defined() ? detail::shape_str(o.sizes()) : std::string("undefined"),
             " for perturbed inputs; fn's output shapes must not depend on the input values");
    values.push_back(values_of(o));
  }
  return values;
}

/// A contiguous tensor with a one at flat index e and zeros elsewhere.
Tensor one_hot(const Tensor& like, int64_t e) {
  NoGradGuard no_grad;
  Tensor g = zeros(like.sizes(), like.dtype());
  if (like.dtype() == kDouble)
    g.data_ptr<double>()[e] = 1.0;
  else
    g.data_ptr<float>()[e] = 1.0f;
  return g;
}

bool fail(bool raise, const std::string& message) {
  if (raise) throw Error(message);
  return false;
}

}  // namespace

bool gradcheck(const GradcheckFn& fn, const variable_list& inputs, double eps, double atol,
               double rtol, bool raise) {
  check_arguments("gradcheck", inputs, eps, atol, rtol);
  const size_t n_in = inputs.size();
  std::vector<size_t> wrt;  // inputs to differentiate
  for (size_t i = 0; i < n_in; ++i)
    if (inputs[i].defined() && inputs[i].requires_grad()) wrt.push_back(i);
  variable_list wrt_tensors;
  for (size_t i : wrt) wrt_tensors.push_back(inputs[i]);

  std::vector<std::vector<double>> before;
  for (size_t i : wrt) before.push_back(values_of(inputs[i]));

  // The analytic pass also fixes which outputs there are and what gradcheck does with each.
  variable_list outputs;
  {
    AutoGradMode grad_on(true);
    outputs = fn(inputs);
  }
  const size_t n_out = outputs.size();
  std::vector<OutputKind> kinds(n_out);
  std::vector<size_t> checked;  // outputs with a Jacobian to compare
  for (size_t j = 0; j < n_out; ++j) {
    kinds[j] = kind_of(outputs[j]);
    if (kinds[j] != OutputKind::kIgnored) checked.push_back(j);
  }

  // analytic[r][c]: the Jacobian of output checked[c] with respect to input wrt[r], row-major
  // (input element k, output element e) at k * numel(output) + e.
  using Jacobians = std::vector<std::vector<std::vector<double>>>;
  Jacobians analytic(wrt.size(), std::vector<std::vector<double>>(checked.size()));
  Jacobians numerical = analytic;
  for (size_t r = 0; r < wrt.size(); ++r)
    for (size_t c = 0; c < checked.size(); ++c) {
      size_t size = static_cast<size_t>(inputs[wrt[r]].numel() * outputs[checked[c]].numel());
      analytic[r][c].assign(size, 0.0);
      numerical[r][c].assign(size, 0.0);
    }

  for (size_t c = 0; c < checked.size(); ++c) {
    const size_t j = checked[c];
    if (kinds[j] != OutputKind::kDifferentiable) continue;
    const Tensor& out = outputs[j];
    const int64_t m = out.numel();
    auto backward_of = [&](const Tensor& grad_output) {
      variable_list grads = grad({out}, wrt_tensors, {grad_output}, /*retain_graph=*/true,
                                 /*create_graph=*/false, /*allow_unused=*/true);
      TG_CHECK(grads.size() == wrt.size(), "gradcheck: grad returned ", grads.size(),
               " gradients for ", wrt.size(), " inputs");
      return grads;
    };
    for (int64_t e = 0; e < m; ++e) {
      variable_list grads = backward_of(one_hot(out, e));
      for (size_t r = 0; r < wrt.size(); ++r) {
        const Tensor& g = grads[r];
        if (!g.defined()) continue;  // unused input: zero row
        const Tensor& x = inputs[wrt[r]];
        if (g.sizes() != x.sizes() || g.dtype() != x.dtype())
          return fail(raise, [&] {
            std::ostringstream msg;
            msg << "gradcheck: the gradient of output " << j << " with respect to input " << wrt[r]
                << " has shape " << detail::shape_str(g.sizes()) << " and dtype "
                << to_string(g.dtype()) << ", but input " << wrt[r] << " has shape "
                << detail::shape_str(x.sizes()) << " and dtype " << to_string(x.dtype())
                << "; a backward function must return gradients shaped like its inputs";
            return msg.str();
          }());
        std::vector<double> row = values_of(g);
        std::vector<double>& jac = analytic[r][c];
        for (size_t k = 0; k < row.size(); ++k) jac[k * m + e] = row[k];
      }
    }
    // Backward is linear in grad_output: a zero grad_output must give exactly zero.
    Tensor zero;
    {
      NoGradGuard no_grad;
      zero = zeros(out.sizes(), out.dtype());
    }
    variable_list grads = backward_of(zero);
    for (size_t r = 0; r < wrt.size(); ++r) {
      if (!grads[r].defined()) continue;
      std::vector<double> row = values_of(grads[r]);
      for (size_t k = 0; k < row.size(); ++k)
        if (row[k] != 0.0) {
          std::ostringstream msg;
          msg << "gradcheck: backward of output " << j
              << " with a zero grad_output gave a nonzero gradient for input " << wrt[r]
              << " (element " << k << " is " << fmt(row[k])
              << "); a gradient must be linear in grad_output";
          return fail(raise, msg.str());
        }
    }
  }

  // Numerical pass: perturb a private contiguous copy of one input at a time.
  for (size_t r = 0; r < wrt.size(); ++r) {
    const size_t i = wrt[r];
    Tensor copy;
    {
      NoGradGuard no_grad;
      copy = empty(inputs[i].sizes(), kDouble);
      copy.copy_(inputs[i].detach());
    }
    copy.requires_grad_(true);  // fn (gradgradcheck's g) may differentiate with respect to it
    variable_list args = inputs;
    args[i] = copy;
    double* p = copy.data_ptr<double>();
    const int64_t n = copy.numel();
    for (int64_t k = 0; k < n; ++k) {
      const double original = p[k];
      p[k] = original + eps;
      auto plus = evaluate(fn, args, outputs, checked);
      p[k] = original - eps;
      auto minus = evaluate(fn, args, outputs, checked);
      p[k] = original;
      for (size_t c = 0; c < checked.size(); ++c) {
        const size_t m = plus[c].size();
        std::vector<double>& jac = numerical[r][c];
        for (size_t e = 0; e < m; ++e)
          jac[static_cast<size_t>(k) * m + e] = (plus[c][e] - minus[c][e]) / (2 * eps);
      }
    }
  }

  for (size_t r = 0; r < wrt.size(); ++r) {
    std::vector<double> after = values_of(inputs[wrt[r]]);
    for (size_t k = 0; k < after.size(); ++k)
      TG_CHECK(same_value(before[r][k], after[k]), "gradcheck: fn modified input ", wrt[r],
               " in place (element ", k, " was ", fmt(before[r][k]), " and is now ", fmt(after[k]),
               "); fn must not write to its inputs: clone them first");
  }

  // Compare, output by output, reporting the worst entry of the first mismatching Jacobian.
  for (size_t c = 0; c < checked.size(); ++c) {
    const size_t j = checked[c];
    const Tensor& out = outputs[j];
    const size_t m = static_cast<size_t>(out.numel());
    for (size_t r = 0; r < wrt.size(); ++r) {
      const size_t i = wrt[r];
      const std::vector<double>& a = analytic[r][c];
      const std::vector<double>& num = numerical[r][c];
      size_t worst = 0, mismatches = 0;
      double worst_excess = -1;
      for (size_t q = 0; q < a.size(); ++q) {
        double bound = atol + rtol * std::abs(num[q]);
        double diff = std::abs(a[q] - num[q]);
        bool bad = !(diff <= bound);  // NaN on either side is a mismatch
        if (!bad) continue;
        double excess = std::isnan(diff) ? INFINITY : diff - bound;
        ++mismatches;
        if (excess > worst_excess) {
          worst_excess = excess;
          worst = q;
        }
      }
      if (mismatches == 0) continue;
      const size_t k = worst / m, e = worst % m;
      std::ostringstream msg;
      if (kinds[j] == OutputKind::kConstant) {
        msg << "gradcheck: output " << j << " does not require grad, but its numerical Jacobian "
            << "with respect to input " << i << " is nonzero at element " << k << ": numerical "
            << fmt(num[worst]) << " (output element " << e << "); the op computing output " << j
            << " did not record its backward, so its gradient would silently be lost";
      } else {
        msg << "gradcheck: Jacobian mismatch for output " << j << " with respect to input " << i
            << " at element " << k << ": analytic " << fmt(a[worst]) << ", numerical "
            << fmt(num[worst]) << " (d output " << j << "[" << e << "] / d input " << i << "[" << k
            << "], input shape " << detail::shape_str(inputs[i].sizes()) << ", output shape "
            << detail::shape_str(out.sizes()) << "; " << mismatches << " of " << a.size()
            << " entries differ by more than atol " << atol << " + rtol " << rtol
            << " * |numerical|). The backward formula of an op in fn is wrong, or fn is not "
               "differentiable at these input values";
      }
      return fail(raise, msg.str());
    }
  }
  return true;
}

bool gradgradcheck(const GradcheckFn& fn, const variable_list& inputs, double eps, double atol,
                   double rtol, bool raise) {
  check_arguments("gradgradcheck", inputs, eps, atol, rtol);
  const size_t n_in = inputs.size();
  variable_list outputs;
  {
    AutoGradMode grad_on(true);
    outputs = fn(inputs);
  }
  const size_t n_out = outputs.size();
  std::vector<size_t> diff_outputs;
  for (size_t j = 0; j < n_out; ++j)
    if (kind_of(outputs[j]) == OutputKind::kDifferentiable) diff_outputs.push_back(j);
  // Nothing to differentiate twice: gradcheck still verifies the outputs are constant.
  if (diff_outputs.empty()) return gradcheck(fn, inputs, eps, atol, rtol, raise);

  std::vector<bool> wants(n_in);
  for (size_t i = 0; i < n_in; ++i) wants[i] = inputs[i].defined() && inputs[i].requires_grad();

  // Fixed random grad_outputs: a fixed seed keeps failures reproducible; values in [-1, 1)
  // make every entry of the Jacobian contribute.
  std::mt19937_64 gen(0x9e3779b97f4a7c15ULL);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  variable_list args = inputs;
  for (size_t j : diff_outputs) {
    const Tensor& o = outputs[j];
    Tensor go;
    {
      NoGradGuard no_grad;
      go = empty(o.sizes(), o.dtype());
      if (o.dtype() == kDouble) {
        double* p = go.data_ptr<double>();
        for (int64_t k = 0; k < go.numel(); ++k) p[k] = uniform(gen);
      } else {
        float* p = go.data_ptr<float>();
        for (int64_t k = 0; k < go.numel(); ++k) p[k] = static_cast<float>(uniform(gen));
      }
    }
    go.requires_grad_(true);
    args.push_back(go);
  }
  outputs.clear();

  // g's output i is the gradient with respect to fn's input i (undefined for inputs that do not
  // require grad, zeros for inputs that do not reach the outputs).
  GradcheckFn g = [fn, n_in, n_out, wants, diff_outputs](const variable_list& a) {
    AutoGradMode grad_on(true);
    variable_list ins(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n_in));
    variable_list outs = fn(ins);
    TG_CHECK(outs.size() == n_out, "gradgradcheck: fn returned ", outs.size(),
             " outputs but returned ", n_out,
             " the first time; fn must always return the same number of outputs");
    variable_list ys, gys, xs;
    for (size_t r = 0; r < diff_outputs.size(); ++r) {
      ys.push_back(outs[diff_outputs[r]]);
      gys.push_back(a[n_in + r]);
    }
    for (size_t i = 0; i < n_in; ++i)
      if (wants[i]) xs.push_back(ins[i]);
    variable_list gxs = grad(ys, xs, gys, std::nullopt, /*create_graph=*/true,
                             /*allow_unused=*/true);
    variable_list result(n_in);
    size_t r = 0;
    for (size_t i = 0; i < n_in; ++i) {
      if (!wants[i]) continue;
      if (gxs[r].defined()) {
        result[i] = gxs[r];
      } else {
        NoGradGuard no_grad;
        result[i] = zeros(ins[i].sizes(), ins[i].dtype());
      }
      ++r;
    }
    return result;
  };

  try {
    return gradcheck(g, args, eps, atol, rtol, raise);
  } catch (const Error& e) {
    std::ostringstream msg;
    msg << "gradgradcheck: checking the gradient of fn as a function of its " << n_in
        << " inputs and of " << diff_outputs.size() << " grad_outputs (inputs " << n_in
        << " and up of the function checked below; its "
        << "output i is the gradient with respect to fn's input i) failed: " << e.what();
    throw Error(msg.str());
  }
}

}  // namespace tg::autograd
