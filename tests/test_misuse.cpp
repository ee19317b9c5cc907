// The misuse table: every row misuses the public API once and asserts that
//  (a) tg::Error is thrown (no other exception, no crash),
//  (b) its message names the op and contains the row's key fragments (shapes, dtypes, values),
//  (c) nothing was modified: every watched tensor keeps its values, version, requires_grad,
//      grad_fn and .grad(); every watched module its parameters, buffers and mode; every
//      watched optimizer its parameters, gradients, state and learning rates; every watched
//      file its bytes (or its absence).
// A row is {area, name, op, body, fragments}: the body builds what it needs, registers what must
// not change with f.watch(...), and hands the one misuse to f.act(...).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <typeinfo>
#include <vector>

#include "tensorgrad/autograd/function.h"
#include "tensorgrad/data.h"
#include "tensorgrad/nn.h"
#include "tensorgrad/optim.h"
#include "tensorgrad/serialize.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg;
namespace fs = std::filesystem;

namespace {

// ---- state snapshots ----

std::string hex_bytes(const Tensor& t) {
  NoGradGuard no_grad;
  Tensor c = t.detach().contiguous();
  const auto* p = static_cast<const unsigned char*>(c.data_ptr());
  std::string out;
  char buf[3];
  for (size_t k = 0; k < c.nbytes(); ++k) {
    std::snprintf(buf, sizeof(buf), "%02x", p[k]);
    out += buf;
  }
  return out;
}

std::string shape_of(IntArrayRef s) {
  std::ostringstream o;
  o << '[';
  for (size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
  o << ']';
  return o.str();
}

/// Everything observable about a tensor that a failed call must leave as it was.
std::string describe(const Tensor& t) {
  if (!t.defined()) return "undefined";
  std::ostringstream o;
  o << "sizes " << shape_of(t.sizes()) << " strides " << shape_of(t.strides()) << " dtype "
    << t.dtype() << " version " << t._version() << " requires_grad " << t.requires_grad()
    << " leaf " << t.is_leaf() << " grad_fn " << t.grad_fn().get() << " data " << hex_bytes(t);
  const Tensor& g = t.grad();
  o << " grad ";
  if (g.defined())
    o << shape_of(g.sizes()) << " v" << g._version() << " " << hex_bytes(g);
  else
    o << "undefined";
  return o.str();
}

std::string describe(const nn::Module& m) {
  std::ostringstream o;
  o << "training " << m.is_training() << "\n";
  for (const auto& p : m.named_parameters())
    o << "param " << p.key() << ": " << describe(p.value()) << "\n";
  for (const auto& b : m.named_buffers())
    o << "buffer " << b.key() << ": " << describe(b.value()) << "\n";
  o << "children " << m.named_children().size() << "\n";
  return o.str();
}

std::string describe(const optim::Optimizer& opt) {
  std::ostringstream o;
  o << "groups " << opt.param_groups().size() << " state " << opt.state().size() << "\n";
  for (const auto& g : opt.param_groups()) {
    o << "lr " << g.options().get_lr() << " params " << g.params().size() << "\n";
    for (const Tensor& p : g.params()) o << describe(p) << "\n";
  }
  return o.str();
}

std::string file_state(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "absent";
  return "present: " + std::string(std::istreambuf_iterator<char>(in), {});
}

/// What a row registers: probes of the state that must not change, and the misuse itself.
class Fixture {
 public:
  Tensor watch(Tensor t, std::string name = "") {
    if (name.empty()) name = "tensor " + std::to_string(probes_.size());
    probes_.push_back({std::move(name), [t] { return describe(t); }});
    return t;
  }
  template <class M>
  M watch_module(M m, std::string name = "module") {
    std::shared_ptr<nn::Module> p = m.ptr();
    probes_.push_back({std::move(name), [p] { return describe(*p); }});
    return m;
  }
  void watch_optimizer(std::shared_ptr<optim::Optimizer> o, std::string name = "optimizer") {
    probes_.push_back({std::move(name), [o] { return describe(*o); }});
  }
  void watch_file(std::string path) {
    probes_.push_back({"file " + path, [path] { return file_state(path); }});
  }
  void watch_value(std::string name, std::function<std::string()> probe) {
    probes_.push_back({std::move(name), std::move(probe)});
  }
  void act(std::function<void()> f) { action_ = std::move(f); }

  struct Probe {
    std::string name;
    std::function<std::string()> read;
  };
  std::vector<Probe> probes_;
  std::function<void()> action_;
};

struct MisuseCase {
  std::string area;
  std::string name;
  /// The op the message must name.
  std::string op;
  std::function<void(Fixture&)> body;
  std::vector<std::string> fragments;
  /// A defect the row is known to expose, with where it is; the row then reports as skipped
  /// while it still fails, and fails once the defect is fixed (so the note does not go stale).
  std::string known_defect = {};
};

// ---- helpers for the rows ----

/// A kDouble leaf that requires grad, with distinct values.
Tensor leaf(IntArrayRef shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  Tensor t = (arange(n, kDouble) * 0.5 - 1.0).reshape(shape);
  return t.detach().requires_grad_(true);
}

/// A leaf that already has a .grad() (so the rows check it is not touched).
Tensor leaf_with_grad(IntArrayRef shape) {
  Tensor t = leaf(shape);
  (t * t).sum().backward();
  return t;
}

/// A scratch directory for the file rows, removed at exit.
const std::string& scratch() {
  static const std::string dir = [] {
    std::string d =
        (fs::temp_directory_path() / ("tg_misuse_" + std::to_string(getpid()))).string();
    fs::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(fs::temp_directory_path() / ("tg_misuse_" + std::to_string(getpid())), ec);
    });
    return d;
  }();
  return dir;
}

std::string write_file(const std::string& name, const std::string& bytes) {
  const std::string path = scratch() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string le64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

/// A safetensors file: 8-byte header length, the header, then `payload`.
std::string safetensors(const std::string& header, const std::string& payload) {
  return le64(header.size()) + header + payload;
}

std::string be32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (8 * (3 - i))) & 0xff);
  return s;
}

/// An IDX file: magic (0, 0, type, ndim), big-endian dims, then `payload`.
std::string idx(uint8_t type, const std::vector<uint32_t>& dims, const std::string& payload) {
  std::string s = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) s += be32(d);
  return s + payload;
}

struct TwoLayerImpl : nn::Module {
  TwoLayerImpl() {
    fc1 = register_module("fc1", nn::Linear(3, 4));
    bn = register_module("bn", nn::BatchNorm1d(4));
    fc2 = register_module("fc2", nn::Linear(4, 2));
  }
  Tensor forward(const Tensor& x) { return fc2(bn(fc1(x)).relu()); }
  nn::Linear fc1{nullptr}, fc2{nullptr};
  nn::BatchNorm1d bn{nullptr};
};
TG_MODULE(TwoLayer);

struct PlainImpl : nn::Module {};  // not Cloneable
TG_MODULE(Plain);

struct WrongCountFn : autograd::Function<WrongCountFn> {
  static Tensor forward(autograd::AutogradContext*, const Tensor& a, const Tensor& b) {
    return a * b;
  }
  static variable_list backward(autograd::AutogradContext*, variable_list g) { return {g[0]}; }
};

struct WrongShapeFn : autograd::Function<WrongShapeFn> {
  static Tensor forward(autograd::AutogradContext*, const Tensor& a) { return a * 2; }
  static variable_list backward(autograd::AutogradContext*, variable_list) {
    return {ones({5}, kDouble)};
  }
};

// ---- the table ----
// The rows are laid out by hand, one field per line where it helps reading.
// clang-format off

