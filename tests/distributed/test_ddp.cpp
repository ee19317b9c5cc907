// DistributedDataParallel, run as several processes: mpirun -np N test_mpi_ddp (ctest runs
// N = 2 and N = 3). Each rank also computes, alone, what one process would do with the whole
// batch, and compares.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "expect_error.h"
#include "tensorgrad/distributed.h"
#include "tensorgrad/distributed/data_parallel.h"
#include "tensorgrad/tensorgrad.h"

namespace dist = tg::distributed;

// EXPECT_ERROR with one expected std::string, kept alive while the macro reads it.
#define EXPECT_ERROR_S(stmt, expected)        \
  do {                                        \
    const std::string expected_ = (expected); \
    EXPECT_ERROR(stmt, expected_.c_str());    \
  } while (0)
namespace nn = tg::nn;
using tg::nn::parallel::DistributedDataParallel;
using tg::nn::parallel::DistributedDataParallelOptions;

namespace {

std::shared_ptr<dist::ProcessGroupMPI> group() {
  static std::shared_ptr<dist::ProcessGroupMPI> pg = dist::ProcessGroupMPI::create();
  return pg;
}

std::string where(const char* who) {
  auto pg = group();
  return tg::str(who, " (rank ", pg->rank(), " of ", pg->size(), "): ");
}

nn::Sequential make_model(uint64_t seed) {
  tg::manual_seed(seed);
  return nn::Sequential(nn::Linear(5, 16), nn::Tanh(), nn::Linear(16, 16), nn::Tanh(),
                        nn::Linear(16, 3));
}

// Every rank's copy of t, gathered.
std::vector<tg::Tensor> gather(const tg::Tensor& t) {
  std::vector<tg::Tensor> all;
  for (int r = 0; r < group()->size(); ++r) all.push_back(tg::empty_like(t));
  group()->all_gather(all, t.detach().contiguous());
  return all;
}

void copy_parameters(const std::shared_ptr<nn::Module>& from,
                     const std::shared_ptr<nn::Module>& to) {
  tg::NoGradGuard no_grad;
  auto a = from->parameters(), b = to->parameters();
  for (size_t i = 0; i < a.size(); ++i) b[i].copy_(a[i]);
}

double max_difference(const std::shared_ptr<nn::Module>& a, const std::shared_ptr<nn::Module>& b) {
  double worst = 0;
  auto pa = a->parameters(), pb = b->parameters();
  for (size_t i = 0; i < pa.size(); ++i)
    worst = std::max(worst, (pa[i] - pb[i]).abs().max().item<double>());
  return worst;
}

bool bitwise_equal(const std::shared_ptr<nn::Module>& a, const std::shared_ptr<nn::Module>& b) {
  auto pa = a->parameters(), pb = b->parameters();
  for (size_t i = 0; i < pa.size(); ++i)
    if (!tg::equal(pa[i], pb[i])) return false;
  return true;
}

}  // namespace

TEST(DistributedDataParallel, ConstructionBroadcastsRankZerosParametersAndBuffers) {
  auto pg = group();
  auto model = nn::Sequential(nn::Linear(3, 4), nn::BatchNorm1d(4));
  tg::manual_seed(100 + pg->rank());  // different on every rank
  for (auto& p : model->parameters()) {
    tg::NoGradGuard no_grad;
    p.copy_(tg::randn(p.sizes()));
  }
  model->buffers()[0].fill_(static_cast<double>(pg->rank() + 1));  // running_mean
  auto rank0 = gather(model->parameters()[0])[0];
  DistributedDataParallel ddp(model.ptr(), pg);
  EXPECT_TRUE(tg::equal(model->parameters()[0], rank0));
  for (const auto& t : model->parameters())
    for (const auto& other : gather(t)) EXPECT_TRUE(tg::equal(t, other));
  EXPECT_TRUE(tg::equal(model->buffers()[0], tg::ones({4})));
}

