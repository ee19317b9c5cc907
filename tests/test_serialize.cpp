// Saving and loading in the safetensors format: round trips of every dtype and of odd shapes,
// the file layout, a file written byte by byte to the specification, an independent reader in
// Python's standard library (tests/serialize_reader.py), modules saved and loaded into fresh
// ones with bit-identical outputs, mismatched modules, and hostile files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "expect_error.h"
#include "tensorgrad/nn.h"
#include "tensorgrad/serialize.h"
#include "tensorgrad/tensorgrad.h"

namespace tg {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("tg_test_serialize_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const Bytes& bytes) const {
    std::ofstream out(file(name), std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return file(name);
  }

 private:
  fs::path path_;
};

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void put_le(Bytes& b, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

/// A safetensors file from a header text and data bytes; the header length is the text's size
/// unless `length` overrides it.
Bytes st_file(const std::string& header, const Bytes& data = {},
              std::optional<uint64_t> length = std::nullopt) {
  Bytes b;
  put_le(b, length.value_or(header.size()), 8);
  b.insert(b.end(), header.begin(), header.end());
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

std::vector<std::pair<std::string, Tensor>> sample_tensors() {
  Tensor f = tg::tensor({1.5f, -2.25f, 3.0f, 1e-30f, -0.0f, 65504.0f}).view({2, 3}).t();
  Tensor d = tg::tensor({3.141592653589793, -1e300, 2.5e-310}, kDouble);
  Tensor l = tg::tensor({int64_t(-9007199254740993), int64_t(0), int64_t(42)}).view({3, 1});
  Tensor b = tg::tensor(std::vector<bool>{true, false, true, true});
  Tensor scalar = tg::full({}, 7.0, kDouble);
  Tensor empty = tg::zeros({0, 3});
  Tensor grad = tg::ones({2}, requires_grad()) * 2;  // with autograd history
  return {{"f32.transposed", f}, {"f64", d},         {"i64", l},
          {"bool", b},           {"scalar", scalar}, {"empty", empty},
          {"with_history", grad}};
}

TEST(Safetensors, RoundTripEveryDtypeAndShape) {
  TempDir dir;
  const auto tensors = sample_tensors();
  save(tensors, dir.file("t.safetensors"), {{"format", "pt"}, {"note", "ünïcödé"}});
  auto loaded = load_tensors(dir.file("t.safetensors"));
  ASSERT_EQ(loaded.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& [name, t] = tensors[i];
    EXPECT_EQ(loaded[i].key(), name);  // file order is save order
    const Tensor& u = loaded[i].value();
    EXPECT_EQ(u.dtype(), t.dtype()) << name;
    EXPECT_EQ(u.sizes().vec(), t.sizes().vec()) << name;
    EXPECT_TRUE(u.is_contiguous());
    EXPECT_FALSE(u.requires_grad());
    EXPECT_TRUE(tg::equal(u, t.detach())) << name;
  }
  const auto metadata = load_metadata(dir.file("t.safetensors"));
  EXPECT_EQ(metadata.size(), 2u);
  EXPECT_EQ(metadata.at("note"), "ünïcödé");
  // Bit patterns survive (the sign of -0.0, a denormal double).
  EXPECT_TRUE(std::signbit(loaded["f32.transposed"][1][1].item<float>()));
  EXPECT_EQ(loaded["f64"].data_ptr<double>()[2], 2.5e-310);
}

TEST(Safetensors, OtherContainersAndOverwriting) {
  TempDir dir;
  std::map<std::string, Tensor> map = {{"b", tg::ones({2})}, {"a", tg::zeros({1})}};
  save(map, dir.file("m.safetensors"));
  auto loaded = load_tensors(dir.file("m.safetensors"));
  EXPECT_EQ(loaded.keys(), (std::vector<std::string>{"a", "b"}));
  std::unordered_map<std::string, Tensor> unordered = {{"z", tg::ones({1})}, {"y", tg::ones({3})}};
  save(unordered, dir.file("m.safetensors"));  // replaces the file
  EXPECT_EQ(load_tensors(dir.file("m.safetensors")).keys(), (std::vector<std::string>{"y", "z"}));
  OrderedDict<std::string, Tensor> dict;
  dict.insert("second", tg::ones({1}));
  dict.insert("first", tg::ones({1}));
  save(dict, dir.file("d.safetensors"));
  EXPECT_EQ(load_tensors(dir.file("d.safetensors")).keys(),
            (std::vector<std::string>{"second", "first"}));
  save(std::vector<std::pair<std::string, Tensor>>{}, dir.file("none.safetensors"));
  EXPECT_EQ(load_tensors(dir.file("none.safetensors")).size(), 0u);
  EXPECT_FALSE(fs::exists(dir.file("m.safetensors.tmp")));
}

TEST(Safetensors, FileLayoutFollowsTheSpecification) {
  TempDir dir;
  save({{"w", tg::tensor({1.0f, 2.0f, 3.0f})}, {"n", tg::tensor({int64_t(5)})}},
       dir.file("l.safetensors"), {{"k", "v"}});
  const Bytes b = read_file(dir.file("l.safetensors"));
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | b[i];
  EXPECT_EQ(n % 8, 0u);  // data aligned to 8 bytes
  ASSERT_EQ(b.size(), 8 + n + 12 + 8);
  const std::string header(b.begin() + 8, b.begin() + 8 + static_cast<std::ptrdiff_t>(n));
  EXPECT_EQ(header.front(), '{');
  const auto json = nlohmann::json::parse(header);
  EXPECT_EQ(json["w"]["dtype"], "F32");
  EXPECT_EQ(json["w"]["shape"], nlohmann::json::array({3}));
  EXPECT_EQ(json["w"]["data_offsets"], nlohmann::json::array({0, 12}));
  EXPECT_EQ(json["n"]["dtype"], "I64");
  EXPECT_EQ(json["n"]["data_offsets"], nlohmann::json::array({12, 20}));
  EXPECT_EQ(json["__metadata__"]["k"], "v");
  EXPECT_EQ(header.find_first_not_of(' ', header.find_last_of('}') + 1), std::string::npos);
  // The data: 1.0f, 2.0f, 3.0f then 5, little-endian.
  const Bytes expected = {0,    0,    0x80, 0x3F, 0, 0, 0, 0x40, 0, 0,
                          0x40, 0x40, 5,    0,    0, 0, 0, 0,    0, 0};
  EXPECT_EQ(Bytes(b.begin() + 8 + static_cast<std::ptrdiff_t>(n), b.end()), expected);
}

TEST(Safetensors, LoadsAFileWrittenByteByByte) {
  TempDir dir;
  // The header lists "b" before "a" though a's data comes first; __metadata__ in the middle;
  // padded with spaces to 256 bytes.
  std::string header = R"({"b":{"dtype":"I64","shape":[2],"data_offsets":[8,24]},)"
                       R"("__metadata__":{"format":"pt"},)"
                       R"("a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},)"
                       R"("c":{"dtype":"BOOL","shape":[3],"data_offsets":[24,27]},)"
                       R"("d":{"dtype":"F64","shape":[],"data_offsets":[27,35]}})";
  header.append(256 - header.size(), ' ');
  ASSERT_EQ(header.size(), 256u);
  Bytes data = {0x00, 0x00, 0xC0, 0x3F,                          // 1.5f
                0x00, 0x00, 0x00, 0xC0,                          // -2.0f
                0x03, 0,    0,    0,    0,    0,    0,    0,     // 3
                0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // -4
                0x01, 0x00, 0x02,  // true, false, and a non-canonical true
                0x18, 0x2D, 0x44, 0x54, 0xFB, 0x21, 0x09, 0x40};  // pi
  const auto path = dir.write("hand.safetensors", st_file(header, data));
  auto t = load_tensors(path);
  EXPECT_EQ(t.keys(), (std::vector<std::string>{"a", "b", "c", "d"}));  // data order
  EXPECT_EQ(t["a"].dtype(), kFloat);
  EXPECT_EQ(t["a"].sizes().vec(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(t["a"].data_ptr<float>()[0], 1.5f);
  EXPECT_EQ(t["a"].data_ptr<float>()[1], -2.0f);
  EXPECT_EQ(t["b"].data_ptr<int64_t>()[0], 3);
  EXPECT_EQ(t["b"].data_ptr<int64_t>()[1], -4);
  EXPECT_EQ(t["c"].data_ptr<bool>()[0], true);
  EXPECT_EQ(t["c"].data_ptr<bool>()[1], false);
  EXPECT_EQ(t["c"].data_ptr<bool>()[2], true);
  EXPECT_EQ(t["c"].sum().item<int64_t>(), 2);
  EXPECT_EQ(t["d"].dim(), 0);
  EXPECT_EQ(t["d"].item<double>(), 3.141592653589793);
  EXPECT_EQ(load_metadata(path).at("format"), "pt");
}

TEST(Safetensors, PythonStandardLibraryReaderAgrees) {
  if (std::system("python3 --version > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3 is not installed, so the independent reader cannot run";
  TempDir dir;
  const auto tensors = sample_tensors();
  save(tensors, dir.file("py.safetensors"), {{"format", "pt"}});
  const std::string script = (fs::path(TG_TESTS_DIR) / "serialize_reader.py").string();
  ASSERT_TRUE(fs::exists(script)) << script;
  const std::string command =
      "python3 '" + script + "' '" + dir.file("py.safetensors") + "' '" + dir.file("py.json") + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(dir.file("py.json"));
  const auto result = nlohmann::json::parse(in);
  EXPECT_EQ(result["__metadata__"]["format"], "pt");
  EXPECT_EQ(result.size(), tensors.size() + 1);
  for (const auto& [name, t] : tensors) {
    ASSERT_TRUE(result.contains(name)) << name;
    const auto& entry = result[name];
    EXPECT_EQ(entry["shape"].get<std::vector<int64_t>>(), t.sizes().vec()) << name;
    const Tensor flat = t.detach().contiguous().view({-1});
    ASSERT_EQ(entry["values"].size(), static_cast<size_t>(flat.numel())) << name;
    for (int64_t i = 0; i < flat.numel(); ++i) {
      const auto& v = entry["values"][static_cast<size_t>(i)];
      switch (t.dtype()) {
        case kFloat:
          EXPECT_EQ(entry["dtype"], "F32");
          EXPECT_EQ(v.get<double>(), static_cast<double>(flat.data_ptr<float>()[i])) << name;
          break;
        case kDouble:
          EXPECT_EQ(entry["dtype"], "F64");
          EXPECT_EQ(v.get<double>(), flat.data_ptr<double>()[i]) << name;
          break;
        case kLong:
          EXPECT_EQ(entry["dtype"], "I64");
          EXPECT_EQ(v.get<int64_t>(), flat.data_ptr<int64_t>()[i]) << name;
          break;
        case kBool:
          EXPECT_EQ(entry["dtype"], "BOOL");
          EXPECT_EQ(v.get<bool>(), flat.data_ptr<bool>()[i]) << name;
          break;
      }
    }
  }
  // The reader is strict: it rejects a file whose data has a gap.
  std::string header = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  const auto bad = dir.write("gap.safetensors", st_file(header, Bytes(8, 0)));
  const std::string bad_command =
      "python3 '" + script + "' '" + bad + "' '" + dir.file("gap.json") + "' 2> /dev/null";
  EXPECT_NE(std::system(bad_command.c_str()), 0);
}

// ---- modules ----

struct NetImpl : nn::Module {
  NetImpl() {
    conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(1, 4, 3).padding(1)));
    bn = register_module("bn", nn::BatchNorm2d(4));
    fc = register_module("fc", nn::Linear(4 * 6 * 6, 3));
  }
  Tensor forward(Tensor x) {
    x = tg::relu(bn->forward(conv->forward(x)));
    return fc->forward(x.flatten(1));
  }
  nn::Conv2d conv{nullptr};
  nn::BatchNorm2d bn{nullptr};
  nn::Linear fc{nullptr};
};
TG_MODULE(Net);

TEST(Safetensors, ModuleRoundTripGivesBitIdenticalOutputs) {
  TempDir dir;
  manual_seed(1);
  Net net;
  net->train();
  for (int i = 0; i < 3; ++i) net->forward(tg::randn({8, 1, 6, 6}));  // move the BN statistics
  net->eval();
  const Tensor x = tg::randn({5, 1, 6, 6});
  const Tensor expected = net->forward(x);
  save(net, dir.file("net.safetensors"));

  const auto stored = load_tensors(dir.file("net.safetensors"));
  EXPECT_EQ(stored.keys(),
            (std::vector<std::string>{"conv.weight", "conv.bias", "bn.weight", "bn.bias",
                                      "fc.weight", "fc.bias", "bn.running_mean", "bn.running_var",
                                      "bn.num_batches_tracked"}));
  EXPECT_EQ(stored["bn.num_batches_tracked"].dtype(), kLong);
  EXPECT_EQ(stored["bn.num_batches_tracked"].item<int64_t>(), 3);

  manual_seed(2);
  Net fresh;
  fresh->eval();
  ASSERT_FALSE(tg::equal(fresh->forward(x), expected));
  Tensor weight = fresh->fc->weight;
  const void* data = weight.data_ptr();
  load(fresh, dir.file("net.safetensors"));
  EXPECT_TRUE(tg::equal(fresh->forward(x), expected));  // to the bit
  EXPECT_EQ(fresh->fc->weight.data_ptr(), data);        // loaded in place
  EXPECT_TRUE(weight.requires_grad());
  EXPECT_EQ(fresh->bn->num_batches_tracked.item<int64_t>(), 3);

  // Through a std::shared_ptr, and into a module of another dtype (values converted).
  auto shared = std::make_shared<NetImpl>();
  shared->to(kDouble);
  shared->eval();
  load(shared, dir.file("net.safetensors"));
  EXPECT_EQ(shared->fc->weight.dtype(), kDouble);
  EXPECT_TRUE(tg::allclose(shared->forward(x.to(kDouble)).to(kFloat), expected, 1e-5, 1e-6));
  save(shared, dir.file("double.safetensors"));
  EXPECT_EQ(load_tensors(dir.file("double.safetensors"))["fc.weight"].dtype(), kDouble);
}

struct OtherImpl : nn::Module {
  OtherImpl() {
    conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(1, 8, 3).padding(1)));
    head = register_module("head", nn::Linear(4 * 6 * 6, 3));
  }
  nn::Conv2d conv{nullptr};
  nn::Linear head{nullptr};
};
TG_MODULE(Other);

TEST(Safetensors, LoadingAMismatchedModuleNamesEverything) {
  TempDir dir;
  Net net;
  save(net, dir.file("net.safetensors"));
  Other other;
  const Tensor before = other->conv->weight.clone();
  EXPECT_ONE_LINE_ERROR(load(other, dir.file("net.safetensors")), "load", "net.safetensors",
                        "does not match", "missing from the file 2: head.weight, head.bias",
                        "unexpected in the file 7", "bn.running_mean", "fc.weight",
                        "mis-shaped 2: conv.weight (file [4, 1, 3, 3], module [8, 1, 3, 3])",
                        "conv.bias (file [4], module [8])");
  EXPECT_TRUE(tg::equal(other->conv->weight, before));  // left unchanged
  // A plain tensor file is also checked by name.
  save({{"conv.weight", tg::zeros({8, 1, 3, 3})}}, dir.file("partial.safetensors"));
  EXPECT_ONE_LINE_ERROR(load(other, dir.file("partial.safetensors")), "missing from the file 3",
                        "conv.bias, head.weight, head.bias");
}

// ---- errors ----

TEST(Safetensors, SaveErrors) {
  TempDir dir;
  const std::string p = dir.file("e.safetensors");
  EXPECT_ONE_LINE_ERROR(save({{"", tg::ones({1})}}, p), "save", "empty name");
  EXPECT_ONE_LINE_ERROR(save({{"a", tg::ones({1})}, {"a", tg::ones({2})}}, p), "save", "'a'",
                        "unique");
  EXPECT_ONE_LINE_ERROR(save({{"__metadata__", tg::ones({1})}}, p), "save", "reserved");
  EXPECT_ONE_LINE_ERROR(save({{"u", Tensor()}}, p), "save", "'u'", "undefined");
  EXPECT_ONE_LINE_ERROR(save({{"bad\xff", tg::ones({1})}}, p), "save", "UTF-8");
  EXPECT_ONE_LINE_ERROR(save({{"a", tg::ones({1})}}, dir.file("no/such/folder/x.safetensors")),
                        "save", "cannot write", "no/such/folder");
  EXPECT_FALSE(fs::exists(p));
  EXPECT_ONE_LINE_ERROR(save(std::shared_ptr<NetImpl>(), p), "save", "null");
}

TEST(Safetensors, HostileFilesFailCleanly) {
  TempDir dir;
  auto expect_error = [&](const std::string& name, const Bytes& bytes,
                          std::initializer_list<const char*> parts) {
    const auto path = dir.write(name, bytes);
    try {
      load_tensors(path);
      ADD_FAILURE() << name << ": expected a tg::Error";
    } catch (const tg::Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(path), std::string::npos) << message;
      for (const char* part : parts)
        EXPECT_NE(message.find(part), std::string::npos)
            << name << ": message '" << message << "' lacks '" << part << "'";
    }
  };
  const std::string ok = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  auto entry = [](const std::string& body) { return "{\"a\":{" + body + "}}"; };