std::vector<MisuseCase> tensor_cases() {
  return {
      {"tensor", "empty_negative_size", "empty",
       [](Fixture& f) { f.act([] { empty({2, -1}); }); }, {"negative", "[2, -1]"}},
      {"tensor", "zeros_negative_size", "zeros",
       [](Fixture& f) { f.act([] { zeros({-3}); }); }, {"negative", "[-3]"}},
      {"tensor", "full_negative_size", "full",
       [](Fixture& f) { f.act([] { full({4, -2}, 1.5); }); }, {"negative", "[4, -2]"}},
      {"tensor", "randn_negative_size", "randn",
       [](Fixture& f) { f.act([] { randn({-1}); }); }, {"negative"}},
      {"tensor", "arange_zero_step", "arange",
       [](Fixture& f) { f.act([] { arange(0, 5, 0); }); }, {"step"}},
      {"tensor", "arange_step_against_range", "arange",
       [](Fixture& f) { f.act([] { arange(0, 5, -1); }); }, {"step"}},
      {"tensor", "linspace_negative_steps", "linspace",
       [](Fixture& f) { f.act([] { linspace(0, 1, -1); }); }, {"-1"}},
      {"tensor", "randint_empty_range", "randint",
       [](Fixture& f) { f.act([] { randint(5, 5, {2}); }); }, {"5"}},
      {"tensor", "randperm_negative", "randperm",
       [](Fixture& f) { f.act([] { randperm(-1); }); }, {"-1"}},
      {"tensor", "eye_negative", "eye", [](Fixture& f) { f.act([] { eye(-2); }); }, {"-2"}},
      {"tensor", "from_blob_negative_size", "from_blob",
       [](Fixture& f) {
         static float buffer[4] = {1, 2, 3, 4};
         f.act([] { from_blob(buffer, {2, -2}); });
       },
       {"negative"}},
      {"tensor", "item_of_many_elements", "item",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({2, 3}));
         f.act([x] { x.item<double>(); });
       },
       {"6"}},
      {"tensor", "item_of_empty", "item",
       [](Fixture& f) { f.act([] { empty({0}).item(); }); }, {"0"}},
      {"tensor", "data_ptr_wrong_type", "data_ptr",
       [](Fixture& f) {
         Tensor x = f.watch(ones({2}));
         f.act([x] { x.data_ptr<double>(); });
       },
       {"Double", "Float"}},
      {"tensor", "size_dim_out_of_range", "size",
       [](Fixture& f) {
         Tensor x = f.watch(ones({2, 3}));
         f.act([x] { x.size(2); });
       },
       {"out of range", "2"}},
      {"tensor", "stride_dim_out_of_range", "stride",
       [](Fixture& f) {
         Tensor x = f.watch(ones({2, 3}));
         f.act([x] { x.stride(-3); });
       },
       {"out of range", "-3"}},
      {"tensor", "undefined_tensor_sizes", "undefined",
       [](Fixture& f) { f.act([] { Tensor().sizes(); }); }, {}},
      {"tensor", "undefined_tensor_in_op", "undefined",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2}));
         f.act([x] { x + Tensor(); });
       },
       {}},
      {"tensor", "requires_grad_on_long", "requires_grad",
       [](Fixture& f) {
         Tensor x = f.watch(arange(3));
         f.act([x] { x.requires_grad_(); });
       },
       {"floating point"}},
      {"tensor", "requires_grad_false_on_non_leaf", "requires_grad",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2}));
         Tensor y = f.watch(x * 2);
         f.act([y] { y.requires_grad_(false); });
       },
       {"leaf"}},
      {"tensor", "copy_shape_mismatch", "copy_",
       [](Fixture& f) {
         Tensor x = f.watch(ones({2, 3}));
         Tensor y = f.watch(ones({4}));
         f.act([x, y] { x.copy_(y); });
       },
       {"[4]", "[2, 3]"}},
      {"tensor", "inplace_on_inference_tensor", "add_",
       [](Fixture& f) {
         Tensor x;
         {
           InferenceMode guard;
           x = ones({2});
         }
         f.watch(x);
         f.act([x] { x.add_(1); });
       },
       {"Inplace update to inference tensor outside InferenceMode is not allowed"}},
      {"tensor", "copy_into_inference_tensor", "copy_",
       [](Fixture& f) {
         Tensor x;
         {
           InferenceMode guard;
           x = ones({2});
         }
         f.watch(x);
         Tensor y = f.watch(zeros({2}));
         f.act([x, y] { x.copy_(y); });
       },
       {"Inplace update to inference tensor outside InferenceMode is not allowed"}},
      {"tensor", "requires_grad_on_inference_tensor", "requires_grad_",
       [](Fixture& f) {
         Tensor x;
         {
           InferenceMode guard;
           x = ones({2});
         }
         f.watch(x);
         f.act([x] { x.set_requires_grad(true); });
       },
       {"Setting requires_grad=True on inference tensor outside InferenceMode is not allowed"}},
  };
}

std::vector<MisuseCase> shape_cases() {
  return {
      {"shape", "view_wrong_numel", "view",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         f.act([x] { x.view({4}); });
       },
       {"[4]", "6"}},
      {"shape", "view_incompatible_strides", "view",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         f.act([x] { x.t().view({6}); });
       },
       {"reshape"}},
      {"shape", "reshape_two_inferred", "reshape",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         f.act([x] { x.reshape({-1, -1}); });
       },
       {"only one dimension can be inferred"}},
      {"shape", "reshape_wrong_numel", "reshape",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         f.act([x] { x.reshape({4, 2}); });
       },
       {"[4, 2]", "6"}},
      {"shape", "reshape_negative", "reshape",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         f.act([x] { x.reshape({-2, -3}); });
       },
       {"-2"}},
      {"shape", "expand_to_smaller", "expand",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3}));
         f.act([x] { x.expand({2}); });
       },
       {"3", "2"}},
      {"shape", "expand_fewer_dims", "expand",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         f.act([x] { x.expand({3}); });
       },
       {"[2, 3]", "[3]"}},
      {"shape", "expand_negative_size", "expand",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({1, 3}));
         f.act([x] { x.expand({-2, 3}); });
       },
       {"-2"}},
      {"shape", "expand_new_dim_minus_one", "expand",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3}));
         f.act([x] { x.expand({-1, 3}); });
       },
       {"-1"}},
      {"shape", "transpose_dim_out_of_range", "transpose",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         f.act([x] { x.transpose(0, 2); });
       },
       {"out of range", "2"}},
      {"shape", "t_of_3d", "t",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 2, 2}));
         f.act([x] { x.t(); });
       },
       {"3"}},
      {"shape", "permute_repeated_dim", "permute",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         f.act([x] { x.permute({1, 1}); });
       },
       {"repeated"}},
      {"shape", "permute_wrong_length", "permute",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         f.act([x] { x.permute({0}); });
       },
       {"number of dims"}},
      {"shape", "squeeze_dim_out_of_range", "squeeze",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 1}));
         f.act([x] { x.squeeze(3); });
       },
       {"out of range"}},
      {"shape", "unsqueeze_dim_out_of_range", "unsqueeze",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         f.act([x] { x.unsqueeze(4); });
       },
       {"out of range", "4"}},
      {"shape", "flatten_start_after_end", "flatten",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3, 4}));
         f.act([x] { x.flatten(2, 1); });
       },
       {"start_dim"}},
      {"shape", "slice_zero_step", "slice",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({4}));
         f.act([x] { x.slice(0, 0, 4, 0); });
       },
       {"step"}},
      {"shape", "slice_of_0d", "slice",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({}));
         f.act([x] { x.slice(0, 0, 1); });
       },
       {"0-d"}},
      {"shape", "narrow_past_the_end", "narrow",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3}));
         f.act([x] { x.narrow(0, 1, 5); });
       },
       {"5", "3"}},
      {"shape", "narrow_negative_length", "narrow",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3}));
         f.act([x] { x.narrow(0, 0, -1); });
       },
       {"length", "-1"}},
      {"shape", "select_index_out_of_range", "select",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3, 2}));
         f.act([x] { x.select(0, 3); });
       },
       {"index 3", "3"}},
      {"shape", "subscript_index_out_of_range", "select",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3}));
         f.act([x] { x[-4]; });
       },
       {"-4"}},
      {"shape", "select_of_0d", "select",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({}));
         f.act([x] { x.select(0, 0); });
       },
       {"0-d"}},
      {"shape", "index_select_float_index", "index_select",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3, 2}));
         Tensor i = f.watch(tensor({0.0, 1.0}, kDouble));
         f.act([x, i] { x.index_select(0, i); });
       },
       {"Long", "Double"}},
      {"shape", "index_select_index_out_of_range", "index_select",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3, 2}));
         Tensor i = f.watch(tensor({0, 7}));
         f.act([x, i] { x.index_select(0, i); });
       },
       {"7"}},
      {"shape", "index_select_2d_index", "index_select",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3, 2}));
         Tensor i = f.watch(zeros({2, 2}, kLong));
         f.act([x, i] { x.index_select(0, i); });
       },
       {"[2, 2]"}},
      {"shape", "gather_index_out_of_range", "gather",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor i = f.watch(tensor({0, 5}).reshape({1, 2}));
         f.act([x, i] { x.gather(1, i); });
       },
       {"5"}},
      {"shape", "gather_rank_mismatch", "gather",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor i = f.watch(zeros({2}, kLong));
         f.act([x, i] { x.gather(1, i); });
       },
       {"[2]", "[2, 3]"}},
      {"shape", "gather_float_index", "gather",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor i = f.watch(zeros({2, 1}));
         f.act([x, i] { x.gather(1, i); });
       },
       {"Long"}},
      {"shape", "scatter_add_index_out_of_range", "scatter_add",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor src = f.watch(leaf({2, 3}));
         Tensor i = f.watch(tensor({0, 1, 9, 0, 1, 2}).reshape({2, 3}));
         f.act([x, i, src] { x.scatter_add(1, i, src); });
       },
       {"9"}},
      {"shape", "scatter_add_src_too_small", "scatter_add",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor src = f.watch(leaf({1, 1}));
         Tensor i = f.watch(zeros({2, 3}, kLong));
         f.act([x, i, src] { x.scatter_add(1, i, src); });
       },
       {"[1, 1]", "[2, 3]"}},
      {"shape", "masked_fill_float_mask", "masked_fill",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor m = f.watch(ones({2, 3}));
         f.act([x, m] { x.masked_fill(m, 0.0); });
       },
       {"Bool", "Float"}},
      {"shape", "masked_fill_mask_does_not_broadcast", "masked_fill",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor m = f.watch(ones({4}, kBool));
         f.act([x, m] { x.masked_fill(m, 0.0); });
       },
       {"[4]", "[2, 3]"}},
      {"shape", "masked_fill_value_not_0d", "masked_fill",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor m = f.watch(ones({2, 3}, kBool));
         Tensor v = f.watch(leaf({2}));
         f.act([x, m, v] { x.masked_fill(m, v); });
       },
       {"0"}},
      {"shape", "chunk_zero_chunks", "chunk",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({4}));
         f.act([x] { x.chunk(0); });
       },
       {"chunks", "0"}},
      {"shape", "split_zero_size", "split",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({4}));
         f.act([x] { x.split(0); });
       },
       {"split_size", "0"}},
      {"shape", "split_sizes_wrong_sum", "split_with_sizes",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({4}));
         f.act([x] { x.split_with_sizes({1, 2}); });
       },
       {"[1, 2]", "4"}},
      {"shape", "unbind_0d", "unbind",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({}));
         f.act([x] { x.unbind(); });
       },
       {"0-d"}},
      {"shape", "repeat_too_few_repeats", "repeat",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         f.act([x] { x.repeat({2}); });
       },
       {"number of repeats", "1", "2"}},
      {"shape", "repeat_negative", "repeat",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2}));
         f.act([x] { x.repeat({-1}); });
       },
       {"-1"}},
      {"shape", "cat_empty_list", "cat",
       [](Fixture& f) { f.act([] { cat(std::vector<Tensor>{}); }); }, {"non-empty"}},
      {"shape", "cat_size_mismatch", "cat",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         Tensor b = f.watch(leaf({2, 4}));
         f.act([a, b] { cat({a, b}, 0); });
       },
       {"3", "4"}},
      {"shape", "cat_rank_mismatch", "cat",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         Tensor b = f.watch(leaf({3}));
         f.act([a, b] { cat({a, b}, 0); });
       },
       {"[2, 3]", "[3]"}},
      {"shape", "cat_0d", "cat",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({}));
         f.act([a] { cat({a, a}); });
       },
       {"zero-dimensional"}},
      {"shape", "cat_dim_out_of_range", "cat",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2}));
         f.act([a] { cat({a, a}, 2); });
       },
       {"out of range"}},
      {"shape", "stack_size_mismatch", "stack",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2}));
         Tensor b = f.watch(leaf({3}));
         f.act([a, b] { stack({a, b}); });
       },
       {"[2]", "[3]"}},
      {"shape", "stack_empty_list", "stack",
       [](Fixture& f) { f.act([] { stack(std::vector<Tensor>{}); }); }, {"non-empty"}},
  };
}

