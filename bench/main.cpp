// tensorgrad's benchmark suite: every workload for tensorgrad and, when the build found libtorch,
// for libtorch in the same process, plus the machine's limits; then the peak resident memory of
// mlp_step for each library, each in a process of its own; then one table with the medians; then
// the load table (load.cpp).
//
//   tensorgrad_bench [--no_rss] [--no_load] [--threads=N] [--python_results=FILE]
//                    [Google Benchmark flags]
//
// --python_results takes the JSON that bench/python_bench.py --json writes (PyTorch from Python,
// measured in a process of its own) and adds its figures to the table as a column.
//
// Defaults (each can be overridden on the command line): 5 repetitions, repetitions of all
// benchmarks interleaved in random order (so that load from other processes hits every library
// alike), 0.2 s minimum per repetition, aggregates only on the console. scripts/bench.sh builds
// and runs this; docs/benchmarks.md describes the workloads and the table.
#include <benchmark/benchmark.h>
#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench.h"

namespace {

// Threads for tensorgrad and for libtorch's main figures (the targets are at 2); libtorch also
// runs at 1 thread ("libtorch_1t") unless this is 1.
int g_threads = 2;

// Median seconds per iteration of each benchmark ("workload/label"), or its error.
struct Result {
  double seconds = NAN;
  std::string error;
};
std::map<std::string, Result> g_results;

// PyTorch from Python (--python_results): its figures are kept in g_results under this label.
const char* const kPythonLabel = "pytorch_python";
std::string g_python_library;  // as the file names it; empty without --python_results
int g_python_threads = 0;

// The console output as usual, and the medians (or the single runs, without repetitions) kept.
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  // Plain lines (counters inline): with interleaved repetitions, the tabular layout would
  // repeat its header whenever consecutive benchmarks have different counters.
  CollectingReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Color : OO_None) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      const std::string name = run.run_name.function_name;
      if (run.error_occurred) {
        g_results[name].error = run.error_message;
      } else if (single || median) {
        g_results[name].seconds =
            run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

std::optional<double> seconds(const std::string& workload, const std::string& label) {
  auto it = g_results.find(workload + "/" + label);
  if (it == g_results.end() || !it->second.error.empty() || std::isnan(it->second.seconds))
    return std::nullopt;
  return it->second.seconds;
}

std::string num(double v) {
  char buf[32];
  const double a = std::fabs(v);
  if (a >= 100)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (a >= 10)
    std::snprintf(buf, sizeof buf, "%.1f", v);
  else if (a >= 1)
    std::snprintf(buf, sizeof buf, "%.2f", v);
  else
    std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}
std::string num(const std::optional<double>& v) { return v ? num(*v) : "-"; }

std::string first_line_of(const char* path, const char* key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (key == nullptr || line.rfind(key, 0) == 0) {
      auto colon = line.find(':');
      return key && colon != std::string::npos
                 ? line.substr(line.find_first_not_of(" \t", colon + 1))
                 : line;
    }
  return "?";
}

std::string load_average() {
  std::string s = first_line_of("/proc/loadavg", nullptr);
  // "0.52 0.58 0.59 1/467 12345": the three averages
  size_t cut = 0;
  for (int i = 0; i < 3 && cut != std::string::npos; ++i) cut = s.find(' ', cut + 1);
  return s.substr(0, cut);
}

// The BLAS libraries loaded in this process (libtorch's matmul goes through one; which one
// changes its figures several times over: Debian's reference libblas is far slower than OpenBLAS).
std::string loaded_blas() {
  std::string found;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        const std::string name = info->dlpi_name ? info->dlpi_name : "";
        if (name.find("blas") != std::string::npos) {
          char real[PATH_MAX];
          auto* out = static_cast<std::string*>(data);
          *out += (out->empty() ? "" : ", ") +
                  std::string(realpath(name.c_str(), real) ? real : name.c_str());
        }
        return 0;
      },
      &found);
  if (found.empty()) return "none";
  // OpenBLAS picks its kernels at load time (OPENBLAS_CORETYPE overrides the choice).
  using CoreName = const char* (*)();
  if (auto core = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename")))
    found += std::string(" (OpenBLAS kernels: ") + core() + ")";
  return found;
}