TEST(DistributedDataParallel, BucketsFollowReverseRegistrationOrderAndTheCap) {
  auto model = make_model(1);  // parameter sizes: 80, 16, 256, 16, 48, 3 floats
  DistributedDataParallel one(model.ptr(), group());
  EXPECT_EQ(one.bucket_indices(), (std::vector<std::vector<size_t>>{{5, 4, 3, 2, 1, 0}}));
  // A cap of 300 bytes: a bucket closes once it holds 300 bytes or more.
  DistributedDataParallel many(model.ptr(), group(),
                               DistributedDataParallelOptions().bucket_cap_mb(300.0 / (1 << 20)));
  EXPECT_EQ(many.bucket_indices(), (std::vector<std::vector<size_t>>{{5, 4, 3, 2}, {1, 0}}));
}

// Each rank takes its 1/N of every global batch; one process takes the whole batch.
// With gradient_as_bucket_view, .grad() must stay in the same memory (its slot of a bucket) from
// the second step on: backward and the average write into it, nothing is copied.
void train_and_compare(bool deterministic, bool bucket_view = false) {
  auto pg = group();
  const int n = pg->size(), rank = pg->rank();
  const int64_t per_rank = 4, steps = 5;
  tg::manual_seed(2024);  // the same data on every rank
  auto inputs = tg::randn({steps, n * per_rank, 5});
  auto targets = tg::randn({steps, n * per_rank, 3});

  auto model = make_model(7 + rank);  // broadcast from rank 0 by the wrapper
  DistributedDataParallel ddp(model.ptr(), pg,
                              DistributedDataParallelOptions()
                                  .bucket_cap_mb(300.0 / (1 << 20))
                                  .deterministic_reduction(deterministic)
                                  .gradient_as_bucket_view(bucket_view));
  ASSERT_GT(ddp.bucket_indices().size(), 1u);
  std::vector<tg::Tensor> first_grads;
  // One process, same batch split into the ranks' shares, gradients accumulated in rank order.
  auto split = make_model(0);
  // One process, one forward over the whole batch.
  auto whole = make_model(0);
  copy_parameters(model.ptr(), split.ptr());
  copy_parameters(model.ptr(), whole.ptr());
  auto sgd = [](nn::Sequential& m) {
    return tg::optim::SGD(m->parameters(), tg::optim::SGDOptions(0.1).momentum(0.9));
  };
  auto opt = sgd(model), opt_split = sgd(split), opt_whole = sgd(whole);
  for (int64_t step = 0; step < steps; ++step) {
    auto x = inputs[step], y = targets[step];
    opt.zero_grad();
    auto mine = tg::indexing::Slice(rank * per_rank, (rank + 1) * per_rank);
    nn::functional::mse_loss(model->forward(x.index({mine})), y.index({mine})).backward();
    opt.step();
    if (bucket_view && step == 1)
      for (const auto& p : model->parameters()) first_grads.push_back(p.grad());
    for (size_t i = 0; i < first_grads.size(); ++i)
      EXPECT_EQ(model->parameters()[i].grad().data_ptr(), first_grads[i].data_ptr())
          << "step " << step;

    opt_split.zero_grad();
    for (int r = 0; r < n; ++r) {
      auto share = tg::indexing::Slice(r * per_rank, (r + 1) * per_rank);
      nn::functional::mse_loss(split->forward(x.index({share})), y.index({share})).backward();
    }
    for (auto& p : split->parameters()) p.mutable_grad().div_(n);
    opt_split.step();

    opt_whole.zero_grad();
    nn::functional::mse_loss(whole->forward(x), y).backward();
    opt_whole.step();
  }
  // The replicas stay bitwise equal to each other.
  for (const auto& p : model->parameters())
    for (const auto& other : gather(p)) EXPECT_TRUE(tg::equal(p, other));
  const bool same_as_split = bitwise_equal(model.ptr(), split.ptr());
  const double to_split = max_difference(model.ptr(), split.ptr());
  const double to_whole = max_difference(model.ptr(), whole.ptr());
  if (rank == 0)
    std::printf(
        "[ N=%d %s ] bitwise equal to one process accumulating the shares in rank order: "
        "%s (max |diff| %.3g); max |diff| to one process on the whole batch: %.3g\n",
        n, deterministic ? "deterministic_reduction" : "MPI SUM", same_as_split ? "yes" : "no",
        to_split, to_whole);
  if (deterministic) EXPECT_TRUE(same_as_split) << "max |diff| " << to_split;
  // The backend's sum may add the ranks' gradients in another order: a few ulps.
  EXPECT_LT(to_split, 1e-5);
  // One forward over the whole batch sums over the batch in another order: float rounding.
  EXPECT_LT(to_whole, 1e-5);
}

