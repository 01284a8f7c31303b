#include "frechet/implicit/sparse_solve.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/implicit/implicit_function.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/krylov/gmres.hpp"
#include "frechet/krylov/lsqr.hpp"
#include "frechet/linop/combinators.hpp"
#include "frechet/precond/sparse_cholesky.hpp"
#include "frechet/precond/sparse_lu.hpp"
#include "frechet/precond/sparse_qr.hpp"

namespace frechet::detail {
namespace {

// The index arrays of a pattern, shared by every matrix a rule builds from values.
struct Structure {
  std::size_t rows = 0, cols = 0;
  std::vector<SparseIndex> offsets, columns;

  explicit Structure(const CsrMatrix& pattern)
      : rows(pattern.rows()), cols(pattern.cols()), offsets(pattern.row_offsets().begin(), pattern.row_offsets().end()),
        columns(pattern.col_indices().begin(), pattern.col_indices().end()) {}

  CsrMatrix matrix(const char* what, ConstVectorView values) const {
    check_size((std::string(what) + ": size of values (the pattern's stored entries)").c_str(), columns.size(), values.size());
    return CsrMatrix(rows, cols, offsets, columns, Vector(values.begin(), values.end()));
  }

  // y += dA x for the matrix of this structure holding dvalues.
  void apply_add(ConstVectorView dvalues, ConstVectorView x, VectorView y) const {
    for (std::size_t i = 0; i < rows; ++i)
      for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) y[i] += dvalues[k] * x[columns[k]];
  }

  // y += dA^T u for the matrix of this structure holding dvalues.
  void apply_transpose_add(ConstVectorView dvalues, ConstVectorView u, VectorView y) const {
    for (std::size_t i = 0; i < rows; ++i)
      for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) y[columns[k]] += dvalues[k] * u[i];
  }

  // values_bar_k += u_i v_j for every stored entry k = (i, j): the outer product u v^T on the pattern.
  void outer_add(double alpha, ConstVectorView u, ConstVectorView v, VectorView values_bar) const {
    for (std::size_t i = 0; i < rows; ++i)
      for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) values_bar[k] += alpha * u[i] * v[columns[k]];
  }
};

// The bytes of a CSR matrix: its arrays, its products' layout, and the object.
std::size_t csr_bytes(const CsrMatrix& a) {
  return sizeof(CsrMatrix) + a.nnz() * (sizeof(double) + sizeof(SparseIndex)) + (a.rows() + 1) * sizeof(SparseIndex) +
         a.layout_bytes();
}

const char* method_name(SparseSolveMethod method) {
  switch (method) {
    case SparseSolveMethod::lu: return "lu";
    case SparseSolveMethod::cholesky: return "cholesky";
    case SparseSolveMethod::cg: return "cg";
    case SparseSolveMethod::gmres: return "gmres";
  }
  return "?";
}

bool is_krylov(SparseSolveMethod method) { return method == SparseSolveMethod::cg || method == SparseSolveMethod::gmres; }

void check_preconditioner_shape(const char* who, const char* what, const OperatorPtr& m, std::size_t n, const char* size) {
  if (m && (m->rows() != n || m->cols() != n))
    throw ShapeError(std::string(who) + ": " + what + ": expected " + std::to_string(n) + " x " + std::to_string(n) + " (" +
                     size + "), got " + std::to_string(m->rows()) + " x " + std::to_string(m->cols()));
}

// The checks of ImplicitOptions' Krylov fields, with the same messages, for sparse_solve's Krylov
// methods and sparse_lstsq's lsqr.
void check_iteration_options(const char* who, double rtol, double atol, const std::optional<int>& max_iterations, bool preconditioner,
                             bool preconditioner_update) {
  const std::string w(who);
  if (!std::isfinite(rtol) || rtol < 0 || !std::isfinite(atol) || atol < 0)
    throw ArgumentError(w + ": rtol and atol must be finite and >= 0, got rtol = " + std::to_string(rtol) +
                        ", atol = " + std::to_string(atol));
  if (rtol == 0 && atol == 0) throw ArgumentError(w + ": rtol and atol are both 0; at least one must be > 0");
  if (max_iterations && *max_iterations < 0)
    throw ArgumentError(w + ": max_iterations must be >= 0, got " + std::to_string(*max_iterations));
  if (preconditioner && preconditioner_update)
    throw ArgumentError(w + ": set at most one of preconditioner and preconditioner_update");
}

