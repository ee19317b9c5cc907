// tg::data::DistributedSampler against PyTorch 1.13's torch.utils.data.DistributedSampler
// (shuffle=False lists below were printed by it; the shuffled permutation is tensorgrad's own).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <vector>

#include "expect_error.h"
#include "tensorgrad/data/distributed_sampler.h"
#include "tensorgrad/tensorgrad.h"

using tg::data::DistributedSampler;
using List = std::vector<size_t>;

namespace {
std::vector<List> shares(size_t n, size_t replicas, bool drop_last) {
  std::vector<List> out;
  for (size_t r = 0; r < replicas; ++r)
    out.push_back(DistributedSampler(n, replicas, r, false, 0, drop_last).indices());
  return out;
}
}  // namespace

TEST(DistributedSampler, UnshuffledSharesAreTorchs) {
  // From: list(DistributedSampler(range(n), R, r, shuffle=False, drop_last=dl)).
  EXPECT_EQ(shares(10, 3, false), (std::vector<List>{{0, 3, 6, 9}, {1, 4, 7, 0}, {2, 5, 8, 1}}));
  EXPECT_EQ(shares(10, 3, true), (std::vector<List>{{0, 3, 6}, {1, 4, 7}, {2, 5, 8}}));
  EXPECT_EQ(shares(2, 3, false), (std::vector<List>{{0}, {1}, {0}}));
  EXPECT_EQ(shares(2, 3, true), (std::vector<List>{{}, {}, {}}));
  EXPECT_EQ(shares(11, 4, false), (std::vector<List>{{0, 4, 8}, {1, 5, 9}, {2, 6, 10}, {3, 7, 0}}));
  EXPECT_EQ(shares(1, 4, false), (std::vector<List>{{0}, {0}, {0}, {0}}));
  EXPECT_EQ(shares(12, 4, true), (std::vector<List>{{0, 4, 8}, {1, 5, 9}, {2, 6, 10}, {3, 7, 11}}));
  // len(sampler)
  EXPECT_EQ(DistributedSampler(10, 3, 0, false, 0, false).num_samples(), 4u);
  EXPECT_EQ(DistributedSampler(10, 3, 0, false, 0, true).num_samples(), 3u);
  EXPECT_EQ(DistributedSampler(2, 3, 0, false, 0, true).num_samples(), 0u);
  EXPECT_EQ(DistributedSampler(10, 3, 0).total_size(), 12u);
}

TEST(DistributedSampler, ShuffleIsAPermutationFixedBySeedAndEpoch) {
  const size_t n = 50, replicas = 4;
  auto all_of = [&](uint64_t seed, size_t epoch) {
    std::vector<List> out;
    for (size_t r = 0; r < replicas; ++r) {
      DistributedSampler s(n, replicas, r, true, seed, true);
      s.set_epoch(epoch);
      out.push_back(s.indices());
    }
    return out;
  };
  auto e0 = all_of(7, 0);
  // drop_last: 48 distinct indices between the ranks.
  std::set<size_t> seen;
  for (const auto& share : e0) {
    EXPECT_EQ(share.size(), 12u);
    seen.insert(share.begin(), share.end());
  }
  EXPECT_EQ(seen.size(), 48u);
  EXPECT_EQ(all_of(7, 0), e0);  // the same on every rank and every call
  EXPECT_NE(all_of(7, 1), e0);  // another epoch, another order
  EXPECT_NE(all_of(8, 0), e0);  // another seed, another order
  List unshuffled = DistributedSampler(n, replicas, 0, false, 7, true).indices();
  EXPECT_NE(e0[0], unshuffled);
}

TEST(DistributedSampler, BatchesEpochsAndState) {
  DistributedSampler s(10, 3, 1, true, 3);
  s.set_epoch(2);
  s.reset();  // set_epoch takes effect at reset
  const List share = s.indices();
  List got;
  while (auto batch = s.next(3)) got.insert(got.end(), batch->begin(), batch->end());
  EXPECT_EQ(got, share);
  EXPECT_EQ(got.size(), 4u);

  s.reset();
  s.next(3);
  tg::serialize::OutputArchive out;
  s.save(out);
  std::stringstream stream;
  out.save_to(stream);
  DistributedSampler restored(10, 3, 1, true, 3);
  tg::serialize::InputArchive in;
  in.load_from(stream);
  restored.load(in);
  EXPECT_EQ(restored.epoch(), 2u);
  EXPECT_EQ(*restored.next(10), List(share.begin() + 3, share.end()));

  // A new dataset size.
  s.reset(4);
  EXPECT_EQ(s.num_samples(), 2u);
}

TEST(DistributedSampler, Errors) {
  EXPECT_ERROR(DistributedSampler(3, 2, 2),
               "DistributedSampler: Invalid rank 2, rank should be in the interval [0, 1]");
  EXPECT_ERROR(DistributedSampler(3, 0, 0),
               "DistributedSampler: num_replicas must be at least 1 (got 0)");
  DistributedSampler s(10, 3, 0);
  tg::serialize::OutputArchive out;
  out.write("epoch", tg::scalar_tensor(int64_t{1}, tg::kLong));
  out.write("index", tg::scalar_tensor(int64_t{9}, tg::kLong));
  std::stringstream stream;
  out.save_to(stream);
  tg::serialize::InputArchive in;
  in.load_from(stream);
  EXPECT_ERROR(s.load(in),
               "DistributedSampler::load: the position 9 lies past this rank's 4 "
               "indices");
  tg::serialize::OutputArchive bad;
  bad.write("epoch", tg::ones({2}));
  std::stringstream bad_stream;
  bad.save_to(bad_stream);
  tg::serialize::InputArchive bad_in;
  bad_in.load_from(bad_stream);
  EXPECT_ERROR(s.load(bad_in),
               "DistributedSampler::load: 'epoch' must be one kLong value (got 2 values of Float)");
}
