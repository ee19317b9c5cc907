// One training epoch of the Fashion-MNIST recipe (tensorgrad-train's MLP or CNN, Adam lr 1e-3,
// batch 64, inputs scaled to [0, 1] and normalised with mean 0.2860 and std 0.3530), timed.
//
// The same source is compiled twice: against tensorgrad through <tensorgrad/torch.h> (C++20) and
// against libtorch through <torch/torch.h> (C++17, BENCH_LIBTORCH=1), so both libraries run the
// same model code on the same batches in the same order. The data is read and batched here with
// zlib and plain loops, outside both libraries, so the time is that of the model's steps and the
// batch copies, nothing else.
//
//   train_epoch_tensorgrad --model cnn --threads 2 [--data DIR] [--seed N]
//
// prints one line: "RESULT library=... model=... threads=... seconds=... cpu_seconds=... flops=...
// loss=... accuracy=...": the epoch's wall-clock seconds, the CPU seconds of all threads in that
// time, the epoch's counted floating-point work (see step_flops_per_image), the mean training
// loss and the test accuracy after the epoch.
#if BENCH_LIBTORCH
#include <torch/torch.h>
#else
#include <tensorgrad/torch.h>
#endif

#include <time.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

#if BENCH_LIBTORCH
constexpr const char* kLibrary = "libtorch";
#else
constexpr const char* kLibrary = "tensorgrad";
#endif

constexpr float kMean = 0.2860F;
constexpr float kStd = 0.3530F;
constexpr int64_t kPixels = 28 * 28;

std::vector<uint8_t> read_gz(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw std::runtime_error("cannot open " + path);
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  int got = 0;
  while ((got = gzread(file, chunk, sizeof(chunk))) > 0)
    bytes.insert(bytes.end(), chunk, chunk + got);
  const bool failed = got < 0;
  gzclose(file);
  if (failed) throw std::runtime_error("cannot read " + path);
  return bytes;
}

uint32_t big_endian(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) |
         uint32_t{b[at + 3]};
}

struct Split {
  std::vector<float> images;  // normalised, [count, 784]
  std::vector<int64_t> labels;
  int64_t count = 0;
};

Split read_split(const std::string& dir, const std::string& prefix) {
  const std::vector<uint8_t> images = read_gz(dir + "/" + prefix + "-images-idx3-ubyte.gz");
  const std::vector<uint8_t> labels = read_gz(dir + "/" + prefix + "-labels-idx1-ubyte.gz");
  if (images.size() < 16 || big_endian(images, 0) != 2051 || labels.size() < 8 ||
      big_endian(labels, 0) != 2049)
    throw std::runtime_error("not IDX files: " + dir + "/" + prefix);
  Split s;
  s.count = big_endian(images, 4);
  if (big_endian(labels, 4) != s.count || big_endian(images, 8) != 28 ||
      big_endian(images, 12) != 28 || images.size() != 16 + size_t(s.count) * kPixels ||
      labels.size() != 8 + size_t(s.count))
    throw std::runtime_error("unexpected IDX sizes in " + dir + "/" + prefix);
  s.images.resize(size_t(s.count) * kPixels);
  for (size_t i = 0; i < s.images.size(); ++i)
    s.images[i] = (static_cast<float>(images[16 + i]) / 255.0F - kMean) / kStd;
  s.labels.assign(labels.begin() + 8, labels.end());
  return s;
}

torch::nn::Sequential make_model(const std::string& kind) {
  namespace nn = torch::nn;
  if (kind == "mlp")
    return nn::Sequential(nn::Flatten(), nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 128),
                          nn::ReLU(), nn::Linear(128, 10));
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1)), nn::ReLU(),
                        nn::MaxPool2d(2), nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1)),
                        nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(64 * 7 * 7, 128),
                        nn::ReLU(), nn::Linear(128, 10));
}