std::vector<MisuseCase> arith_cases() {
  return {
      {"arith", "add_shapes_do_not_broadcast", "add",
       [](Fixture& f) {
         Tensor a = f.watch(leaf_with_grad({2, 3}));
         Tensor b = f.watch(leaf({4}));
         f.act([a, b] { a + b; });
       },
       {"[2, 3]", "[4]"}},
      {"arith", "mul_shapes_do_not_broadcast", "mul",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         Tensor b = f.watch(leaf({2}));
         f.act([a, b] { a* b; });
       },
       {"[2, 3]", "[2]"}},
      {"arith", "div_shapes_do_not_broadcast", "div",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({3}));
         Tensor b = f.watch(leaf({2, 2}));
         f.act([a, b] { a.div(b); });
       },
       {"[3]", "[2, 2]"}},
      {"arith", "pow_shapes_do_not_broadcast", "pow",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({3}));
         Tensor b = f.watch(leaf({2}));
         f.act([a, b] { a.pow(b); });
       },
       {"[3]", "[2]"}},
      {"arith", "comparison_shapes_do_not_broadcast", "lt",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({3}));
         Tensor b = f.watch(leaf({2}));
         f.act([a, b] { a.lt(b); });
       },
       {"[3]", "[2]"}},
      {"arith", "maximum_shapes_do_not_broadcast", "maximum",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({3}));
         Tensor b = f.watch(leaf({2}));
         f.act([a, b] { maximum(a, b); });
       },
       {"[3]", "[2]"}},
      {"arith", "where_float_condition", "where",
       [](Fixture& f) {
         Tensor c = f.watch(ones({3}));
         Tensor a = f.watch(leaf({3}));
         f.act([c, a] { where(c, a, a); });
       },
       {"Bool"}},
      {"arith", "where_shapes_do_not_broadcast", "where",
       [](Fixture& f) {
         Tensor c = f.watch(ones({3}, kBool));
         Tensor a = f.watch(leaf({2}));
         f.act([c, a] { where(c, a, a); });
       },
       {"[3]", "[2]"}},
      {"arith", "clamp_without_bounds", "clamp",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({3}));
         f.act([a] { a.clamp(); });
       },
       {"min", "max"}},
      {"arith", "sub_of_bools", "sub",
       [](Fixture& f) {
         Tensor a = f.watch(ones({2}, kBool));
         f.act([a] { a - a; });
       },
       {"bool"}},
      {"arith", "pow_integer_to_negative_power", "pow",
       [](Fixture& f) {
         Tensor a = f.watch(arange(1, 4));
         f.act([a] { a.pow(-1); });
       },
       {"negative"}},
      {"arith", "add_inplace_on_leaf_requiring_grad", "add_",
       [](Fixture& f) {
         Tensor a = f.watch(leaf_with_grad({3}));
         f.act([a] { a.add_(1.0); });
       },
       {"leaf Variable that requires grad"}},
      {"arith", "mul_inplace_on_leaf_requiring_grad", "mul_",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({3}));
         Tensor b = f.watch(leaf({3}));
         f.act([a, b]() mutable { a *= b; });
       },
       {"leaf Variable that requires grad"}},
      {"arith", "zero_inplace_on_leaf_requiring_grad", "zero_",
       [](Fixture& f) {
         Tensor a = f.watch(leaf_with_grad({3}));
         f.act([a] { a.zero_(); });
       },
       {"leaf Variable"}},
      {"arith", "fill_inplace_on_leaf_requiring_grad", "fill_",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({3}));
         f.act([a] { a.fill_(2.0); });
       },
       {"leaf Variable"}},
      {"arith", "relu_inplace_on_leaf_requiring_grad", "relu_",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({3}));
         f.act([a] { a.relu_(); });
       },
       {"leaf Variable"}},
      {"arith", "clamp_inplace_on_leaf_requiring_grad", "clamp_",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({3}));
         f.act([a] { a.clamp_(0.0, 1.0); });
       },
       {"leaf Variable"}},
      {"arith", "copy_inplace_on_leaf_requiring_grad", "copy_",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({3}));
         Tensor b = f.watch(ones({3}, kDouble));
         f.act([a, b] { a.copy_(b); });
       },
       {"leaf Variable"}},
      {"arith", "add_inplace_would_change_shape", "add_",
       [](Fixture& f) {
         Tensor a = f.watch(ones({3}));
         Tensor b = f.watch(ones({2, 3}));
         f.act([a, b] { a.add_(b); });
       },
       {"[3]", "[2, 3]"}},
      {"arith", "mul_inplace_would_change_shape_with_grad", "mul_",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3}));
         Tensor a = f.watch(x * 1.0);
         Tensor b = f.watch(leaf({2, 3}));
         f.act([a, b] { a.mul_(b); });
       },
       {"[3]", "[2, 3]"}},
      {"arith", "add_inplace_float_into_long", "add_",
       [](Fixture& f) {
         Tensor a = f.watch(arange(3));
         Tensor b = f.watch(ones({3}));
         f.act([a, b] { a.add_(b); });
       },
       {"Long", "Float"}},
      {"arith", "div_inplace_long_by_scalar", "div_",
       [](Fixture& f) {
         Tensor a = f.watch(arange(3));
         f.act([a] { a.div_(2); });
       },
       {"Long"}},
      {"arith", "sub_inplace_shapes_do_not_broadcast", "sub_",
       [](Fixture& f) {
         Tensor a = f.watch(ones({3}));
         Tensor b = f.watch(ones({2}));
         f.act([a, b]() mutable { a -= b; });
       },
       {"[3]", "[2]"}},
  };
}

std::vector<MisuseCase> reduce_cases() {
  return {
      {"reduce", "sum_dim_out_of_range", "sum",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         f.act([a] { a.sum({2}); });
       },
       {"out of range", "2"}},
      {"reduce", "sum_repeated_dim", "sum",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         f.act([a] { a.sum({1, -1}); });
       },
       {"multiple times"}},
      {"reduce", "mean_of_long", "mean",
       [](Fixture& f) {
         Tensor a = f.watch(arange(4));
         f.act([a] { a.mean(); });
       },
       {"Long"}},
      {"reduce", "mean_dim_out_of_range", "mean",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         f.act([a] { a.mean({-3}); });
       },
       {"out of range"}},
      {"reduce", "max_of_empty", "max",
       [](Fixture& f) {
         Tensor a = f.watch(empty({0}, kDouble));
         f.act([a] { a.max(); });
       },
       {"numel() == 0", "dim"}},
      {"reduce", "min_of_empty", "min",
       [](Fixture& f) {
         Tensor a = f.watch(empty({0}, kDouble));
         f.act([a] { a.min(); });
       },
       {"numel() == 0", "dim"}},
      {"reduce", "max_dim_of_zero_size", "max",
       [](Fixture& f) {
         Tensor a = f.watch(empty({0, 3}, kDouble));
         f.act([a] { a.max(0); });
       },
       {"0"}},
      {"reduce", "max_dim_out_of_range", "max",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         f.act([a] { a.max(2); });
       },
       {"out of range"}},
      {"reduce", "argmax_of_empty", "argmax",
       [](Fixture& f) {
         Tensor a = f.watch(empty({0}, kDouble));
         f.act([a] { a.argmax(); });
       },
       {"numel() == 0", "dim"}},
      {"reduce", "amax_over_zero_size_dim", "amax",
       [](Fixture& f) {
         Tensor a = f.watch(empty({2, 0}, kDouble));
         f.act([a] { a.amax({1}); });
       },
       {"0"}},
      {"reduce", "prod_dim_out_of_range", "prod",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         f.act([a] { a.prod(5); });
       },
       {"out of range"}},
      {"reduce", "var_dim_out_of_range", "var",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         f.act([a] { a.var(std::vector<int64_t>{3}); });
       },
       {"out of range"}},
      {"reduce", "norm_dim_out_of_range", "norm",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         f.act([a] { a.norm(2, {4}); });
       },
       {"out of range"}},
      {"reduce", "logsumexp_dim_out_of_range", "logsumexp",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         f.act([a] { a.logsumexp({2}); });
       },
       {"out of range"}},
      {"reduce", "softmax_dim_out_of_range", "softmax",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         f.act([a] { a.softmax(2); });
       },
       {"out of range"}},
      {"reduce", "log_softmax_dim_out_of_range", "log_softmax",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         f.act([a] { log_softmax(a, -3); });
       },
       {"out of range"}},
      {"reduce", "cumsum_dim_out_of_range", "cumsum",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         f.act([a] { a.cumsum(2); });
       },
       {"out of range"}},
  };
}

