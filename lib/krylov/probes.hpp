#pragma once
// Random probes and running sample moments for the stochastic estimators. Internal.

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "frechet/krylov/trace_result.hpp"

namespace frechet::detail {

/// Fills z with independent entries of the distribution.
inline void fill_probe(Random& rng, ProbeDistribution distribution, VectorView z) {
  if (distribution == ProbeDistribution::rademacher) {
    rng.fill_rademacher(z);
  } else {
    rng.fill_gaussian(z);
  }
}

/// Throws ArgumentError "<function>: options.<field>: expected >= <least>, got <value>".
inline void check_at_least(const char* function, const char* field, int value, int least) {
  if (value < least) {
    throw ArgumentError(std::string(function) + ": options." + field + ": expected >= " +
                        std::to_string(least) + ", got " + std::to_string(value));
  }
}

/// The per-probe samples of an estimator, with their mean and unbiased sample variance updated one
/// sample at a time (Welford 1962), so that no cancellation occurs when the variance is small next to
/// the mean.
class RunningMoments {
public:
  explicit RunningMoments(int expected_samples) { samples_.reserve(static_cast<std::size_t>(expected_samples)); }
  void add(double x) {
    samples_.push_back(x);
    ++count_;
    const double delta = x - mean_;
    mean_ += delta / count_;
    m2_ += delta * (x - mean_);
  }
  int count() const { return count_; }
  double mean() const { return mean_; }
  /// NaN for fewer than two samples: one sample says nothing about the spread.
  double variance() const { return count_ > 1 ? m2_ / (count_ - 1) : std::numeric_limits<double>::quiet_NaN(); }
  /// Moves the samples into `result` with their variance and the standard error of their mean.
  void finish(TraceResult& result) {
    result.variance = variance();
    result.probes = count_;
    result.standard_error = std::sqrt(result.variance / count_);
    result.samples = std::move(samples_);
  }

private:
  Vector samples_;
  int count_ = 0;
  double mean_ = 0.0, m2_ = 0.0;
};

}  // namespace frechet::detail
