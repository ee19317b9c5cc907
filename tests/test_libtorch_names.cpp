// Every name tensorgrad implements, spelled with the qualification libtorch 1.13 gives it: a
// program written for libtorch finds each of them after the include change. The list holds each
// of tensorgrad's public names under every libtorch namespace (torch, torch::autograd, torch::nn,
// torch::nn::functional, torch::nn::init, torch::nn::utils, torch::optim, torch::data and its
// namespaces, at, c10) where libtorch's own headers declare it. tests/CMakeLists.txt also compiles
// this file against <torch/torch.h> when libtorch is installed, which shows that every spelling
// here is libtorch's.
#include <gtest/gtest.h>

#include <type_traits>
#include <vector>

#ifdef TG_NAMES_AGAINST_LIBTORCH
#include <torch/torch.h>
#else
#include "tensorgrad/torch.h"
#endif

namespace names_in_torch {
using torch::abs;
using torch::adaptive_avg_pool2d;
using torch::add;
using torch::addmm;
using torch::allclose;
using torch::amax;
using torch::amin;
using torch::arange;
using torch::argmax;
using torch::argmin;
using torch::ArrayRef;
using torch::AutoGradMode;
using torch::avg_pool2d;
using torch::batch_norm;
using torch::binary_cross_entropy;
using torch::binary_cross_entropy_with_logits;
using torch::bmm;
using torch::cat;
using torch::ceil;
using torch::chunk;
using torch::clamp;
using torch::clamp_max;
using torch::clamp_min;
using torch::clone;
using torch::conv2d;
using torch::cos;
using torch::CppTypeToScalarType;
using torch::cross_entropy_loss;
using torch::cumsum;
using torch::demangle;
using torch::Device;
using torch::DeviceType;
using torch::DimVector;
using torch::div;
using torch::dot;
using torch::dropout;
using torch::dropout_;
using torch::Dtype;
using torch::dtype;
using torch::embedding;
using torch::embedding_renorm_;
using torch::empty;
using torch::empty_like;
using torch::eq;
using torch::equal;
using torch::erf;
using torch::Error;
using torch::exp;
using torch::ExpandingArray;
using torch::ExpandingArrayWithOptionalElem;
using torch::expm1;
using torch::eye;
using torch::flatten;
using torch::floor;
using torch::from_blob;
using torch::full;
using torch::full_like;
using torch::gather;
using torch::ge;
using torch::gelu;
using torch::get_num_threads;
using torch::GradMode;
using torch::gt;
using torch::index_select;
using torch::InferenceMode;
using torch::IntArrayRef;
using torch::is_floating_point;
using torch::IValue;
using torch::kBool;
using torch::kConv1D;
using torch::kConv2D;
using torch::kConv3D;
using torch::kConvTranspose1D;
using torch::kConvTranspose2D;
using torch::kConvTranspose3D;
using torch::kCPU;
using torch::kCUDA;
using torch::kDouble;
using torch::kFanIn;
using torch::kFanOut;
using torch::kFloat;
using torch::kFloat32;
using torch::kFloat64;
using torch::kInt64;
using torch::kLeakyReLU;
using torch::kLinear;
using torch::kLong;
using torch::kMean;
using torch::kNone;
using torch::kReLU;
using torch::kSigmoid;
using torch::kSum;
using torch::kTanh;
using torch::l1_loss;
using torch::le;
using torch::leaky_relu;
using torch::leaky_relu_;
using torch::linear;
using torch::linspace;
using torch::load;
using torch::log;
using torch::log1p;
using torch::log_softmax;
using torch::logsumexp;
using torch::lt;
using torch::make_unique;
using torch::manual_seed;
using torch::masked_fill;
using torch::matmul;
using torch::max;
using torch::max_pool2d;
using torch::max_pool2d_with_indices;
using torch::maximum;
using torch::mean;
using torch::min;
using torch::minimum;
using torch::mm;
using torch::mse_loss;
using torch::mul;
using torch::mv;
using torch::narrow;
using torch::ne;
using torch::neg;
using torch::nll_loss;
using torch::nll_loss_nd;
using torch::NoGradGuard;
using torch::norm;
using torch::ones;
using torch::ones_like;
using torch::OrderedDict;
using torch::outer;
using torch::permute;
using torch::pow;
using torch::prod;
using torch::rand;
using torch::rand_like;
using torch::randint;
using torch::randn;
using torch::randn_like;
using torch::randperm;
using torch::reciprocal;
using torch::relu;
using torch::requires_grad;
using torch::reshape;
using torch::result_type;
using torch::round;
using torch::rsqrt;
using torch::rsub;
using torch::save;
using torch::Scalar;
using torch::scalar_tensor;
using torch::ScalarType;
using torch::scatter_add;
using torch::select;
using torch::set_num_threads;
using torch::sigmoid;
using torch::sign;
using torch::silu;
using torch::sin;
using torch::slice;
using torch::SmallVector;
using torch::softmax;
using torch::softplus;
using torch::split;
using torch::split_with_sizes;
using torch::sqrt;
using torch::square;
using torch::squeeze;
using torch::stack;
using torch::std;
using torch::Storage;
using torch::sub;
using torch::sum;
using torch::sum_to;
using torch::t;
using torch::tan;
using torch::tanh;
using torch::Tensor;
using torch::tensor;
using torch::TensorImpl;
using torch::TensorList;
using torch::TensorOptions;
using torch::to_string;
using torch::transpose;
using torch::unbind;
using torch::unsqueeze;
using torch::var;
using torch::where;
using torch::zeros;
using torch::zeros_like;
}  // namespace names_in_torch

