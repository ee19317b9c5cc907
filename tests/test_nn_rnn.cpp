// RNN, LSTM, GRU, their cells and nn::utils::rnn: values and gradients against PyTorch 1.13
// (constants below, from torch.nn with the same weights), against the recurrences written out
// step by step in f64, gradcheck in f64, parameters, printing and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "expect_error.h"
#include "tensorgrad/tensorgrad.h"

namespace {

using tg::Tensor;
namespace nn = tg::nn;
namespace rnn = tg::nn::utils::rnn;

// ---- PyTorch 1.13 values: /usr/bin/python3 with torch.nn, parameter k of named_parameters()
// filled with 0.5 sin(0.37 i + k), inputs cos(a i), the loss sum(out * cos(0.11 i + 0.5)) ----
// LSTM
const std::vector<double> kLstmOut = {
    -0.1654930714,  0.1853440171,  0.1666326031,  0.2378881868,   -0.1801628132,  0.1671776142,
    0.1466265535,   0.2595959465,  -0.1852446223, 0.1522777688,   0.1472639727,   0.2666819835,
    -0.1705052937,  0.1463522594,  0.145233502,   0.2908397281,   -0.1478716858,  0.1466915232,
    0.1413488501,   0.3297610482,  0.08073257378, -0.05495598351, 0.1448073502,   0.2061172386,
    -0.01365156557, 0.02396924232, 0.1095105227,  0.1725839162,   -0.07645448839, 0.05741544812,
    0.05481022987,  0.1268145097,  -0.1036794713, 0.06697508646,  -0.02411508869, 0.02427522008,
    -0.120298188,   0.07338002945, -0.3471078736, -0.3788697183};
const std::vector<double> kLstmH = {-0.1225339657, 0.06379315831, 0.4771144309,  0.1867841351,
                                    0.2020889331,  0.5669848379,  -0.1123781921, 0.2460891093,
                                    -0.1478716858, 0.1466915232,  -0.120298188,  0.07338002945,
                                    0.1666326031,  0.2378881868,  0.1448073502,  0.2061172386};
const std::vector<double> kLstmC = {
    -0.686035227,  0.192284846,   0.2833147454,   0.1283403611,  -0.1554921554, -0.8442569668,
    -0.7970878522, 0.1800596091,  -0.164797078,   -0.2855342981, -0.9991993322, -1.20175884,
    -1.2849938,    -1.268406595,  -0.275475569,   0.2169975408,  0.1972656981,  -0.2592212842,
    -0.6443825881, -0.9202760523, 0.000908042631, -0.5517187558, -0.4325603723, -0.2083633916,
    0.5089009353,  0.2107359374,  0.1883755085,   0.6028315339,  0.4071693481,  0.249582237,
    0.210785006,   0.4540271628};
const std::vector<double> kLstmGradX = {
    0.08126976597,  0.09489869886,  0.09568353806,  0.04271395397,  0.04152406242,  0.03471408382,
    0.06724098627,  0.04496534299,  0.01660385148,  0.07858139259,  0.04110147669,  -0.001941331258,
    0.08829013454,  0.08418426614,  0.06868445224,  0.01690324326,  0.1025445802,   0.1743069892,
    -0.05099254914, 0.002320381242, 0.05531925891,  -0.08276419367, -0.05746156818, -0.024381789,
    -0.05227120937, -0.04912038843, -0.03932135334, -0.03584986112, -0.09544630979, -0.1421245482};
const std::vector<double> kLstmGradWhh1r = {
    -0.05024473522, -0.1153725318,  -0.02253670713, -0.05947763244, -0.004181078035, -0.03538826398,
    -0.01115099751, -0.05671191497, -0.06131921336, -0.1260946824,  -0.04543853542,  -0.08406531314,
    -0.03332230744, -0.05615580582, -0.01778978387, -0.02672389677, -0.05092871687,  -0.1074353998,
    -0.07327450881, -0.1638168851,  -0.1219432976,  -0.2939912596,  -0.3076208525,   -0.5791340001,
    -0.02722806555, -0.05856590776, -0.05098178739, -0.08960925583, -0.05029193688,  -0.0768884051,
    -0.02323498403, -0.02216974462};
const std::vector<double> kLstmGradWhr0 = {-0.4519396533, -0.3027867178, 0.07759273504,
                                           0.2445174372,  -0.3530690332, -0.1508823772,
                                           0.1380369716,  0.2014404272};
// GRU
const std::vector<double> kGruOut = {
    -0.1402860977, 0.3193065968,  0.0679168439,  0.2076831072,   -0.3099755436,  -0.909875491,
    -0.1476421978, -0.2055136272, -0.187651216,  0.3243657183,   0.01979592818,  0.2072336831,
    -0.3714344159, -0.8981377734, -0.2540375836, -0.08928976825, -0.1766869746,  0.5162687135,
    0.07030020928, 0.3471060664,  -0.4120465349, -0.8759591325,  -0.2900946171,  -0.07498430203,
    0.08004558643, 0.4378927782,  0.1865407399,  0.3708538684,   -0.6560374578,  -0.763248168,
    -0.5279771175, 0.172653241,   0.1851904974,  0.3721148173,   0.2535868567,   0.4491357216,
    -0.6914348651, -0.6743149932, -0.5531126556, 0.1251511118,   0.3186135805,   0.3219096944,
    0.3057064362,  0.4697584448,  -0.6856397837, -0.6704329529,  -0.5195056304,  0.04968866636,
    0.3038491711,  0.3733900325,  0.3197542993,  0.5228358328,   -0.5207303887,  -0.6788259832,
    -0.3185069555, -0.1382028464, 0.2743002232,  0.4022755869,   0.3165952495,   0.5352952733,
    -0.380240193,  -0.7675543187, -0.1339288933, -0.2806642489,  0.1790891105,   0.4324581645,
    0.3234586113,  0.5710978593,  -0.1486361992, -0.5617262713,  -0.06963200791, -0.4464708459,
    0.07749155271, 0.4696992327,  0.2996652067,  0.580006602,    -0.06766898167, -0.6265807843,
    0.01755917023, -0.5333317426};
const std::vector<double> kGruH = {
    -0.3686564542, -0.7223905645, -0.3533801796,  0.1306376837,  -0.4386031186, -0.8601947842,
    -0.5010223573, 0.1138658014,  -0.02851808046, 0.3541338406,  -0.432786828,  -0.6561520153,
    -0.0761491969, 0.146223941,   -0.4324862102,  -0.5391555365, 0.1790891105,  0.4324581645,
    0.3234586113,  0.5710978593,  0.07749155271,  0.4696992327,  0.2996652067,  0.580006602,
    -0.3099755436, -0.909875491,  -0.1476421978,  -0.2055136272, -0.3714344159, -0.8981377734,
    -0.2540375836, -0.08928976825};
const std::vector<double> kGruGradX = {
    0.03857593833,  0.05103441275,   0.05658561882,  -0.06310372178,  -0.03931005716,
    -0.0101959607,  0.1707455791,    0.200240028,    0.2026329284,    -0.04006918107,
    -0.02781949221, -0.01180456559,  -0.02207712872, -0.003912389078, 0.01478187407,
    -0.01581325183, -0.001977725631, 0.01212547646,  -0.2109130377,   -0.1414842845,
    -0.05290629707, 0.01954193564,   0.007600846127, -0.005368982256, 0.04478990844,
    0.000507175681, -0.04384420092,  0.02598801032,  -0.04297697022,  -0.1061252195};
const std::vector<double> kGruGradWih0 = {
    -0.02792076531,   -0.030682965,     -0.03182917852, 0.006227342486, 0.002727143175,
    -0.0009166871584, -0.0001016450433, 0.00230764602,  0.004595399806, -0.0397736272,
    -0.02328010591,   -0.005560486389,  -0.01013387269, -0.01199277049, -0.01322004253,
    0.1232593804,     0.1433323784,     0.1558564601,   0.1309834264,   0.1517393596,
    0.1645036042,     0.004480494008,   0.004030308927, 0.003367858718, 0.7478910712,
    0.8439528212,     0.8955659308,     -0.034328126,   0.03041573802,  0.09355768998,
    -0.191204283,     -0.07037035779,   0.05416977784,  -0.2253219344,  -0.09657497459,
    0.03725831968};
const std::vector<double> kGruGradBhh1r = {
    0.1113275458, 0.0004253208554, 0.1115549466,  -0.2626527236, 0.4585099368, -0.1436266347,
    0.4716011201, -0.5219445681,   -0.7033543834, 0.07968233757, -1.070234747, -1.038949029};
// RNN relu
const std::vector<double> kRnnOut = {2.040433407,
                                     1.640793364,
                                     0,
                                     0,
                                     0.105783323,
                                     1.083209344,
                                     0.687758672,
                                     0,
                                     1.565641452,
                                     0.8002230764,
                                     0,
                                     0,
                                     0.5176987724,
                                     0,
                                     0,
                                     0.2273665999,
                                     0.5359511138,
                                     0,
                                     0,
                                     0,
                                     0,
                                     0,
                                     0,
                                     0.4411891393,
                                     0.126978023,
                                     0,
                                     0,
                                     0,
                                     0.4349774868,
                                     0.3889805621,
                                     0,
                                     0};
const std::vector<double> kRnnH = {0.126978023, 0, 0, 0, 0.4349774868, 0.3889805621, 0, 0};
const std::vector<double> kRnnGradX = {0.2830085655,
                                       0.4296708715,
                                       0.5181792406,
                                       0.5516318651,
                                       0.6861933268,
                                       0.7278817409,
                                       -0.1957125309,
                                       -0.2636963783,
                                       -0.2959901579,
                                       0.06603970126,
                                       0.2230553041,
                                       0.3498814178,
                                       0,
                                       -0.1910518789,
                                       -0.3562457823,
                                       0.112122477,
                                       0.3171822378,
                                       0.4793128707,
                                       0,
                                       -0.1808074867,
                                       -0.3371435282,
                                       -0.3821748791,
                                       -0.5886289268,
                                       -0.7154148106};
const std::vector<double> kRnnGradWhh = {
    -1.713509091,  -0.3727828934, 0.4498329579,  -0.47732232,   0.01435391962, -0.05982218472,
    0.3496853779,  -0.365570144,  0.1936560708,  0.03780432008, -0.1214243779, -0.2698065979,
    -0.6944305461, -0.7638746364, -0.4850044991, -0.272222453};
// packed LSTM
const std::vector<double> kPackedOut = {-0.2247596221,
                                        -0.5479489918,
                                        -0.3317118029,
                                        0.02336707995,
                                        -0.01956613936,
                                        -0.01927610075,
                                        -0.2308114568,
                                        -0.4476408481,
                                        -0.2116579161,
                                        -0.4232782483,
                                        -0.2702811666,
                                        0.03065893693,
                                        -0.006359945895,
                                        -0.05269357507,
                                        -0.2754695538,
                                        -0.4275885977,
                                        -0.1851296131,
                                        -0.1038473608,
                                        -0.02166745052,
                                        0.05001760913,
                                        -0.02170281401,
                                        -0.06302388598,
                                        -0.09929374363,
                                        -0.1551390747,
                                        -0.1575792606,
                                        -0.08858079507,
                                        0.1764740606,
                                        0.3108202263,
                                        -0.2020116776,
                                        -0.1689449982,
                                        -0.06547593913,
                                        -0.004705606144,
                                        -0.1363711444,
                                        -0.03996053796,
                                        0.2046911738,
                                        0.3170954924,
                                        -0.2101594855,
                                        -0.1703955424,
                                        -0.07629203902,
                                        -0.1012200428,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        -0.3089679429,
                                        -0.3291308168,
                                        -0.1178093362,
                                        0.1315373107,
                                        0.07891100706,
                                        0.03619264982,
                                        -0.201139906,
                                        -0.3894153249,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        -0.2812771759,
                                        -0.4805130857,
                                        -0.3374914017,
                                        0.1712575718,
                                        0.02326615407,
                                        0.06357772043,
                                        -0.1197934141,
                                        -0.3823273318,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0};
const std::vector<double> kPackedH = {
    -0.1575792606,  -0.08858079507, 0.1764740606,   0.3108202263,   -0.2812771759,   -0.4805130857,
    -0.3374914017,  0.1712575718,   -0.1851296131,  -0.1038473608,  -0.02166745052,  0.05001760913,
    -0.01956613936, -0.01927610075, -0.2308114568,  -0.4476408481,  -0.006359945895, -0.05269357507,
    -0.2754695538,  -0.4275885977,  -0.02170281401, -0.06302388598, -0.09929374363,  -0.1551390747};
const std::vector<double> kPackedC = {
    -0.4422426978, -0.233591764,   0.2351608863,   0.3560587254,  -0.371190466,   -0.7336203489,
    -0.5583083047, 0.3087624272,   -0.3129484646,  -0.1537044492, -0.03000512381, 0.06976295498,
    -0.159577744,  -0.06208073739, -0.416315873,   -0.8765609674, -0.03341686484, -0.1744479375,
    -0.7029308815, -1.087037716,   -0.07304702217, -0.223907221,  -0.3242947471,  -0.4167489202};
const std::vector<double> kPackedGradX = {-0.05062555248,
                                          -0.09835245341,
                                          -0.1327678112,
                                          -0.1411841847,
                                          -0.05315723612,
                                          0.04206429497,
                                          -0.1403658577,
                                          -0.00832199885,
                                          0.1248482035,
                                          -0.172680805,
                                          -0.2257097589,
                                          -0.2481899557,
                                          -0.1739452854,
                                          -0.1364085883,
                                          -0.08040962868,
                                          0,
                                          0,
                                          0,
                                          0,
                                          0,
                                          0,
                                          -0.3590652784,
                                          -0.3923757267,
                                          -0.3725799612,
                                          0,
                                          0,
                                          0,
                                          0,
                                          0,
                                          0,
                                          0.0613155429,
                                          0.06563107884,
                                          0.06106375615,
                                          0,
                                          0,
                                          0};

Tensor seq(std::vector<int64_t> shape, double a = 0.23) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return tg::cos(tg::arange(n, tg::kDouble) * a).view(shape);
}