TEST(DistributedDataParallel, DeterministicReductionIsBitwiseOneProcess) {
  train_and_compare(true);
}

TEST(DistributedDataParallel, BackendSumMatchesOneProcessWithinRounding) {
  train_and_compare(false);
}

TEST(DistributedDataParallel, GradientAsBucketViewIsBitwiseTheSameWithoutCopies) {
  train_and_compare(true, true);
}

// Round 2 (with gradient_as_bucket_view) accumulates into the views that round 1 left in .grad().
void no_sync_case(bool bucket_view) {
  auto pg = group();
  const int n = pg->size(), rank = pg->rank();
  auto model = make_model(3);
  DistributedDataParallel ddp(
      model.ptr(), pg,
      DistributedDataParallelOptions().deterministic_reduction(true).gradient_as_bucket_view(
          bucket_view));
  auto weight = model->parameters()[0];
  for (int round = 0; round < 2; ++round) {
    model->zero_grad();
    tg::manual_seed(11 + rank + 100 * round);  // each rank its own data
    auto x1 = tg::randn({4, 5}), x2 = tg::randn({4, 5});
    {
      auto guard = ddp.no_sync();
      model->forward(x1).sum().backward();
    }
    // Not synchronised: the ranks' gradients differ.
    auto local = weight.grad().clone();
    auto seen = gather(local);
    EXPECT_FALSE(tg::equal(seen[0], seen[n - 1])) << "round " << round;
    model->forward(x2).sum().backward();
    // What one process gets: each rank's accumulated gradient, summed in rank order, over n.
    auto x1s = gather(x1), x2s = gather(x2);
    auto copy = make_model(0);
    copy_parameters(model.ptr(), copy.ptr());
    tg::Tensor expected;
    for (int r = 0; r < n; ++r) {
      copy->zero_grad();
      copy->forward(x1s[r]).sum().backward();
      copy->forward(x2s[r]).sum().backward();
      auto g = copy->parameters()[0].grad().clone();
      expected = r == 0 ? g : expected + g;
    }
    expected = expected / n;
    EXPECT_TRUE(tg::equal(weight.grad(), expected)) << "round " << round;
  }
}

TEST(DistributedDataParallel, NoSyncAccumulatesLocallyThenAveragesTheSum) { no_sync_case(false); }

TEST(DistributedDataParallel, NoSyncWithGradientAsBucketView) { no_sync_case(true); }

TEST(DistributedDataParallel, UnusedParametersAreAnErrorOnEveryRankNotAHang) {
  auto pg = group();
  const int rank = pg->rank();
  struct TwoBranches : nn::Module {
    nn::Linear a{nullptr}, b{nullptr};
    TwoBranches() {
      a = register_module("a", nn::Linear(3, 2));
      b = register_module("b", nn::Linear(3, 2));
    }
  };
  auto model = std::make_shared<TwoBranches>();
  DistributedDataParallel ddp(model, pg);
  auto x = tg::ones({4, 3});
  auto loss = model->a->forward(x).sum();
  if (rank != 0) loss = loss + model->b->forward(x).sum();  // rank 0 leaves b out
  const char* advice =
      "; pass find_unused_parameters(true) in DistributedDataParallelOptions when some "
      "parameters do not take part in every iteration's loss";
  if (rank == 0) {
    EXPECT_ERROR_S(
        loss.backward(),
        (where("DistributedDataParallel") +
         "these parameters got no gradient in this backward: b.bias, b.weight" + advice));
  } else {
    EXPECT_ERROR_S(loss.backward(), (where("DistributedDataParallel") +
                                     "another rank had parameters that got no gradient in this "
                                     "backward (its error names them)" +
                                     advice));
  }
  // The next iteration works.
  model->zero_grad();
  (model->a->forward(x).sum() + model->b->forward(x).sum()).backward();
  EXPECT_TRUE(tg::equal(model->b->bias.grad(), tg::full({2}, 4.0)));
}