std::vector<MisuseCase> linalg_cases() {
  return {
      {"linalg", "matmul_inner_mismatch", "matmul",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         Tensor b = f.watch(leaf({4, 5}));
         f.act([a, b] { a.matmul(b); });
       },
       {"[2, 3]", "[4, 5]"}},
      {"linalg", "matmul_0d", "matmul",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({}));
         Tensor b = f.watch(leaf({3}));
         f.act([a, b] { matmul(a, b); });
       },
       {"1-D", "[]"}},
      {"linalg", "matmul_batch_mismatch", "matmul",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 2, 3}));
         Tensor b = f.watch(leaf({3, 3, 2}));
         f.act([a, b] { matmul(a, b); });
       },
       {"[2, 2, 3]", "[3, 3, 2]"}},
      {"linalg", "matmul_dtype_mismatch", "matmul",
       [](Fixture& f) {
         Tensor a = f.watch(ones({2, 2}));
         Tensor b = f.watch(ones({2, 2}, kDouble));
         f.act([a, b] { matmul(a, b); });
       },
       {"Float", "Double"}},
      {"linalg", "mm_of_1d", "mm",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({3}));
         Tensor b = f.watch(leaf({3, 2}));
         f.act([a, b] { a.mm(b); });
       },
       {"[3]"}},
      {"linalg", "mm_inner_mismatch", "mm",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         Tensor b = f.watch(leaf({2, 3}));
         f.act([a, b] { a.mm(b); });
       },
       {"[2, 3]"}},
      {"linalg", "bmm_batch_mismatch", "bmm",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 2, 3}));
         Tensor b = f.watch(leaf({3, 3, 2}));
         f.act([a, b] { a.bmm(b); });
       },
       {"[2, 2, 3]", "[3, 3, 2]"}},
      {"linalg", "bmm_of_2d", "bmm",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         Tensor b = f.watch(leaf({3, 2}));
         f.act([a, b] { a.bmm(b); });
       },
       {"3-D", "[2, 3]"}},
      {"linalg", "mv_size_mismatch", "mv",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 3}));
         Tensor v = f.watch(leaf({2}));
         f.act([a, v] { a.mv(v); });
       },
       {"[2, 3]", "[2]"}},
      {"linalg", "dot_size_mismatch", "dot",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({3}));
         Tensor b = f.watch(leaf({2}));
         f.act([a, b] { a.dot(b); });
       },
       {"3", "2"}},
      {"linalg", "dot_of_2d", "dot",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 2}));
         f.act([a] { a.dot(a); });
       },
       {"1-D", "[2, 2]"}},
      {"linalg", "dot_dtype_mismatch", "dot",
       [](Fixture& f) {
         Tensor a = f.watch(ones({2}));
         Tensor b = f.watch(ones({2}, kDouble));
         f.act([a, b] { a.dot(b); });
       },
       {"Float", "Double"}},
      {"linalg", "outer_of_2d", "outer",
       [](Fixture& f) {
         Tensor a = f.watch(leaf({2, 2}));
         Tensor b = f.watch(leaf({2}));
         f.act([a, b] { a.outer(b); });
       },
       {"[2, 2]"}},
      {"linalg", "addmm_self_does_not_broadcast", "addmm",
       [](Fixture& f) {
         Tensor s = f.watch(leaf({3, 3}));
         Tensor a = f.watch(leaf({2, 3}));
         Tensor b = f.watch(leaf({3, 2}));
         f.act([s, a, b] { s.addmm(a, b); });
       },
       {"[3, 3]", "[2, 2]"}},
  };
}

std::vector<MisuseCase> autograd_cases() {
  return {
      {"autograd", "backward_of_non_scalar", "backward",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({3}));
         Tensor y = x * 2;
         f.act([y] { y.backward(); });
       },
       {"scalar outputs"}},
      {"autograd", "backward_gradient_wrong_shape", "backward",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({3}));
         Tensor y = x * 2;
         f.act([y] { y.backward(ones({2}, kDouble)); });
       },
       {"[2]", "[3]"}},
      {"autograd", "backward_gradient_wrong_dtype", "backward",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({3}));
         Tensor y = x * 2;
         f.act([y] { y.backward(ones({3}, kFloat)); });
       },
       {"Float", "Double"}},
      {"autograd", "backward_without_grad", "backward",
       [](Fixture& f) {
         Tensor x = f.watch(ones({3}, kDouble));
         f.act([x] { x.sum().backward(); });
       },
       {"does not require grad"}},
      {"autograd", "backward_twice_without_retain_graph", "backward",
       [](Fixture& f) {
         Tensor x = leaf({3});
         Tensor y = (x * x).sum();
         y.backward();
         f.watch(x);  // after the first backward: the second must not add to .grad()
         f.act([y] { y.backward(); });
       },
       {"second time", "retain_graph"}},
      {"autograd", "backward_inputs_not_requiring_grad", "backward",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({3}));
         Tensor z = f.watch(ones({3}, kDouble));
         Tensor y = (x * z).sum();
         f.act([y, z] { y.backward({}, std::nullopt, false, std::vector<Tensor>{z}); });
       },
       {"does not require grad"}},
      {"autograd", "grad_of_unused_input", "grad",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({3}));
         Tensor u = f.watch(leaf({2}));
         Tensor y = (x * x).sum();
         f.act([x, u, y] { autograd::grad({y}, {x, u}); });
       },
       {"allow_unused"}},
      {"autograd", "grad_of_input_not_requiring_grad", "grad",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({3}));
         Tensor z = f.watch(ones({3}, kDouble));
         Tensor y = (x * z).sum();
         f.act([y, z] { autograd::grad({y}, {z}); });
       },
       {"does not require grad"}},
      {"autograd", "grad_outputs_count_mismatch", "grad",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({3}));
         Tensor y = x * 2;
         f.act([x, y] {
           autograd::grad({y}, {x}, {ones({3}, kDouble), ones({3}, kDouble)});
         });
       },
       {"2", "1"}},
      {"autograd", "grad_output_wrong_shape", "grad",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({3}));
         Tensor y = x * 2;
         f.act([x, y] { autograd::grad({y}, {x}, {ones({4}, kDouble)}); });
       },
       {"[4]", "[3]"}},
      {"autograd", "retain_grad_without_grad", "retain_grad",
       [](Fixture& f) {
         Tensor x = f.watch(ones({3}));
         f.act([x] { x.retain_grad(); });
       },
       {"requires_grad=False"}},
      {"autograd", "register_hook_without_grad", "register_hook",
       [](Fixture& f) {
         Tensor x = f.watch(ones({3}));
         f.act([x] { x.register_hook([](Tensor g) { return g; }); });
       },
       {"doesn't require"}},
      {"autograd", "hook_returns_wrong_shape", "invalid gradient",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({2, 3}));
         Tensor h = x * 2;
         h.register_hook([](Tensor) { return ones({4, 5}, kDouble); });
         f.act([h] { h.sum().backward(); });
       },
       {"[4, 5]", "[2, 3]"}},
      {"autograd", "saved_tensor_modified_in_place", "MulBackward0",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({3}));
         Tensor t = x * 1.0;
         Tensor y = (t * t).sum();  // MulBackward0 saves t
         t.mul_(2.0);
         f.act([y] { y.backward(); });
       },
       {"modified by an inplace operation", "version 1", "version 0"}},
      {"autograd", "inplace_on_view_made_without_grad_mode", "mul_",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({4}));
         Tensor t = f.watch(x * 1.0);
         Tensor v;
         {
           NoGradGuard no_grad;
           v = t.narrow(0, 0, 2);
         }
         f.act([v] { v.mul_(2.0); });
       },
       {"A view was created in no_grad mode and is being modified inplace with grad mode enabled",
        "both inside the no_grad block"}},
      {"autograd", "inplace_on_view_made_in_inference_mode", "mul_",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({4}));
         Tensor t = f.watch(x * 1.0);
         Tensor v;
         {
           InferenceMode guard;
           v = t.narrow(0, 0, 2);
         }
         f.act([v] { v.mul_(2.0); });
       },
       {"A view was created in inference mode and is being modified inplace in normal mode"}},
      {"autograd", "inplace_on_one_of_several_views", "add_",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({4}));
         Tensor t = f.watch(x * 1.0);
         Tensor v = t.split(2)[0];
         f.act([v] { v.add_(1.0); });
       },
       {"Output 0 of SplitBackward0 is a view and is being modified inplace",
        "returns multiple views"}},
      {"autograd", "inplace_on_view_of_leaf", "mul_",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({4}));
         Tensor v = x.narrow(0, 1, 2);
         f.act([v] { v.mul_(2.0); });
       },
       {"a view of a leaf Variable that requires grad is being used in an in-place operation"}},
      {"autograd", "view_history_after_base_changed_under_no_grad_view", "view",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({4}));
         Tensor t = f.watch(x * 1.0);
         Tensor v;
         {
           NoGradGuard no_grad;
           v = t.narrow(0, 0, 2);
         }
         t.mul_(2.0);
         f.act([v] { (void)v.grad_fn(); });
       },
       {"A view was created in no_grad mode and its base or another view of its base has been "
        "modified inplace"}},
      {"autograd", "anomaly_nan_in_backward", "MulBackward1",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({2}));
         f.act([x] {
           autograd::DetectAnomalyGuard guard;
           (x * 0.0).sqrt().sum().backward();
         });
       },
       {"nan"}},
      {"autograd", "custom_function_wrong_gradient_count", "WrongCountFn",
       [](Fixture& f) {
         Tensor a = f.watch(leaf_with_grad({2}));
         Tensor b = f.watch(leaf_with_grad({2}));
         Tensor y = WrongCountFn::apply(a, b).sum();
         f.act([y] { y.backward(); });
       },
       {"1", "2"}},
      {"autograd", "custom_function_wrong_gradient_shape", "WrongShapeFn",
       [](Fixture& f) {
         Tensor a = f.watch(leaf_with_grad({2}));
         Tensor y = WrongShapeFn::apply(a).sum();
         f.act([y] { y.backward(); });
       },
       {"[5]", "[2]"}},
      {"autograd", "gradcheck_float_inputs", "gradcheck",
       [](Fixture& f) {
         Tensor x = f.watch(ones({2}, requires_grad()));
         f.act([x] {
           autograd::gradcheck([](const variable_list& v) { return variable_list{v[0] * 2}; },
                               {x});
         });
       },
       {"Float", "kDouble"}},
      {"autograd", "gradcheck_nothing_requires_grad", "gradcheck",
       [](Fixture& f) {
         Tensor x = f.watch(ones({2}, kDouble));
         f.act([x] {
           autograd::gradcheck([](const variable_list& v) { return variable_list{v[0] * 2}; },
                               {x});
         });
       },
       {"requires grad"}},
      {"autograd", "gradcheck_nonpositive_eps", "gradcheck",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2}));
         f.act([x] {
           autograd::gradcheck([](const variable_list& v) { return variable_list{v[0] * 2}; },
                               {x}, 0.0);
         });
       },
       {"eps"}},
      {"autograd", "gradgradcheck_float_inputs", "gradgradcheck",
       [](Fixture& f) {
         Tensor x = f.watch(ones({2}, requires_grad()));
         f.act([x] {
           autograd::gradgradcheck(
               [](const variable_list& v) { return variable_list{v[0] * v[0]}; }, {x});
         });
       },
       {"Float"}},
      {"autograd", "hessian_of_non_scalar", "hessian",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2}));
         f.act([x] {
           autograd::hessian([](const variable_list& v) { return variable_list{v[0] * v[0]}; },
                             {x});
         });
       },
       {"one tensor"}},
      {"autograd", "vjp_v_wrong_shape", "vjp",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2}));
         f.act([x] {
           autograd::vjp([](const variable_list& v) { return variable_list{v[0] * 2}; }, {x},
                         {ones({3}, kDouble)});
         });
       },
       {"[3]", "[2]"}},
      {"autograd", "jvp_v_wrong_count", "jvp",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2}));
         f.act([x] {
           autograd::jvp([](const variable_list& v) { return variable_list{v[0] * 2}; }, {x},
                         {ones({2}, kDouble), ones({2}, kDouble)});
         });
       },
       {"2", "1"}},
      {"autograd", "jacobian_of_integer_input", "jacobian",
       [](Fixture& f) {
         Tensor x = f.watch(arange(3));
         f.act([x] {
           autograd::jacobian([](const variable_list& v) { return variable_list{v[0] * 2}; },
                              {x});
         });
       },
       {"input 0"}},
  };
}