/// cos(0.11 i + 0.5): the weights of each output in the losses.
Tensor weights_of(const Tensor& t) {
  return tg::cos(tg::arange(t.numel(), tg::kDouble) * 0.11 + 0.5).view(t.sizes());
}

/// Parameter k (in named_parameters() order) gets 0.5 sin(0.37 i + k).
void fill_by_index(nn::Module& m) {
  tg::NoGradGuard guard;
  int k = 0;
  for (auto& p : m.named_parameters()) {
    Tensor v = tg::sin(tg::arange(p.value().numel(), tg::kDouble) * 0.37 + k++) * 0.5;
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

void expect_same(const Tensor& a, const Tensor& b, double tol, const std::string& what) {
  ASSERT_TRUE(a.defined() && b.defined()) << what;
  ASSERT_EQ(a.sizes().vec(), b.sizes().vec()) << what;
  expect_values(a, values(b), tol, what);
}

Tensor loss_of(const Tensor& t) { return (t * weights_of(t)).sum(); }

constexpr double kTol = 1e-9;

// ---- Against PyTorch ----

TEST(RNNModules, LstmBidirectionalTwoLayersProjBatchFirstMatchesPyTorch) {
  nn::LSTM m(
      nn::LSTMOptions(3, 4).num_layers(2).bidirectional(true).proj_size(2).batch_first(true));
  m->to(tg::kDouble);
  fill_by_index(*m);
  Tensor x = seq({2, 5, 3}).requires_grad_();
  auto [out, state] = m->forward(x, std::make_tuple(seq({4, 2, 2}, 0.41), seq({4, 2, 4}, 0.53)));
  auto [h, c] = state;
  EXPECT_EQ(out.sizes().vec(), (std::vector<int64_t>{2, 5, 4}));
  EXPECT_EQ(h.sizes().vec(), (std::vector<int64_t>{4, 2, 2}));
  EXPECT_EQ(c.sizes().vec(), (std::vector<int64_t>{4, 2, 4}));
  (loss_of(out) + loss_of(h) + loss_of(c)).backward();
  expect_values(out, kLstmOut, kTol, "output");
  expect_values(h, kLstmH, kTol, "h_n");
  expect_values(c, kLstmC, kTol, "c_n");
  expect_values(x.grad(), kLstmGradX, kTol, "d input");
  expect_values(m->named_parameters()["weight_hh_l1_reverse"].grad(), kLstmGradWhh1r, kTol,
                "d weight_hh_l1_reverse");
  expect_values(m->named_parameters()["weight_hr_l0"].grad(), kLstmGradWhr0, kTol,
                "d weight_hr_l0");
}

TEST(RNNModules, GruBidirectionalTwoLayersMatchesPyTorch) {
  nn::GRU m(nn::GRUOptions(3, 4).num_layers(2).bidirectional(true));
  m->to(tg::kDouble);
  fill_by_index(*m);
  Tensor x = seq({5, 2, 3}).requires_grad_();
  auto [out, h] = m->forward(x);
  (loss_of(out) + loss_of(h)).backward();
  expect_values(out, kGruOut, kTol, "output");
  expect_values(h, kGruH, kTol, "h_n");
  expect_values(x.grad(), kGruGradX, kTol, "d input");
  expect_values(m->named_parameters()["weight_ih_l0"].grad(), kGruGradWih0, kTol, "d w_ih_l0");
  expect_values(m->named_parameters()["bias_hh_l1_reverse"].grad(), kGruGradBhh1r, kTol,
                "d bias_hh_l1_reverse");
}

TEST(RNNModules, RnnReluWithoutBiasMatchesPyTorch) {
  nn::RNN m(nn::RNNOptions(3, 4).nonlinearity(tg::kReLU).bias(false));
  m->to(tg::kDouble);
  fill_by_index(*m);
  EXPECT_EQ(m->parameters().size(), 2u);
  Tensor x = seq({4, 2, 3}).requires_grad_();
  auto [out, h] = m->forward(x, seq({1, 2, 4}, 0.3));
  loss_of(out).backward();
  expect_values(out, kRnnOut, kTol, "output");
  expect_values(h, kRnnH, kTol, "h_n");
  expect_values(x.grad(), kRnnGradX, kTol, "d input");
  expect_values(m->named_parameters()["weight_hh_l0"].grad(), kRnnGradWhh, kTol, "d w_hh");
}

TEST(RNNModules, PackedUnsortedBidirectionalLstmMatchesPyTorch) {
  nn::LSTM m(nn::LSTMOptions(3, 4).bidirectional(true));
  m->to(tg::kDouble);
  fill_by_index(*m);
  Tensor x = seq({4, 3, 3}).requires_grad_();
  auto packed = rnn::pack_padded_sequence(x, tg::tensor({2, 4, 1}), /*batch_first=*/false,
                                          /*enforce_sorted=*/false);
  EXPECT_EQ(values(packed.batch_sizes()), (std::vector<double>{3, 2, 1, 1}));
  EXPECT_EQ(values(packed.sorted_indices()), (std::vector<double>{1, 0, 2}));
  EXPECT_EQ(values(packed.unsorted_indices()), (std::vector<double>{1, 0, 2}));
  auto [out, state] = m->forward_with_packed_input(packed);
  auto [padded, lengths] = rnn::pad_packed_sequence(out);
  EXPECT_EQ(values(lengths), (std::vector<double>{2, 4, 1}));
  auto [h, c] = state;
  (loss_of(padded) + loss_of(h) + loss_of(c)).backward();
  expect_values(padded, kPackedOut, kTol, "padded output");
  expect_values(h, kPackedH, kTol, "h_n");
  expect_values(c, kPackedC, kTol, "c_n");
  expect_values(x.grad(), kPackedGradX, kTol, "d input");
}

// ---- The recurrences written out step by step (f64, elementary ops only) ----

enum class Kind { Tanh, Relu, Lstm, Gru };

struct Weights {
  Tensor w_ih, w_hh, b_ih, b_hh;
};

/// One layer, one direction, over x [T, B, I] from h0 (and c0): returns (outputs [T, B, H], h, c).
std::tuple<Tensor, Tensor, Tensor> unrolled(Kind kind, const Tensor& x, Tensor h, Tensor c,
                                            const Weights& w, bool reverse) {
  const int64_t steps = x.size(0), hidden = w.w_hh.size(1);
  std::vector<Tensor> outs(steps);
  auto rows = [&](const Tensor& m, int64_t g) { return m.slice(0, g * hidden, (g + 1) * hidden); };
  auto gate = [&](const Tensor& xt, const Tensor& ht, int64_t g) {
    return tg::mm(xt, rows(w.w_ih, g).t()) + rows(w.b_ih, g) + tg::mm(ht, rows(w.w_hh, g).t()) +
           rows(w.b_hh, g);
  };
  for (int64_t s = 0; s < steps; ++s) {
    const int64_t t = reverse ? steps - 1 - s : s;
    const Tensor xt = x[t];
    switch (kind) {
      case Kind::Tanh:
        h = tg::tanh(gate(xt, h, 0));
        break;
      case Kind::Relu:
        h = tg::relu(gate(xt, h, 0));
        break;
      case Kind::Lstm: {
        const Tensor i = tg::sigmoid(gate(xt, h, 0)), f = tg::sigmoid(gate(xt, h, 1));
        const Tensor g = tg::tanh(gate(xt, h, 2)), o = tg::sigmoid(gate(xt, h, 3));
        c = f * c + i * g;
        h = o * tg::tanh(c);
        break;
      }
      case Kind::Gru: {
        const Tensor r = tg::sigmoid(gate(xt, h, 0)), z = tg::sigmoid(gate(xt, h, 1));
        const Tensor n = tg::tanh(tg::mm(xt, rows(w.w_ih, 2).t()) + rows(w.b_ih, 2) +
                                  r * (tg::mm(h, rows(w.w_hh, 2).t()) + rows(w.b_hh, 2)));
        h = (1 - z) * n + z * h;
        break;
      }
    }
    outs[t] = h;
  }
  return {tg::stack(outs, 0), h, c};
}

Weights weights_of_module(nn::Module& m, const std::string& suffix) {
  auto p = m.named_parameters();
  return {p["weight_ih_l" + suffix], p["weight_hh_l" + suffix], p["bias_ih_l" + suffix],
          p["bias_hh_l" + suffix]};
}

/// A 2-layer bidirectional module against the unrolled recurrences: outputs, final states and
/// the gradients of the input, the initial state and every parameter.
template <class Module>
void check_against_unrolled(Module m, Kind kind) {
  m->to(tg::kDouble);
  fill_by_index(*m);
  const bool lstm = kind == Kind::Lstm;
  Tensor x = seq({4, 3, 2}).requires_grad_();
  Tensor h0 = seq({4, 3, 3}, 0.41).requires_grad_();
  Tensor c0 = seq({4, 3, 3}, 0.53).requires_grad_();
  Tensor out, h_n, c_n;
  if constexpr (std::is_same_v<Module, nn::LSTM>) {
    auto [o, s] = m->forward(x, std::make_tuple(h0, c0));
    out = o;
    h_n = std::get<0>(s);
    c_n = std::get<1>(s);
  } else {
    std::tie(out, h_n) = m->forward(x, h0);
  }
  Tensor total = loss_of(out) + loss_of(h_n);
  if (lstm) total = total + loss_of(c_n);
  const auto params = m->parameters();
  std::vector<Tensor> sources = {x, h0};
  if (lstm) sources.push_back(c0);
  sources.insert(sources.end(), params.begin(), params.end());
  const auto grads = tg::autograd::grad({total}, sources);

  Tensor layer_input = x;
  std::vector<Tensor> hs, cs;
  for (int64_t layer = 0; layer < 2; ++layer) {
    std::vector<Tensor> outs;
    for (int64_t d = 0; d < 2; ++d) {
      const int64_t index = layer * 2 + d;
      const std::string suffix = std::to_string(layer) + (d == 1 ? "_reverse" : "");
      auto [o, h, c] = unrolled(kind, layer_input, h0[index], lstm ? c0[index] : Tensor(),
                                weights_of_module(*m, suffix), d == 1);
      outs.push_back(o);
      hs.push_back(h);
      cs.push_back(c);
    }
    layer_input = tg::cat(outs, 2);
  }
  expect_same(out, layer_input, 1e-12, "output");
  expect_same(h_n, tg::stack(hs, 0), 1e-12, "h_n");
  Tensor ref_total = loss_of(layer_input) + loss_of(tg::stack(hs, 0));
  if (lstm) {
    expect_same(c_n, tg::stack(cs, 0), 1e-12, "c_n");
    ref_total = ref_total + loss_of(tg::stack(cs, 0));
  }
  const auto ref_grads = tg::autograd::grad({ref_total}, sources);
  for (size_t i = 0; i < grads.size(); ++i)
    expect_same(grads[i], ref_grads[i], 1e-12, "gradient " + std::to_string(i));
}

TEST(RNNModules, LstmMatchesTheUnrolledEquations) {
  check_against_unrolled(nn::LSTM(nn::LSTMOptions(2, 3).num_layers(2).bidirectional(true)),
                         Kind::Lstm);
}

TEST(RNNModules, GruMatchesTheUnrolledEquations) {
  check_against_unrolled(nn::GRU(nn::GRUOptions(2, 3).num_layers(2).bidirectional(true)),
                         Kind::Gru);
}

TEST(RNNModules, RnnTanhAndReluMatchTheUnrolledEquations) {
  check_against_unrolled(nn::RNN(nn::RNNOptions(2, 3).num_layers(2).bidirectional(true)),
                         Kind::Tanh);
  check_against_unrolled(
      nn::RNN(nn::RNNOptions(2, 3).num_layers(2).bidirectional(true).nonlinearity(tg::kReLU)),
      Kind::Relu);
}

// ---- Cells ----

TEST(RNNCells, CellsMatchTheEquationsAndTheCellOps) {
  Tensor x = seq({3, 2}).requires_grad_();
  Tensor h = seq({3, 4}, 0.41).requires_grad_();
  Tensor c = seq({3, 4}, 0.53);
  {
    nn::LSTMCell cell(2, 4);
    cell->to(tg::kDouble);
    fill_by_index(*cell);
    auto [h1, c1] = cell(x, std::make_tuple(h, c));
    Weights w{cell->weight_ih, cell->weight_hh, cell->bias_ih, cell->bias_hh};
    auto [o, hr, cr] = unrolled(Kind::Lstm, x.unsqueeze(0), h, c, w, false);
    expect_same(h1, hr, 1e-12, "LSTMCell h");
    expect_same(c1, cr, 1e-12, "LSTMCell c");
    auto [h2, c2] = tg::lstm_cell(x, {h, c}, w.w_ih, w.w_hh, w.b_ih, w.b_hh);
    expect_same(h2, h1, 0, "lstm_cell h");
    expect_same(c2, c1, 0, "lstm_cell c");
    auto [hz, cz] = cell(x);
    auto [hz_ref, cz_ref] =
        cell(x, std::make_tuple(tg::zeros({3, 4}, tg::kDouble), tg::zeros({3, 4}, tg::kDouble)));
    expect_same(hz, hz_ref, 0, "LSTMCell default state");
  }
  {
    nn::GRUCell cell(2, 4);
    cell->to(tg::kDouble);
    fill_by_index(*cell);
    Weights w{cell->weight_ih, cell->weight_hh, cell->bias_ih, cell->bias_hh};
    auto [o, hr, cr] = unrolled(Kind::Gru, x.unsqueeze(0), h, Tensor(), w, false);
    expect_same(cell(x, h), hr, 1e-12, "GRUCell");
    expect_same(tg::gru_cell(x, h, w.w_ih, w.w_hh, w.b_ih, w.b_hh), hr, 1e-12, "gru_cell");
  }
  {
    nn::RNNCell cell(nn::RNNCellOptions(2, 4).nonlinearity(tg::kReLU));
    cell->to(tg::kDouble);
    fill_by_index(*cell);
    Weights w{cell->weight_ih, cell->weight_hh, cell->bias_ih, cell->bias_hh};
    auto [o, hr, cr] = unrolled(Kind::Relu, x.unsqueeze(0), h, Tensor(), w, false);
    expect_same(cell(x, h), hr, 1e-12, "RNNCell relu");
    expect_same(tg::rnn_relu_cell(x, h, w.w_ih, w.w_hh, w.b_ih, w.b_hh), hr, 1e-12,
                "rnn_relu_cell");
    auto [o2, hr2, cr2] = unrolled(Kind::Tanh, x.unsqueeze(0), h, Tensor(), w, false);
    expect_same(tg::rnn_tanh_cell(x, h, w.w_ih, w.w_hh, w.b_ih, w.b_hh), hr2, 1e-12,
                "rnn_tanh_cell");
  }
  {
    nn::RNNCell cell(nn::RNNCellOptions(2, 4).bias(false));
    EXPECT_EQ(cell->parameters().size(), 2u);
    EXPECT_FALSE(cell->bias_ih.defined());
    EXPECT_EQ(cell(x.detach().to(tg::kFloat)).sizes().vec(), (std::vector<int64_t>{3, 4}));
  }
}

TEST(RNNCells, PrettyPrintAndErrors) {
  EXPECT_EQ(tg::str(nn::RNNCell(3, 4)), "torch::nn::RNNCell(3, 4)");
  EXPECT_EQ(tg::str(nn::RNNCell(nn::RNNCellOptions(3, 4).nonlinearity(tg::kReLU).bias(false))),
            "torch::nn::RNNCell(3, 4, bias=false, nonlinearity=kReLU)");
  EXPECT_EQ(tg::str(nn::LSTMCell(3, 4)), "torch::nn::LSTMCell(3, 4)");
  EXPECT_EQ(tg::str(nn::GRUCell(nn::GRUCellOptions(3, 4).bias(false))),
            "torch::nn::GRUCell(3, 4, bias=false)");
  nn::GRUCell cell(3, 4);
  EXPECT_ERROR(cell(tg::zeros({2, 5})), "GRUCell", "[batch, 3]", "[2, 5]");
  EXPECT_ERROR(cell(tg::zeros({2, 3}), tg::zeros({3, 4})), "GRUCell", "[2, 4]", "[3, 4]");
  EXPECT_ERROR(cell(tg::zeros({2, 3}, tg::kDouble)), "GRUCell", "Double", "Float");
  EXPECT_ERROR(tg::lstm_cell(tg::zeros({2, 3}), {tg::zeros({2, 4}), tg::zeros({2, 4})},
                             tg::zeros({12, 3}), tg::zeros({12, 4})),
               "lstm_cell", "4 gates", "[12, 3]");
  EXPECT_ERROR(
      tg::gru_cell(tg::zeros({2, 5}), tg::zeros({2, 4}), tg::zeros({12, 3}), tg::zeros({12, 4})),
      "gru_cell", "[batch, 3]", "[2, 5]");
}

// ---- gradcheck ----

TEST(RNNModules, GradcheckSmallLstmGruRnn) {
  nn::LSTM lstm(nn::LSTMOptions(2, 3).num_layers(2).bidirectional(true).proj_size(2));
  lstm->to(tg::kDouble);
  EXPECT_TRUE(tg::autograd::gradcheck(
      [&](const tg::variable_list& in) {
        auto [o, s] = lstm->forward(in[0], std::make_tuple(in[1], in[2]));
        return tg::variable_list{o, std::get<0>(s), std::get<1>(s)};
      },
      {seq({3, 2, 2}).requires_grad_(), seq({4, 2, 2}, 0.3).requires_grad_(),
       seq({4, 2, 3}, 0.7).requires_grad_()}));
  // The weights as inputs: copied into the module's parameters by set_data on each call would
  // lose the graph, so the cell op stands for them (GradcheckAndGradgradcheckOfTheCellOps).
  nn::GRU gru(nn::GRUOptions(2, 3).batch_first(true));
  gru->to(tg::kDouble);
  EXPECT_TRUE(tg::autograd::gradcheck(
      [&](const tg::variable_list& in) {
        auto [o, h] = gru->forward(in[0], in[1]);
        return tg::variable_list{o, h};
      },
      {seq({2, 3, 2}).requires_grad_(), seq({1, 2, 3}, 0.4).requires_grad_()}));
  nn::RNN plain(nn::RNNOptions(2, 3).num_layers(2));
  plain->to(tg::kDouble);
  EXPECT_TRUE(tg::autograd::gradcheck(
      [&](const tg::variable_list& in) { return tg::variable_list{std::get<0>(plain(in[0]))}; },
      {seq({3, 2, 2}).requires_grad_()}));
}

TEST(RNNCells, GradcheckAndGradgradcheckOfTheCellOps) {
  auto leaf = [](std::vector<int64_t> shape, double a) { return seq(shape, a).requires_grad_(); };
  tg::variable_list lstm_in = {leaf({2, 3}, 0.2), leaf({2, 2}, 0.3), leaf({2, 2}, 0.4),
                               leaf({8, 3}, 0.5), leaf({8, 2}, 0.6), leaf({8}, 0.7),
                               leaf({8}, 0.8)};
  auto lstm_fn = [](const tg::variable_list& in) {
    auto [h, c] = tg::lstm_cell(in[0], {in[1], in[2]}, in[3], in[4], in[5], in[6]);
    return tg::variable_list{h, c};
  };
  EXPECT_TRUE(tg::autograd::gradcheck(lstm_fn, lstm_in));
  EXPECT_TRUE(tg::autograd::gradgradcheck(lstm_fn, lstm_in));
  tg::variable_list gru_in = {leaf({2, 3}, 0.2), leaf({2, 2}, 0.3), leaf({6, 3}, 0.5),
                              leaf({6, 2}, 0.6), leaf({6}, 0.7),    leaf({6}, 0.8)};
  auto gru_fn = [](const tg::variable_list& in) {
    return tg::variable_list{tg::gru_cell(in[0], in[1], in[2], in[3], in[4], in[5])};
  };
  EXPECT_TRUE(tg::autograd::gradcheck(gru_fn, gru_in));
  EXPECT_TRUE(tg::autograd::gradgradcheck(gru_fn, gru_in));
  tg::variable_list plain_in = {leaf({2, 3}, 0.2), leaf({2, 2}, 0.3), leaf({2, 3}, 0.5),
                                leaf({2, 2}, 0.6)};
  auto tanh_fn = [](const tg::variable_list& in) {
    return tg::variable_list{tg::rnn_tanh_cell(in[0], in[1], in[2], in[3])};
  };
  EXPECT_TRUE(tg::autograd::gradcheck(tanh_fn, plain_in));
  EXPECT_TRUE(tg::autograd::gradgradcheck(tanh_fn, plain_in));
}

// ---- Parameters, initialisation, options ----

TEST(RNNModules, ParameterNamesShapesAndInitialisation) {
  nn::LSTM m(nn::LSTMOptions(3, 4).num_layers(2).bidirectional(true).proj_size(2));
  std::vector<std::string> names;
  std::vector<std::vector<int64_t>> shapes;
  for (auto& p : m->named_parameters()) {
    names.push_back(p.key());
    shapes.push_back(p.value().sizes().vec());
  }
  // As libtorch 1.13 names them for the same module.
  const std::vector<std::string> expected_names = {
      "weight_ih_l0",         "weight_hh_l0",         "bias_ih_l0",
      "bias_hh_l0",           "weight_hr_l0",         "weight_ih_l0_reverse",
      "weight_hh_l0_reverse", "bias_ih_l0_reverse",   "bias_hh_l0_reverse",
      "weight_hr_l0_reverse", "weight_ih_l1",         "weight_hh_l1",
      "bias_ih_l1",           "bias_hh_l1",           "weight_hr_l1",
      "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse",
      "bias_hh_l1_reverse",   "weight_hr_l1_reverse"};
  EXPECT_EQ(names, expected_names);
  const std::vector<std::vector<int64_t>> layer0 = {{16, 3}, {16, 2}, {16}, {16}, {2, 4}};
  const std::vector<std::vector<int64_t>> layer1 = {{16, 4}, {16, 2}, {16}, {16}, {2, 4}};
  for (size_t i = 0; i < shapes.size(); ++i)
    EXPECT_EQ(shapes[i], (i < 10 ? layer0 : layer1)[i % 5]) << names[i];
  EXPECT_EQ(m->all_weights().size(), 20u);
  // U(-1/sqrt(hidden), 1/sqrt(hidden)) = U(-0.5, 0.5), spread over the range.
  for (auto& p : m->parameters()) {
    EXPECT_LE(p.abs().max().item<double>(), 0.5);
    EXPECT_GT(p.abs().max().item<double>(), 0.2);
  }
  nn::GRU gru(nn::GRUOptions(5, 6).bias(false));
  EXPECT_EQ(gru->named_parameters()["weight_ih_l0"].sizes().vec(), (std::vector<int64_t>{18, 5}));
  EXPECT_EQ(gru->parameters().size(), 2u);
  nn::RNN plain(3, 7);
  EXPECT_EQ(plain->named_parameters()["weight_hh_l0"].sizes().vec(), (std::vector<int64_t>{7, 7}));
}

TEST(RNNModules, PrettyPrint) {
  // The name is the derived module's, though the base class registers the parameters.
  EXPECT_EQ(nn::LSTM(2, 3)->name(), "torch::nn::LSTMImpl");
  EXPECT_EQ(nn::GRUCell(2, 3)->name(), "torch::nn::GRUCellImpl");
  EXPECT_EQ(tg::str(nn::LSTM(nn::LSTMOptions(128, 64).num_layers(3).dropout(0.2))),
            "torch::nn::LSTM(input_size=128, hidden_size=64, num_layers=3, bias=true, "
            "batch_first=false, dropout=0.2, bidirectional=false)");
  EXPECT_EQ(tg::str(nn::LSTM(nn::LSTMOptions(128, 64).num_layers(3).dropout(0.2).proj_size(32))),
            "torch::nn::LSTM(input_size=128, hidden_size=64, num_layers=3, bias=true, "
            "batch_first=false, dropout=0.2, bidirectional=false, proj_size=32)");
  EXPECT_EQ(tg::str(nn::GRU(nn::GRUOptions(128, 64).num_layers(3).dropout(0.5))),
            "torch::nn::GRU(input_size=128, hidden_size=64, num_layers=3, bias=true, "
            "batch_first=false, dropout=0.5, bidirectional=false)");
  EXPECT_EQ(tg::str(nn::RNN(nn::RNNOptions(3, 4).nonlinearity(tg::kReLU).bidirectional(true))),
            "torch::nn::RNN(input_size=3, hidden_size=4, num_layers=1, bias=true, "
            "batch_first=false, dropout=0, bidirectional=true)");
}

TEST(RNNModules, BatchFirstIsTheTransposedSequenceFirstRun) {
  nn::GRU seq_first(nn::GRUOptions(2, 3).num_layers(2));
  nn::GRU batch_first(nn::GRUOptions(2, 3).num_layers(2).batch_first(true));
  fill_by_index(*seq_first);
  fill_by_index(*batch_first);
  Tensor x = seq({4, 3, 2}).to(tg::kFloat);
  auto [a, ha] = seq_first(x);
  auto [b, hb] = batch_first(x.transpose(0, 1));
  EXPECT_TRUE(tg::allclose(a, b.transpose(0, 1), 1e-6, 1e-7));
  EXPECT_TRUE(tg::allclose(ha, hb, 1e-6, 1e-7));  // the state stays [layers, batch, hidden]
}

TEST(RNNModules, DropoutBetweenLayersOnlyInTraining) {
  nn::LSTM with(nn::LSTMOptions(2, 3).num_layers(2).dropout(1.0));
  nn::LSTM without(nn::LSTMOptions(2, 3).num_layers(2));
  fill_by_index(*with);
  fill_by_index(*without);
  Tensor x = seq({4, 2, 2}).to(tg::kFloat);
  // p = 1 drops every output of layer 0: layer 1 sees zeros.
  auto out_train = std::get<0>(with(x));
  nn::LSTM layer1(nn::LSTMOptions(3, 3));
  {
    tg::NoGradGuard guard;
    for (const std::string n : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"})
      layer1->named_parameters()[n + "_l0"].copy_(with->named_parameters()[n + "_l1"]);
  }
  EXPECT_TRUE(tg::allclose(out_train, std::get<0>(layer1(tg::zeros({4, 2, 3}))), 1e-6, 1e-7));
  with->eval();
  EXPECT_TRUE(tg::allclose(std::get<0>(with(x)), std::get<0>(without(x)), 1e-6, 1e-7));
}

TEST(RNNModules, FlattenParametersCloneAndDtype) {
  nn::GRU gru(nn::GRUOptions(3, 4).num_layers(2).bidirectional(true));
  gru->flatten_parameters();  // nothing to pack on the CPU
  Tensor x = seq({3, 2, 3}).to(tg::kFloat);
  auto before = std::get<0>(gru(x));
  auto copy = std::dynamic_pointer_cast<nn::GRUImpl>(gru->clone());
  ASSERT_NE(copy, nullptr);
  EXPECT_TRUE(tg::equal(std::get<0>(copy->forward(x)), before));
  {
    tg::NoGradGuard guard;
    gru->named_parameters()["bias_hh_l1_reverse"].add_(1.0);  // not the copy's parameters
  }
  EXPECT_TRUE(tg::equal(std::get<0>(copy->forward(x)), before));
  EXPECT_FALSE(tg::equal(std::get<0>(gru(x)), before));
  gru->to(tg::kDouble);
  EXPECT_EQ(std::get<0>(gru(x.to(tg::kDouble))).dtype(), tg::kDouble);
  EXPECT_ERROR(gru(x), "GRU", "Float", "Double");
}

TEST(RNNModules, PackedInputOfEqualLengthsEqualsPaddedInput) {
  nn::RNN m(nn::RNNOptions(2, 3).bidirectional(true));
  Tensor x = seq({4, 3, 2}).to(tg::kFloat);
  auto [out, h] = m(x);
  auto [packed_out, packed_h] =
      m->forward_with_packed_input(rnn::pack_padded_sequence(x, tg::tensor({4, 4, 4})));
  EXPECT_TRUE(tg::allclose(std::get<0>(rnn::pad_packed_sequence(packed_out)), out, 1e-6, 1e-7));
  EXPECT_TRUE(tg::allclose(packed_h, h, 1e-6, 1e-7));
  auto [o2, h2] =
      m->forward_with_packed_input(rnn::pack_padded_sequence(x, tg::tensor({4, 4, 4})), Tensor());
  EXPECT_TRUE(tg::allclose(h2, h, 1e-6, 1e-7));
}

TEST(RNNModules, ForwardErrors) {
  nn::LSTM m(nn::LSTMOptions(3, 4).num_layers(2));
  EXPECT_ERROR(m(tg::zeros({5, 3})), "LSTM", "3 dimensions", "[5, 3]");
  EXPECT_ERROR(m(tg::zeros({5, 2, 6})), "input_size", "Expected 3, got 6");
  EXPECT_ERROR(m(tg::zeros({5, 2, 3}), std::make_tuple(tg::zeros({1, 2, 4}), tg::zeros({2, 2, 4}))),
               "hidden[0]", "[2, 2, 4]", "[1, 2, 4]");
  EXPECT_ERROR(m(tg::zeros({5, 2, 3}), std::make_tuple(tg::zeros({2, 2, 4}), tg::zeros({2, 3, 4}))),
               "hidden[1]", "[2, 2, 4]", "[2, 3, 4]");
  nn::GRU gru(3, 4);
  EXPECT_ERROR(gru(tg::zeros({5, 2, 3}), tg::zeros({1, 2, 5})), "GRU", "[1, 2, 4]", "[1, 2, 5]");
  EXPECT_ERROR(nn::LSTM(nn::LSTMOptions(3, 4).proj_size(4)), "proj_size", "smaller than");
  EXPECT_ERROR(nn::GRU(nn::GRUOptions(3, 4).dropout(1.5)), "dropout", "[0, 1]");
  EXPECT_ERROR(nn::RNN(nn::RNNOptions(3, 0)), "hidden_size must be greater than zero");
  EXPECT_ERROR(nn::RNN(nn::RNNOptions(3, 2).num_layers(0)), "num_layers must be greater than zero");
}

TEST(RNNModules, MoreForwardErrors) {
  nn::GRU gru(3, 4);
  EXPECT_ERROR(gru(Tensor()), "GRU", "undefined");
  EXPECT_ERROR(gru(tg::zeros({0, 2, 3})), "GRU", "no time steps", "[0, 2, 3]");
  nn::LSTM lstm(3, 4);
  EXPECT_ERROR(lstm(Tensor()), "LSTM", "undefined");
  EXPECT_ERROR(lstm(tg::zeros({5, 2, 3}), std::make_tuple(tg::zeros({1, 2, 4}), Tensor())), "LSTM",
               "both tensors defined");
  EXPECT_ERROR(lstm(tg::zeros({5, 2, 3}),
                    std::make_tuple(tg::zeros({1, 2, 4}, tg::kDouble), tg::zeros({1, 2, 4}))),
               "hidden[0]", "Double", "Float");
  EXPECT_ERROR(lstm->forward_with_packed_input(
                   rnn::PackedSequence(tg::zeros({0, 3}), tg::zeros({0}, tg::kLong))),
               "LSTM", "no batch sizes");
  EXPECT_ERROR(nn::RNN(nn::RNNOptions(-1, 2)), "input_size must be non-negative");
  // An options_base changed after construction without reset(): the weights no longer fit.
  nn::RNN plain(nn::RNNOptions(3, 4));
  plain->options_base.num_layers(2);
  EXPECT_ERROR(plain(tg::zeros({2, 1, 3}), tg::zeros({2, 1, 4})), "call reset()");
  nn::LSTMCell cell(3, 4);
  EXPECT_ERROR(cell(tg::zeros({2, 3}), std::make_tuple(tg::zeros({2, 4}), Tensor())), "LSTMCell",
               "both tensors defined");
  EXPECT_ERROR(cell(tg::zeros({2, 3}), std::make_tuple(tg::zeros({2, 4}), tg::zeros({2, 5}))),
               "hidden[1]", "[2, 4]", "[2, 5]");
  EXPECT_ERROR(cell(Tensor()), "LSTMCell", "undefined");
  nn::RNNCell plain_cell(3, 4);
  EXPECT_ERROR(plain_cell(tg::zeros({2, 3}), tg::zeros({2, 4}, tg::kDouble)), "RNNCell", "Double",
               "Float");
  EXPECT_ERROR(nn::GRUCell(3, 0), "GRUCell", "hidden_size positive");
}

TEST(RNNCells, CellOpErrors) {
  const Tensor x = tg::zeros({2, 3}), h = tg::zeros({2, 4});
  const Tensor w_ih = tg::zeros({4, 3}), w_hh = tg::zeros({4, 4});
  EXPECT_ERROR(tg::rnn_tanh_cell(x, Tensor(), w_ih, w_hh), "rnn_tanh_cell", "must be defined");
  EXPECT_ERROR(tg::rnn_tanh_cell(x, h, tg::zeros({4}), w_hh), "rnn_tanh_cell", "2-D weights");
  EXPECT_ERROR(tg::rnn_relu_cell(x, tg::zeros({3, 4}), w_ih, w_hh), "rnn_relu_cell",
               "hidden state of 2 x 4", "[3, 4]");
  EXPECT_ERROR(tg::rnn_tanh_cell(x, h, w_ih, w_hh, tg::zeros({5})), "rnn_tanh_cell", "[4]", "[5]");
  EXPECT_ERROR(tg::lstm_cell(x, {h}, tg::zeros({16, 3}), tg::zeros({16, 4})), "lstm_cell",
               "two tensors", "1");
  EXPECT_ERROR(tg::lstm_cell(x, {h, tg::zeros({2, 5})}, tg::zeros({16, 3}), tg::zeros({16, 4})),
               "lstm_cell", "cell state", "[2, 5]");
}

// ---- nn::utils::rnn ----

TEST(RNNUtils, PadSequencePackSequenceAndRoundTrips) {
  Tensor a = seq({3, 2}), b = seq({1, 2}, 0.5), c = seq({2, 2}, 0.9);
  Tensor padded = rnn::pad_sequence({a, b, c}, /*batch_first=*/true, /*padding_value=*/-1);
  EXPECT_EQ(padded.sizes().vec(), (std::vector<int64_t>{3, 3, 2}));
  EXPECT_TRUE(tg::equal(padded[0], a));
  EXPECT_TRUE(tg::equal(padded[1][0], b[0]));
  EXPECT_TRUE(tg::equal(padded[1].slice(0, 1, 3), tg::full({2, 2}, -1.0, tg::kDouble)));
  EXPECT_EQ(rnn::pad_sequence({a, b, c}).sizes().vec(), (std::vector<int64_t>{3, 3, 2}));

  auto packed = rnn::pack_sequence({a, c, b});
  EXPECT_EQ(values(packed.batch_sizes()), (std::vector<double>{3, 2, 1}));
  EXPECT_FALSE(packed.sorted_indices().defined());
  // Step 0 holds the first rows of a, c, b; step 1 the second of a and c; step 2 a's last.
  EXPECT_TRUE(
      tg::equal(packed.data(), tg::cat({a[0].unsqueeze(0), c[0].unsqueeze(0), b[0].unsqueeze(0),
                                        a[1].unsqueeze(0), c[1].unsqueeze(0), a[2].unsqueeze(0)})));
  auto [back, lengths] = rnn::pad_packed_sequence(packed, /*batch_first=*/false, 0.0, 5);
  EXPECT_EQ(back.sizes().vec(), (std::vector<int64_t>{5, 3, 2}));
  EXPECT_EQ(values(lengths), (std::vector<double>{3, 2, 1}));
  EXPECT_TRUE(tg::equal(back.select(1, 1).slice(0, 0, 2), c));

  auto unsorted = rnn::pack_sequence({b, a, c}, /*enforce_sorted=*/false);
  EXPECT_EQ(values(unsorted.sorted_indices()), (std::vector<double>{1, 2, 0}));
  auto [padded2, lengths2] = rnn::pad_packed_sequence(unsorted, /*batch_first=*/true);
  EXPECT_EQ(values(lengths2), (std::vector<double>{1, 3, 2}));
  EXPECT_TRUE(tg::equal(padded2[1], a));
  EXPECT_TRUE(tg::equal(padded2[0][0], b[0]));
  EXPECT_TRUE(tg::equal(rnn::invert_permutation(tg::tensor({2, 0, 1})), tg::tensor({1, 2, 0})));
}

TEST(RNNUtils, GradientsFlowThroughPackingAndPadding) {
  EXPECT_TRUE(tg::autograd::gradcheck(
      [](const tg::variable_list& in) {
        auto packed = rnn::pack_padded_sequence(in[0], tg::tensor({2, 4, 3}), false, false);
        return tg::variable_list{packed.data(),
                                 std::get<0>(rnn::pad_packed_sequence(packed, true, 0.5))};
      },
      {seq({4, 3, 2}).requires_grad_()}));
}

TEST(RNNUtils, Errors) {
  Tensor x = tg::zeros({4, 3, 2});
  EXPECT_ERROR(rnn::pack_padded_sequence(x, tg::tensor({2, 4, 3})), "decreasing", "enforce_sorted");
  EXPECT_ERROR(rnn::pack_padded_sequence(x, tg::tensor({4, 0, 0})), "greater than 0");
  EXPECT_ERROR(rnn::pack_padded_sequence(x, tg::tensor({4, 3})), "one length per sequence", "2",
               "3");
  EXPECT_ERROR(rnn::pack_padded_sequence(x, tg::tensor({5, 3, 1})), "length 5", "4 steps");
  EXPECT_ERROR(
      rnn::pad_packed_sequence(rnn::pack_padded_sequence(x, tg::tensor({4, 3, 1})), false, 0.0, 3),
      "total_length", "3", "4");
  EXPECT_ERROR(rnn::pad_sequence({tg::zeros({2, 3}), tg::zeros({2, 4})}), "trailing shape",
               "[2, 4]");
  EXPECT_ERROR(rnn::pad_sequence({}), "empty list");
  EXPECT_ERROR(rnn::pad_sequence({tg::zeros({})}), "at least 1 dimension");
  EXPECT_ERROR(rnn::pack_padded_sequence(Tensor(), tg::tensor({1})), "must be defined");
  EXPECT_ERROR(rnn::pack_padded_sequence(tg::zeros({4}), tg::tensor({1})), "at least 2", "[4]");
  EXPECT_ERROR(rnn::pack_padded_sequence(x, tg::tensor({4, 3, 1}).view({3, 1})), "1-D lengths",
               "[3, 1]");
  EXPECT_ERROR(
      rnn::pad_packed_sequence(rnn::PackedSequence(tg::zeros({0, 2}), tg::zeros({0}, tg::kLong))),
      "no steps");
  EXPECT_ERROR(rnn::pad_packed_sequence(rnn::PackedSequence(tg::zeros({3, 2}), tg::tensor({2, 2}))),
               "add up to 4", "has 3");
  EXPECT_ERROR(rnn::invert_permutation(tg::tensor({0, 0, 1})), "not a permutation", "entry 1");
  EXPECT_ERROR(rnn::invert_permutation(tg::zeros({2, 2}, tg::kLong)), "1-D", "[2, 2]");
}

}  // namespace