namespace names_in_torch_autograd {
using torch::autograd::AnomalyMode;
using torch::autograd::AutogradContext;
using torch::autograd::AutogradMeta;
using torch::autograd::AutoGradMode;
using torch::autograd::backward;
using torch::autograd::CppNode;
using torch::autograd::DetectAnomalyGuard;
using torch::autograd::Edge;
using torch::autograd::edge_list;
using torch::autograd::Function;
using torch::autograd::grad;
using torch::autograd::GradMode;
using torch::autograd::InputMetadata;
using torch::autograd::Node;
using torch::autograd::SavedVariable;
using torch::autograd::tensor_list;
using torch::autograd::Variable;
using torch::autograd::variable_list;
}  // namespace names_in_torch_autograd

namespace names_in_torch_data {
using torch::data::BatchDataset;
using torch::data::DataLoaderBase;
using torch::data::DataLoaderOptions;
using torch::data::Dataset;
using torch::data::Example;
using torch::data::FullDataLoaderOptions;
using torch::data::Iterator;
using torch::data::make_data_loader;
using torch::data::StatefulDataLoader;
using torch::data::StatelessDataLoader;
using torch::data::TensorExample;
using torch::data::WorkerException;
}  // namespace names_in_torch_data

namespace names_in_torch_data_detail {
using torch::data::detail::DataShuttle;
using torch::data::detail::IteratorImpl;
using torch::data::detail::Queue;
using torch::data::detail::SentinelIterator;
using torch::data::detail::ValidIterator;
using torch::data::detail::sequencers::NoSequencer;
using torch::data::detail::sequencers::OrderedSequencer;
using torch::data::detail::sequencers::Sequencer;
}  // namespace names_in_torch_data_detail

namespace names_in_torch_data_datasets {
using torch::data::datasets::BatchDataset;
using torch::data::datasets::ChunkDataReader;
using torch::data::datasets::ChunkDataset;
using torch::data::datasets::ChunkDatasetOptions;
using torch::data::datasets::Dataset;
using torch::data::datasets::make_shared_dataset;
using torch::data::datasets::map;
using torch::data::datasets::MapDataset;
using torch::data::datasets::MNIST;
using torch::data::datasets::SharedBatchDataset;
using torch::data::datasets::StatefulDataset;
using torch::data::datasets::StreamDataset;
using torch::data::datasets::TensorDataset;
using torch::data::datasets::detail::BatchDataBuffer;
}  // namespace names_in_torch_data_datasets

namespace names_in_torch_data_example {
using torch::data::example::NoTarget;
}  // namespace names_in_torch_data_example

namespace names_in_torch_data_samplers {
using torch::data::samplers::BatchSize;
using torch::data::samplers::CustomBatchRequest;
using torch::data::samplers::DistributedRandomSampler;
using torch::data::samplers::DistributedSampler;
using torch::data::samplers::DistributedSequentialSampler;
using torch::data::samplers::RandomSampler;
using torch::data::samplers::Sampler;
using torch::data::samplers::SequentialSampler;
using torch::data::samplers::StreamSampler;
}  // namespace names_in_torch_data_samplers

