// tg::nn's module system: registration and naming, traversal, modes, zero_grad, dtype
// conversion, holders, the modules' forward shapes and values, default initialisation, nn::init,
// BatchNorm's running statistics, Dropout, printing, clone, and every error message.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "expect_error.h"
#include "tensorgrad/nn.h"
#include "tensorgrad/tensorgrad.h"
#include "tensorgrad/torch.h"

using namespace tg;

namespace {

using V = std::vector<double>;
using S = std::vector<int64_t>;
using Names = std::vector<std::string>;

V values(const Tensor& t) {
  Tensor c = t.detach().to(kDouble).contiguous();
  const double* p = c.data_ptr<double>();
  return V(p, p + c.numel());
}

Tensor doubles(S shape, V data) { return tg::tensor(data, kDouble).view(shape); }
Tensor floats(S shape, V data) { return tg::tensor(data, kFloat).view(shape); }

double mean_of(const V& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double std_of(const V& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

double max_abs(const V& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

template <class M>
std::string printed(const M& module) {
  std::ostringstream out;
  out << module;
  return out.str();
}

void expect_close(const V& actual, const V& expected, double tol = 1e-6) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], tol) << "at index " << i;
}

}  // namespace

// User modules live at global scope, so their name() is "NetImpl" as in libtorch.
struct NetImpl : tg::nn::Module {
  NetImpl() {
    fc1 = register_module("fc1", tg::nn::Linear(4, 3));
    seq = register_module("seq", tg::nn::Sequential(tg::nn::ReLU(), tg::nn::Dropout(0.5)));
    scale = register_parameter("scale", tg::ones({3}));
    steps = register_buffer("steps", tg::zeros({1}));
  }
  Tensor forward(const Tensor& x) { return seq->forward(fc1->forward(x)) * scale; }
  tg::nn::Linear fc1{nullptr};
  tg::nn::Sequential seq{nullptr};
  Tensor scale, steps;
};
TG_MODULE(Net);

// The libtorch spelling, through <tensorgrad/torch.h>.
struct MlpImpl : torch::nn::Module {
  explicit MlpImpl(int64_t hidden = 256)
      : fc1(register_module("fc1", torch::nn::Linear(784, hidden))),
        fc2(register_module("fc2", torch::nn::Linear(hidden, 128))),
        fc3(register_module("fc3", torch::nn::Linear(128, 10))) {}
  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(fc1->forward(x.view({x.size(0), 784})));
    x = torch::relu(fc2->forward(x));
    return torch::log_softmax(fc3->forward(x), 1);
  }
  torch::nn::Linear fc1, fc2, fc3;
};
TORCH_MODULE(Mlp);

struct CnnImpl : torch::nn::Module {
  CnnImpl() {
    features = register_module(
        "features",
        torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 8, 3).padding(1)),
                              torch::nn::ReLU(), torch::nn::MaxPool2d(2),
                              torch::nn::Conv2d(torch::nn::Conv2dOptions(8, 16, 3).padding(1)),
                              torch::nn::ReLU(), torch::nn::MaxPool2d(2)));
    classifier = register_module(
        "classifier", torch::nn::Sequential(torch::nn::Flatten(), torch::nn::Linear(16 * 7 * 7, 32),
                                            torch::nn::ReLU(), torch::nn::Linear(32, 10)));
  }
  torch::Tensor forward(torch::Tensor x) { return classifier->forward(features->forward(x)); }
  torch::nn::Sequential features{nullptr}, classifier{nullptr};
};
TORCH_MODULE(Cnn);

// A module without a default constructor, for holder construction from arguments.
struct ScaleImpl : tg::nn::Module {
  ScaleImpl(int64_t n, double value) { w = register_parameter("w", tg::full({n}, value)); }
  Tensor forward(const Tensor& x) { return x * w; }
  Tensor w;
};
TG_MODULE(Scale);

// A user module with a ModuleList.
struct StackImpl : tg::nn::Module {
  explicit StackImpl(int layers) {
    blocks = register_module("blocks", tg::nn::ModuleList());
    for (int i = 0; i < layers; ++i) blocks->push_back(tg::nn::Linear(3, 3));
  }
  Tensor forward(Tensor x) {
    for (const auto& block : *blocks) x = block->as<tg::nn::Linear>()->forward(x);
    return x;
  }
  tg::nn::ModuleList blocks{nullptr};
};
TG_MODULE(Stack);

// ---- OrderedDict ----

TEST(OrderedDict, KeepsInsertionOrderAndLooksUpByKeyAndIndex) {
  tg::OrderedDict<std::string, int> d("Thing");
  d.insert("b", 2);
  d.insert("a", 1);
  d.insert("c", 3);
  EXPECT_EQ(d.size(), 3u);
  EXPECT_FALSE(d.is_empty());
  EXPECT_EQ(d.keys(), (Names{"b", "a", "c"}));
  EXPECT_EQ(d.values(), (std::vector<int>{2, 1, 3}));
  EXPECT_EQ(d["a"], 1);
  EXPECT_EQ(d[0].key(), "b");
  EXPECT_EQ(d[2].value(), 3);
  EXPECT_EQ(*d[1], 1);
  EXPECT_TRUE(d.contains("c"));
  EXPECT_FALSE(d.contains("z"));
  EXPECT_EQ(d.find("z"), nullptr);
  ASSERT_NE(d.find("b"), nullptr);
  *d.find("b") = 20;
  EXPECT_EQ(d["b"], 20);
  Names seen;
  for (const auto& item : d) seen.push_back(item.key());
  EXPECT_EQ(seen, (Names{"b", "a", "c"}));
  EXPECT_EQ(d.front().key(), "b");
  EXPECT_EQ(d.back().key(), "c");
  d.erase("a");
  EXPECT_EQ(d.keys(), (Names{"b", "c"}));
  EXPECT_EQ(d["c"], 3);  // the index moved up with the erase
  EXPECT_ERROR(d.insert("b", 5), "Thing 'b' already defined");
  EXPECT_ERROR(d["zz"], "Thing 'zz' is not defined", "defined are: b, c");
  EXPECT_ERROR(d[7], "OrderedDict", "index 7 is out of bounds");
  d.clear();
  EXPECT_TRUE(d.is_empty());
  EXPECT_ERROR(d.front(), "front()", "empty");
}

// ---- registration, naming, traversal ----

TEST(Module, RegistrationAndNestedNames) {
  Net net;
  auto params = net->named_parameters();
  EXPECT_EQ(params.keys(), (Names{"scale", "fc1.weight", "fc1.bias"}));
  EXPECT_EQ(net->parameters().size(), 3u);
  EXPECT_EQ(net->parameters(/*recurse=*/false).size(), 1u);
  EXPECT_EQ(net->named_parameters(false).keys(), (Names{"scale"}));
  EXPECT_TRUE(params["fc1.weight"].is_same(net->fc1->weight));
  EXPECT_TRUE(params.contains("fc1.bias"));
  EXPECT_FALSE(params.contains("fc1.nothing"));
  for (const auto& p : params) EXPECT_TRUE(p.value().requires_grad()) << p.key();
  EXPECT_EQ(net->named_buffers().keys(), (Names{"steps"}));
  EXPECT_FALSE(net->steps.requires_grad());
  EXPECT_EQ(net->named_children().keys(), (Names{"fc1", "seq"}));
  EXPECT_EQ(net->children().size(), 2u);
  EXPECT_EQ(net->named_modules().keys(), (Names{"", "fc1", "seq", "seq.0", "seq.1"}));
  EXPECT_EQ(net->named_modules("net").keys(),
            (Names{"net", "net.fc1", "net.seq", "net.seq.0", "net.seq.1"}));
  EXPECT_EQ(net->modules().size(), 5u);
  EXPECT_EQ(net->modules(/*include_self=*/false).size(), 4u);
  EXPECT_EQ(net->modules()[0].get(), net.get());
  EXPECT_EQ(net->name(), "NetImpl");
  EXPECT_EQ(net->fc1->name(), "torch::nn::LinearImpl");
  EXPECT_EQ(tg::nn::Module("custom").name(), "custom");
  int visited = 0;
  net->apply([&visited](tg::nn::Module&) { ++visited; });
  EXPECT_EQ(visited, 5);
  Names qualified;
  net->apply([&qualified](const std::string& name, tg::nn::Module&) { qualified.push_back(name); },
             "root");
  EXPECT_EQ(qualified, (Names{"root", "root.fc1", "root.seq", "root.seq.0", "root.seq.1"}));
}

