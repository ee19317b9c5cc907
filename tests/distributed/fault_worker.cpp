// A job for tests/distributed/faults.py: every rank all-reduces in a loop; at step 5, rank 1
// fails as the first argument says (crash: killed by SIGKILL; throw: a tg::Error it reports
// before aborting the job; hang: stops calling collectives; mismatch: passes another shape).
// The second argument is the collectives' timeout in milliseconds.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "tensorgrad/distributed.h"
#include "tensorgrad/error.h"
#include "tensorgrad/tensorgrad.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fault_worker crash|throw|hang|mismatch|none TIMEOUT_MS\n");
    return 2;
  }
  const std::string mode = argv[1];
  auto group =
      tg::distributed::ProcessGroupMPI::create(std::chrono::milliseconds(std::atoi(argv[2])));
  try {
    for (int step = 0; step < 200; ++step) {
      tg::Tensor t = tg::ones({2});
      if (group->rank() == 1 && step == 5) {
        if (mode == "crash") std::raise(SIGKILL);
        if (mode == "throw") TG_CHECK(false, "rank 1 fails on purpose at step ", step);
        if (mode == "hang") std::this_thread::sleep_for(std::chrono::hours(1));
        if (mode == "mismatch") t = tg::ones({3});
      }
      group->all_reduce(t);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fault_worker: rank %d: %s\n", group->rank(), e.what());
    group->abort(3);
  }
  std::printf("fault_worker: rank %d done\n", group->rank());
  return 0;
}
