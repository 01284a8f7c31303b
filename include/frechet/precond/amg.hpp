#pragma once
/// \file
/// Smoothed-aggregation algebraic multigrid (AMG) as a V-cycle preconditioner for the conjugate
/// gradient method on sparse symmetric positive definite matrices.
///
/// Setup, level by level, from A_0 = A (P. Vanek, J. Mandel, M. Brezina, "Algebraic multigrid by
/// smoothed aggregation for second and fourth order elliptic problems", Computing 56(3), 1996):
///  - strength of connection: j is strongly connected to i when |a_ij| >= theta_l sqrt(a_ii a_jj),
///    theta_l = theta 2^-l on level l;
///  - aggregation of the strong graph in the three greedy phases of the paper (whole neighbourhoods
///    of untouched nodes; leftovers join a neighbouring aggregate; what remains forms new aggregates
///    from its neighbourhood). A node with no strong connection joins no aggregate: the smoother
///    alone handles it;
///  - tentative prolongator: the near-null space B (the constant vector by default) restricted to
///    each aggregate and orthonormalised (a QR per aggregate), B_agg = Q R; Q fills P_tent's block and
///    the rows of R the coarse near-null space;
///  - smoothed prolongator P = (I - omega D_F^-1 A_F) P_tent, with A_F the matrix filtered to its
///    strong entries (weak ones lumped into the diagonal, which keeps the row sums), D_F its diagonal
///    and omega = 4 / (3 rho(D_F^-1 A_F)), rho estimated by Lanczos;
///  - Galerkin coarse operator A_{l+1} = R A_l P with R = P^T.
/// Coarsening stops at `coarsest_size` rows, at `max_levels`, or when aggregation stops reducing the
/// size; the coarsest level is then solved exactly by a dense Cholesky factorization if it has at
/// most `coarsest_size` rows, and otherwise by the smoother alone.
///
/// Apply: one V-cycle from a zero initial guess, with the same smoother before and after the coarse
/// correction. Both smoothers (damped Jacobi and Chebyshev, each on D^-1 A) have error propagations
/// that are self-adjoint in the A inner product, so the V-cycle is symmetric; it is positive definite
/// because each smoother is convergent (its spectral bound carries a safety factor). CG accepts it.
///
/// Cost: the hierarchy holds every A_l for l >= 1, every P and R = P^T (stored, so that both
/// products run the threaded row-wise kernel), 1/diag per level and the work vectors; bytes() counts
/// them. Products allocate nothing after the first; concurrent products are safe (a product that
/// finds the work vectors in use allocates its own).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/linop/csr_matrix.hpp"

