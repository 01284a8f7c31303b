#pragma once
/// \file
/// Extreme eigenvalues and eigenvectors of a symmetric operator by Lanczos with full
/// reorthogonalisation and thick restarts.
///
/// References: C. Lanczos, "An iteration method for the solution of the eigenvalue problem of linear
/// differential and integral operators", J. Res. Nat. Bur. Standards 45(4), 1950; K. Wu and H. Simon,
/// "Thick-restart Lanczos method for large symmetric eigenvalue problems", SIAM J. Matrix Anal. Appl.
/// 22(2), 2000.

#include <cstdint>
#include <optional>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/krylov/solve_result.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// Which end of the spectrum lanczos looks for.
enum class EigenTarget {
  largest,            ///< algebraically largest, in decreasing order
  smallest,           ///< algebraically smallest, in increasing order
  largest_magnitude,  ///< largest |lambda|, in decreasing |lambda|
};

/// Options of lanczos.
struct LanczosOptions {
  int count = 1;                            ///< number of eigenpairs wanted (1 <= count <= n)
  EigenTarget target = EigenTarget::largest;
  /// Largest basis, m: memory (m + 1) n. 0 means min(n, max(2 count + 10, 20)); otherwise
  /// count < m, or m >= n. A full basis keeps the wanted half of its Ritz vectors and goes on.
  int basis_size = 0;
  /// Stop when every wanted Ritz pair has ||A y - theta y||_2 <= max(rtol ||A||, atol), with ||A||
  /// estimated by the largest |Ritz value|. For symmetric A, |theta - lambda| <= ||A y - theta y||.
  /// At least one of rtol and atol must be > 0 (both finite, >= 0).
  double rtol = 1e-10;
  double atol = 0.0;  ///< absolute floor on the residual norms
  /// Products with A in the Lanczos process (>= 1); unset means max(1000, 30 m).
  std::optional<int> max_iterations{};
  std::uint64_t seed = 0;               ///< seeds the start vector when x0 is empty
  Vector x0{};                          ///< start vector (nonzero); empty means a seeded Gaussian
  /// Called after every step that has at least `count` Ritz pairs, with the largest residual
  /// estimate among the wanted ones.
  Monitor monitor{};
};

/// The eigenpairs found by lanczos: `count` of them, or none if a non-finite product ended the run.
struct LanczosResult {
  Vector eigenvalues;        ///< `count` Ritz values, in the order of the target
  DenseMatrix eigenvectors;  ///< n x count, orthonormal columns, column j for eigenvalues[j]
  Vector residual_norms;     ///< ||A y_j - theta_j y_j||_2, recomputed with `count` more products
  /// Products with A in the Lanczos process (the `count` products of residual_norms not included).
  int operator_products = 0;
  int restarts = 0;          ///< thick restarts performed
  bool converged = false;    ///< reason == Reason::converged
  Reason reason = Reason::max_iterations;
  Vector residual_history;   ///< the values passed to the monitor
};

/// The `count` extreme eigenpairs of symmetric A. Each step orthogonalises A v_j against the whole
/// basis (classical Gram-Schmidt, twice), so no spurious copies of converged eigenvalues appear;
/// when the basis is full it restarts from the wanted Ritz vectors (thick restart). A single start
/// vector sees one direction of each eigenspace, so a repeated eigenvalue is returned once, unless the
/// Krylov subspace becomes invariant (then a fresh random vector extends it). Throws ShapeError for
/// a non-square A or a mismatched x0, ArgumentError for bad options and when A is seen not to be
/// symmetric (v_i^T A v_j != v_j^T A v_i beyond 1e-8 ||A||).
LanczosResult lanczos(const LinearOperator& a, const LanczosOptions& options = {});
/// lanczos(*a, options); throws ArgumentError if `a` is null.
LanczosResult lanczos(const OperatorPtr& a, const LanczosOptions& options = {});

}  // namespace frechet
