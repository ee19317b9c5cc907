// ProcessGroupMPI's collectives, run as several processes: mpirun -np N test_mpi_collectives
// (ctest runs it with N = 2 and N = 3). Every rank runs every test; expected values are
// written in terms of rank and size.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "expect_error.h"
#include "tensorgrad/distributed.h"
#include "tensorgrad/tensorgrad.h"

namespace dist = tg::distributed;

// EXPECT_ERROR with one expected std::string, kept alive while the macro reads it.
#define EXPECT_ERROR_S(stmt, expected)        \
  do {                                        \
    const std::string expected_ = (expected); \
    EXPECT_ERROR(stmt, expected_.c_str());    \
  } while (0)

namespace {

std::shared_ptr<dist::ProcessGroupMPI> group() {
  static std::shared_ptr<dist::ProcessGroupMPI> pg = dist::ProcessGroupMPI::create();
  return pg;
}

std::string prefix(const char* collective) {
  auto pg = group();
  return tg::str("ProcessGroupMPI ", collective, " (rank ", pg->rank(), " of ", pg->size(), "): ");
}

void expect_equal(const tg::Tensor& actual, const tg::Tensor& expected) {
  EXPECT_TRUE(tg::equal(actual, expected)) << "actual:\n" << actual << "\nexpected:\n" << expected;
}

}  // namespace

TEST(MPICollectives, RankAndSizeMatchTheLauncher) {
  auto pg = group();
  EXPECT_TRUE(dist::mpi_available());
  EXPECT_EQ(pg->backend_name(), "mpi");
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  ASSERT_NE(size, nullptr) << "run under Open MPI's mpirun";
  EXPECT_EQ(pg->size(), std::atoi(size));
  EXPECT_EQ(pg->rank(), std::atoi(rank));
}

TEST(MPICollectives, AllReduceSumAverageMaxMin) {
  auto pg = group();
  const int r = pg->rank(), n = pg->size();
  for (tg::ScalarType dtype : {tg::kFloat, tg::kDouble, tg::kLong, tg::kInt}) {
    SCOPED_TRACE(tg::to_string(dtype));
    // Rank r holds (r + 1) * [0, 1, 2, 3, 4, 5] as a 2x3 tensor.
    auto base = tg::arange(6, tg::TensorOptions(dtype)).reshape({2, 3});
    auto t = base * (r + 1);
    pg->all_reduce(t);  // SUM
    expect_equal(t, base * (n * (n + 1) / 2));

    t = base * (r + 1);
    pg->all_reduce(t, dist::ReduceOp::MAX);
    expect_equal(t, base * n);

    t = base * (r + 1);
    pg->all_reduce(t, dist::ReduceOp::MIN);
    expect_equal(t, base.clone());
  }
  for (tg::ScalarType dtype : {tg::kFloat, tg::kDouble}) {
    auto base = tg::arange(6, tg::TensorOptions(dtype));
    auto t = base * (r + 1);
    pg->all_reduce(t, dist::ReduceOp::AVG);
    // The sum is exact in floating point; dividing it by n is what AVG does.
    expect_equal(t, base * (n * (n + 1) / 2) / n);
  }
  // A value of each sign and a zero-element tensor.
  auto neg = tg::full({3}, r == 0 ? -5.0 : 2.0, tg::kDouble);
  pg->all_reduce(neg, dist::ReduceOp::MIN);
  expect_equal(neg, tg::full({3}, -5.0, tg::kDouble));
  auto none = tg::empty({0}, tg::kFloat);
  pg->all_reduce(none);
  EXPECT_EQ(none.numel(), 0);
}

TEST(MPICollectives, BroadcastFromEveryRoot) {
  auto pg = group();
  for (int root = 0; root < pg->size(); ++root) {
    auto t = tg::full({2, 2}, static_cast<int64_t>(10 * pg->rank() + 1), tg::kLong);
    pg->broadcast(t, root);
    expect_equal(t, tg::full({2, 2}, static_cast<int64_t>(10 * root + 1), tg::kLong));
  }
  // Bits only: BFloat16 and Bool travel unchanged.
  auto b = tg::full({3}, pg->rank() == 0 ? 1.5 : 0.0, tg::kBFloat16);
  pg->broadcast(b, 0);
  expect_equal(b, tg::full({3}, 1.5, tg::kBFloat16));
}

TEST(MPICollectives, AllGatherPutsRankROutputR) {
  auto pg = group();
  const int n = pg->size();
  auto input = tg::arange(4, tg::kFloat) + 100 * pg->rank();
  std::vector<tg::Tensor> outputs;
  for (int i = 0; i < n; ++i) outputs.push_back(tg::zeros({4}, tg::kFloat));
  pg->all_gather(outputs, input);
  for (int i = 0; i < n; ++i) expect_equal(outputs[i], tg::arange(4, tg::kFloat) + 100 * i);
}

