// The load table: cnn_step and elementwise on 1 thread and on the suite's thread count while
// 0, 1 and 2 CPU-bound processes (busy loops, at the same priority) compete for the CPUs. The
// question it answers: does asking for more threads ever make a step slower on a busy machine?
// Each figure is the median of kRounds blocks of at least kBlockSeconds of steps; the
// configurations take turns block by block, so that a change in the machine's load hits them
// alike.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bench.h"

namespace bench {
namespace {

constexpr int kRounds = 5;
constexpr double kBlockSeconds = 0.3;

/// `count` child processes that spin until this object goes away.
class Competitors {
 public:
  explicit Competitors(int count) {
    for (int i = 0; i < count; ++i) {
      const pid_t pid = fork();
      if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the benchmark
        volatile unsigned long spin = 0;
        while (true) spin = spin + 1;
      }
      if (pid > 0) pids_.push_back(pid);
    }
  }
  ~Competitors() {
    for (pid_t pid : pids_) kill(pid, SIGKILL);
    for (pid_t pid : pids_) waitpid(pid, nullptr, 0);
  }
  Competitors(const Competitors&) = delete;
  Competitors& operator=(const Competitors&) = delete;

 private:
  std::vector<pid_t> pids_;
};

/// One configuration: a library's step of a workload at a thread count, and its block times.
struct Config {
  std::string workload, library;
  int threads;
  std::function<void(int)> set_threads;
  std::function<void()> step;
  std::vector<double> seconds_per_step;

  void run_block() {
    set_threads(threads);
    step();  // warm: the first step after a switch may build primitives for this thread count
    const auto start = std::chrono::steady_clock::now();
    int steps = 0;
    double elapsed = 0;
    do {
      step();
      ++steps;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < kBlockSeconds || steps < 3);
    seconds_per_step.push_back(elapsed / steps);
  }
  std::optional<double> median() const {
    if (seconds_per_step.empty()) return std::nullopt;
    std::vector<double> v = seconds_per_step;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  }
};

std::string fmt(const std::optional<double>& v, const char* format) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, format, *v);
  return buf;
}

}  // namespace

void print_load_table(int threads, bool have_libtorch) {
  struct Library {
    std::string name;
    std::function<std::function<void()>(const std::string&, int)> make_step;
    std::function<void(int)> set_threads;
  };
  std::vector<Library> libraries = {
      {tensorgrad::kName, tensorgrad::make_step, tensorgrad::set_threads}};
#if BENCH_HAVE_LIBTORCH
  if (have_libtorch)
    libraries.push_back({libtorch::kName, libtorch::make_step, libtorch::set_threads});
#else
  (void)have_libtorch;
#endif
  const std::vector<std::string> workloads = {"cnn_step", "elementwise"};
  const std::vector<int> thread_counts =
      threads > 1 ? std::vector<int>{1, threads} : std::vector<int>{1};

  std::printf(
      "\nUnder load: each step on 1 and %d threads while 0, 1 or 2 busy-loop processes\n"
      "compete for the %ld CPUs; ms per step, medians of %d blocks of >= %.1f s\n",
      threads, sysconf(_SC_NPROCESSORS_ONLN), kRounds, kBlockSeconds);
  std::vector<std::string> header = {"competing", "workload"};
  for (const auto& lib : libraries) {
    for (int t : thread_counts) header.push_back(lib.name + " " + std::to_string(t) + " thr");
    if (thread_counts.size() > 1) header.push_back(lib.name + " " + std::to_string(threads) + "/1");
  }
  header.push_back("target");
  header.push_back("result");
  Table table;
  table.add(header);

  for (int competing : {0, 1, 2}) {
    std::vector<Config> configs;
    for (const auto& w : workloads)
      for (const auto& lib : libraries)
        for (int t : thread_counts)
          if (auto step = lib.make_step(w, t))
            configs.push_back({w, lib.name, t, lib.set_threads, step, {}});
    {
      Competitors load(competing);
      for (int round = 0; round < kRounds; ++round)
        for (auto& c : configs) c.run_block();
    }
    for (const auto& w : workloads) {
      std::vector<std::string> row = {std::to_string(competing), w};
      std::optional<double> tg_ratio;
      for (const auto& lib : libraries) {
        std::vector<std::optional<double>> times;
        for (int t : thread_counts) {
          std::optional<double> m;
          for (const auto& c : configs)
            if (c.workload == w && c.library == lib.name && c.threads == t) m = c.median();
          times.push_back(m);
          row.push_back(fmt(m ? std::optional<double>(*m * 1e3) : std::nullopt, "%.2f"));
        }
        if (times.size() > 1) {
          std::optional<double> ratio;
          if (times[0] && times[1]) ratio = *times[1] / *times[0];
          if (lib.name == tensorgrad::kName) tg_ratio = ratio;
          row.push_back(fmt(ratio, "%.2f"));
        }
      }
      const bool judged = competing > 0 && thread_counts.size() > 1;
      row.push_back(judged ? "tg " + std::to_string(threads) + "/1 <= 1.1" : "(diagnostic)");
      row.push_back(!judged ? "-" : !tg_ratio ? "not run" : *tg_ratio <= 1.1 ? "met" : "MISSED");
      table.add(row);
    }
  }

  std::printf("\n");
  table.print();
}

}  // namespace bench