namespace names_in_torch_data_transforms {
using torch::data::transforms::BatchLambda;
using torch::data::transforms::BatchTransform;
using torch::data::transforms::Collate;
using torch::data::transforms::Collation;
using torch::data::transforms::Lambda;
using torch::data::transforms::Normalize;
using torch::data::transforms::Stack;
using torch::data::transforms::TensorLambda;
using torch::data::transforms::TensorTransform;
using torch::data::transforms::Transform;
}  // namespace names_in_torch_data_transforms

namespace names_in_torch_enumtype {
using torch::enumtype::get_enum_name;
using torch::enumtype::kConv1D;
using torch::enumtype::kConv2D;
using torch::enumtype::kConv3D;
using torch::enumtype::kConvTranspose1D;
using torch::enumtype::kConvTranspose2D;
using torch::enumtype::kConvTranspose3D;
using torch::enumtype::kFanIn;
using torch::enumtype::kFanOut;
using torch::enumtype::kLeakyReLU;
using torch::enumtype::kLinear;
using torch::enumtype::kMean;
using torch::enumtype::kNone;
using torch::enumtype::kReLU;
using torch::enumtype::kSigmoid;
using torch::enumtype::kSum;
using torch::enumtype::kTanh;
using torch::enumtype::reduction_get_enum;
}  // namespace names_in_torch_enumtype

namespace names_in_torch_nn {
using torch::nn::AdaptiveAvgPool2d;
using torch::nn::AdaptiveAvgPool2dImpl;
using torch::nn::AdaptiveAvgPool2dOptions;
using torch::nn::AdaptiveAvgPoolOptions;
using torch::nn::AnyModule;
using torch::nn::AvgPool2d;
using torch::nn::AvgPool2dImpl;
using torch::nn::AvgPool2dOptions;
using torch::nn::AvgPoolOptions;
using torch::nn::BatchNorm1d;
using torch::nn::BatchNorm1dImpl;
using torch::nn::BatchNorm1dOptions;
using torch::nn::BatchNorm2d;
using torch::nn::BatchNorm2dImpl;
using torch::nn::BatchNorm2dOptions;
using torch::nn::BatchNormImplBase;
using torch::nn::BatchNormOptions;
using torch::nn::BCELoss;
using torch::nn::BCELossImpl;
using torch::nn::BCELossOptions;
using torch::nn::BCEWithLogitsLoss;
using torch::nn::BCEWithLogitsLossImpl;
using torch::nn::BCEWithLogitsLossOptions;
using torch::nn::Cloneable;
using torch::nn::Conv2d;
using torch::nn::Conv2dImpl;
using torch::nn::Conv2dOptions;
using torch::nn::ConvOptions;
using torch::nn::CrossEntropyLoss;
using torch::nn::CrossEntropyLossImpl;
using torch::nn::CrossEntropyLossOptions;
using torch::nn::Dropout;
using torch::nn::Dropout2d;
using torch::nn::Dropout2dImpl;
using torch::nn::Dropout2dOptions;
using torch::nn::DropoutImpl;
using torch::nn::DropoutOptions;
using torch::nn::Embedding;
using torch::nn::EmbeddingFromPretrainedOptions;
using torch::nn::EmbeddingImpl;
using torch::nn::EmbeddingOptions;
using torch::nn::Flatten;
using torch::nn::FlattenImpl;
using torch::nn::FlattenOptions;
using torch::nn::Functional;
using torch::nn::FunctionalImpl;
using torch::nn::GELU;
using torch::nn::GELUImpl;
using torch::nn::GELUOptions;
using torch::nn::Identity;
using torch::nn::IdentityImpl;
using torch::nn::L1Loss;
using torch::nn::L1LossImpl;
using torch::nn::L1LossOptions;
using torch::nn::LeakyReLU;
using torch::nn::LeakyReLUImpl;
using torch::nn::LeakyReLUOptions;
using torch::nn::Linear;
using torch::nn::LinearImpl;
using torch::nn::LinearOptions;
using torch::nn::LogSoftmax;
using torch::nn::LogSoftmaxImpl;
using torch::nn::LogSoftmaxOptions;
using torch::nn::MaxPool2d;
using torch::nn::MaxPool2dImpl;
using torch::nn::MaxPool2dOptions;
using torch::nn::MaxPoolOptions;
using torch::nn::Module;
using torch::nn::ModuleHolder;
using torch::nn::ModuleList;
using torch::nn::ModuleListImpl;
using torch::nn::MSELoss;
using torch::nn::MSELossImpl;
using torch::nn::MSELossOptions;
using torch::nn::NamedAnyModule;
using torch::nn::NLLLoss;
using torch::nn::NLLLossImpl;
using torch::nn::NLLLossOptions;
using torch::nn::ReLU;
using torch::nn::ReLUImpl;
using torch::nn::ReLUOptions;
using torch::nn::Sequential;
using torch::nn::SequentialImpl;
using torch::nn::Sigmoid;
using torch::nn::SigmoidImpl;
using torch::nn::Softmax;
using torch::nn::SoftmaxImpl;
using torch::nn::SoftmaxOptions;
using torch::nn::SoftplusOptions;
using torch::nn::Tanh;
using torch::nn::TanhImpl;
}  // namespace names_in_torch_nn

