#pragma once
// Random probes and running sample moments for the stochastic estimators. Internal.

#include <string>

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

/// Mean and unbiased sample variance, updated one sample at a time (Welford 1962), so that no
/// cancellation occurs when the variance is small next to the mean.
class RunningMoments {
public:
  void add(double x) {
    ++count_;
    const double delta = x - mean_;
    mean_ += delta / count_;
    m2_ += delta * (x - mean_);
  }
  int count() const { return count_; }
  double mean() const { return mean_; }
  double variance() const { return count_ > 1 ? m2_ / (count_ - 1) : 0.0; }

private:
  int count_ = 0;
  double mean_ = 0.0, m2_ = 0.0;
};

}  // namespace frechet::detail
