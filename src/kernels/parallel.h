#pragma once
// Every parallel region of the kernels, and the team size they and oneDNN run with.
//
// Note [Busy machines]
// An OpenMP region ends when its slowest thread does. When other processes keep the CPUs busy,
// a thread of the team is often descheduled for a whole time slice (milliseconds) while the
// others wait for it at the join, and a step made of thousands of short regions runs slower on
// two threads than on one (measured on 2 cores with one CPU-bound competitor: the CNN step 1.2x
// slower on 2 threads than on 1, with two competitors 1.8x). So:
// - A region's work is cut into more tasks than threads and the tasks are taken dynamically: a
//   thread that starts late finds less (or nothing) left to do instead of its fixed share.
// - Each region measures how long the calling thread waited at the join after it ran out of
//   tasks. A wait far longer than a task means a thread of the team was not running. A second
//   such stall within 100 ms (one alone is a hiccup) shrinks the team (halves it) for a hold
//   period, after which the full team is tried again. A stall soon after a retry shrinks it at
//   once and doubles the hold (up to 2 s), so a lasting load costs one stall per hold; a quiet
//   retry resets it.
// - oneDNN reads the OpenMP thread count at each call: its calls that run threads of their own
//   (convolution forward and backward data) run inside OpenMPThreads(team_size()), so they
//   follow the same team size; their stalls are not measured, ours in the same steps are.
// Tasks never share output and their arithmetic does not depend on who runs them, so the team
// size never changes a result.
#ifndef _OPENMP
#error "kernels/parallel.h needs OpenMP: without it its regions would run on one thread"
#endif
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>

namespace tg::kernels {

/// The threads the next region should use: the OpenMP thread count (tg::set_num_threads), or
/// fewer while the machine is measured to be busy (Note [Busy machines]). 1 inside a region.
int team_size();

/// Feeds one region's outcome to the team policy: `team` threads, the calling thread busy for
/// `busy_ns` running `tasks_run` tasks, then waiting `join_wait_ns` for the rest of the team.
void record_region(int team, int64_t busy_ns, int64_t tasks_run, int64_t join_wait_ns);

/// Nanoseconds of a monotonic clock.
int64_t monotonic_ns();

/// Runs f(t) for every t in [0, ntasks) on `team` threads, tasks taken in order as threads come
/// free; an exception thrown by a task is rethrown after the region (the first one, the
/// remaining tasks skipped).
template <class F>
void run_tasks(int team, int64_t ntasks, const F& f) {
  team = static_cast<int>(std::min<int64_t>(team, ntasks));
  if (team <= 1) {
    for (int64_t t = 0; t < ntasks; ++t) f(t);
    return;
  }
  std::atomic<int64_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  int64_t start = monotonic_ns(), caller_done = 0, caller_tasks = 0;
#pragma omp parallel num_threads(team)
  {
    int64_t done = 0;
    for (int64_t t; (t = next.fetch_add(1, std::memory_order_relaxed)) < ntasks; ++done) {
      try {
        f(t);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next.store(ntasks, std::memory_order_relaxed);
      }
    }
    if (omp_get_thread_num() == 0) {
      caller_done = monotonic_ns();
      caller_tasks = done;
    }
  }
  record_region(team, caller_done - start, caller_tasks, monotonic_ns() - caller_done);
  if (error) std::rethrow_exception(error);
}

/// Elements touched (or a comparable count of work) below which a region costs more than it
/// saves.
constexpr int64_t kMinParallelWork = int64_t(1) << 16;

/// Tasks per thread of a region over a range: enough that a late thread leaves little to wait
/// for, few enough that taking one costs nothing next to its work.
constexpr int64_t kTasksPerThread = 4;

/// Runs f(t) for every t in [0, ntasks): on the team when `work` is at least `min_work`, else on
/// the calling thread. Consecutive tasks are grouped into pieces (kTasksPerThread per thread), so
/// that thousands of small tasks cost a few atomic increments, not thousands.
template <class F>
void parallel_tasks(int64_t ntasks, int64_t work, const F& f, int64_t min_work = kMinParallelWork) {
  const int team = ntasks > 1 && work >= min_work ? team_size() : 1;
  const int64_t pieces = std::min<int64_t>(ntasks, kTasksPerThread * team);
  run_tasks(team, pieces, [&](int64_t p) {
    for (int64_t t = ntasks * p / pieces, end = ntasks * (p + 1) / pieces; t < end; ++t) f(t);
  });
}

/// Runs body(begin, end) over consecutive pieces of [0, n): in parallel when every thread gets
/// at least `grain` of it, else as body(0, n).
template <class Body>
void parallel_for(int64_t n, int64_t grain, const Body& body) {
  const int team = n >= 2 * grain ? team_size() : 1;
  if (team <= 1) {
    if (n > 0) body(int64_t(0), n);
    return;
  }
  const int64_t pieces = std::min<int64_t>(n / grain, kTasksPerThread * team);
  run_tasks(team, pieces, [&](int64_t p) { body(n * p / pieces, n * (p + 1) / pieces); });
}

/// Sets the OpenMP thread count for a scope: oneDNN reads it at each call, and plans a
/// primitive's work split for the count it is made with.
class OpenMPThreads {
 public:
  explicit OpenMPThreads(int threads) : saved_(omp_get_max_threads()) {
    if (threads != saved_) omp_set_num_threads(threads);
  }
  ~OpenMPThreads() {
    if (omp_get_max_threads() != saved_) omp_set_num_threads(saved_);
  }
  OpenMPThreads(const OpenMPThreads&) = delete;
  OpenMPThreads& operator=(const OpenMPThreads&) = delete;

 private:
  int saved_;
};

}  // namespace tg::kernels