namespace names_in_torch_nn_functional {
using torch::nn::functional::adaptive_avg_pool2d;
using torch::nn::functional::AdaptiveAvgPool2dFuncOptions;
using torch::nn::functional::avg_pool2d;
using torch::nn::functional::AvgPool2dFuncOptions;
using torch::nn::functional::batch_norm;
using torch::nn::functional::BatchNormFuncOptions;
using torch::nn::functional::binary_cross_entropy;
using torch::nn::functional::binary_cross_entropy_with_logits;
using torch::nn::functional::BinaryCrossEntropyFuncOptions;
using torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions;
using torch::nn::functional::conv2d;
using torch::nn::functional::Conv2dFuncOptions;
using torch::nn::functional::ConvFuncOptions;
using torch::nn::functional::cross_entropy;
using torch::nn::functional::CrossEntropyFuncOptions;
using torch::nn::functional::dropout;
using torch::nn::functional::DropoutFuncOptions;
using torch::nn::functional::embedding;
using torch::nn::functional::EmbeddingFuncOptions;
using torch::nn::functional::gelu;
using torch::nn::functional::GELUFuncOptions;
using torch::nn::functional::l1_loss;
using torch::nn::functional::L1LossFuncOptions;
using torch::nn::functional::leaky_relu;
using torch::nn::functional::LeakyReLUFuncOptions;
using torch::nn::functional::linear;
using torch::nn::functional::log_softmax;
using torch::nn::functional::LogSoftmaxFuncOptions;
using torch::nn::functional::max_pool2d;
using torch::nn::functional::max_pool2d_with_indices;
using torch::nn::functional::MaxPool2dFuncOptions;
using torch::nn::functional::mse_loss;
using torch::nn::functional::MSELossFuncOptions;
using torch::nn::functional::nll_loss;
using torch::nn::functional::NLLLossFuncOptions;
using torch::nn::functional::relu;
using torch::nn::functional::ReLUFuncOptions;
using torch::nn::functional::silu;
using torch::nn::functional::softmax;
using torch::nn::functional::SoftmaxFuncOptions;
using torch::nn::functional::softplus;
using torch::nn::functional::SoftplusFuncOptions;
}  // namespace names_in_torch_nn_functional

namespace names_in_torch_nn_init {
using torch::nn::init::_calculate_fan_in_and_fan_out;
using torch::nn::init::calculate_gain;
using torch::nn::init::constant_;
using torch::nn::init::dirac_;
using torch::nn::init::eye_;
using torch::nn::init::FanModeType;
using torch::nn::init::kaiming_normal_;
using torch::nn::init::kaiming_uniform_;
using torch::nn::init::NonlinearityType;
using torch::nn::init::normal_;
using torch::nn::init::ones_;
using torch::nn::init::uniform_;
using torch::nn::init::xavier_normal_;
using torch::nn::init::xavier_uniform_;
using torch::nn::init::zeros_;
}  // namespace names_in_torch_nn_init

namespace names_in_torch_nn_utils {
using torch::nn::utils::clip_grad_norm_;
using torch::nn::utils::clip_grad_value_;
}  // namespace names_in_torch_nn_utils

