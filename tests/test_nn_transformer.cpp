// MultiheadAttention, LayerNorm and the Transformer modules: values and gradients against
// PyTorch 1.13 (constants below, from torch.nn with the same weights), gradcheck in f64,
// parameters, printing and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "expect_error.h"
#include "tensorgrad/tensorgrad.h"

namespace {

using tg::Tensor;
namespace nn = tg::nn;

// ---- PyTorch 1.13 values: /usr/bin/python3 with torch.nn (training mode, dropout 0), each
// parameter filled with 0.5 sin(0.37 i + h), h = (sum of its name's characters) mod 17, inputs
// cos(a i), the loss sum(out * cos(0.11 i + 0.5)) ----
const std::vector<double> kMhaOut = {
    -0.4806182699, 1.03024055,    0.9718011356,   -0.2864926961, -0.05120031074, 0.8631259804,
    0.5120780774,  -0.2027457996, -0.02842053136, 0.7826060753,  0.4746965568,   -0.1290047809,
    -0.2375310109, 0.9094242131,  0.7068046496,   -0.2137316831, -0.04892760138, 0.8021364017,
    0.4987453197,  -0.1441740265, -0.1027331621,  0.8739101888,  0.5655665722,   -0.2038302306};
const std::vector<double> kMhaW = {0.8896087949,
                                   0.03346590383,
                                   0,
                                   0.0769253013,
                                   0,
                                   0.04120462484,
                                   0.612689551,
                                   0,
                                   0.3461058242,
                                   0,
                                   0.06244233068,
                                   0.8246148692,
                                   0,
                                   0.1129428001,
                                   0,
                                   0.2692960535,
                                   0.2007187322,
                                   0.2951809834,
                                   0.09189526028,
                                   0.1429089706,
                                   0.05475183541,
                                   0.1207823937,
                                   0.008479514201,
                                   0.7932559013,
                                   0.02273035546,
                                   0.2940316614,
                                   0.2237406267,
                                   0.20171365,
                                   0.1183106748,
                                   0.1622033871};
const std::vector<double> kMhaGradQ = {
    0.0267071407,   0.0281005831,   0.02569074341,  0.01980378211,  -0.01252629349,
    -0.01545028934, -0.01628316102, -0.01491218323, -0.02960627979, -0.02930333374,
    -0.02503431893, -0.0173770265,  0.006320943275, 0.007268818122, 0.007232892536,
    0.006218028876, -0.01406208727, -0.01401878232, -0.01207810095, -0.008502705274,
    0.008500679365, 0.01039132587,  0.01087555517,  0.009887829093};
const std::vector<double> kMhaGradK = {0.01290899537,
                                       0.01547506043,
                                       0.01594664865,
                                       0.01425993279,
                                       0.003510658623,
                                       -0.0003706888768,
                                       -0.004201865376,
                                       -0.007464339109,
                                       -0.02097036775,
                                       -0.03069645539,
                                       -0.03626792179,
                                       -0.03693069513,
                                       -0.009018175931,
                                       -0.009938807141,
                                       -0.009514267428,
                                       -0.007802016253,
                                       0,
                                       0,
                                       0,
                                       0,
                                       -4.197531676e-05,
                                       0.004175935204,
                                       0.007828652485,
                                       0.01042179838,
                                       0.008061372375,
                                       0.01522139496,
                                       0.02032127314,
                                       0.02267076233,
                                       0.008867102843,
                                       0.01208934627,
                                       0.01367535339,
                                       0.01341046559,
                                       0,
                                       0,
                                       0,
                                       0,
                                       -0.003317610218,
                                       -0.005955785456,
                                       -0.007787873073,
                                       -0.008565908604};
const std::vector<double> kMhaGradV = {0.02946627483,
                                       0.01880136035,
                                       0.005591769953,
                                       -0.008374640278,
                                       0.006917881159,
                                       -0.005131152556,
                                       -0.01648570884,
                                       -0.02560900178,
                                       0.02221832566,
                                       -0.01502081793,
                                       -0.05022696429,
                                       -0.07863512665,
                                       0.006127831265,
                                       -0.005785152249,
                                       -0.01691514254,
                                       -0.02575574765,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0.00553269312,
                                       -0.007242674348,
                                       -0.01903777982,
                                       -0.0282562111,
                                       0.01042952531,
                                       -0.003647687921,
                                       -0.01723120371,
                                       -0.0284825569,
                                       0.01692715221,
                                       -0.01077472661,
                                       -0.03701829673,
                                       -0.05825161404,
                                       0,
                                       0,
                                       0,
                                       0,
                                       0.001575638678,
                                       -0.006005044332,
                                       -0.01277297276,
                                       -0.01781213925};
const std::vector<double> kMhaGradInW = {
    0.004733810599,  0.009101345957,  0.01298953882,   0.01619360891,  0.0545052889,
    0.06342231838,   0.06899907129,   0.07094183563,   0.008935138345, 0.008318685529,
    0.007264110755,  0.005826955534,  -0.008926000634, -0.01575807173, -0.02176020915,
    -0.02661629707,  0.03601208519,   0.03753242035,   0.03547468253,  0.03003504175,
    0.06188310429,   0.06116525867,   0.054616354,     0.04286071608,  -0.008604540263,
    -0.006215049116, -0.003233059561, 5.714681009e-05, -0.03753723582, -0.02428615989,
    -0.008719814866, 0.007677815047,  0.06420804964,   0.07237876851,  0.07846277373,
    0.08228466061,   0.1004434787,    0.1019307851,    0.1004793795,   0.09613110645,
    0.1165908864,    0.1163881299,    0.1128298493,    0.1060186316,   0.1161006307,
    0.1119742765,    0.1046196517,    0.09424879351};
const std::vector<double> kMha2Out = {
    -0.1043802352, 0.1693076272, 0.4394387275,  0.4778998979, -0.09564898044, 0.1027223342,
    0.4186326794,  0.5407121545, -0.2275894079, 0.1676148181, 0.5623409208,   0.50188019,
    -0.0468277004, 0.1876724518, 0.3852165297,  0.4497022438, 0.06642192482,  0.1638673023,
    0.2676500013,  0.4521874971, 0.1601841033,  0.4485961712, 0.225521481,    0.1598189053};
const std::vector<double> kMha2W = {0.3358135374,
                                    0,
                                    0.2613581823,
                                    0.4028282803,
                                    0.3950374808,
                                    0.07256332481,
                                    0.3602955614,
                                    0.1721036329,
                                    0,
                                    0.1291866035,
                                    0.5879264786,
                                    0.2828869178,
                                    0.02542346825,
                                    0,
                                    0.5482159793,
                                    0.4263605525,
                                    0.5594884098,
                                    0.1382872529,
                                    0.143517238,
                                    0.1587070993,
                                    0,
                                    0.3188029421,
                                    0.3295319615,
                                    0.3516650964,
                                    0.3486468477,
                                    0,
                                    0.337868833,
                                    0.3134843194,
                                    0.2330739313,
                                    0.02808696404,
                                    0.5452822874,
                                    0.1935568172,
                                    0,
                                    0.2983319853,
                                    0.3624241309,
                                    0.3392438837,
                                    0.2129614172,
                                    0,
                                    0.4112743555,
                                    0.3757642273,
                                    0.6139558375,
                                    0.06394760173,
                                    0.1473259651,
                                    0.1747705957,
                                    0,
                                    0.4429506869,
                                    0.2970792056,
                                    0.2599701074};
const std::vector<double> kMha2GradQ = {
    0.008021363294, -0.006229389821, -0.01963702425,  -0.03038687956,   0.01383678082,
    0.01671414002,  0.01732931877,   0.01559905553,   0.02381058516,    0.01947582293,
    0.01250509943,  0.003841869389,  0.01971672615,   0.02922127874,    0.03477086834,
    0.03561438403,  -0.001643061332, -0.001348922965, -0.0008722142037, -0.0002774553413,
    -0.01508905117, -0.02728719655,  -0.03579214789,  -0.03945279992};
const std::vector<double> kMha2GradK = {
    0.01437189961, 0.01301189809, 0.009890797214, -0.04618560781, -0.03795060048, -0.02457915741,
    0.02895143598, 0.02565636765, 0.01888883033,  0.01895715043,  0.02119570259,  0.02056551584};
const std::vector<double> kMha2GradV = {
    -0.0180216587,   -0.01949891451,  -0.01833708372,  -0.01469341466,  -0.009061060864,
    -0.01877033705,  -0.02868060133,  -0.03470908076,  -0.03603984894,  -0.03249279263,
    -0.007020828815, -0.01319101958,  -0.01757586773,  -0.01958190464,  -0.01893762261,
    0.002272610146,  -0.001998333129, -0.005998811389, -0.009187378669, -0.01113247735};
const std::vector<double> kMha2GradBiasK = {0.01926761451, -0.01923395642, 0.004547375823,
                                            0.009646229367};
const std::vector<double> kTransformerOut = {
    -0.6201416102, -0.4163928977, -0.5761861008, -0.6045392635, -0.611813802,  -0.4141642738,
    -0.5925286797, -0.5742609917, -0.6189137656, -0.4160611051, -0.5760737616, -0.6043089688,
    -0.6212325159, -0.4168731125, -0.563216553,  -0.624971147};
const std::vector<double> kTransformerGradSrc = {
    -3.706122826e-06, -3.243136605e-05, 3.485184579e-05,  -1.473280116e-06, -0.0001469867688,
    -0.0001138715638, 0.0003397727892,  5.332452523e-05,  -6.361382138e-05, 4.335230152e-05,
    0.0002145971325,  2.282232538e-05,  -0.0005521650216, 0.0006393432125,  0.0008612137629,
    2.980605205e-05,  1.841813521e-05,  1.6081865e-06,    6.536725909e-05,  -6.849894598e-05,
    7.449480059e-05,  3.266588779e-05,  0.0001189456376,  -0.0001524008026};
const std::vector<double> kTransformerGradTgt = {
    0.02151601729,   -0.02410600813, 0.01020765989,   -0.007617669057,
    -0.006438535247, -0.2708260317,  0.05280875274,   0.08151738576,
    -0.001650035385, 0.005120288616, -0.004318367344, 0.004438885364,
    -0.02841589872,  -0.01302650324, -0.05467984767,  -0.03699460264};

Tensor seq(std::vector<int64_t> shape, double a = 0.23) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return tg::cos(tg::arange(n, tg::kDouble) * a).view(shape);
}

