// Small dense-matrix helpers the demo apps share (the Jacobians-and-Hessians apps use them all); not
// part of the library.

#pragma once

#include <cstddef>
#include <string>

#include "frechet/frechet.hpp"
#include "report.hpp"

namespace frechet::demo {

/// Row i of a as a vector.
inline Vector row(const DenseMatrix& a, std::size_t i) {
  Vector r(a.cols());
  for (std::size_t j = 0; j < a.cols(); ++j) r[j] = a(i, j);
  return r;
}

/// Prints a matrix row by row, each row a reported value named NAME_row_I.
inline void matrix(Report& report, const std::string& name, const std::string& label, const DenseMatrix& a,
                   const char* fmt = "%.6f") {
  report.print(label + ":");
  for (std::size_t i = 0; i < a.rows(); ++i)
    report.value(format("%s_row_%zu", name.c_str(), i), format("  row %zu", i), row(a, i), fmt);
}

/// A column vector as an n x 1 matrix (for kron).
inline DenseMatrix column(ConstVectorView v) {
  DenseMatrix c(v.size(), 1);
  for (std::size_t i = 0; i < v.size(); ++i) c(i, 0) = v[i];
  return c;
}

/// a + lambda I.
inline DenseMatrix shifted(DenseMatrix a, double lambda) {
  for (std::size_t i = 0; i < a.rows(); ++i) a(i, i) += lambda;
  return a;
}

/// a^{-1} by LU (small matrices, for the seeds' explicit inverses).
inline DenseMatrix inverse(const DenseMatrix& a) { return LuFactorization(a).solve(DenseMatrix::identity(a.rows())); }

/// ||a - b||_F.
inline double frobenius_distance(const DenseMatrix& a, const DenseMatrix& b) {
  Vector d(a.values().begin(), a.values().end());
  axpy(-1.0, b.values(), d);
  return norm2(d);
}

/// The exact Fisher block mean_i (a_i (x) g_i)(a_i (x) g_i)^T of a linear layer y = W a, from the
/// activations a_i and back-propagated gradients g_i of n samples (rows), and its K-FAC factors
/// A = mean a a^T, G = mean g g^T. vec(g a^T) = a (x) g (columns stacked).
struct Fisher {
  DenseMatrix exact, a, g;
};
inline Fisher fisher(const DenseMatrix& activations, const DenseMatrix& back_grads) {
  const std::size_t n = activations.rows(), p = activations.cols(), q = back_grads.cols();
  Fisher f{DenseMatrix(p * q, p * q), matmul(activations, activations, Transpose::yes),
           matmul(back_grads, back_grads, Transpose::yes)};
  for (std::size_t i = 0; i < n; ++i) {
    const DenseMatrix v = kron(column(row(activations, i)), column(row(back_grads, i)));
    gemm(1.0 / static_cast<double>(n), v, Transpose::no, v, Transpose::yes, 1.0, f.exact);
  }
  scale(1.0 / static_cast<double>(n), f.a.values());
  scale(1.0 / static_cast<double>(n), f.g.values());
  return f;
}

}  // namespace frechet::demo
