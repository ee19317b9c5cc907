// tg::distributed in one process, without mpirun: what does not need several ranks.
#include <gtest/gtest.h>

#include "expect_error.h"
#include "tensorgrad/distributed.h"

namespace dist = tg::distributed;

TEST(Distributed, ReduceOpNames) {
  EXPECT_EQ(dist::to_string(dist::ReduceOp::SUM), "SUM");
  EXPECT_EQ(dist::to_string(dist::ReduceOp::AVG), "AVG");
  EXPECT_EQ(dist::to_string(dist::ReduceOp::MAX), "MAX");
  EXPECT_EQ(dist::to_string(dist::ReduceOp::MIN), "MIN");
}

TEST(Distributed, WithoutMPICreateSaysHowToGetIt) {
  if (dist::mpi_available()) GTEST_SKIP() << "this build has MPI (the mpi-labelled tests use it)";
  EXPECT_ERROR(dist::ProcessGroupMPI::create(),
               "ProcessGroupMPI: tensorgrad was built without MPI; install an MPI implementation "
               "(Debian: libopenmpi-dev) and configure with -DTENSORGRAD_WITH_MPI=ON");
}