// The relative residual a failed solve reports, ||c - B y|| / ||c||.
double relative_residual(const SolveResult& r) { return r.rhs_norm > 0 ? r.residual_norm / r.rhs_norm : r.residual_norm; }

void check_options(const SparseSolveOptions& o, std::size_t n) {
  const std::string method = method_name(o.method);
  if (is_krylov(o.method)) {
    check_iteration_options("sparse_solve", o.rtol, o.atol, o.max_iterations, o.preconditioner != nullptr,
                            static_cast<bool>(o.preconditioner_update));
    if (o.method == SparseSolveMethod::gmres && o.restart < 1)
      throw ArgumentError("sparse_solve: restart must be >= 1, got " + std::to_string(o.restart));
    if (o.method == SparseSolveMethod::cg && o.restart != SparseSolveOptions{}.restart)
      throw ArgumentError("sparse_solve: restart is used by method = gmres only; leave it at its default with cg");
    check_preconditioner_shape("sparse_solve", "preconditioner", o.preconditioner, n, "A's size");
    return;
  }
  const SparseSolveOptions defaults;
  const char* unused = nullptr;
  if (o.rtol != defaults.rtol) unused = "rtol";
  if (o.atol != defaults.atol) unused = "atol";
  if (o.max_iterations) unused = "max_iterations";
  if (o.restart != defaults.restart) unused = "restart";
  if (o.preconditioner) unused = "preconditioner";
  if (o.preconditioner_update) unused = "preconditioner_update";
  if (unused != nullptr)
    throw ArgumentError("sparse_solve: " + std::string(unused) + " is used by method = cg and gmres only; leave it at its default with " + method);
}

// A^{-1} by Krylov solves with A (cg or gmres) and a preconditioner M^{-1}; the adjoint solves with
// A^T and M^{-T} (gmres) or is the same solve (cg, A = A^T). Every solve is checked: one that does
// not converge throws, since the value or derivative it would return is wrong. Each direction starts
// from its detail::KrylovWarmStart, so a repeated right-hand side costs one residual. Unlike other
// operators it is not immutable: the warm starts change with every product, so concurrent products
// with one object are not safe (a recorded solve is used by one tape).
class KrylovInverse final : public LinearOperator {
public:
  KrylovInverse(CsrMatrix a, OperatorPtr preconditioner, const SparseSolveOptions& options)
      : LinearOperator(a.rows(), a.cols()), a_(std::make_shared<const CsrMatrix>(std::move(a))),
        a_transposed_(options.method == SparseSolveMethod::gmres ? frechet::transposed(a_) : a_),
        preconditioner_(std::move(preconditioner)),
        preconditioner_adjoint_(preconditioner_ && options.method == SparseSolveMethod::gmres ? frechet::transposed(preconditioner_)
                                                                                                : preconditioner_),
        options_(options) {}

  // A's arrays and the warm starts each direction keeps (a right-hand side and a solution each).
  std::size_t bytes() const noexcept {
    const std::size_t n = rows(), directions = options_.method == SparseSolveMethod::gmres ? 2 : 1;
    return sizeof(*this) + csr_bytes(*a_) + directions * 2 * n * sizeof(double);
  }

private:
  void apply_impl(ConstVectorView c, VectorView y) const override { solve(false, c, y); }
  void apply_adjoint_impl(ConstVectorView c, VectorView y) const override { solve(true, c, y); }