TEST(Module, SequentialNamesNestAsFeaturesDotIndex) {
  Cnn cnn;
  const Names expected{"features.0.weight",   "features.0.bias",     "features.3.weight",
                       "features.3.bias",     "classifier.1.weight", "classifier.1.bias",
                       "classifier.3.weight", "classifier.3.bias"};
  EXPECT_EQ(cnn->named_parameters().keys(), expected);
  EXPECT_EQ(cnn->named_parameters()["features.3.weight"].sizes().vec(), (S{16, 8, 3, 3}));
  EXPECT_EQ(cnn->named_parameters()["classifier.1.weight"].sizes().vec(), (S{32, 784}));
  tg::nn::Sequential outer(tg::nn::Sequential(tg::nn::Linear(2, 2)), tg::nn::Linear(2, 1));
  EXPECT_EQ(outer->named_parameters().keys(),
            (Names{"0.0.weight", "0.0.bias", "1.weight", "1.bias"}));
}

TEST(Module, ParameterCountOfTheMlp) {
  Mlp mlp;
  int64_t count = 0;
  for (const auto& p : mlp->parameters()) count += p.numel();
  EXPECT_EQ(count, 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
  EXPECT_EQ(mlp->parameters().size(), 6u);
  Mlp small(32);
  EXPECT_EQ(small->fc1->weight.sizes().vec(), (S{32, 784}));
}

TEST(Module, LinearWithoutBiasHasOneParameter) {
  tg::nn::Linear fc(tg::nn::LinearOptions(5, 2).bias(false));
  EXPECT_FALSE(fc->bias.defined());
  EXPECT_EQ(fc->named_parameters().keys(), (Names{"weight"}));
  Tensor y = fc(tg::ones({3, 5}));
  EXPECT_EQ(y.sizes().vec(), (S{3, 2}));
  // Without bias the output is exactly the row sums of the weight.
  expect_close(values(y[0]), values(fc->weight.sum({1})), 1e-5);
}

TEST(Module, ReplaceAndUnregisterModule) {
  Net net;
  auto bigger = net->replace_module("fc1", tg::nn::Linear(4, 3));
  EXPECT_TRUE(net->named_parameters()["fc1.weight"].is_same(bigger->weight));
  EXPECT_ERROR(net->replace_module("nope", tg::nn::Linear(1, 1)), "replace_module",
               "Submodule 'nope' is not defined");
  net->unregister_module("seq");
  EXPECT_EQ(net->named_children().keys(), (Names{"fc1"}));
  EXPECT_ERROR(net->unregister_module("seq"), "unregister_module", "`seq`");
}

TEST(Module, AsCastsToImplOrHolderType) {
  Net net;
  std::shared_ptr<tg::nn::Module> child = net->named_children()["fc1"];
  EXPECT_EQ(child->as<tg::nn::Linear>(), net->fc1.get());
  EXPECT_EQ(child->as<tg::nn::LinearImpl>(), net->fc1.get());
  EXPECT_EQ(child->as<tg::nn::Conv2d>(), nullptr);
}

// ---- modes, gradients, dtype ----

TEST(Module, TrainAndEvalPropagateToEverySubmodule) {
  Net net;
  EXPECT_TRUE(net->is_training());
  net->eval();
  for (const auto& m : net->modules()) EXPECT_FALSE(m->is_training()) << m->name();
  net->train();
  for (const auto& m : net->modules()) EXPECT_TRUE(m->is_training()) << m->name();
  net->train(false);
  EXPECT_FALSE(net->seq[1]->is_training());
}

TEST(Module, ZeroGradZeroesOrResetsEveryGradient) {
  Net net;
  net->eval();  // no dropout
  Tensor loss = net(tg::ones({2, 4})).sum();
  loss.backward();
  for (const auto& p : net->parameters()) ASSERT_TRUE(p.grad().defined());
  // libtorch 1.13's default keeps the tensors and fills them with zeros.
  net->zero_grad();
  for (const auto& p : net->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_EQ(max_abs(values(p.value().grad())), 0.0) << p.key();
  }
  net(tg::ones({2, 4})).sum().backward();
  EXPECT_GT(max_abs(values(net->fc1->bias.grad())), 0.0);
  net->zero_grad(/*set_to_none=*/true);
  for (const auto& p : net->named_parameters()) EXPECT_FALSE(p.value().grad().defined()) << p.key();
}

TEST(Module, ToDoubleConvertsParametersAndBuffersInPlace) {
  Net net;
  tg::nn::BatchNorm1d bn(3);
  net->register_module("bn", bn);
  Tensor weight_handle = net->fc1->weight;
  const V before = values(weight_handle);
  net(tg::ones({2, 4})).sum().backward();
  net->to(kDouble);
  for (const auto& p : net->named_parameters()) EXPECT_EQ(p.value().dtype(), kDouble) << p.key();
  EXPECT_EQ(weight_handle.dtype(), kDouble);  // the member handle sees the conversion
  EXPECT_EQ(values(weight_handle), before);
  EXPECT_TRUE(weight_handle.requires_grad());
  EXPECT_TRUE(weight_handle.is_leaf());
  EXPECT_EQ(weight_handle.grad().dtype(), kDouble);
  EXPECT_EQ(net->steps.dtype(), kDouble);
  EXPECT_EQ(bn->running_mean.dtype(), kDouble);
  EXPECT_EQ(bn->num_batches_tracked.dtype(), kLong);  // integer buffers keep their dtype
  // The converted module trains in double.
  net->zero_grad();
  Tensor y = net(tg::ones({2, 4}, kDouble));
  EXPECT_EQ(y.dtype(), kDouble);
  y.sum().backward();
  EXPECT_EQ(net->fc1->weight.grad().dtype(), kDouble);
  EXPECT_ERROR(net->fc1(tg::ones({2, 4})), "Linear", "dtype Float", "Double");
  EXPECT_ERROR(net->to(kLong), "Module::to", "floating-point", "Long");
  EXPECT_ERROR(net->to(Device(kCUDA)), "Module::to", "CPU only");
  net->to(Device(kCPU), kFloat);
  EXPECT_EQ(net->fc1->weight.dtype(), kFloat);
}

// ---- holders ----

TEST(ModuleHolder, ArrowCallNullptrAndSharing) {
  tg::nn::Linear fc(3, 2);
  EXPECT_FALSE(fc.is_empty());
  EXPECT_TRUE(static_cast<bool>(fc));
  EXPECT_EQ(fc->options.in_features(), 3);
  EXPECT_EQ((*fc).options.out_features(), 2);
  Tensor x = tg::ones({4, 3});
  EXPECT_TRUE(tg::equal(fc(x), fc->forward(x)));
  tg::nn::Linear alias = fc;  // copies share the module
  EXPECT_EQ(alias.get(), fc.get());
  EXPECT_EQ(alias.ptr(), fc.ptr());
  tg::nn::Linear empty = nullptr;
  EXPECT_TRUE(empty.is_empty());
  EXPECT_FALSE(static_cast<bool>(empty));
  EXPECT_ERROR(empty->forward(x), "ModuleHolder", "empty", "LinearImpl", "nullptr");
  empty = fc;
  EXPECT_EQ(empty.get(), fc.get());
  Scale scale(3, 2.0);
  EXPECT_EQ(values(scale(tg::ones({3}))), (V{2, 2, 2}));
  Scale shared(std::make_shared<ScaleImpl>(2, 5.0));
  EXPECT_EQ(values(shared->w), (V{5, 5}));
  Net net;
  EXPECT_ERROR(net->register_module("later", tg::nn::Linear(nullptr)), "register_module", "'later'",
               "empty");
}

TEST(ModuleHolder, TorchModuleThroughTorchHeader) {
  Mlp mlp;
  torch::Tensor out = mlp->forward(torch::rand({5, 1, 28, 28}));
  EXPECT_EQ(out.sizes().vec(), (S{5, 10}));
  // log_softmax rows: exp sums to one.
  expect_close(values(out.exp().sum({1})), V(5, 1.0), 1e-5);
  Cnn cnn;
  EXPECT_EQ(cnn(torch::rand({2, 1, 28, 28})).sizes().vec(), (S{2, 10}));
}

TEST(ModuleHolder, PrintsTheHeldModule) {
  tg::nn::Linear fc(784, 256);
  EXPECT_EQ(printed(fc), "torch::nn::Linear(in_features=784, out_features=256, bias=true)");
  EXPECT_EQ(printed(*fc), printed(fc));
}

// ---- forward shapes and values of each module ----

TEST(Modules, LinearComputesXWTransposedPlusB) {
  tg::nn::Linear fc(3, 2);
  {
    NoGradGuard no_grad;
    fc->weight.copy_(floats({2, 3}, {1, 2, 3, 4, 5, 6}));
    fc->bias.copy_(floats({2}, {0.5, -1}));
  }
  Tensor x = floats({2, 3}, {1, 0, -1, 2, 1, 0});
  expect_close(values(fc(x)), {1 - 3 + 0.5, 4 - 6 - 1, 2 + 2 + 0.5, 8 + 5 - 1});
  EXPECT_EQ(fc(tg::ones({4, 5, 3})).sizes().vec(), (S{4, 5, 2}));
  EXPECT_EQ(fc(tg::ones({3})).sizes().vec(), (S{2}));
  // Non-contiguous input: the transpose of a [3, 2] tensor.
  Tensor xt = floats({3, 2}, {1, 2, 0, 1, -1, 0}).t();
  expect_close(values(fc(xt)), values(fc(x)));
  Tensor y = fc(x).sum();
  y.backward();
  // d/dW sum(x W^T + b) = column sums of x broadcast to each row; d/db = batch size.
  expect_close(values(fc->weight.grad()), {3, 1, -1, 3, 1, -1});
  expect_close(values(fc->bias.grad()), {2, 2});
}

TEST(Modules, Conv2dShapesStridePaddingDilationGroups) {
  tg::nn::Conv2d conv(tg::nn::Conv2dOptions(1, 32, 3).padding(1));
  EXPECT_EQ(conv->weight.sizes().vec(), (S{32, 1, 3, 3}));
  EXPECT_EQ(conv->bias.sizes().vec(), (S{32}));
  EXPECT_EQ(conv(tg::rand({2, 1, 28, 28})).sizes().vec(), (S{2, 32, 28, 28}));
  tg::nn::Conv2d strided(tg::nn::Conv2dOptions(3, 4, {3, 5}).stride(2).bias(false));
  EXPECT_FALSE(strided->bias.defined());
  EXPECT_EQ(strided->weight.sizes().vec(), (S{4, 3, 3, 5}));
  EXPECT_EQ(strided(tg::rand({1, 3, 9, 11})).sizes().vec(), (S{1, 4, 4, 4}));
  tg::nn::Conv2d dilated(tg::nn::Conv2dOptions(2, 2, 3).dilation(2));
  EXPECT_EQ(dilated(tg::rand({1, 2, 7, 7})).sizes().vec(), (S{1, 2, 3, 3}));
  tg::nn::Conv2d grouped(tg::nn::Conv2dOptions(4, 6, 1).groups(2));
  EXPECT_EQ(grouped->weight.sizes().vec(), (S{6, 2, 1, 1}));
  EXPECT_EQ(grouped(tg::rand({2, 4, 5, 5})).sizes().vec(), (S{2, 6, 5, 5}));
  tg::nn::Conv2d plain(2, 3, 2);  // the (in, out, kernel) constructor
  EXPECT_EQ(plain(tg::rand({2, 4, 4})).sizes().vec(), (S{3, 3, 3}));  // unbatched
}

TEST(Modules, Conv2dOneByOneKernelMixesChannels) {
  tg::nn::Conv2d conv(tg::nn::Conv2dOptions(2, 1, 1));
  {
    NoGradGuard no_grad;
    conv->weight.copy_(floats({1, 2, 1, 1}, {2, -1}));
    conv->bias.fill_(0.5);
  }
  Tensor x = floats({1, 2, 1, 2}, {1, 2, 3, 4});
  expect_close(values(conv(x)), {2 * 1 - 3 + 0.5, 2 * 2 - 4 + 0.5});
}

TEST(Modules, PoolingShapesAndValues) {
  Tensor x = tg::arange(16, kFloat).view({1, 1, 4, 4});
  tg::nn::MaxPool2d max_pool(2);
  expect_close(values(max_pool(x)), {5, 7, 13, 15});
  EXPECT_EQ(max_pool->options.stride()->at(0), 2);  // stride defaults to the kernel size
  tg::nn::AvgPool2d avg_pool(2);
  expect_close(values(avg_pool(x)), {2.5, 4.5, 10.5, 12.5});
  tg::nn::MaxPool2d overlapping(tg::nn::MaxPool2dOptions(3).stride(1).padding(1));
  EXPECT_EQ(overlapping(x).sizes().vec(), (S{1, 1, 4, 4}));
  tg::nn::AdaptiveAvgPool2d global(1);
  expect_close(values(global(x)), {7.5});
  EXPECT_EQ(global(tg::rand({3, 5, 7, 9})).sizes().vec(), (S{3, 5, 1, 1}));
  tg::nn::AdaptiveAvgPool2d two_by_three(tg::nn::AdaptiveAvgPool2dOptions({2, 3}));
  EXPECT_EQ(two_by_three(tg::rand({2, 4, 6, 6})).sizes().vec(), (S{2, 4, 2, 3}));
  EXPECT_EQ(max_pool(tg::rand({3, 6, 6})).sizes().vec(), (S{3, 3, 3}));
}

TEST(Modules, FlattenAndIdentity) {
  tg::nn::Flatten flatten;
  EXPECT_EQ(flatten(tg::rand({2, 3, 4, 5})).sizes().vec(), (S{2, 60}));
  tg::nn::Flatten middle(tg::nn::FlattenOptions().start_dim(1).end_dim(2));
  EXPECT_EQ(middle(tg::rand({2, 3, 4, 5})).sizes().vec(), (S{2, 12, 5}));
  tg::nn::Identity identity;
  Tensor x = tg::rand({3});
  EXPECT_TRUE(identity(x).is_same(x));
}

TEST(Modules, Activations) {
  Tensor x = doubles({5}, {-2, -0.5, 0, 0.5, 2});
  tg::nn::ReLU relu;
  expect_close(values(relu(x)), {0, 0, 0, 0.5, 2});
  tg::nn::LeakyReLU leaky(tg::nn::LeakyReLUOptions().negative_slope(0.1));
  expect_close(values(leaky(x)), {-0.2, -0.05, 0, 0.5, 2});
  tg::nn::LeakyReLU leaky_default;
  expect_close(values(leaky_default(x)), {-0.02, -0.005, 0, 0.5, 2});
  tg::nn::GELU gelu;
  // x * Phi(x): Phi(2) = 0.9772498680518208, Phi(0.5) = 0.6914624612740131.
  expect_close(values(gelu(x)),
               {-2 * (1 - 0.9772498680518208), -0.5 * (1 - 0.6914624612740131), 0,
                0.5 * 0.6914624612740131, 2 * 0.9772498680518208},
               1e-9);
  tg::nn::Tanh tanh_module;
  expect_close(values(tanh_module(x)),
               {std::tanh(-2.0), std::tanh(-0.5), 0, std::tanh(0.5), std::tanh(2.0)}, 1e-12);
  tg::nn::Sigmoid sigmoid;
  expect_close(values(sigmoid(x)),
               {1 / (1 + std::exp(2.0)), 1 / (1 + std::exp(0.5)), 0.5, 1 / (1 + std::exp(-0.5)),
                1 / (1 + std::exp(-2.0))},
               1e-12);
  Tensor rows = doubles({2, 3}, {1, 2, 3, 0, 0, 0});
  tg::nn::Softmax softmax(1);
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  expect_close(values(softmax(rows)),
               {std::exp(1.0) / z, std::exp(2.0) / z, std::exp(3.0) / z, 1. / 3, 1. / 3, 1. / 3},
               1e-12);
  tg::nn::LogSoftmax log_softmax(tg::nn::LogSoftmaxOptions(1));
  expect_close(values(log_softmax(rows)),
               {1 - std::log(z), 2 - std::log(z), 3 - std::log(z), -std::log(3.0), -std::log(3.0),
                -std::log(3.0)},
               1e-12);
  tg::nn::Softmax columns(0);
  expect_close(values(columns(rows).sum({0})), {1, 1, 1}, 1e-12);
  // In place: the input's storage holds the result.
  Tensor y = x.clone();
  tg::nn::ReLU inplace(tg::nn::ReLUOptions(true));
  inplace(y);
  expect_close(values(y), {0, 0, 0, 0.5, 2});
}

TEST(Modules, EmbeddingLooksUpRows) {
  tg::nn::Embedding embedding(10, 3);
  EXPECT_EQ(embedding->weight.sizes().vec(), (S{10, 3}));
  Tensor idx = tg::tensor({1, 4, 4, 9}, kLong).view({2, 2});
  Tensor out = embedding(idx);
  EXPECT_EQ(out.sizes().vec(), (S{2, 2, 3}));
  EXPECT_EQ(values(out[0][1]), values(embedding->weight[4]));
  EXPECT_EQ(values(out[1][1]), values(embedding->weight[9]));
  tg::nn::Embedding padded(tg::nn::EmbeddingOptions(5, 2).padding_idx(-1));
  EXPECT_EQ(*padded->options.padding_idx(), 4);  // negative counts from the end
  EXPECT_EQ(values(padded->weight[4]), (V{0, 0}));
  auto frozen = tg::nn::Embedding::from_pretrained(doubles({2, 2}, {1, 2, 3, 4}));
  EXPECT_FALSE(frozen->weight.requires_grad());
  EXPECT_EQ(values(frozen(tg::tensor({1, 0}, kLong))), (V{3, 4, 1, 2}));
  auto trainable = tg::nn::Embedding::from_pretrained(
      doubles({2, 2}, {1, 2, 3, 4}), tg::nn::EmbeddingFromPretrainedOptions().freeze(false));
  EXPECT_TRUE(trainable->weight.requires_grad());
}

// ---- default initialisation and nn::init ----

TEST(Init, LinearAndConvDefaultsAreKaimingUniformWithASqrt5) {
  tg::manual_seed(0);
  tg::nn::Linear fc(784, 256);
  const double bound = 1.0 / std::sqrt(784.0);
  const V w = values(fc->weight);
  EXPECT_LE(max_abs(w), bound);
  EXPECT_GT(max_abs(w), 0.99 * bound);  // the whole range is used
  EXPECT_NEAR(mean_of(w), 0.0, 0.02 * bound);
  EXPECT_NEAR(std_of(w), bound / std::sqrt(3.0), 0.01 * bound);  // U(-b, b) has std b/sqrt(3)
  const V b = values(fc->bias);
  EXPECT_LE(max_abs(b), bound);
  EXPECT_GT(max_abs(b), 0.9 * bound);
  EXPECT_NEAR(std_of(b), bound / std::sqrt(3.0), 0.1 * bound);

  tg::nn::Conv2d conv(tg::nn::Conv2dOptions(32, 64, 3));
  const double conv_bound = 1.0 / std::sqrt(32.0 * 9.0);  // fan_in = in * kH * kW
  const V cw = values(conv->weight);
  EXPECT_LE(max_abs(cw), conv_bound);
  EXPECT_GT(max_abs(cw), 0.99 * conv_bound);
  EXPECT_NEAR(std_of(cw), conv_bound / std::sqrt(3.0), 0.01 * conv_bound);
  EXPECT_LE(max_abs(values(conv->bias)), conv_bound);
  tg::nn::Conv2d grouped(tg::nn::Conv2dOptions(32, 64, 3).groups(4));
  EXPECT_LE(max_abs(values(grouped->weight)), 1.0 / std::sqrt(8.0 * 9.0));
  EXPECT_GT(max_abs(values(grouped->weight)), 0.99 / std::sqrt(8.0 * 9.0));
  // Parameters are leaves that require grad, with no history from initialisation.
  EXPECT_TRUE(fc->weight.is_leaf());
  EXPECT_EQ(fc->weight.grad_fn(), nullptr);
  EXPECT_TRUE(fc->weight.requires_grad());
}

TEST(Init, EmbeddingIsStandardNormalAndBatchNormIsOneZero) {
  tg::manual_seed(1);
  tg::nn::Embedding embedding(1000, 100);
  const V w = values(embedding->weight);
  EXPECT_NEAR(mean_of(w), 0.0, 0.02);
  EXPECT_NEAR(std_of(w), 1.0, 0.02);
  tg::nn::BatchNorm2d bn(16);
  EXPECT_EQ(values(bn->weight), V(16, 1.0));
  EXPECT_EQ(values(bn->bias), V(16, 0.0));
  EXPECT_EQ(values(bn->running_mean), V(16, 0.0));
  EXPECT_EQ(values(bn->running_var), V(16, 1.0));
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 0);
  EXPECT_EQ(bn->named_parameters().keys(), (Names{"weight", "bias"}));
  EXPECT_EQ(bn->named_buffers().keys(),
            (Names{"running_mean", "running_var", "num_batches_tracked"}));
}

