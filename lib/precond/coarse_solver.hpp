#pragma once
// Internal: the exact solve on AMG's coarsest level, behind one small interface so that the dense
// factorization can be swapped for a sparse one (CHOLMOD) without touching the cycle.

#include <cstddef>
#include <memory>
#include <string>

#include "frechet/core/vector.hpp"
#include "frechet/linop/csr_matrix.hpp"

namespace frechet::detail {

/// x = A_c^-1 b for the coarsest operator A_c. solve must allocate nothing and be safe to call from
/// several threads at once.
class CoarseSolver {
public:
  virtual ~CoarseSolver() = default;
  virtual void solve(ConstVectorView b, VectorView x) const = 0;
  /// Bytes of the factorization.
  virtual std::size_t bytes() const noexcept = 0;
  /// What the hierarchy reports ("dense Cholesky").
  virtual std::string name() const = 0;
};

/// Dense Cholesky (LAPACK dpotrf, through CholeskyFactorization) of the symmetric positive definite
/// `a`: n^2 doubles, and 2 n^2 flops per solve.
/// Throws NumericalError naming the leading minor that is not positive.
std::unique_ptr<const CoarseSolver> dense_cholesky_coarse_solver(const CsrMatrix& a);

}  // namespace frechet::detail
