// Data: the IDX reader on plain and gzip'd files built here (the gzip writer below is written
// from RFC 1952/1951 with stored blocks, independent of zlib), every corrupt-file message, the
// MNIST dataset and its errors, Normalize, the DataLoader (batching, drop_last, shuffling with a
// seed), libtorch-style make_data_loader with its samplers (and their state through archives),
// stream, stateful, shared and chunk datasets, and the worker plumbing on one thread (the
// loaders' worker threads are tested in test_threads.cpp); and, where Debian's
// dataset-fashion-mnist is installed, the real files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "expect_error.h"
#include "tensor_values.h"
#include "tensorgrad/data.h"
#include "tensorgrad/tensorgrad.h"

namespace tg {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// ---- writing test files ----

void put32(Bytes& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

/// An IDX file: magic 0x0000<type><ndims>, big-endian sizes, then `payload` as given.
Bytes idx(uint8_t type, const std::vector<uint32_t>& dims, const Bytes& payload) {
  Bytes b = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) put32(b, d);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

uint32_t crc32(const Bytes& data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t byte : data) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

/// A gzip member (RFC 1952) whose deflate data (RFC 1951) is stored blocks of at most
/// `block` bytes.
Bytes gzip(const Bytes& data, size_t block = 65535) {
  Bytes out = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255};
  size_t pos = 0;
  do {
    const size_t n = std::min(block, data.size() - pos);
    const bool last = pos + n == data.size();
    out.push_back(last ? 1 : 0);  // BFINAL, BTYPE = 00 (stored)
    out.push_back(static_cast<uint8_t>(n));
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(~n));
    out.push_back(static_cast<uint8_t>(~n >> 8));
    out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(pos),
               data.begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
  } while (pos < data.size());
  const uint32_t crc = crc32(data), size = static_cast<uint32_t>(data.size());
  for (int s = 0; s < 32; s += 8) out.push_back(static_cast<uint8_t>(crc >> s));
  for (int s = 0; s < 32; s += 8) out.push_back(static_cast<uint8_t>(size >> s));
  return out;
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("tg_test_data_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string write(const std::string& name, const Bytes& bytes) const {
    const std::string p = (path_ / name).string();
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return p;
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

/// n images of r x c bytes, pixel (i, y, x) = (i * 31 + y * 7 + x) % 256.
Bytes image_bytes(uint32_t n, uint32_t r, uint32_t c) {
  Bytes b;
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t y = 0; y < r; ++y)
      for (uint32_t x = 0; x < c; ++x)
        b.push_back(static_cast<uint8_t>((i * 31 + y * 7 + x) % 256));
  return b;
}
Bytes label_bytes(uint32_t n) {
  Bytes b;
  for (uint32_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(i % 10));
  return b;
}

using tg::testing::values;

// ---- IDX ----

TEST(Idx, ReadsImagesAndLabels) {
  TempDir dir;
  const Bytes pixels = image_bytes(3, 2, 4);
  const auto images = dir.write("img", idx(0x08, {3, 2, 4}, pixels));
  const auto labels = dir.write("lbl", idx(0x08, {3}, {7, 0, 9}));

  Tensor raw = data::read_idx(images);
  EXPECT_EQ(raw.dtype(), kLong);
  EXPECT_EQ(raw.sizes().vec(), (std::vector<int64_t>{3, 2, 4}));
  EXPECT_EQ(raw.data_ptr<int64_t>()[9], pixels[9]);

  Tensor x = data::read_idx_images(images);
  EXPECT_EQ(x.dtype(), kFloat);
  EXPECT_EQ(x.sizes().vec(), (std::vector<int64_t>{3, 1, 2, 4}));
  for (size_t i = 0; i < pixels.size(); ++i)
    EXPECT_EQ(x.data_ptr<float>()[i], static_cast<float>(pixels[i]) / 255.0f) << i;

  Tensor y = data::read_idx_labels(labels);
  EXPECT_EQ(y.dtype(), kLong);
  EXPECT_EQ(values(y), (std::vector<double>{7, 0, 9}));
  EXPECT_EQ(data::read_idx(labels, kDouble).dtype(), kDouble);
  // Every dtype gets the values converted, not only those decoded directly.
  for (const ScalarType dtype : {kByte, kChar, kShort, kInt, kHalf, kBFloat16}) {
    const Tensor converted = data::read_idx(labels, dtype);
    EXPECT_EQ(converted.dtype(), dtype);
    EXPECT_EQ(values(converted), (std::vector<double>{7, 0, 9})) << dtype;
  }
}

TEST(Idx, GzipAndPlainFilesReadTheSame) {
  TempDir dir;
  const Bytes file = idx(0x08, {50, 28, 28}, image_bytes(50, 28, 28));  // 39 KB
  const auto plain = dir.write("plain", file);
  const auto one_block = dir.write("one.gz", gzip(file));
  const auto many_blocks = dir.write("many.gz", gzip(file, 1000));
  Bytes two_members = gzip(Bytes(file.begin(), file.begin() + 1000));
  const Bytes rest = gzip(Bytes(file.begin() + 1000, file.end()));
  two_members.insert(two_members.end(), rest.begin(), rest.end());
  const auto concatenated = dir.write("cat.gz", two_members);

  Tensor expected = data::read_idx_images(plain);
  for (const auto& p : {one_block, many_blocks, concatenated})
    EXPECT_TRUE(tg::equal(data::read_idx_images(p), expected)) << p;
}

TEST(Idx, AllTypeCodes) {
  TempDir dir;
  Bytes i8 = {0xFF, 0x05};  // -1, 5
  EXPECT_EQ(values(data::read_idx(dir.write("i8", idx(0x09, {2}, i8)))),
            (std::vector<double>{-1, 5}));
  Bytes i16 = {0xFF, 0xFE, 0x01, 0x00};  // -2, 256
  EXPECT_EQ(values(data::read_idx(dir.write("i16", idx(0x0B, {2}, i16)))),
            (std::vector<double>{-2, 256}));
  Bytes i32 = {0x80, 0, 0, 0, 0, 1, 0, 1};  // INT32_MIN, 65537
  EXPECT_EQ(values(data::read_idx(dir.write("i32", idx(0x0C, {1, 2}, i32)))),
            (std::vector<double>{-2147483648.0, 65537}));
  Bytes f32 = {0x3F, 0xC0, 0, 0, 0xC0, 0x20, 0, 0};  // 1.5, -2.5
  Tensor f = data::read_idx(dir.write("f32", idx(0x0D, {2}, f32)));
  EXPECT_EQ(f.dtype(), kFloat);
  EXPECT_EQ(values(f), (std::vector<double>{1.5, -2.5}));
  Bytes f64 = {0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18};  // pi
  Tensor d = data::read_idx(dir.write("f64", idx(0x0E, {1}, f64)));
  EXPECT_EQ(d.dtype(), kDouble);
  EXPECT_EQ(d.data_ptr<double>()[0], 3.141592653589793);
  // An empty dimension is a valid, empty file.
  EXPECT_EQ(data::read_idx(dir.write("empty", idx(0x08, {0, 28}, {}))).numel(), 0);
}

TEST(Idx, MissingOrEmptyFile) {
  TempDir dir;
  const std::string missing = dir.str() + "/nope-idx1-ubyte";
  EXPECT_ONE_LINE_ERROR(data::read_idx(missing), "read_idx", "cannot open", missing.c_str(),
                        "No such file");
  EXPECT_ONE_LINE_ERROR(data::read_idx(dir.str()), "read_idx", "regular file");
  const auto empty = dir.write("empty", {});
  EXPECT_ONE_LINE_ERROR(data::read_idx(empty), "read_idx", "not an IDX file", "0 bytes");
}

TEST(Idx, WrongMagicNumbers) {
  TempDir dir;
  const auto png = dir.write("png", {0x89, 'P', 'N', 'G', 0, 0, 0, 0});
  EXPECT_ONE_LINE_ERROR(data::read_idx(png), "read_idx", "not an IDX file", "0x89504E47",
                        "two zero bytes");
  const auto bad_type = dir.write("type", idx(0x07, {1}, {0}));
  EXPECT_ONE_LINE_ERROR(data::read_idx(bad_type), "not an IDX file", "unknown type code 7");
  const auto labels = dir.write("lbl", idx(0x08, {3}, {1, 2, 3}));
  EXPECT_ONE_LINE_ERROR(data::read_idx_images(labels), "read_idx_images", "2049", "2051",
                        "images file");
  const auto images = dir.write("img", idx(0x08, {1, 2, 2}, {1, 2, 3, 4}));
  EXPECT_ONE_LINE_ERROR(data::read_idx_labels(images), "read_idx_labels", "2051", "2049",
                        "labels file");
  const auto floats = dir.write("f", idx(0x0D, {1}, {0, 0, 0, 0}));
  EXPECT_ONE_LINE_ERROR(data::read_idx_labels(floats), "read_idx_labels", "32-bit float");
}

TEST(Idx, HeaderAndDataSizesMustAgree) {
  TempDir dir;
  // The header claims 60000 images of 28x28 but 100 bytes follow: an error, no allocation.
  const auto short_file = dir.write("short", idx(0x08, {60000, 28, 28}, Bytes(100, 1)));
  EXPECT_ONE_LINE_ERROR(data::read_idx_images(short_file), "read_idx_images", "truncated",
                        "60000x28x28", "47040000 bytes", "only 100 bytes");
  EXPECT_ONE_LINE_ERROR(data::read_idx(dir.write("long", idx(0x08, {2}, {1, 2, 3}))), "read_idx",
                        "1 bytes more than its header describes");
  Bytes cut_header = idx(0x08, {3, 28, 28}, {});
  cut_header.resize(9);
  EXPECT_ONE_LINE_ERROR(data::read_idx(dir.write("cut", cut_header)), "read_idx", "truncated",
                        "header");
  // Sizes whose product no file could hold.
  const auto huge = dir.write("huge", idx(0x0E, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, {}));
  EXPECT_ONE_LINE_ERROR(data::read_idx(huge), "read_idx", "corrupt header");
  // A gzip'd file claiming 4 GB: read until the data ends, then the error.
  const auto gz_short = dir.write("short.gz", gzip(idx(0x08, {65535, 256, 256}, Bytes(5000))));
  EXPECT_ONE_LINE_ERROR(data::read_idx(gz_short), "read_idx", "truncated", "65535x256x256",
                        "ends after 5000 bytes");
  const auto gz_long = dir.write("long.gz", gzip(idx(0x08, {2}, {1, 2, 3})));
  EXPECT_ONE_LINE_ERROR(data::read_idx(gz_long), "read_idx", "more data than its header describes");
}

TEST(Idx, CorruptGzip) {
  TempDir dir;
  const Bytes file = idx(0x08, {10, 28, 28}, image_bytes(10, 28, 28));
  const Bytes gz = gzip(file, 4000);

  Bytes truncated(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2));
  EXPECT_ONE_LINE_ERROR(data::read_idx_images(dir.write("t.gz", truncated)), "read_idx_images",
                        "truncated gzip file", "t.gz");
  Bytes no_trailer(gz.begin(), gz.end() - 8);  // all data, but the CRC and size are missing
  EXPECT_ONE_LINE_ERROR(data::read_idx_images(dir.write("nt.gz", no_trailer)), "truncated gzip");

