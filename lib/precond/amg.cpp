#include "frechet/precond/amg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include "aggregation.hpp"
#include "coarse_solver.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "linop/csr_symmetry.hpp"
#include "linop/scratch_pool.hpp"
#include "relaxation.hpp"
#include "sparse_products.hpp"
#include "spectral_bounds.hpp"

namespace frechet {

namespace detail {

/// One level: its operator, 1/diag, the smoother's spectral bound and, above the coarsest level, the
/// transfer operators to the next one.
struct AmgLevelData {
  std::shared_ptr<const CsrMatrix> a;
  Vector inv_diag;
  double spectral_bound = 0.0;  // safety_factor * rho(D^-1 A), 0 when the level needs no smoother
  CsrMatrix p;                  // n_l x n_{l+1}
  CsrMatrix r;                  // P^T
  std::size_t work_offset = 0;  // where the level's work vectors start in the workspace
};

}  // namespace detail

namespace {

constexpr const char* kName = "amg_preconditioner";
constexpr int kLanczosSteps = 8;  // rho(D^-1 A) to a few percent: more steps did not change the CG counts

std::string str(double v) { return std::to_string(v); }
std::string str(std::size_t v) { return std::to_string(v); }

void check_options(const AmgOptions& o) {
  const std::string name = std::string(kName) + ": options.";
  if (!(o.strength_threshold >= 0.0 && o.strength_threshold < 1.0)) {
    throw ArgumentError(name + "strength_threshold: expected in [0, 1), got " + str(o.strength_threshold));
  }
  if (o.max_levels < 1) throw ArgumentError(name + "max_levels: expected >= 1, got " + std::to_string(o.max_levels));
  if (o.coarsest_size < 1) throw ArgumentError(name + "coarsest_size: expected >= 1, got 0");
  if (o.sweeps < 1) throw ArgumentError(name + "sweeps: expected >= 1, got " + std::to_string(o.sweeps));
  if (o.degree < 1) throw ArgumentError(name + "degree: expected >= 1, got " + std::to_string(o.degree));
  if (!(std::isfinite(o.eigenvalue_ratio) && o.eigenvalue_ratio > 1.0)) {
    throw ArgumentError(name + "eigenvalue_ratio: expected finite and > 1, got " + str(o.eigenvalue_ratio));
  }
  if (!(o.jacobi_weight > 0.0 && o.jacobi_weight < 2.0)) {
    throw ArgumentError(name + "jacobi_weight: expected in (0, 2), got " + str(o.jacobi_weight));
  }
  if (!(std::isfinite(o.safety_factor) && o.safety_factor >= 1.0)) {
    throw ArgumentError(name + "safety_factor: expected finite and >= 1, got " + str(o.safety_factor));
  }
}

// The checks of the input matrix, in the order a user would want to hear about them.
void check_matrix(const CsrMatrix& a, const AmgOptions& o) {
  const std::string name = kName;
  if (!a.is_square()) {
    throw ShapeError(name + ": a: expected a square matrix, got " + str(a.rows()) + " x " + str(a.cols()));
  }
  const auto offsets = a.row_offsets();
  const auto cols = a.col_indices();
  const auto values = a.values();
  for (std::size_t i = 0; i < a.rows(); ++i) {
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) {
      if (!std::isfinite(values[static_cast<std::size_t>(k)])) {
        throw NonFiniteError(name + ": a: entry (" + str(i) + ", " + std::to_string(cols[k]) + ") is " +
                             str(values[static_cast<std::size_t>(k)]) + ", expected finite entries");
      }
    }
  }
  const Vector diag = a.diagonal();
  for (std::size_t i = 0; i < a.rows(); ++i) {
    bool zero = true;
    for (SparseIndex k = offsets[i]; k < offsets[i + 1] && zero; ++k) zero = values[static_cast<std::size_t>(k)] == 0.0;
    if (zero) throw ArgumentError(name + ": a: row " + str(i) + " is zero; a symmetric positive definite matrix has no zero row");
    if (!(diag[i] > 0.0)) {
      throw ArgumentError(name + ": a: diagonal entry (" + str(i) + ", " + str(i) + ") is " + str(diag[i]) +
                          ", expected > 0 for a symmetric positive definite matrix");
    }
  }
  if (const auto bad = detail::find_asymmetry(a, 1.0, 1e-10)) {
    throw ArgumentError(name + ": a: expected a symmetric matrix, but a(" + str(bad->i) + ", " + str(bad->j) +
                        ") = " + str(bad->a_ij) + " and a(" + str(bad->j) + ", " + str(bad->i) + ") = " + str(bad->a_ji));
  }
  if (o.near_null_space.size() > 0 || o.near_null_space.rows() > 0 || o.near_null_space.cols() > 0) {
    if (o.near_null_space.rows() != a.rows() || o.near_null_space.cols() == 0) {
      throw ShapeError(name + ": options.near_null_space: expected " + str(a.rows()) + " x k with k >= 1, got " +
                       str(o.near_null_space.rows()) + " x " + str(o.near_null_space.cols()));
    }
    check_finite("amg_preconditioner: options.near_null_space", o.near_null_space.values());
  }
}

std::size_t csr_bytes(const CsrMatrix& m) {
  return m.nnz() * (sizeof(double) + sizeof(SparseIndex)) + (m.rows() + 1) * sizeof(SparseIndex) + m.layout_bytes();
}

// A_F: the diagonal and the strong entries of A, the weak ones added to the diagonal so that row sums
// are kept (Vanek, Mandel, Brezina 1996). Where lumping would leave a diagonal entry that is not
// positive (possible for matrices that are not M-matrices) the row keeps a_ii, so D_F^-1 exists.
detail::SparseArrays filtered(const CsrMatrix& a, const std::vector<char>& strong) {
  const auto offsets = a.row_offsets();
  const auto cols = a.col_indices();
  const auto values = a.values();
  std::vector<SparseIndex> f_offsets(a.rows() + 1, 0);
  std::vector<SparseIndex> f_cols;
  Vector f_values;
  f_cols.reserve(a.nnz());
  f_values.reserve(a.nnz());
  for (std::size_t i = 0; i < a.rows(); ++i) {
    double weak = 0.0;
    double diag = 0.0;
    std::size_t diag_slot = 0;
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      if (static_cast<std::size_t>(cols[kk]) == i) {
        diag = values[kk];
        diag_slot = f_cols.size();
        f_cols.push_back(cols[kk]);
        f_values.push_back(0.0);
      } else if (strong[kk]) {
        f_cols.push_back(cols[kk]);
        f_values.push_back(values[kk]);
      } else {
        weak += values[kk];
      }
    }
    f_values[diag_slot] = diag + weak > 0.0 ? diag + weak : diag;
    f_offsets[i + 1] = static_cast<SparseIndex>(f_cols.size());
  }
  return {a.rows(), a.cols(), std::move(f_offsets), std::move(f_cols), std::move(f_values)};
}