TEST(MPICollectives, ReduceScatterGivesRankRTheReductionOfInputsR) {
  auto pg = group();
  const int r = pg->rank(), n = pg->size();
  // Rank q's input i is (q + 1) * (i + 1) * ones(3).
  auto make_inputs = [&] {
    std::vector<tg::Tensor> inputs;
    for (int i = 0; i < n; ++i) inputs.push_back(tg::ones({3}, tg::kDouble) * ((r + 1) * (i + 1)));
    return inputs;
  };
  auto out = tg::zeros({3}, tg::kDouble);
  pg->reduce_scatter(out, make_inputs());
  expect_equal(out, tg::ones({3}, tg::kDouble) * ((r + 1) * n * (n + 1) / 2));
  pg->reduce_scatter(out, make_inputs(), dist::ReduceOp::MAX);
  expect_equal(out, tg::ones({3}, tg::kDouble) * ((r + 1) * n));
  pg->reduce_scatter(out, make_inputs(), dist::ReduceOp::AVG);
  expect_equal(out, tg::ones({3}, tg::kDouble) * ((r + 1) * n * (n + 1) / 2) / n);
}

TEST(MPICollectives, AsyncWorkCompletesOnWait) {
  auto pg = group();
  const int n = pg->size();
  std::vector<tg::Tensor> tensors;
  std::vector<std::shared_ptr<dist::Work>> works;
  for (int i = 0; i < 4; ++i) {
    tensors.push_back(tg::full({1000}, static_cast<double>(i + pg->rank()), tg::kDouble));
    works.push_back(pg->all_reduce_async(tensors.back()));
  }
  works.push_back(pg->barrier_async());
  for (auto& w : works) w->wait();
  for (auto& w : works) EXPECT_TRUE(w->is_completed());
  for (int i = 0; i < 4; ++i)
    expect_equal(tensors[i],
                 tg::full({1000}, static_cast<double>(n * i + n * (n - 1) / 2), tg::kDouble));
  works.back()->wait();  // a second wait returns at once

  // is_completed() turns true without wait() once every rank took part.
  auto t = tg::ones({8}, tg::kFloat);
  auto w = pg->all_reduce_async(t, dist::ReduceOp::AVG);
  while (!w->is_completed()) {
  }
  expect_equal(t, tg::ones({8}, tg::kFloat));
  pg->barrier();
}

// ---- errors: every rank throws, none hangs, and the group works afterwards ----

TEST(MPICollectivesErrors, MismatchedShapeOrDtype) {
  auto pg = group();
  const int r = pg->rank();
  auto mine = tg::zeros({r == 0 ? 3 : 4}, tg::kFloat);
  const std::string expected = prefix("all_reduce") +
                               (r == 0 ? "this rank passes Float [3] but rank 1 passes Float [4]"
                                       : "this rank passes Float [4] but rank 0 passes Float [3]") +
                               "; every rank must pass the same dtype and shape";
  EXPECT_ERROR_S(pg->all_reduce(mine), expected);

  auto typed = tg::zeros({2, 2}, r == 0 ? tg::kDouble : tg::kFloat);
  const std::string expected_dtype =
      prefix("broadcast") + (r == 0
                                 ? "this rank passes Double [2, 2] but rank 1 passes Float [2, 2]"
                                 : "this rank passes Float [2, 2] but rank 0 passes Double [2, 2]");
  EXPECT_ERROR_S(pg->broadcast(typed, 0), expected_dtype);
  pg->barrier();  // the group still works
}

TEST(MPICollectivesErrors, MismatchedCollectiveOpOrRoot) {
  auto pg = group();
  const int r = pg->rank();
  auto t = tg::zeros({2}, tg::kFloat);
  if (r == 0) {
    EXPECT_ERROR_S(pg->broadcast(t, 0),
                   (prefix("broadcast") + "rank 1 called all_reduce instead; every rank must call "
                                          "the same collectives in the same order"));
  } else {
    EXPECT_ERROR_S(pg->all_reduce(t), (prefix("all_reduce") + "rank 0 called broadcast instead"));
  }
  EXPECT_ERROR_S(
      pg->all_reduce(t, r == 0 ? dist::ReduceOp::MAX : dist::ReduceOp::SUM),
      (prefix("all_reduce") + (r == 0 ? "this rank asks for MAX but rank 1 asks for SUM"
                                      : "this rank asks for SUM but rank 0 asks for MAX")));
  EXPECT_ERROR_S(
      pg->broadcast(t, r == 0 ? 0 : 1),
      (prefix("broadcast") + (r == 0 ? "this rank names root 0 but rank 1 names root 1"
                                     : "this rank names root 1 but rank 0 names root 0")));
  pg->barrier();
}

