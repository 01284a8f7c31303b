#include "coarse_solver.hpp"

#include <string>

#include "core/lapack.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"

namespace frechet::detail {
namespace {

class DenseCholeskySolver final : public CoarseSolver {
public:
  explicit DenseCholeskySolver(const CsrMatrix& a) : l_(CholeskyFactorization(a.to_dense()).lower()) {}

  void solve(ConstVectorView b, VectorView x) const override {
    copy(b, x);
    const blas::blas_int n = blas::to_blas_int(l_.rows(), "AMG coarsest solve");
    if (n == 0) return;
    const blas::blas_int one = 1;
    blas::blas_int info = 0;
    // dpotrs works in place on x and needs no workspace: nothing is allocated, and concurrent solves
    // share only the read-only factor.
    lapack::dpotrs_("L", &n, &one, l_.data(), &n, x.data(), &n, &info, 1);
    if (info != 0) throw NumericalError("AMG coarsest solve: dpotrs failed with info = " + std::to_string(info));
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
