// The team policy of Note [Busy machines] (parallel.h).
#include "kernels/parallel.h"

#include <chrono>

namespace tg::kernels {
namespace {

// A join wait counts as a stall when it exceeds both of these: longer than any wake-up of an
// idle thread (tens of microseconds here) and than the tasks a slow thread may still be running.
constexpr int64_t kMinStallNs = 200'000;
constexpr int64_t kStallTasks = 3;
// One stall alone is a hiccup (on an idle 2-core VM, about one a second): the team shrinks at a
// second stall within kConfirmNs, or at the first one soon after a retry.
constexpr int64_t kConfirmNs = 100'000'000;
// How long the team stays shrunk after a stall: kMinHold, doubled for each stall that comes
// within one hold of trying the full team again, up to kMaxHold.
constexpr int64_t kMinHoldNs = 50'000'000;
constexpr int64_t kMaxHoldNs = 2'000'000'000;

// The policy's state, shared by all threads; races between its updates only blur its timing.
std::atomic<int> cap{0};  // the most threads a region may use; 0: no limit
std::atomic<int64_t> hold_ns{kMinHoldNs};
std::atomic<int64_t> cap_until_ns{0};
std::atomic<int64_t> retried_at_ns{-kMaxHoldNs};
std::atomic<int64_t> last_stall_ns{-kMaxHoldNs};

}  // namespace

int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int team_size() {
  if (omp_in_parallel()) return 1;
  const int threads = omp_get_max_threads();
  const int limit = cap.load(std::memory_order_relaxed);
  if (limit == 0 || limit >= threads) return threads;
  const int64_t now = monotonic_ns();
  if (now < cap_until_ns.load(std::memory_order_relaxed)) return limit;
  cap.store(0, std::memory_order_relaxed);  // the hold is over: try the full team again
  retried_at_ns.store(now, std::memory_order_relaxed);
  return threads;
}

void record_region(int team, int64_t busy_ns, int64_t tasks_run, int64_t join_wait_ns) {
  const int64_t task_ns = tasks_run > 0 ? busy_ns / tasks_run : 0;
  if (join_wait_ns <= std::max(kMinStallNs, kStallTasks * task_ns)) return;
  const int64_t now = monotonic_ns();
  const bool confirmed = now - last_stall_ns.exchange(now, std::memory_order_relaxed) < kConfirmNs;
  int64_t hold = hold_ns.load(std::memory_order_relaxed);
  const bool after_retry = now - retried_at_ns.load(std::memory_order_relaxed) < hold;
  if (!confirmed && !after_retry) return;
  hold = after_retry ? std::min(2 * hold, kMaxHoldNs) : kMinHoldNs;
  hold_ns.store(hold, std::memory_order_relaxed);
  cap_until_ns.store(now + hold, std::memory_order_relaxed);
  cap.store(std::max(1, team / 2), std::memory_order_relaxed);
}

}  // namespace tg::kernels