TEST(DistributedDataParallel, FindUnusedParametersGivesThemAZeroShare) {
  auto pg = group();
  const int n = pg->size(), rank = pg->rank();
  struct TwoBranches : nn::Module {
    nn::Linear a{nullptr}, b{nullptr};
    TwoBranches() {
      a = register_module("a", nn::Linear(3, 2));
      b = register_module("b", nn::Linear(3, 2));
    }
  };
  auto model = std::make_shared<TwoBranches>();
  DistributedDataParallel ddp(model, pg,
                              DistributedDataParallelOptions().find_unused_parameters(true));
  auto x = tg::ones({4, 3});
  auto loss = model->a->forward(x).sum();
  if (rank != 0) loss = loss + model->b->forward(x).sum();
  loss.backward();
  // b.bias gets 4 on every rank but rank 0, which adds 0.
  EXPECT_TRUE(tg::equal(model->b->bias.grad(), tg::full({2}, 4.0 * (n - 1)) / n));
  EXPECT_TRUE(tg::equal(model->a->bias.grad(), tg::full({2}, 4.0)));
}

TEST(DistributedDataParallel, BuffersFollowRankZeroAfterBackward) {
  auto pg = group();
  auto model = nn::Sequential(nn::Linear(3, 4), nn::BatchNorm1d(4));
  DistributedDataParallel ddp(model.ptr(), pg);
  tg::manual_seed(50 + pg->rank());
  model->forward(tg::randn({6, 3})).sum().backward();
  for (const auto& buffer : model->buffers())
    for (const auto& other : gather(buffer)) EXPECT_TRUE(tg::equal(buffer, other));
}

TEST(DistributedDataParallelErrors, DifferentModulesOnTheRanks) {
  auto pg = group();
  const int rank = pg->rank();
  auto shapes = nn::Linear(3, rank == 0 ? 2 : 4);
  EXPECT_ERROR_S(DistributedDataParallel(shapes.ptr(), pg),
                 (where("ProcessGroupMPI broadcast") +
                  (rank == 0 ? "this rank passes Float [2, 3] but rank 1 passes Float [4, 3]"
                             : "this rank passes Float [4, 3] but rank 0 passes Float [2, 3]")));
  auto counts = nn::Linear(nn::LinearOptions(3, 2).bias(rank != 0));
  EXPECT_ERROR_S(DistributedDataParallel(counts.ptr(), pg),
                 (where("DistributedDataParallel") +
                  (rank == 0 ? "this rank's module has 1 parameters and 0 buffers but rank 1's has "
                               "2 and 0; every rank must wrap the same module"
                             : "this rank's module has 2 parameters and 0 buffers but rank 0's has "
                               "1 and 0; every rank must wrap the same module")));
  EXPECT_ERROR(
      DistributedDataParallel(shapes.ptr(), pg, DistributedDataParallelOptions().bucket_cap_mb(0)),
      "DistributedDataParallel: bucket_cap_mb must be positive (got 0)");
  EXPECT_ERROR(DistributedDataParallel(nullptr, pg), "DistributedDataParallel: the module is null");
  EXPECT_ERROR(DistributedDataParallel(shapes.ptr(), nullptr),
               "DistributedDataParallel: the process group is null");
  pg->barrier();
}