namespace names_in_torch_optim {
using torch::optim::Adam;
using torch::optim::AdamOptions;
using torch::optim::AdamParamState;
using torch::optim::AdamW;
using torch::optim::AdamWOptions;
using torch::optim::AdamWParamState;
using torch::optim::LRScheduler;
using torch::optim::Optimizer;
using torch::optim::OptimizerCloneableOptions;
using torch::optim::OptimizerCloneableParamState;
using torch::optim::OptimizerOptions;
using torch::optim::OptimizerParamGroup;
using torch::optim::OptimizerParamState;
using torch::optim::RMSprop;
using torch::optim::RMSpropOptions;
using torch::optim::RMSpropParamState;
using torch::optim::SGD;
using torch::optim::SGDOptions;
using torch::optim::SGDParamState;
using torch::optim::StepLR;
}  // namespace names_in_torch_optim

namespace names_in_torch_serialize {
using torch::serialize::InputArchive;
using torch::serialize::OutputArchive;
}  // namespace names_in_torch_serialize

namespace names_in_at {
using at::abs;
using at::adaptive_avg_pool2d;
using at::add;
using at::addmm;
using at::allclose;
using at::amax;
using at::amin;
using at::arange;
using at::argmax;
using at::argmin;
using at::ArrayRef;
using at::AutoGradMode;
using at::avg_pool2d;
using at::batch_norm;
using at::binary_cross_entropy;
using at::binary_cross_entropy_with_logits;
using at::bmm;
using at::cat;
using at::ceil;
using at::chunk;
using at::clamp;
using at::clamp_max;
using at::clamp_min;
using at::clone;
using at::conv2d;
using at::cos;
using at::CppTypeToScalarType;
using at::cross_entropy_loss;
using at::cumsum;
using at::demangle;
using at::Device;
using at::DeviceType;
using at::DimVector;
using at::div;
using at::dot;
using at::dropout;
using at::dropout_;
using at::dtype;
using at::embedding;
using at::embedding_renorm_;
using at::empty;
using at::empty_like;
using at::eq;
using at::equal;
using at::erf;
using at::Error;
using at::exp;
using at::expm1;
using at::eye;
using at::flatten;
using at::floor;
using at::from_blob;
using at::full;
using at::full_like;
using at::gather;
using at::ge;
using at::gelu;
using at::get_num_threads;
using at::GradMode;
using at::gt;
using at::index_select;
using at::InferenceMode;
using at::IntArrayRef;
using at::is_floating_point;
using at::IValue;
using at::kBool;
using at::kCPU;
using at::kCUDA;
using at::kDouble;
using at::kFloat;
using at::kLong;
using at::l1_loss;
using at::le;
using at::leaky_relu;
using at::leaky_relu_;
using at::linear;
using at::linspace;
using at::load;
using at::log;
using at::log1p;
using at::log_softmax;
using at::logsumexp;
using at::lt;
using at::manual_seed;
using at::masked_fill;
using at::matmul;
using at::max;
using at::max_pool2d;
using at::max_pool2d_with_indices;
using at::maximum;
using at::mean;
using at::min;
using at::minimum;
using at::mm;
using at::mse_loss;
using at::mul;
using at::mv;
using at::narrow;
using at::ne;
using at::neg;
using at::nll_loss;
using at::nll_loss_nd;
using at::NoGradGuard;
using at::norm;
using at::ones;
using at::ones_like;
using at::outer;
using at::permute;
using at::pow;
using at::prod;
using at::rand;
using at::rand_like;
using at::randint;
using at::randn;
using at::randn_like;
using at::randperm;
using at::reciprocal;
using at::relu;
using at::requires_grad;
using at::reshape;
using at::result_type;
using at::round;
using at::rsqrt;
using at::rsub;
using at::Scalar;
using at::scalar_tensor;
using at::ScalarType;
using at::scatter_add;
using at::select;
using at::set_num_threads;
using at::sigmoid;
using at::sign;
using at::silu;
using at::sin;
using at::slice;
using at::SmallVector;
using at::softmax;
using at::softplus;
using at::split;
using at::split_with_sizes;
using at::sqrt;
using at::square;
using at::squeeze;
using at::stack;
using at::std;
using at::Storage;
using at::sub;
using at::sum;
using at::sum_to;
using at::t;
using at::tan;
using at::tanh;
using at::Tensor;
using at::tensor;
using at::TensorImpl;
using at::TensorList;
using at::TensorOptions;
using at::to_string;
using at::transpose;
using at::unbind;
using at::unsqueeze;
using at::var;
using at::where;
using at::zeros;
using at::zeros_like;
}  // namespace names_in_at

