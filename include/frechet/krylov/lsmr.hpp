#pragma once
/// \file
/// LSMR for least-squares problems min ||A x - b||_2^2 + lambda^2 ||x||_2^2 with any m x n A.
///
/// Reference: D. C.-L. Fong and M. A. Saunders, "LSMR: An iterative algorithm for sparse
/// least-squares problems", SIAM J. Sci. Comput. 33(5), 2011.

#include "frechet/krylov/solver_options.hpp"

namespace frechet {

/// Solves min ||A x - b||_2^2 + lambda^2 ||x||_2^2 by Golub-Kahan bidiagonalisation, minimising
/// ||A^T r - lambda^2 x||_2 over the Krylov subspace (MINRES on the normal equations), so the
/// normal-equation residual decreases monotonically and the method can stop earlier than LSQR when
/// that residual is the test. residual_norm and normal_residual_norm are recomputed from x. Bad input
/// throws as lsqr does. Options and stopping rule as for lsqr (lsqr.hpp).
SolveResult lsmr(const LinearOperator& a, ConstVectorView b, const SolverOptions& options = {});
/// lsmr(*a, b, options); throws ArgumentError if `a` is null.
SolveResult lsmr(const OperatorPtr& a, ConstVectorView b, const SolverOptions& options = {});

}  // namespace frechet
