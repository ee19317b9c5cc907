#pragma once
// The op-case table: every differentiable op has at least one case here, and from the table the
// tests check forward values against an independent reference, gradcheck and gradgradcheck in
// f64 (tests/test_op_cases.cpp). A case is registered with TG_OP_CASE in tests/op_cases/*.cpp.
#include <functional>
#include <string>
#include <vector>

#include "tensorgrad/tensorgrad.h"

namespace tg::testing {

struct OpCase {
  /// The op's public name as in kDifferentiableOps (e.g. "mul"); several cases may share it.
  std::string op;
  /// What this case exercises, e.g. "broadcast" or "dim1_keepdim".
  std::string variant;
  /// Fresh kDouble inputs; those to differentiate have requires_grad set.
  std::function<variable_list()> inputs;
  /// The op under test.
  std::function<variable_list(const variable_list&)> fn;
  /// The expected outputs, computed independently of tensorgrad's ops (plain loops over
  /// data_ptr<double>() or hand-written constants).
  std::function<variable_list(const variable_list&)> reference;
  /// False only for ops whose derivative is zero almost everywhere (floor, sign...): their
  /// Gradgradcheck test checks that the first and second derivatives are exactly zero instead.
  /// The reason goes in `variant`.
  bool gradgrad = true;
};

std::vector<OpCase>& op_case_registry();

struct OpCaseRegistrar {
  explicit OpCaseRegistrar(OpCase c) { op_case_registry().push_back(std::move(c)); }
};

/// Every differentiable op of the public API. test_op_cases fails when one has no case.
inline const std::vector<std::string>& differentiable_ops() {
  static const std::vector<std::string> ops = [] {
    std::vector<std::string> names = {
    // The elementwise op table, row by row (tensorgrad/elementwise_ops.def).
#define TG_UNARY(name, ...) #name,
#define TG_BINARY(name, ...) #name,
#include "tensorgrad/elementwise_ops.def"
#undef TG_UNARY
#undef TG_BINARY
    };
    // The ops outside the table, one line per group.
    // clang-format off
    const std::vector<std::string> others = {
        // arithmetic
        "add", "sub", "mul", "div", "neg", "pow", "rsub", "rdiv",
        // selection
        "where", "maximum", "minimum", "clamp", "clamp_min", "clamp_max",
        // elementwise math whose signature does not fit the table
        "relu", "square", "polygamma", "logit", "lerp", "addcmul", "addcdiv",
        // reductions
        "sum", "mean", "prod", "max", "min", "amax", "amin", "norm", "var", "std", "logsumexp",
        "softmax", "log_softmax", "cumsum",
        // shape and views
        "view", "reshape", "flatten", "t", "transpose", "permute", "squeeze", "unsqueeze",
        "expand", "slice", "narrow", "select", "index_select", "gather", "scatter_add",
        "masked_fill", "chunk", "split", "unbind", "repeat", "contiguous", "clone", "to", "cat",
        "stack",
        // views of all the data (in-place ops through views: cases of mul_ and add_)
        "alias",
        // advanced indexing
        "index", "index_put", "as_strided",
        // linear algebra
        "matmul", "mm", "bmm", "mv", "dot", "outer", "addmm",
        "cross",
        // in-place (differentiable through the graph they rebase)
        "add_", "mul_",
        // nn ops
        "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm", "dropout",
        "embedding",
        // recurrent cells
        "rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell",
        // nn losses and activations
        "linear", "leaky_relu", "gelu", "silu", "softplus", "nll_loss", "cross_entropy_loss",
        "mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
        // more activations, normalisations and padding
        "elu", "selu", "celu", "hardshrink", "softshrink", "hardtanh", "relu6", "log_sigmoid",
        "mish", "threshold", "glu", "prelu", "rrelu", "hardsigmoid", "hardswish", "layer_norm",
        "group_norm", "instance_norm", "constant_pad_nd", "pad",
        // convolution and pooling beyond 2-D
        "conv1d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
        "max_pool1d", "max_pool3d", "avg_pool1d", "avg_pool3d", "adaptive_avg_pool1d",
        "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
        "max_unpool2d", "max_unpool3d",
        // distances and more losses
        "cosine_similarity", "pairwise_distance", "pdist", "kl_div", "hinge_embedding_loss",
        "multi_margin_loss", "cosine_embedding_loss", "multilabel_margin_loss", "soft_margin_loss",
        "multilabel_soft_margin_loss", "triplet_margin_loss", "smooth_l1_loss", "huber_loss",
        "poisson_nll_loss", "margin_ranking_loss",
        // resampling
        "interpolate", "pixel_shuffle", "pixel_unshuffle",
    };
    // clang-format on
    names.insert(names.end(), others.begin(), others.end());
    return names;
  }();
  return ops;
}

}  // namespace tg::testing

#define TG_OP_CASE_CONCAT2(a, b) a##b
#define TG_OP_CASE_CONCAT(a, b) TG_OP_CASE_CONCAT2(a, b)
/// TG_OP_CASE({ .op = "mul", .variant = "broadcast", .inputs = ..., .fn = ..., .reference = ...});
#define TG_OP_CASE(...)                                    \
  static ::tg::testing::OpCaseRegistrar TG_OP_CASE_CONCAT( \
      tg_op_case_, __COUNTER__)(::tg::testing::OpCase __VA_ARGS__)