  Bytes flipped = gz;
  flipped[flipped.size() / 2] ^= 0x40;  // a data byte: the CRC-32 no longer matches
  EXPECT_ONE_LINE_ERROR(data::read_idx_images(dir.write("crc.gz", flipped)), "read_idx_images",
                        "not valid gzip data", "incorrect data check", "corrupt");

  Bytes bad_block = gz;
  bad_block[10] = 0x07;  // BTYPE = 11, reserved
  EXPECT_ONE_LINE_ERROR(data::read_idx_images(dir.write("block.gz", bad_block)),
                        "not valid gzip data", "invalid block type");

  Bytes bad_method = gz;
  bad_method[2] = 7;  // not deflate
  EXPECT_ONE_LINE_ERROR(data::read_idx_images(dir.write("method.gz", bad_method)),
                        "not valid gzip data");

  Bytes garbage = gz;
  garbage.insert(garbage.end(), {'x', 'y', 'z', 'w'});
  EXPECT_ONE_LINE_ERROR(data::read_idx_images(dir.write("garbage.gz", garbage)),
                        "not valid gzip data");
}

// ---- MNIST ----

/// Writes an MNIST-style folder: train files plain, t10k files gzip'd.
void write_mnist(const TempDir& dir, uint32_t train, uint32_t test) {
  dir.write("train-images-idx3-ubyte", idx(0x08, {train, 28, 28}, image_bytes(train, 28, 28)));
  dir.write("train-labels-idx1-ubyte", idx(0x08, {train}, label_bytes(train)));
  dir.write("t10k-images-idx3-ubyte.gz",
            gzip(idx(0x08, {test, 28, 28}, image_bytes(test, 28, 28))));
  dir.write("t10k-labels-idx1-ubyte.gz", gzip(idx(0x08, {test}, label_bytes(test))));
}

