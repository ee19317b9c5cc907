// tensorgrad-train: trains an MLP or a small CNN on Fashion-MNIST and saves it as safetensors.
//
//   tensorgrad-train                         the CNN for one epoch (about a minute on 2 cores)
//   tensorgrad-train --epochs 5              a full run (CNN about 0.91 test accuracy)
//   tensorgrad-train --model mlp --epochs 5  the MLP (about 0.88)
//
// Every bad input (option, value, data folder, data file, save path) ends the program with one
// line on stderr that names the problem, and a non-zero exit status: 2 for a bad command line,
// 1 for anything that goes wrong while running.
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensorgrad/data.h"
#include "tensorgrad/nn.h"
#include "tensorgrad/optim.h"
#include "tensorgrad/serialize.h"
#include "tensorgrad/tensorgrad.h"

namespace {

namespace fs = std::filesystem;
namespace nn = tg::nn;

constexpr const char* kProgram = "tensorgrad-train";
// The recipe's normalisation: Fashion-MNIST's mean and standard deviation after scaling to [0, 1].
constexpr double kMean = 0.2860;
constexpr double kStd = 0.3530;
constexpr int64_t kImageSide = 28;
constexpr int64_t kClasses = 10;

/// A bad command line: exit status 2.
struct UsageError {
  std::string message;
};
/// A problem while running (data, saving): exit status 1.
struct RunError {
  std::string message;
};

struct Options {
  std::string model = "cnn";
  int64_t epochs = 1;
  int64_t batch_size = 64;
  double lr = 1e-3;
  int threads = 0;  // 0: all cores this process may run on
  uint64_t seed = 0;
  std::string data = tg::data::datasets::kFashionMnistRoot;
  std::string save = "model.safetensors";
  std::optional<int64_t> limit;
  bool help = false;
};

void print_help(std::ostream& out) {
  out << "Usage: " << kProgram << " [options]\n"
      << "Trains a classifier on Fashion-MNIST (28x28 grey images of clothes, 10 classes),\n"
      << "prints the training loss, test accuracy and time of each epoch, and saves the model\n"
      << "as a safetensors file.\n"
      << "\n"
      << "Options:\n"
      << "  --model mlp|cnn    cnn: conv 32 3x3, pool, conv 64 3x3, pool, fc 128, fc 10;\n"
      << "                     mlp: 784-256-128-10 (default: cnn)\n"
      << "  --epochs N         passes over the training set, 1 to 1000 (default: 1)\n"
      << "  --batch-size N     images per step, 1 to 8192 (default: 64)\n"
      << "  --lr X             Adam learning rate, 0 < X <= 10 (default: 0.001)\n"
      << "  --threads N        threads, 1 to 1024 (default: all cores)\n"
      << "  --seed N           seed of the initial weights and of the shuffling (default: 0)\n"
      << "  --data DIR         folder with the IDX files, gzip'd or not (default:\n"
      << "                     " << tg::data::datasets::kFashionMnistRoot << ", from the Debian\n"
      << "                     package dataset-fashion-mnist)\n"
      << "  --save PATH        where to save the trained model (default: model.safetensors)\n"
      << "  --limit N          train on the first N training images only (quick runs)\n"
      << "  --help             this text\n"
      << "\n"
      << "The defaults train the CNN for one epoch: under a minute on 2 cores, about 0.88 test\n"
      << "accuracy. A full run is `" << kProgram << " --epochs 5`: the CNN reaches about 0.915\n"
      << "test accuracy, the MLP (`--model mlp --epochs 5`, a few seconds an epoch) about 0.885.\n";
}

// ---- command line ----

template <class T>
T parse_integer(const std::string& option, const std::string& text, T low, T high) {
  if (std::is_unsigned_v<T> && !text.empty() && text[0] == '-')
    throw UsageError{option + " must be between " + std::to_string(low) + " and " +
                     std::to_string(high) + " (got " + text + ")"};
  T value{};
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec == std::errc::result_out_of_range ||
      (ec == std::errc() && end == last && (value < low || value > high)))
    throw UsageError{option + " must be between " + std::to_string(low) + " and " +
                     std::to_string(high) + " (got " + text + ")"};
  if (ec != std::errc() || end != last || text.empty())
    throw UsageError{option + " takes a whole number (got '" + text + "')"};
  return value;
}