  void solve(bool adjoint, ConstVectorView c, VectorView y) const {
    const bool gmres_method = options_.method == SparseSolveMethod::gmres;
    detail::KrylovWarmStart& warm = adjoint && gmres_method ? backward_ : forward_;
    SolverOptions solver{.rtol = options_.rtol, .atol = options_.atol, .max_iterations = options_.max_iterations,
                         .preconditioner = adjoint ? preconditioner_adjoint_ : preconditioner_};
    solver.x0 = warm.start(c);
    SolveResult r;
    if (gmres_method) {
      solver.restart = options_.restart;
      r = frechet::gmres(adjoint ? a_transposed_ : a_, c, solver);
    } else {
      r = frechet::cg(a_, c, solver);
    }
    if (!r.converged) {
      std::ostringstream s;
      s << "sparse_solve: " << (gmres_method ? "gmres" : "cg") << " did not converge in the "
        << (adjoint ? "backward solve with A^T" : "solve with A") << " (" << reason_name(r.reason) << " after "
        << r.iterations << " iterations, relative residual " << relative_residual(r) << ", rtol " << options_.rtol
        << "); the " << (adjoint ? "gradient" : "solution") << " would be wrong. Raise max_iterations"
        << (gmres_method ? " or restart" : "") << ", loosen rtol, or give a (better) preconditioner";
      throw NumericalError(s.str());
    }
    warm.remember(c, std::move(r.x));
    std::copy(warm.solution.begin(), warm.solution.end(), y.begin());
  }

  std::shared_ptr<const CsrMatrix> a_;
  OperatorPtr a_transposed_;
  OperatorPtr preconditioner_;
  OperatorPtr preconditioner_adjoint_;
  SparseSolveOptions options_;
  mutable detail::KrylovWarmStart forward_, backward_;
};

void check_lstsq_options(const SparseLstsqOptions& o, std::size_t n) {
  if (o.method == SparseLstsqMethod::lsqr) {
    check_iteration_options("sparse_lstsq", o.rtol, o.atol, o.max_iterations, o.preconditioner != nullptr,
                            static_cast<bool>(o.preconditioner_update));
    check_preconditioner_shape("sparse_lstsq", "preconditioner", o.preconditioner, n, "A's columns");
    return;
  }
  const SparseLstsqOptions defaults;
  const char* unused = nullptr;
  if (o.rtol != defaults.rtol) unused = "rtol";
  if (o.atol != defaults.atol) unused = "atol";
  if (o.max_iterations) unused = "max_iterations";
  if (o.preconditioner) unused = "preconditioner";
  if (o.preconditioner_update) unused = "preconditioner_update";
  if (unused != nullptr)
    throw ArgumentError("sparse_lstsq: " + std::string(unused) + " is used by method = lsqr only; leave it at its default with qr");
}

// A^+ (n x m, A of full column rank) by LSQR. apply is the least-squares solve with A, the
// preconditioner N on the right. apply_adjoint is the minimum-norm solve of A^T z = v, as LSQR on
// B = (A N)^T = N^T A^T with right-hand side N^T v: for nonsingular N, B z = N^T v has the solutions of
// A^T z = v, and LSQR's corrections lie in range(B^T) = range(A N) = range(A), so from a start in
// range(A) it converges to the one solution there, the minimum-norm one (A^T's null space is
// range(A)'s complement). B is the preconditioned operator's transpose, so both directions converge
// as fast. The minimum-norm z also makes the least-squares solve that follows it in (A^T A)^{-1} v =
// A^+ z consistent (z in range(A)), so that it can stop on its residual. Checked and warm-started as
// KrylovInverse; the backward start, a multiple of the previous minimum-norm solution, lies in
// range(A). Not safe for concurrent products with one object.
class LsqrPseudoInverse final : public LinearOperator {
public:
  LsqrPseudoInverse(std::shared_ptr<const CsrMatrix> a, OperatorPtr preconditioner, const SparseLstsqOptions& options)
      : LinearOperator(a->cols(), a->rows()), a_(std::move(a)), preconditioner_(std::move(preconditioner)),
        preconditioner_adjoint_(preconditioner_ ? frechet::transposed(preconditioner_) : nullptr),
        adjoint_operator_(preconditioner_ ? frechet::compose(preconditioner_adjoint_, frechet::transposed(a_))
                                          : frechet::transposed(a_)),
        options_(options) {}

