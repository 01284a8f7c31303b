#include "coarse_solver.hpp"

#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"

namespace frechet::detail {
namespace {

class DenseCholeskySolver final : public CoarseSolver {
public:
  explicit DenseCholeskySolver(const CsrMatrix& a) : l_(CholeskyFactorization(a.to_dense()).lower()) {}

  // L y = b, then L^T x = y, both by columns of L so that every inner loop runs down a contiguous
  // column. Written out rather than calling dpotrs: the coarsest level is small (a few hundred rows),
  // and OpenBLAS would wake its thread pool for each solve, which costs more than the arithmetic.
  void solve(ConstVectorView b, VectorView x) const override {
    copy(b, x);
    const std::size_t n = l_.rows();
    const double* l = l_.data();
    double* xp = x.data();
    for (std::size_t j = 0; j < n; ++j) {
      const double* col = l + j * n;
      const double xj = xp[j] / col[j];
      xp[j] = xj;
      for (std::size_t i = j + 1; i < n; ++i) xp[i] -= col[i] * xj;
    }
    for (std::size_t j = n; j-- > 0;) {
      const double* col = l + j * n;
      double s = xp[j];
      for (std::size_t i = j + 1; i < n; ++i) s -= col[i] * xp[i];
      xp[j] = s / col[j];
    }
  }

  std::size_t bytes() const noexcept override { return l_.size() * sizeof(double); }
  std::string name() const override { return "dense Cholesky"; }

private:
  DenseMatrix l_;
};

}  // namespace

std::unique_ptr<const CoarseSolver> dense_cholesky_coarse_solver(const CsrMatrix& a) {
  return std::make_unique<const DenseCholeskySolver>(a);
}

}  // namespace frechet::detail
