// A training program written for libtorch, in the style of libtorch's MNIST example, compiled
// against tensorgrad: the only line that differs from the libtorch version is the include of
// <tensorgrad/torch.h> (bench/train_epoch builds this file against libtorch with that line
// replaced by <torch/torch.h>). It trains a CNN (a custom Module with registered submodules, SGD
// with momentum, nll_loss) and an MLP (nn::Sequential, Adam, cross_entropy, gradient clipping,
// StepLR) for a few steps on synthetic data, and checks that the loss drops.
#include <gtest/gtest.h>
#include <tensorgrad/torch.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace {

constexpr int64_t kClasses = 4;
constexpr int64_t kSide = 8;

struct Net : torch::nn::Module {
  Net()
      : conv1(torch::nn::Conv2dOptions(1, 8, /*kernel_size=*/3).padding(1)),
        bn1(8),
        conv2(torch::nn::Conv2dOptions(8, 16, /*kernel_size=*/3).padding(1)),
        fc1(16 * (kSide / 4) * (kSide / 4), 32),
        fc2(32, kClasses) {
    register_module("conv1", conv1);
    register_module("bn1", bn1);
    register_module("conv2", conv2);
    register_module("conv2_drop", conv2_drop);
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }

  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(torch::max_pool2d(bn1->forward(conv1->forward(x)), 2));
    x = torch::relu(torch::max_pool2d(conv2_drop->forward(conv2->forward(x)), 2));
    x = x.view({-1, 16 * (kSide / 4) * (kSide / 4)});
    x = torch::relu(fc1->forward(x));
    x = torch::dropout(x, /*p=*/0.1, /*train=*/is_training());
    x = fc2->forward(x);
    return torch::log_softmax(x, /*dim=*/1);
  }

  torch::nn::Conv2d conv1;
  torch::nn::BatchNorm2d bn1;
  torch::nn::Conv2d conv2;
  torch::nn::Dropout2d conv2_drop;
  torch::nn::Linear fc1;
  torch::nn::Linear fc2;
};

/// Images [n, 1, 8, 8]: one random template per class plus noise; labels [n].
struct Synthetic {
  torch::Tensor images;
  torch::Tensor labels;
};

Synthetic make_data(int64_t n) {
  const torch::Tensor templates = torch::randn({kClasses, 1, kSide, kSide});
  const torch::Tensor labels = torch::randint(0, kClasses, {n}, torch::kLong);
  const torch::Tensor noise = torch::randn({n, 1, kSide, kSide}) * 0.5;
  return {templates.index_select(0, labels) + noise, labels};
}

/// The mean loss of `forward` over the data (or its first `limit` rows), without gradients.
template <class Forward>
double mean_loss(Forward forward, const Synthetic& data,
                 torch::optional<int64_t> limit = torch::nullopt) {
  torch::NoGradGuard no_grad;
  const int64_t n = limit.value_or(data.images.size(0));
  return torch::nll_loss(forward(data.images.slice(0, 0, n)), data.labels.slice(0, 0, n))
      .template item<double>();
}