  expect_error("short", {1, 2, 3}, {"load_tensors", "fewer than the 8-byte header length"});
  expect_error("huge_length", st_file(ok, Bytes(8), uint64_t(1) << 62),
               {"header length 4611686018427387904", "exceeds"});
  expect_error("length_past_end", st_file(ok, {}, 100), {"header length 100", "exceeds"});
  expect_error("max_u64_length", st_file(ok, Bytes(8), UINT64_MAX - 1), {"exceeds"});
  expect_error("not_object", st_file("[1, 2]  ", {}), {"does not start with '{'"});
  expect_error("bad_json", st_file("{\"a\": {", {}), {"invalid JSON header"});
  expect_error("bad_utf8", st_file("{\"\xff\":{}}", {}), {"invalid JSON header"});
  expect_error("trailing_json", st_file(ok + "x", Bytes(8)), {"invalid JSON header"});
  expect_error("duplicate",
               st_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                       R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                       Bytes(8)),
               {"names the tensor 'a' twice"});
  expect_error(
      "unknown_dtype", st_file(entry(R"("dtype":"Q7","shape":[2],"data_offsets":[0,8])"), Bytes(8)),
      {"tensor 'a'", "unknown dtype 'Q7'", "U8, I8, I16, I32, I64, F16, F32, F64, BOOL, BF16"});
  expect_error("u16", st_file(entry(R"("dtype":"U16","shape":[2],"data_offsets":[0,4])"), Bytes(4)),
               {"has dtype 'U16'", "tensorgrad reads"});
  expect_error("dtype_number",
               st_file(entry(R"("dtype":3,"shape":[2],"data_offsets":[0,8])"), Bytes(8)),
               {"dtype that is not a string"});
  expect_error("negative_shape",
               st_file(entry(R"("dtype":"F32","shape":[-2],"data_offsets":[0,8])"), Bytes(8)),
               {"[-2]", "non-negative integers"});
  expect_error("float_shape",
               st_file(entry(R"("dtype":"F32","shape":[2.5],"data_offsets":[0,8])"), Bytes(8)),
               {"non-negative integers"});
  expect_error("huge_shape",
               st_file(entry(R"("dtype":"F64","shape":[4294967296,4294967296],)"
                             R"("data_offsets":[0,8])"),
                       Bytes(8)),
               {"more data than any file holds"});
  expect_error("overflowing_shape",
               st_file(entry(R"("dtype":"F32","shape":[18446744073709551615],)"
                             R"("data_offsets":[0,8])"),
                       Bytes(8)),
               {"too large"});
  expect_error("missing_field", st_file(entry(R"("dtype":"F32","shape":[2])"), Bytes(8)),
               {"needs an object with"});
  expect_error("offsets_not_pair",
               st_file(entry(R"("dtype":"F32","shape":[2],"data_offsets":[0])"), Bytes(8)),
               {"two non-negative integers"});
  expect_error("negative_offset",
               st_file(entry(R"("dtype":"F32","shape":[2],"data_offsets":[-8,0])"), Bytes(8)),
               {"two non-negative integers"});
  expect_error("backwards",
               st_file(entry(R"("dtype":"F32","shape":[0],"data_offsets":[8,0])"), Bytes(8)),
               {"end before they begin"});
  expect_error("beyond",
               st_file(entry(R"("dtype":"F32","shape":[2],"data_offsets":[0,8])"), Bytes(4)),
               {"beyond the 4 bytes of data"});
  expect_error("far_beyond",
               st_file(entry(R"("dtype":"F32","shape":[2],)"
                             R"("data_offsets":[18446744073709551607,18446744073709551615])"),
                       Bytes(8)),
               {"beyond"});
  expect_error("wrong_span",
               st_file(entry(R"("dtype":"F32","shape":[3],"data_offsets":[0,8])"), Bytes(8)),
               {"needs 12 bytes", "span 8"});
  expect_error("overlap",
               st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                       Bytes(12)),
               {"'a' [0, 8)", "'b' [4, 12)", "overlap"});
  expect_error("gap", st_file(entry(R"("dtype":"F32","shape":[1],"data_offsets":[4,8])"), Bytes(8)),
               {"bytes [0, 4)", "belong to no tensor"});
  expect_error("trailing", st_file(ok, Bytes(12)), {"bytes [8, 12)", "end of the file"});
  expect_error("metadata_not_string", st_file(R"({"__metadata__":{"epochs":5}})", {}),
               {"'epochs'", "not a string"});
  expect_error("metadata_not_object", st_file(R"({"__metadata__":[1]})", {}),
               {"__metadata__", "not an object"});

  EXPECT_ONE_LINE_ERROR(load_tensors(dir.file("missing.safetensors")), "load_tensors",
                        "cannot open", "missing.safetensors");
  fs::create_directories(dir.file("folder"));
  EXPECT_ONE_LINE_ERROR(load_tensors(dir.file("folder")), "load_tensors", "is a folder");
  Net net;
  EXPECT_ONE_LINE_ERROR(load(net, dir.file("missing.safetensors")), "cannot open");
}

}  // namespace
}  // namespace tg