// P = (I - omega D_F^-1 A_F) P_tent, returning P and omega. `rho` is rho(D_F^-1 A_F) when known
// (A_F = A, whose estimate the smoother already made), else it is estimated here.
std::pair<CsrMatrix, double> smoothed_prolongator(const CsrMatrix& a_f, const detail::SparseArrays& p_tent,
                                                  std::optional<double> rho, std::uint64_t seed) {
  const Vector diag = a_f.diagonal();
  if (!rho) {
    Vector scale(diag.size());
    for (std::size_t i = 0; i < diag.size(); ++i) scale[i] = 1.0 / std::sqrt(diag[i]);
    rho = detail::estimate_largest_eigenvalue(kName, a_f, scale, kLanczosSteps, seed).value;
  }
  const double omega = 4.0 / (3.0 * *rho);
  detail::SparseArrays correction = detail::multiply(a_f, p_tent);
  for (std::size_t i = 0; i < correction.rows; ++i) {
    for (SparseIndex k = correction.offsets[i]; k < correction.offsets[i + 1]; ++k) {
      correction.values[static_cast<std::size_t>(k)] *= omega / diag[i];
    }
  }
  return {detail::add(1.0, p_tent, -1.0, correction).to_matrix(), omega};
}

// The workspace vectors of a level: r, t and d on every level; b and x too below the finest (the
// finest level's b and x are the product's own vectors).
constexpr std::size_t kResidual = 0, kProduct = 1, kDirection = 2, kRhs = 3, kSolution = 4;

}  // namespace

