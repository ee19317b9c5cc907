// Op cases for the distances and losses of nn/ops_distance_loss.h. The references are constants
// computed by PyTorch 1.13 (torch.nn.functional, in double) on the same inputs, generated here
// and in the generating script by the same formula (sin(seed + 1.3 i)) or given as constants.
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "op_case.h"
#include "tensorgrad/nn/ops_distance_loss.h"

namespace {

using tg::Tensor;
using tg::variable_list;

/// A contiguous kDouble leaf of `shape` with values sin(seed + 1.3 i).
Tensor make(std::vector<int64_t> shape, double seed) {
  Tensor t = tg::empty(shape, tg::kDouble);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data_ptr<double>()[i] = std::sin(seed + 1.3 * static_cast<double>(i));
  t.requires_grad_(true);
  return t;
}

Tensor doubles(std::vector<int64_t> shape, std::vector<double> values, bool requires_grad) {
  Tensor t = tg::empty(shape, tg::kDouble);
  for (size_t i = 0; i < values.size(); ++i) t.data_ptr<double>()[i] = values[i];
  t.requires_grad_(requires_grad);
  return t;
}

Tensor constant(std::vector<int64_t> shape, std::vector<double> values) {
  return doubles(shape, values, false);
}

Tensor longs(std::vector<int64_t> shape, std::vector<int64_t> values) {
  Tensor t = tg::empty(shape, tg::kLong);
  for (size_t i = 0; i < values.size(); ++i) t.data_ptr<int64_t>()[i] = values[i];
  return t;
}

TG_OP_CASE({
    .op = "cosine_similarity",
    .variant = "dim1",
    .inputs =
        [] {
          return variable_list{make({3, 4}, 0.1), make({3, 4}, 0.7)};
        },
    .fn = [](const variable_list& x) { return variable_list{tg::cosine_similarity(x[0], x[1])}; },
    .reference =
        [](const variable_list&) {
          return variable_list{
              constant({3}, {0.83145331882680473, 0.75723005392720444, 0.88399574172164119})};
        },
});

TG_OP_CASE({
    .op = "cosine_similarity",
    .variant = "broadcast_dim0",
    .inputs =
        [] {
          return variable_list{make({4, 3}, 0.2), make({4, 1}, 0.9)};
        },
    .fn =
        [](const variable_list& x) { return variable_list{tg::cosine_similarity(x[0], x[1], 0)}; },
    .reference =
        [](const variable_list&) {
          return variable_list{
              constant({3}, {-0.10682323291309614, -0.2207709733985499, -0.0081920148944835125})};
        },
});

TG_OP_CASE({
    .op = "pairwise_distance",
    .variant = "p3_keepdim",
    .inputs =
        [] {
          return variable_list{make({3, 4}, 0.3), make({3, 4}, 1.1)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::pairwise_distance(x[0], x[1], 3, 1e-6, true)};
        },
    .reference =
        [](const variable_list&) {
          return variable_list{
              constant({3, 1}, {0.88832588997336814, 0.98883893635880871, 0.88648452204214578})};
        },
});

TG_OP_CASE({
    .op = "pdist",
    .variant = "p2",
    .inputs =
        [] {
          return variable_list{make({4, 3}, 0.4)};
        },
    .fn = [](const variable_list& x) { return variable_list{tg::pdist(x[0])}; },
    .reference =
        [](const variable_list&) {
          return variable_list{
              constant({6}, {2.1283104484450441, 1.6434876299155901, 1.124133670693888,
                             2.4877665782979079, 1.4732602543312658, 2.4361868468368035})};
        },
});

TG_OP_CASE({
    .op = "kl_div",
    .variant = "sum",
    .inputs =
        [] {
          return variable_list{
              make({3, 4}, 0.5),
              doubles({3, 4},
                      {0.10000000000000001, 0.94147098480789648, 1.0092974268256818,
                       0.24112000805986722, 0.85680249530792818, 1.0589242746631384,
                       0.37941549819892584, 0.75698659871878904, 1.0893582466233818,
                       0.51211848524175663, 0.64402111088936975, 1.0999902065507035},
                      false)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::kl_div(x[0], x[1], tg::Reduction::Sum)};
        },
    .reference =
        [](const variable_list&) { return variable_list{constant({}, {-3.0273479405561008})}; },
});

TG_OP_CASE({
    .op = "kl_div",
    .variant = "log_target_none",
    .inputs =
        [] {
          return variable_list{make({3, 4}, 0.6), make({3, 4}, 1.6)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::kl_div(x[0], x[1], tg::Reduction::None, true)};
        },
    .reference =
        [](const variable_list&) {
          return variable_list{
              constant({3, 4}, {1.1817613794454325, -0.89816319794588972, -0.34015565188668678,
                                0.13431989230072289, 1.5713772619189745, 0.63546558698812416,
                                -0.85063951067729449, -0.2631174295480701, 0.2709827054597807,
                                1.8221314902023675, 0.087178793974728663, -0.75497709427414794})};
        },
});

TG_OP_CASE({
    .op = "hinge_embedding_loss",
    .variant = "margin_0_7",
    .inputs =
        [] {
          return variable_list{make({3, 4}, 0.7),
                               doubles({3, 4}, {1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1}, false)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::hinge_embedding_loss(x[0], x[1], 0.7)};
        },
    .reference =
        [](const variable_list&) { return variable_list{constant({}, {0.37483092193072948})}; },
});

TG_OP_CASE({
    .op = "multi_margin_loss",
    .variant = "p2_weight",
    .inputs =
        [] {
          return variable_list{make({3, 4}, 0.8), longs({3}, {1, 0, 3}),
                               doubles({4}, {0.5, 1, 1.5, 2}, false)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::multi_margin_loss(x[0], x[1], 2, 0.9, x[2])};
        },
    .reference =
        [](const variable_list&) { return variable_list{constant({}, {0.67475672401535058})}; },
});

TG_OP_CASE({
    .op = "multi_margin_loss",
    .variant = "p1_none",
    .inputs =
        [] {
          return variable_list{make({3, 5}, 0.9), longs({3}, {4, 2, 0})};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{
              tg::multi_margin_loss(x[0], x[1], 1, 1, std::nullopt, tg::Reduction::None)};
        },
    .reference =
        [](const variable_list&) {
          return variable_list{
              constant({3}, {0.99470509880199864, 1.3634731133540674, 0.15804357880936054})};
        },
});

TG_OP_CASE({
    .op = "cosine_embedding_loss",
    .variant = "margin_0_2",
    .inputs =
        [] {
          return variable_list{make({3, 4}, 1.0), make({3, 4}, 1.7),
                               doubles({3}, {1, -1, -1}, false)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::cosine_embedding_loss(x[0], x[1], x[2], 0.2)};
        },
    .reference =
        [](const variable_list&) { return variable_list{constant({}, {0.40150686092617338})}; },
});

TG_OP_CASE({
    .op = "multilabel_margin_loss",
    .variant = "mean",
    .inputs =
        [] {
          return variable_list{make({2, 4}, 1.1), longs({2, 4}, {3, 0, -1, 1, 1, 2, 3, -1})};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::multilabel_margin_loss(x[0], x[1])};
        },
    .reference =
        [](const variable_list&) { return variable_list{constant({}, {0.89113840875198413})}; },
});

