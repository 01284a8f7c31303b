#pragma once
// Helpers of the tests of sparse_solve and sparse_lstsq: random values on a pattern, tall patterns,
// symmetric directions, and the derivative checks (JVP against central differences, VJP against JVP
// by duality).

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <tuple>
#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"
#include "frechet/linop/operators.hpp"
#include "test_support.hpp"

namespace frechet::testing::sparse {

// A with the structure of `pattern` and random values, the diagonal shifted by `shift`.
inline Vector random_values(const CsrMatrix& pattern, double shift, Random& rng) {
  Vector v(pattern.nnz());
  const auto ro = pattern.row_offsets();
  const auto ci = pattern.col_indices();
  for (std::size_t i = 0; i < pattern.rows(); ++i)
    for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) v[k] = 0.5 * rng.gaussian() + (static_cast<std::size_t>(ci[k]) == i ? shift : 0.0);
  return v;
}

inline CsrMatrix with_values(const CsrMatrix& pattern, const Vector& values) {
  const auto ro = pattern.row_offsets();
  const auto ci = pattern.col_indices();
  return CsrMatrix(pattern.rows(), pattern.cols(), {ro.begin(), ro.end()}, {ci.begin(), ci.end()}, values);
}

// A tall sparse pattern: row i holds columns i mod n, (3 i + 1) mod n and (7 i + 2) mod n.
inline CsrMatrix tall_pattern(std::size_t m, std::size_t n) {
  std::vector<SparseIndex> rows, cols;
  for (std::size_t i = 0; i < m; ++i)
    for (const std::size_t j : {i % n, (3 * i + 1) % n, (7 * i + 2) % n}) {
      rows.push_back(static_cast<SparseIndex>(i));
      cols.push_back(static_cast<SparseIndex>(j));
    }
  return CsrMatrix::from_triplets(m, n, rows, cols, Vector(rows.size(), 1.0));
}

// v + v^T on a structurally symmetric pattern, in CSR order: a symmetric direction in A's values.
inline Vector symmetrized(const CsrMatrix& pattern, const Vector& v) {
  const auto ro = pattern.row_offsets();
  const auto ci = pattern.col_indices();
  Vector s(v.size());
  for (std::size_t i = 0; i < pattern.rows(); ++i)
    for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) {
      const std::size_t j = static_cast<std::size_t>(ci[k]);
      SparseIndex mirror = ro[j];
      while (static_cast<std::size_t>(ci[mirror]) != i) ++mirror;
      s[k] = v[k] + v[mirror];
    }
  return s;
}

// (f(v + h dv, b + h db) - f(v - h dv, b - h db)) / 2h: the central difference of f(values, b) along
// (dv, db).
template <class F>
Vector central_difference(const F& f, const Vector& v, const Vector& b, const Vector& dv, const Vector& db, double h = 1e-6) {
  Vector vp = v, vm = v, bp = b, bm = b;
  axpy(h, dv, vp);
  axpy(-h, dv, vm);
  axpy(h, db, bp);
  axpy(-h, db, bm);
  Vector fd = f(vp, bp);
  axpy(-1.0, f(vm, bm), fd);
  scale(0.5 / h, fd);
  return fd;
}

// Checks f(values, b) at (v0, b0): JVPs in each argument against central differences, and the VJP
// against the JVP by duality in each argument, to duality_tol (relative): 1e-12 for the direct
// solves, more for the Krylov ones, whose solves are exact only to their rtol. With `symmetric`, the
// direction in the values is symmetric (cholesky and cg refuse a nonsymmetric A).
template <class F>
void check_derivatives(const F& f, const Vector& v0, const Vector& b0, Random& rng, double tol, double duality_tol = 1e-12,
                       const CsrMatrix* symmetric = nullptr) {
  const Vector dv = symmetric ? symmetrized(*symmetric, rng.gaussian_vector(v0.size())) : rng.gaussian_vector(v0.size());
  const Vector db = rng.gaussian_vector(b0.size());
  const Vector tangent = jvp(f, std::tuple{v0, b0}, std::tuple{dv, db}).tangent;
  BOOST_TEST(relative_error(tangent, central_difference(f, v0, b0, dv, db)) <= tol);

  const Vector u = rng.gaussian_vector(tangent.size());
  const auto [value, pullback] = vjp(f, v0, b0);
  const auto [v_bar, b_bar] = pullback(u);
  const double lhs = dot(u, tangent);
  const double rhs = dot(v_bar, dv) + dot(b_bar, db);
  BOOST_TEST(std::abs(lhs - rhs) <= duality_tol * (std::abs(lhs) + norm2(u) * norm2(tangent)));
}

// N = diag(1 / ||a_j||_2): the column scaling of a tall A, a right preconditioner for LSQR.
inline OperatorPtr inverse_column_norms(const CsrMatrix& a) {
  Vector norms(a.cols(), 0.0);
  const auto ro = a.row_offsets();
  const auto ci = a.col_indices();
  const auto values = a.values();
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (SparseIndex k = ro[i]; k < ro[i + 1]; ++k) norms[ci[k]] += values[k] * values[k];
  for (double& v : norms) v = 1.0 / std::sqrt(v);
  return diagonal_operator(std::move(norms));
}

// A preconditioner that counts its products, to see how much work a solve did.
class CountingPreconditioner final : public LinearOperator {
public:
  CountingPreconditioner(OperatorPtr m, int& count) : LinearOperator(m->rows(), m->cols()), m_(std::move(m)), count_(count) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    ++count_;
    m_->apply(x, y);
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override {
    ++count_;
    m_->apply_adjoint(x, y);
  }
  OperatorPtr m_;
  int& count_;
};

}  // namespace frechet::testing::sparse