AmgPreconditioner::AmgPreconditioner(std::shared_ptr<const CsrMatrix> a, const AmgOptions& options)
    : LinearOperator(a ? a->rows() : 0, a ? a->cols() : 0, {.symmetric = true, .positive_definite = true}),
      a_(std::move(a)),
      options_(options),
      scratch_(std::make_unique<detail::ScratchPool>()) {
  if (!a_) throw ArgumentError(std::string(kName) + ": a: expected a matrix, got null");
  check_options(options_);
  check_matrix(*a_, options_);
  // The near-null space is only needed during setup.
  DenseMatrix near_null = std::move(options_.near_null_space);
  options_.near_null_space = DenseMatrix();
  if (near_null.size() == 0) near_null = DenseMatrix(a_->rows(), 1, 1.0);

  std::shared_ptr<const CsrMatrix> current = a_;
  // Coarse operators have more and relatively weaker couplings; halving theta per level keeps
  // their aggregates as large as the finest level's (as in Vanek, Mandel, Brezina 1996).
  double theta = options_.strength_threshold;
  for (;; theta *= 0.5) {
    detail::AmgLevelData level;
    level.a = current;
    const Vector diag = current->diagonal();
    for (std::size_t i = 0; i < diag.size(); ++i) {
      if (!(diag[i] > 0.0)) {
        throw NumericalError(std::string(kName) + ": diagonal entry " + str(i) + " of the level-" +
                             str(levels_.size()) + " operator is " + str(diag[i]) +
                             ", not positive: the matrix is not positive definite");
      }
    }
    const std::size_t n = current->rows();
    const bool last_allowed = static_cast<int>(levels_.size()) + 1 >= options_.max_levels;
    std::optional<detail::TentativeProlongator> tentative;
    std::vector<char> strong;
    if (n > options_.coarsest_size && !last_allowed) {
      strong = detail::strong_connections(*current, diag, theta);
      const detail::Aggregates aggregates = detail::aggregate(*current, strong);
      tentative = detail::tentative_prolongator(aggregates, near_null);
      // No aggregate, or no reduction: coarsening has stalled, and this level is the coarsest.
      if (tentative->p.cols == 0 || tentative->p.cols >= n) tentative.reset();
    }
    const bool coarsest = !tentative;
    if (!coarsest || n > options_.coarsest_size) {
      level.inv_diag = Vector(n);
      Vector scale(n);
      for (std::size_t i = 0; i < n; ++i) {
        level.inv_diag[i] = 1.0 / diag[i];
        scale[i] = std::sqrt(level.inv_diag[i]);
      }
      level.spectral_bound =
          options_.safety_factor *
          detail::estimate_largest_eigenvalue(kName, *current, scale, kLanczosSteps, options_.seed).value;
    }
    hierarchy_.levels.push_back({.rows = n, .nnz = current->nnz(), .spectral_bound = level.spectral_bound});
    if (coarsest) {
      if (n <= options_.coarsest_size) {
        try {
          coarse_solver_ = detail::dense_cholesky_coarse_solver(*current);
        } catch (const NumericalError& e) {
          throw NumericalError(std::string(kName) + ": the coarsest operator (level " + str(levels_.size()) + ", " +
                               str(n) + " rows) is not positive definite, so A is not: " + e.what());
        }
      }
      levels_.push_back(std::move(level));
      break;
    }
    // Every off-diagonal entry strong (the usual case on the finest level of a Laplacian): A_F = A, and
    // the smoother's estimate of rho(D^-1 A) serves the prolongator too.
    // (The diagonal is stored in every row, having been checked positive.)
    const bool all_strong = std::count(strong.begin(), strong.end(), char{1}) + static_cast<std::ptrdiff_t>(n) ==
                            static_cast<std::ptrdiff_t>(current->nnz());
    auto [p, omega] = all_strong ? smoothed_prolongator(*current, tentative->p, level.spectral_bound / options_.safety_factor,
                                                        options_.seed)
                                 : smoothed_prolongator(filtered(*current, strong).to_matrix(), tentative->p, std::nullopt, options_.seed);
    hierarchy_.levels.back().prolongation_weight = omega;
    level.r = p.transposed();
    const detail::SparseArrays ap = detail::multiply(*current, p);
    current = std::make_shared<const CsrMatrix>(detail::multiply(level.r, ap).to_matrix());
    level.p = std::move(p);
    near_null = std::move(tentative->near_null_space);
    levels_.push_back(std::move(level));
  }

  // Workspace offsets and the bytes held.
  std::size_t total_rows = 0, total_nnz = 0;
  for (std::size_t l = 0; l < levels_.size(); ++l) {
    detail::AmgLevelData& level = levels_[l];
    const std::size_t n = level.a->rows();
    level.work_offset = workspace_size_;
    workspace_size_ += (l == 0 ? 3 : 5) * n;
    total_rows += n;
    total_nnz += level.a->nnz();
    if (l > 0) bytes_ += csr_bytes(*level.a);
    bytes_ += csr_bytes(level.p) + csr_bytes(level.r) + level.inv_diag.size() * sizeof(double);
  }
  bytes_ += workspace_size_ * sizeof(double);
  if (coarse_solver_) bytes_ += coarse_solver_->bytes();
  hierarchy_.operator_complexity = a_->nnz() > 0 ? static_cast<double>(total_nnz) / static_cast<double>(a_->nnz()) : 1.0;
  hierarchy_.grid_complexity = rows() > 0 ? static_cast<double>(total_rows) / static_cast<double>(rows()) : 1.0;
  hierarchy_.coarsest_solver = coarse_solver_ ? coarse_solver_->name() : "smoother";
}

