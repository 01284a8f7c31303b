#pragma once
// What every benchmark app shares: one clock, one median, the timing loops (calibrated batches for
// short calls, repeated or interleaved single calls for long ones), a sink that keeps results alive,
// the JSON report, and thread control.

#include <nlohmann/json.hpp>

#include "frechet/core/threads.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <utility>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef FRECHET_EIGEN_PEER
#include <Eigen/Core>
#endif

namespace frechet::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}
/// Seconds from a to b.
inline double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

/// The median of samples (the upper of the middle two for an even count).
inline double median(std::vector<double> samples) {
  const auto middle = samples.begin() + static_cast<std::ptrdiff_t>(samples.size() / 2);
  std::nth_element(samples.begin(), middle, samples.end());
  return *middle;
}

/// Where keep() writes: a volatile store the compiler must perform.
inline volatile double kept_value = 0.0;
/// Keeps a computed value observable, so that the compiler cannot drop the work that made it.
inline void keep(double value) { kept_value = value; }

/// The median over several samples of the time of one call of f; each sample times a batch of calls
/// long enough for the clock, and the number of samples (7 to 50) fills about `budget` seconds.
/// These machines are noisy: the median, not the mean or the minimum, is what we report.
template <class F>
double median_seconds(F&& f, double budget) {
  f();  // warm caches, pages and the thread team
  auto t0 = Clock::now();
  f();
  const double once = std::max(seconds_since(t0), 1e-7);
  const int batch = std::max(1, static_cast<int>(2e-3 / once));
  const int reps = std::clamp(static_cast<int>(budget / (once * batch)), 7, 50);
  std::vector<double> samples;
  for (int r = 0; r < reps; ++r) {
    t0 = Clock::now();
    for (int b = 0; b < batch; ++b) f();
    samples.push_back(seconds_since(t0) / batch);
  }
  return median(std::move(samples));
}

/// The median time of `repeats` single calls of f after one warm-up call (first touch of memory,
/// tape capacity): for calls long enough for the clock, a millisecond and up.
template <class F>
double median_of_calls(F&& f, int repeats) {
  f();
  std::vector<double> samples;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    f();
    samples.push_back(seconds_since(t0));
  }
  return median(std::move(samples));
}

/// The median times of several calls timed in turn, `repeats` rounds of one call each, so that a slow
/// spell of the (shared) machine hits all of them alike; one warm-up round first.
inline std::vector<double> interleaved_medians(const std::vector<std::function<void()>>& calls, int repeats) {
  for (const auto& call : calls) call();
  std::vector<std::vector<double>> samples(calls.size());
  for (int r = 0; r < repeats; ++r) {
    for (std::size_t k = 0; k < calls.size(); ++k) {
      const auto t0 = Clock::now();
      calls[k]();
      samples[k].push_back(seconds_since(t0));
    }
  }
  std::vector<double> medians;
  for (auto& v : samples) medians.push_back(median(std::move(v)));
  return medians;
}

/// The object every benchmark prints with --json, {"benchmark": name, "cases": []}; each case is
/// pushed onto "cases" with its figures and its "ratio_<what>" entries.
inline nlohmann::json json_report(const char* name) {
  return nlohmann::json{{"benchmark", name}, {"cases", nlohmann::json::array()}};
}
/// Prints a report on standard output, indented.
inline void print_json(const nlohmann::json& report) { std::cout << report.dump(2) << '\n'; }

/// Runs frechet's parallel loops on exactly this many threads, whatever the machine's load (and
/// Eigen's, when it is compared).
inline void set_threads([[maybe_unused]] int threads) {
  frechet::set_thread_options({.max_threads = threads, .yield_to_load = false});
#ifdef FRECHET_EIGEN_PEER
  Eigen::setNbThreads(threads);
#endif
}

/// The cores OpenMP may use (1 without OpenMP).
inline int all_cores() {
#ifdef _OPENMP
  return omp_get_num_procs();
#else
  return 1;
#endif
}

}  // namespace frechet::bench