TEST(Mnist, ReadsTrainAndTestSets) {
  TempDir dir;
  write_mnist(dir, 12, 5);
  data::datasets::MNIST train(dir.str());
  EXPECT_TRUE(train.is_train());
  EXPECT_EQ(train.size().value(), 12u);
  EXPECT_EQ(train.images().sizes().vec(), (std::vector<int64_t>{12, 1, 28, 28}));
  EXPECT_EQ(train.targets().sizes().vec(), (std::vector<int64_t>{12}));
  auto example = train.get(11);
  EXPECT_EQ(example.data.sizes().vec(), (std::vector<int64_t>{1, 28, 28}));
  EXPECT_EQ(example.target.item<int64_t>(), 1);
  EXPECT_FLOAT_EQ(example.data[0][1][2].item<float>(), ((11 * 31 + 7 + 2) % 256) / 255.0f);

  data::datasets::FashionMNIST test(dir.str(), data::datasets::MNIST::Mode::kTest);
  EXPECT_FALSE(test.is_train());
  EXPECT_EQ(test.size().value(), 5u);
  EXPECT_EQ(values(test.targets()), (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_ONE_LINE_ERROR(test.get(5), "MNIST", "index 5", "5 examples");
}

TEST(Mnist, MissingFolderOrFiles) {
  TempDir dir;
  const std::string missing = dir.str() + "/fashion-mnist";
  EXPECT_ONE_LINE_ERROR(data::datasets::MNIST{missing}, "MNIST", missing.c_str(), "does not exist",
                        "apt-get install dataset-fashion-mnist", "give the folder");
  EXPECT_ONE_LINE_ERROR(data::datasets::MNIST{dir.str()}, "MNIST", "train-images-idx3-ubyte",
                        "train-images-idx3-ubyte.gz", "dataset-fashion-mnist");
  const auto file = dir.write("file", {1});
  EXPECT_ONE_LINE_ERROR(data::datasets::MNIST{file}, "MNIST", "is not a folder");
}

TEST(Mnist, MismatchedCountsAndBadLabels) {
  TempDir dir;
  dir.write("train-images-idx3-ubyte", idx(0x08, {3, 28, 28}, image_bytes(3, 28, 28)));
  dir.write("train-labels-idx1-ubyte", idx(0x08, {2}, {1, 2}));
  EXPECT_ONE_LINE_ERROR(data::datasets::MNIST{dir.str()}, "MNIST", "holds 3 images",
                        "holds 2 labels", "same set");
  dir.write("train-labels-idx1-ubyte", idx(0x08, {3}, {1, 200, 2}));
  EXPECT_ONE_LINE_ERROR(data::datasets::MNIST{dir.str()}, "MNIST", "label 200", "position 1",
                        "0..9");
  // Swapped files are caught by their magic numbers.
  dir.write("train-labels-idx1-ubyte", idx(0x08, {3, 28, 28}, image_bytes(3, 28, 28)));
  EXPECT_ONE_LINE_ERROR(data::datasets::MNIST{dir.str()}, "read_idx_labels", "2051", "2049");
}

// ---- transforms ----

TEST(Transforms, Normalize) {
  data::transforms::Normalize<> normalize(0.5, 0.25);
  Tensor x = tg::tensor({0.0f, 0.5f, 1.0f}).view({1, 1, 3});
  EXPECT_EQ(values(normalize(x)), (std::vector<double>{-2, 0, 2}));
  // A whole [count, channels, h, w] tensor at once, and per-channel statistics.
  data::transforms::Normalize<> per_channel({0.0, 1.0}, {1.0, 2.0});
  Tensor batch = tg::ones({4, 2, 3, 3});
  Tensor out = per_channel(batch);
  EXPECT_EQ(out.sizes().vec(), (std::vector<int64_t>{4, 2, 3, 3}));
  EXPECT_FLOAT_EQ(out[3][0][2][2].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(out[3][1][2][2].item<float>(), 0.0f);
  auto example = normalize.apply(data::Example<>(x, tg::tensor({3L})));
  EXPECT_EQ(example.target.item<int64_t>(), 3);
  EXPECT_EQ(values(example.data), (std::vector<double>{-2, 0, 2}));
  EXPECT_ONE_LINE_ERROR(data::transforms::Normalize<>(0.5, 0.0), "Normalize", "standard deviation",
                        "is 0");
  EXPECT_ONE_LINE_ERROR(data::transforms::Normalize<>({0.5, 0.5}, {1.0}), "Normalize", "2 means",
                        "1 standard deviations");
}

// ---- DataLoader ----

/// 10 examples: data row i is [i, 10 i], target i.
std::pair<Tensor, Tensor> indexed(int64_t n = 10) {
  Tensor target = tg::arange(n);
  Tensor data = tg::stack({target.to(kFloat), target.to(kFloat) * 10}, 1);
  return {data, target};
}

TEST(DataLoader, BatchesInOrder) {
  auto [data, target] = indexed();
  data::DataLoader loader(data, target, data::DataLoaderOptions().batch_size(4));
  EXPECT_EQ(loader.size(), 3u);
  EXPECT_EQ(loader.dataset_size(), 10u);
  std::vector<int64_t> sizes, seen;
  for (auto& batch : loader) {
    sizes.push_back(batch.data.size(0));
    EXPECT_EQ(batch.data.size(1), 2);
    EXPECT_EQ(batch.target.dtype(), kLong);
    for (int64_t i = 0; i < batch.target.size(0); ++i) {
      const int64_t t = batch.target[i].item<int64_t>();
      seen.push_back(t);
      EXPECT_EQ(batch.data[i][1].item<float>(), 10.0f * t);  // rows stay with their targets
    }
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{4, 4, 2}));
  EXPECT_EQ(seen, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(DataLoader, ExamplesWithoutElements) {
  data::DataLoader loader(tg::zeros({5, 0}), tg::arange(5), data::DataLoaderOptions(2));
  std::vector<int64_t> sizes;
  for (auto& batch : loader) {
    EXPECT_EQ(batch.data.size(1), 0);
    sizes.push_back(batch.target.size(0));
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{2, 2, 1}));
  data::DataLoader empty(tg::zeros({0, 3}), tg::zeros({0}, kLong), data::DataLoaderOptions(2));
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_TRUE(empty.begin() == empty.end());
}

TEST(DataLoader, DropLast) {
  auto [data, target] = indexed();
  data::DataLoader loader(data, target, data::DataLoaderOptions(4).drop_last(true));
  EXPECT_EQ(loader.size(), 2u);
  int batches = 0;
  for (auto& batch : loader) {
    EXPECT_EQ(batch.data.size(0), 4);
    ++batches;
  }
  EXPECT_EQ(batches, 2);
  // Fewer examples than a batch: no batch at all.
  data::DataLoader tiny(data.slice(0, 0, 3), target.slice(0, 0, 3),
                        data::DataLoaderOptions(4).drop_last(true));
  EXPECT_TRUE(tiny.begin() == tiny.end());
}

std::vector<int64_t> epoch_order(data::DataLoader& loader) {
  std::vector<int64_t> order;
  for (auto& batch : loader)
    for (int64_t i = 0; i < batch.target.size(0); ++i)
      order.push_back(batch.target[i].item<int64_t>());
  return order;
}

TEST(DataLoader, ShuffleWithASeed) {
  auto [data, target] = indexed(100);
  auto options = data::DataLoaderOptions().batch_size(16).shuffle(true).seed(42);
  data::DataLoader a(data, target, options), b(data, target, options);
  const auto a1 = epoch_order(a), a2 = epoch_order(a);
  EXPECT_EQ(a1, epoch_order(b));  // same seed, same epoch: same order
  EXPECT_EQ(a2, epoch_order(b));
  EXPECT_NE(a1, a2);  // a new order each epoch
  std::vector<int64_t> sorted = a1;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> all(100);
  for (int64_t i = 0; i < 100; ++i) all[i] = i;
  EXPECT_EQ(sorted, all);  // each example exactly once
  EXPECT_NE(a1, all);
  data::DataLoader c(data, target, data::DataLoaderOptions(16).shuffle(true).seed(43));
  EXPECT_NE(epoch_order(c), a1);
  EXPECT_EQ(a.epochs(), 2u);
}

TEST(DataLoader, ShuffleWithoutSeedFollowsManualSeed) {
  auto [data, target] = indexed(50);
  data::DataLoader loader(data, target, data::DataLoaderOptions(8).shuffle(true));
  manual_seed(7);
  const auto first = epoch_order(loader);
  manual_seed(7);
  EXPECT_EQ(epoch_order(loader), first);
}

TEST(DataLoader, FromADatasetAndBatchesAreCopies) {
  TempDir dir;
  write_mnist(dir, 10, 3);
  data::datasets::MNIST train(dir.str());
  data::DataLoader loader(train, data::DataLoaderOptions(4));
  auto it = loader.begin();
  EXPECT_EQ(it->data.sizes().vec(), (std::vector<int64_t>{4, 1, 28, 28}));
  EXPECT_TRUE(tg::equal(it->data, train.images().slice(0, 0, 4)));
  it->data.zero_();  // writing a batch leaves the dataset alone
  EXPECT_GT(train.images()[1].sum().item<float>(), 0.0f);
  EXPECT_FALSE(it == loader.end());
  ++it;
  ++it;
  EXPECT_EQ(it->data.size(0), 2);
  ++it;
  EXPECT_TRUE(it == loader.end());
}

TEST(DataLoader, Errors) {
  auto [data, target] = indexed();
  EXPECT_ONE_LINE_ERROR(data::DataLoader(data, target.slice(0, 0, 9)), "DataLoader", "10 examples",
                        "holds 9", "first dimensions");
  EXPECT_ONE_LINE_ERROR(data::DataLoader(data, target, data::DataLoaderOptions(0)), "DataLoader",
                        "batch_size", "at least 1");
  EXPECT_ONE_LINE_ERROR(data::DataLoader(tg::tensor({1.0f}).sum(), tg::tensor({1L}).sum()),
                        "DataLoader", "at least one dimension");
}

// ---- libtorch-style loading ----

TEST(MakeDataLoader, MapNormalizeStack) {
  TempDir dir;
  write_mnist(dir, 10, 3);
  auto dataset = data::datasets::MNIST(dir.str())
                     .map(data::transforms::Normalize<>(0.2860, 0.3530))
                     .map(data::transforms::Stack<>());
  EXPECT_EQ(dataset.size().value(), 10u);
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(std::move(dataset), 4);
  data::datasets::MNIST plain(dir.str());
  Tensor expected = data::transforms::Normalize<>(0.2860, 0.3530)(plain.images());
  int64_t first = 0;
  for (auto& batch : *loader) {
    const int64_t n = batch.data.size(0);
    EXPECT_EQ(batch.data.sizes().vec(), (std::vector<int64_t>{n, 1, 28, 28}));
    EXPECT_TRUE(tg::allclose(batch.data, expected.slice(0, first, first + n)));
    EXPECT_TRUE(tg::equal(batch.target, plain.targets().slice(0, first, first + n)));
    first += n;
  }
  EXPECT_EQ(first, 10);
}

TEST(MakeDataLoader, RandomSamplerAndDropLast) {
  data::datasets::TensorDataset dataset(tg::arange(23));
  auto loader = data::make_data_loader(dataset.map(data::transforms::Stack<data::TensorExample>()),
                                       data::DataLoaderOptions().batch_size(5).drop_last(true));
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::set<int64_t> seen;
    int batches = 0;
    for (auto& batch : *loader) {
      Tensor t = batch.data;
      EXPECT_EQ(t.size(0), 5);
      for (int64_t i = 0; i < 5; ++i) seen.insert(t[i].item<int64_t>());
      ++batches;
    }
    EXPECT_EQ(batches, 4);
    EXPECT_EQ(seen.size(), 20u);
  }
  EXPECT_ONE_LINE_ERROR(data::make_data_loader(dataset, data::DataLoaderOptions(0)),
                        "make_data_loader", "batch_size");
  EXPECT_ONE_LINE_ERROR(data::datasets::TensorDataset(tg::arange(3)).get(3), "TensorDataset",
                        "index 3");
}

// ---- samplers, and their state through archives ----

/// Every index the sampler yields until it runs out, in batches of `batch`.
template <class S>
std::vector<size_t> drain_sampler(S& sampler, size_t batch) {
  std::vector<size_t> all;
  while (auto indices = sampler.next(batch))
    all.insert(all.end(), indices->begin(), indices->end());
  return all;
}

TEST(Samplers, SequentialAndRandomSaveTheirPosition) {
  data::samplers::SequentialSampler a(10);
  a.next(3);
  std::stringstream stream;
  tg::save(a, stream);
  data::samplers::SequentialSampler b(10);
  tg::load(b, stream);
  EXPECT_EQ(b.index(), 3u);
  EXPECT_EQ(b.next(100).value(), (std::vector<size_t>{3, 4, 5, 6, 7, 8, 9}));

  data::samplers::RandomSampler r(20);
  r.next(5);
  std::stringstream random_stream;
  tg::save(r, random_stream);
  data::samplers::RandomSampler s(3);  // another size: the saved permutation replaces it
  tg::load(s, random_stream);
  EXPECT_EQ(s.index(), 5u);
  EXPECT_EQ(s.next(100).value(), r.next(100).value());

  // A stream that holds no sampler state.
  std::stringstream other;
  tg::save(a, other);
  EXPECT_ERROR(tg::load(s, other), "No such serialized tensor 'indices'");
}

TEST(Samplers, StreamSamplerCountsExamples) {
  data::samplers::StreamSampler sampler(25);
  EXPECT_EQ(sampler.next(10).value().size(), 10u);
  std::stringstream stream;
  tg::save(sampler, stream);
  EXPECT_EQ(static_cast<size_t>(sampler.next(10).value()), 10u);
  EXPECT_EQ(sampler.next(10).value().size(), 5u);
  EXPECT_FALSE(sampler.next(10).has_value());
  data::samplers::StreamSampler loaded(25);
  tg::load(loaded, stream);
  EXPECT_EQ(loaded.next(100).value().size(), 15u);
  loaded.reset(4);
  EXPECT_EQ(loaded.next(100).value().size(), 4u);
}

TEST(Samplers, DistributedSamplersPartitionTheDataset) {
  for (bool duplicates : {true, false}) {
    std::vector<size_t> random_all, sequential_all;
    for (size_t rank = 0; rank < 3; ++rank) {
      data::samplers::DistributedRandomSampler random(10, 3, rank, duplicates);
      data::samplers::DistributedSequentialSampler sequential(10, 3, rank, duplicates);
      const std::vector<size_t> r = drain_sampler(random, 2), s = drain_sampler(sequential, 2);
      EXPECT_EQ(r.size(), duplicates ? 4u : 3u);
      EXPECT_EQ(s.size(), r.size());
      EXPECT_EQ(random.index(), r.size());
      random_all.insert(random_all.end(), r.begin(), r.end());
      sequential_all.insert(sequential_all.end(), s.begin(), s.end());
    }
    std::sort(random_all.begin(), random_all.end());
    std::sort(sequential_all.begin(), sequential_all.end());
    const std::vector<size_t> expected =
        duplicates ? std::vector<size_t>{0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9}
                   : std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8};
    EXPECT_EQ(random_all, expected);
    EXPECT_EQ(sequential_all, expected);
  }
  // Rank 1 of 3 visits 4, 5, 6, 7 in order.
  data::samplers::DistributedSequentialSampler one(10, 3, 1);
  EXPECT_EQ(drain_sampler(one, 3), (std::vector<size_t>{4, 5, 6, 7}));

  // The permutation depends on the epoch alone: the same on every replica and every run.
  data::samplers::DistributedRandomSampler a(1000), b(1000);
  EXPECT_EQ(drain_sampler(a, 7), drain_sampler(b, 100));
  a.set_epoch(1);
  a.reset();
  b.reset();
  EXPECT_NE(drain_sampler(a, 1000), drain_sampler(b, 1000));

  EXPECT_ONE_LINE_ERROR(data::samplers::DistributedRandomSampler(10, 2, 2), "DistributedSampler",
                        "rank 2", "2 replicas");
  EXPECT_ONE_LINE_ERROR(data::samplers::DistributedSequentialSampler(10, 0), "DistributedSampler",
                        "num_replicas", "at least 1");
}

TEST(Samplers, DistributedSamplersSaveEpochAndPosition) {
  data::samplers::DistributedRandomSampler a(50, 2, 1);
  a.set_epoch(4);
  a.reset();
  a.next(10);
  std::stringstream stream;
  tg::save(a, stream);
  data::samplers::DistributedRandomSampler b(50, 2, 1);
  tg::load(b, stream);
  EXPECT_EQ(b.epoch(), 4u);
  EXPECT_EQ(b.index(), 10u);
  EXPECT_EQ(drain_sampler(b, 100), drain_sampler(a, 100));

  data::samplers::DistributedSequentialSampler c(50, 2, 1);
  c.next(7);
  std::stringstream sequential;
  tg::save(c, sequential);
  data::samplers::DistributedSequentialSampler d(50, 2, 1);
  tg::load(d, sequential);
  EXPECT_EQ(d.index(), 7u);
  EXPECT_EQ(d.next(1).value(), (std::vector<size_t>{32}));

  // A position past the replica's share (saved from a larger dataset).
  data::samplers::DistributedSequentialSampler big(100);
  big.next(60);
  std::stringstream far;
  tg::save(big, far);
  EXPECT_ONE_LINE_ERROR(tg::load(d, far), "DistributedSequentialSampler::load", "position 60",
                        "25 indices");
}

TEST(Samplers, LoadChecksTheSavedValues) {
  serialize::OutputArchive archive;
  archive.write("index", tg::tensor({1.5, 2.5}));
  std::stringstream stream;
  archive.save_to(stream);
  data::samplers::SequentialSampler s(3);
  EXPECT_ONE_LINE_ERROR(tg::load(s, stream), "SequentialSampler::load", "'index'",
                        "one kLong value");

  serialize::OutputArchive negative;
  negative.write("index", tg::scalar_tensor(int64_t{-1}, kLong));
  std::stringstream negative_stream;
  negative.save_to(negative_stream);
  EXPECT_ONE_LINE_ERROR(tg::load(s, negative_stream), "SequentialSampler::load", "is -1", ">= 0");

  serialize::OutputArchive random;
  random.write("indices", tg::arange(4));
  random.write("index", tg::scalar_tensor(int64_t{5}, kLong));
  std::stringstream random_stream;
  random.save_to(random_stream);
  data::samplers::RandomSampler r(4);
  EXPECT_ONE_LINE_ERROR(tg::load(r, random_stream), "RandomSampler::load", "position 5",
                        "4 saved indices");

  serialize::OutputArchive matrix;
  matrix.write("indices", tg::zeros({2, 2}, kLong));
  matrix.write("index", tg::scalar_tensor(int64_t{0}, kLong));
  std::stringstream matrix_stream;
  matrix.save_to(matrix_stream);
  EXPECT_ONE_LINE_ERROR(tg::load(r, matrix_stream), "RandomSampler::load", "1-d kLong", "[2, 2]");

  data::samplers::DistributedRandomSampler big(100);
  big.next(60);
  std::stringstream far;
  tg::save(big, far);
  data::samplers::DistributedRandomSampler small(10);
  EXPECT_ONE_LINE_ERROR(tg::load(small, far), "DistributedRandomSampler::load", "position 60",
                        "10 indices");
}

// ---- archives ----

TEST(Archive, RoundTripThroughStreamsFilesAndFunctions) {
  serialize::OutputArchive inner;
  inner.write("w", tg::arange(6, kDouble).reshape({2, 3}));
  serialize::OutputArchive outer;
  outer.write("step", tg::scalar_tensor(int64_t{3}, kLong));
  outer.write("inner", inner);
  EXPECT_EQ(outer.keys(), (std::vector<std::string>{"step", "inner.w"}));

  const auto check = [](serialize::InputArchive& in) {
    EXPECT_EQ(in.keys(), (std::vector<std::string>{"step", "inner"}));
    Tensor step;
    in.read("step", step);
    EXPECT_EQ(step.item<int64_t>(), 3);
    serialize::InputArchive nested;
    in.read("inner", nested);
    EXPECT_EQ(nested.keys(), (std::vector<std::string>{"w"}));
    Tensor w = tg::zeros({2, 3}, kDouble);
    const Tensor alias = w;
    nested.read("w", w);
    EXPECT_TRUE(tg::equal(alias, tg::arange(6, kDouble).reshape({2, 3})));  // filled in place
    Tensor missing;
    EXPECT_FALSE(in.try_read("nothing", missing));
    EXPECT_FALSE(missing.defined());
    EXPECT_FALSE(in.try_read("nothing", nested));
    EXPECT_ONE_LINE_ERROR(nested.read("v", w), "InputArchive::read",
                          "No such serialized tensor 'inner.v'");
    EXPECT_ONE_LINE_ERROR(in.read("outer", nested), "InputArchive::read",
                          "No such serialized submodule", "'outer'");
  };

  std::stringstream stream;
  stream << "prefix";  // an archive may start anywhere in a stream
  outer.save_to(stream);
  stream.seekg(6);
  serialize::InputArchive from_stream;
  from_stream.load_from(stream);
  check(from_stream);

  TempDir dir;
  const std::string file = dir.str() + "/archive.safetensors";
  outer.save_to(file);
  serialize::InputArchive from_file;
  from_file.load_from(file, Device(kCPU));
  check(from_file);
  EXPECT_EQ(load_tensors(file).keys(), (std::vector<std::string>{"step", "inner.w"}));

  std::string bytes;
  outer.save_to([&](const void* data, size_t size) {
    bytes.append(static_cast<const char*>(data), size);
    return size;
  });
  serialize::InputArchive from_memory;
  from_memory.load_from(bytes.data(), bytes.size());
  check(from_memory);
  serialize::InputArchive from_reader;
  from_reader.load_from(
      [&](uint64_t pos, void* buf, size_t n) {
        std::memcpy(buf, bytes.data() + pos, n);
        return n;
      },
      [&] { return bytes.size(); });
  check(from_reader);
}

TEST(Archive, Errors) {
  serialize::OutputArchive archive;
  archive.write("a", tg::ones({1}));
  EXPECT_ONE_LINE_ERROR(archive.write("a", tg::ones({1})), "OutputArchive::write", "'a'",
                        "already written");
  EXPECT_ONE_LINE_ERROR(archive.write("", tg::ones({1})), "OutputArchive::write", "key is empty");
  EXPECT_ONE_LINE_ERROR(archive.write("b", Tensor()), "OutputArchive::write", "'b'", "undefined");
  EXPECT_ONE_LINE_ERROR(archive.write("", archive), "OutputArchive::write", "nested archive",
                        "empty");
  EXPECT_ONE_LINE_ERROR(archive.write("self", archive), "OutputArchive::write", "nest itself");
  EXPECT_ONE_LINE_ERROR(archive.save_to([](const void*, size_t) { return size_t{3}; }),
                        "OutputArchive::save_to", "took 3");
  EXPECT_ONE_LINE_ERROR(archive.save_to(std::function<size_t(const void*, size_t)>()),
                        "OutputArchive::save_to", "writer function is empty");
  std::ofstream closed;
  EXPECT_ONE_LINE_ERROR(archive.save_to(closed), "OutputArchive::save_to", "writing");

  serialize::InputArchive in;
  std::stringstream garbage("not an archive at all");
  EXPECT_ONE_LINE_ERROR(in.load_from(garbage), "InputArchive::load_from", "the stream");
  std::stringstream good;
  archive.save_to(good);
  EXPECT_ONE_LINE_ERROR(in.load_from(good, Device(kCUDA)), "InputArchive::load_from", "CPU");
  EXPECT_ONE_LINE_ERROR(in.load_from("/nonexistent/archive"), "InputArchive::load_from",
                        "cannot open", "/nonexistent/archive");
  EXPECT_ONE_LINE_ERROR(in.load_from(nullptr, 8), "InputArchive::load_from", "null");
  EXPECT_ONE_LINE_ERROR(
      in.load_from([](uint64_t, void*, size_t) { return size_t{0}; }, [] { return size_t{16}; }),
      "InputArchive::load_from", "gave 0", "16 bytes");
  EXPECT_ONE_LINE_ERROR(
      in.load_from(std::function<size_t(uint64_t, void*, size_t)>(), [] { return size_t{0}; }),
      "InputArchive::load_from", "must not be empty");
}

// ---- libtorch-style datasets and loaders ----

/// A stream of 0, 1, 2, ... (StreamDataset: the request is a count).
struct Counter : data::datasets::StreamDataset<Counter, std::vector<int>> {
  std::vector<int> get_batch(size_t n) override {
    std::vector<int> batch(n);
    for (int& v : batch) v = next++;
    return batch;
  }
  std::optional<size_t> size() const override { return std::nullopt; }
  int next = 0;
};

TEST(MakeDataLoader, StreamDatasetWithStreamSampler) {
  auto loader = data::make_data_loader(
      Counter().map(data::transforms::Lambda<int>([](int x) { return 2 * x; })),
      data::samplers::StreamSampler(10), 4);
  std::vector<int> all;
  for (auto& batch : *loader) all.insert(all.end(), batch.begin(), batch.end());
  EXPECT_EQ(all, (std::vector<int>{0, 2, 4, 6, 8, 10, 12, 14, 16, 18}));
}

/// Counts to `limit` in each epoch, then ends it (a stateful dataset).
struct Countdown : data::datasets::StatefulDataset<Countdown, std::vector<int>> {
  explicit Countdown(int limit) : limit(limit) {}
  std::optional<std::vector<int>> get_batch(size_t n) override {
    if (count >= limit) return std::nullopt;
    std::vector<int> batch;
    while (batch.size() < n && count < limit) batch.push_back(count++);
    return batch;
  }
  std::optional<size_t> size() const override { return std::nullopt; }
  void reset() override { count = 0; }
  void save(serialize::OutputArchive& archive) const override {
    archive.write("count", tg::scalar_tensor(int64_t{count}, kLong));
  }
  void load(serialize::InputArchive& archive) override {
    Tensor t;
    archive.read("count", t);
    count = static_cast<int>(t.item<int64_t>());
  }
  int limit, count = 0;
};

TEST(MakeDataLoader, StatefulDatasetEpochsAndMap) {
  auto loader =
      data::make_data_loader(Countdown(7).map(data::transforms::BatchLambda<std::vector<int>, int>(
                                 [](std::vector<int> v) { return static_cast<int>(v.size()); })),
                             data::DataLoaderOptions(3));
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::vector<int> sizes;
    for (int size : *loader) sizes.push_back(size);
    EXPECT_EQ(sizes, (std::vector<int>{3, 3, 1})) << "epoch " << epoch;
  }
  EXPECT_EQ(loader->options().batch_size, 3u);

  // The dataset's state goes through tg::save / tg::load.
  Countdown d(5);
  d.get_batch(2);
  std::stringstream stream;
  tg::save(d, stream);
  Countdown e(5);
  tg::load(e, stream);
  EXPECT_EQ(e.get_batch(10).value(), (std::vector<int>{2, 3, 4}));
}

