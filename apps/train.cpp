// tensorgrad-train: trains an MLP or a small CNN on Fashion-MNIST and saves it as safetensors.
//
//   tensorgrad-train                         the CNN for one epoch (about a minute on 2 cores)
//   tensorgrad-train --epochs 5              a full run (CNN about 0.91 test accuracy)
//   tensorgrad-train --model mlp --epochs 5  the MLP (about 0.88)
//   mpirun -np 2 tensorgrad-train --threads 1 --epochs 5
//                                            the same run on 2 processes (data parallel)
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
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensorgrad/data.h"
#include "tensorgrad/distributed.h"
#include "tensorgrad/distributed/data_parallel.h"
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
  bool resume = false;
  std::string metrics;    // empty: none
  int64_t timeout = 120;  // seconds a collective may wait for the other ranks
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
      << "  --save PATH        where to save the trained model (default: model.safetensors),\n"
      << "                     after every epoch, with a checkpoint for --resume beside it\n"
      << "                     (PATH's stem + .checkpoint.safetensors) and a plot of the loss\n"
      << "                     and accuracy curves (PATH's stem + .svg)\n"
      << "  --resume           continue from the checkpoint of --save PATH, to the same result\n"
      << "                     as a run that was never stopped (starts afresh when there is none)\n"
      << "  --metrics FILE     append one JSON line per epoch to FILE\n"
      << "  --limit N          train on the first N training images only (quick runs)\n"
      << "  --timeout S        under mpirun: seconds a rank waits for the others in a collective\n"
      << "                     before it ends the job, 1 to 86400 (default: 120)\n"
      << "  --help             this text\n"
      << "\n"
      << "The defaults train the CNN for one epoch: under a minute on 2 cores, about 0.88 test\n"
      << "accuracy. A full run is `" << kProgram << " --epochs 5`: the CNN reaches about 0.915\n"
      << "test accuracy, the MLP (`--model mlp --epochs 5`, a few seconds an epoch) about 0.885.\n"
      << "\n"
      << "Started by mpirun (`mpirun -np 2 " << kProgram << " --threads 1`), each process trains\n"
      << "on its share of every batch and the gradients are averaged (DistributedDataParallel):\n"
      << "the result is that of one process. Rank 0 alone prints and saves.\n"
      << "\n"
      << "Denormal floats are flushed to zero (tg::set_flush_denormal), for speed.\n";
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
    if (arg == "--resume") {
      o.resume = true;
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
    static const std::vector<std::string> kWithValue = {
        "--model", "--epochs", "--batch-size", "--lr",      "--threads", "--seed",
        "--data",  "--save",   "--limit",      "--metrics", "--timeout"};
    if (std::find(kWithValue.begin(), kWithValue.end(), name) == kWithValue.end()) {
      if (name == "--help" || name == "--resume") throw UsageError{name + " takes no value"};
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
    } else if (name == "--metrics") {
      if (v.empty()) throw UsageError{"--metrics needs a file name"};
      o.metrics = v;
    } else if (name == "--timeout") {
      o.timeout = parse_integer<int64_t>(name, v, 1, 86400);
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

/// How many of the `count` images of `split` from `first` on `model` classifies correctly.
int64_t correct_predictions(nn::Sequential& model, const Split& split, int64_t first,
                            int64_t count) {
  tg::NoGradGuard no_grad;
  model->eval();
  constexpr int64_t kBatch = 200;
  int64_t correct = 0;
  for (int64_t begin = first; begin < first + count; begin += kBatch) {
    const int64_t n = std::min(kBatch, first + count - begin);
    const tg::Tensor logits = model->forward(split.images.narrow(0, begin, n));
    correct += logits.argmax(1).eq(split.labels.narrow(0, begin, n)).sum().item<int64_t>();
  }
  model->train();
  return correct;
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

// ---- processes ----

/// The job's process group when mpirun started several processes; null for one process.
std::shared_ptr<tg::distributed::ProcessGroup> g_group;

int rank() { return g_group ? g_group->rank() : 0; }
int ranks() { return g_group ? g_group->size() : 1; }

/// A whole number from the environment, or `fallback`.
int env_int(const char* name, int fallback) {
  const char* text = std::getenv(name);
  int value = 0;
  if (!text || std::from_chars(text, text + std::strlen(text), value).ec != std::errc())
    return fallback;
  return value;
}

/// The processes a launcher started (Open MPI's or MPICH's environment), 1 when none did.
int launched_ranks() { return env_int("OMPI_COMM_WORLD_SIZE", env_int("PMI_SIZE", 1)); }

/// Joins the job's other processes, when there are any.
void start_processes(const Options& o) {
  const int launched = launched_ranks();
  if (launched <= 1) return;
  if (!tg::distributed::mpi_available())
    throw RunError{"started as one of " + std::to_string(launched) +
                   " processes, but this build of tensorgrad has no MPI (install the Debian "
                   "package libopenmpi-dev and rebuild)"};
  g_group = tg::distributed::ProcessGroupMPI::create(std::chrono::seconds(o.timeout));
}

/// The default thread count: the cores this process may run on, shared with the other ranks on
/// this machine unless mpirun bound each rank to its own cores.
int default_threads() {
  const int cores = available_cores();
  const int machine = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  if (cores < machine) return cores;  // bound by the launcher
  const int local = env_int("OMPI_COMM_WORLD_LOCAL_SIZE", env_int("MPI_LOCALNRANKS", 1));
  return std::max(1, cores / std::max(1, local));
}

/// Sums `values` over the ranks (identity for one process).
std::vector<double> sum_over_ranks(std::vector<double> values) {
  if (!g_group) return values;
  tg::Tensor t = tg::tensor(values);
  g_group->all_reduce(t);
  for (size_t i = 0; i < values.size(); ++i) values[i] = t[static_cast<int64_t>(i)].item<double>();
  return values;
}

/// This rank's rows [first, first + count) of `total`, in rank order.
std::pair<int64_t, int64_t> my_share(int64_t total) {
  const int64_t first = total * rank() / ranks();
  return {first, total * (rank() + 1) / ranks() - first};
}

// ---- checkpoints, metrics and the plot ----

struct EpochRecord {
  int64_t epoch = 0;
  double loss = 0, accuracy = 0, seconds = 0, images_per_second = 0;
};

/// What a checkpoint must agree on with the command line to be resumed.
tg::SafetensorsMetadata run_identity(const Options& o, int64_t training_images) {
  char lr[32];
  std::snprintf(lr, sizeof(lr), "%.17g", o.lr);
  return {{"model", o.model},
          {"batch_size", std::to_string(o.batch_size)},
          {"lr", lr},
          {"seed", std::to_string(o.seed)},
          {"training_images", std::to_string(training_images)}};
}

std::string history_text(const std::vector<EpochRecord>& history) {
  std::string text;
  char line[160];
  for (const EpochRecord& r : history) {
    std::snprintf(line, sizeof(line), "%lld %.17g %.17g %.17g %.17g\n",
                  static_cast<long long>(r.epoch), r.loss, r.accuracy, r.seconds,
                  r.images_per_second);
    text += line;
  }
  return text;
}

std::vector<EpochRecord> parse_history(const std::string& text) {
  std::vector<EpochRecord> history;
  std::istringstream in(text);
  EpochRecord r;
  while (in >> r.epoch >> r.loss >> r.accuracy >> r.seconds >> r.images_per_second)
    history.push_back(r);
  return history;
}

/// The model, Adam's state per parameter (by position in parameters()) and the run so far, in
/// one file: tg::save writes it beside `path` and renames it over, so it is whole or absent.
void save_checkpoint(const fs::path& path, nn::Sequential& model, tg::optim::Adam& optimizer,
                     const tg::SafetensorsMetadata& identity,
                     const std::vector<EpochRecord>& history) {
  std::vector<std::pair<std::string, tg::Tensor>> tensors;
  for (const auto& item : model->named_parameters())
    tensors.emplace_back("model." + item.key(), item.value());
  for (const auto& item : model->named_buffers())
    tensors.emplace_back("model." + item.key(), item.value());
  const std::vector<tg::Tensor> params = model->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    const auto found = optimizer.state().find(tg::optim::Optimizer::param_key(params[i]));
    if (found == optimizer.state().end()) continue;
    const auto& state = static_cast<const tg::optim::AdamParamState&>(*found->second);
    const std::string key = "adam." + std::to_string(i) + ".";
    tensors.emplace_back(key + "step", tg::tensor({state.step()}));
    tensors.emplace_back(key + "exp_avg", state.exp_avg());
    tensors.emplace_back(key + "exp_avg_sq", state.exp_avg_sq());
  }
  tg::SafetensorsMetadata metadata = identity;
  metadata["epochs_done"] = std::to_string(history.empty() ? 0 : history.back().epoch);
  metadata["history"] = history_text(history);
  tg::save(tensors, path.string(), metadata);
}

/// Copies `from` into `to` after checking its shape.
void restore(const tg::Tensor& to, const tg::Tensor& from, const std::string& name,
             const fs::path& path) {
  if (!from.sizes().equals(to.sizes()))
    throw RunError{"the checkpoint '" + path.string() + "' holds " + name + " of another shape"};
  tg::NoGradGuard no_grad;
  to.copy_(from);
}

/// Reads a checkpoint written by save_checkpoint into the model and the optimizer (rank 0 only;
/// the other ranks get it by broadcast) and returns the run so far.
std::vector<EpochRecord> load_checkpoint(const fs::path& path, nn::Sequential& model,
                                         tg::optim::Adam& optimizer,
                                         const tg::SafetensorsMetadata& identity) {
  const tg::SafetensorsMetadata metadata = tg::load_metadata(path.string());
  for (const auto& [key, value] : identity) {
    const auto found = metadata.find(key);
    const std::string theirs = found == metadata.end() ? "?" : found->second;
    if (theirs != value)
      throw RunError{"the checkpoint '" + path.string() + "' was made with " + key + " " + theirs +
                     ", not " + value + "; resume with the options it was made with"};
  }
  const auto tensors = tg::load_tensors(path.string());
  auto take = [&](const std::string& name) {
    const tg::Tensor* t = tensors.find(name);
    if (t == nullptr)
      throw RunError{"the checkpoint '" + path.string() + "' has no tensor '" + name + "'"};
    return *t;
  };
  for (const auto& item : model->named_parameters())
    restore(item.value(), take("model." + item.key()), item.key(), path);
  for (const auto& item : model->named_buffers())
    restore(item.value(), take("model." + item.key()), item.key(), path);
  const std::vector<tg::Tensor> params = model->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string key = "adam." + std::to_string(i) + ".";
    if (tensors.find(key + "step") == nullptr) continue;  // no step yet: no state
    auto state = std::make_unique<tg::optim::AdamParamState>();
    state->step(take(key + "step").item<int64_t>());
    state->exp_avg(take(key + "exp_avg").clone());
    state->exp_avg_sq(take(key + "exp_avg_sq").clone());
    optimizer.state()[tg::optim::Optimizer::param_key(params[i])] = std::move(state);
  }
  const auto history = metadata.find("history");
  return history == metadata.end() ? std::vector<EpochRecord>{} : parse_history(history->second);
}

/// Gives every rank rank 0's optimizer state (the model's parameters travel with
/// DistributedDataParallel's own broadcast) and returns the number of epochs done.
int64_t share_resumed_state(nn::Sequential& model, tg::optim::Adam& optimizer,
                            int64_t epochs_done) {
  tg::Tensor done = tg::tensor({epochs_done});
  g_group->broadcast(done);
  epochs_done = done.item<int64_t>();
  if (epochs_done == 0) return 0;
  for (const tg::Tensor& p : model->parameters()) {
    auto& slot = optimizer.state()[tg::optim::Optimizer::param_key(p)];
    if (!slot) {
      auto fresh = std::make_unique<tg::optim::AdamParamState>();
      fresh->exp_avg(tg::zeros_like(p));
      fresh->exp_avg_sq(tg::zeros_like(p));
      slot = std::move(fresh);
    }
    auto& state = static_cast<tg::optim::AdamParamState&>(*slot);
    tg::Tensor step = tg::tensor({state.step()});
    g_group->broadcast(step);
    state.step(step.item<int64_t>());
    g_group->broadcast(state.exp_avg());
    g_group->broadcast(state.exp_avg_sq());
  }
  return epochs_done;
}

void append_metrics(const std::string& file, const EpochRecord& r, const Options& o, int threads) {
  std::ofstream out(file, std::ios::app);
  char line[320];
  std::snprintf(line, sizeof(line),
                "{\"epoch\": %lld, \"epochs\": %lld, \"train_loss\": %.6f, \"test_accuracy\": "
                "%.6f, \"seconds\": %.3f, \"images_per_second\": %.1f, \"ranks\": %d, "
                "\"threads\": %d, \"model\": \"%s\"}\n",
                static_cast<long long>(r.epoch), static_cast<long long>(o.epochs), r.loss,
                r.accuracy, r.seconds, r.images_per_second, ranks(), threads, o.model.c_str());
  out << line;
  out.flush();
  if (!out.good()) throw RunError{"cannot append to the metrics file '" + file + "'"};
}

/// One panel of the plot: `values` against the epochs, on an axis fitted to them.
void plot_panel(std::ostream& svg, double left, const char* title, const char* format,
                const std::vector<EpochRecord>& history, double EpochRecord::*field,
                const char* colour) {
  constexpr double kTop = 40, kWidth = 320, kHeight = 200;
  double low = history.front().*field, high = low;
  for (const EpochRecord& r : history) {
    low = std::min(low, r.*field);
    high = std::max(high, r.*field);
  }
  const double pad = high > low ? (high - low) * 0.1 : std::max(std::abs(high) * 0.05, 1e-3);
  low -= pad;
  high += pad;
  const int64_t first = history.front().epoch, last = history.back().epoch;
  auto x = [&](int64_t epoch) {
    return left + (last > first ? kWidth * static_cast<double>(epoch - first) /
                                      static_cast<double>(last - first)
                                : kWidth / 2);
  };
  auto y = [&](double v) { return kTop + kHeight * (high - v) / (high - low); };
  char text[256];
  std::snprintf(text, sizeof(text),
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\">%s</text>\n"
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                "stroke=\"#999\"/>\n",
                left, kTop - 12, title, left, kTop, kWidth, kHeight);
  svg << text;
  for (const double v : {low + pad, high - pad}) {
    char label[32];
    std::snprintf(label, sizeof(label), format, v);
    std::snprintf(text, sizeof(text),
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
                  left - 4, y(v) + 4, label);
    svg << text;
  }
  for (const int64_t epoch : {first, last}) {
    std::snprintf(text, sizeof(text),
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">epoch "
                  "%lld</text>\n",
                  x(epoch), kTop + kHeight + 16, static_cast<long long>(epoch));
    svg << text;
  }
  svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"2\" points=\"";
  for (const EpochRecord& r : history) {
    std::snprintf(text, sizeof(text), "%.1f,%.1f ", x(r.epoch), y(r.*field));
    svg << text;
  }
  svg << "\"/>\n";
  for (const EpochRecord& r : history) {
    std::snprintf(text, sizeof(text), "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
                  x(r.epoch), y(r.*field), colour);
    svg << text;
  }
}

/// The training loss and test accuracy per epoch as an SVG picture, written whole or not at all.
void write_plot(const fs::path& path, const std::vector<EpochRecord>& history, const Options& o) {
  if (history.empty()) return;
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream svg(tmp);
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"840\" height=\"280\" "
           "font-family=\"sans-serif\">\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    plot_panel(svg, 60, ("training loss (" + o.model + ")").c_str(), "%.3f", history,
               &EpochRecord::loss, "#c0392b");
    plot_panel(svg, 460, "test accuracy", "%.4f", history, &EpochRecord::accuracy, "#2471a3");
    svg << "</svg>\n";
    svg.flush();
    if (!svg.good()) throw RunError{"cannot write the plot '" + tmp.string() + "'"};
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw RunError{"cannot write the plot '" + path.string() + "': " + ec.message()};
}