TEST(Init, SeedMakesInitialisationReproducible) {
  tg::manual_seed(42);
  tg::nn::Linear a(20, 10);
  tg::manual_seed(42);
  tg::nn::Linear b(20, 10);
  EXPECT_TRUE(tg::equal(a->weight, b->weight));
  EXPECT_TRUE(tg::equal(a->bias, b->bias));
  tg::nn::Linear c(20, 10);
  EXPECT_FALSE(tg::equal(a->weight, c->weight));
}

TEST(Init, DistributionsAndConstants) {
  namespace init = tg::nn::init;
  tg::manual_seed(7);
  Tensor t = tg::empty({200, 500});
  init::normal_(t, 2.0, 3.0);
  V v = values(t);
  EXPECT_NEAR(mean_of(v), 2.0, 0.05);
  EXPECT_NEAR(std_of(v), 3.0, 0.05);
  init::uniform_(t, -1.0, 3.0);
  v = values(t);
  EXPECT_GE(*std::min_element(v.begin(), v.end()), -1.0);
  EXPECT_LT(*std::max_element(v.begin(), v.end()), 3.0);
  EXPECT_NEAR(mean_of(v), 1.0, 0.02);
  EXPECT_NEAR(std_of(v), 4.0 / std::sqrt(12.0), 0.02);
  init::constant_(t, 0.25);
  EXPECT_EQ(values(t), V(t.numel(), 0.25));
  init::ones_(t);
  EXPECT_EQ(values(t), V(t.numel(), 1.0));
  init::zeros_(t);
  EXPECT_EQ(values(t), V(t.numel(), 0.0));
  Tensor m = tg::empty({2, 3}, kDouble);
  init::eye_(m);
  EXPECT_EQ(values(m), (V{1, 0, 0, 0, 1, 0}));
  Tensor k = tg::empty({2, 3, 3});
  init::dirac_(k);
  // Output channel d takes input channel d at the kernel centre (index 1).
  EXPECT_EQ(values(k), (V{0, 1, 0, 0, 0, 0, 0, 0, 0,  //
                          0, 0, 0, 0, 1, 0, 0, 0, 0}));
  // Returns the tensor it filled (sharing storage).
  Tensor r = init::zeros_(m);
  EXPECT_TRUE(r.is_same(m));
}