std::vector<MisuseCase> nn_functional_cases() {
  return {
      {"nn", "linear_in_features_mismatch", "linear",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor w = f.watch(leaf({4, 5}));
         f.act([x, w] { linear(x, w); });
       },
       {"[2, 3]", "[4, 5]"}},
      {"nn", "linear_bias_wrong_size", "linear",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor w = f.watch(leaf({4, 3}));
         Tensor b = f.watch(leaf({3}));
         f.act([x, w, b] { linear(x, w, b); });
       },
       {"[3]", "4"}},
      {"nn", "conv2d_channel_mismatch", "conv2d",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({1, 3, 5, 5}));
         Tensor w = f.watch(leaf({2, 2, 3, 3}));
         f.act([x, w] { conv2d(x, w); });
       },
       {"[2, 2, 3, 3]", "3"}},
      {"nn", "conv2d_groups_do_not_divide", "conv2d",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({1, 3, 5, 5}));
         Tensor w = f.watch(leaf({3, 1, 3, 3}));
         f.act([x, w] { conv2d(x, w, {}, 1, 0, 1, 2); });
       },
       {"groups"}},
      {"nn", "conv2d_zero_stride", "conv2d",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({1, 1, 5, 5}));
         Tensor w = f.watch(leaf({1, 1, 3, 3}));
         f.act([x, w] { conv2d(x, w, {}, 0); });
       },
       {"stride"}},
      {"nn", "conv2d_kernel_larger_than_input", "conv2d",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({1, 1, 2, 2}));
         Tensor w = f.watch(leaf({1, 1, 3, 3}));
         f.act([x, w] { conv2d(x, w); });
       },
       {"3"}},
      {"nn", "conv2d_2d_input", "conv2d",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({5, 5}));
         Tensor w = f.watch(leaf({1, 1, 3, 3}));
         f.act([x, w] { conv2d(x, w); });
       },
       {"[5, 5]"}},
      {"nn", "max_pool2d_kernel_larger_than_input", "max_pool2d",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({1, 1, 2, 2}));
         f.act([x] { max_pool2d(x, {3, 3}); });
       },
       {"3"}},
      {"nn", "max_pool2d_zero_kernel", "max_pool2d",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({1, 1, 4, 4}));
         f.act([x] { max_pool2d(x, {0, 2}); });
       },
       {"kernel"}},
      {"nn", "max_pool2d_padding_too_large", "max_pool2d",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({1, 1, 4, 4}));
         f.act([x] { max_pool2d(x, {2, 2}, {2, 2}, {2, 2}); });
       },
       {"pad"}},
      {"nn", "avg_pool2d_padding_too_large", "avg_pool2d",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({1, 1, 4, 4}));
         f.act([x] { avg_pool2d(x, {2, 2}, {2, 2}, {2, 2}); });
       },
       {"pad"}},
      {"nn", "adaptive_avg_pool2d_1d_input", "adaptive_avg_pool2d",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({4}));
         f.act([x] { adaptive_avg_pool2d(x, {2, 2}); });
       },
       {"[4]"}},
      {"nn", "batch_norm_running_mean_wrong_size", "batch_norm",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({4, 3}));
         Tensor rm = f.watch(zeros({2}, kDouble), "running_mean");
         Tensor rv = f.watch(ones({2}, kDouble), "running_var");
         f.act([x, rm, rv] { batch_norm(x, {}, {}, rm, rv, true, 0.1, 1e-5); });
       },
       {"[2]", "3"}},
      {"nn", "batch_norm_one_value_per_channel", "batch_norm",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({1, 3}));
         Tensor rm = f.watch(zeros({3}, kDouble), "running_mean");
         Tensor rv = f.watch(ones({3}, kDouble), "running_var");
         f.act([x, rm, rv] {
           nn::functional::batch_norm(x, rm, rv,
                                      nn::functional::BatchNormFuncOptions().training(true));
         });
       },
       {"more than 1 value per channel"}},
      {"nn", "batch_norm_eval_without_running_stats", "batch_norm",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({4, 3}));
         f.act([x] { batch_norm(x, {}, {}, {}, {}, false, 0.1, 1e-5); });
       },
       {"running"}},
      {"nn", "dropout_probability_above_one", "dropout",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({4}));
         f.act([x] { dropout(x, 1.5, true); });
       },
       {"1.5"}},
      {"nn", "dropout_inplace_on_leaf_requiring_grad", "dropout_",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({4}));
         f.act([x] {
           Tensor y = x;
           dropout_(y, 0.5, true);
         });
       },
       {"leaf"}},
      {"nn", "dropout_inplace_p_one_on_leaf_requiring_grad", "dropout_",
       [](Fixture& f) {
         Tensor x = f.watch(leaf_with_grad({4}));
         f.act([x] {
           Tensor y = x;
           dropout_(y, 1.0, true);
         });
       },
       {"leaf"}},
      {"nn", "embedding_index_out_of_range", "embedding",
       [](Fixture& f) {
         Tensor w = f.watch(leaf_with_grad({4, 2}));
         Tensor i = f.watch(tensor({0, 4}));
         f.act([w, i] { embedding(w, i); });
       },
       {"4"}},
      {"nn", "embedding_float_indices", "embedding",
       [](Fixture& f) {
         Tensor w = f.watch(leaf({4, 2}));
         Tensor i = f.watch(zeros({2}));
         f.act([w, i] { embedding(w, i); });
       },
       {"Long"}},
      {"nn", "embedding_renorm_index_out_of_range", "embedding_renorm_",
       [](Fixture& f) {
         Tensor w = f.watch(ones({4, 2}, kDouble) * 3.0);
         Tensor i = f.watch(tensor({1, 9}));
         f.act([w, i] {
           Tensor weight = w;
           embedding_renorm_(weight, i, 1.0, 2.0);
         });
       },
       {"9"}},
      {"nn", "nll_loss_target_out_of_range", "nll_loss",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor t = f.watch(tensor({0, 3}));
         f.act([x, t] { nll_loss(x, t); });
       },
       {"3"}},
      {"nn", "nll_loss_float_target", "nll_loss",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor t = f.watch(zeros({2}));
         f.act([x, t] { nll_loss(x, t); });
       },
       {"Long"}},
      {"nn", "nll_loss_batch_mismatch", "nll_loss",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor t = f.watch(zeros({3}, kLong));
         f.act([x, t] { nll_loss(x, t); });
       },
       {"2", "3"}},
      {"nn", "nll_loss_weight_wrong_size", "nll_loss",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor t = f.watch(zeros({2}, kLong));
         Tensor w = f.watch(ones({2}, kDouble));
         f.act([x, t, w] { nll_loss(x, t, w); });
       },
       {"[2]", "3"}},
      {"nn", "cross_entropy_target_shape", "cross_entropy",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor t = f.watch(zeros({2, 2}, kLong));
         f.act([x, t] { cross_entropy_loss(x, t); });
       },
       {"[2, 2]"}},
      {"nn", "cross_entropy_label_smoothing_out_of_range", "cross_entropy",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor t = f.watch(zeros({2}, kLong));
         f.act([x, t] { cross_entropy_loss(x, t, std::nullopt, Reduction::Mean, -100, 1.5); });
       },
       {"label_smoothing"}},
      {"nn", "mse_loss_shapes_do_not_broadcast", "mse_loss",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor t = f.watch(ones({4}, kDouble));
         f.act([x, t] { mse_loss(x, t); });
       },
       {"[2, 3]", "[4]"}},
      {"nn", "l1_loss_shapes_do_not_broadcast", "l1_loss",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({2, 3}));
         Tensor t = f.watch(ones({2, 2}, kDouble));
         f.act([x, t] { l1_loss(x, t); });
       },
       {"[2, 3]", "[2, 2]"}},
      {"nn", "binary_cross_entropy_input_out_of_range", "binary_cross_entropy",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3}));  // -1, -0.5, 0
         Tensor t = f.watch(ones({3}, kDouble));
         f.act([x, t] { binary_cross_entropy(x, t); });
       },
       {"between 0 and 1"}},
      {"nn", "binary_cross_entropy_shape_mismatch", "binary_cross_entropy",
       [](Fixture& f) {
         Tensor x = f.watch(full({3}, 0.5, kDouble).requires_grad_());
         Tensor t = f.watch(ones({2}, kDouble));
         f.act([x, t] { binary_cross_entropy(x, t); });
       },
       {"[3]", "[2]"}},
      {"nn", "bce_with_logits_shape_mismatch", "binary_cross_entropy_with_logits",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3}));
         Tensor t = f.watch(ones({2}, kDouble));
         f.act([x, t] { binary_cross_entropy_with_logits(x, t); });
       },
       {"[3]", "[2]"}},
      {"nn", "gelu_unknown_approximation", "gelu",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3}));
         f.act([x] { gelu(x, "fast"); });
       },
       {"fast"}},
      {"nn", "leaky_relu_inplace_on_leaf_requiring_grad", "leaky_relu_",
       [](Fixture& f) {
         Tensor x = f.watch(leaf({3}));
         f.act([x] {
           Tensor y = x;
           leaky_relu_(y, 0.1);
         });
       },
       {"leaf"}},
  };
}