TG_OP_CASE({
    .op = "soft_margin_loss",
    .variant = "sum",
    .inputs =
        [] {
          return variable_list{
              make({3, 4}, 1.2),
              doubles({3, 4}, {1, -1, -1, 1, -1, -1, 1, -1, -1, 1, -1, -1}, false)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::soft_margin_loss(x[0], x[1], tg::Reduction::Sum)};
        },
    .reference =
        [](const variable_list&) { return variable_list{constant({}, {9.0288758902549748})}; },
});

TG_OP_CASE({
    .op = "multilabel_soft_margin_loss",
    .variant = "weight",
    .inputs =
        [] {
          return variable_list{make({3, 4}, 1.3),
                               doubles({3, 4}, {1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0}, false),
                               doubles({4}, {0.5, 1, 1.5, 2}, false)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::multilabel_soft_margin_loss(x[0], x[1], x[2])};
        },
    .reference =
        [](const variable_list&) { return variable_list{constant({}, {0.91719524345413017})}; },
});

TG_OP_CASE({
    .op = "triplet_margin_loss",
    .variant = "swap_p1",
    .inputs =
        [] {
          return variable_list{make({3, 4}, 1.4), make({3, 4}, 2.0), make({3, 4}, 2.6)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::triplet_margin_loss(x[0], x[1], x[2], 1.5, 1, 1e-6, true)};
        },
    .reference =
        [](const variable_list&) { return variable_list{constant({}, {1.4895142942614807})}; },
});

