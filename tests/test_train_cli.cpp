// The command-line program tensorgrad-train, run as a user would: bad options, bad values, a
// missing or broken data folder and an unwritable save path each end it with one line on stderr
// and a non-zero status; a tiny synthetic dataset trains, reports and saves.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tensorgrad/serialize.h"
#include "tensorgrad/tensorgrad.h"

namespace {

namespace fs = std::filesystem;

#ifdef TG_TRAIN_PROGRAM
constexpr const char* kProgram = TG_TRAIN_PROGRAM;
#else
constexpr const char* kProgram = nullptr;
#endif

std::string quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Result {
  int status = -1;  // the program's exit status; 128 + n when killed by signal n
  std::string out, err;
};

void put_u32(std::string& s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> shift) & 0xff);
}

/// An IDX file of unsigned-byte images [count, rows, cols]; `data` may be shorter than the header
/// claims (a truncated file).
void write_images(const fs::path& path, uint32_t count, uint32_t rows, uint32_t cols,
                  const std::vector<uint8_t>& data, uint32_t magic = 2051) {
  std::string s;
  put_u32(s, magic);
  put_u32(s, count);
  put_u32(s, rows);
  put_u32(s, cols);
  s.append(data.begin(), data.end());
  std::ofstream(path, std::ios::binary) << s;
}

void write_labels(const fs::path& path, const std::vector<uint8_t>& labels, uint32_t magic = 2049) {
  std::string s;
  put_u32(s, magic);
  put_u32(s, static_cast<uint32_t>(labels.size()));
  s.append(labels.begin(), labels.end());
  std::ofstream(path, std::ios::binary) << s;
}

/// A learnable 28x28 set: class c lights up rows 2c..2c+3, on top of noise.
void make_split(std::mt19937& rng, uint32_t count, std::vector<uint8_t>& images,
                std::vector<uint8_t>& labels) {
  images.assign(static_cast<size_t>(count) * 28 * 28, 0);
  labels.resize(count);
  std::uniform_int_distribution<int> noise(0, 60);
  for (uint32_t i = 0; i < count; ++i) {
    const int c = static_cast<int>(i % 10);
    labels[i] = static_cast<uint8_t>(c);
    uint8_t* image = images.data() + static_cast<size_t>(i) * 28 * 28;
    for (int p = 0; p < 28 * 28; ++p) image[p] = static_cast<uint8_t>(noise(rng));
    for (int r = 2 * c; r < 2 * c + 4; ++r)
      for (int col = 4; col < 24; ++col) image[r * 28 + col] = 255;
  }
}

class TrainCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (kProgram == nullptr) GTEST_SKIP() << "tensorgrad-train is not built (examples off)";
    root_ = fs::temp_directory_path() / ("tg_train_cli_" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    std::mt19937 rng(7);
    make_split(rng, 400, train_images_, train_labels_);
    make_split(rng, 100, test_images_, test_labels_);
    good_ = make_folder("good");
  }
  void TearDown() override {
    if (!root_.empty()) fs::remove_all(root_);
  }

  /// A folder holding the four good files.
  fs::path make_folder(const std::string& name) {
    const fs::path dir = root_ / name;
    fs::create_directories(dir);
    write_images(dir / "train-images-idx3-ubyte", 400, 28, 28, train_images_);
    write_labels(dir / "train-labels-idx1-ubyte", train_labels_);
    write_images(dir / "t10k-images-idx3-ubyte", 100, 28, 28, test_images_);
    write_labels(dir / "t10k-labels-idx1-ubyte", test_labels_);
    return dir;
  }

  /// Runs the program with `args` (already quoted where needed), stopping it after 300 s.
  Result run(const std::string& args) const {
    const fs::path out = root_ / "stdout.txt", err = root_ / "stderr.txt";
    const std::string command = "timeout 300 " + quote(kProgram) + " " + args + " >" +
                                quote(out.string()) + " 2>" + quote(err.string());
    const int raw = std::system(command.c_str());
    Result r;
    if (raw != -1 && WIFEXITED(raw)) r.status = WEXITSTATUS(raw);
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
  }

  /// The program fails with `status` and exactly one stderr line that contains every part.
  void expect_one_line_error(const std::string& args, int status,
                             const std::vector<std::string>& parts) const {
    SCOPED_TRACE("arguments: " + args);
    const Result r = run(args);
    EXPECT_EQ(r.status, status) << "stderr: " << r.err;
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.rfind("tensorgrad-train: ", 0), 0U) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not one line: " << r.err;
    for (const auto& part : parts) EXPECT_NE(r.err.find(part), std::string::npos) << r.err;
  }

  std::string data_arg(const fs::path& dir) const { return "--data " + quote(dir.string()); }
  std::string save_arg() const { return "--save " + quote((root_ / "m.safetensors").string()); }

  fs::path root_, good_;
  std::vector<uint8_t> train_images_, train_labels_, test_images_, test_labels_;
};