  // The warm starts each direction keeps (a right-hand side and a solution each); A is the rule's.
  std::size_t bytes() const noexcept { return sizeof(*this) + 2 * (rows() + cols()) * sizeof(double); }

private:
  void apply_impl(ConstVectorView c, VectorView y) const override { solve(false, c, y); }
  void apply_adjoint_impl(ConstVectorView v, VectorView z) const override { solve(true, v, z); }

  void solve(bool adjoint, ConstVectorView c, VectorView y) const {
    detail::KrylovWarmStart& warm = adjoint ? backward_ : forward_;
    SolverOptions solver{.rtol = options_.rtol, .atol = options_.atol, .max_iterations = options_.max_iterations,
                         .preconditioner = adjoint ? nullptr : preconditioner_};
    solver.x0 = warm.start(c);
    const OperatorPtr op = adjoint ? adjoint_operator_ : OperatorPtr(a_);
    Vector scaled_rhs;
    ConstVectorView rhs = c;
    if (adjoint && preconditioner_) {
      scaled_rhs = preconditioner_->apply_adjoint(c);
      rhs = scaled_rhs;
    }
    SolveResult r = frechet::lsqr(op, rhs, solver);
    if (!r.converged) {
      const double normal_rhs = frechet::norm2(op->apply_adjoint(rhs));
      const double normal = r.normal_residual_norm.value_or(0.0);
      std::ostringstream s;
      s << "sparse_lstsq: lsqr did not converge in the "
        << (adjoint ? "minimum-norm solve with A^T" : "least-squares solve with A") << " (" << reason_name(r.reason)
        << " after " << r.iterations << " iterations, relative residual " << relative_residual(r)
        << ", relative normal residual " << (normal_rhs > 0 ? normal / normal_rhs : normal) << ", rtol " << options_.rtol
        << "); the " << (adjoint ? "gradient" : "solution or its derivative")
        << " would be wrong. Raise max_iterations, loosen rtol, or give a (better) preconditioner";
      throw NumericalError(s.str());
    }
    // For A of full column rank, B z = N^T v is consistent and LSQR drives ||c - B z|| to zero; when
    // it stops on the normal-equations test instead, ||c - B z|| <= kappa(A N) rtol ||c|| (since
    // ||B^T r|| >= sigma_min(B) ||r|| for B of full row rank). A residual above sqrt(rtol) ||c|| would
    // need kappa(A N) > 1/sqrt(rtol): A is rank deficient to that tolerance, as SPQR's rank test says
    // for the qr method, and the derivatives, which assume full rank, do not exist.
    if (adjoint && r.residual_norm > std::max(std::sqrt(options_.rtol) * r.rhs_norm, options_.atol)) {
      std::ostringstream s;
      s << "sparse_lstsq: A is rank deficient to the tolerance: the minimum-norm solve with A^T converged "
           "only in the least-squares sense (relative residual "
        << relative_residual(r) << " > sqrt(rtol) = " << std::sqrt(options_.rtol)
        << "), so A^T z = v has no solution; the least-squares solution is not unique and has no derivative";
      throw NumericalError(s.str());
    }
    warm.remember(c, std::move(r.x));
    std::copy(warm.solution.begin(), warm.solution.end(), y.begin());
  }

  std::shared_ptr<const CsrMatrix> a_;
  OperatorPtr preconditioner_;
  OperatorPtr preconditioner_adjoint_;
  OperatorPtr adjoint_operator_;
  SparseLstsqOptions options_;
  mutable detail::KrylovWarmStart forward_, backward_;
};