// ---- the program ----

int run(const Options& o) {
  start_processes(o);
  const bool leader = rank() == 0;
  // Everything that can be checked before the long part is checked first.
  const fs::path data(o.data);
  std::error_code ec;
  if (!fs::is_directory(data, ec) ||
      (!has_idx(data, "train-images-idx3-ubyte") && !has_idx(data, "t10k-images-idx3-ubyte")))
    throw RunError{"no Fashion-MNIST data in " + o.data +
                   "; install the Debian package dataset-fashion-mnist or pass --data DIR"};
  const fs::path save(o.save);
  const fs::path checkpoint = fs::path(save).replace_extension(".checkpoint.safetensors");
  const fs::path plot = fs::path(save).replace_extension(".svg");
  if (leader) {
    if (fs::is_directory(save, ec))
      throw RunError{"cannot save to '" + o.save + "': it is a folder; pass --save FILE"};
    if (save == checkpoint || save == plot)
      throw RunError{"cannot save to '" + o.save +
                     "': the checkpoint and the plot take that "
                     "name; pass a .safetensors file"};
    const fs::path save_folder = save.has_parent_path() ? save.parent_path() : fs::path(".");
    if (!fs::is_directory(save_folder, ec))
      throw RunError{"cannot save to '" + o.save + "': the folder '" + save_folder.string() +
                     "' does not exist"};
    if (access(save_folder.c_str(), W_OK) != 0)
      throw RunError{"cannot save to '" + o.save + "': the folder '" + save_folder.string() +
                     "' is not writable"};
    if (!o.metrics.empty() && !std::ofstream(o.metrics, std::ios::app).good())
      throw RunError{"cannot append to the metrics file '" + o.metrics + "'"};
  }

  const int threads = o.threads > 0 ? o.threads : default_threads();
  tg::set_num_threads(threads);
  // Adam's moments of weights whose gradients die out decay into denormals, which this CPU
  // computes many times slower; flushed to zero, the trained model is the same to print
  // precision and an epoch about a tenth faster.
  tg::set_flush_denormal(true);
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
  // Every rank draws the same shuffled batches and trains on its share of each.
  tg::data::DataLoader loader(
      train.images, train.labels,
      tg::data::DataLoaderOptions(static_cast<size_t>(o.batch_size)).shuffle(true).seed(o.seed));

  const tg::SafetensorsMetadata identity = run_identity(o, count);
  std::vector<EpochRecord> history;
  int64_t epochs_done = 0;
  if (o.resume && leader) {
    if (fs::exists(checkpoint, ec)) {
      history = load_checkpoint(checkpoint, model, optimizer, identity);
      epochs_done = history.empty() ? 0 : history.back().epoch;
    } else {
      std::printf("%s: no checkpoint at %s; starting from the beginning\n", kProgram,
                  checkpoint.c_str());
    }
  }
  if (g_group) epochs_done = share_resumed_state(model, optimizer, epochs_done);
  // Broadcasts rank 0's parameters, then averages the gradients of every backward.
  std::optional<nn::parallel::DistributedDataParallel> ddp;
  if (g_group)
    ddp.emplace(model.ptr(), g_group,
                nn::parallel::DistributedDataParallelOptions().gradient_as_bucket_view(true));

  if (leader) {
    std::printf(
        "%s: %s (%lld parameters), %lld epoch%s, batch %lld, Adam lr %g, %d thread%s, "
        "seed %llu\n",
        kProgram, o.model.c_str(), static_cast<long long>(parameter_count),
        static_cast<long long>(o.epochs), o.epochs == 1 ? "" : "s",
        static_cast<long long>(o.batch_size), o.lr, threads, threads == 1 ? "" : "s",
        static_cast<unsigned long long>(o.seed));
    if (g_group)
      std::printf("processes: %d (each %d thread%s), data parallel over MPI\n", ranks(), threads,
                  threads == 1 ? "" : "s");
    std::printf("data: %s (%lld of %lld training images, %lld test images)\n", o.data.c_str(),
                static_cast<long long>(count), static_cast<long long>(available),
                static_cast<long long>(test.images.size(0)));
    if (epochs_done > 0)
      std::printf("resuming after epoch %lld from %s\n", static_cast<long long>(epochs_done),
                  checkpoint.c_str());
    std::fflush(stdout);
  }

  const bool terminal = leader && isatty(STDOUT_FILENO) == 1;
  model->train();
  for (int64_t epoch = epochs_done + 1; epoch <= o.epochs; ++epoch) {
    loader.set_epoch(static_cast<uint64_t>(epoch - 1));
    Progress progress(terminal, epoch, o.epochs, count);
    const auto start = Clock::now();
    double loss_sum = 0;  // over this rank's images
    int64_t mine = 0, seen = 0;
    for (auto& batch : loader) {
      optimizer.zero_grad();
      const int64_t n = batch.data.size(0);
      const auto [first, share] = my_share(n);
      tg::Tensor loss, objective;
      if (share > 0) {
        loss = nn::functional::cross_entropy(model->forward(batch.data.narrow(0, first, share)),
                                             batch.target.narrow(0, first, share));
        // The ranks' gradients are averaged; weighting each share's mean by its size makes that
        // average the whole batch's mean (the weight is 1 when the shares are equal).
        objective = share * ranks() == n
                        ? loss
                        : loss * (static_cast<double>(share * ranks()) / static_cast<double>(n));
      } else {  // fewer images than ranks: this rank contributes zero gradients
        objective = model->forward(batch.data.narrow(0, 0, 1)).sum() * 0.0;
      }
      objective.backward();
      optimizer.step();
      if (share > 0) {
        const double value = loss.item<double>();
        if (!std::isfinite(value))
          throw RunError{"the training loss became " + std::to_string(value) + " in epoch " +
                         std::to_string(epoch) + "; try a smaller --lr"};
        loss_sum += value * static_cast<double>(share);
        mine += share;
      }
      seen += n;
      if (leader)
        progress.update(seen, loss_sum / static_cast<double>(std::max<int64_t>(mine, 1)),
                        seconds_since(start));
    }
    const double train_seconds = seconds_since(start);
    progress.finish();
    const auto test_start = Clock::now();
    const auto [test_first, test_share] = my_share(test.images.size(0));
    const int64_t correct = correct_predictions(model, test, test_first, test_share);
    const std::vector<double> totals =
        sum_over_ranks({loss_sum, static_cast<double>(mine), static_cast<double>(correct)});
    const double test_seconds = seconds_since(test_start);
    EpochRecord record;
    record.epoch = epoch;
    record.loss = totals[0] / std::max(totals[1], 1.0);
    record.accuracy = totals[2] / static_cast<double>(test.images.size(0));
    record.seconds = train_seconds;
    record.images_per_second = static_cast<double>(seen) / std::max(train_seconds, 1e-9);
    history.push_back(record);
    if (!leader) continue;
    std::printf(
        "epoch %lld/%lld: train loss %.4f, test accuracy %.4f, %s s (%.0f images/s), "
        "test %s s\n",
        static_cast<long long>(epoch), static_cast<long long>(o.epochs), record.loss,
        record.accuracy, format_seconds(train_seconds).c_str(), record.images_per_second,
        format_seconds(test_seconds).c_str());
    std::fflush(stdout);

    char accuracy_text[32];
    std::snprintf(accuracy_text, sizeof(accuracy_text), "%.4f", record.accuracy);
    tg::save(*model, o.save,
             {{"model", o.model},
              {"epochs", std::to_string(epoch)},
              {"batch_size", std::to_string(o.batch_size)},
              {"seed", std::to_string(o.seed)},
              {"training_images", std::to_string(count)},
              {"test_accuracy", accuracy_text},
              {"normalize_mean", "0.2860"},
              {"normalize_std", "0.3530"}});
    save_checkpoint(checkpoint, model, optimizer, identity, history);
    write_plot(plot, history, o);
    if (!o.metrics.empty()) append_metrics(o.metrics, record, o, threads);
  }
  if (g_group) g_group->barrier();  // no rank leaves while rank 0 still saves
  if (leader) {
    if (epochs_done >= o.epochs)
      std::printf("%s already holds %lld epochs; nothing to do\n", checkpoint.c_str(),
                  static_cast<long long>(epochs_done));
    else
      std::printf("saved the model to %s (checkpoint %s, plot %s)\n", o.save.c_str(),
                  checkpoint.c_str(), plot.c_str());
  }
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

/// Reports the error; with other ranks running, ends the whole job (they would otherwise wait
/// for this one in their next collective).
int fail(int status, const std::string& message) {
  if (g_bar_open) std::printf("\n");  // below the half-drawn progress bar
  std::fflush(stdout);
  if (ranks() > 1) {
    std::fprintf(stderr, "%s: rank %d of %d: %s\n", kProgram, rank(), ranks(),
                 one_line(message).c_str());
    g_group->abort(status);
  }
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
