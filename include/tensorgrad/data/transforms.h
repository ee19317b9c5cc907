#pragma once
/// Transforms applied to examples or batches of a dataset (dataset.map(transform)), as
/// torch::data::transforms: Normalize, Stack, Lambda, BatchLambda, Collate, TensorLambda.
#include <functional>
#include <utility>
#include <vector>

#include "tensorgrad/data/example.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/tensor.h"

namespace tg::data::transforms {

/// Maps a whole batch to another.
template <class InputBatch, class OutputBatch>
class BatchTransform {
 public:
  using InputBatchType = InputBatch;
  using OutputBatchType = OutputBatch;
  virtual ~BatchTransform() = default;
  virtual OutputBatch apply_batch(InputBatch input_batch) = 0;
};

/// Maps each example of a batch (a std::vector of examples) independently.
template <class Input, class Output>
class Transform : public BatchTransform<std::vector<Input>, std::vector<Output>> {
 public:
  using InputType = Input;
  using OutputType = Output;
  virtual OutputType apply(InputType input) = 0;
  std::vector<Output> apply_batch(std::vector<Input> input_batch) override {
    std::vector<Output> output_batch;
    output_batch.reserve(input_batch.size());
    for (auto&& input : input_batch) output_batch.push_back(apply(std::move(input)));
    return output_batch;
  }
};

namespace detail {

/// What Lambda, BatchLambda and TensorLambda share: the function they apply, taking its argument by
/// value.
template <class Input, class Output>
class LambdaFunction {
 public:
  using FunctionType = std::function<Output(Input)>;
  explicit LambdaFunction(FunctionType function) : function_(std::move(function)) {}

 protected:
  Output call(Input input) { return function_(std::move(input)); }

 private:
  FunctionType function_;
};

}  // namespace detail

/// A BatchTransform from a function.
template <class Input, class Output = Input>
class BatchLambda : public BatchTransform<Input, Output>,
                    private detail::LambdaFunction<Input, Output> {
 public:
  using typename detail::LambdaFunction<Input, Output>::FunctionType;
  using detail::LambdaFunction<Input, Output>::LambdaFunction;
  Output apply_batch(Input input_batch) override { return this->call(std::move(input_batch)); }
};

/// A Transform from a function applied to each example.
template <class Input, class Output = Input>
class Lambda : public Transform<Input, Output>, private detail::LambdaFunction<Input, Output> {
 public:
  using typename detail::LambdaFunction<Input, Output>::FunctionType;
  using detail::LambdaFunction<Input, Output>::LambdaFunction;
  Output apply(Input input) override { return this->call(std::move(input)); }
};

/// Collates a vector of examples into one batch.
template <class T = Example<>>
using Collation = BatchTransform<std::vector<T>, T>;

/// A Collation from a function of the whole batch:
///   dataset.map(transforms::Collate<int>([](std::vector<int> v) { return v[0] + v[1]; }))
template <class T = Example<>, class BatchType = std::vector<T>>
using Collate = BatchLambda<BatchType, T>;

/// Stacks the data and the targets of a batch of examples along a new first dimension.
template <class T = Example<>>
struct Stack;

template <>
struct Stack<Example<>> : public Collation<Example<>> {
  Example<> apply_batch(std::vector<Example<>> examples) override {
    std::vector<Tensor> data, targets;
    data.reserve(examples.size());
    targets.reserve(examples.size());
    for (auto& example : examples) {
      data.push_back(std::move(example.data));
      targets.push_back(std::move(example.target));
    }
    return {tg::stack(data), tg::stack(targets)};
  }
};

template <>
struct Stack<TensorExample> : public Collation<TensorExample> {
  TensorExample apply_batch(std::vector<TensorExample> examples) override {
    std::vector<Tensor> data;
    data.reserve(examples.size());
    for (auto& example : examples) data.push_back(std::move(example.data));
    return tg::stack(data);
  }
};

/// A Transform of the data tensor of each example (the target is kept). operator() also
/// applies to a whole tensor of examples at once.
template <class Target = Tensor>
class TensorTransform : public Transform<Example<Tensor, Target>, Example<Tensor, Target>> {
 public:
  using E = Example<Tensor, Target>;
  using typename Transform<E, E>::InputType;
  using typename Transform<E, E>::OutputType;

  virtual Tensor operator()(Tensor input) = 0;
  OutputType apply(InputType input) override {
    input.data = (*this)(std::move(input.data));
    return input;
  }
};

template <class Target = Tensor>
class TensorLambda : public TensorTransform<Target>,
                     private detail::LambdaFunction<Tensor, Tensor> {
 public:
  using detail::LambdaFunction<Tensor, Tensor>::FunctionType;
  using detail::LambdaFunction<Tensor, Tensor>::LambdaFunction;
  Tensor operator()(Tensor input) override { return call(std::move(input)); }
};

namespace detail {
/// mean and stddev as kFloat tensors of shape [channels, 1, 1]; throws on an empty list, a
/// length mismatch or a zero stddev.
std::pair<Tensor, Tensor> normalize_stats(ArrayRef<double> mean, ArrayRef<double> stddev);
}  // namespace detail

/// (x - mean) / stddev per channel: the data of an example is [channels, height, width] (or
/// any shape whose third-to-last dimension is the channel), so it also normalises a whole
/// [count, channels, height, width] tensor at once: `Normalize<>(0.2860, 0.3530)(images)`.
template <class Target = Tensor>
struct Normalize : public TensorTransform<Target> {
  Normalize(ArrayRef<double> mean, ArrayRef<double> stddev) {
    std::tie(this->mean, this->stddev) = detail::normalize_stats(mean, stddev);
  }
  Tensor operator()(Tensor input) override { return input.sub(mean).div(stddev); }

  Tensor mean, stddev;
};

}  // namespace tg::data::transforms