std::vector<MisuseCase> module_cases() {
  return {
      {"module", "linear_forward_wrong_features", "Linear",
       [](Fixture& f) {
         nn::Linear m = f.watch_module(nn::Linear(3, 4));
         Tensor x = f.watch(randn({2, 5}));
         f.act([m, x]() mutable { m(x); });
       },
       {"5", "3"}},
      {"module", "conv2d_forward_wrong_channels", "Conv2d",
       [](Fixture& f) {
         nn::Conv2d m = f.watch_module(nn::Conv2d(nn::Conv2dOptions(3, 2, 3)));
         Tensor x = f.watch(randn({1, 2, 5, 5}));
         f.act([m, x]() mutable { m(x); });
       },
       {"3", "2"}},
      {"module", "batchnorm2d_forward_wrong_channels", "BatchNorm2d",
       [](Fixture& f) {
         nn::BatchNorm2d m = f.watch_module(nn::BatchNorm2d(3));
         Tensor x = f.watch(randn({2, 4, 3, 3}));
         f.act([m, x]() mutable { m(x); });
       },
       {"3", "4"}},
      {"module", "batchnorm1d_training_single_value", "batch_norm",
       [](Fixture& f) {
         nn::BatchNorm1d m = f.watch_module(nn::BatchNorm1d(3));
         Tensor x = f.watch(randn({1, 3}));
         f.act([m, x]() mutable { m(x); });
       },
       {"more than 1 value per channel"}},
      {"module", "embedding_forward_index_out_of_range", "embedding",
       [](Fixture& f) {
         nn::Embedding m = f.watch_module(nn::Embedding(4, 2));
         Tensor i = f.watch(tensor({1, 7}));
         f.act([m, i]() mutable { m(i); });
       },
       {"7"}},
      {"module", "embedding_padding_idx_out_of_range", "Embedding",
       [](Fixture& f) {
         f.act([] { nn::Embedding(nn::EmbeddingOptions(4, 2).padding_idx(9)); });
       },
       {"padding_idx"}},
      {"module", "dropout_probability_out_of_range", "Dropout",
       [](Fixture& f) { f.act([] { nn::Dropout(nn::DropoutOptions(-0.1)); }); }, {"-0.1"}},
      {"module", "sequential_forward_shape_mismatch", "Sequential",
       [](Fixture& f) {
         nn::Sequential s(nn::Linear(3, 4), nn::ReLU(), nn::Linear(5, 2));
         f.watch_module(s);
         Tensor x = f.watch(randn({2, 3}));
         f.act([s, x]() mutable { s->forward(x); });
       },
       {"module 2", "Linear", "[2, 4]"}},
      {"module", "sequential_index_out_of_range", "Sequential",
       [](Fixture& f) {
         nn::Sequential s(nn::Linear(3, 4));
         f.watch_module(s);
         f.act([s] { s->ptr(3); });
       },
       {"3"}},
      {"module", "register_parameter_twice", "register_parameter",
       [](Fixture& f) {
         auto m = std::make_shared<nn::Module>();
         m->register_parameter("w", ones({2}));
         f.watch_value("module", [m] { return describe(*m); });
         f.act([m] { m->register_parameter("w", zeros({3})); });
       },
       {"'w'"}},
      {"module", "register_parameter_empty_name", "register_parameter",
       [](Fixture& f) {
         auto m = std::make_shared<nn::Module>();
         f.watch_value("module", [m] { return describe(*m); });
         f.act([m] { m->register_parameter("", ones({2})); });
       },
       {"empty"}},
      {"module", "register_parameter_dotted_name", "register_parameter",
       [](Fixture& f) {
         auto m = std::make_shared<nn::Module>();
         f.watch_value("module", [m] { return describe(*m); });
         f.act([m] { m->register_parameter("a.b", ones({2})); });
       },
       {"a.b", "."}},
      {"module", "register_parameter_integral_requiring_grad", "register_parameter",
       [](Fixture& f) {
         auto m = std::make_shared<nn::Module>();
         f.watch_value("module", [m] { return describe(*m); });
         f.act([m] { m->register_parameter("n", arange(3)); });
       },
       {"'n'"}},
      {"module", "register_buffer_twice", "register_buffer",
       [](Fixture& f) {
         auto m = std::make_shared<nn::Module>();
         m->register_buffer("b", ones({2}));
         f.watch_value("module", [m] { return describe(*m); });
         f.act([m] { m->register_buffer("b", zeros({2})); });
       },
       {"'b'"}},
      {"module", "register_buffer_named_like_parameter", "register_buffer",
       [](Fixture& f) {
         auto m = std::make_shared<nn::Module>();
         m->register_parameter("w", ones({2}));
         f.watch_value("module", [m] { return describe(*m); });
         f.act([m] { m->register_buffer("w", zeros({2})); });
       },
       {"'w'"}},
      {"module", "register_module_twice", "register_module",
       [](Fixture& f) {
         auto m = std::make_shared<nn::Module>();
         m->register_module("fc", nn::Linear(2, 2));
         f.watch_value("module", [m] { return describe(*m); });
         f.act([m] { m->register_module("fc", nn::Linear(3, 3)); });
       },
       {"'fc'"}},
      {"module", "register_module_null", "register_module",
       [](Fixture& f) {
         auto m = std::make_shared<nn::Module>();
         f.watch_value("module", [m] { return describe(*m); });
         f.act([m] { m->register_module("fc", std::shared_ptr<nn::LinearImpl>()); });
       },
       {"'fc'"}},
      {"module", "replace_missing_module", "replace_module",
       [](Fixture& f) {
         auto m = std::make_shared<nn::Module>();
         f.watch_value("module", [m] { return describe(*m); });
         f.act([m] { m->replace_module("fc", nn::Linear(2, 2)); });
       },
       {"fc"}},
      {"module", "unregister_missing_module", "unregister_module",
       [](Fixture& f) {
         auto m = std::make_shared<nn::Module>();
         f.watch_value("module", [m] { return describe(*m); });
         f.act([m] { m->unregister_module("fc"); });
       },
       {"fc"}},
      {"module", "named_parameters_missing_key", "Key",
       [](Fixture& f) {
         TwoLayer m = f.watch_module(TwoLayer());
         f.act([m] { m->named_parameters()["fc3.weight"]; });
       },
       {"fc3.weight", "not defined", "fc1.weight"}},
      {"module", "to_integral_dtype", "to",
       [](Fixture& f) {
         TwoLayer m = f.watch_module(TwoLayer());
         f.act([m]() mutable { m->to(kLong); });
       },
       {"Long"}},
      {"module", "clone_of_non_cloneable_module", "clone",
       [](Fixture& f) {
         Plain m = f.watch_module(Plain());
         f.act([m] { m->clone(); });
       },
       {"Cloneable"}},
      {"module", "two_layer_forward_wrong_features", "Linear",
       [](Fixture& f) {
         TwoLayer m = f.watch_module(TwoLayer());
         Tensor x = f.watch(randn({4, 5}));
         f.act([m, x]() mutable { m->forward(x); });
       },
       {"5", "3"}},
  };
}