// A^+ by SPQR: one factorization, its least-squares solve and (apply_adjoint) its minimum-norm solve
// with A^T. Adds the factors' and A's bytes to `bytes`.
OperatorPtr qr_pseudo_inverse(const CsrMatrix& a, std::size_t& bytes) {
  const auto qr = std::make_shared<const SparseQrFactorization>(a);
  if (qr->rank() < a.cols())
    throw NumericalError("sparse_lstsq: A is rank deficient (SPQR's rank " + std::to_string(qr->rank()) + " of " +
                         std::to_string(a.cols()) + " columns at tolerance " + std::to_string(qr->tolerance()) +
                         "); its least-squares solution is not unique and has no derivative");
  bytes = qr->memory_bytes() + csr_bytes(a);
  return sparse_qr_preconditioner(qr);
}

}  // namespace

std::shared_ptr<const CustomRule<SparseSolveSaved>> sparse_solve_rule(const CsrMatrix& pattern, const SparseSolveOptions& options) {
  if (pattern.rows() != pattern.cols())
    throw ShapeError("sparse_solve: the pattern must be square, got " + std::to_string(pattern.rows()) + " x " +
                     std::to_string(pattern.cols()));
  check_options(options, pattern.rows());
  auto s = std::make_shared<const Structure>(pattern);
  auto rule = std::make_shared<CustomRule<SparseSolveSaved>>();
  rule->name = "sparse_solve";
  rule->primal = [s, options](CustomInputs in, SparseSolveSaved& saved) {
    check_size("sparse_solve: size of b", s->rows, in[1].size());
    CsrMatrix a = s->matrix("sparse_solve", in[0]);
    if (is_krylov(options.method)) {
      // cg's derivatives in A assume A = A^T as CHOLMOD's do; a nonsymmetric A is refused as there.
      if (options.method == SparseSolveMethod::cg && !a.is_numerically_symmetric(1e-12))
        throw ArgumentError("sparse_solve: method = cg needs a symmetric A (|A_ij - A_ji| <= 1e-12 max|A|), got a "
                            "nonsymmetric one; use gmres for nonsymmetric matrices");
      OperatorPtr m = options.preconditioner;
      if (options.preconditioner_update) {
        m = options.preconditioner_update(a);
        check_preconditioner_shape("sparse_solve", "the result of preconditioner_update", m, s->rows, "A's size");
      }
      auto inverse = std::make_shared<const KrylovInverse>(std::move(a), std::move(m), options);
      saved.factor_bytes = inverse->bytes();
      saved.inverse = std::move(inverse);
    } else if (options.method == SparseSolveMethod::cholesky) {
      auto inverse = sparse_cholesky_preconditioner(a);
      saved.factor_bytes = inverse->factorization().memory_bytes();
      saved.inverse = std::move(inverse);
    } else {
      auto inverse = sparse_lu_preconditioner(a);
      saved.factor_bytes = inverse->factorization().memory_bytes();
      saved.inverse = std::move(inverse);
    }
    return saved.inverse->apply(in[1]);
  };
  rule->jvp = [s](CustomInputs, ConstVectorView x, const SparseSolveSaved& saved, CustomInputs d) {
    Vector rhs = d[1].empty() ? Vector(s->rows, 0.0) : Vector(d[1].begin(), d[1].end());
    if (!d[0].empty()) {
      frechet::scale(-1.0, rhs);
      s->apply_add(d[0], x, rhs);
      frechet::scale(-1.0, rhs);
    }
    return saved.inverse->apply(rhs);
  };
  rule->vjp = [s](CustomInputs, ConstVectorView x, const SparseSolveSaved& saved, ConstVectorView x_bar,
                  CustomCotangents bar) {
    const Vector b_bar = saved.inverse->apply_adjoint(x_bar);
    if (!bar[1].empty()) frechet::axpy(1.0, b_bar, bar[1]);
    if (!bar[0].empty()) s->outer_add(-1.0, b_bar, x, bar[0]);
  };
  // Differentiating b_bar = A^{-T} x_bar and A_bar = -b_bar x^T along (dA, db, dx):
  //     b_bar_dot = A^{-T} (x_bar_dot - dA^T b_bar),   A_bar_dot = -(b_bar_dot x^T + b_bar dx^T),
  // two transposed solves with the one factorization.
  rule->vjp_second_order = [s](CustomInputs, CustomInputs d, ConstVectorView x, ConstVectorView dx,
                               const SparseSolveSaved& saved, ConstVectorView x_bar, ConstVectorView x_bar_dot,
                               CustomCotangents bar, CustomCotangents bar_dot) {
    const Vector b_bar = saved.inverse->apply_adjoint(x_bar);
    Vector rhs(x_bar_dot.begin(), x_bar_dot.end());
    if (!d[0].empty()) {
      frechet::scale(-1.0, rhs);
      s->apply_transpose_add(d[0], b_bar, rhs);
      frechet::scale(-1.0, rhs);
    }
    const Vector b_bar_dot = saved.inverse->apply_adjoint(rhs);
    if (!bar[1].empty()) {
      frechet::axpy(1.0, b_bar, bar[1]);
      frechet::axpy(1.0, b_bar_dot, bar_dot[1]);
    }
    if (!bar[0].empty()) {
      s->outer_add(-1.0, b_bar, x, bar[0]);
      s->outer_add(-1.0, b_bar_dot, x, bar_dot[0]);
      s->outer_add(-1.0, b_bar, dx, bar_dot[0]);
    }
  };
  return rule;
}