double parse_lr(const std::string& option, const std::string& text) {
  double value = 0;
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(text.data(), last, value);
  if (ec == std::errc::result_out_of_range)
    throw UsageError{option + " must be greater than 0 and at most 10 (got " + text + ")"};
  if (ec != std::errc() || end != last || text.empty())
    throw UsageError{option + " takes a number such as 0.001 (got '" + text + "')"};
  if (!(value > 0 && value <= 10))  // also rejects nan
    throw UsageError{option + " must be greater than 0 and at most 10 (got " + text + ")"};
  return value;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2)
      throw UsageError{"unexpected argument '" + arg + "' (options start with --; see --help)"};
    std::string name = arg;
    std::optional<std::string> value;
    if (const size_t eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    static const std::vector<std::string> kWithValue = {"--model", "--epochs",  "--batch-size",
                                                        "--lr",    "--threads", "--seed",
                                                        "--data",  "--save",    "--limit"};
    if (std::find(kWithValue.begin(), kWithValue.end(), name) == kWithValue.end()) {
      if (name == "--help") throw UsageError{"--help takes no value"};
      throw UsageError{"unknown option '" + name + "' (see --help)"};
    }
    if (!value) {
      if (i + 1 >= argc) throw UsageError{name + " needs a value (see --help)"};
      value = argv[++i];
    }
    const std::string& v = *value;
    if (name == "--model") {
      if (v != "mlp" && v != "cnn")
        throw UsageError{"--model must be mlp or cnn (got '" + v + "')"};
      o.model = v;
    } else if (name == "--epochs") {
      o.epochs = parse_integer<int64_t>(name, v, 1, 1000);
    } else if (name == "--batch-size") {
      o.batch_size = parse_integer<int64_t>(name, v, 1, 8192);
    } else if (name == "--lr") {
      o.lr = parse_lr(name, v);
    } else if (name == "--threads") {
      o.threads = parse_integer<int>(name, v, 1, 1024);
    } else if (name == "--seed") {
      o.seed = parse_integer<uint64_t>(name, v, 0, std::numeric_limits<uint64_t>::max());
    } else if (name == "--data") {
      if (v.empty()) throw UsageError{"--data needs a folder"};
      o.data = v;
    } else if (name == "--save") {
      if (v.empty()) throw UsageError{"--save needs a file name"};
      o.save = v;
    } else if (name == "--limit") {
      o.limit = parse_integer<int64_t>(name, v, 1, std::numeric_limits<int32_t>::max());
    }
  }
  return o;
}

/// The cores this process may run on (its affinity mask), at least 1.
int available_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

// ---- data ----

bool has_idx(const fs::path& folder, const std::string& name) {
  std::error_code ec;
  return fs::is_regular_file(folder / name, ec) || fs::is_regular_file(folder / (name + ".gz"), ec);
}

struct Split {
  tg::Tensor images;  // kFloat [count, 1, 28, 28], normalised
  tg::Tensor labels;  // kLong [count]
};

Split load_split(const std::string& folder, tg::data::datasets::MNIST::Mode mode) {
  tg::data::datasets::MNIST set(folder, mode);
  const tg::Tensor& images = set.images();
  const char* which = mode == tg::data::datasets::MNIST::Mode::kTrain ? "training" : "test";
  if (images.size(0) == 0)
    throw RunError{std::string("the ") + which + " set in '" + folder + "' holds no images"};
  if (images.size(2) != kImageSide || images.size(3) != kImageSide)
    throw RunError{std::string("the ") + which + " images in '" + folder + "' are " +
                   std::to_string(images.size(2)) + "x" + std::to_string(images.size(3)) +
                   "; the models take 28x28 images"};
  // In place: the dataset's copy is ours, and a second 188 MB tensor for 60,000 images is not
  // needed.
  tg::Tensor normalized = images;
  normalized.sub_(kMean).div_(kStd);
  return {normalized, set.targets()};
}

// ---- models ----

nn::Sequential make_model(const std::string& kind) {
  if (kind == "mlp")
    return nn::Sequential(nn::Flatten(), nn::Linear(kImageSide * kImageSide, 256), nn::ReLU(),
                          nn::Linear(256, 128), nn::ReLU(), nn::Linear(128, kClasses));
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1)), nn::ReLU(),
                        nn::MaxPool2d(2), nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1)),
                        nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                        nn::Linear(64 * (kImageSide / 4) * (kImageSide / 4), 128), nn::ReLU(),
                        nn::Linear(128, kClasses));
}