/// 1 + index, as an int (a Dataset of single examples that are not tensors).
struct Plus : data::datasets::Dataset<Plus, int> {
  int get(size_t index) override { return 1 + static_cast<int>(index); }
  std::optional<size_t> size() const override { return 10; }
};

TEST(MakeDataLoader, IteratorRules) {
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(
      Plus().map(data::transforms::Collate<int>([](std::vector<int> v) { return v.front(); })),
      data::DataLoaderOptions(5));
  auto it = loader->begin();
  auto copy = it;  // copies share the position
  EXPECT_EQ(*it, 1);
  ++copy;
  EXPECT_EQ(*it, 6);
  EXPECT_TRUE(it == copy);
  ++it;
  EXPECT_TRUE(it == loader->end());
  EXPECT_ONE_LINE_ERROR(++it, "Attempted to increment iterator past the end");
  EXPECT_ONE_LINE_ERROR(*it, "Attempted to dereference iterator that was past the end");
  auto end = loader->end();
  EXPECT_ONE_LINE_ERROR(++end, "Incrementing the DataLoader's past-the-end iterator");
  EXPECT_ONE_LINE_ERROR(*end, "Dereferencing the DataLoader's past-the-end iterator");
  // Valid iterators equal only themselves; begin() starts the epoch over.
  auto first = loader->begin();
  auto second = loader->begin();
  EXPECT_TRUE(first != second);
  EXPECT_EQ(*second, 1);

  // The default sampler is built from the dataset's size, which must be known.
  struct Unsized : data::datasets::Dataset<Unsized, int> {
    int get(size_t index) override { return static_cast<int>(index); }
    std::optional<size_t> size() const override { return std::nullopt; }
  };
  EXPECT_ONE_LINE_ERROR(data::make_data_loader(Unsized()), "make_data_loader",
                        "Expected the dataset to be sized in order to construct the Sampler");
  EXPECT_ONE_LINE_ERROR(data::make_data_loader(Plus(), data::DataLoaderOptions(2).shuffle(true)),
                        "make_data_loader", "shuffle and seed", "RandomSampler");
  EXPECT_ONE_LINE_ERROR(
      data::make_data_loader(Plus(), data::DataLoaderOptions(2).workers(2).max_jobs(0)),
      "make_data_loader", "max_jobs is 0", "2 workers");
}