std::vector<MisuseCase> optim_cases() {
  return {
      {"optim", "sgd_negative_lr", "SGD",
       [](Fixture& f) {
         Tensor p = f.watch(leaf({2}));
         f.act([p] { optim::SGD({p}, optim::SGDOptions(-0.1)); });
       },
       {"learning rate", "-0.1"}},
      {"optim", "sgd_negative_momentum", "SGD",
       [](Fixture& f) {
         Tensor p = f.watch(leaf({2}));
         f.act([p] { optim::SGD({p}, optim::SGDOptions(0.1).momentum(-1)); });
       },
       {"momentum", "-1"}},
      {"optim", "sgd_nesterov_without_momentum", "SGD",
       [](Fixture& f) {
         Tensor p = f.watch(leaf({2}));
         f.act([p] { optim::SGD({p}, optim::SGDOptions(0.1).nesterov(true)); });
       },
       {"Nesterov"}},
      {"optim", "sgd_negative_weight_decay", "SGD",
       [](Fixture& f) {
         Tensor p = f.watch(leaf({2}));
         f.act([p] { optim::SGD({p}, optim::SGDOptions(0.1).weight_decay(-1)); });
       },
       {"weight_decay", "-1"}},
      {"optim", "adam_beta_out_of_range", "Adam",
       [](Fixture& f) {
         Tensor p = f.watch(leaf({2}));
         f.act([p] { optim::Adam({p}, optim::AdamOptions(0.1).betas({1.5, 0.999})); });
       },
       {"beta", "1.5"}},
      {"optim", "adam_negative_eps", "Adam",
       [](Fixture& f) {
         Tensor p = f.watch(leaf({2}));
         f.act([p] { optim::Adam({p}, optim::AdamOptions(0.1).eps(-1e-8)); });
       },
       {"epsilon"}},
      {"optim", "adam_negative_lr", "Adam",
       [](Fixture& f) {
         Tensor p = f.watch(leaf({2}));
         f.act([p] { optim::Adam({p}, optim::AdamOptions(-1)); });
       },
       {"learning rate"}},
      {"optim", "adamw_negative_weight_decay", "AdamW",
       [](Fixture& f) {
         Tensor p = f.watch(leaf({2}));
         f.act([p] { optim::AdamW({p}, optim::AdamWOptions(0.1).weight_decay(-0.5)); });
       },
       {"weight_decay"}},
      {"optim", "rmsprop_negative_alpha", "RMSprop",
       [](Fixture& f) {
         Tensor p = f.watch(leaf({2}));
         f.act([p] { optim::RMSprop({p}, optim::RMSpropOptions(0.1).alpha(-0.5)); });
       },
       {"alpha"}},
      {"optim", "optimizer_non_leaf_parameter", "optim",
       [](Fixture& f) {
         Tensor p = f.watch(leaf({2}));
         Tensor q = f.watch(p * 2);
         f.act([q] { optim::SGD({q}, optim::SGDOptions(0.1)); });
       },
       {"non-leaf"}},
      {"optim", "add_param_group_duplicate_parameter", "Optimizer",
       [](Fixture& f) {
         Tensor p = f.watch(leaf_with_grad({2}));
         auto opt = std::make_shared<optim::SGD>(std::vector<Tensor>{p}, optim::SGDOptions(0.1));
         f.watch_optimizer(opt);
         f.act([opt, p] { opt->add_param_group(optim::OptimizerParamGroup({p})); });
       },
       {"more than one parameter group"}},
      {"optim", "step_with_gradient_of_wrong_shape", "Adam",
       [](Fixture& f) {
         Tensor p = leaf({2});
         p.mutable_grad() = ones({3}, kDouble);
         f.watch(p);
         auto opt = std::make_shared<optim::Adam>(std::vector<Tensor>{p}, optim::AdamOptions(0.1));
         f.watch_optimizer(opt);
         f.act([opt] { opt->step(); });
       },
       {"[3]", "[2]"}},
      {"optim", "sgd_step_with_gradient_of_wrong_shape", "SGD",
       [](Fixture& f) {
         Tensor p = leaf({2});
         p.mutable_grad() = ones({3}, kDouble);
         f.watch(p);
         auto opt = std::make_shared<optim::SGD>(std::vector<Tensor>{p},
                                                 optim::SGDOptions(0.1).momentum(0.9));
         f.watch_optimizer(opt);
         f.act([opt] { opt->step(); });
       },
       {"[3]", "[2]"}},
      {"optim", "step_closure_throws_keeps_parameters", "view",
       [](Fixture& f) {
         Tensor p = f.watch(leaf_with_grad({2}));
         auto opt = std::make_shared<optim::SGD>(std::vector<Tensor>{p}, optim::SGDOptions(0.1));
         f.watch_optimizer(opt);
         f.act([opt, p] {
           opt->step([p] { return (p.view({5}) * 2).sum(); });
         });
       },
       {"[5]"}},
      {"optim", "clip_grad_norm_nonfinite", "clip_grad_norm_",
       [](Fixture& f) {
         Tensor p = leaf({2});
         p.mutable_grad() = tensor({1.0, std::numeric_limits<double>::infinity()}, kDouble);
         f.watch(p);
         f.act([p] { nn::utils::clip_grad_norm_({p}, 1.0, 2.0, true); });
       },
       {"non-finite"}},
      {"optim", "clip_grad_norm_negative_max_norm", "clip_grad_norm_",
       [](Fixture& f) {
         Tensor p = f.watch(leaf_with_grad({2}));
         f.act([p] { nn::utils::clip_grad_norm_({p}, -1.0); });
       },
       {"max_norm"}},
      {"optim", "clip_grad_value_negative", "clip_grad_value_",
       [](Fixture& f) {
         Tensor p = f.watch(leaf_with_grad({2}));
         f.act([p] { nn::utils::clip_grad_value_({p}, -1.0); });
       },
       {"clip_value"}},
  };
}

std::vector<MisuseCase> data_cases() {
  return {
      {"data", "tensor_dataset_index_out_of_range", "TensorDataset",
       [](Fixture& f) {
         Tensor t = f.watch(randn({3, 2}));
         f.act([t] { data::datasets::TensorDataset(t).get(5); });
       },
       {"5", "3"}},
      {"data", "dataloader_zero_batch_size", "DataLoader",
       [](Fixture& f) {
         Tensor x = f.watch(randn({4, 2}));
         Tensor y = f.watch(zeros({4}, kLong));
         f.act([x, y] { data::DataLoader(x, y, data::DataLoaderOptions(0)); });
       },
       {"batch_size"}},
      {"data", "dataloader_count_mismatch", "DataLoader",
       [](Fixture& f) {
         Tensor x = f.watch(randn({4, 2}));
         Tensor y = f.watch(zeros({3}, kLong));
         f.act([x, y] { data::DataLoader(x, y, data::DataLoaderOptions(2)); });
       },
       {"4", "3"}},
      {"data", "read_idx_missing_file", "read_idx",
       [](Fixture& f) {
         const std::string path = scratch() + "/no_such_file.idx";
         f.act([path] { data::read_idx(path); });
       },
       {"no_such_file.idx"}},
      {"data", "read_idx_bad_magic", "read_idx",
       [](Fixture& f) {
         const std::string path = write_file("bad_magic.idx", "\x01\x02\x08\x01" + be32(2) + "ab");
         f.act([path] { data::read_idx(path); });
       },
       {"bad_magic.idx"}},
      {"data", "read_idx_truncated_data", "read_idx",
       [](Fixture& f) {
         const std::string path = write_file("truncated.idx", idx(0x08, {2, 3}, "abc"));
         f.act([path] { data::read_idx(path); });
       },
       {"truncated.idx"}},
      {"data", "read_idx_header_claims_huge_size", "read_idx",
       [](Fixture& f) {
         const std::string path =
             write_file("huge.idx", idx(0x08, {0xffffffffu, 0xffffffffu, 0xffffffffu}, "x"));
         f.act([path] { data::read_idx(path); });
       },
       {"huge.idx"}},
      {"data", "read_idx_truncated_header", "read_idx",
       [](Fixture& f) {
         const std::string path = write_file("short.idx", std::string("\0\0\x08\x03", 4) + "\0\0");
         f.act([path] { data::read_idx(path); });
       },
       {"short.idx"}},
      {"data", "read_idx_unknown_type", "read_idx",
       [](Fixture& f) {
         const std::string path = write_file("type.idx", idx(0x42, {1}, "x"));
         f.act([path] { data::read_idx(path); });
       },
       {"type.idx"}},
      {"data", "read_idx_labels_of_images", "read_idx_labels",
       [](Fixture& f) {
         const std::string path = write_file("images.idx", idx(0x08, {1, 2, 2}, "abcd"));
         f.act([path] { data::read_idx_labels(path); });
       },
       {"images.idx"}},
      {"data", "mnist_missing_root", "MNIST",
       [](Fixture& f) {
         const std::string root = scratch() + "/no_mnist_here";
         f.act([root] { data::datasets::MNIST m(root); });
       },
       {"no_mnist_here"}},
  };
}