Tensor weights_of(const Tensor& t) {
  return tg::cos(tg::arange(t.numel(), tg::kDouble) * 0.11 + 0.5).view(t.sizes());
}

Tensor loss_of(const Tensor& t) { return (t * weights_of(t)).sum(); }

/// Each parameter gets 0.5 sin(0.37 i + h), h = (sum of its name's characters) mod 17.
void fill_by_name(nn::Module& m) {
  tg::NoGradGuard guard;
  for (auto& p : m.named_parameters()) {
    int h = 0;
    for (char ch : p.key()) h += static_cast<unsigned char>(ch);
    Tensor v = tg::sin(tg::arange(p.value().numel(), tg::kDouble) * 0.37 + (h % 17)) * 0.5;
    p.value().copy_(v.view(p.value().sizes()));
  }
}

std::vector<double> values(const Tensor& t) {
  Tensor c = t.detach().to(tg::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

void expect_values(const Tensor& t, const std::vector<double>& expected, double tol,
                   const std::string& what) {
  ASSERT_TRUE(t.defined()) << what;
  const std::vector<double> got = values(t);
  ASSERT_EQ(got.size(), expected.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], expected[i], tol) << what << " at " << i;
}

std::vector<std::string> parameter_names(const nn::Module& m) {
  std::vector<std::string> names;
  for (const auto& p : m.named_parameters()) names.push_back(p.key());
  return names;
}

constexpr double kTol = 1e-9;

// ---- MultiheadAttention ----

TEST(MultiheadAttention, FloatMaskAndKeyPaddingMatchPyTorch) {
  nn::MultiheadAttention m(4, 2);
  m->to(tg::kDouble);
  EXPECT_EQ(parameter_names(*m), (std::vector<std::string>{"in_proj_weight", "in_proj_bias",
                                                           "out_proj.weight", "out_proj.bias"}));
  fill_by_name(*m);
  Tensor q = seq({3, 2, 4}).requires_grad_();
  Tensor k = seq({5, 2, 4}, 0.31).requires_grad_();
  Tensor v = seq({5, 2, 4}, 0.17).requires_grad_();
  Tensor attn_mask = seq({3, 5}, 0.7) * 0.5;
  Tensor kpm = tg::tensor(std::vector<bool>{false, false, true, false, true, false, false, false,
                                            false, false})
                   .view({2, 5});
  auto [out, w] = m(q, k, v, kpm, true, attn_mask);
  EXPECT_EQ(w.sizes().vec(), (std::vector<int64_t>{2, 3, 5}));
  (loss_of(out) + loss_of(w)).backward();
  expect_values(out, kMhaOut, kTol, "output");
  expect_values(w, kMhaW, kTol, "weights");
  expect_values(q.grad(), kMhaGradQ, kTol, "d query");
  expect_values(k.grad(), kMhaGradK, kTol, "d key");
  expect_values(v.grad(), kMhaGradV, kTol, "d value");
  expect_values(m->in_proj_weight.grad(), kMhaGradInW, kTol, "d in_proj_weight");
  // need_weights = false: the same output, no weights.
  auto [out2, w2] = m(q, k, v, kpm, false, attn_mask);
  EXPECT_FALSE(w2.defined());
  EXPECT_TRUE(tg::equal(out2, out));
}

TEST(MultiheadAttention, SeparateDimsBiasKvZeroAttnBoolMaskMatchPyTorch) {
  nn::MultiheadAttention m(
      nn::MultiheadAttentionOptions(4, 2).kdim(3).vdim(5).add_bias_kv(true).add_zero_attn(true));
  m->to(tg::kDouble);
  EXPECT_EQ(
      parameter_names(*m),
      (std::vector<std::string>{"q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias",
                                "bias_k", "bias_v", "out_proj.weight", "out_proj.bias"}));
  fill_by_name(*m);
  Tensor q = seq({3, 2, 4}).requires_grad_();
  Tensor k = seq({2, 2, 3}, 0.31).requires_grad_();
  Tensor v = seq({2, 2, 5}, 0.17).requires_grad_();
  Tensor mask = tg::tensor(std::vector<bool>{false, true, false, false, true, false}).view({3, 2});
  auto [out, w] = m(q, k, v, Tensor(), true, mask, /*average_attn_weights=*/false);
  EXPECT_EQ(w.sizes().vec(), (std::vector<int64_t>{2, 2, 3, 4}));
  (loss_of(out) + loss_of(w)).backward();
  expect_values(out, kMha2Out, kTol, "output");
  expect_values(w, kMha2W, kTol, "weights");
  expect_values(q.grad(), kMha2GradQ, kTol, "d query");
  expect_values(k.grad(), kMha2GradK, kTol, "d key");
  expect_values(v.grad(), kMha2GradV, kTol, "d value");
  expect_values(m->bias_k.grad(), kMha2GradBiasK, kTol, "d bias_k");
}

TEST(MultiheadAttention, SelfAttentionEqualsSeparateProjectionsAndGradchecks) {
  nn::MultiheadAttention m(nn::MultiheadAttentionOptions(4, 2));
  m->to(tg::kDouble);
  fill_by_name(*m);
  Tensor x = seq({3, 2, 4}).requires_grad_();
  // One tensor for query, key and value takes the fused projection; copies take three.
  auto [fused, wf] = m(x, x, x);
  auto [split, ws] = m(x, x.clone(), x.clone());
  EXPECT_TRUE(tg::allclose(fused, split, 1e-12, 1e-12));
  EXPECT_TRUE(tg::autograd::gradcheck(
      [&](const tg::variable_list& in) {
        auto [o, w] = m(in[0], in[1], in[2]);
        return tg::variable_list{o, w};
      },
      {seq({3, 2, 4}).requires_grad_(), seq({2, 2, 4}, 0.3).requires_grad_(),
       seq({2, 2, 4}, 0.6).requires_grad_()}));
  EXPECT_TRUE(tg::autograd::gradcheck(
      [&](const tg::variable_list& in) {
        return tg::variable_list{std::get<0>(m(in[0], in[0], in[0]))};
      },
      {seq({3, 2, 4}).requires_grad_()}));
  // Through the functional form, with the weights as inputs.
  EXPECT_TRUE(tg::autograd::gradcheck(
      [](const tg::variable_list& in) {
        auto o = nn::functional::MultiheadAttentionForwardFuncOptions(
                     4, 2, in[2], in[3], Tensor(), Tensor(), false, 0.0, in[4], Tensor())
                     .attn_mask(seq({3, 2}, 0.9));
        auto [out, w] = nn::functional::multi_head_attention_forward(in[0], in[1], in[1], o);
        return tg::variable_list{out, w};
      },
      {seq({3, 2, 4}).requires_grad_(), seq({2, 2, 4}, 0.3).requires_grad_(),
       (seq({12, 4}, 0.5) * 0.5).requires_grad_(), seq({12}, 0.8).requires_grad_(),
       (seq({4, 4}, 0.2) * 0.5).requires_grad_()}));
}

TEST(MultiheadAttention, MaskingEveryKeyGivesNaN) {
  nn::MultiheadAttention m(4, 2);
  Tensor x = tg::ones({1, 1, 4});
  Tensor all = tg::ones({1, 1}, tg::kBool);
  auto [out, w] = m(x, x, x, all);
  for (double value : values(out)) EXPECT_TRUE(std::isnan(value));
}

TEST(MultiheadAttention, InitialisationPrintingAndErrors) {
  nn::MultiheadAttention m(nn::MultiheadAttentionOptions(6, 3).add_bias_kv(true));
  EXPECT_TRUE(tg::equal(m->in_proj_bias, tg::zeros({18})));
  EXPECT_TRUE(tg::equal(m->out_proj->bias, tg::zeros({6})));
  // xavier_uniform_ over [18, 6]: bound sqrt(6 / (18 + 6)) = 0.5.
  EXPECT_LE(m->in_proj_weight.abs().max().item<double>(), 0.5);
  EXPECT_GT(m->in_proj_weight.abs().max().item<double>(), 0.3);
  EXPECT_EQ(m->bias_k.sizes().vec(), (std::vector<int64_t>{1, 1, 6}));
  EXPECT_EQ(m->head_dim, 2);
  EXPECT_EQ(tg::str(nn::MultiheadAttention(4, 2)),
            "torch::nn::MultiheadAttention(\n"
            "  (out_proj): torch::nn::Linear(in_features=4, out_features=4, bias=true)\n"
            ")");
  EXPECT_ERROR(nn::MultiheadAttention(5, 2), "embed_dim must be divisible by num_heads");
  nn::MultiheadAttention ok(4, 2);
  Tensor x = tg::zeros({3, 2, 4});
  EXPECT_ERROR(ok(x, x, x, tg::zeros({2, 4}, tg::kBool)), "key_padding_mask", "[2, 3]", "[2, 4]");
  EXPECT_ERROR(ok(x, x, x, Tensor(), true, tg::zeros({3, 2})), "attn_mask", "[3, 3]", "[3, 2]");
  EXPECT_ERROR(ok(tg::zeros({3, 4}), x, x), "multi_head_attention_forward", "[3, 4]");
  EXPECT_ERROR(ok(x, tg::zeros({3, 1, 4}), tg::zeros({3, 1, 4})), "batch", "[3, 1, 4]");
}

TEST(MultiheadAttention, FunctionalErrors) {
  namespace F = nn::functional;
  const Tensor x = tg::zeros({3, 2, 4});
  auto options = [](Tensor w) {
    return F::MultiheadAttentionForwardFuncOptions(4, 2, std::move(w), Tensor(), Tensor(), Tensor(),
                                                   false, 0.0, tg::zeros({4, 4}), Tensor());
  };
  EXPECT_ERROR(F::multi_head_attention_forward(x, x, Tensor(), options(tg::zeros({12, 4}))),
               "must be defined");
  EXPECT_ERROR(F::multi_head_attention_forward(x, x, x, options(tg::zeros({12, 3}))),
               "in_proj_weight", "[12, 4]", "[12, 3]");
  EXPECT_ERROR(F::multi_head_attention_forward(tg::zeros({3, 2, 5}), x, x, options(Tensor())),
               "5 features", "embed_dim is 4");
  EXPECT_ERROR(F::multi_head_attention_forward(x, tg::zeros({3, 2, 3}), tg::zeros({3, 2, 3}),
                                               options(tg::zeros({12, 4}))),
               "separate projection weights");
  EXPECT_ERROR(F::multi_head_attention_forward(
                   x, x, x, options(tg::zeros({12, 4})).in_proj_bias(tg::zeros({11}))),
               "in_proj_bias", "[12]", "[11]");
  EXPECT_ERROR(
      F::multi_head_attention_forward(
          x, x, x,
          options(Tensor()).use_separate_proj_weight(true).q_proj_weight(tg::zeros({4, 4}))),
      "k_proj_weight", "[4, 4]", "undefined");
  EXPECT_ERROR(F::multi_head_attention_forward(
                   x, x, x, options(tg::zeros({12, 4})).bias_k(tg::zeros({1, 1, 4}))),
               "bias_k and bias_v");
  EXPECT_ERROR(F::multi_head_attention_forward(x, x, x,
                                               options(tg::zeros({12, 4}))
                                                   .bias_k(tg::zeros({1, 1, 4}))
                                                   .bias_v(tg::zeros({1, 1, 4}))
                                                   .static_k(tg::zeros({4, 3, 2}))),
               "bias cannot be added to static key");
  EXPECT_ERROR(F::multi_head_attention_forward(
                   x, x, x, options(tg::zeros({12, 4})).static_k(tg::zeros({3, 3, 2}))),
               "static_k", "[4, source, 2]", "[3, 3, 2]");
  EXPECT_ERROR(F::multi_head_attention_forward(
                   x, x, x, options(tg::zeros({12, 4})).static_k(tg::zeros({4, 5, 2}))),
               "different lengths", "5", "3");
  EXPECT_ERROR(
      F::multi_head_attention_forward(x, x, x,
                                      F::MultiheadAttentionForwardFuncOptions(
                                          4, 3, tg::zeros({12, 4}), Tensor(), Tensor(), Tensor(),
                                          false, 0.0, tg::zeros({4, 4}), Tensor())),
      "divisible", "num_heads=3");
  EXPECT_ERROR(nn::MultiheadAttention(nn::MultiheadAttentionOptions(4, 2).dropout(2.0)), "dropout",
               "[0, 1]");
}

// ---- LayerNorm ----

TEST(LayerNorm, ValuesGradcheckAndPrinting) {
  nn::LayerNorm norm(nn::LayerNormOptions({2, 3}).eps(1e-3));
  norm->to(tg::kDouble);
  fill_by_name(*norm);
  Tensor x = seq({4, 2, 3}).requires_grad_();
  Tensor y = norm(x);
  // The formula, row by row in plain doubles.
  const std::vector<double> xv = values(x), wv = values(norm->weight), bv = values(norm->bias);
  const std::vector<double> yv = values(y);
  for (int r = 0; r < 4; ++r) {
    double mean = 0, var = 0;
    for (int i = 0; i < 6; ++i) mean += xv[r * 6 + i] / 6;
    for (int i = 0; i < 6; ++i) var += (xv[r * 6 + i] - mean) * (xv[r * 6 + i] - mean) / 6;
    for (int i = 0; i < 6; ++i)
      EXPECT_NEAR(yv[r * 6 + i], (xv[r * 6 + i] - mean) / std::sqrt(var + 1e-3) * wv[i] + bv[i],
                  1e-12);
  }
  EXPECT_TRUE(tg::autograd::gradcheck(
      [](const tg::variable_list& in) {
        return tg::variable_list{nn::functional::layer_norm(
            in[0], nn::functional::LayerNormFuncOptions({3}).weight(in[1]).bias(in[2]))};
      },
      {seq({2, 3}).requires_grad_(), seq({3}, 0.5).requires_grad_(),
       seq({3}, 0.9).requires_grad_()}));
  EXPECT_TRUE(tg::autograd::gradgradcheck(
      [](const tg::variable_list& in) {
        return tg::variable_list{
            nn::functional::layer_norm(in[0], nn::functional::LayerNormFuncOptions({3}))};
      },
      {seq({2, 3}).requires_grad_()}));
  EXPECT_EQ(tg::str(nn::LayerNorm(nn::LayerNormOptions({4}))),
            "torch::nn::LayerNorm([4], eps=1e-05, elementwise_affine=true)");
  nn::LayerNorm plain(nn::LayerNormOptions({3}).elementwise_affine(false));
  EXPECT_TRUE(plain->parameters().empty());
  EXPECT_ERROR(plain(tg::zeros({2, 4})), "layer_norm", "[3]", "[2, 4]");
  EXPECT_ERROR(plain(Tensor()), "layer_norm", "undefined");
  EXPECT_ERROR(nn::functional::layer_norm(
                   tg::zeros({2, 3}), nn::functional::LayerNormFuncOptions(std::vector<int64_t>{})),
               "layer_norm", "at least 1-dimensional");
  EXPECT_ERROR(
      nn::functional::layer_norm(tg::zeros({2, 3}),
                                 nn::functional::LayerNormFuncOptions({3}).weight(tg::ones({2}))),
      "layer_norm", "weight", "[3]", "[2]");
}

// ---- Transformer ----

TEST(Transformer, GeluTransformerWithMasksMatchesPyTorch) {
  nn::Transformer t(
      nn::TransformerOptions(4, 2, 2, 1).dim_feedforward(6).dropout(0.0).activation(tg::kGELU));
  t->to(tg::kDouble);
  fill_by_name(*t);
  Tensor src = seq({3, 2, 4}).requires_grad_();
  Tensor tgt = seq({2, 2, 4}, 0.29).requires_grad_();
  Tensor src_mask = nn::TransformerImpl::generate_square_subsequent_mask(3).to(tg::kDouble);
  Tensor tgt_kpm = tg::tensor(std::vector<bool>{true, false, false, false}).view({2, 2});
  Tensor out = t(src, tgt, src_mask, Tensor(), Tensor(), Tensor(), tgt_kpm);
  loss_of(out).backward();
  expect_values(out, kTransformerOut, kTol, "output");
  expect_values(src.grad(), kTransformerGradSrc, kTol, "d src");
  expect_values(tgt.grad(), kTransformerGradTgt, kTol, "d tgt");
}

TEST(Transformer, SquareSubsequentMask) {
  Tensor m = nn::TransformerImpl::generate_square_subsequent_mask(3);
  EXPECT_EQ(m.dtype(), tg::kFloat);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(values(m), (std::vector<double>{0, -inf, -inf, 0, 0, -inf, 0, 0, 0}));
  EXPECT_EQ(nn::TransformerImpl::generate_square_subsequent_mask(0).numel(), 0);
  EXPECT_ERROR(nn::TransformerImpl::generate_square_subsequent_mask(-1), "non-negative");
}

TEST(Transformer, CallableActivationEqualsTheEnum) {
  auto options = nn::TransformerEncoderLayerOptions(4, 2).dim_feedforward(8).dropout(0.0);
  nn::TransformerEncoderLayer by_enum(options);
  nn::TransformerEncoderLayer by_callable(
      options.activation([](const Tensor& t) { return tg::relu(t); }));
  fill_by_name(*by_enum);
  fill_by_name(*by_callable);
  Tensor x = seq({3, 2, 4}).to(tg::kFloat);
  EXPECT_TRUE(tg::allclose(by_enum(x), by_callable(x), 1e-6, 1e-7));
  by_enum->options.activation(tg::kGELU);
  EXPECT_FALSE(tg::allclose(by_enum(x), by_callable(x), 1e-6, 1e-7));
}

TEST(Transformer, EncoderAndDecoderStacksClonesAndNorm) {
  nn::TransformerEncoderLayer layer(
      nn::TransformerEncoderLayerOptions(4, 2).dim_feedforward(8).dropout(0.0));
  fill_by_name(*layer);
  nn::TransformerEncoder two(nn::TransformerEncoderOptions(layer, 2));
  Tensor x = seq({3, 2, 4}).to(tg::kFloat);
  // Two clones of the layer: the layer applied twice; the clones own their parameters.
  EXPECT_TRUE(tg::allclose(two(x), layer(layer(x)), 1e-6, 1e-6));
  EXPECT_EQ(two->parameters().size(), 2 * layer->parameters().size());
  EXPECT_FALSE(two->layers->ptr(0)->parameters()[0].is_same(layer->parameters()[0]));
  nn::LayerNorm norm(nn::LayerNormOptions({4}));
  nn::TransformerEncoder normed(nn::TransformerEncoderOptions(layer, 1).norm(nn::AnyModule(norm)));
  EXPECT_TRUE(tg::allclose(normed(x), norm(layer(x)), 1e-6, 1e-6));

  nn::TransformerDecoderLayer dlayer(
      nn::TransformerDecoderLayerOptions(4, 2).dim_feedforward(8).dropout(0.0));
  fill_by_name(*dlayer);
  nn::TransformerDecoder decoder(nn::TransformerDecoderOptions(dlayer, 2));
  Tensor memory = seq({5, 2, 4}, 0.4).to(tg::kFloat);
  EXPECT_TRUE(tg::allclose(decoder(x, memory), dlayer(dlayer(x, memory), memory), 1e-6, 1e-6));
}

TEST(Transformer, PrettyPrintOfTheLayers) {
  EXPECT_EQ(tg::str(nn::TransformerEncoderLayer(4, 2)),
            "torch::nn::TransformerEncoderLayerImpl(\n"
            "  (self_attn): torch::nn::MultiheadAttention(\n"
            "    (out_proj): torch::nn::Linear(in_features=4, out_features=4, bias=true)\n"
            "  )\n"
            "  (linear1): torch::nn::Linear(in_features=4, out_features=2048, bias=true)\n"
            "  (dropout): torch::nn::Dropout(p=0.1, inplace=false)\n"
            "  (linear2): torch::nn::Linear(in_features=2048, out_features=4, bias=true)\n"
            "  (norm1): torch::nn::LayerNorm([4], eps=1e-05, elementwise_affine=true)\n"
            "  (norm2): torch::nn::LayerNorm([4], eps=1e-05, elementwise_affine=true)\n"
            "  (dropout1): torch::nn::Dropout(p=0.1, inplace=false)\n"
            "  (dropout2): torch::nn::Dropout(p=0.1, inplace=false)\n"
            ")");
  const std::string decoder = tg::str(nn::TransformerDecoderLayer(4, 2));
  const std::vector<std::string> order = {
      "(self_attn)", "(multihead_attn)", "(linear1)",  "(dropout)",  "(linear2)", "(norm1)",
      "(norm2)",     "(norm3)",          "(dropout1)", "(dropout2)", "(dropout3)"};
  size_t at = 0;
  for (const std::string& child : order) {
    const size_t found = decoder.find(child, at);
    ASSERT_NE(found, std::string::npos) << child << " in " << decoder;
    at = found;
  }
}

TEST(Transformer, ArgumentErrors) {
  nn::TransformerEncoderLayer empty_activation(
      nn::TransformerEncoderLayerOptions(4, 2).activation(std::function<Tensor(const Tensor&)>()));
  EXPECT_ERROR(empty_activation(tg::zeros({1, 1, 4})), "empty std::function");
  EXPECT_ERROR(nn::TransformerEncoder(
                   nn::TransformerEncoderOptions(nn::TransformerEncoderLayerOptions(4, 2), -1)),
               "TransformerEncoder", "non-negative");
  EXPECT_ERROR(nn::TransformerEncoder(nn::TransformerEncoderOptions(nullptr, 1)),
               "TransformerEncoder", "empty");
  EXPECT_ERROR(nn::TransformerDecoder(
                   nn::TransformerDecoderOptions(nn::TransformerDecoderLayerOptions(4, 2), -1)),
               "TransformerDecoder", "non-negative");
  EXPECT_ERROR(nn::TransformerDecoder(nn::TransformerDecoderOptions(nullptr, 1)),
               "TransformerDecoder", "empty");
  nn::TransformerEncoder encoder(
      nn::TransformerEncoderOptions(nn::TransformerEncoderLayerOptions(4, 2), 2));
  encoder->options.num_layers(3);
  EXPECT_ERROR(encoder->reset_parameters(), "should have 3 encoder layers, but got 2");
  nn::TransformerDecoder decoder(
      nn::TransformerDecoderOptions(nn::TransformerDecoderLayerOptions(4, 2), 1));
  decoder->options.num_layers(2);
  EXPECT_ERROR(decoder->reset_parameters(), "should have 2 decoder layers, but got 1");
  nn::Transformer model(nn::TransformerOptions(4, 2, 2, 1).dim_feedforward(16).dropout(0.0));
  EXPECT_ERROR(model(tg::randn({2, 3, 4}), tg::randn({3, 2, 4})),
               "src and tgt should have equal batch size", "3 and 2");
  EXPECT_ERROR(model(tg::randn({2, 3, 4}), tg::randn({2, 3, 3})),
               "src and tgt should have same feature size as d_model");
  EXPECT_ERROR(model(tg::randn({2, 3}), tg::randn({2, 3, 3})),
               "src and tgt should have 3 dimensions");
  EXPECT_ERROR(model(Tensor(), tg::randn({2, 3, 4})), "src and tgt must be defined");
}

}  // namespace