/// The fraction of `split` that `model` classifies correctly.
double accuracy(nn::Sequential& model, const Split& split) {
  tg::NoGradGuard no_grad;
  model->eval();
  constexpr int64_t kBatch = 200;
  const int64_t count = split.images.size(0);
  int64_t correct = 0;
  for (int64_t begin = 0; begin < count; begin += kBatch) {
    const int64_t n = std::min(kBatch, count - begin);
    const tg::Tensor logits = model->forward(split.images.narrow(0, begin, n));
    correct += logits.argmax(1).eq(split.labels.narrow(0, begin, n)).sum().item<int64_t>();
  }
  model->train();
  return static_cast<double>(correct) / static_cast<double>(count);
}

// ---- reporting ----

using Clock = std::chrono::steady_clock;

/// Whether a progress bar is drawn on the current terminal line (an error then starts a new one).
bool g_bar_open = false;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Progress within an epoch: a bar redrawn in place on a terminal, a line per tenth of the
/// epoch otherwise (so logs stay readable).
class Progress {
 public:
  Progress(bool terminal, int64_t epoch, int64_t epochs, int64_t total)
      : terminal_(terminal), epoch_(epoch), epochs_(epochs), total_(total) {}

  void update(int64_t done, double mean_loss, double seconds) {
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
    if (terminal_) {
      const auto now = Clock::now();
      if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
      last_draw_ = now;
      constexpr int kWidth = 30;
      const int filled = static_cast<int>(kWidth * done / std::max<int64_t>(total_, 1));
      std::string bar(static_cast<size_t>(filled), '=');
      if (filled < kWidth) bar += '>';
      bar.resize(kWidth, ' ');
      std::printf("\repoch %lld/%lld [%s] %lld/%lld loss %.4f %.0f images/s\033[K",
                  static_cast<long long>(epoch_), static_cast<long long>(epochs_), bar.c_str(),
                  static_cast<long long>(done), static_cast<long long>(total_), mean_loss, rate);
      std::fflush(stdout);
      g_bar_open = true;
    } else {
      const int64_t tenth = done * 10 / std::max<int64_t>(total_, 1);
      if (tenth <= last_tenth_ || done == total_) return;  // the epoch's summary says the rest
      last_tenth_ = tenth;
      std::printf("epoch %lld/%lld: %lld/%lld images, loss %.4f, %.0f images/s\n",
                  static_cast<long long>(epoch_), static_cast<long long>(epochs_),
                  static_cast<long long>(done), static_cast<long long>(total_), mean_loss, rate);
      std::fflush(stdout);
    }
  }

  /// Clears the bar so the epoch's summary line takes its place.
  void finish() {
    if (terminal_) {
      std::printf("\r\033[K");
      std::fflush(stdout);
      g_bar_open = false;
    }
  }

 private:
  bool terminal_;
  int64_t epoch_, epochs_, total_;
  Clock::time_point last_draw_{};
  int64_t last_tenth_ = 0;
};

std::string format_seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", s);
  return text;
}

// ---- the program ----