TEST(Init, XavierAndKaimingScales) {
  namespace init = tg::nn::init;
  tg::manual_seed(3);
  Tensor w = tg::empty({300, 200});
  const double xavier_bound = std::sqrt(6.0 / 500.0);
  init::xavier_uniform_(w);
  EXPECT_LE(max_abs(values(w)), xavier_bound);
  EXPECT_GT(max_abs(values(w)), 0.99 * xavier_bound);
  init::xavier_uniform_(w, 2.0);
  EXPECT_GT(max_abs(values(w)), 1.98 * xavier_bound);
  init::xavier_normal_(w);
  EXPECT_NEAR(std_of(values(w)), std::sqrt(2.0 / 500.0), 0.002);
  init::kaiming_normal_(w, 0.0, tg::kFanIn, tg::kReLU);
  EXPECT_NEAR(std_of(values(w)), std::sqrt(2.0 / 200.0), 0.003);
  init::kaiming_normal_(w, 0.0, tg::kFanOut, tg::kReLU);
  EXPECT_NEAR(std_of(values(w)), std::sqrt(2.0 / 300.0), 0.003);
  init::kaiming_uniform_(w);  // a = 0, leaky relu: bound sqrt(6 / fan_in)
  EXPECT_LE(max_abs(values(w)), std::sqrt(6.0 / 200.0));
  EXPECT_GT(max_abs(values(w)), 0.99 * std::sqrt(6.0 / 200.0));
  init::kaiming_uniform_(w, std::sqrt(5.0));
  EXPECT_LE(max_abs(values(w)), 1.0 / std::sqrt(200.0));
  EXPECT_GT(max_abs(values(w)), 0.99 / std::sqrt(200.0));
  Tensor empty = tg::empty({0, 3});
  init::kaiming_uniform_(empty);  // nothing to fill
  EXPECT_EQ(empty.numel(), 0);
}

