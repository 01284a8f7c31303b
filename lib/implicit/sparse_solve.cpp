#include "frechet/implicit/sparse_solve.hpp"

#include <string>
#include <vector>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
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

}  // namespace

std::shared_ptr<const CustomRule<SparseSolveSaved>> sparse_solve_rule(const CsrMatrix& pattern, const SparseSolveOptions& options) {
  if (pattern.rows() != pattern.cols())
    throw ShapeError("sparse_solve: the pattern must be square, got " + std::to_string(pattern.rows()) + " x " +
                     std::to_string(pattern.cols()));
  auto s = std::make_shared<const Structure>(pattern);
  auto rule = std::make_shared<CustomRule<SparseSolveSaved>>();
  rule->name = "sparse_solve";
  rule->primal = [s, method = options.method](CustomInputs in, SparseSolveSaved& saved) {
    check_size("sparse_solve: size of b", s->rows, in[1].size());
    const CsrMatrix a = s->matrix("sparse_solve", in[0]);
    if (method == SparseSolveMethod::cholesky) {
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

std::shared_ptr<const CustomRule<SparseLstsqSaved>> sparse_lstsq_rule(const CsrMatrix& pattern) {
  if (pattern.rows() < pattern.cols())
    throw ArgumentError("sparse_lstsq: A must be tall (rows >= cols) for a least-squares solution, got " +
                        std::to_string(pattern.rows()) + " x " + std::to_string(pattern.cols()));
  auto s = std::make_shared<const Structure>(pattern);
  auto rule = std::make_shared<CustomRule<SparseLstsqSaved>>();
  rule->name = "sparse_lstsq";
  rule->primal = [s](CustomInputs in, SparseLstsqSaved& saved) {
    check_size("sparse_lstsq: size of b", s->rows, in[1].size());
    saved.a = std::make_shared<const CsrMatrix>(s->matrix("sparse_lstsq", in[0]));
    const auto qr = std::make_shared<const SparseQrFactorization>(*saved.a);
    if (qr->rank() < s->cols)
      throw NumericalError("sparse_lstsq: A is rank deficient (SPQR's rank " + std::to_string(qr->rank()) + " of " +
                           std::to_string(s->cols) + " columns at tolerance " + std::to_string(qr->tolerance()) +
                           "); its least-squares solution is not unique and has no derivative");
    saved.pseudo_inverse = sparse_qr_preconditioner(qr);
    Vector x = saved.pseudo_inverse->apply(in[1]);
    saved.residual = Vector(in[1].begin(), in[1].end());
    frechet::axpy(-1.0, saved.a->apply(x), saved.residual);
    return x;
  };
  // (A^T A)^{-1} v = R^{-1} R^{-T} v: the minimum-norm solve of A^T y = v gives y = Q R^{-T} v, and the
  // least-squares solve of A z ~ y gives z = R^{-1} Q^T y.
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
  return rule;
}

}  // namespace frechet::detail