std::vector<MisuseCase> serialize_cases() {
  // A valid header for one F32 tensor of shape [2] (8 bytes of data).
  const std::string good = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  return {
      {"serialize", "load_tensors_missing_file", "load",
       [](Fixture& f) {
         const std::string path = scratch() + "/missing.safetensors";
         f.act([path] { load_tensors(path); });
       },
       {"missing.safetensors"}},
      {"serialize", "header_length_huge", "load",
       [](Fixture& f) {
         const std::string path =
             write_file("huge_header.safetensors", le64(uint64_t(1) << 62) + "{}");
         f.act([path] { load_tensors(path); });
       },
       {"huge_header.safetensors"}},
      {"serialize", "header_length_past_end_of_file", "load",
       [](Fixture& f) {
         const std::string path = write_file("past_end.safetensors", le64(100) + "{}");
         f.act([path] { load_tensors(path); });
       },
       {"past_end.safetensors"}},
      {"serialize", "file_shorter_than_length_field", "load",
       [](Fixture& f) {
         const std::string path = write_file("tiny.safetensors", "abc");
         f.act([path] { load_tensors(path); });
       },
       {"tiny.safetensors"}},
      {"serialize", "header_not_json", "load",
       [](Fixture& f) {
         const std::string path = write_file("not_json.safetensors", safetensors("{not json", ""));
         f.act([path] { load_tensors(path); });
       },
       {"not_json.safetensors"}},
      {"serialize", "negative_offsets", "load",
       [](Fixture& f) {
         const std::string path = write_file(
             "negative.safetensors",
             safetensors(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}})",
                         std::string(8, '\0')));
         f.act([path] { load_tensors(path); });
       },
       {"negative.safetensors"}},
      {"serialize", "offsets_past_end_of_file", "load",
       [](Fixture& f) {
         const std::string path = write_file(
             "offsets_past_end.safetensors",
             safetensors(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                         std::string(4, '\0')));
         f.act([path] { load_tensors(path); });
       },
       {"offsets_past_end.safetensors"}},
      {"serialize", "overlapping_offsets", "load",
       [](Fixture& f) {
         const std::string path = write_file(
             "overlap.safetensors",
             safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                         R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                         std::string(12, '\0')));
         f.act([path] { load_tensors(path); });
       },
       {"overlap.safetensors"}},
      {"serialize", "shape_disagrees_with_offsets", "load",
       [](Fixture& f) {
         const std::string path = write_file(
             "shape.safetensors",
             safetensors(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
                         std::string(8, '\0')));
         f.act([path] { load_tensors(path); });
       },
       {"shape.safetensors"}},
      {"serialize", "shape_overflows", "load",
       [](Fixture& f) {
         const std::string path = write_file(
             "shape_overflow.safetensors",
             safetensors(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,4],)"
                         R"("data_offsets":[0,0]}})",
                         ""));
         f.act([path] { load_tensors(path); });
       },
       {"shape_overflow.safetensors"}},
      {"serialize", "unsupported_dtype", "load",
       [](Fixture& f) {
         const std::string path = write_file(
             "u16.safetensors",
             safetensors(R"({"w":{"dtype":"U16","shape":[2],"data_offsets":[0,4]}})",
                         std::string(4, '\0')));
         f.act([path] { load_tensors(path); });
       },
       {"U16"}},
      {"serialize", "save_duplicate_names", "save",
       [](Fixture& f) {
         const std::string path = scratch() + "/dup.safetensors";
         f.watch_file(path);
         Tensor a = f.watch(ones({2}));
         f.act([path, a] { save({{"w", a}, {"w", a}}, path); });
       },
       {"'w'"}},
      {"serialize", "save_empty_name", "save",
       [](Fixture& f) {
         const std::string path = scratch() + "/empty_name.safetensors";
         f.watch_file(path);
         Tensor a = f.watch(ones({2}));
         f.act([path, a] { save({{"", a}}, path); });
       },
       {"empty"}},
      {"serialize", "save_metadata_name", "save",
       [](Fixture& f) {
         const std::string path = scratch() + "/meta_name.safetensors";
         f.watch_file(path);
         Tensor a = f.watch(ones({2}));
         f.act([path, a] { save({{"__metadata__", a}}, path); });
       },
       {"__metadata__"}},
      {"serialize", "save_undefined_tensor", "save",
       [](Fixture& f) {
         const std::string path = scratch() + "/undefined.safetensors";
         f.watch_file(path);
         f.act([path] { save({{"w", Tensor()}}, path); });
       },
       {"'w'"}},
      {"serialize", "save_into_missing_directory", "save",
       [](Fixture& f) {
         const std::string path = scratch() + "/no/such/dir/x.safetensors";
         f.act([path] { save({{"w", ones({2})}}, path); });
       },
       {"no/such/dir"}},
      {"serialize", "save_over_existing_file_fails_cleanly", "save",
       [](Fixture& f) {
         const std::string path = write_file("existing.safetensors", "previous contents");
         f.watch_file(path);
         Tensor a = f.watch(ones({2}));
         f.act([path, a] { save({{"w", a}, {"", a}}, path); });
       },
       {"empty"}},
      {"serialize", "load_module_wrong_shape", "load",
       [](Fixture& f) {
         TwoLayer m = f.watch_module(TwoLayer());
         const std::string path = scratch() + "/two_layer_wrong_shape.safetensors";
         auto items = m->named_parameters();
         std::vector<std::pair<std::string, Tensor>> tensors;
         for (const auto& p : m->named_parameters())
           tensors.emplace_back(p.key(), p.key() == "fc2.weight" ? zeros({3, 3}) : p.value() + 1);
         for (const auto& b : m->named_buffers()) tensors.emplace_back(b.key(), b.value() + 1);
         save(tensors, path);
         f.act([m, path] { load(m, path); });
       },
       {"fc2.weight", "[3, 3]", "[2, 4]"}},
      {"serialize", "load_module_missing_tensor", "load",
       [](Fixture& f) {
         TwoLayer m = f.watch_module(TwoLayer());
         const std::string path = scratch() + "/two_layer_missing.safetensors";
         std::vector<std::pair<std::string, Tensor>> tensors;
         for (const auto& p : m->named_parameters())
           if (p.key() != "bn.bias") tensors.emplace_back(p.key(), p.value() + 1);
         for (const auto& b : m->named_buffers()) tensors.emplace_back(b.key(), b.value() + 1);
         save(tensors, path);
         f.act([m, path] { load(m, path); });
       },
       {"bn.bias"}},
      {"serialize", "load_module_unexpected_tensor", "load",
       [](Fixture& f) {
         TwoLayer m = f.watch_module(TwoLayer());
         const std::string path = scratch() + "/two_layer_extra.safetensors";
         std::vector<std::pair<std::string, Tensor>> tensors;
         for (const auto& p : m->named_parameters()) tensors.emplace_back(p.key(), p.value() + 1);
         for (const auto& b : m->named_buffers()) tensors.emplace_back(b.key(), b.value() + 1);
         tensors.emplace_back("fc3.weight", ones({2}));
         save(tensors, path);
         f.act([m, path] { load(m, path); });
       },
       {"fc3.weight"}},
      {"serialize", "load_module_from_corrupt_file", "load",
       [](Fixture& f) {
         TwoLayer m = f.watch_module(TwoLayer());
         const std::string path = write_file("corrupt_module.safetensors",
                                             safetensors("{\"fc1.weight\":", ""));
         f.act([m, path] { load(m, path); });
       },
       {"corrupt_module.safetensors"}},
  };
}

// clang-format on

std::vector<MisuseCase> all_cases() {
  std::vector<MisuseCase> all;
  for (auto part : {tensor_cases(), shape_cases(), arith_cases(), reduce_cases(), linalg_cases(),
                    autograd_cases(), nn_functional_cases(), module_cases(), optim_cases(),
                    data_cases(), serialize_cases()})
    for (auto& c : part) all.push_back(std::move(c));
  return all;
}

const std::vector<MisuseCase>& cases() {
  static const std::vector<MisuseCase> all = all_cases();
  return all;
}

class Misuse : public ::testing::TestWithParam<size_t> {};

TEST_P(Misuse, ThrowsAClearErrorAndModifiesNothing) {
  const MisuseCase& c = cases()[GetParam()];
  Fixture f;
  c.body(f);
  ASSERT_TRUE(f.action_) << "the row registers no misuse";
  std::vector<std::string> before;
  for (const auto& p : f.probes_) before.push_back(p.read());
  std::vector<std::string> problems;
  try {
    f.action_();
    problems.push_back("expected tg::Error, but nothing was thrown");
  } catch (const Error& e) {
    const std::string message = e.what();
    if (std::getenv("TG_MISUSE_PRINT"))
      std::printf("%s/%s: %s\n", c.area.c_str(), c.name.c_str(), e.what());
    if (message.find(c.op) == std::string::npos)
      problems.push_back("the message does not name the op '" + c.op + "': " + message);
    for (const std::string& fragment : c.fragments)
      if (message.find(fragment) == std::string::npos)
        problems.push_back("missing '" + fragment + "' in the message: " + message);
  } catch (const std::exception& e) {
    problems.push_back(std::string("expected tg::Error, got ") + typeid(e).name() + ": " +
                       e.what());
  }
  for (size_t i = 0; i < f.probes_.size(); ++i) {
    const std::string after = f.probes_[i].read();
    if (after != before[i])
      problems.push_back(f.probes_[i].name + " was modified:\n  before: " + before[i] +
                         "\n  after:  " + after);
  }
  if (c.known_defect.empty()) {
    for (const auto& p : problems) ADD_FAILURE() << c.area << "/" << c.name << ": " << p;
  } else if (problems.empty()) {
    ADD_FAILURE() << c.area << "/" << c.name << " passes now: the known defect (" << c.known_defect
                  << ") is fixed; remove its note from the row";
  } else {
    std::string all;
    for (const auto& p : problems) all += "\n  " + p;
    GTEST_SKIP() << "known defect: " << c.known_defect << all;
  }
}

std::string case_name(const ::testing::TestParamInfo<size_t>& info) {
  const MisuseCase& c = cases()[info.param];
  return c.area + "_" + c.name;
}

INSTANTIATE_TEST_SUITE_P(Table, Misuse, ::testing::Range<size_t>(0, cases().size()), case_name);

TEST(MisuseTable, HasAtLeastOneHundredRowsWithUniqueNames) {
  EXPECT_GE(cases().size(), 100u);
  std::vector<std::string> names;
  for (const auto& c : cases()) names.push_back(c.area + "_" + c.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

}  // namespace
