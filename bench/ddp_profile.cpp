// The inputs of bench/ddp_model.py, measured: one training step of tensorgrad-train's CNN
// (batch 64, Adam, 1 thread by default) split into forward, backward and optimizer time, and the
// moment in backward at which each parameter's gradient is ready (the moment DDP's bucket holding
// it could start its all-reduce). Prints one JSON object: medians over the steps after warm-up.
// Under mpirun with several ranks, the model is wrapped in DistributedDataParallel and rank 0
// prints the same object for the DDP step, whose total the cost model predicts.
//
//   bench_ddp_profile [--steps N] [--threads T] [--batch B]     (B: each rank's batch)
//
// A benchmark, not a test: it checks nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tensorgrad/autograd.h"
#include "tensorgrad/distributed.h"
#include "tensorgrad/distributed/data_parallel.h"
#include "tensorgrad/nn.h"
#include "tensorgrad/optim.h"
#include "tensorgrad/tensorgrad.h"

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 30, threads = 1, batch = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--steps") == 0) steps = std::max(5, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::max(1, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--batch") == 0) batch = std::max(1, std::atoi(argv[i + 1]));
  }
  namespace nn = tg::nn;
  tg::set_num_threads(threads);
  tg::set_flush_denormal(true);  // as tensorgrad-train
  tg::manual_seed(0);
  // tensorgrad-train's CNN.
  nn::Sequential model(nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1)), nn::ReLU(),
                       nn::MaxPool2d(2), nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1)),
                       nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(64 * 7 * 7, 128),
                       nn::ReLU(), nn::Linear(128, 10));
  tg::optim::Adam optimizer(model->parameters(), tg::optim::AdamOptions(1e-3));
  std::shared_ptr<tg::distributed::ProcessGroupMPI> group;
  std::optional<nn::parallel::DistributedDataParallel> ddp;
  const char* launched = std::getenv("OMPI_COMM_WORLD_SIZE");
  if (launched && std::atoi(launched) > 1) {
    group = tg::distributed::ProcessGroupMPI::create();
    ddp.emplace(model.ptr(), group,
                nn::parallel::DistributedDataParallelOptions().gradient_as_bucket_view(true));
  }
  const tg::Tensor images = tg::randn({batch, 1, 28, 28});
  const tg::Tensor labels = tg::randint(0, 10, {batch});

  const std::vector<tg::Tensor> params = model->parameters();
  Clock::time_point backward_start;
  std::vector<double> ready(params.size());
  for (size_t i = 0; i < params.size(); ++i)
    tg::autograd::register_post_accumulate_grad_hook(
        params[i], [&, i](const tg::Tensor&) { ready[i] = since(backward_start); });

  const int warmup = 3;
  std::vector<double> forward, backward, step, total;
  std::vector<std::vector<double>> ready_runs(params.size());
  for (int s = 0; s < warmup + steps; ++s) {
    optimizer.zero_grad();
    auto t0 = Clock::now();
    const tg::Tensor loss = nn::functional::cross_entropy(model->forward(images), labels);
    const double f = since(t0);
    backward_start = Clock::now();
    loss.backward();
    const double b = since(backward_start);
    t0 = Clock::now();
    optimizer.step();
    const double o = since(t0);
    if (s < warmup) continue;
    forward.push_back(f);
    backward.push_back(b);
    step.push_back(o);
    total.push_back(f + b + o);
    for (size_t i = 0; i < params.size(); ++i) ready_runs[i].push_back(ready[i]);
  }
  if (group && group->rank() != 0) return 0;
  std::printf(
      "{\"batch\": %d, \"threads\": %d, \"ranks\": %d, \"steps\": %d, "
      "\"forward\": %.6f, \"backward\": %.6f, \"optimizer\": %.6f, \"step\": %.6f,\n "
      "\"parameters\": [",
      batch, threads, group ? group->size() : 1, steps, median(forward), median(backward),
      median(step), median(total));
  for (size_t i = 0; i < params.size(); ++i)
    std::printf("%s\n  {\"bytes\": %lld, \"ready\": %.6f}", i ? "," : "",
                static_cast<long long>(params[i].numel() * 4), median(ready_runs[i]));
  std::printf("]}\n");
  return 0;
}