/// Floating-point operations of one training step per image in the batch, from the model's
/// shapes: for each layer with a weight of 2 or more dims (Conv2d, Linear), a multiply-add of
/// its GEMM-like work counts 2 flops, and it does that work three times: forward, the weight
/// gradient and the input gradient; the first such layer does it twice, as its input (the data)
/// needs no gradient and neither library computes one. Biases, activations, pooling, the loss
/// and Adam add a few flops per element or parameter, about 1% of the total by a rough count,
/// and are not counted.
double step_flops_per_image(torch::nn::Sequential& model) {
  torch::NoGradGuard no_grad;
  torch::Tensor x = torch::zeros({1, 1, 28, 28});
  double flops = 0;
  bool first = true;
  for (auto& layer : *model) {
    x = layer.forward(x);
    for (const auto& parameter : layer.ptr()->named_parameters(/*recurse=*/false)) {
      const torch::Tensor& w = parameter.value();
      if (parameter.key() != "weight" || w.dim() < 2) continue;
      // Each output element takes in_channels/groups x kernel (or in_features) multiply-adds.
      const double macs = static_cast<double>(x.numel()) * static_cast<double>(w[0].numel());
      flops += 2 * macs * (first ? 2 : 3);
      first = false;
    }
  }
  return flops;
}

/// CPU seconds used by the process so far (all its threads).
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

/// Rows `index[begin, end)` of the split as a fresh [n, 1, 28, 28] batch and [n] labels.
void gather(const Split& s, const std::vector<int64_t>& index, size_t begin, size_t end,
            torch::Tensor& data, torch::Tensor& target) {
  const auto n = static_cast<int64_t>(end - begin);
  data = torch::empty({n, 1, 28, 28}, torch::kFloat);
  target = torch::empty({n}, torch::kLong);
  float* d = data.data_ptr<float>();
  int64_t* t = target.data_ptr<int64_t>();
  for (size_t i = begin; i < end; ++i) {
    const int64_t row = index[i];
    std::memcpy(d + (i - begin) * kPixels, s.images.data() + row * kPixels,
                kPixels * sizeof(float));
    t[i - begin] = s.labels[size_t(row)];
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_kind = "cnn";
  std::string dir = "/usr/share/datasets/fashion-mnist";
  int threads = 1;
  uint64_t seed = 0;
  int64_t batch_size = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i], value = argv[i + 1];
    if (name == "--model")
      model_kind = value;
    else if (name == "--threads")
      threads = std::atoi(value.c_str());
    else if (name == "--data")
      dir = value;
    else if (name == "--seed")
      seed = std::strtoull(value.c_str(), nullptr, 10);
    else if (name == "--batch-size")
      batch_size = std::atoll(value.c_str());
    else {
      std::fprintf(stderr, "train_epoch: unknown option %s\n", name.c_str());
      return 2;
    }
  }
  if ((model_kind != "mlp" && model_kind != "cnn") || threads < 1 || batch_size < 1) {
    std::fprintf(stderr, "train_epoch: --model mlp|cnn, --threads >= 1, --batch-size >= 1\n");
    return 2;
  }
  try {
    torch::set_num_threads(threads);
    torch::manual_seed(seed);
    const Split train = read_split(dir, "train");
    const Split test = read_split(dir, "t10k");

    torch::nn::Sequential model = make_model(model_kind);
    const double epoch_flops = step_flops_per_image(model) * static_cast<double>(train.count);
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
    std::vector<int64_t> order(size_t(train.count));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);

    model->train();
    double loss_sum = 0;
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_seconds();
    for (size_t begin = 0; begin < order.size(); begin += size_t(batch_size)) {
      const size_t end = std::min(order.size(), begin + size_t(batch_size));
      torch::Tensor data, target;
      gather(train, order, begin, end, data, target);
      optimizer.zero_grad();
      torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(data), target);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>() * static_cast<double>(end - begin);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = cpu_seconds() - cpu_start;

    // Test accuracy (not timed): both libraries trained the same recipe.
    torch::NoGradGuard no_grad;
    model->eval();
    std::vector<int64_t> all(size_t(test.count));
    std::iota(all.begin(), all.end(), 0);
    int64_t correct = 0;
    for (size_t begin = 0; begin < all.size(); begin += 1000) {
      const size_t end = std::min(all.size(), begin + 1000);
      torch::Tensor data, target;
      gather(test, all, begin, end, data, target);
      correct += model->forward(data).argmax(1).eq(target).sum().item<int64_t>();
    }
    std::printf(
        "RESULT library=%s model=%s threads=%d seconds=%.3f cpu_seconds=%.3f flops=%.4e "
        "loss=%.4f accuracy=%.4f\n",
        kLibrary, model_kind.c_str(), threads, seconds, cpu, epoch_flops,
        loss_sum / static_cast<double>(train.count),
        static_cast<double>(correct) / static_cast<double>(test.count));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_epoch (%s): %s\n", kLibrary, e.what());
    return 1;
  }
  return 0;
}
