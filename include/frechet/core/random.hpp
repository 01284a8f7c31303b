#pragma once
/// \file
/// An explicitly seeded random source. The same seed gives the same numbers on every platform: the
/// generator (xoshiro256**, Blackman & Vigna 2018) and the Gaussian transform (Marsaglia's polar
/// method) are implemented here rather than taken from <random>, whose distributions differ between
/// standard libraries.

#include <cstdint>

#include "frechet/core/vector.hpp"

namespace frechet {

/// A seeded pseudo-random source with uniform, Gaussian and Rademacher draws. Not thread-safe:
/// give each thread its own, seeded differently.
class Random {
public:
  /// Seeds the state by splitmix64 from `seed`; every seed, 0 included, is valid.
  explicit Random(std::uint64_t seed);

  /// 64 uniformly distributed bits.
  std::uint64_t next_u64();
  /// Advances the generator as `count` calls of next_u64 would, in O(log count) work for large
  /// counts (the jump polynomial x^count modulo the characteristic polynomial of xoshiro256's linear
  /// transition: Haramoto, Matsumoto, Nishimura, Panneton, L'Ecuyer, "Efficient jump ahead for
  /// F2-linear random number generators", INFORMS J. Comput. 20(3), 2008). A Gaussian draw held
  /// over from the polar method's pair is kept.
  void discard(std::uint64_t count);
  /// Uniform on [0, 1), with 53 random bits.
  double uniform();
  /// Standard normal N(0, 1).
  double gaussian();
  /// +1 or -1 with probability 1/2 each.
  double rademacher();

  /// Fills x with independent N(0, 1) draws.
  void fill_gaussian(VectorView x);
  /// Fills x with independent Rademacher (+-1) draws.
  void fill_rademacher(VectorView x);
  /// Fills x with independent uniform draws on [lo, hi).
  void fill_uniform(VectorView x, double lo = 0.0, double hi = 1.0);

  /// A new vector of n independent N(0, 1) draws.
  Vector gaussian_vector(std::size_t n);
  /// A new vector of n independent Rademacher draws.
  Vector rademacher_vector(std::size_t n);

private:
  std::uint64_t s_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace frechet