AmgPreconditioner::~AmgPreconditioner() = default;

void AmgPreconditioner::smooth(std::size_t l, ConstVectorView b, VectorView x, bool zero_guess,
                               VectorView work) const {
  const detail::AmgLevelData& level = levels_[l];
  const std::size_t n = level.a->rows();
  const auto vec = [&](std::size_t slot) { return work.subspan(level.work_offset + slot * n, n); };
  const CsrMatrix& a = *level.a;
  const auto apply_a = [&a](ConstVectorView u, VectorView v) { a.apply(u, v); };
  if (options_.smoother == AmgSmoother::jacobi) {
    detail::jacobi_relaxation(apply_a, level.inv_diag, options_.jacobi_weight / level.spectral_bound,
                              options_.sweeps, b, x, zero_guess, vec(kProduct));
    return;
  }
  const detail::ChebyshevWork cheb{vec(kResidual), vec(kDirection), vec(kProduct)};
  for (int s = 0; s < options_.sweeps; ++s) {
    detail::chebyshev_relaxation<true>(apply_a, level.inv_diag, level.spectral_bound / options_.eigenvalue_ratio,
                                       level.spectral_bound, options_.degree, b, x, zero_guess && s == 0, cheb);
  }
}

void AmgPreconditioner::cycle(std::size_t l, ConstVectorView b, VectorView x, VectorView work) const {
  const detail::AmgLevelData& level = levels_[l];
  if (l + 1 == levels_.size()) {
    if (coarse_solver_) {
      coarse_solver_->solve(b, x);
    } else {
      smooth(l, b, x, true, work);
      smooth(l, b, x, false, work);
    }
    return;
  }
  const std::size_t n = level.a->rows();
  const VectorView r = work.subspan(level.work_offset + kResidual * n, n);
  const VectorView t = work.subspan(level.work_offset + kProduct * n, n);
  smooth(l, b, x, true, work);
  level.a->apply(x, t);
  {
    const auto m = static_cast<std::ptrdiff_t>(n);
    const double* bp = b.data();
    const double* tp = t.data();
    double* rp = r.data();
#pragma omp parallel for simd schedule(static) num_threads(detail::loop_threads(n, detail::parallel_min_entries))
    for (std::ptrdiff_t i = 0; i < m; ++i) rp[i] = bp[i] - tp[i];
  }
  const detail::AmgLevelData& next = levels_[l + 1];
  const std::size_t nc = next.a->rows();
  const VectorView bc = work.subspan(next.work_offset + kRhs * nc, nc);
  const VectorView xc = work.subspan(next.work_offset + kSolution * nc, nc);
  level.r.apply(r, bc);
  cycle(l + 1, bc, xc, work);
  level.p.apply_add(xc, x);
  smooth(l, b, x, false, work);
}

void AmgPreconditioner::apply_impl(ConstVectorView x, VectorView y) const {
  const auto lease = scratch_->lease(workspace_size_);
  cycle(0, x, y, lease.view());
}

void AmgPreconditioner::apply_adjoint_impl(ConstVectorView x, VectorView y) const { apply_impl(x, y); }

std::string to_string(const AmgHierarchy& h) {
  std::string out = "level        rows          nnz   nnz/row   rho(D^-1 A)\n";
  char line[128];
  for (std::size_t l = 0; l < h.levels.size(); ++l) {
    const AmgLevel& level = h.levels[l];
    std::snprintf(line, sizeof line, "%5zu %11zu %12zu %9.2f %13.4g\n", l, level.rows, level.nnz,
                  level.rows > 0 ? static_cast<double>(level.nnz) / static_cast<double>(level.rows) : 0.0,
                  level.spectral_bound);
    out += line;
  }
  std::snprintf(line, sizeof line, "operator complexity %.3f, grid complexity %.3f, coarsest solve: %s\n",
                h.operator_complexity, h.grid_complexity, h.coarsest_solver.c_str());
  out += line;
  return out;
}

std::shared_ptr<const AmgPreconditioner> amg_preconditioner(std::shared_ptr<const CsrMatrix> a,
                                                            const AmgOptions& options) {
  return std::make_shared<const AmgPreconditioner>(std::move(a), options);
}

std::shared_ptr<const AmgPreconditioner> amg_preconditioner(const CsrMatrix& a, const AmgOptions& options) {
  return amg_preconditioner(std::make_shared<const CsrMatrix>(a), options);
}

}  // namespace frechet