TEST(Init, GainFansAndErrors) {
  namespace init = tg::nn::init;
  EXPECT_DOUBLE_EQ(init::calculate_gain(tg::kLinear), 1.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain(tg::kConv2D), 1.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain(tg::kSigmoid), 1.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain(tg::kTanh), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain(tg::kReLU), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(init::calculate_gain(tg::kLeakyReLU), std::sqrt(2.0 / (1 + 0.01 * 0.01)));
  EXPECT_DOUBLE_EQ(init::calculate_gain(tg::kLeakyReLU, std::sqrt(5.0)), std::sqrt(1.0 / 3.0));
  auto [fan_in, fan_out] = init::_calculate_fan_in_and_fan_out(tg::empty({64, 32, 3, 3}));
  EXPECT_EQ(fan_in, 288);
  EXPECT_EQ(fan_out, 576);
  auto [in2, out2] = init::_calculate_fan_in_and_fan_out(tg::empty({10, 20}));
  EXPECT_EQ(in2, 20);
  EXPECT_EQ(out2, 10);
  EXPECT_ERROR(init::_calculate_fan_in_and_fan_out(tg::empty({5})), "_calculate_fan_in_and_fan_out",
               "fewer than 2 dimensions", "[5]");
  EXPECT_ERROR(init::kaiming_uniform_(tg::empty({5})), "fewer than 2 dimensions");
  EXPECT_ERROR(init::normal_(tg::zeros({3}, kLong)), "normal_", "floating-point", "Long");
  EXPECT_ERROR(init::normal_(tg::zeros({3}), 0, -1), "normal_", "std >= 0.0");
  EXPECT_ERROR(init::uniform_(tg::zeros({3}), 2, 1), "uniform_", "from=2 > to=1");
  EXPECT_ERROR(init::eye_(tg::zeros({2, 2, 2})), "eye_", "2-D", "[2, 2, 2]");
  EXPECT_ERROR(init::dirac_(tg::zeros({2, 2})), "dirac_", "3-, 4- and 5-D");
  EXPECT_ERROR(init::zeros_(Tensor()), "zeros_", "undefined");
}

TEST(Init, InitialisingAParameterKeepsItALeafAndIsInvisibleToAutograd) {
  tg::nn::Linear fc(3, 3);
  Tensor w = fc->weight;
  tg::nn::init::xavier_uniform_(w);
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.requires_grad());
  EXPECT_EQ(w.grad_fn(), nullptr);
  fc(tg::ones({1, 3})).sum().backward();
  EXPECT_EQ(values(w.grad()), V(9, 1.0));
}

// ---- BatchNorm ----

TEST(BatchNorm, TrainingUpdatesRunningStatsAndEvalUsesThem) {
  tg::nn::BatchNorm1d bn(2);
  bn->to(kDouble);
  // Channel 0: 1, 2, 3, 6 (mean 3, biased var 3.5, unbiased 14/3); channel 1: all 4.
  Tensor x = doubles({4, 2}, {1, 4, 2, 4, 3, 4, 6, 4});
  Tensor y = bn(x);
  const double eps = 1e-5;
  expect_close(values(y.select(1, 0)),
               {-2 / std::sqrt(3.5 + eps), -1 / std::sqrt(3.5 + eps), 0, 3 / std::sqrt(3.5 + eps)},
               1e-9);
  expect_close(values(y.select(1, 1)), {0, 0, 0, 0}, 1e-9);
  expect_close(values(bn->running_mean), {0.1 * 3, 0.1 * 4}, 1e-12);
  expect_close(values(bn->running_var), {0.9 + 0.1 * 14.0 / 3.0, 0.9}, 1e-12);
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 1);
  bn(x);
  expect_close(values(bn->running_mean), {0.19 * 3, 0.19 * 4}, 1e-12);
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 2);

  bn->eval();
  const V rm = values(bn->running_mean), rv = values(bn->running_var);
  {
    NoGradGuard no_grad;
    bn->weight.copy_(doubles({2}, {2, 1}));
    bn->bias.copy_(doubles({2}, {0.5, -1}));
  }
  Tensor probe = doubles({1, 2}, {1, 2});
  expect_close(
      values(bn(probe)),
      {(1 - rm[0]) / std::sqrt(rv[0] + eps) * 2 + 0.5, (2 - rm[1]) / std::sqrt(rv[1] + eps) - 1},
      1e-9);
  EXPECT_EQ(values(bn->running_mean), rm);  // eval leaves the statistics alone
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 2);
}

TEST(BatchNorm, CumulativeAverageAndNoRunningStats) {
  tg::nn::BatchNorm1d cumulative(tg::nn::BatchNormOptions(1).momentum(std::nullopt));
  cumulative->to(kDouble);
  cumulative(doubles({2, 1}, {1, 3}));                         // batch mean 2
  cumulative(doubles({2, 1}, {5, 7}));                         // batch mean 6
  expect_close(values(cumulative->running_mean), {4}, 1e-12);  // the plain average
  tg::nn::BatchNorm2d untracked(tg::nn::BatchNorm2dOptions(3).track_running_stats(false));
  EXPECT_FALSE(untracked->running_mean.defined());
  EXPECT_TRUE(untracked->named_buffers().is_empty());
  untracked->eval();
  Tensor x = tg::rand({4, 3, 2, 2});
  // Without running statistics evaluation normalises with the batch's own.
  Tensor y = untracked(x);
  expect_close(values(y.mean({0, 2, 3})), {0, 0, 0}, 1e-5);
  tg::nn::BatchNorm2d plain(tg::nn::BatchNorm2dOptions(3).affine(false));
  EXPECT_TRUE(plain->parameters().empty());
  EXPECT_EQ(plain(tg::rand({2, 3, 4, 4})).sizes().vec(), (S{2, 3, 4, 4}));
}

TEST(BatchNorm, GradientsReachWeightAndBias) {
  tg::nn::BatchNorm2d bn(2);
  Tensor x = tg::rand({3, 2, 2, 2}, requires_grad());
  (bn(x) * tg::arange(24, kFloat).view({3, 2, 2, 2})).sum().backward();
  EXPECT_EQ(bn->weight.grad().sizes().vec(), (S{2}));
  EXPECT_EQ(bn->bias.grad().sizes().vec(), (S{2}));
  EXPECT_TRUE(x.grad().defined());
}

// ---- Dropout ----

TEST(Dropout, IdentityInEvalAndScaledMaskInTraining) {
  tg::manual_seed(5);
  tg::nn::Dropout dropout(0.5);
  Tensor x = tg::ones({100, 100});
  Tensor y = dropout(x);
  const V v = values(y);
  int64_t zeros = 0;
  for (double e : v) {
    EXPECT_TRUE(e == 0.0 || e == 2.0) << e;
    zeros += e == 0.0;
  }
  EXPECT_NEAR(static_cast<double>(zeros) / 10000.0, 0.5, 0.03);
  dropout->eval();
  EXPECT_EQ(values(dropout(x)), V(10000, 1.0));
  tg::nn::Dropout never(0.0);
  EXPECT_EQ(values(never(x)), V(10000, 1.0));
  tg::nn::Dropout always(1.0);
  EXPECT_EQ(values(always(x)), V(10000, 0.0));
  tg::nn::Dropout defaults;
  EXPECT_DOUBLE_EQ(defaults->options.p(), 0.5);
  EXPECT_ERROR(tg::nn::Dropout(1.5), "Dropout", "between 0 and 1", "1.5");
  EXPECT_ERROR(tg::nn::Dropout(-0.1), "Dropout", "between 0 and 1");
}