std::shared_ptr<const CustomRule<SparseLstsqSaved>> sparse_lstsq_rule(const CsrMatrix& pattern, const SparseLstsqOptions& options) {
  if (pattern.rows() < pattern.cols())
    throw ArgumentError("sparse_lstsq: A must be tall (rows >= cols) for a least-squares solution, got " +
                        std::to_string(pattern.rows()) + " x " + std::to_string(pattern.cols()));
  check_lstsq_options(options, pattern.cols());
  auto s = std::make_shared<const Structure>(pattern);
  auto rule = std::make_shared<CustomRule<SparseLstsqSaved>>();
  rule->name = "sparse_lstsq";
  rule->primal = [s, options](CustomInputs in, SparseLstsqSaved& saved) {
    check_size("sparse_lstsq: size of b", s->rows, in[1].size());
    saved.a = std::make_shared<const CsrMatrix>(s->matrix("sparse_lstsq", in[0]));
    if (options.method == SparseLstsqMethod::lsqr) {
      OperatorPtr n = options.preconditioner;
      if (options.preconditioner_update) {
        n = options.preconditioner_update(*saved.a);
        check_preconditioner_shape("sparse_lstsq", "the result of preconditioner_update", n, s->cols, "A's columns");
      }
      auto inverse = std::make_shared<const LsqrPseudoInverse>(saved.a, std::move(n), options);
      saved.factor_bytes = csr_bytes(*saved.a) + inverse->bytes();
      saved.pseudo_inverse = std::move(inverse);
    } else {
      saved.pseudo_inverse = qr_pseudo_inverse(*saved.a, saved.factor_bytes);
    }
    Vector x = saved.pseudo_inverse->apply(in[1]);
    saved.residual = Vector(in[1].begin(), in[1].end());
    frechet::axpy(-1.0, saved.a->apply(x), saved.residual);
    return x;
  };
  // (A^T A)^{-1} v = A^+ A^{+T} v: the minimum-norm solve of A^T z = v gives z = A (A^T A)^{-1} v
  // (with SPQR z = Q R^{-T} v), and the least-squares solve of A w ~ z gives w = (A^T A)^{-1} A^T z
  // (with SPQR w = R^{-1} Q^T z).
  const auto normal_inverse = [](const SparseLstsqSaved& saved, ConstVectorView v) {
    return saved.pseudo_inverse->apply(saved.pseudo_inverse->apply_adjoint(v));
  };
  rule->jvp = [s, normal_inverse](CustomInputs, ConstVectorView x, const SparseLstsqSaved& saved, CustomInputs d) {
    // A^T (db - dA x) + dA^T r.
    Vector t = d[1].empty() ? Vector(s->rows, 0.0) : Vector(d[1].begin(), d[1].end());
    Vector rhs(s->cols, 0.0);
    if (!d[0].empty()) {
      Vector dax(s->rows, 0.0);
      s->apply_add(d[0], x, dax);
      frechet::axpy(-1.0, dax, t);
      for (std::size_t i = 0; i < s->rows; ++i)
        for (SparseIndex k = s->offsets[i]; k < s->offsets[i + 1]; ++k) rhs[s->columns[k]] += d[0][k] * saved.residual[i];
    }
    saved.a->apply_adjoint_add(t, rhs);
    return normal_inverse(saved, rhs);
  };
  rule->vjp = [s, normal_inverse](CustomInputs, ConstVectorView x, const SparseLstsqSaved& saved, ConstVectorView x_bar,
                                  CustomCotangents bar) {
    const Vector w = normal_inverse(saved, x_bar);
    const Vector aw = saved.a->apply(w);
    if (!bar[1].empty()) frechet::axpy(1.0, aw, bar[1]);
    if (!bar[0].empty()) {
      s->outer_add(1.0, saved.residual, w, bar[0]);
      s->outer_add(-1.0, aw, x, bar[0]);
    }
  };
  // Differentiating w = N^{-1} x_bar (N = A^T A), b_bar = A w and A_bar = r w^T - b_bar x^T along
  // (dA, db, dx), with dN = dA^T A + A^T dA and dr = db - dA x - A dx:
  //     w_dot = N^{-1} (x_bar_dot - dN w),   b_bar_dot = dA w + A w_dot,
  //     A_bar_dot = dr w^T + r w_dot^T - b_bar_dot x^T - b_bar dx^T   on A's pattern,
  // two more SPQR solves with the one factorization.
  rule->vjp_second_order = [s, normal_inverse](CustomInputs, CustomInputs d, ConstVectorView x, ConstVectorView dx,
                                               const SparseLstsqSaved& saved, ConstVectorView x_bar, ConstVectorView x_bar_dot,
                                               CustomCotangents bar, CustomCotangents bar_dot) {
    const Vector w = normal_inverse(saved, x_bar);
    const Vector aw = saved.a->apply(w);
    Vector rhs(x_bar_dot.begin(), x_bar_dot.end());
    Vector da_w(s->rows, 0.0);
    if (!d[0].empty()) {
      s->apply_add(d[0], w, da_w);
      Vector dn_w(s->cols, 0.0);
      s->apply_transpose_add(d[0], aw, dn_w);
      saved.a->apply_adjoint_add(da_w, dn_w);
      frechet::axpy(-1.0, dn_w, rhs);
    }
    const Vector w_dot = normal_inverse(saved, rhs);
    Vector aw_dot = saved.a->apply(w_dot);
    frechet::axpy(1.0, da_w, aw_dot);
    if (!bar[1].empty()) {
      frechet::axpy(1.0, aw, bar[1]);
      frechet::axpy(1.0, aw_dot, bar_dot[1]);
    }
    if (!bar[0].empty()) {
      Vector r_dot = d[1].empty() ? Vector(s->rows, 0.0) : Vector(d[1].begin(), d[1].end());
      if (!d[0].empty()) {
        frechet::scale(-1.0, r_dot);
        s->apply_add(d[0], x, r_dot);
        frechet::scale(-1.0, r_dot);
      }
      frechet::axpy(-1.0, saved.a->apply(dx), r_dot);
      s->outer_add(1.0, saved.residual, w, bar[0]);
      s->outer_add(-1.0, aw, x, bar[0]);
      s->outer_add(1.0, r_dot, w, bar_dot[0]);
      s->outer_add(1.0, saved.residual, w_dot, bar_dot[0]);
      s->outer_add(-1.0, aw_dot, x, bar_dot[0]);
      s->outer_add(-1.0, aw, dx, bar_dot[0]);
    }
  };
  return rule;
}

}  // namespace frechet::detail