TEST(TrainPort, CnnModuleWithSgd) {
  torch::manual_seed(1);
  const Synthetic train = make_data(256);

  auto net = std::make_shared<Net>();
  torch::optim::SGD optimizer(net->parameters(),
                              torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(1e-4));
  auto eval_forward = [&](const torch::Tensor& x) {
    net->eval();
    torch::Tensor out = net->forward(x);
    net->train();
    return out;
  };
  const double before = mean_loss(eval_forward, train);

  net->train();
  const int64_t batch_size = 32;
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    const torch::Tensor order = torch::randperm(train.images.size(0));
    for (int64_t begin = 0; begin < train.images.size(0); begin += batch_size) {
      const torch::Tensor index = order.slice(/*dim=*/0, begin, begin + batch_size);
      const torch::Tensor data = train.images.index_select(0, index);
      const torch::Tensor target = train.labels.index_select(0, index);
      optimizer.zero_grad();
      torch::Tensor output = net->forward(data);
      torch::Tensor loss = torch::nll_loss(output, target);
      loss.backward();
      optimizer.step();
      ASSERT_TRUE(std::isfinite(loss.item<double>()));
    }
  }

  const double after = mean_loss(eval_forward, train);
  EXPECT_LT(after, 0.5 * before) << "before " << before << ", after " << after;

  // The parameters and buffers are named as in libtorch.
  std::vector<std::string> names;
  for (const auto& pair : net->named_parameters()) names.push_back(pair.key());
  EXPECT_EQ(names, (std::vector<std::string>{"conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias",
                                             "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
                                             "fc2.weight", "fc2.bias"}));
  EXPECT_EQ(net->named_buffers().size(), 3U);  // running_mean, running_var, num_batches_tracked
}

TEST(TrainPort, SequentialMlpWithAdamClippingAndStepLR) {
  torch::manual_seed(2);
  const Synthetic train = make_data(256);

  torch::nn::Sequential mlp(torch::nn::Flatten(), torch::nn::Linear(kSide * kSide, 32),
                            torch::nn::ReLU(), torch::nn::Linear(32, kClasses),
                            torch::nn::LogSoftmax(1));
  torch::optim::Adam optimizer(mlp->parameters(), torch::optim::AdamOptions(1e-2));
  torch::optim::StepLR scheduler(optimizer, /*step_size=*/2, /*gamma=*/0.5);
  namespace F = torch::nn::functional;

  auto forward = [&](const torch::Tensor& x) { return mlp->forward(x); };
  const double before = mean_loss(forward, train);
  for (int64_t epoch = 0; epoch < 4; ++epoch) {
    for (int64_t begin = 0; begin < train.images.size(0); begin += 64) {
      const torch::Tensor data = train.images.slice(0, begin, begin + 64);
      const torch::Tensor target = train.labels.slice(0, begin, begin + 64);
      optimizer.zero_grad();
      torch::Tensor loss = F::nll_loss(mlp->forward(data), target);
      loss.backward();
      torch::nn::utils::clip_grad_norm_(mlp->parameters(), /*max_norm=*/5.0);
      optimizer.step();
    }
    scheduler.step();
  }
  const double after = mean_loss(forward, train);
  EXPECT_LT(after, 0.5 * before) << "before " << before << ", after " << after;
  EXPECT_LT(mean_loss(forward, train, /*limit=*/64), 0.5 * before);  // the first batch too

  // libtorch's StepLR decays on the calls that find step_count (counted from 0 before the
  // call) a non-zero multiple of step_size: of 4 calls, only the third.
  auto& options = static_cast<torch::optim::AdamOptions&>(optimizer.param_groups()[0].options());
  EXPECT_DOUBLE_EQ(options.lr(), 1e-2 * 0.5);

  // The accuracy of the trained model, the libtorch way.
  torch::NoGradGuard no_grad;
  mlp->eval();
  const torch::Tensor prediction = mlp->forward(train.images).argmax(1);
  const double accuracy =
      prediction.eq(train.labels).sum().item<int64_t>() / static_cast<double>(train.labels.size(0));
  EXPECT_GT(accuracy, 0.9);
}

TEST(TrainPort, CrossEntropyOnLogitsMatchesLogSoftmaxAndNllLoss) {
  torch::manual_seed(3);
  const torch::Tensor logits = torch::randn({16, kClasses});
  const torch::Tensor target = torch::randint(0, kClasses, {16}, torch::kLong);
  namespace F = torch::nn::functional;
  const double a = F::cross_entropy(logits, target).item<double>();
  const double b = torch::nll_loss(torch::log_softmax(logits, 1), target).item<double>();
  EXPECT_NEAR(a, b, 1e-6);
}

}  // namespace