TEST(MakeDataLoader, OptionsAreCompletedLikeLibtorch) {
  data::FullDataLoaderOptions defaults{data::DataLoaderOptions()};
  EXPECT_EQ(defaults.batch_size, 1u);
  EXPECT_EQ(defaults.max_jobs, 0u);
  EXPECT_TRUE(defaults.enforce_ordering);
  EXPECT_FALSE(defaults.timeout.has_value());
  data::FullDataLoaderOptions four{data::DataLoaderOptions(8).workers(4)};
  EXPECT_EQ(four.max_jobs, 8u);
  data::FullDataLoaderOptions set{data::DataLoaderOptions().workers(4).max_jobs(3)};
  EXPECT_EQ(set.max_jobs, 3u);
}

TEST(MakeDataLoader, SharedDatasetIsNotCopied) {
  struct Uncopyable : data::datasets::Dataset<Uncopyable, int> {
    Uncopyable() = default;
    Uncopyable(const Uncopyable&) = delete;
    int get(size_t index) override { return static_cast<int>(index); }
    std::optional<size_t> size() const override { return 4; }
  };
  auto shared = data::datasets::make_shared_dataset<Uncopyable>();
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(shared, 4);
  EXPECT_EQ(*loader->begin(), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(shared->size().value(), 4u);
  EXPECT_ONE_LINE_ERROR(data::datasets::SharedBatchDataset<Uncopyable>(nullptr),
                        "SharedBatchDataset", "null");
}

// ---- the plumbing of the workers, on one thread ----

TEST(DataDetail, QueueShuttleAndSequencers) {
  data::detail::Queue<int> queue;
  queue.push(1);
  queue.push(2);
  EXPECT_EQ(queue.pop(), 1);
  EXPECT_EQ(queue.clear(), 1u);
  EXPECT_ONE_LINE_ERROR(
      queue.pop(std::chrono::milliseconds(1)),
      "Timeout in DataLoader queue while waiting for next batch (timeout was 1 ms)",
      "DataLoaderOptions().timeout");

  data::detail::DataShuttle<int, int> shuttle;
  EXPECT_FALSE(shuttle.pop_result().has_value());  // nothing in flight
  shuttle.push_job(7);
  shuttle.push_job(8);
  EXPECT_EQ(shuttle.in_flight_jobs(), 2u);
  EXPECT_EQ(shuttle.pop_job(), 7);
  shuttle.push_result(70);
  EXPECT_EQ(shuttle.pop_result().value(), 70);
  shuttle.drain();  // job 8 was never taken
  EXPECT_EQ(shuttle.in_flight_jobs(), 0u);

  struct R {
    size_t sequence_number;
  };
  data::detail::sequencers::OrderedSequencer<R> ordered(3);
  std::vector<size_t> arriving = {2, 0, 1};
  size_t i = 0;
  const auto producer = [&]() -> std::optional<R> {
    if (i == arriving.size()) return std::nullopt;
    return R{arriving[i++]};
  };
  std::vector<size_t> out;
  while (auto r = ordered.next(producer)) out.push_back(r->sequence_number);
  EXPECT_EQ(out, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(ordered.next_sequence_number_, 3u);

  data::detail::sequencers::OrderedSequencer<R> narrow(2);
  arriving = {2};
  i = 0;
  EXPECT_ONE_LINE_ERROR(narrow.next(producer), "OrderedSequencer", "result 2",
                        "result 0 is expected", "max_jobs (2)");
  data::detail::sequencers::OrderedSequencer<R> gap(3);
  arriving = {1};
  i = 0;
  EXPECT_ONE_LINE_ERROR(gap.next(producer), "OrderedSequencer", "ran out", "result 1",
                        "waits for result 0");
  EXPECT_ONE_LINE_ERROR(data::detail::sequencers::OrderedSequencer<R>(0), "OrderedSequencer",
                        "max_jobs", "at least 1");
}

// ---- chunk datasets ----

/// Chunk c holds `sizes[c]` examples numbered on from the previous chunks'; chunk `bad` throws.
struct Chunks : data::datasets::ChunkDataReader<int> {
  explicit Chunks(std::vector<size_t> sizes, size_t bad = SIZE_MAX)
      : sizes(std::move(sizes)), bad(bad) {}
  std::vector<int> read_chunk(size_t c) override {
    if (c == bad) throw std::runtime_error("chunk " + std::to_string(c) + " is unreadable");
    std::vector<int> chunk(sizes[c]);
    int first = 0;
    for (size_t i = 0; i < c; ++i) first += static_cast<int>(sizes[i]);
    std::iota(chunk.begin(), chunk.end(), first);
    return chunk;
  }
  size_t chunk_count() override { return sizes.size(); }
  void reset() override {}
  std::vector<size_t> sizes;
  size_t bad;
};

using SequentialChunks = data::datasets::ChunkDataset<Chunks, data::samplers::SequentialSampler,
                                                      data::samplers::SequentialSampler>;

std::vector<std::vector<int>> chunk_epoch(Chunks reader,
                                          data::datasets::ChunkDatasetOptions options,
                                          std::function<void(std::vector<int>&)> policy = {}) {
  auto dataset = data::datasets::make_shared_dataset<SequentialChunks>(
      std::move(reader), data::samplers::SequentialSampler(0), data::samplers::SequentialSampler(0),
      options, std::move(policy));
  auto loader = data::make_data_loader(dataset, data::DataLoaderOptions(options.batch_size()));
  std::vector<std::vector<int>> batches;
  for (auto& batch : *loader) batches.push_back(batch);
  return batches;
}

TEST(ChunkDataset, BatchesAcrossChunksInOrder) {
  // One preloader and sequential samplers: the order is fixed.
  const auto batches = chunk_epoch(Chunks({3, 4, 0, 2}), data::datasets::ChunkDatasetOptions(1, 4));
  EXPECT_EQ(batches, (std::vector<std::vector<int>>{{0, 1, 2, 3}, {4, 5, 6, 7}, {8}}));
  // Two chunks shuffled together, then a policy that reverses what was read.
  const auto reversed = chunk_epoch(Chunks({2, 2, 2}),
                                    data::datasets::ChunkDatasetOptions(1, 3, 6, /*cross_chunk=*/2),
                                    [](std::vector<int>& v) { std::reverse(v.begin(), v.end()); });
  EXPECT_EQ(reversed, (std::vector<std::vector<int>>{{3, 2, 1}, {0, 5, 4}}));
}

TEST(ChunkDataset, ErrorsAndCheckpoints) {
  EXPECT_ONE_LINE_ERROR(data::datasets::ChunkDatasetOptions(0, 1), "Preloader count is 0");
  EXPECT_ONE_LINE_ERROR(data::datasets::ChunkDatasetOptions(1, 0), "Batch size is 0");
  EXPECT_ONE_LINE_ERROR(data::datasets::ChunkDatasetOptions(1, 1, 0), "Cache size is 0");
  EXPECT_ONE_LINE_ERROR(data::datasets::ChunkDatasetOptions(1, 10, 5),
                        "Cache size is less than batch size", "cache_size 5, batch_size 10");
  EXPECT_ONE_LINE_ERROR(data::datasets::ChunkDatasetOptions(1, 10, 20, 0),
                        "cross_chunk_shuffle_count needs to be greater than 0");

  SequentialChunks dataset(Chunks({5, 5, 5}), data::samplers::SequentialSampler(0),
                           data::samplers::SequentialSampler(0),
                           data::datasets::ChunkDatasetOptions(1, 5, 5));
  EXPECT_ERROR(dataset.get_batch(), "ChunkDataset::get_batch",
               "Dataset needs to call reset() before calling get_batch()");
  dataset.reset();
  EXPECT_ERROR(
      dataset.get_batch(6), "ChunkDataset::get_batch",
      "The requested batch size does not match with the initialized batch size.\n The "
      "requested batch size is 6, while the dataset is created with batch size equal to 5");
  EXPECT_EQ(dataset.get_batch().value(), (std::vector<int>{0, 1, 2, 3, 4}));

  // A checkpoint of the chunk sampler: a dataset loaded from it goes on from the saved chunk in
  // its next epoch, and starts over in the one after.
  data::samplers::SequentialSampler skip(3);
  skip.next(2);
  std::stringstream stream;
  tg::save(skip, stream);
  auto resumed = data::datasets::make_shared_dataset<SequentialChunks>(
      Chunks({5, 5, 5}), data::samplers::SequentialSampler(3), data::samplers::SequentialSampler(0),
      data::datasets::ChunkDatasetOptions(1, 5, 5));
  tg::load(*resumed, stream);
  auto loader = data::make_data_loader(resumed, data::DataLoaderOptions(5));
  std::vector<std::vector<int>> first, second;
  for (auto& batch : *loader) first.push_back(batch);
  for (auto& batch : *loader) second.push_back(batch);
  EXPECT_EQ(first, (std::vector<std::vector<int>>{{10, 11, 12, 13, 14}}));
  EXPECT_EQ(second.size(), 3u);
  std::stringstream saved;
  tg::save(*resumed, saved);  // the chunk sampler's state
  data::samplers::SequentialSampler after(0);
  tg::load(after, saved);
  EXPECT_EQ(after.index(), 3u);
}

TEST(ChunkDataset, ReaderAndSamplerFailuresReachTheCaller) {
  auto dataset = data::datasets::make_shared_dataset<SequentialChunks>(
      Chunks({2, 2, 2}, /*bad=*/1), data::samplers::SequentialSampler(0),
      data::samplers::SequentialSampler(0), data::datasets::ChunkDatasetOptions(1, 2, 2));
  dataset->reset();
  EXPECT_EQ(dataset->get_batch().value(), (std::vector<int>{0, 1}));
  try {
    dataset->get_batch();
    ADD_FAILURE() << "expected a WorkerException";
  } catch (const data::WorkerException& e) {
    EXPECT_EQ(std::string(e.what()),
              "Caught exception in DataLoader worker thread. Original message: chunk 1 is "
              "unreadable");
    EXPECT_THROW(std::rethrow_exception(e.original_exception), std::runtime_error);
  }
  EXPECT_EQ(dataset->get_batch().value(), (std::vector<int>{4, 5}));
  EXPECT_FALSE(dataset->get_batch().has_value());

  // An example sampler that skips examples.
  struct Short : data::samplers::SequentialSampler {
    Short() : SequentialSampler(0) {}
    std::optional<std::vector<size_t>> next(size_t n) override {
      return SequentialSampler::next(n > 1 ? n - 1 : n);
    }
  };
  using ShortChunks =
      data::datasets::ChunkDataset<Chunks, data::samplers::SequentialSampler, Short>;
  ShortChunks short_dataset(Chunks({3}), data::samplers::SequentialSampler(0), Short(),
                            data::datasets::ChunkDatasetOptions(1, 3));
  short_dataset.reset();
  try {
    short_dataset.get_batch();
    ADD_FAILURE() << "expected a WorkerException";
  } catch (const data::WorkerException& e) {
    EXPECT_NE(std::string(e.what()).find("the example sampler gave 2 indices where 3 were asked"),
              std::string::npos)
        << e.what();
  }

  // An example sampler whose indices lie outside the chunk.
  struct Far : data::samplers::SequentialSampler {
    Far() : SequentialSampler(0) {}
    std::optional<std::vector<size_t>> next(size_t n) override { return std::vector<size_t>(n, 7); }
  };
  using FarChunks = data::datasets::ChunkDataset<Chunks, data::samplers::SequentialSampler, Far>;
  FarChunks far_dataset(Chunks({3}), data::samplers::SequentialSampler(0), Far(),
                        data::datasets::ChunkDatasetOptions(1, 3));
  far_dataset.reset();
  try {
    far_dataset.get_batch();
    ADD_FAILURE() << "expected a WorkerException";
  } catch (const data::WorkerException& e) {
    EXPECT_NE(std::string(e.what()).find("the index 7, out of range for a chunk of 3 examples"),
              std::string::npos)
        << e.what();
  }
}

// ---- the real Fashion-MNIST, where installed ----

TEST(FashionMnist, DebianPackageFiles) {
  const std::string root = data::datasets::kFashionMnistRoot;
  if (!fs::exists(root + "/t10k-labels-idx1-ubyte.gz")) {
    GTEST_SKIP() << root << " is absent (Debian package dataset-fashion-mnist not installed)";
  }
  data::datasets::MNIST test(root, data::datasets::MNIST::Mode::kTest);
  EXPECT_EQ(test.images().sizes().vec(), (std::vector<int64_t>{10000, 1, 28, 28}));
  // 1000 test images per class.
  Tensor counts = tg::zeros({10}, kLong);
  for (int64_t c = 0; c < 10; ++c)
    EXPECT_EQ(test.targets().eq(c).sum().item<int64_t>(), 1000) << "class " << c;
  const double mean = test.images().mean().item<double>();
  EXPECT_NEAR(mean, 0.2868, 2e-3);
  EXPECT_GE(test.images().min().item<float>(), 0.0f);
  EXPECT_LE(test.images().max().item<float>(), 1.0f);

  // A copy of a real (deflate-compressed) file cut short is reported as truncated.
  TempDir dir;
  std::ifstream in(root + "/t10k-labels-idx1-ubyte.gz", std::ios::binary);
  Bytes gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  gz.resize(gz.size() / 2);
  EXPECT_ONE_LINE_ERROR(data::read_idx_labels(dir.write("cut.gz", gz)), "truncated gzip file");
}

}  // namespace
}  // namespace tg
