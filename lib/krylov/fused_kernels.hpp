#pragma once
// Vector kernels of the CG loop, fused into single passes over memory and threaded with OpenMP for
// long vectors (the library is built with it when available). Plain inner products use
// frechet::dot; these compute more than one. Internal.

#include <cstddef>

#include "core/parallel.hpp"
#include "frechet/core/vector.hpp"

#if defined(_OPENMP)
#define FRECHET_KRYLOV_OMP(directive) _Pragma(directive)
#else
#define FRECHET_KRYLOV_OMP(directive)
#endif

namespace frechet::detail {

/// x += alpha p; r -= alpha q; returns r . r: the CG update and the new residual norm in one pass
/// (four streams read, two written, once), not a dot of vectors already in memory.
inline double update_and_norm2(double alpha, ConstVectorView p, ConstVectorView q, VectorView x,
                               VectorView r) {
  const double* pp = p.data();
  const double* qp = q.data();
  double* xp = x.data();
  double* rp = r.data();
  return deterministic_sum(x.size(), [=](std::size_t begin, std::size_t end) {
    double rr = 0.0;
    FRECHET_KRYLOV_OMP("omp simd reduction(+ : rr)")
    for (std::size_t i = begin; i < end; ++i) {
      xp[i] += alpha * pp[i];
      rp[i] -= alpha * qp[i];
      rr += rp[i] * rp[i];
    }
    return rr;
  });
}

/// p = z + beta p
inline void update_direction(ConstVectorView z, double beta, VectorView p) {
  const auto n = static_cast<std::ptrdiff_t>(p.size());
  const double* zp = z.data();
  double* pp = p.data();
  FRECHET_KRYLOV_OMP("omp parallel for simd schedule(static) num_threads(loop_threads(p.size(), parallel_min_entries))")
  for (std::ptrdiff_t i = 0; i < n; ++i) pp[i] = zp[i] + beta * pp[i];
}

}  // namespace frechet::detail

#undef FRECHET_KRYLOV_OMP
