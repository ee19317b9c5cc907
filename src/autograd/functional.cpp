// torch.autograd.functional over n-d tensors: jacobian, hessian, vjp, jvp, hvp.
#include "core/internal.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"

namespace tg::autograd {

namespace {

// What fn is differentiated with respect to: tensors that share the inputs' values. Under
// create_graph, an input that requires grad is aliased with history (as PyTorch does), so the
// results stay differentiable in the inputs too; otherwise a fresh leaf.
variable_list differentiable_inputs(const variable_list& inputs, bool create_graph,
                                    const char* api) {
  variable_list out;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    TG_CHECK(x.defined() && x.is_floating_point(), api, ": input ", i,
             " must be a defined floating-point tensor");
    out.push_back(create_graph && x.requires_grad() ? x.view_as(x)
                                                    : x.detach().requires_grad_(true));
  }
  return out;
}

void check_cotangents(const variable_list& outputs, const variable_list& v, const char* api,
                      const char* what) {
  TG_CHECK(v.size() == outputs.size(), api, ": expected one tensor in v per ", what, " (",
           outputs.size(), ") but got ", v.size());
  for (size_t i = 0; i < v.size(); ++i)
    TG_CHECK(v[i].defined() && v[i].sizes().equals(outputs[i].sizes()), api, ": v[", i,
             "] has shape ", v[i].defined() ? tg::detail::shape_str(v[i].sizes()) : "undefined",
             " but the ", what, " has shape ", tg::detail::shape_str(outputs[i].sizes()));
}

// grad that returns zeros (not undefined) for inputs that do not influence the outputs.
variable_list grad_or_zeros(const variable_list& outputs, const variable_list& inputs,
                            const variable_list& grad_outputs, bool create_graph) {
  variable_list diff_outputs, diff_grads;
  for (size_t i = 0; i < outputs.size(); ++i)
    if (outputs[i].requires_grad()) {
      diff_outputs.push_back(outputs[i]);
      diff_grads.push_back(grad_outputs[i]);
    }
  variable_list g(inputs.size());
  if (!diff_outputs.empty())
    g = grad(diff_outputs, inputs, diff_grads, /*retain_graph=*/true, create_graph,
             /*allow_unused=*/true);
  for (size_t i = 0; i < g.size(); ++i)
    if (!g[i].defined()) g[i] = zeros_like(inputs[i]);
  return g;
}

variable_list maybe_detach(variable_list v, bool create_graph) {
  if (!create_graph)
    for (Tensor& t : v) t = t.detach();
  return v;
}

}  // namespace

std::vector<variable_list> jacobian(const VariableListFn& fn, const variable_list& inputs,
                                    bool create_graph) {
  variable_list x = differentiable_inputs(inputs, create_graph, "jacobian");
  variable_list y = fn(x);
  std::vector<variable_list> J(y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    const int64_t m = y[i].numel();
    Tensor flat = y[i].reshape({m});
    // One row of the Jacobian per output element: d y[i][k] / d x[j].
    std::vector<variable_list> rows(x.size());
    for (int64_t k = 0; k < m; ++k) {
      Tensor onehot = zeros({m}, y[i].dtype());
      {
        NoGradGuard no_grad;
        onehot[k].fill_(1);
      }
      variable_list g = grad_or_zeros({flat}, x, {onehot}, create_graph);
      for (size_t j = 0; j < x.size(); ++j) rows[j].push_back(g[j]);
    }
    for (size_t j = 0; j < x.size(); ++j) {
      DimVector shape(y[i].sizes());
      for (int64_t s : x[j].sizes()) shape.push_back(s);
      Tensor Jij = m == 0 ? zeros(shape, x[j].dtype()) : stack(rows[j], 0).reshape(shape);
      J[i].push_back(create_graph ? Jij : Jij.detach());
    }
  }
  return J;
}

std::vector<variable_list> hessian(const VariableListFn& fn, const variable_list& inputs,
                                   bool create_graph) {
  auto gradient = [&fn](const variable_list& x) -> variable_list {
    variable_list y = fn(x);
    TG_CHECK(y.size() == 1 && y[0].numel() == 1,
             "hessian: fn must return one tensor with a "
             "single element, but it returned ",
             y.size(), " tensors",
             y.empty() ? "" : " (the first of shape " + tg::detail::shape_str(y[0].sizes()) + ")");
    return grad_or_zeros(y, x, {ones_like(y[0])}, /*create_graph=*/true);
  };
  return jacobian(gradient, inputs, create_graph);
}

namespace {

/// What vjp, jvp and hvp share: fn's outputs y at differentiable copies x of the inputs, and
/// product(x, y); both detached unless create_graph. v is checked against the outputs (vjp's
/// cotangents, after fn runs) or against the inputs (the tangents of jvp and hvp, before).
template <class Product>
std::pair<variable_list, variable_list> outputs_and_product(const VariableListFn& fn,
                                                            const variable_list& inputs,
                                                            const variable_list& v,
                                                            bool create_graph, const char* api,
                                                            bool v_per_output, Product product) {
  variable_list x = differentiable_inputs(inputs, create_graph, api);
  if (!v_per_output) check_cotangents(x, v, api, "input");
  variable_list y = fn(x);
  if (v_per_output) check_cotangents(y, v, api, "output");
  variable_list p = product(x, y);
  return {maybe_detach(y, create_graph), maybe_detach(p, create_graph)};
}

}  // namespace

std::pair<variable_list, variable_list> vjp(const VariableListFn& fn, const variable_list& inputs,
                                            const variable_list& v, bool create_graph) {
  return outputs_and_product(fn, inputs, v, create_graph, "vjp", /*v_per_output=*/true,
                             [&](const variable_list& x, const variable_list& y) {
                               return grad_or_zeros(y, x, v, create_graph);
                             });
}

std::pair<variable_list, variable_list> jvp(const VariableListFn& fn, const variable_list& inputs,
                                            const variable_list& v, bool create_graph) {
  return outputs_and_product(fn, inputs, v, create_graph, "jvp", /*v_per_output=*/false,
                             [&](const variable_list& x, const variable_list& y) {
                               // u -> (J^T u) is linear in u; its vjp against v is (J v).
                               variable_list u;
                               for (const Tensor& out : y)
                                 u.push_back(zeros_like(out).requires_grad_(true));
                               variable_list Jt_u = grad_or_zeros(y, x, u, /*create_graph=*/true);
                               return grad_or_zeros(Jt_u, u, v, create_graph);
                             });
}

std::pair<variable_list, variable_list> hvp(const VariableListFn& fn, const variable_list& inputs,
                                            const variable_list& v, bool create_graph) {
  return outputs_and_product(
      fn, inputs, v, create_graph, "hvp", /*v_per_output=*/false,
      [&](const variable_list& x, const variable_list& y) {
        TG_CHECK(y.size() == 1 && y[0].numel() == 1,
                 "hvp: fn must return one tensor with a single element, but it returned ", y.size(),
                 " tensors");
        variable_list g = grad_or_zeros(y, x, {ones_like(y[0])}, /*create_graph=*/true);
        return grad_or_zeros(g, x, v, create_graph);
      });
}

}  // namespace tg::autograd