TEST(Dropout, Dropout2dDropsWholeChannels) {
  tg::manual_seed(9);
  tg::nn::Dropout2d dropout(0.5);
  Tensor x = tg::ones({8, 16, 3, 3});
  Tensor y = dropout(x);
  int64_t dropped = 0;
  for (int64_t n = 0; n < 8; ++n) {
    for (int64_t c = 0; c < 16; ++c) {
      const V channel = values(y[n][c]);
      EXPECT_TRUE(channel == V(9, 0.0) || channel == V(9, 2.0)) << n << ", " << c;
      dropped += channel[0] == 0.0;
    }
  }
  EXPECT_GT(dropped, 32);
  EXPECT_LT(dropped, 96);
  dropout->eval();
  EXPECT_TRUE(tg::equal(dropout(x), x));
  EXPECT_EQ(printed(dropout), "torch::nn::Dropout2d(p=0.5, inplace=false)");
  EXPECT_ERROR(dropout(tg::ones({2, 3})), "Dropout2d", "4-D", "[2, 3]");
  EXPECT_ERROR(tg::nn::Dropout2d(2.0), "Dropout2d", "between 0 and 1");
}

// ---- losses ----

TEST(LossModules, MatchTheFunctionalFormsAndRegisterWeights) {
  namespace F = tg::nn::functional;
  Tensor logits = doubles({3, 4}, {1, 2, 0, -1, 0.5, 0.5, 2, 0, -1, 0, 1, 3});
  Tensor target = tg::tensor({1, 2, 3}, kLong);
  Tensor class_weight = doubles({4}, {1, 2, 0.5, 1});
  tg::nn::CrossEntropyLoss ce;
  // Mean over rows of -log softmax at the target.
  double expected = 0;
  const V l = values(logits);
  for (int r = 0; r < 3; ++r) {
    double z = 0;
    for (int c = 0; c < 4; ++c) z += std::exp(l[r * 4 + c]);
    expected += -(l[r * 4 + (r + 1)] - std::log(z)) / 3.0;
  }
  EXPECT_NEAR(ce(logits, target).item<double>(), expected, 1e-12);
  tg::nn::CrossEntropyLoss weighted(
      tg::nn::CrossEntropyLossOptions().weight(class_weight).label_smoothing(0.1));
  EXPECT_EQ(weighted->named_buffers().keys(), (Names{"weight"}));
  EXPECT_TRUE(tg::allclose(
      weighted(logits, target),
      F::cross_entropy(logits, target,
                       F::CrossEntropyFuncOptions().weight(class_weight).label_smoothing(0.1))));
  EXPECT_TRUE(ce->named_buffers().is_empty());  // no weight given: nothing registered
  tg::nn::NLLLoss nll(tg::nn::NLLLossOptions().reduction(tg::kSum));
  Tensor log_probs = tg::log_softmax(logits, 1);
  EXPECT_NEAR(nll(log_probs, target).item<double>(), 3 * expected, 1e-12);
  tg::nn::MSELoss mse;
  EXPECT_NEAR(mse(doubles({2}, {1, 2}), doubles({2}, {0, 4})).item<double>(), 2.5, 1e-12);
  tg::nn::MSELoss mse_sum(tg::kSum);
  EXPECT_NEAR(mse_sum(doubles({2}, {1, 2}), doubles({2}, {0, 4})).item<double>(), 5, 1e-12);
  tg::nn::L1Loss l1;
  EXPECT_NEAR(l1(doubles({2}, {1, 2}), doubles({2}, {0, 4})).item<double>(), 1.5, 1e-12);
  tg::nn::BCELoss bce;
  EXPECT_NEAR(bce(doubles({2}, {0.8, 0.4}), doubles({2}, {1, 0})).item<double>(),
              -(std::log(0.8) + std::log(0.6)) / 2, 1e-12);
  tg::nn::BCEWithLogitsLoss bce_logits(
      tg::nn::BCEWithLogitsLossOptions().pos_weight(doubles({1}, {2})));
  EXPECT_EQ(bce_logits->named_buffers().keys(), (Names{"pos_weight"}));
  const double s = 1 / (1 + std::exp(-0.5));
  EXPECT_NEAR(bce_logits(doubles({2}, {0.5, 0.5}), doubles({2}, {1, 0})).item<double>(),
              (-2 * std::log(s) - std::log(1 - s)) / 2, 1e-12);
  // Class weights are buffers, so to() converts them along with the model.
  tg::nn::CrossEntropyLoss float_weighted(tg::nn::CrossEntropyLossOptions().weight(tg::ones({4})));
  float_weighted->to(kDouble);
  EXPECT_EQ(float_weighted->weight.dtype(), kDouble);
  EXPECT_EQ(printed(ce), "torch::nn::CrossEntropyLoss()");
  EXPECT_EQ(printed(nll), "torch::nn::NLLLoss()");
  EXPECT_EQ(printed(mse), "torch::nn::MSELoss()");
}

// ---- containers ----

TEST(Sequential, PushBackIndexingIterationAndForward) {
  tg::nn::Sequential seq(tg::nn::Linear(2, 3), tg::nn::ReLU());
  EXPECT_EQ(seq->size(), 2u);
  seq->push_back(tg::nn::Linear(3, 1));
  seq->push_back("out", tg::nn::Sigmoid());
  EXPECT_EQ(seq->size(), 4u);
  EXPECT_EQ(seq->named_children().keys(), (Names{"0", "1", "2", "out"}));
  EXPECT_NE(seq[0]->as<tg::nn::Linear>(), nullptr);
  EXPECT_EQ(seq->ptr<tg::nn::LinearImpl>(2)->options.in_features(), 3);
  EXPECT_EQ(seq->at<tg::nn::LinearImpl>(0).options.out_features(), 3);
  size_t count = 0;
  for (auto& module : *seq) {
    EXPECT_FALSE(module.is_empty());
    ++count;
  }
  EXPECT_EQ(count, 4u);
  Tensor x = tg::rand({5, 2});
  Tensor expected = tg::sigmoid(
      seq->at<tg::nn::LinearImpl>(2).forward(tg::relu(seq->at<tg::nn::LinearImpl>(0).forward(x))));
  EXPECT_TRUE(tg::allclose(seq(x), expected));
  EXPECT_TRUE(tg::allclose(seq->forward(x), expected));
  EXPECT_ERROR(seq->ptr<tg::nn::ReLUImpl>(0), "AnyModule", "LinearImpl", "ReLUImpl");
  EXPECT_ERROR(seq[9], "Sequential", "Index out of range", "index 9 for a Sequential of 4 modules");
}

TEST(Sequential, NamedConstructionFunctionalAndSharedPointers) {
  tg::nn::Sequential seq({{"fc", tg::nn::Linear(3, 2)},
                          {"act", tg::nn::Functional(tg::relu)},
                          {"scale", std::make_shared<ScaleImpl>(2, 3.0)}});
  EXPECT_EQ(seq->named_parameters().keys(), (Names{"fc.weight", "fc.bias", "scale.w"}));
  Tensor x = tg::rand({4, 3});
  Tensor expected = tg::relu(seq->at<tg::nn::LinearImpl>(0).forward(x)) * 3.0;
  EXPECT_TRUE(tg::allclose(seq(x), expected));
  tg::nn::Sequential bound(tg::nn::Functional(tg::leaky_relu, 0.5));
  expect_close(values(bound(doubles({2}, {-2, 2}))), {-1, 2});
  tg::nn::Sequential lambda(tg::nn::Functional([](Tensor t) { return t * 2; }));
  expect_close(values(lambda(doubles({1}, {4}))), {8});
  tg::nn::Sequential extended;
  extended->extend(*seq);
  EXPECT_EQ(extended->size(), 3u);
  tg::nn::Sequential from_impl;
  from_impl->push_back(tg::nn::TanhImpl());
  from_impl->push_back("named", tg::nn::LinearImpl(2, 2));
  EXPECT_EQ(from_impl->named_children().keys(), (Names{"0", "named"}));
}