namespace frechet {

namespace detail {
class ScratchPool;         // work vectors reused across products (lib/linop/scratch_pool.hpp)
struct AmgLevelData;       // one level of the hierarchy (lib/precond/amg.cpp)
class CoarseSolver;        // the coarsest solve (lib/precond/coarse_solver.hpp)
}

/// The relaxation of AMG's levels.
enum class AmgSmoother {
  /// Damped Jacobi, x <- x + w D^-1 (b - A x), `sweeps` times, w = jacobi_weight / rho with rho the
  /// level's spectral bound (the estimate of rho(D^-1 A) times safety_factor).
  jacobi,
  /// The Chebyshev polynomial of degree `degree` in D^-1 A on
  /// [lambda_max / eigenvalue_ratio, lambda_max] (see precond/chebyshev.hpp): the better smoother
  /// for the same number of products (the default).
  chebyshev,
};

/// Options of amg_preconditioner.
struct AmgOptions {
  /// theta in |a_ij| >= theta sqrt(a_ii a_jj) on the finest level, in [0, 1), halved on each coarser
  /// level as in Vanek, Mandel and Brezina (1996). 0 makes every stored entry strong.
  double strength_threshold = 0.08;
  /// Most levels, the finest included (>= 1; 1 means the smoother alone, or an exact solve if A has
  /// at most coarsest_size rows).
  int max_levels = 20;
  /// Coarsening stops at a level with at most this many rows (>= 1), which dense Cholesky solves.
  std::size_t coarsest_size = 500;
  AmgSmoother smoother = AmgSmoother::chebyshev;
  /// Relaxations before and after the coarse correction (>= 1): Jacobi sweeps, or Chebyshev
  /// applications.
  int sweeps = 1;
  /// Degree of the Chebyshev smoother (>= 1): a smoothing before the coarse correction costs
  /// `degree` products with A_l, one after it `degree` + 1. Degree 1 is the default because it needs
  /// the fewest products in all for a given tolerance on the 3D Laplacian and on the SPD matrices of
  /// the test suite: higher degrees save fewer CG iterations than they add products per iteration.
  int degree = 1;
  /// The Chebyshev interval's ratio lambda_max / lambda_min (> 1): the smoother damps
  /// [rho / ratio, rho], rho = rho(D^-1 A_l), and leaves the lower part of the spectrum to the
  /// coarse levels (M. Adams, M. Brezina, J. Hu, R. Tuminaro, J. Comput. Phys. 188(2), 2003). The
  /// default 10 is also PETSc's ([0.1, 1.1] times the estimate) and measured best here for degree
  /// 1: a wider interval (ratio 30) spreads a low-degree polynomial too thin and CG needs more
  /// iterations on the 3D Laplacian; a narrower one (ratio 4) leaves too much of the spectrum to
  /// the coarse levels of the structural matrices.
  double eigenvalue_ratio = 10.0;
  /// Jacobi smoother weight relative to 1/rho(D^-1 A) (in (0, 2)): 4/3 damps the upper half of the
  /// spectrum of D^-1 A by a factor of at least 3.
  double jacobi_weight = 4.0 / 3.0;
  /// Factor (>= 1) on the estimated rho(D^-1 A) of the smoothers, so that they stay convergent.
  double safety_factor = 1.1;
  /// Near-null space: n x k, the vectors A should map to (nearly) zero, e.g. the rigid body modes of
  /// elasticity. Empty means the constant vector. Every aggregate gets up to k coarse unknowns (fewer
  /// where the vectors are linearly dependent on it).
  DenseMatrix near_null_space{};
  std::uint64_t seed = 0;  ///< seeds the Lanczos estimates
};

/// One level of the hierarchy as reported.
struct AmgLevel {
  std::size_t rows = 0;
  std::size_t nnz = 0;
  /// rho(D^-1 A_l) as estimated (times safety_factor): the smoother's upper bound.
  double spectral_bound = 0.0;
  /// omega of the prolongator smoothing to the next level (0 on the coarsest level).
  double prolongation_weight = 0.0;
};

/// The hierarchy of an AmgPreconditioner.
struct AmgHierarchy {
  std::vector<AmgLevel> levels;  ///< finest first
  /// sum_l nnz(A_l) / nnz(A): the memory and work of a V-cycle relative to a product with A.
  double operator_complexity = 0.0;
  double grid_complexity = 0.0;   ///< sum_l rows(A_l) / rows(A)
  /// How the coarsest level is solved: "dense Cholesky" or "smoother" (coarsening stopped above
  /// coarsest_size).
  std::string coarsest_solver;
};

/// The hierarchy as a table: one line per level (rows, nnz, nnz per row, the smoother's spectral
/// bound, 0 where no smoother runs), then the complexities and the coarsest solver.
std::string to_string(const AmgHierarchy& hierarchy);

/// The V-cycle M^-1 of smoothed-aggregation AMG. Symmetric positive definite; its adjoint is itself.
class AmgPreconditioner final : public LinearOperator {
public:
  /// See amg_preconditioner.
  AmgPreconditioner(std::shared_ptr<const CsrMatrix> a, const AmgOptions& options = {});
  ~AmgPreconditioner() override;
  AmgPreconditioner(const AmgPreconditioner&) = delete;
  AmgPreconditioner& operator=(const AmgPreconditioner&) = delete;

  const AmgHierarchy& hierarchy() const noexcept { return hierarchy_; }
  /// Bytes the preconditioner holds besides A itself: the coarse operators, P and R of every level,
  /// the diagonals, the coarsest factor and the work vectors.
  std::size_t bytes() const noexcept { return bytes_; }
  /// The matrix A (shared, not copied).
  const std::shared_ptr<const CsrMatrix>& matrix() const noexcept { return a_; }

private:
  void apply_impl(ConstVectorView x, VectorView y) const override;
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override;
  void cycle(std::size_t level, ConstVectorView b, VectorView x, VectorView work) const;
  void smooth(std::size_t level, ConstVectorView b, VectorView x, bool zero_guess, VectorView work) const;

  std::shared_ptr<const CsrMatrix> a_;
  AmgOptions options_;
  std::vector<detail::AmgLevelData> levels_;
  std::unique_ptr<const detail::CoarseSolver> coarse_solver_;  // null: the smoother solves the coarsest level
  AmgHierarchy hierarchy_;
  std::size_t workspace_size_ = 0;
  std::size_t bytes_ = 0;
  std::unique_ptr<detail::ScratchPool> scratch_;
};

/// The smoothed-aggregation AMG V-cycle for the sparse symmetric positive definite matrix `a`,
/// shared without a copy. Throws ArgumentError for a null `a`, bad options, a zero row, a diagonal
/// entry that is not positive (each naming the row) or a matrix that is not symmetric (naming an
/// entry a_ij != a_ji beyond 1e-10 max|a|); ShapeError for a non-square `a` or a near-null space
/// without n rows; NonFiniteError for a NaN or infinite entry of `a` or of the near-null space;
/// NumericalError if the coarsest operator is not positive definite (A is only semidefinite, e.g. a
/// Laplacian with Neumann boundary).
std::shared_ptr<const AmgPreconditioner> amg_preconditioner(std::shared_ptr<const CsrMatrix> a,
                                                            const AmgOptions& options = {});
/// The same for a copy of `a`.
std::shared_ptr<const AmgPreconditioner> amg_preconditioner(const CsrMatrix& a, const AmgOptions& options = {});

}  // namespace frechet