TEST(MPICollectivesErrors, BadArgumentsOnOneRankFailEveryRank) {
  auto pg = group();
  const int r = pg->rank(), n = pg->size();
  const std::string rank0_rejected =
      "rank 0 rejected its arguments (its own error says why); no data was exchanged";
  // Not contiguous on rank 0 only.
  auto t = r == 0 ? tg::zeros({3, 2}, tg::kFloat).t() : tg::zeros({2, 3}, tg::kFloat);
  EXPECT_ERROR_S(pg->all_reduce(t),
                 (prefix("all_reduce") + (r == 0 ? "the tensor must be contiguous (call "
                                                   ".contiguous() on it first)"
                                                 : rank0_rejected)));
  // A root that is no rank.
  auto b = tg::zeros({2}, tg::kFloat);
  EXPECT_ERROR_S(
      pg->broadcast(b, r == 0 ? n : 0),
      (prefix("broadcast") +
       (r == 0 ? tg::str("root ", n, " is not a rank (there are ", n, ")") : rank0_rejected)));
  // AVG of integers, SUM of Half.
  auto l = tg::zeros({2}, r == 0 ? tg::kLong : tg::kFloat);
  EXPECT_ERROR_S(pg->all_reduce(l, dist::ReduceOp::AVG),
                 (prefix("all_reduce") +
                  (r == 0 ? "AVG needs a Float or Double tensor, not Long" : rank0_rejected)));
  auto h = tg::zeros({2}, r == 0 ? tg::kHalf : tg::kFloat);
  EXPECT_ERROR_S(pg->all_reduce(h),
                 (prefix("all_reduce") + (r == 0 ? "SUM of Half tensors is not supported (convert "
                                                   "to Float first)"
                                                 : rank0_rejected)));
  // all_gather: too few outputs on rank 0, a wrong output shape.
  auto in = tg::zeros({2}, tg::kFloat);
  std::vector<tg::Tensor> outs;
  for (int i = 0; i < (r == 0 ? n - 1 : n); ++i) outs.push_back(tg::zeros({2}, tg::kFloat));
  EXPECT_ERROR_S(pg->all_gather(outs, in),
                 (prefix("all_gather") +
                  (r == 0 ? tg::str("got ", n - 1, " output tensors; pass one per rank (", n, ")")
                          : rank0_rejected)));
  outs.assign(n, tg::zeros({2}, tg::kFloat));
  if (r == 0) outs[n - 1] = tg::zeros({3}, tg::kFloat);
  EXPECT_ERROR_S(pg->all_gather(outs, in),
                 (prefix("all_gather") +
                  (r == 0 ? tg::str("output ", n - 1,
                                    " is Float [3] but the input is Float [2]; every output must "
                                    "have the input's dtype and shape")
                          : rank0_rejected)));
  // reduce_scatter: wrong number of inputs, a wrong input dtype.
  std::vector<tg::Tensor> ins(r == 0 ? n + 1 : n, tg::zeros({2}, tg::kFloat));
  auto out = tg::zeros({2}, tg::kFloat);
  EXPECT_ERROR_S(pg->reduce_scatter(out, ins),
                 (prefix("reduce_scatter") +
                  (r == 0 ? tg::str("got ", n + 1, " input tensors; pass one per rank (", n, ")")
                          : rank0_rejected)));
  ins.assign(n, tg::zeros({2}, tg::kFloat));
  if (r == 0) ins[0] = tg::zeros({2}, tg::kDouble);
  EXPECT_ERROR_S(pg->reduce_scatter(out, ins),
                 (prefix("reduce_scatter") +
                  (r == 0 ? "input 0 is Double [2] but the output is Float [2]; every input must "
                            "have the output's dtype and shape"
                          : rank0_rejected)));
  // Undefined.
  EXPECT_ERROR_S(pg->all_reduce(r == 0 ? tg::Tensor() : tg::zeros({2})),
                 (prefix("all_reduce") + (r == 0 ? "the tensor is undefined" : rank0_rejected)));
  pg->barrier();
  // And the group still computes.
  auto ok = tg::ones({2}, tg::kFloat);
  pg->all_reduce(ok);
  expect_equal(ok, tg::full({2}, static_cast<double>(n), tg::kFloat));
}
