// The double level of the AD layer's BLAS-2/3 kernels, through the library's one BLAS wrapper
// (core/blas.hpp: the 32-bit dimension check at every call). The dual levels are the product rule
// over these (detail/kernels.hpp).
#include "frechet/ad/arrays.hpp"

#include "core/blas.hpp"

namespace frechet::detail {

void gemv(double alpha, const CMatView<double>& a, Transpose t, std::span<const double> x, double beta,
          std::span<double> y) {
  if (y.empty()) return;
  blas::gemv("ad matvec", t, a.rows, a.cols, alpha, a.data.data(), a.rows, x.data(), beta, y.data());
}

void gemm(double alpha, const CMatView<double>& a, Transpose op_a, const CMatView<double>& b,
          Transpose op_b, double beta, const MatView<double>& c) {
  if (c.rows == 0 || c.cols == 0) return;
  const std::size_t k = op_a == Transpose::yes ? a.rows : a.cols;
  blas::gemm("ad matmul", op_a, op_b, c.rows, c.cols, k, alpha, a.data.data(), a.rows, b.data.data(), b.rows, beta,
             c.data.data(), c.rows);
}

void ger(double alpha, std::span<const double> x, std::span<const double> y, const MatView<double>& a) {
  if (a.rows == 0 || a.cols == 0) return;
  blas::ger("ad outer product", a.rows, a.cols, alpha, x.data(), y.data(), a.data.data(), a.rows);
}

}  // namespace frechet::detail