namespace names_in_c10 {
using c10::ArrayRef;
using c10::AutoGradMode;
using c10::CppTypeToScalarType;
using c10::demangle;
using c10::Device;
using c10::DeviceType;
using c10::DimVector;
using c10::dtype;
using c10::Error;
using c10::GradMode;
using c10::InferenceMode;
using c10::IntArrayRef;
using c10::IValue;
using c10::kBool;
using c10::kCPU;
using c10::kCUDA;
using c10::kDouble;
using c10::kFloat;
using c10::kLong;
using c10::load;
using c10::NoGradGuard;
using c10::requires_grad;
using c10::Scalar;
using c10::ScalarType;
using c10::SmallVector;
using c10::Storage;
using c10::TensorImpl;
using c10::TensorOptions;
using c10::to_string;
}  // namespace names_in_c10

// As libtorch's documentation writes a custom function.
namespace {
using namespace torch::autograd;

struct Square : public Function<Square> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x) {
    ctx->save_for_backward({x});
    return x * x;
  }
  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    Variable x = ctx->get_saved_variables()[0];
    return {grad_outputs[0] * 2 * x};
  }
};
}  // namespace

TEST(LibtorchNames, AutogradListsAndModesWorkAsLibtorchSpellsThem) {
  static_assert(std::is_same_v<torch::autograd::variable_list, std::vector<torch::Tensor>>);
  static_assert(std::is_same_v<torch::autograd::tensor_list, std::vector<torch::Tensor>>);
  static_assert(std::is_same_v<torch::autograd::Variable, torch::Tensor>);
  torch::Tensor x = torch::ones({3}, torch::requires_grad());
  Square::apply(x).sum().backward();
  EXPECT_TRUE(torch::allclose(x.grad(), torch::full({3}, 2.0)));
  {
    torch::autograd::AutoGradMode off(false);
    EXPECT_FALSE(torch::autograd::GradMode::is_enabled());
    torch::autograd::variable_list ys{x * 2};
    EXPECT_FALSE(ys[0].requires_grad());
  }
  EXPECT_TRUE(torch::autograd::GradMode::is_enabled());
}

TEST(LibtorchNames, EnumNamesAsLibtorchPrintsThem) {
  c10::variant<torch::enumtype::kLinear, torch::enumtype::kRNN_TANH, torch::enumtype::kBatchMean,
               torch::enumtype::kReflection>
      v = torch::kRNN_TANH;
  EXPECT_EQ(torch::enumtype::get_enum_name(v), "kRNN_TANH");
  v = torch::kBatchMean;
  EXPECT_EQ(torch::enumtype::get_enum_name(v), "kBatchMean");
  v = torch::kReflection;
  EXPECT_EQ(torch::enumtype::get_enum_name(v), "kReflection");
}

TEST(LibtorchNames, ThreadSettings) {
  torch::init_num_threads();
  const int before = torch::get_num_threads();
  torch::set_num_threads(1);
  EXPECT_EQ(torch::get_num_threads(), 1);
  torch::set_num_threads(before);
  EXPECT_GE(torch::get_num_interop_threads(), 1);
}

TEST(LibtorchNames, ChecksWarningsAndStr) {
  EXPECT_EQ(c10::str("a", 1, '-', 2.5), "a1-2.5");
  try {
    TORCH_CHECK(1 + 1 == 3, "sum is ", 2);
    ADD_FAILURE() << "TORCH_CHECK did not throw";
  } catch (const c10::Error& e) {
    EXPECT_STREQ(e.what(), "sum is 2");
  }
  try {
    TORCH_CHECK(false);
    ADD_FAILURE() << "TORCH_CHECK did not throw";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("Expected false to be true"), std::string::npos);
  }
  EXPECT_THROW(TORCH_CHECK_INDEX(false, "index"), c10::IndexError);
  EXPECT_THROW(TORCH_CHECK_VALUE(false, "value"), c10::ValueError);
  EXPECT_THROW(TORCH_CHECK_TYPE(false, "type"), c10::TypeError);
  EXPECT_THROW(TORCH_INTERNAL_ASSERT(2 < 1), c10::Error);
  EXPECT_THROW(AT_ASSERT(false), c10::Error);
  testing::internal::CaptureStderr();
  for (int i = 0; i < 3; ++i) TORCH_WARN_ONCE("only once");
  TORCH_WARN("every time");
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("Warning: only once"), std::string::npos) << err;
  EXPECT_EQ(err.find("only once"), err.rfind("only once")) << err;
  EXPECT_NE(err.find("Warning: every time"), std::string::npos) << err;
}