TEST(Sequential, ErrorsNameTheFailingModuleAndShape) {
  tg::nn::Sequential seq(tg::nn::Linear(4, 3), tg::nn::ReLU());
  EXPECT_ERROR(seq(tg::zeros({2, 5})), "Sequential: module 0",
               "torch::nn::Linear(in_features=4, out_features=3, bias=true)",
               "input of shape [2, 5]",
               "Linear: expected input with 4 features (last dimension) but got 5; input shape "
               "[2, 5]");
  tg::nn::Sequential later(tg::nn::Linear(4, 3), tg::nn::Linear(4, 2));
  EXPECT_ERROR(later(tg::zeros({2, 4})), "Sequential: module 1", "input of shape [2, 3]",
               "expected input with 4 features", "but got 3");
  tg::nn::Sequential empty;
  EXPECT_ERROR(empty(tg::zeros({1})), "Sequential", "empty Sequential", "push_back");
  EXPECT_ERROR(seq->push_back("0", tg::nn::ReLU()), "register_module", "'0'", "already defined");
  EXPECT_EQ(seq->size(), 2u);  // the failed push_back left it unchanged
  EXPECT_ERROR(seq->push_back("a.b", tg::nn::ReLU()), "register_module", "'a.b'", "dot");
}

TEST(ModuleList, PushBackIterationIndexingAndInsert) {
  Stack stack(3);
  EXPECT_EQ(stack->blocks->size(), 3u);
  EXPECT_EQ(stack->named_parameters().keys(),
            (Names{"blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias",
                   "blocks.2.weight", "blocks.2.bias"}));
  Tensor x = tg::rand({2, 3});
  Tensor expected = x;
  for (size_t i = 0; i < 3; ++i)
    expected = stack->blocks->at<tg::nn::LinearImpl>(i).forward(expected);
  EXPECT_TRUE(tg::allclose(stack(x), expected));
  tg::nn::ModuleList list(tg::nn::Linear(1, 1), tg::nn::ReLU());
  list->push_back(tg::nn::Dropout());
  list->push_back(std::make_shared<tg::nn::TanhImpl>());
  EXPECT_EQ(list->size(), 4u);
  EXPECT_NE(list[1]->as<tg::nn::ReLU>(), nullptr);
  EXPECT_NE(list->ptr<tg::nn::DropoutImpl>(2), nullptr);
  list->insert(1, tg::nn::Sigmoid());
  EXPECT_EQ(list->named_children().keys(), (Names{"0", "1", "2", "3", "4"}));
  EXPECT_NE(list[1]->as<tg::nn::Sigmoid>(), nullptr);
  EXPECT_NE(list[2]->as<tg::nn::ReLU>(), nullptr);
  EXPECT_NE(list->named_children()["2"]->as<tg::nn::ReLU>(), nullptr);
  int n = 0;
  for (const auto& m : *list) n += m != nullptr;
  EXPECT_EQ(n, 5);
  EXPECT_ERROR(list->at<tg::nn::LinearImpl>(1), "ModuleList", "index 1", "SigmoidImpl",
               "LinearImpl");
  EXPECT_ERROR(list[5], "ModuleList", "Index out of range",
               "index 5 for a ModuleList of 5 modules");
  EXPECT_ERROR(list->insert(9, tg::nn::ReLU()), "ModuleList::insert", "index 9");
}

// ---- printing ----

TEST(Printing, ModulesDescribeThemselves) {
  EXPECT_EQ(printed(tg::nn::Linear(784, 256)),
            "torch::nn::Linear(in_features=784, out_features=256, bias=true)");
  EXPECT_EQ(printed(tg::nn::Linear(tg::nn::LinearOptions(3, 1).bias(false))),
            "torch::nn::Linear(in_features=3, out_features=1, bias=false)");
  EXPECT_EQ(printed(tg::nn::Conv2d(tg::nn::Conv2dOptions(1, 32, 3).padding(1))),
            "torch::nn::Conv2d(1, 32, kernel_size=[3, 3], stride=[1, 1], padding=[1, 1])");
  EXPECT_EQ(printed(tg::nn::Conv2d(
                tg::nn::Conv2dOptions(4, 8, {3, 5}).stride(2).groups(2).dilation(2).bias(false))),
            "torch::nn::Conv2d(4, 8, kernel_size=[3, 5], stride=[2, 2], dilation=[2, 2], groups=2, "
            "bias=false)");
  EXPECT_EQ(printed(tg::nn::MaxPool2d(2)),
            "torch::nn::MaxPool2d(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0], "
            "dilation=[1, 1], ceil_mode=false)");
  EXPECT_EQ(printed(tg::nn::AvgPool2d(tg::nn::AvgPool2dOptions(3).stride(1))),
            "torch::nn::AvgPool2d(kernel_size=[3, 3], stride=[1, 1], padding=[0, 0])");
  EXPECT_EQ(printed(tg::nn::AdaptiveAvgPool2d(1)),
            "torch::nn::AdaptiveAvgPool2d(output_size=[1, 1])");
  EXPECT_EQ(printed(tg::nn::BatchNorm2d(16)),
            "torch::nn::BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=true, "
            "track_running_stats=true)");
  EXPECT_EQ(printed(tg::nn::BatchNorm1d(tg::nn::BatchNormOptions(4).momentum(std::nullopt))),
            "torch::nn::BatchNorm1d(4, eps=1e-05, momentum=None, affine=true, "
            "track_running_stats=true)");
  EXPECT_EQ(printed(tg::nn::Dropout(0.25)), "torch::nn::Dropout(p=0.25, inplace=false)");
  EXPECT_EQ(printed(tg::nn::Embedding(10, 3)),
            "torch::nn::Embedding(num_embeddings=10, "
            "embedding_dim=3)");
  EXPECT_EQ(printed(tg::nn::Embedding(tg::nn::EmbeddingOptions(10, 3).padding_idx(0))),
            "torch::nn::Embedding(num_embeddings=10, embedding_dim=3, padding_idx=0)");
  EXPECT_EQ(printed(tg::nn::Flatten()), "torch::nn::Flatten(start_dim=1, end_dim=-1)");
  EXPECT_EQ(printed(tg::nn::ReLU()), "torch::nn::ReLU()");
  EXPECT_EQ(printed(tg::nn::ReLU(true)), "torch::nn::ReLU(inplace=true)");
  EXPECT_EQ(printed(tg::nn::LeakyReLU()), "torch::nn::LeakyReLU(negative_slope=0.01)");
  EXPECT_EQ(printed(tg::nn::GELU()), "torch::nn::GELU()");
  EXPECT_EQ(printed(tg::nn::GELU(tg::nn::GELUOptions().approximate("tanh"))),
            "torch::nn::GELU(approximate='tanh')");
  EXPECT_EQ(printed(tg::nn::Tanh()), "torch::nn::Tanh()");
  EXPECT_EQ(printed(tg::nn::Sigmoid()), "torch::nn::Sigmoid()");
  EXPECT_EQ(printed(tg::nn::Softmax(1)), "torch::nn::Softmax(dim=1)");
  EXPECT_EQ(printed(tg::nn::LogSoftmax(-1)), "torch::nn::LogSoftmax(dim=-1)");
  EXPECT_EQ(printed(tg::nn::Identity()), "torch::nn::Identity()");
  EXPECT_EQ(printed(tg::nn::Functional(tg::relu)), "torch::nn::Functional()");
}

TEST(Printing, NestedModulesIndentTheirChildren) {
  Net net;
  EXPECT_EQ(printed(net),
            "NetImpl(\n"
            "  (fc1): torch::nn::Linear(in_features=4, out_features=3, bias=true)\n"
            "  (seq): torch::nn::Sequential(\n"
            "    (0): torch::nn::ReLU()\n"
            "    (1): torch::nn::Dropout(p=0.5, inplace=false)\n"
            "  )\n"
            ")");
  EXPECT_EQ(printed(tg::nn::ModuleList(tg::nn::Tanh())),
            "torch::nn::ModuleList(\n  (0): torch::nn::Tanh()\n)");
}