int run(const Options& o) {
  // Everything that can be checked before the long part is checked first.
  const fs::path data(o.data);
  std::error_code ec;
  if (!fs::is_directory(data, ec) ||
      (!has_idx(data, "train-images-idx3-ubyte") && !has_idx(data, "t10k-images-idx3-ubyte")))
    throw RunError{"no Fashion-MNIST data in " + o.data +
                   "; install the Debian package dataset-fashion-mnist or pass --data DIR"};
  const fs::path save(o.save);
  if (fs::is_directory(save, ec))
    throw RunError{"cannot save to '" + o.save + "': it is a folder; pass --save FILE"};
  const fs::path save_folder = save.has_parent_path() ? save.parent_path() : fs::path(".");
  if (!fs::is_directory(save_folder, ec))
    throw RunError{"cannot save to '" + o.save + "': the folder '" + save_folder.string() +
                   "' does not exist"};
  if (access(save_folder.c_str(), W_OK) != 0)
    throw RunError{"cannot save to '" + o.save + "': the folder '" + save_folder.string() +
                   "' is not writable"};

  const int threads = o.threads > 0 ? o.threads : available_cores();
  tg::set_num_threads(threads);
  tg::manual_seed(o.seed);

  Split train = load_split(o.data, tg::data::datasets::MNIST::Mode::kTrain);
  const Split test = load_split(o.data, tg::data::datasets::MNIST::Mode::kTest);
  const int64_t available = train.images.size(0);
  if (o.limit && *o.limit < available) {
    train.images = train.images.narrow(0, 0, *o.limit);
    train.labels = train.labels.narrow(0, 0, *o.limit);
  }
  const int64_t count = train.images.size(0);

  nn::Sequential model = make_model(o.model);
  int64_t parameter_count = 0;
  for (const auto& p : model->parameters()) parameter_count += p.numel();
  tg::optim::Adam optimizer(model->parameters(), tg::optim::AdamOptions(o.lr));
  tg::data::DataLoader loader(
      train.images, train.labels,
      tg::data::DataLoaderOptions(static_cast<size_t>(o.batch_size)).shuffle(true).seed(o.seed));

  std::printf(
      "%s: %s (%lld parameters), %lld epoch%s, batch %lld, Adam lr %g, %d thread%s, "
      "seed %llu\n",
      kProgram, o.model.c_str(), static_cast<long long>(parameter_count),
      static_cast<long long>(o.epochs), o.epochs == 1 ? "" : "s",
      static_cast<long long>(o.batch_size), o.lr, threads, threads == 1 ? "" : "s",
      static_cast<unsigned long long>(o.seed));
  std::printf("data: %s (%lld of %lld training images, %lld test images)\n", o.data.c_str(),
              static_cast<long long>(count), static_cast<long long>(available),
              static_cast<long long>(test.images.size(0)));
  std::fflush(stdout);

  const bool terminal = isatty(STDOUT_FILENO) == 1;
  double last_accuracy = 0;
  model->train();
  for (int64_t epoch = 1; epoch <= o.epochs; ++epoch) {
    Progress progress(terminal, epoch, o.epochs, count);
    const auto start = Clock::now();
    double loss_sum = 0;
    int64_t seen = 0;
    for (auto& batch : loader) {
      optimizer.zero_grad();
      const tg::Tensor loss =
          nn::functional::cross_entropy(model->forward(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      const int64_t n = batch.data.size(0);
      const double value = loss.item<double>();
      if (!std::isfinite(value))
        throw RunError{"the training loss became " + std::to_string(value) + " in epoch " +
                       std::to_string(epoch) + "; try a smaller --lr"};
      loss_sum += value * static_cast<double>(n);
      seen += n;
      progress.update(seen, loss_sum / static_cast<double>(seen), seconds_since(start));
    }
    const double train_seconds = seconds_since(start);
    progress.finish();
    const auto test_start = Clock::now();
    last_accuracy = accuracy(model, test);
    const double test_seconds = seconds_since(test_start);
    std::printf(
        "epoch %lld/%lld: train loss %.4f, test accuracy %.4f, %s s (%.0f images/s), "
        "test %s s\n",
        static_cast<long long>(epoch), static_cast<long long>(o.epochs),
        loss_sum / static_cast<double>(std::max<int64_t>(seen, 1)), last_accuracy,
        format_seconds(train_seconds).c_str(),
        static_cast<double>(seen) / std::max(train_seconds, 1e-9),
        format_seconds(test_seconds).c_str());
    std::fflush(stdout);
  }

  char accuracy_text[32];
  std::snprintf(accuracy_text, sizeof(accuracy_text), "%.4f", last_accuracy);
  tg::save(*model, o.save,
           {{"model", o.model},
            {"epochs", std::to_string(o.epochs)},
            {"batch_size", std::to_string(o.batch_size)},
            {"seed", std::to_string(o.seed)},
            {"training_images", std::to_string(count)},
            {"test_accuracy", accuracy_text},
            {"normalize_mean", "0.2860"},
            {"normalize_std", "0.3530"}});
  std::printf("saved the model to %s\n", o.save.c_str());
  return 0;
}

/// One line: a message's line breaks become "; ".
std::string one_line(std::string message) {
  std::string out;
  out.reserve(message.size());
  for (size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c == '\n' || c == '\r') {
      while (i + 1 < message.size() &&
             (message[i + 1] == '\n' || message[i + 1] == '\r' || message[i + 1] == ' '))
        ++i;
      if (i + 1 < message.size()) out += "; ";
    } else {
      out += c;
    }
  }
  return out;
}

int fail(int status, const std::string& message) {
  if (g_bar_open) std::printf("\n");  // below the half-drawn progress bar
  std::fflush(stdout);
  std::fprintf(stderr, "%s: %s\n", kProgram, one_line(message).c_str());
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options = parse_options(argc, argv);
    if (options.help) {
      print_help(std::cout);
      return 0;
    }
    return run(options);
  } catch (const UsageError& e) {
    return fail(2, e.message);
  } catch (const RunError& e) {
    return fail(1, e.message);
  } catch (const std::bad_alloc&) {
    return fail(1, "out of memory (try a smaller --batch-size)");
  } catch (const std::exception& e) {
    return fail(1, e.what());
  } catch (...) {
    return fail(1, "unexpected error");
  }
}
