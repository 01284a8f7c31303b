#pragma once
/// \file
/// The umbrella header: every public header of frechet, layer by layer.

// Layer 0: core
#include "frechet/core/blas1.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "frechet/core/threads.hpp"
#include "frechet/core/vector.hpp"

// Layer 1: differentiation rules
#include "frechet/ad/ad.hpp"
#include "frechet/ad/finite_differences.hpp"

// Layer 2: linear operators
#include "frechet/linop/combinators.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/implicit_operators.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/linear_operator.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "frechet/linop/operators.hpp"

// Layer 3: Krylov solvers, eigensolvers and stochastic estimators
#include "frechet/krylov/bicgstab.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/krylov/gmres.hpp"
#include "frechet/krylov/hutchinson.hpp"
#include "frechet/krylov/hutchpp.hpp"
#include "frechet/krylov/lanczos.hpp"
#include "frechet/krylov/solver_options.hpp"
#include "frechet/krylov/lsmr.hpp"
#include "frechet/krylov/lsqr.hpp"
#include "frechet/krylov/minres.hpp"
#include "frechet/krylov/power_iteration.hpp"
#include "frechet/krylov/solve_result.hpp"
#include "frechet/krylov/stochastic_lanczos_quadrature.hpp"
#include "frechet/krylov/trace_result.hpp"

// Layer 4: preconditioners and sparse direct solvers
#include "frechet/precond/amg.hpp"
#include "frechet/precond/block_jacobi.hpp"
#include "frechet/precond/chebyshev.hpp"
#include "frechet/precond/incomplete_cholesky.hpp"
#include "frechet/precond/incomplete_lu.hpp"
#include "frechet/precond/jacobi.hpp"
#include "frechet/precond/kfac.hpp"
#include "frechet/precond/nystrom.hpp"
#include "frechet/precond/shift_invert.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "frechet/precond/sparse_lu.hpp"
#include "frechet/precond/sparse_qr.hpp"
#include "frechet/precond/ssor.hpp"

// Layer 5: implicit functions
#include "frechet/implicit/argmin_sensitivity.hpp"
#include "frechet/implicit/coloring.hpp"
#include "frechet/implicit/implicit_function.hpp"
#include "frechet/implicit/root_find.hpp"
#include "frechet/implicit/scalar_root.hpp"
#include "frechet/implicit/sparse_solve.hpp"

// Layer 6: optimisation
#include "frechet/optim/adam.hpp"
#include "frechet/optim/bfgs.hpp"
#include "frechet/optim/gradient_descent.hpp"
#include "frechet/optim/least_squares.hpp"
#include "frechet/optim/line_search.hpp"
#include "frechet/optim/newton.hpp"
#include "frechet/optim/objective.hpp"
#include "frechet/optim/optimize_options.hpp"