// ---- clone ----

TEST(Clone, DeepCopiesParametersBuffersAndChildren) {
  tg::nn::Linear fc(3, 2);
  auto copy = std::dynamic_pointer_cast<tg::nn::LinearImpl>(fc->clone());
  ASSERT_NE(copy, nullptr);
  EXPECT_TRUE(tg::equal(copy->weight, fc->weight));
  EXPECT_NE(copy->weight.data_ptr(), fc->weight.data_ptr());
  EXPECT_TRUE(copy->named_parameters()["weight"].is_same(copy->weight));
  EXPECT_TRUE(copy->weight.requires_grad());
  {
    NoGradGuard no_grad;
    copy->weight.fill_(0);
  }
  EXPECT_GT(max_abs(values(fc->weight)), 0.0);  // the original is untouched

  tg::nn::BatchNorm1d bn(2);
  bn(tg::rand({4, 2}));
  bn->eval();
  auto bn_copy = std::dynamic_pointer_cast<tg::nn::BatchNorm1dImpl>(bn->clone());
  EXPECT_TRUE(tg::equal(bn_copy->running_mean, bn->running_mean));
  EXPECT_EQ(bn_copy->num_batches_tracked.item<int64_t>(), 1);
  EXPECT_FALSE(bn_copy->is_training());

  tg::nn::Sequential seq(tg::nn::Linear(2, 2), tg::nn::ReLU(), tg::nn::Linear(2, 1));
  auto seq_copy = std::dynamic_pointer_cast<tg::nn::SequentialImpl>(seq->clone());
  ASSERT_NE(seq_copy, nullptr);
  EXPECT_EQ(seq_copy->named_parameters().keys(), seq->named_parameters().keys());
  Tensor x = tg::rand({3, 2});
  EXPECT_TRUE(tg::equal(seq_copy->forward(x), seq->forward(x)));
  EXPECT_NE(seq_copy->ptr<tg::nn::LinearImpl>(0)->weight.data_ptr(),
            seq->ptr<tg::nn::LinearImpl>(0)->weight.data_ptr());

  Net net;
  EXPECT_ERROR(net->clone(), "clone", "NetImpl", "tg::nn::Cloneable<NetImpl>");
}

// ---- registration errors ----

TEST(ModuleErrors, NamesMustBeNewNonEmptyAndDotless) {
  Net net;
  EXPECT_ERROR(net->register_parameter("scale", tg::ones({1})), "register_parameter", "'scale'",
               "already defined", "NetImpl");
  EXPECT_ERROR(net->register_buffer("steps", tg::ones({1})), "register_buffer", "'steps'",
               "already defined", "NetImpl");
  EXPECT_ERROR(net->register_buffer("scale", tg::ones({1})), "register_buffer", "'scale'",
               "parameter");
  EXPECT_ERROR(net->register_parameter("steps", tg::ones({1})), "register_parameter", "'steps'",
               "buffer");
  EXPECT_ERROR(net->register_module("fc1", tg::nn::Linear(1, 1)), "register_module", "'fc1'",
               "already defined", "replace_module");
  EXPECT_ERROR(net->register_parameter("a.b", tg::ones({1})), "register_parameter", "'a.b'",
               "must not contain a dot");
  EXPECT_ERROR(net->register_buffer("x.y", tg::ones({1})), "register_buffer", "dot");
  EXPECT_ERROR(net->register_module("m.n", tg::nn::ReLU()), "register_module", "'m.n'", "dot");
  EXPECT_ERROR(net->register_parameter("", tg::ones({1})), "register_parameter", "empty");
  EXPECT_ERROR(net->register_parameter("ids", tg::zeros({2}, kLong)), "register_parameter", "'ids'",
               "Long", "requires_grad=false");
  // An integer tensor may be registered as a parameter that does not require grad.
  net->register_parameter("ids", tg::zeros({2}, kLong), /*requires_grad=*/false);
  EXPECT_FALSE(net->named_parameters()["ids"].requires_grad());
}

TEST(ModuleErrors, ModulesWithIncludeSelfNeedASharedPointer) {
  NetImpl on_stack;
  EXPECT_EQ(on_stack.modules(/*include_self=*/false).size(), 4u);
  EXPECT_ERROR(on_stack.modules(), "NetImpl", "std::shared_ptr", "include_self=false");
}

TEST(ModuleErrors, ForwardChecksNameTheModuleAndTheShapes) {
  tg::nn::Linear fc(784, 256);
  EXPECT_ERROR(fc(tg::zeros({2, 100})),
               "Linear: expected input with 784 features (last dimension) but got 100; input "
               "shape [2, 100]");
  EXPECT_ERROR(fc(tg::zeros({})), "Linear: expected input with 784 features", "0-d");
  EXPECT_ERROR(fc(Tensor()), "Linear", "undefined");
  EXPECT_ERROR(fc(tg::zeros({2, 784}, kLong)), "Linear", "dtype Long", "Float");
  tg::nn::Conv2d conv(tg::nn::Conv2dOptions(3, 8, 3));
  EXPECT_ERROR(conv(tg::zeros({2, 4, 8, 8})),
               "Conv2d: expected input with 3 channels (dimension 1) but got 4; input shape "
               "[2, 4, 8, 8]");
  EXPECT_ERROR(conv(tg::zeros({2, 784})), "Conv2d", "4-D", "[2, 784]");
  EXPECT_ERROR(tg::nn::Conv2d(tg::nn::Conv2dOptions(3, 8, 3).groups(2)), "Conv2d",
               "in_channels (3)", "divisible by groups (2)");
  EXPECT_ERROR(tg::nn::Conv2d(tg::nn::Conv2dOptions(4, 6, 3).groups(4)), "Conv2d",
               "out_channels (6)", "divisible by groups (4)");
  EXPECT_ERROR(tg::nn::Conv2d(tg::nn::Conv2dOptions(4, 6, 0)), "Conv2d", "kernel_size", "positive");
  tg::nn::BatchNorm2d bn(4);
  EXPECT_ERROR(bn(tg::zeros({2, 4, 3})), "BatchNorm2d", "expected 4D input", "got 3D");
  EXPECT_ERROR(bn(tg::zeros({2, 3, 2, 2})), "BatchNorm2d", "4 channels", "got 3");
  tg::nn::BatchNorm1d bn1(4);
  EXPECT_ERROR(bn1(tg::zeros({2, 4, 3, 3})), "BatchNorm1d", "2D or 3D", "got 4D");
  tg::nn::Embedding embedding(5, 2);
  EXPECT_ERROR(embedding(tg::zeros({3})), "Embedding", "Long", "Float", "to(tg::kLong)");
  EXPECT_ERROR(tg::nn::Embedding(tg::nn::EmbeddingOptions(5, 2).padding_idx(5)), "Embedding",
               "padding_idx 5", "within num_embeddings");
  EXPECT_ERROR(tg::nn::Embedding::from_pretrained(tg::zeros({3})), "from_pretrained",
               "2-dimensional", "[3]");
  tg::nn::MaxPool2d pool(2);
  EXPECT_ERROR(pool(tg::zeros({4, 4})), "MaxPool2d", "4-D", "[4, 4]");
}

// ---- training end to end ----

TEST(Training, PlainGradientDescentReducesTheLoss) {
  tg::manual_seed(11);
  tg::nn::Sequential model(tg::nn::Linear(3, 16), tg::nn::Tanh(), tg::nn::Linear(16, 1));
  Tensor x = tg::rand({32, 3});
  Tensor target = (x.sum({1}, true) - 1.5).tanh();  // one tanh unit represents it
  auto loss_of = [&] { return (model(x) - target).pow(2).mean(); };
  const double first = loss_of().item<double>();
  for (int step = 0; step < 200; ++step) {
    model->zero_grad();
    loss_of().backward();
    NoGradGuard no_grad;
    for (auto& p : model->parameters()) p.sub_(p.grad() * 0.1);
  }
  const double last = loss_of().item<double>();
  EXPECT_LT(last, 0.2 * first) << "first " << first << " last " << last;
}