TG_OP_CASE({
    .op = "smooth_l1_loss",
    .variant = "beta_0_5",
    .inputs =
        [] {
          return variable_list{make({3, 4}, 1.5), make({3, 4}, 2.1)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::smooth_l1_loss(x[0], x[1], tg::Reduction::Mean, 0.5)};
        },
    .reference =
        [](const variable_list&) { return variable_list{constant({}, {0.17396701808613627})}; },
});

TG_OP_CASE({
    .op = "huber_loss",
    .variant = "delta_0_8_none",
    .inputs =
        [] {
          return variable_list{make({3, 4}, 1.6), make({3, 4}, 2.3)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::huber_loss(x[0], x[1], tg::Reduction::None, 0.8)};
        },
    .reference =
        [](const variable_list&) {
          return variable_list{
              constant({3, 4}, {0.032224579940137589, 0.23240501135337369, 0.0061468368475594603,
                                0.19372257561796552, 0.098517668209314888, 0.074101958286918207,
                                0.21114996017161022, 0.00069588712064955888, 0.22431934183206659,
                                0.051532568219579585, 0.12402719958705619, 0.17257430460270756})};
        },
});

TG_OP_CASE({
    .op = "poisson_nll_loss",
    .variant = "log_input",
    .inputs =
        [] {
          return variable_list{make({3, 4}, 1.7),
                               doubles({3, 4}, {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}, false)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{
              tg::poisson_nll_loss(x[0], x[1], true, false, 1e-8, tg::Reduction::Mean)};
        },
    .reference =
        [](const variable_list&) { return variable_list{constant({}, {1.7008565524825319})}; },
});

TG_OP_CASE({
    .op = "poisson_nll_loss",
    .variant = "full_not_log",
    .inputs =
        [] {
          return variable_list{
              doubles(
                  {3, 4},
                  {0.5, 1.3414709848078965, 1.4092974268256817, 0.64112000805986724,
                   1.2568024953079282, 1.4589242746631386, 0.77941549819892586, 1.1569865987187891,
                   1.4893582466233819, 0.91211848524175654, 1.0440211108893698, 1.4999902065507036},
                  true),
              doubles({3, 4}, {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}, false)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{
              tg::poisson_nll_loss(x[0], x[1], false, true, 1e-8, tg::Reduction::Sum)};
        },
    .reference =
        [](const variable_list&) { return variable_list{constant({}, {19.563551999498713})}; },
});

TG_OP_CASE({
    .op = "margin_ranking_loss",
    .variant = "margin_0_3",
    .inputs =
        [] {
          return variable_list{make({6}, 1.8), make({6}, 2.4),
                               doubles({6}, {1, -1, 1, -1, -1, 1}, false)};
        },
    .fn =
        [](const variable_list& x) {
          return variable_list{tg::margin_ranking_loss(x[0], x[1], x[2], 0.3)};
        },
    .reference =
        [](const variable_list&) { return variable_list{constant({}, {0.19428502537351955})}; },
});

}  // namespace