// Reads bench/python_bench.py's --json output into g_results; false, with a message, if it can't.
bool load_python_results(const char* path) {
  try {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open the file");
    const nlohmann::json j = nlohmann::json::parse(in);
    for (const auto& [workload, seconds] : j.at("seconds_per_iteration").items())
      g_results[workload + "/" + kPythonLabel].seconds = seconds.get<double>();
    g_python_library = j.at("library").get<std::string>();
    g_python_threads = j.at("threads").get<int>();
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "--python_results=%s: %s\n", path, e.what());
    return false;
  }
}

// Runs ./bench_peak_rss_<library> next to this executable; returns its peak RSS in MiB.
std::optional<double> peak_rss_mib(const std::string& library, std::string* note) {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return std::nullopt;
  self[n] = '\0';
  std::string dir(self);
  dir.resize(dir.rfind('/'));
  const std::string exe = dir + "/bench_peak_rss_" + library;
  if (access(exe.c_str(), X_OK) != 0) return std::nullopt;
  FILE* pipe = popen((exe + " " + std::to_string(g_threads) + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  char line[512];
  long start_kib = -1, peak_kib = -1;
  std::string output;
  while (std::fgets(line, sizeof line, pipe)) {
    output += line;
    std::sscanf(line, "start_kib=%ld peak_kib=%ld", &start_kib, &peak_kib);
  }
  const int status = pclose(pipe);
  if (status != 0 || peak_kib < 0) {
    *note = library + ": " + output;
    return std::nullopt;
  }
  *note = library + " " + num(start_kib / 1024.0) + " MiB after loading, " +
          num(peak_kib / 1024.0) + " MiB peak";
  return peak_kib / 1024.0;
}

const char* verdict(bool met) { return met ? "met" : "MISSED"; }

void print_table(bool have_libtorch, bool run_rss) {
  const std::string tg = bench::tensorgrad::kName;
  const std::string lt = have_libtorch ? bench::libtorch::kName : "libtorch";
  const std::string lt1 = lt + "_1t";

  bench::Table table;
  // With Python results, their two cells go after "tg/libtorch".
  auto add_row = [&](std::vector<std::string> cells, const std::vector<std::string>& python) {
    if (!g_python_library.empty()) cells.insert(cells.begin() + 6, python.begin(), python.end());
    table.add(std::move(cells));
  };
  // PyTorch from Python's figure for workload w in the row's unit, and tensorgrad's time over it.
  auto python_cells = [&](const std::string& w, double scale) -> std::vector<std::string> {
    auto t = seconds(w, tg), p = seconds(w, kPythonLabel);
    return {p ? num(*p * scale) : "-", t && p ? num(*t / *p) : "-"};
  };
  add_row({"workload", "unit", "tensorgrad", "libtorch", "libtorch 1 thr", "tg/libtorch",
           "machine limit", "target", "result"},
          {"PyTorch Python", "tg/PyTorch Python"});

  // Ratio cell: time ratio against libtorch at 2 threads, and against its better figure when
  // 1 thread was faster.
  auto ratio_cell = [&](const std::string& w) -> std::string {
    auto t = seconds(w, tg), l2 = seconds(w, lt), l1 = seconds(w, lt1);
    if (!t || !l2) return "-";
    std::string cell = num(*t / *l2);
    if (l1 && *l1 < *l2) cell += " (vs 1 thr: " + num(*t / *l1) + ")";
    return cell;
  };
  auto ratio_result = [&](const std::string& w, double target) -> std::string {
    auto t = seconds(w, tg), l2 = seconds(w, lt);
    if (!t) return g_results.count(w + "/" + tg) ? "error" : "not run";
    if (!l2) return "no libtorch";
    return verdict(*t / *l2 <= target);
  };
  auto row = [&](const std::string& w, const std::string& unit, double scale, double target,
                 const std::string& target_text) {
    auto v = [&](const std::string& label) -> std::optional<double> {
      auto s = seconds(w, label);
      return s ? std::optional<double>(*s * scale) : std::nullopt;
    };
    add_row({w, unit, num(v(tg)), num(v(lt)), num(v(lt1)), ratio_cell(w), "-", target_text,
             ratio_result(w, target)},
            python_cells(w, scale));
  };

  row("scalar_chain", "us/op", 1e6 / bench::kChainOps, 0.1, "<= 0.1");
  row("scalar_chain_nograd", "us/op", 1e6 / bench::kChainOps, 0.2, "<= 0.2");
  row("tutorial", "us", 1e6, 0.1, "<= 0.1");
  row("tiny_mlp", "us/step", 1e6, 0.2, "<= 0.2");

  {  // elementwise: against libtorch and against the copy-bandwidth bound
    const std::string w = "elementwise";
    auto copy = seconds("limit_copy", "machine");
    // The copy moves 2 arrays (read + write); the workload must move kElementwisePasses.
    std::optional<double> bound;
    if (copy) bound = *copy * bench::kElementwisePasses / 2;
    auto t = seconds(w, tg), l2 = seconds(w, lt), l1 = seconds(w, lt1);
    std::string limit = "-", result = ratio_result(w, 0.3);
    if (bound) {
      limit = num(*bound * 1e3) + " ms bound";
      if (t) {
        limit += " (tg " + num(*t / *bound) + "x)";
        const bool met = *t <= 1.5 * *bound && (!l2 || *t / *l2 <= 0.3);
        result = l2 ? verdict(met) : std::string(verdict(*t <= 1.5 * *bound)) + " (bound only)";
      }
    }
    auto ms = [](const std::optional<double>& s) {
      return s ? std::optional<double>(*s * 1e3) : std::nullopt;
    };
    add_row({w, "ms", num(ms(t)), num(ms(l2)), num(ms(l1)), ratio_cell(w), limit,
             "<= 0.3, <= 1.5x bound", result},
            python_cells(w, 1e3));
    // The same bound from a copy whose buffers are not in cache (see machine_limits.cpp).
    if (auto uncached = seconds("limit_copy_uncached", "machine"); uncached && t) {
      const double memory_bound = *uncached * bench::kElementwisePasses / 2;
      add_row({"elementwise vs memory", "ms", num(ms(t)), "-", "-", "-",
               num(memory_bound * 1e3) + " ms bound (tg " + num(*t / memory_bound) + "x)",
               "(diagnostic)", "-"},
              {"-", "-"});
    }
  }

  {  // matmul: GFLOP/s against raw sgemm
    auto sgemm = seconds("limit_sgemm", "machine");
    const double n3 = double(bench::kMatmulN) * bench::kMatmulN * bench::kMatmulN;
    const std::optional<double> sgemm_rate =
        sgemm ? std::optional<double>(2 * n3 / *sgemm * 1e-9) : std::nullopt;
    for (const auto& [w, gemms] : {std::pair<std::string, int>{"matmul", 3}, {"matmul_fwd", 1}}) {
      auto rate = [&, gemms = gemms, w = w](const std::string& label) -> std::optional<double> {
        auto s = seconds(w, label);
        return s ? std::optional<double>(gemms * 2 * n3 / *s * 1e-9) : std::nullopt;
      };
      auto t = rate(tg);
      std::string limit = "-", result = t ? "-" : "not run";
      if (sgemm_rate) {
        limit = "sgemm " + num(*sgemm_rate) + " GFLOP/s";
        if (t) limit += " (tg " + num(*t / *sgemm_rate) + ")";
        if (t && w == "matmul") result = verdict(*t >= 0.85 * *sgemm_rate);
      }
      add_row({w, "GFLOP/s", num(t), num(rate(lt)), num(rate(lt1)), ratio_cell(w), limit,
               w == "matmul" ? ">= 0.85 of sgemm" : "(diagnostic)", result},
              {"-", "-"});
    }
  }

  row("mlp_step", "ms", 1e3, 0.5, "<= 0.5");
  row("cnn_step", "ms", 1e3, 0.5, "<= 0.5");
  row("hvp", "us", 1e6, 0.5, "<= 0.5");

  std::vector<std::string> notes;
  if (run_rss) {  // peak resident memory of mlp_step, one process per library
    std::string tg_note, lt_note;
    auto t = bench::tensorgrad::has_nn() ? peak_rss_mib(tg, &tg_note) : std::nullopt;
    auto l = have_libtorch ? peak_rss_mib(lt, &lt_note) : std::nullopt;
    std::string ratio = t && l ? num(*t / *l) : "-";
    std::string result = !t ? "not run" : !l ? "no libtorch" : verdict(*t <= *l);
    add_row({"mlp_step peak RSS", "MiB", num(t), num(l), "-", ratio, "-", "<= 1.0", result},
            {"-", "-"});
    for (const auto* note : {&tg_note, &lt_note})
      if (!note->empty())
        notes.push_back("peak RSS (" + std::to_string(bench::kRssSteps) +
                        " steps, own process): " + *note);
  }

  std::printf("\n");
  table.print();
  std::printf("\n");
  if (auto copy = seconds("limit_copy", "machine"))
    std::printf("copy bandwidth: %s GB/s (memcpy of 2 x %ld MiB, %d threads)\n",
                num(2.0 * bench::kElementwiseNumel * sizeof(float) / *copy * 1e-9).c_str(),
                bench::kElementwiseNumel * long(sizeof(float)) >> 20, g_threads);
  if (auto copy = seconds("limit_copy_uncached", "machine"))
    std::printf(
        "copy bandwidth, buffers not in cache: %s GB/s (the same copy, rotating over "
        "16 buffers)\n",
        num(2.0 * bench::kElementwiseNumel * sizeof(float) / *copy * 1e-9).c_str());
  for (const auto& note : notes) std::printf("%s\n", note.c_str());
  for (const auto& [name, result] : g_results)
    if (!result.error.empty()) std::printf("error in %s: %s\n", name.c_str(), result.error.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  // Defaults first, so that flags given on the command line (which come later) override them.
  std::vector<char*> args = {argv[0]};
  std::vector<std::string> defaults = {"--benchmark_repetitions=5", "--benchmark_min_time=0.2",
                                       "--benchmark_display_aggregates_only=true",
                                       "--benchmark_enable_random_interleaving=true"};
  for (auto& d : defaults) args.push_back(d.data());
  bool run_rss = true, run_load = true;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--no_rss") == 0)
      run_rss = false;
    else if (std::strcmp(argv[i], "--no_load") == 0)
      run_load = false;
    else if (std::strncmp(argv[i], "--threads=", 10) == 0 && std::atoi(argv[i] + 10) > 0)
      g_threads = std::atoi(argv[i] + 10);
    else if (std::strncmp(argv[i], "--python_results=", 17) == 0) {
      if (!load_python_results(argv[i] + 17)) return 1;
    } else
      args.push_back(argv[i]);
  }
  int args_count = static_cast<int>(args.size());
  benchmark::Initialize(&args_count, args.data());
  if (benchmark::ReportUnrecognizedArguments(args_count, args.data())) return 1;

#if BENCH_HAVE_LIBTORCH
  const bool have_libtorch = true;
#else
  const bool have_libtorch = false;
#endif
  bench::register_machine_limits(g_threads);
  bench::tensorgrad::register_workloads(bench::tensorgrad::kName, g_threads);
  if (have_libtorch) {
    bench::libtorch::register_workloads(bench::libtorch::kName, g_threads);
    if (g_threads != 1)
      bench::libtorch::register_workloads(std::string(bench::libtorch::kName) + "_1t", 1);
  }

  const std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", std::localtime(&now));
  const std::string load_before = load_average();
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::printf("\n%s; %s; %ld logical CPUs; %d threads%s\n", date,
              first_line_of("/proc/cpuinfo", "model name").c_str(), sysconf(_SC_NPROCESSORS_ONLN),
              g_threads, g_threads != 1 ? " (libtorch also at 1: \"1 thr\")" : "");
  std::printf("load average before: %s, after: %s\n", load_before.c_str(), load_average().c_str());
  if (have_libtorch)
    std::printf("BLAS loaded (libtorch's matmul uses it): %s\n", loaded_blas().c_str());
  else
    std::printf("libtorch was not found at build time: tensorgrad only\n");
  if (!bench::tensorgrad::has_nn())
    std::printf(
        "tensorgrad's nn/optim headers were absent at build time: no tiny_mlp, "
        "mlp_step, cnn_step\n");
  if (!g_python_library.empty())
    std::printf(
        "PyTorch Python: %s at %d threads, in a process of its own%s\n", g_python_library.c_str(),
        g_python_threads,
        g_python_threads != g_threads ? " (NOT the thread count of the other figures)" : "");
  std::printf("medians; tg/libtorch is the ratio of times (below 1: tensorgrad is faster)\n");
  print_table(have_libtorch, run_rss);
  if (run_load) bench::print_load_table(g_threads, have_libtorch);
  return 0;
}