TEST_F(TrainCli, HelpDescribesEveryOptionAndAFullRun) {
  const Result r = run("--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.err.empty()) << r.err;
  for (const char* option :
       {"--model", "--epochs", "--batch-size", "--lr", "--threads", "--seed", "--data", "--save",
        "--resume", "--metrics", "--limit", "--timeout", "--help", "mpirun"})
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  EXPECT_NE(r.out.find("--epochs 5"), std::string::npos) << "help should say what a full run is";
}

TEST_F(TrainCli, BadCommandLinesExitWithStatusTwo) {
  expect_one_line_error("--bogus", 2, {"unknown option '--bogus'"});
  expect_one_line_error("--bogus=3", 2, {"unknown option '--bogus'"});
  expect_one_line_error("stray", 2, {"unexpected argument 'stray'"});
  expect_one_line_error("--epochs", 2, {"--epochs needs a value"});
  expect_one_line_error("--model rnn", 2, {"--model must be mlp or cnn", "rnn"});
  expect_one_line_error("--epochs 0", 2, {"--epochs must be between 1 and 1000", "got 0"});
  expect_one_line_error("--epochs -3", 2, {"--epochs must be between", "got -3"});
  expect_one_line_error("--epochs 2x", 2, {"--epochs takes a whole number", "2x"});
  expect_one_line_error("--epochs=1.5", 2, {"--epochs takes a whole number"});
  expect_one_line_error("--epochs 99999999999999999999999", 2, {"--epochs must be between"});
  expect_one_line_error("--batch-size 0", 2, {"--batch-size must be between 1 and 8192"});
  expect_one_line_error("--batch-size=100000", 2, {"--batch-size must be between 1 and 8192"});
  expect_one_line_error("--lr 0", 2, {"--lr must be greater than 0"});
  expect_one_line_error("--lr -0.1", 2, {"--lr must be greater than 0"});
  expect_one_line_error("--lr nan", 2, {"--lr must be greater than 0"});
  expect_one_line_error("--lr fast", 2, {"--lr takes a number", "fast"});
  expect_one_line_error("--threads 0", 2, {"--threads must be between 1 and 1024"});
  expect_one_line_error("--seed -1", 2, {"--seed must be between 0 and"});
  expect_one_line_error("--limit 0", 2, {"--limit must be between 1 and"});
  expect_one_line_error("--data ''", 2, {"--data needs a folder"});
  expect_one_line_error("--save ''", 2, {"--save needs a file name"});
  expect_one_line_error("--help=yes", 2, {"--help takes no value"});
  expect_one_line_error("--resume=yes", 2, {"--resume takes no value"});
  expect_one_line_error("--metrics ''", 2, {"--metrics needs a file name"});
  expect_one_line_error("--timeout 0", 2, {"--timeout must be between 1 and 86400"});
}

TEST_F(TrainCli, MissingDataNamesThePackageAndTheOption) {
  const fs::path missing = root_ / "no-such-folder";
  expect_one_line_error(data_arg(missing), 1,
                        {"tensorgrad-train: no Fashion-MNIST data in " + missing.string() +
                         "; install the Debian package dataset-fashion-mnist or pass --data DIR"});
  fs::create_directories(root_ / "empty");
  expect_one_line_error(data_arg(root_ / "empty"), 1,
                        {"no Fashion-MNIST data in", "dataset-fashion-mnist", "--data DIR"});
  // A file where a folder is expected.
  expect_one_line_error(data_arg(good_ / "train-labels-idx1-ubyte"), 1,
                        {"no Fashion-MNIST data in", "--data DIR"});
}

TEST_F(TrainCli, BrokenDataFilesNameTheFileAndTheProblem) {
  {
    const fs::path dir = make_folder("magic");
    write_images(dir / "train-images-idx3-ubyte", 400, 28, 28, train_images_, 0x12345678);
    expect_one_line_error(data_arg(dir) + " " + save_arg(), 1,
                          {"train-images-idx3-ubyte", "magic number"});
    // A labels file where the images should be.
    write_images(dir / "train-images-idx3-ubyte", 400, 28, 28, train_images_, 2049);
    expect_one_line_error(data_arg(dir) + " " + save_arg(), 1, {"train-images-idx3-ubyte"});
  }
  {
    const fs::path dir = make_folder("truncated");
    std::vector<uint8_t> half(train_images_.begin(),
                              train_images_.begin() + train_images_.size() / 2);
    write_images(dir / "train-images-idx3-ubyte", 400, 28, 28, half);
    expect_one_line_error(data_arg(dir) + " " + save_arg(), 1,
                          {"train-images-idx3-ubyte", "truncated"});
  }
  {
    const fs::path dir = make_folder("mismatch");
    std::vector<uint8_t> fewer(train_labels_.begin(), train_labels_.begin() + 390);
    write_labels(dir / "train-labels-idx1-ubyte", fewer);
    expect_one_line_error(data_arg(dir) + " " + save_arg(), 1, {"400 images", "390 labels"});
  }
  {
    const fs::path dir = make_folder("no-test");
    fs::remove(dir / "t10k-images-idx3-ubyte");
    expect_one_line_error(data_arg(dir) + " " + save_arg(), 1, {"t10k-images-idx3-ubyte"});
  }
  {
    const fs::path dir = make_folder("bad-label");
    std::vector<uint8_t> labels = train_labels_;
    labels[5] = 12;
    write_labels(dir / "train-labels-idx1-ubyte", labels);
    expect_one_line_error(data_arg(dir) + " " + save_arg(), 1, {"label 12"});
  }
  {
    const fs::path dir = make_folder("small-images");
    write_images(dir / "train-images-idx3-ubyte", 400, 27, 27,
                 std::vector<uint8_t>(400 * 27 * 27, 9));
    expect_one_line_error(data_arg(dir) + " " + save_arg(), 1, {"27x27", "28x28"});
  }
  {
    const fs::path dir = make_folder("garbage-gz");
    fs::remove(dir / "train-images-idx3-ubyte");
    std::ofstream(dir / "train-images-idx3-ubyte.gz", std::ios::binary)
        << std::string("\x1f\x8bnot really gzip at all", 24);
    expect_one_line_error(data_arg(dir) + " " + save_arg(), 1, {"train-images-idx3-ubyte.gz"});
  }
}

TEST_F(TrainCli, UnusableSavePathFailsBeforeTraining) {
  const fs::path nowhere = root_ / "no-such-folder" / "m.safetensors";
  expect_one_line_error(data_arg(good_) + " --save " + quote(nowhere.string()), 1,
                        {"cannot save to", "does not exist"});
  expect_one_line_error(data_arg(good_) + " --save " + quote(root_.string()), 1,
                        {"cannot save to", "is a folder"});
}

TEST_F(TrainCli, TrainsReportsAndSavesTheMlp) {
  const fs::path model = root_ / "mlp.safetensors";
  const Result r = run(data_arg(good_) + " --model mlp --epochs 3 --batch-size 16 --lr 0.01" +
                       " --threads 1 --seed 3 --save " + quote(model.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  // Output is not a terminal: plain lines, no carriage returns or escape sequences.
  EXPECT_EQ(r.out.find('\r'), std::string::npos);
  EXPECT_EQ(r.out.find('\033'), std::string::npos);
  EXPECT_NE(r.out.find("400 of 400 training images, 100 test images"), std::string::npos) << r.out;
  for (const char* epoch :
       {"epoch 1/3: train loss", "epoch 2/3: train loss", "epoch 3/3: train loss"})
    EXPECT_NE(r.out.find(epoch), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("images/s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("saved the model to " + model.string()), std::string::npos) << r.out;

  // The pattern is easy: the last epoch's test accuracy is well above chance (0.1).
  const size_t at = r.out.find("epoch 3/3: train loss");
  ASSERT_NE(at, std::string::npos);
  const size_t acc = r.out.find("test accuracy ", at);
  ASSERT_NE(acc, std::string::npos);
  EXPECT_GT(std::stod(r.out.substr(acc + 14, 6)), 0.5) << r.out;

  // The file holds the model's parameters with their shapes, and the run's description.
  const auto tensors = tg::load_tensors(model.string());
  ASSERT_EQ(tensors.size(), 6U);
  const tg::Tensor* first = tensors.find("1.weight");  // 0 is Flatten
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->sizes().vec(), (std::vector<int64_t>{256, 784}));
  const tg::Tensor* last = tensors.find("5.bias");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->sizes().vec(), (std::vector<int64_t>{10}));
  const auto metadata = tg::load_metadata(model.string());
  EXPECT_EQ(metadata.at("model"), "mlp");
  EXPECT_EQ(metadata.at("epochs"), "3");
}

TEST_F(TrainCli, TrainsTheCnnOnALimit) {
  const fs::path model = root_ / "cnn.safetensors";
  const Result r = run(data_arg(good_) + " --limit 64 --batch-size 32 --threads 2 --save " +
                       quote(model.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("cnn ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("64 of 400 training images"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("epoch 1/1: train loss"), std::string::npos) << r.out;
  const auto tensors = tg::load_tensors(model.string());
  ASSERT_EQ(tensors.size(), 8U);
  const tg::Tensor* conv = tensors.find("0.weight");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->sizes().vec(), (std::vector<int64_t>{32, 1, 3, 3}));
  const tg::Tensor* fc = tensors.find("7.weight");
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(fc->sizes().vec(), (std::vector<int64_t>{128, 3136}));
}

/// The parameters saved in a model file, by name.
std::map<std::string, tg::Tensor> saved_parameters(const fs::path& model) {
  std::map<std::string, tg::Tensor> out;
  for (const auto& item : tg::load_tensors(model.string())) out[item.key()] = item.value();
  return out;
}

TEST_F(TrainCli, ResumingACheckpointEndsWhereAnUnbrokenRunEnds) {
  const std::string common = data_arg(good_) + " --model mlp --batch-size 16 --threads 1 --seed 5";
  const fs::path straight = root_ / "straight.safetensors", resumed = root_ / "resumed.safetensors";
  const fs::path metrics = root_ / "metrics.jsonl";
  ASSERT_EQ(run(common + " --epochs 3 --save " + quote(straight.string())).status, 0);
  // One epoch, then two more from its checkpoint; the metrics file gets a line per epoch.
  const std::string resumed_run =
      common + " --save " + quote(resumed.string()) + " --metrics " + quote(metrics.string());
  ASSERT_EQ(run(resumed_run + " --epochs 1").status, 0);
  const fs::path checkpoint = root_ / "resumed.checkpoint.safetensors";
  ASSERT_TRUE(fs::exists(checkpoint));
  const Result r = run(resumed_run + " --epochs 3 --resume");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("resuming after epoch 1 from " + checkpoint.string()), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("epoch 1/3:"), std::string::npos) << "epoch 1 ran again: " << r.out;
  EXPECT_NE(r.out.find("epoch 3/3: train loss"), std::string::npos) << r.out;

  // Same data order, same optimizer state: the same parameters, to the bit.
  const auto a = saved_parameters(straight), b = saved_parameters(resumed);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, tensor] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(tg::equal(tensor, b.at(name))) << name;
  }
  EXPECT_EQ(tg::load_metadata(checkpoint.string()).at("epochs_done"), "3");

  std::istringstream lines(read_file(metrics));
  std::vector<std::string> records;
  for (std::string line; std::getline(lines, line);) records.push_back(line);
  ASSERT_EQ(records.size(), 3U) << read_file(metrics);
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].rfind("{\"epoch\": " + std::to_string(i + 1) + ",", 0), 0U) << records[i];
    for (const char* field : {"\"train_loss\": ", "\"test_accuracy\": ", "\"seconds\": ",
                              "\"images_per_second\": ", "\"ranks\": 1"})
      EXPECT_NE(records[i].find(field), std::string::npos) << records[i];
  }
  // The plot beside the model shows all three epochs, the resumed ones included.
  const std::string svg = read_file(root_ / "resumed.svg");
  EXPECT_EQ(svg.rfind("<svg ", 0), 0U);
  EXPECT_NE(svg.find("epoch 3"), std::string::npos);
  size_t points = 0;
  for (size_t at = svg.find("<circle"); at != std::string::npos; at = svg.find("<circle", at + 1))
    ++points;
  EXPECT_EQ(points, 6U) << "3 epochs in 2 panels";

  // Nothing left to do once the checkpoint holds every epoch.
  const Result again = run(resumed_run + " --epochs 3 --resume");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
}

TEST_F(TrainCli, ResumeRefusesACheckpointOfAnotherRunAndStartsAfreshWithoutOne) {
  const fs::path model = root_ / "m.safetensors";
  const std::string common =
      data_arg(good_) + " --model mlp --threads 1 --save " + quote(model.string());
  const Result fresh = run(common + " --resume");
  ASSERT_EQ(fresh.status, 0) << fresh.err;
  EXPECT_NE(fresh.out.find("no checkpoint at"), std::string::npos) << fresh.out;
  EXPECT_NE(fresh.out.find("starting from the beginning"), std::string::npos) << fresh.out;
  expect_one_line_error(
      common + " --resume --epochs 2 --batch-size 32", 1,
      {"was made with batch_size 64, not 32", "resume with the options it was made with"});
  expect_one_line_error(common + " --resume --epochs 2 --lr 0.01", 1, {"was made with lr"});
}

}  // namespace
